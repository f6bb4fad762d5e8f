//! Who is calling: bearer tokens from a tokens file, or identity headers set by a trusted proxy.
//!
//! Every route of `butler-server` except `GET /api/v1/health` and the signed file URLs of
//! [`crate::files`] sits behind [`require_principal`], an axum middleware that turns the request
//! headers into a [`Principal`] (user and groups) and stores it in the request extensions, or
//! answers `401` with the JSON error body of the server and a `WWW-Authenticate: Bearer` header.
//!
//! # Modes
//!
//! - [`Auth::Tokens`]: clients send `Authorization: Bearer <token>`.
//!   A token is any opaque string; the server keeps only the SHA-256 of each token in a YAML
//!   tokens file ([`TokenStore`]) and compares hashes in constant time.
//!   The file is re-read when it changes, so tokens can be added and revoked without a restart.
//! - [`Auth::TrustedHeaders`]: an authenticating proxy in front of the server (as Rubin's
//!   Gafaelfawr fronts services) has already checked the caller and tells the server who it is in
//!   `X-Auth-Request-User` and `X-Auth-Request-Groups` (comma-separated).
//!   **Use this mode only when the server is reachable through that proxy alone** (bound to
//!   loopback or a private network the proxy controls, and the proxy overwrites these headers on
//!   every request): otherwise anyone can claim to be anyone by sending the headers themselves.
//!
//! Tokens are accepted only in the `Authorization` header: a request with `?token=` or
//! `?access_token=` in its query string is refused, because URLs end up in logs, browser
//! histories and `Referer` headers.
//! Neither a token nor a token hash is ever logged or echoed in a response.
//!
//! # Tokens file
//!
//! ```yaml
//! - user: alice
//!   groups: [rubin, dp1]
//!   token_sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
//! - user: bob
//!   token_sha256: 486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7
//! ```
//!
//! `groups` may be left out. A user may have several tokens (to rotate one without downtime),
//! but a hash may appear only once. [`hash_token`] and [`generate_token`] back the
//! `butler-server hash-token` and `new-token` commands that fill this file.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use axum::{middleware, routing::get, Router};
//! use butler_server::auth::{require_principal, Auth, Principal};
//!
//! let auth = Arc::new(Auth::gafaelfawr());
//! let protected: Router = Router::new()
//!     .route("/api/v1/whoami", get(|p: axum::Extension<Principal>| async move { p.0.user }))
//!     .route_layer(middleware::from_fn_with_state(auth, require_principal));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use satellite_core::api::{ErrorBody, ErrorDetail};
use sha2::{Digest, Sha256};

use crate::signing::percent_decode;

/// The header Gafaelfawr (and oauth2-proxy) use to pass the authenticated user name.
pub const DEFAULT_USER_HEADER: &str = "x-auth-request-user";

/// The header Gafaelfawr uses to pass the user's groups, comma-separated.
pub const DEFAULT_GROUPS_HEADER: &str = "x-auth-request-groups";

/// How often, at most, a [`TokenStore`] looks at its file for changes.
pub const RELOAD_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Query parameters that look like credentials; a request carrying one is refused.
const QUERY_TOKEN_PARAMETERS: [&str; 2] = ["token", "access_token"];

/// The authenticated caller, stored in the request extensions by [`require_principal`].
///
/// Handlers take it with `axum::Extension<Principal>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user name, as written in the tokens file or set by the proxy.
    pub user: String,
    /// The groups the user belongs to, in file or header order.
    pub groups: Vec<String>,
}

/// The SHA-256 of `token` as 64 lowercase hexadecimal digits: what the tokens file stores.
///
/// # Examples
///
/// ```
/// assert_eq!(
///     butler_server::auth::hash_token("hello"),
///     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
/// );
/// ```
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random token: 32 bytes from the operating system, as 64 lowercase hexadecimal digits.
///
/// Hand the token to the user and put only its [`hash_token`] in the tokens file.
///
/// # Errors
///
/// When the operating system cannot provide random bytes.
pub fn generate_token() -> std::io::Result<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| std::io::Error::other(format!("no random bytes from the system: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Compares two digests without an early exit, so timing does not tell how many bytes matched.
fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Why a tokens file could not be loaded.
///
/// Messages name the file and the entry (1-based, with its user when known) and never contain
/// a token or a hash.
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    /// The file could not be read.
    #[error("cannot read tokens file `{path}`: {source}")]
    Read {
        /// The tokens file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid YAML; the message carries the line and column.
    #[error("tokens file `{path}` is not valid YAML: {message}")]
    Yaml {
        /// The tokens file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The file is YAML but not a list of entries.
    #[error(
        "tokens file `{path}` must be a YAML list of `{{user, groups, token_sha256}}` entries"
    )]
    NotAList {
        /// The tokens file.
        path: PathBuf,
    },
    /// One entry is wrong.
    #[error("tokens file `{path}`, entry {entry}{}: {problem}", user_suffix(.user.as_deref()))]
    Entry {
        /// The tokens file.
        path: PathBuf,
        /// The entry, counted from 1.
        entry: usize,
        /// The entry's user, when it has a readable one.
        user: Option<String>,
        /// What is wrong with it.
        problem: String,
    },
    /// Two entries store the same hash, so one token would log in as two users.
    #[error(
        "tokens file `{path}`: entries {first} and {second} have the same `token_sha256`; \
         each token must belong to one entry"
    )]
    DuplicateHash {
        /// The tokens file.
        path: PathBuf,
        /// The earlier entry, counted from 1.
        first: usize,
        /// The later entry, counted from 1.
        second: usize,
    },
}

