//! Signed file URLs: the server vouches for `GET /files/...` for one user until a deadline.
//!
//! A client asks an authenticated endpoint for the URLs of some datasets and receives URLs like
//! `/files/raw/r1.fits?expires=1717243200&user=alice&signature=3f9a...`, which it can fetch with
//! no bearer token: the signature is the authorization (see [`crate::files`]).
//!
//! The [`UrlSigner`] trait is the seam: [`HmacSigner`] signs URLs this server answers itself; an
//! object-store presigner (S3 `X-Amz-Signature` URLs, which the store checks) can implement the
//! same trait later, so handlers that hand out URLs do not change.
//!
//! # What is signed
//!
//! [`HmacSigner`] computes HMAC-SHA256 over a canonical string of four fields, each written as
//! `<byte length>:<value>\n` after a version line so no two field lists give the same string:
//!
//! 1. the method, in upper case (`GET`; the file endpoint also accepts `HEAD` on a `GET` URL);
//! 2. the path **exactly as it appears in the request line**, percent-escapes and all, with no
//!    decoding or normalisation: `/files/a%20b.fits` and `/files/a b.fits` are different paths.
//!    Sign the path the client will send; [`crate::files::file_url_path`] escapes a file path
//!    the way every HTTP client sends it unchanged;
//! 3. the expiry, in Unix seconds; the URL is valid while `now < expires`;
//! 4. the user the URL was issued to, as a decoded string.
//!
//! The query string carries `expires`, `user` (percent-encoded) and `signature` (64 lowercase
//! hexadecimal digits); other query parameters are ignored and not signed.
//! Verification recomputes the HMAC and compares with [`Mac::verify_slice`], in constant time.
//!
//! Signatures are as good as bearer tokens while they last: log URLs through [`redact`].
//!
//! # Examples
//!
//! ```
//! use butler_server::signing::{HmacSigner, UrlSigner};
//!
//! let signer = HmacSigner::from_key(&[7; 32])?;
//! let query = signer.sign("GET", "/files/raw/r1.fits", "alice", 1_000);
//! assert_eq!(signer.verify("GET", "/files/raw/r1.fits", &query, 999), Ok("alice".to_owned()));
//! assert!(signer.verify("GET", "/files/raw/r2.fits", &query, 999).is_err());
//! # Ok::<(), butler_server::signing::SigningKeyError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The shortest signing key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

/// The longest URL lifetime [`parse_lifetime`] accepts (the S3 limit for presigned URLs).
pub const MAX_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// What goes in place of a redacted query value.
pub const REDACTED: &str = "REDACTED";

/// Query parameters whose values [`redact`] hides: our signature, S3's, and bearer tokens that
/// a client wrongly put in a URL.
const SECRET_PARAMETERS: [&str; 6] = [
    "signature",
    "sig",
    "x-amz-signature",
    "x-amz-security-token",
    "token",
    "access_token",
];

/// Makes and checks signed URLs.
///
/// Implemented by [`HmacSigner`]; designed so that an object-store presigner can implement it
/// too (its `sign` returns the store's query string, its `verify` is never reached because the
/// store checks its own URLs).
pub trait UrlSigner: fmt::Debug + Send + Sync {
    /// The query string (without `?`) that authorizes `method` on `path` for `user` until
    /// `expires_unix`, e.g. `expires=...&user=...&signature=...`.
    ///
    /// `path` must be the path exactly as the client will send it (see the module docs).
    fn sign(&self, method: &str, path: &str, user: &str, expires_unix: i64) -> String;

    /// Check that `query` authorizes `method` on `path` at `now_unix`; returns the user the
    /// URL was issued to.
    ///
    /// This does not compare that user with whoever is calling; use
    /// [`UrlSigner::verify_for_user`] when the caller is authenticated.
    ///
    /// # Errors
    ///
    /// A missing or malformed parameter, a signature that does not match (any field changed,
    /// or signed with another key), or an expired URL.
    fn verify(
        &self,
        method: &str,
        path: &str,
        query: &str,
        now_unix: i64,
    ) -> Result<String, SignatureError>;