fn user_suffix(user: Option<&str>) -> String {
    user.map(|u| format!(" (user `{u}`)")).unwrap_or_default()
}

/// One row of the tokens table.
#[derive(Clone)]
struct TokenEntry {
    hash: [u8; 32],
    principal: Principal,
}

/// The modification time and size of the tokens file, used to notice changes cheaply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    modified: Option<SystemTime>,
    len: u64,
}

impl Fingerprint {
    fn of(path: &Path) -> std::io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        Ok(Self {
            modified: metadata.modified().ok(),
            len: metadata.len(),
        })
    }
}

/// When the file was last looked at, and what it looked like then.
#[derive(Debug)]
struct ReloadState {
    last_check: Instant,
    /// The fingerprint of the last version read, good or bad, so a bad file warns once.
    seen: Option<Fingerprint>,
}

/// The table of token hashes read from a tokens file, re-read when the file changes.
///
/// Lookups ([`TokenStore::lookup`]) do no I/O. [`TokenStore::reload_if_due`] stats the file at
/// most once per [`RELOAD_CHECK_INTERVAL`] and re-reads it when its modification time or size
/// changed; [`require_principal`] calls it on a blocking thread before each lookup.
/// A file that becomes invalid or disappears leaves the last good table in force and logs a
/// warning that names the problem (never a token or hash).
pub struct TokenStore {
    path: PathBuf,
    table: RwLock<Arc<Vec<TokenEntry>>>,
    reload: Mutex<ReloadState>,
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The table holds hashes, which stay out of logs too.
        f.debug_struct("TokenStore")
            .field("path", &self.path)
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl TokenStore {
    /// Read the tokens file at `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is not YAML, is not a list, has an entry without a `user`
    /// or with a `token_sha256` that is not 64 hexadecimal digits, has unknown fields (a
    /// misspelt `token_sha256`, or a plain `token`, which must never be stored), or lists the
    /// same hash twice.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, TokenFileError> {
        let path = path.as_ref().to_path_buf();
        let seen = Fingerprint::of(&path).ok();
        let entries = read_tokens_file(&path)?;
        Ok(Self {
            path,
            table: RwLock::new(Arc::new(entries)),
            reload: Mutex::new(ReloadState {
                last_check: Instant::now(),
                seen,
            }),
        })
    }

    /// The tokens file this store reads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many tokens the current table holds.
    pub fn len(&self) -> usize {
        self.current().len()
    }

    /// Whether the current table holds no token at all, so every request is refused.
    pub fn is_empty(&self) -> bool {
        self.current().is_empty()
    }