    /// [`UrlSigner::verify`], then check that the URL was issued to `caller`.
    ///
    /// # Errors
    ///
    /// Those of [`UrlSigner::verify`], and [`SignatureError::WrongUser`] when the URL is valid
    /// but belongs to someone else.
    fn verify_for_user(
        &self,
        method: &str,
        path: &str,
        query: &str,
        now_unix: i64,
        caller: &str,
    ) -> Result<(), SignatureError> {
        let url_user = self.verify(method, path, query, now_unix)?;
        if url_user == caller {
            Ok(())
        } else {
            Err(SignatureError::WrongUser {
                url_user,
                caller: caller.to_owned(),
            })
        }
    }
}

/// Why a signed URL was refused. Messages never contain the signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A required query parameter is absent (an unsigned or truncated URL).
    #[error("the URL is not signed: the `{parameter}` query parameter is missing")]
    MissingParameter {
        /// `expires`, `user` or `signature`.
        parameter: &'static str,
    },
    /// A parameter is present but unreadable or repeated.
    #[error("the URL's `{parameter}` query parameter {problem}")]
    Malformed {
        /// `expires`, `user` or `signature`.
        parameter: &'static str,
        /// What is wrong, as a predicate (`is not a whole number`).
        problem: &'static str,
    },
    /// The signature is valid but its time is up.
    #[error(
        "this signed URL expired at {} ({} ago)",
        format_unix_utc(*.expired_at_unix),
        format_age(.now_unix.saturating_sub(*.expired_at_unix))
    )]
    Expired {
        /// The `expires` of the URL, Unix seconds.
        expired_at_unix: i64,
        /// When it was presented, Unix seconds.
        now_unix: i64,
    },
    /// The signature does not match the method, path, expiry and user.
    #[error(
        "the URL's signature does not match: the URL was changed after it was signed, or was \
         signed by another server (or before this server restarted with a new key)"
    )]
    BadSignature,
    /// A valid URL presented by an authenticated caller it was not issued to.
    #[error(
        "this URL was issued to user `{url_user}`, but the request is authenticated as `{caller}`"
    )]
    WrongUser {
        /// The user in the URL.
        url_user: String,
        /// The authenticated caller.
        caller: String,
    },
}

impl SignatureError {
    /// The stable snake_case code of this error in JSON bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingParameter { .. } => "unsigned_url",
            Self::Malformed { .. } => "malformed_url",
            Self::Expired { .. } => "expired_url",
            Self::BadSignature => "bad_signature",
            Self::WrongUser { .. } => "wrong_user",
        }
    }

    /// What the client should do.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::MissingParameter { .. } | Self::Malformed { .. } | Self::BadSignature => {
                "use the URL exactly as the server returned it, or ask the server for a new \
                 signed URL for this file"
            }
            Self::Expired { .. } => {
                "ask the server for a new signed URL for this file; signed URLs are short-lived, \
                 so fetch them just before downloading"
            }
            Self::WrongUser { .. } => {
                "ask the server for a signed URL of your own, or send the request without \
                 credentials"
            }
        }
    }
}

/// Why a signing key could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// The key file could not be read.
    #[error("cannot read signing key file `{path}`: {source}")]
    Read {
        /// The key file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The key file holds too few bytes.
    #[error(
        "signing key file `{path}` holds {len} bytes after trailing whitespace is removed; at \
         least {MIN_KEY_BYTES} are needed (`butler-server new-token > {path}` writes a good one)"
    )]
    FileTooShort {
        /// The key file.
        path: PathBuf,
        /// How many bytes it held.
        len: usize,
    },
    /// A key given in memory is too short.
    #[error("a signing key of {len} bytes is too short; at least {MIN_KEY_BYTES} are needed")]
    TooShort {
        /// How many bytes it held.
        len: usize,
    },
    /// The operating system could not provide random bytes.
    #[error("no random bytes from the system for a signing key: {message}")]
    Random {
        /// What went wrong.
        message: String,
    },
}