    fn current(&self) -> Arc<Vec<TokenEntry>> {
        Arc::clone(&self.table.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The principal whose token is `token`, if any.
    ///
    /// The presented token is hashed and compared with every stored hash in constant time;
    /// the loop never stops early, so timing does not reveal which entry matched.
    pub fn lookup(&self, token: &str) -> Option<Principal> {
        let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let table = self.current();
        let mut found = None;
        for entry in table.iter() {
            if digests_equal(&entry.hash, &presented) {
                found = Some(&entry.principal);
            }
        }
        found.cloned()
    }

    /// Whether [`TokenStore::reload_if_due`] would look at the file at `now`; no I/O.
    pub fn reload_due(&self, now: Instant) -> bool {
        let state = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
        now.saturating_duration_since(state.last_check) >= RELOAD_CHECK_INTERVAL
    }

    /// Re-read the file if [`RELOAD_CHECK_INTERVAL`] has passed since the last check and the
    /// file's modification time or size changed; returns whether a new table is in force.
    ///
    /// This does blocking I/O (a `stat`, sometimes a read): from async code, run it with
    /// `tokio::task::spawn_blocking`. A bad or missing file keeps the old table and logs a
    /// warning once per change.
    pub fn reload_if_due(&self, now: Instant) -> bool {
        {
            let mut state = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
            if now.saturating_duration_since(state.last_check) < RELOAD_CHECK_INTERVAL {
                return false;
            }
            state.last_check = now;
        }
        self.reload_if_changed()
    }

    /// Re-read the file now if its modification time or size changed since it was last read,
    /// ignoring the once-a-second limit; returns whether a new table is in force.
    ///
    /// Blocking I/O, like [`TokenStore::reload_if_due`].
    pub fn reload_if_changed(&self) -> bool {
        let fingerprint = match Fingerprint::of(&self.path) {
            Ok(fingerprint) => fingerprint,
            Err(error) => {
                let mut state = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
                if state.seen.take().is_some() {
                    tracing::warn!(
                        path = %self.path.display(),
                        %error,
                        "cannot read the tokens file; keeping the tokens loaded before"
                    );
                }
                return false;
            }
        };
        {
            let state = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
            if state.seen == Some(fingerprint) {
                return false;
            }
        }
        let result = read_tokens_file(&self.path);
        let mut state = self.reload.lock().unwrap_or_else(PoisonError::into_inner);
        state.seen = Some(fingerprint);
        match result {
            Ok(entries) => {
                let count = entries.len();
                *self.table.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(entries);
                tracing::info!(path = %self.path.display(), tokens = count, "reloaded the tokens file");
                true
            }
            Err(error) => {
                tracing::warn!(
                    %error,
                    "the tokens file changed but is invalid; keeping the tokens loaded before"
                );
                false
            }
        }
    }
}

/// Read and validate a tokens file.
fn read_tokens_file(path: &Path) -> Result<Vec<TokenEntry>, TokenFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| TokenFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_tokens(path, &text)
}

/// Validate the text of a tokens file.
///
/// The YAML is read into a generic value and checked by hand rather than through serde's
/// derive, because serde's type errors quote the offending value, which here may be a token.
fn parse_tokens(path: &Path, text: &str) -> Result<Vec<TokenEntry>, TokenFileError> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| TokenFileError::Yaml {
            path: path.to_path_buf(),
            message: yaml_message(&e),
        })?;
    let items = match value {
        serde_yaml::Value::Null => Vec::new(),
        serde_yaml::Value::Sequence(items) => items,
        _ => {
            return Err(TokenFileError::NotAList {
                path: path.to_path_buf(),
            })
        }
    };
    let mut entries: Vec<TokenEntry> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let entry = parse_entry(item).map_err(|(user, problem)| TokenFileError::Entry {
            path: path.to_path_buf(),
            entry: index + 1,
            user,
            problem,
        })?;
        if let Some(first) = entries
            .iter()
            .position(|e| digests_equal(&e.hash, &entry.hash))
        {
            return Err(TokenFileError::DuplicateHash {
                path: path.to_path_buf(),
                first: first + 1,
                second: index + 1,
            });
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// The YAML parser's message with its line and column.
///
/// Parsing into a generic value only fails on syntax, which the parser describes by structure
/// and position, not by quoting the input.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(location) if !message.contains("line") => format!(
            "{message} at line {} column {}",
            location.line(),
            location.column()
        ),
        _ => message,
    }
}

/// One entry, or the user (when readable) and what is wrong.
fn parse_entry(item: &serde_yaml::Value) -> Result<TokenEntry, (Option<String>, String)> {
    let serde_yaml::Value::Mapping(mapping) = item else {
        return Err((
            None,
            "expected a mapping with `user`, `groups` and `token_sha256`".to_owned(),
        ));
    };
    let user = match mapping.get("user") {
        Some(serde_yaml::Value::String(user)) => user.clone(),
        Some(_) => return Err((None, "`user` must be a string".to_owned())),
        None => return Err((None, "`user` is missing".to_owned())),
    };
    let with_user = |problem: String| (Some(user.clone()), problem);
    check_name(&user, "user").map_err(with_user)?;
    for key in mapping.keys() {
        match key.as_str() {
            Some("user" | "groups" | "token_sha256") => {}
            Some("token") => {
                return Err(with_user(
                    "has a plain `token`; store only its hash as `token_sha256` \
                     (`butler-server hash-token` prints it) and remove the token"
                        .to_owned(),
                ))
            }
            Some(other) => {
                return Err(with_user(format!(
                    "unknown field `{other}`; expected `user`, `groups` and `token_sha256`"
                )))
            }
            None => return Err(with_user("field names must be strings".to_owned())),
        }
    }
    let groups = match mapping.get("groups") {
        None | Some(serde_yaml::Value::Null) => Vec::new(),
        Some(serde_yaml::Value::Sequence(groups)) => {
            let mut names = Vec::with_capacity(groups.len());
            for group in groups {
                let serde_yaml::Value::String(group) = group else {
                    return Err(with_user("every group must be a string".to_owned()));
                };
                check_name(group, "group").map_err(with_user)?;
                names.push(group.clone());
            }
            names
        }
        Some(_) => {
            return Err(with_user(
                "`groups` must be a list of strings, like `[rubin, dp1]`".to_owned(),
            ))
        }
    };
    let hash = match mapping.get("token_sha256") {
        Some(serde_yaml::Value::String(hash)) => parse_hash(hash).map_err(with_user)?,
        Some(_) => {
            return Err(with_user(
                "`token_sha256` must be a string of 64 hexadecimal digits".to_owned(),
            ))
        }
        None => {
            return Err(with_user(
                "`token_sha256` is missing; `butler-server hash-token` prints it".to_owned(),
            ))
        }
    };
    Ok(TokenEntry {
        hash,
        principal: Principal { user, groups },
    })
}