/// Signs URLs with HMAC-SHA256 under a secret key; see the module docs for the exact format.
///
/// Servers that share a key accept each other's URLs, which is what several copies behind a
/// load balancer need.
#[derive(Clone)]
pub struct HmacSigner {
    /// The keyed state, cloned for each signature so the key is hashed once.
    mac: Hmac<Sha256>,
}

impl fmt::Debug for HmacSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacSigner").finish_non_exhaustive()
    }
}

impl HmacSigner {
    /// A signer with `key`.
    ///
    /// # Errors
    ///
    /// [`SigningKeyError::TooShort`] when `key` has fewer than [`MIN_KEY_BYTES`] bytes.
    pub fn from_key(key: &[u8]) -> Result<Self, SigningKeyError> {
        if key.len() < MIN_KEY_BYTES {
            return Err(SigningKeyError::TooShort { len: key.len() });
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
            .map_err(|_| SigningKeyError::TooShort { len: key.len() })?;
        Ok(Self { mac })
    }

    /// A signer with the key in the file at `path`: its bytes, without trailing whitespace, so
    /// a text key (like 64 hexadecimal digits) survives an editor adding a newline.
    ///
    /// Logs a warning when the file is readable by group or others.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or holds fewer than [`MIN_KEY_BYTES`] bytes.
    pub fn from_key_file(path: impl AsRef<Path>) -> Result<Self, SigningKeyError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| SigningKeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let key = bytes.trim_ascii_end();
        if key.len() < MIN_KEY_BYTES {
            return Err(SigningKeyError::FileTooShort {
                path: path.to_path_buf(),
                len: key.len(),
            });
        }
        warn_if_shared(path);
        Self::from_key(key)
    }

    /// A signer with a fresh random key, for servers started without `--signing-key`.
    ///
    /// Its URLs are valid only for this process: after a restart, or on another copy of the
    /// server, they fail with [`SignatureError::BadSignature`].
    ///
    /// # Errors
    ///
    /// When the operating system cannot provide random bytes.
    pub fn random() -> Result<Self, SigningKeyError> {
        let mut key = [0_u8; 32];
        getrandom::fill(&mut key).map_err(|e| SigningKeyError::Random {
            message: e.to_string(),
        })?;
        Self::from_key(&key)
    }

    fn signature(&self, method: &str, path: &str, user: &str, expires_unix: i64) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        let method = method.to_ascii_uppercase();
        let expires = expires_unix.to_string();
        mac.update(b"butler-server signed URL v1\n");
        for field in [method.as_str(), path, expires.as_str(), user] {
            mac.update(field.len().to_string().as_bytes());
            mac.update(b":");
            mac.update(field.as_bytes());
            mac.update(b"\n");
        }
        mac
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                "the signing key file is readable by other users; `chmod 600` it"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

impl UrlSigner for HmacSigner {
    fn sign(&self, method: &str, path: &str, user: &str, expires_unix: i64) -> String {
        let signature = self
            .signature(method, path, user, expires_unix)
            .finalize()
            .into_bytes();
        format!(
            "expires={expires_unix}&user={}&signature={}",
            percent_encode(user, false),
            hex::encode(signature)
        )
    }

    fn verify(
        &self,
        method: &str,
        path: &str,
        query: &str,
        now_unix: i64,
    ) -> Result<String, SignatureError> {
        let parameters = SignedParameters::parse(query)?;
        self.signature(method, path, &parameters.user, parameters.expires)
            .verify_slice(&parameters.signature)
            .map_err(|_| SignatureError::BadSignature)?;
        if now_unix >= parameters.expires {
            return Err(SignatureError::Expired {
                expired_at_unix: parameters.expires,
                now_unix,
            });
        }
        Ok(parameters.user)
    }
}

/// The three parameters of a signed query string, decoded.
#[derive(Debug)]
struct SignedParameters {
    expires: i64,
    user: String,
    signature: [u8; 32],
}

impl SignedParameters {
    fn parse(query: &str) -> Result<Self, SignatureError> {
        let mut expires = None;
        let mut user = None;
        let mut signature = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "expires" => &mut expires,
                "user" => &mut user,
                "signature" => &mut signature,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(SignatureError::Malformed {
                    parameter: match name {
                        "expires" => "expires",
                        "user" => "user",
                        _ => "signature",
                    },
                    problem: "appears more than once",
                });
            }
        }
        let expires = expires.ok_or(SignatureError::MissingParameter {
            parameter: "expires",
        })?;
        let user = user.ok_or(SignatureError::MissingParameter { parameter: "user" })?;
        let signature = signature.ok_or(SignatureError::MissingParameter {
            parameter: "signature",
        })?;
        let expires = if expires.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            expires.parse().ok()
        } else {
            None
        }
        .ok_or(SignatureError::Malformed {
            parameter: "expires",
            problem: "is not a whole number of Unix seconds",
        })?;
        let user = percent_decode(user).ok_or(SignatureError::Malformed {
            parameter: "user",
            problem: "is not percent-encoded UTF-8",
        })?;
        if user.is_empty() {
            return Err(SignatureError::Malformed {
                parameter: "user",
                problem: "is empty",
            });
        }
        let mut bytes = [0_u8; 32];
        if signature.len() != 64 || hex::decode_to_slice(signature, &mut bytes).is_err() {
            return Err(SignatureError::Malformed {
                parameter: "signature",
                problem: "is not 64 hexadecimal digits",
            });
        }
        Ok(Self {
            expires,
            user,
            signature: bytes,
        })
    }
}

/// `query_or_url` with the values of signature and token parameters replaced by `REDACTED`,
/// for logs.
///
/// Accepts a whole URL, a path with a query, or a bare query string; parameter names are
/// matched without regard to case (`signature`, `sig`, `X-Amz-Signature`,
/// `X-Amz-Security-Token`, `token`, `access_token`). A fragment is kept as it is.
///
/// # Examples
///
/// ```
/// use butler_server::signing::redact;
///
/// assert_eq!(
///     redact("/files/a.fits?expires=9&user=bob&signature=3f9a"),
///     "/files/a.fits?expires=9&user=bob&signature=REDACTED",
/// );
/// assert_eq!(redact("expires=9&signature=3f9a"), "expires=9&signature=REDACTED");
/// ```
pub fn redact(query_or_url: &str) -> String {
    let (prefix, rest) = match query_or_url.split_once('?') {
        Some((prefix, rest)) => (Some(prefix), rest),
        None if query_or_url.contains('=') => (None, query_or_url),
        None => return query_or_url.to_owned(),
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (rest, None),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let decoded = percent_decode(name).unwrap_or_else(|| name.to_owned());
            if SECRET_PARAMETERS
                .iter()
                .any(|secret| secret.eq_ignore_ascii_case(&decoded))
            {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    let mut redacted = String::with_capacity(query_or_url.len());
    if let Some(prefix) = prefix {
        redacted.push_str(prefix);
        redacted.push('?');
    }
    redacted.push_str(&pairs.join("&"));
    if let Some(fragment) = fragment {
        redacted.push('#');
        redacted.push_str(fragment);
    }
    redacted
}

/// The current time in Unix seconds, for [`UrlSigner::sign`] and [`UrlSigner::verify`].
pub fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        // A clock before 1970 is broken; a negative time still compares correctly.
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Parse a URL lifetime such as `90s`, `15m`, `1h` or `2d` (a bare number is seconds), for the
/// `--url-lifetime` flag; usable as a clap `value_parser`.
///
/// # Errors
///
/// A message when the text is not a positive whole number with one of those units, or is longer
/// than [`MAX_LIFETIME`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// assert_eq!(butler_server::signing::parse_lifetime("1h"), Ok(Duration::from_secs(3600)));
/// ```
pub fn parse_lifetime(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, ""), |at| text.split_at(at));
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "`{text}` is not a lifetime; write a whole number with `s`, `m`, `h` or `d`, \
                 like `1h`"
            ))
        }
    };
    let seconds = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("`{text}` is not a positive lifetime; write e.g. `15m` or `1h`"))?;
    let lifetime = Duration::from_secs(seconds);
    if lifetime > MAX_LIFETIME {
        return Err(format!(
            "`{text}` is longer than the longest URL lifetime allowed, 7 days"
        ));
    }
    Ok(lifetime)
}