fn check_name(name: &str, what: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("the {what} name is empty"));
    }
    if name.chars().any(char::is_control) || name.trim() != name {
        return Err(format!(
            "the {what} name has control characters or surrounding spaces"
        ));
    }
    if what == "group" && name.contains(',') {
        return Err("group names cannot contain `,`".to_owned());
    }
    Ok(())
}

/// Decode a stored hash; the problem description never quotes it.
fn parse_hash(text: &str) -> Result<[u8; 32], String> {
    let problem = || {
        format!(
            "`token_sha256` must be 64 hexadecimal digits (the SHA-256 of the token, as \
             `butler-server hash-token` prints it), not {} characters",
            text.chars().count()
        )
    };
    if text.len() != 64 {
        return Err(problem());
    }
    let mut hash = [0_u8; 32];
    hex::decode_to_slice(text, &mut hash)
        .map_err(|_| "`token_sha256` has characters that are not hexadecimal digits".to_owned())?;
    Ok(hash)
}

/// How requests are authenticated; shared by every request as `Arc<Auth>`.
#[derive(Debug)]
pub enum Auth {
    /// Bearer tokens checked against a tokens file.
    Tokens(TokenStore),
    /// Identity headers set by an authenticating proxy; see the module docs for when this is
    /// safe.
    TrustedHeaders {
        /// The header holding the user name (Gafaelfawr: `X-Auth-Request-User`).
        user_header: HeaderName,
        /// The header holding comma-separated groups (Gafaelfawr: `X-Auth-Request-Groups`);
        /// when absent from a request the user has no groups.
        groups_header: HeaderName,
    },
}

impl Auth {
    /// Trusted-header mode with the header names Gafaelfawr sets.
    pub fn gafaelfawr() -> Self {
        Self::TrustedHeaders {
            user_header: HeaderName::from_static(DEFAULT_USER_HEADER),
            groups_header: HeaderName::from_static(DEFAULT_GROUPS_HEADER),
        }
    }

    /// The caller named by `headers`.
    ///
    /// This does no I/O; [`require_principal`] refreshes a [`TokenStore`] before calling it.
    ///
    /// # Errors
    ///
    /// With tokens: no `Authorization` header, a header that is not `Bearer <token>`, or an
    /// unknown token. With trusted headers: no user header, or one that is empty or not text.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        match self {
            Self::Tokens(store) => {
                let token = bearer_token(headers)?;
                store.lookup(token).ok_or(AuthError::UnknownToken)
            }
            Self::TrustedHeaders {
                user_header,
                groups_header,
            } => trusted_principal(headers, user_header, groups_header),
        }
    }

    /// Whether `headers` carry credentials of this mode at all (an `Authorization` header, or
    /// the trusted user header), for endpoints where authentication is optional.
    pub fn has_credentials(&self, headers: &HeaderMap) -> bool {
        match self {
            Self::Tokens(_) => headers.contains_key(AUTHORIZATION),
            Self::TrustedHeaders { user_header, .. } => headers.contains_key(user_header),
        }
    }

    /// Bring a token table up to date if its check is due; the blocking `stat` and read run on
    /// tokio's blocking pool. Trusted-header mode has nothing to refresh.
    pub async fn refresh(self: &Arc<Self>) {
        if let Self::Tokens(store) = &**self {
            let now = Instant::now();
            if store.reload_due(now) {
                let auth = Arc::clone(self);
                let checked = tokio::task::spawn_blocking(move || {
                    if let Self::Tokens(store) = &*auth {
                        store.reload_if_due(now);
                    }
                })
                .await;
                if let Err(error) = checked {
                    // The old table stays in force; a failed check is retried a second later.
                    tracing::warn!(%error, "checking the tokens file for changes failed");
                }
            }
        }
    }
}

/// The token of a `Bearer` `Authorization` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::MissingCredentials);
    };
    if values.next().is_some() {
        return Err(AuthError::MalformedHeader {
            problem: "there is more than one `Authorization` header",
        });
    }
    let value = value.to_str().map_err(|_| AuthError::MalformedHeader {
        problem: "the `Authorization` header is not plain ASCII text",
    })?;
    let value = value.trim();
    let Some((scheme, token)) = value.split_once([' ', '\t']) else {
        return Err(AuthError::MalformedHeader {
            problem: if value.eq_ignore_ascii_case("bearer") {
                "the `Authorization` header has the `Bearer` scheme but no token"
            } else {
                "the `Authorization` header is not of the form `Bearer <token>`"
            },
        });
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        // The scheme is not echoed: a client that forgot the scheme would see its token here.
        return Err(AuthError::MalformedHeader {
            problem: "the `Authorization` header does not use the `Bearer` scheme",
        });
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::MalformedHeader {
            problem: "the `Authorization` header has the `Bearer` scheme but no token",
        });
    }
    if token.contains([' ', '\t']) {
        return Err(AuthError::MalformedHeader {
            problem: "the bearer token contains spaces",
        });
    }
    Ok(token)
}

fn trusted_principal(
    headers: &HeaderMap,
    user_header: &HeaderName,
    groups_header: &HeaderName,
) -> Result<Principal, AuthError> {
    let user = headers
        .get(user_header)
        .ok_or_else(|| AuthError::MissingProxyHeader {
            header: user_header.as_str().to_owned(),
        })?
        .to_str()
        .map_err(|_| AuthError::BadProxyHeader {
            header: user_header.as_str().to_owned(),
        })?
        .trim();
    if user.is_empty() {
        return Err(AuthError::BadProxyHeader {
            header: user_header.as_str().to_owned(),
        });
    }
    let mut groups = Vec::new();
    for value in headers.get_all(groups_header) {
        let value = value.to_str().map_err(|_| AuthError::BadProxyHeader {
            header: groups_header.as_str().to_owned(),
        })?;
        groups.extend(
            value
                .split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_owned),
        );
    }
    Ok(Principal {
        user: user.to_owned(),
        groups,
    })
}

/// Refuse a request whose query string carries `token=` or `access_token=`.
///
/// # Errors
///
/// [`AuthError::TokenInQuery`] naming the parameter (never its value).
pub fn reject_query_tokens(uri: &Uri) -> Result<(), AuthError> {
    let Some(query) = uri.query() else {
        return Ok(());
    };
    for pair in query.split('&') {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let name = percent_decode(name).unwrap_or_else(|| name.to_owned());
        if let Some(parameter) = QUERY_TOKEN_PARAMETERS
            .iter()
            .find(|p| p.eq_ignore_ascii_case(&name))
        {
            return Err(AuthError::TokenInQuery { parameter });
        }
    }
    Ok(())
}

/// Why a request was not authenticated; always answered with `401`.
///
/// Messages never contain the presented token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("this endpoint needs a bearer token and the request has no `Authorization` header")]
    MissingCredentials,
    /// An `Authorization` header that is not a single `Bearer <token>`.
    #[error("malformed credentials: {problem}")]
    MalformedHeader {
        /// What is wrong with the header.
        problem: &'static str,
    },
    /// A well-formed token that is not in the tokens file (never issued, or revoked).
    #[error("the bearer token is not valid on this server")]
    UnknownToken,
    /// A token in the query string.
    #[error(
        "tokens must be sent in the `Authorization` header, not in the `{parameter}` query \
         parameter"
    )]
    TokenInQuery {
        /// The offending parameter name.
        parameter: &'static str,
    },
    /// Trusted-header mode, but the proxy did not set the user header.
    #[error("the request did not come through the authenticating proxy: no `{header}` header")]
    MissingProxyHeader {
        /// The expected header.
        header: String,
    },
    /// Trusted-header mode, and the header is empty or not text.
    #[error("the `{header}` header set by the authenticating proxy is empty or not text")]
    BadProxyHeader {
        /// The header.
        header: String,
    },
}

impl AuthError {
    /// The stable snake_case code of every authentication failure.
    pub const CODE: &'static str = "unauthorized";