/// Decode `%XX` escapes; `None` when an escape is broken or the result is not UTF-8.
///
/// `+` is left as it is: these are URL paths and our own query strings, not HTML forms.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            decoded.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Escape everything but RFC 3986 unreserved characters (and `/` when `keep_slash`) as `%XX`
/// with upper-case digits, the form HTTP clients pass on unchanged.
pub(crate) fn percent_encode(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        if unreserved || (keep_slash && byte == b'/') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// `2024-06-01T12:00:00Z` for a Unix time, for error messages.
fn format_unix_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    // Howard Hinnant's `civil_from_days`: proleptic Gregorian calendar, exact for any i64 day.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// `42 seconds`, `3 minutes`, `2 hours`, `5 days`: how long ago, roughly.
fn format_age(seconds: i64) -> String {
    let (value, unit) = match seconds {
        ..=119 => (seconds, "second"),
        120..=7199 => (seconds / 60, "minute"),
        7200..=172_799 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    if value == 1 {
        format!("1 {unit}")
    } else {
        format!("{value} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/files/DemoCam/raw/r%201.fits";

    fn signer() -> HmacSigner {
        HmacSigner::from_key(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    fn pair<'a>(query: &'a str, name: &str) -> &'a str {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .unwrap()
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let s = signer();
        let query = s.sign("GET", PATH, "alice", 2_000);
        assert!(
            query.starts_with("expires=2000&user=alice&signature="),
            "{query}"
        );
        assert_eq!(pair(&query, "signature").len(), 64);
        assert_eq!(s.verify("GET", PATH, &query, 1_999), Ok("alice".into()));
        assert_eq!(s.verify("get", PATH, &query, 0), Ok("alice".into()));
        // Unsigned extra parameters, in any order, do not matter.
        let reordered = format!(
            "x=1&signature={}&user=alice&expires=2000",
            pair(&query, "signature")
        );
        assert_eq!(s.verify("GET", PATH, &reordered, 1_000), Ok("alice".into()));
    }

    #[test]
    fn signatures_are_deterministic_and_key_dependent() {
        let a = signer().sign("GET", PATH, "alice", 5);
        assert_eq!(a, signer().sign("GET", PATH, "alice", 5));
        let other = HmacSigner::from_key(&[1; 32]).unwrap();
        assert_ne!(a, other.sign("GET", PATH, "alice", 5));
        assert_eq!(
            other.verify("GET", PATH, &a, 0),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn users_with_special_characters_are_encoded_and_decoded() {
        let s = signer();
        let user = "o'brien & co=1 é";
        let query = s.sign("GET", PATH, user, 10);
        assert_eq!(pair(&query, "user"), "o%27brien%20%26%20co%3D1%20%C3%A9");
        assert_eq!(s.verify("GET", PATH, &query, 0), Ok(user.to_owned()));
    }

    #[test]
    fn expiry_is_exclusive_and_reported_with_the_time() {
        let s = signer();
        let expires = 1_717_243_200; // 2024-06-01T12:00:00Z
        let query = s.sign("GET", PATH, "alice", expires);
        assert_eq!(
            s.verify("GET", PATH, &query, expires - 1),
            Ok("alice".into())
        );
        let error = s.verify("GET", PATH, &query, expires + 42).unwrap_err();
        assert_eq!(
            error,
            SignatureError::Expired {
                expired_at_unix: expires,
                now_unix: expires + 42
            }
        );
        assert_eq!(
            error.to_string(),
            "this signed URL expired at 2024-06-01T12:00:00Z (42 seconds ago)"
        );
        assert_eq!(error.code(), "expired_url");
        assert_eq!(
            s.verify("GET", PATH, &query, expires).unwrap_err().code(),
            "expired_url"
        );
    }

    #[test]
    fn changing_any_field_breaks_the_signature() {
        let s = signer();
        let query = s.sign("GET", PATH, "alice", 2_000);
        let signature = pair(&query, "signature");
        let bad = Err(SignatureError::BadSignature);
        assert_eq!(s.verify("PUT", PATH, &query, 0), bad, "method");
        assert_eq!(
            s.verify("GET", "/files/DemoCam/raw/r 1.fits", &query, 0),
            bad,
            "decoded path"
        );
        assert_eq!(
            s.verify("GET", "/files/DemoCam/raw/r%202.fits", &query, 0),
            bad,
            "path"
        );
        let expires = format!("expires=2001&user=alice&signature={signature}");
        assert_eq!(s.verify("GET", PATH, &expires, 0), bad, "expires");
        let user = format!("expires=2000&user=bob&signature={signature}");
        assert_eq!(s.verify("GET", PATH, &user, 0), bad, "user");
        let mut flipped = signature.to_owned().into_bytes();
        flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        let tampered = format!("expires=2000&user=alice&signature={flipped}");
        assert_eq!(s.verify("GET", PATH, &tampered, 0), bad, "signature");
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let s = signer();
        // Separated only by newlines, both would sign "GET\n/a\n5\n6\nx".
        let a = s.sign("GET", "/a\n5", "x", 6);
        let b = s.sign("GET", "/a", "6\nx", 5);
        assert_ne!(pair(&a, "signature"), pair(&b, "signature"));
    }

    #[test]
    fn missing_and_malformed_parameters_are_named() {
        let s = signer();
        let sig = "0".repeat(64);
        let check = |query: &str| s.verify("GET", PATH, query, 0).unwrap_err();
        let missing = |parameter| SignatureError::MissingParameter { parameter };
        let malformed = |parameter, problem| SignatureError::Malformed { parameter, problem };
        assert_eq!(check(""), missing("expires"));
        assert_eq!(check("expires=1&signature=x"), missing("user"));
        assert_eq!(check("expires=1&user=a"), missing("signature"));
        assert_eq!(
            check(&format!("expires=soon&user=a&signature={sig}")),
            malformed("expires", "is not a whole number of Unix seconds")
        );
        assert_eq!(
            check(&format!("expires=+5&user=a&signature={sig}")),
            malformed("expires", "is not a whole number of Unix seconds")
        );
        assert_eq!(
            check(&format!("expires=1&user=%ZZ&signature={sig}")),
            malformed("user", "is not percent-encoded UTF-8")
        );
        assert_eq!(
            check(&format!("expires=1&user=&signature={sig}")),
            malformed("user", "is empty")
        );
        assert_eq!(
            check("expires=1&user=a&signature=abc"),
            malformed("signature", "is not 64 hexadecimal digits")
        );
        assert_eq!(
            check(&format!("expires=1&user=a&user=b&signature={sig}")),
            malformed("user", "appears more than once")
        );
    }

    #[test]
    fn messages_never_contain_the_signature() {
        let s = signer();
        let query = s.sign("GET", PATH, "alice", 10);
        let signature = pair(&query, "signature");
        for (path, now) in [(PATH, 11), ("/files/other", 0)] {
            let error = s.verify("GET", path, &query, now).unwrap_err();
            assert!(!error.to_string().contains(signature), "{error}");
            assert!(!error.to_string().contains(&signature[..16]), "{error}");
        }
        let truncated = &query[..query.len() - 1];
        let error = s.verify("GET", PATH, truncated, 0).unwrap_err();
        assert!(!error.to_string().contains(&signature[..16]), "{error}");
    }

    #[test]
    fn verify_for_user_compares_the_caller() {
        let s = signer();
        let query = s.sign("GET", PATH, "alice", 10);
        assert_eq!(s.verify_for_user("GET", PATH, &query, 0, "alice"), Ok(()));
        let error = s
            .verify_for_user("GET", PATH, &query, 0, "bob")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "this URL was issued to user `alice`, but the request is authenticated as `bob`"
        );
        assert_eq!(error.code(), "wrong_user");
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(
            HmacSigner::from_key(&[0; 31]).unwrap_err().to_string(),
            "a signing key of 31 bytes is too short; at least 32 are needed"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "short-key\n\n").unwrap();
        let message = HmacSigner::from_key_file(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!(
                "signing key file `{}` holds 9 bytes after trailing whitespace is removed",
                path.display()
            )),
            "{message}"
        );
        let missing = dir.path().join("absent");
        let message = HmacSigner::from_key_file(&missing).unwrap_err().to_string();
        assert!(
            message.starts_with("cannot read signing key file"),
            "{message}"
        );
    }

    #[test]
    fn key_files_ignore_a_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = "a".repeat(64);
        std::fs::write(&path, format!("{key}\n")).unwrap();
        let from_file = HmacSigner::from_key_file(&path).unwrap();
        let from_memory = HmacSigner::from_key(key.as_bytes()).unwrap();
        assert_eq!(
            from_file.sign("GET", PATH, "a", 1),
            from_memory.sign("GET", PATH, "a", 1)
        );
    }

    #[test]
    fn random_signers_do_not_accept_each_other() {
        let a = HmacSigner::random().unwrap();
        let b = HmacSigner::random().unwrap();
        let query = a.sign("GET", PATH, "alice", 10);
        assert_eq!(a.verify("GET", PATH, &query, 0), Ok("alice".into()));
        assert_eq!(
            b.verify("GET", PATH, &query, 0),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(format!("{a:?}"), "HmacSigner { .. }");
    }

    #[test]
    fn redact_hides_signatures_and_tokens_only() {
        let cases = [
            ("", ""),
            ("/files/a.fits", "/files/a.fits"),
            (
                "expires=1&user=a&signature=abc",
                "expires=1&user=a&signature=REDACTED",
            ),
            (
                "http://h:1/files/a?expires=1&signature=abc&user=a#frag",
                "http://h:1/files/a?expires=1&signature=REDACTED&user=a#frag",
            ),
            (
                "https://s3/b/k?X-Amz-Signature=abc&X-Amz-Expires=60",
                "https://s3/b/k?X-Amz-Signature=REDACTED&X-Amz-Expires=60",
            ),
            (
                "/x?token=t&access%5Ftoken=u",
                "/x?token=REDACTED&access%5Ftoken=REDACTED",
            ),
            ("/x?signature", "/x?signature=REDACTED"),
            ("/x?signatures=1", "/x?signatures=1"),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "for {input:?}");
        }
    }

    #[test]
    fn lifetimes_parse_with_units() {
        let ok = |s: u64| Ok(Duration::from_secs(s));
        assert_eq!(parse_lifetime("1h"), ok(3600));
        assert_eq!(parse_lifetime("15m"), ok(900));
        assert_eq!(parse_lifetime("90s"), ok(90));
        assert_eq!(parse_lifetime("90"), ok(90));
        assert_eq!(parse_lifetime("7d"), ok(7 * 86_400));
        assert!(parse_lifetime("8d").unwrap_err().contains("7 days"));
        assert!(parse_lifetime("0s").unwrap_err().contains("positive"));
        assert!(parse_lifetime("1 hour")
            .unwrap_err()
            .contains("`s`, `m`, `h` or `d`"));
        assert!(parse_lifetime("h").is_err());
        assert!(parse_lifetime("99999999999999999999d").is_err());
    }

    #[test]
    fn dates_and_ages_are_formatted() {
        assert_eq!(format_unix_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_age(1), "1 second");
        assert_eq!(format_age(119), "119 seconds");
        assert_eq!(format_age(3600), "60 minutes");
        assert_eq!(format_age(7200), "2 hours");
        assert_eq!(format_age(3 * 86_400), "3 days");
    }

    #[test]
    fn percent_coding_round_trips() {
        assert_eq!(percent_encode("a b/c~", true), "a%20b/c~");
        assert_eq!(percent_encode("a b/c", false), "a%20b%2Fc");
        assert_eq!(percent_decode("a%20b%2fc").as_deref(), Some("a b/c"));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%+1"), None);
        assert_eq!(percent_decode("%FF"), None, "not UTF-8");
    }

    #[test]
    fn now_is_after_2020() {
        assert!(now_unix() > 1_577_836_800);
    }
}