    fn hint(&self) -> &'static str {
        match self {
            Self::MissingCredentials | Self::MalformedHeader { .. } => {
                "send `Authorization: Bearer <token>`; ask the server's operator for a token"
            }
            Self::UnknownToken => {
                "check that the token was copied whole; if it was revoked, ask the server's \
                 operator for a new one"
            }
            Self::TokenInQuery { .. } => {
                "remove the token from the URL (it may now be in logs; consider it leaked and \
                 ask for a new one) and send `Authorization: Bearer <token>` instead"
            }
            Self::MissingProxyHeader { .. } | Self::BadProxyHeader { .. } => {
                "reach this server through its authenticating proxy, not directly"
            }
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 section 3).
    fn challenge(&self) -> &'static str {
        match self {
            Self::MissingCredentials
            | Self::MissingProxyHeader { .. }
            | Self::BadProxyHeader { .. } => "Bearer",
            Self::MalformedHeader { .. } | Self::TokenInQuery { .. } => {
                "Bearer error=\"invalid_request\""
            }
            Self::UnknownToken => "Bearer error=\"invalid_token\"",
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: Self::CODE.to_owned(),
                message: self.to_string(),
                hint: Some(self.hint().to_owned()),
            },
        };
        let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(self.challenge()));
        response
    }
}

/// Axum middleware: authenticate the request, store its [`Principal`] in the extensions and
/// run the rest of the stack, or answer `401`.
///
/// Use it with `axum::middleware::from_fn_with_state(Arc<Auth>, require_principal)`, as a
/// `route_layer` on the protected routes (so unknown paths still answer `404`).
pub async fn require_principal(
    State(auth): State<Arc<Auth>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Err(error) = reject_query_tokens(request.uri()) {
        tracing::info!(path = request.uri().path(), reason = %error, "request refused");
        return error.into_response();
    }
    auth.refresh().await;
    match auth.authenticate(request.headers()) {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(path = request.uri().path(), reason = %error, "request refused");
            error.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn store_with(text: &str) -> (tempfile::TempDir, TokenStore) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.yaml");
        std::fs::write(&path, text).unwrap();
        let store = TokenStore::load(&path).unwrap();
        (dir, store)
    }

    fn tokens_yaml(entries: &[(&str, &[&str], &str)]) -> String {
        let mut text = String::new();
        for (user, groups, token) in entries {
            text.push_str(&format!(
                "- user: {user}\n  groups: [{}]\n  token_sha256: {}\n",
                groups.join(", "),
                hash_token(token)
            ));
        }
        text
    }

    /// Loads `text` as a tokens file and returns the error message with the temp dir masked.
    fn load_error(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.yaml");
        std::fs::write(&path, text).unwrap();
        let error = TokenStore::load(&path).unwrap_err().to_string();
        error.replace(&path.display().to_string(), "TOKENS")
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            hash_token(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hash_token("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn generated_tokens_are_64_hex_digits_and_differ() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn digest_comparison_checks_every_byte() {
        let a = [7_u8; 32];
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 1;
            assert!(!digests_equal(&a, &b), "byte {i} ignored");
        }
        assert!(digests_equal(&a, &a));
    }

    #[test]
    fn lookup_finds_the_owner_of_a_token_and_nobody_else() {
        let (_dir, store) = store_with(&tokens_yaml(&[
            ("alice", &["rubin", "dp1"], "alice-secret"),
            ("bob", &[], "bob-secret"),
            ("alice", &["rubin"], "alice-second"),
        ]));
        assert_eq!(store.len(), 3);
        assert_eq!(
            store.lookup("alice-secret"),
            Some(Principal {
                user: "alice".into(),
                groups: vec!["rubin".into(), "dp1".into()],
            })
        );
        assert_eq!(store.lookup("bob-secret").unwrap().user, "bob");
        assert_eq!(store.lookup("alice-second").unwrap().groups, ["rubin"]);
        assert_eq!(store.lookup("alice-secre"), None);
        assert_eq!(store.lookup(""), None);
        assert_eq!(
            store.lookup(&hash_token("bob-secret")),
            None,
            "a hash is no token"
        );
    }

    #[test]
    fn uppercase_hashes_and_missing_groups_are_accepted() {
        let text = format!(
            "- user: carol\n  token_sha256: {}\n",
            hash_token("c").to_uppercase()
        );
        let (_dir, store) = store_with(&text);
        assert_eq!(
            store.lookup("c"),
            Some(Principal {
                user: "carol".into(),
                groups: vec![],
            })
        );
    }

    #[test]
    fn an_empty_file_is_an_empty_table() {
        let (_dir, store) = store_with("");
        assert!(store.is_empty());
        assert_eq!(store.lookup("anything"), None);
    }

    #[test]
    fn load_errors_name_the_file_and_entry_and_never_the_hash() {
        let good = hash_token("x");
        let cases: Vec<(String, &str)> = vec![
            (
                "- user: a\n  token_sha256: [".into(),
                "tokens file `TOKENS` is not valid YAML",
            ),
            (
                "user: a\n".into(),
                "tokens file `TOKENS` must be a YAML list of `{user, groups, token_sha256}` entries",
            ),
            (
                format!("- user: a\n  token_sha256: {good}\n- token_sha256: {good}\n"),
                "tokens file `TOKENS`, entry 2: `user` is missing",
            ),
            (
                "- user: bob\n  token_sha256: abc123\n".into(),
                "tokens file `TOKENS`, entry 1 (user `bob`): `token_sha256` must be 64 \
                 hexadecimal digits (the SHA-256 of the token, as `butler-server hash-token` \
                 prints it), not 6 characters",
            ),
            (
                format!("- user: bob\n  token_sha256: {}zz\n", &good[..62]),
                "tokens file `TOKENS`, entry 1 (user `bob`): `token_sha256` has characters \
                 that are not hexadecimal digits",
            ),
            (
                "- user: bob\n  token: hunter2\n".into(),
                "tokens file `TOKENS`, entry 1 (user `bob`): has a plain `token`; store only \
                 its hash as `token_sha256` (`butler-server hash-token` prints it) and remove \
                 the token",
            ),
            (
                format!("- user: bob\n  token_sha265: {good}\n"),
                "tokens file `TOKENS`, entry 1 (user `bob`): unknown field `token_sha265`; \
                 expected `user`, `groups` and `token_sha256`",
            ),
            (
                format!("- user: bob\n  groups: rubin\n  token_sha256: {good}\n"),
                "tokens file `TOKENS`, entry 1 (user `bob`): `groups` must be a list of \
                 strings, like `[rubin, dp1]`",
            ),
            (
                "- user: bob\n  token_sha256: 12345\n".into(),
                "tokens file `TOKENS`, entry 1 (user `bob`): `token_sha256` must be a string \
                 of 64 hexadecimal digits",
            ),
            (
                format!(
                    "- user: a\n  token_sha256: {good}\n- user: b\n  token_sha256: {}\n",
                    good.to_uppercase()
                ),
                "tokens file `TOKENS`: entries 1 and 2 have the same `token_sha256`; each \
                 token must belong to one entry",
            ),
        ];
        for (text, expected) in cases {
            let message = load_error(&text);
            assert!(
                message.starts_with(expected),
                "for {text:?}\n got: {message}\nwant: {expected}"
            );
            assert!(!message.contains(&good), "hash leaked: {message}");
            assert!(!message.contains("hunter2"), "token leaked: {message}");
            assert!(!message.contains("12345"), "value leaked: {message}");
        }
        assert!(load_error("- user: a\n  token_sha256: [").contains("line"));
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.yaml");
        let message = TokenStore::load(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("cannot read tokens file `{}`", path.display())),
            "{message}"
        );
    }

    #[test]
    fn changes_are_picked_up_and_bad_files_keep_the_old_table() {
        let (dir, store) = store_with(&tokens_yaml(&[("alice", &[], "one")]));
        let path = dir.path().join("tokens.yaml");
        assert!(!store.reload_if_changed(), "nothing changed yet");

        std::fs::write(
            &path,
            tokens_yaml(&[("alice", &[], "one"), ("bob", &["g"], "two")]),
        )
        .unwrap();
        assert!(store.reload_if_changed());
        assert_eq!(store.lookup("two").unwrap().user, "bob");

        std::fs::write(&path, "- user: [broken\n").unwrap();
        assert!(!store.reload_if_changed());
        assert_eq!(
            store.lookup("two").unwrap().user,
            "bob",
            "last good table kept"
        );

        std::fs::remove_file(&path).unwrap();
        assert!(!store.reload_if_changed());
        assert_eq!(store.lookup("one").unwrap().user, "alice");

        std::fs::write(&path, tokens_yaml(&[("carol", &[], "three")])).unwrap();
        assert!(store.reload_if_changed());
        assert_eq!(
            store.lookup("one"),
            None,
            "revoked by removal from the file"
        );
        assert_eq!(store.lookup("three").unwrap().user, "carol");
    }

    #[test]
    fn the_file_is_checked_at_most_once_a_second() {
        let (dir, store) = store_with(&tokens_yaml(&[("alice", &[], "one")]));
        std::fs::write(
            dir.path().join("tokens.yaml"),
            tokens_yaml(&[("bob", &[], "two"), ("alice", &[], "one")]),
        )
        .unwrap();
        let start = Instant::now();
        assert!(!store.reload_due(start));
        assert!(!store.reload_if_due(start), "too early to look");
        assert_eq!(store.lookup("two"), None);
        let later = start + RELOAD_CHECK_INTERVAL;
        assert!(store.reload_due(later));
        assert!(store.reload_if_due(later));
        assert_eq!(store.lookup("two").unwrap().user, "bob");
        assert!(!store.reload_due(later), "the check restarts the interval");
    }

    #[test]
    fn debug_output_hides_the_table() {
        let (_dir, store) = store_with(&tokens_yaml(&[("alice", &[], "one")]));
        let debug = format!("{store:?}");
        assert!(!debug.contains(&hash_token("one")), "{debug}");
        assert!(!debug.contains(&hash_token("one")[..8]), "{debug}");
        assert!(debug.contains("entries: 1"), "{debug}");
    }

    /// Authenticates `pairs` against a table holding token `good` for alice.
    fn check_bearer(pairs: &[(&str, &str)]) -> Result<Principal, AuthError> {
        let (_dir, store) = store_with(&tokens_yaml(&[("alice", &["rubin"], "good")]));
        Auth::Tokens(store).authenticate(&headers(pairs))
    }

    #[test]
    fn bearer_headers_are_parsed_strictly() {
        let ok = Ok(Principal {
            user: "alice".into(),
            groups: vec!["rubin".into()],
        });
        assert_eq!(check_bearer(&[("authorization", "Bearer good")]), ok);
        assert_eq!(check_bearer(&[("authorization", "bearer good")]), ok);
        assert_eq!(check_bearer(&[("authorization", "BEARER   good ")]), ok);
        assert_eq!(check_bearer(&[]), Err(AuthError::MissingCredentials));
        assert_eq!(
            check_bearer(&[("authorization", "Bearer bad")]),
            Err(AuthError::UnknownToken)
        );
        let malformed = |problem| Err(AuthError::MalformedHeader { problem });
        assert_eq!(
            check_bearer(&[("authorization", "good")]),
            malformed("the `Authorization` header is not of the form `Bearer <token>`")
        );
        assert_eq!(
            check_bearer(&[("authorization", "Bearer")]),
            malformed("the `Authorization` header has the `Bearer` scheme but no token")
        );
        assert_eq!(
            check_bearer(&[("authorization", "Basic Z29vZA==")]),
            malformed("the `Authorization` header does not use the `Bearer` scheme")
        );
        assert_eq!(
            check_bearer(&[("authorization", "Bearer good extra")]),
            malformed("the bearer token contains spaces")
        );
        assert_eq!(
            check_bearer(&[
                ("authorization", "Bearer good"),
                ("authorization", "Bearer good")
            ]),
            malformed("there is more than one `Authorization` header")
        );
    }

    #[test]
    fn messages_never_echo_the_token() {
        for value in ["sekrit", "Token sekrit", "Bearer sekrit", "Bearer sekrit x"] {
            let error = check_bearer(&[("authorization", value)]).unwrap_err();
            assert!(!error.to_string().contains("sekrit"), "{error}");
            assert!(!error.hint().contains("sekrit"));
        }
    }

    #[test]
    fn trusted_headers_give_user_and_groups() {
        let auth = Auth::gafaelfawr();
        assert_eq!(
            auth.authenticate(&headers(&[
                ("x-auth-request-user", "alice"),
                ("x-auth-request-groups", "rubin, dp1,,g3"),
            ])),
            Ok(Principal {
                user: "alice".into(),
                groups: vec!["rubin".into(), "dp1".into(), "g3".into()],
            })
        );
        assert_eq!(
            auth.authenticate(&headers(&[("X-Auth-Request-User", "bob")])),
            Ok(Principal {
                user: "bob".into(),
                groups: vec![],
            })
        );
        assert_eq!(
            auth.authenticate(&headers(&[("authorization", "Bearer whatever")])),
            Err(AuthError::MissingProxyHeader {
                header: "x-auth-request-user".into()
            })
        );
        assert_eq!(
            auth.authenticate(&headers(&[("x-auth-request-user", " ")])),
            Err(AuthError::BadProxyHeader {
                header: "x-auth-request-user".into()
            })
        );
    }

    #[test]
    fn query_tokens_are_refused_by_name_only() {
        let check = |uri: &str| reject_query_tokens(&uri.parse::<Uri>().unwrap());
        assert_eq!(check("/api/v1/x"), Ok(()));
        assert_eq!(check("/api/v1/x?tokens=1&mytoken=2"), Ok(()));
        assert_eq!(
            check("/api/v1/x?a=1&token=abc"),
            Err(AuthError::TokenInQuery { parameter: "token" })
        );
        assert_eq!(
            check("/api/v1/x?access%5Ftoken=abc"),
            Err(AuthError::TokenInQuery {
                parameter: "access_token"
            })
        );
        assert_eq!(
            check("/x?Access_Token"),
            Err(AuthError::TokenInQuery {
                parameter: "access_token"
            })
        );
        let message = check("/x?token=abc").unwrap_err().to_string();
        assert_eq!(
            message,
            "tokens must be sent in the `Authorization` header, not in the `token` query parameter"
        );
    }

    #[test]
    fn rejections_are_401_with_a_bearer_challenge() {
        let response = AuthError::UnknownToken.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
        let response = AuthError::MissingCredentials.into_response();
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer");
    }
}
