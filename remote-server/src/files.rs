//! The file endpoint: `GET /files/{path}?expires=..&user=..&signature=..` streams one file of
//! the repository to whoever holds a valid signed URL.
//!
//! No bearer token is needed: the signature made by the server's [`UrlSigner`] is the
//! authorization. When [`FilesState::with_auth`] is set and the request does carry credentials,
//! they must be valid and name the user the URL was issued to (`403 wrong_user` otherwise).
//!
//! Order of checks, so that an unsigned request learns nothing about the file system:
//!
//! 1. no token in the query string (`401`);
//! 2. the signature, for method `GET` (a `HEAD` request may use a `GET` URL) and the path exactly
//!    as requested (`403` with code `unsigned_url`, `malformed_url`, `bad_signature`,
//!    `expired_url` or `wrong_user`);
//! 3. the path: no empty, `.` or `..` segment, no escaped `/`, `\` or NUL (`403 forbidden_path`);
//!    then the file must exist under the root (`404 file_not_found`) and its canonical path,
//!    symbolic links resolved, must stay inside the root (`403 forbidden_path`).
//!
//! The answer streams the file in 64 KiB chunks with `Content-Length`, `Content-Type` (by
//! extension: FITS, YAML, JSON, otherwise `application/octet-stream`), `Accept-Ranges: bytes`
//! and a strong `ETag` made of the size and modification time. `If-None-Match` gives `304`.
//! One `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` gives `206` with `Content-Range` (honouring
//! `If-Range`), an unsatisfiable one `416`; a request for several ranges gets the whole file.
//!
//! # Examples
//!
//! ```no_run
//! use std::sync::Arc;
//! use butler_server::files::{files_router, signed_file_url, FilesState};
//! use butler_server::signing::{now_unix, HmacSigner};
//!
//! # fn demo() -> anyhow::Result<()> {
//! let signer = Arc::new(HmacSigner::random()?);
//! let files = FilesState::new("/data/repo", Arc::clone(&signer) as _)?;
//! let router: axum::Router = files_router(files);
//! let url = signed_file_url(&*signer, "http://127.0.0.1:8080", "raw/r1.fits", "alice", now_unix() + 3600);
//! # Ok(())
//! # }
//! ```

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH, IF_RANGE,
    RANGE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use satellite_core::api::{ErrorBody, ErrorDetail};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::auth::{reject_query_tokens, Auth, AuthError};
use crate::signing::{now_unix, percent_decode, percent_encode, SignatureError, UrlSigner};

/// The path prefix of every signed file URL.
pub const FILES_PREFIX: &str = "/files/";

/// The route [`files_router`] registers.
pub const FILES_ROUTE: &str = "/files/{*path}";

/// How much of a file is read per chunk of the response body.
const CHUNK_BYTES: usize = 64 * 1024;

/// What the file endpoint needs: the directory it serves, the signer that checks URLs, and,
/// optionally, the authentication used to compare a caller with the URL's user.
#[derive(Debug, Clone)]
pub struct FilesState {
    root: PathBuf,
    signer: Arc<dyn UrlSigner>,
    auth: Option<Arc<Auth>>,
}

impl FilesState {
    /// Serve the files under `root`, accepting URLs `signer` signed.
    ///
    /// `root` is canonicalized here (blocking; call this at startup), so later checks compare
    /// canonical paths.
    ///
    /// # Errors
    ///
    /// When `root` does not exist or cannot be resolved; the error names it.
    pub fn new(root: impl AsRef<Path>, signer: Arc<dyn UrlSigner>) -> std::io::Result<Self> {
        let root = root.as_ref();
        let canonical = std::fs::canonicalize(root).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot resolve the file root `{}`: {e}", root.display()),
            )
        })?;
        Ok(Self {
            root: canonical,
            signer,
            auth: None,
        })
    }

    /// Also check callers that send credentials: valid ones must be the URL's user.
    #[must_use]
    pub fn with_auth(mut self, auth: Arc<Auth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The canonical directory served.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The signer that checks (and can make) URLs for this endpoint.
    pub fn signer(&self) -> &Arc<dyn UrlSigner> {
        &self.signer
    }
}

/// A router with the one route `GET /files/{*path}` (and `HEAD`), for any outer state.
///
/// Merge it at the root of the app (`Router::merge`), not under `nest`: the signature covers the
/// whole path the client sent, which must start with [`FILES_PREFIX`].
pub fn files_router<S>(state: FilesState) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route(FILES_ROUTE, get(serve_file))
        .with_state(state)
}

/// The path a signed URL for `relative_path` (a `/`-separated path under the root) must have:
/// [`FILES_PREFIX`] plus each byte other than RFC 3986 unreserved characters and `/` escaped as
/// `%XX`, which HTTP clients send unchanged.
///
/// # Examples
///
/// ```
/// assert_eq!(
///     butler_server::files::file_url_path("DemoCam/raw/r 1.fits"),
///     "/files/DemoCam/raw/r%201.fits",
/// );
/// ```
pub fn file_url_path(relative_path: &str) -> String {
    format!(
        "{FILES_PREFIX}{}",
        percent_encode(relative_path.trim_start_matches('/'), true)
    )
}

/// A whole signed URL: `base_url` (scheme, host and port, no trailing slash needed), the
/// [`file_url_path`] of `relative_path`, and the query `signer` makes for `GET` by `user` until
/// `expires_unix`.
pub fn signed_file_url(
    signer: &dyn UrlSigner,
    base_url: &str,
    relative_path: &str,
    user: &str,
    expires_unix: i64,
) -> String {
    let path = file_url_path(relative_path);
    let query = signer.sign("GET", &path, user, expires_unix);
    format!("{}{path}?{query}", base_url.trim_end_matches('/'))
}

/// Why a file request was refused; one `match` in [`FileError::status`] maps it to HTTP.
#[derive(Debug)]
enum FileError {
    Unauthenticated(AuthError),
    Signature(SignatureError),
    ForbiddenPath { problem: &'static str },
    NotFound { path: String },
    RangeNotSatisfiable { len: u64 },
    Internal { request_id: String },
}

impl FileError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Signature(_) | Self::ForbiddenPath { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> ErrorDetail {
        let (code, message, hint): (&str, String, Option<&str>) = match self {
            Self::Unauthenticated(error) => (AuthError::CODE, error.to_string(), None),
            Self::Signature(error) => (error.code(), error.to_string(), Some(error.hint())),
            Self::ForbiddenPath { problem } => (
                "forbidden_path",
                format!("the file path is not allowed: {problem}"),
                Some("use the URL exactly as the server returned it"),
            ),
            Self::NotFound { path } => (
                "file_not_found",
                format!("no file `{path}` in this repository"),
                Some("the dataset may have been removed; ask the server for its current URL"),
            ),
            Self::RangeNotSatisfiable { len } => (
                "range_not_satisfiable",
                format!("the requested range starts beyond the end of the file ({len} bytes)"),
                Some("ask for a range inside the file, or leave out the `Range` header"),
            ),
            Self::Internal { request_id } => (
                "internal",
                format!("the server could not read the file (request `{request_id}`)"),
                Some("try again; if it keeps failing, give the request ID to the operator"),
            ),
        };
        ErrorDetail {
            code: code.to_owned(),
            message,
            hint: hint.map(str::to_owned),
        }
    }
}

impl IntoResponse for FileError {
    fn into_response(self) -> Response {
        if let Self::Unauthenticated(error) = self {
            return error.into_response();
        }
        let mut response = (
            self.status(),
            Json(ErrorBody {
                error: self.detail(),
            }),
        )
            .into_response();
        if let Self::RangeNotSatisfiable { len } = self {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                response.headers_mut().insert(CONTENT_RANGE, value);
            }
        }
        response
    }
}

/// An internal error with a fresh request ID; the full error goes to the log under that ID.
fn internal(path: &Path, error: &std::io::Error) -> FileError {
    let mut bytes = [0_u8; 8];
    let request_id = match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        // Without randomness the request still fails cleanly; the log line has the path.
        Err(_) => "unavailable".to_owned(),
    };
    tracing::error!(%request_id, path = %path.display(), %error, "reading a file failed");
    FileError::Internal { request_id }
}

/// The handler of `GET /files/{*path}`; see the module docs.
pub async fn serve_file(
    State(state): State<FilesState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    match respond(&state, &method, &uri, &headers).await {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(
                path = uri.path(),
                status = error.status().as_u16(),
                reason = %error.detail().message,
                "file request refused"
            );
            error.into_response()
        }
    }
}

async fn respond(
    state: &FilesState,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<Response, FileError> {
    reject_query_tokens(uri).map_err(FileError::Unauthenticated)?;
    let raw_path = uri.path();
    let query = uri.query().unwrap_or("");
    let now = now_unix();
    // `HEAD` is allowed on a `GET` URL; `files_router` routes no other method here.
    let signed_method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    let caller = match &state.auth {
        Some(auth) if auth.has_credentials(headers) => {
            auth.refresh().await;
            Some(
                auth.authenticate(headers)
                    .map_err(FileError::Unauthenticated)?,
            )
        }
        _ => None,
    };
    let user = match caller {
        Some(principal) => {
            state
                .signer
                .verify_for_user(signed_method, raw_path, query, now, &principal.user)
                .map_err(FileError::Signature)?;
            principal.user
        }
        None => state
            .signer
            .verify(signed_method, raw_path, query, now)
            .map_err(FileError::Signature)?,
    };

    let relative = relative_path(raw_path)?;
    let joined = state.root.join(&relative);
    let canonical = match tokio::fs::canonicalize(&joined).await {
        Ok(canonical) => canonical,
        Err(error) if is_not_found(&error) => {
            return Err(FileError::NotFound {
                path: relative.display().to_string(),
            })
        }
        Err(error) => return Err(internal(&joined, &error)),
    };
    if !canonical.starts_with(&state.root) {
        return Err(FileError::ForbiddenPath {
            problem: "it leads outside the repository through a symbolic link",
        });
    }
    let mut file = match tokio::fs::File::open(&canonical).await {
        Ok(file) => file,
        Err(error) if is_not_found(&error) => {
            return Err(FileError::NotFound {
                path: relative.display().to_string(),
            })
        }
        Err(error) => return Err(internal(&canonical, &error)),
    };
    let metadata = file
        .metadata()
        .await
        .map_err(|error| internal(&canonical, &error))?;
    if !metadata.is_file() {
        return Err(FileError::NotFound {
            path: relative.display().to_string(),
        });
    }
    let len = metadata.len();
    let modified_nanos = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("\"{len:x}-{modified_nanos:x}\"");

    let mut response_headers = HeaderMap::new();
    response_headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(ETAG, value);
    }
    if if_none_match_hits(headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().extend(response_headers);
        return Ok(response);
    }

    let range = match headers.get(IF_RANGE) {
        Some(value) if value.as_bytes() != etag.as_bytes() => ByteRange::Whole,
        _ => parse_range(headers.get(RANGE), len),
    };
    let (status, start, length) = match range {
        ByteRange::Whole => (StatusCode::OK, 0, len),
        ByteRange::Part { first, last } => {
            let content_range = format!("bytes {first}-{last}/{len}");
            if let Ok(value) = HeaderValue::from_str(&content_range) {
                response_headers.insert(CONTENT_RANGE, value);
            }
            (StatusCode::PARTIAL_CONTENT, first, last - first + 1)
        }
        ByteRange::Unsatisfiable => return Err(FileError::RangeNotSatisfiable { len }),
    };
    if start > 0 {
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(|error| internal(&canonical, &error))?;
    }
    response_headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(content_type(&canonical)),
    );
    response_headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    tracing::debug!(path = %relative.display(), %user, status = status.as_u16(), bytes = length, "serving a file");

    let body = Body::from_stream(ReaderStream::with_capacity(file.take(length), CHUNK_BYTES));
    let mut response = (status, body).into_response();
    response.headers_mut().extend(response_headers);
    Ok(response)
}

fn is_not_found(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// The relative path named by a raw request path under [`FILES_PREFIX`], segment by segment.
fn relative_path(raw_path: &str) -> Result<PathBuf, FileError> {
    let rest = raw_path
        .strip_prefix(FILES_PREFIX)
        .ok_or(FileError::ForbiddenPath {
            problem: "signed file URLs start with `/files/`",
        })?;
    let mut relative = PathBuf::new();
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Err(FileError::ForbiddenPath {
                problem: "empty segments (`//`, a leading or trailing `/`) are not allowed",
            });
        }
        let decoded = percent_decode(segment).ok_or(FileError::ForbiddenPath {
            problem: "a segment has a broken percent-escape or is not UTF-8",
        })?;
        if decoded == "." || decoded == ".." {
            return Err(FileError::ForbiddenPath {
                problem: "`.` and `..` segments are not allowed",
            });
        }
        if decoded.contains(['/', '\\', '\0']) {
            return Err(FileError::ForbiddenPath {
                problem: "escaped `/`, `\\` and NUL are not allowed in a segment",
            });
        }
        relative.push(decoded);
    }
    Ok(relative)
}

/// Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 section 13.1.2) or is `*`.
fn if_none_match_hits(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// What part of the file to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRange {
    /// No usable `Range` header: the whole file with `200`.
    Whole,
    /// Bytes `first..=last`, both inside the file.
    Part { first: u64, last: u64 },
    /// A syntactically valid range that misses the file: `416`.
    Unsatisfiable,
}

/// Interpret a `Range` header for a file of `len` bytes.
///
/// Headers that do not parse, other units and multi-range requests are ignored (the whole file
/// is sent), as RFC 9110 section 14.2 allows.
fn parse_range(header: Option<&HeaderValue>, len: u64) -> ByteRange {
    let Some(spec) = header
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .and_then(|value| {
            let (unit, spec) = value.split_once('=')?;
            unit.trim()
                .eq_ignore_ascii_case("bytes")
                .then_some(spec.trim())
        })
    else {
        return ByteRange::Whole;
    };
    if spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return ByteRange::Whole;
    };
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    };
    match (first.trim().is_empty(), last.trim().is_empty()) {
        // `bytes=-n`: the last n bytes.
        (true, false) => match number(last) {
            None => ByteRange::Whole,
            Some(0) => ByteRange::Unsatisfiable,
            Some(_) if len == 0 => ByteRange::Unsatisfiable,
            Some(suffix) => ByteRange::Part {
                first: len.saturating_sub(suffix),
                last: len - 1,
            },
        },
        // `bytes=a-`: from a to the end.
        (false, true) => match number(first) {
            None => ByteRange::Whole,
            Some(first) if first >= len => ByteRange::Unsatisfiable,
            Some(first) => ByteRange::Part {
                first,
                last: len - 1,
            },
        },
        // `bytes=a-b`, inclusive.
        (false, false) => match (number(first), number(last)) {
            (Some(first), Some(last)) if first <= last => {
                if first >= len {
                    ByteRange::Unsatisfiable
                } else {
                    ByteRange::Part {
                        first,
                        last: last.min(len - 1),
                    }
                }
            }
            _ => ByteRange::Whole,
        },
        (true, true) => ByteRange::Whole,
    }
}

/// The media type of a repository file, by extension.
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("fits" | "fit" | "fts" | "fz") => "application/fits",
        Some("yaml" | "yml") => "application/yaml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str, len: u64) -> ByteRange {
        parse_range(Some(&HeaderValue::from_str(value).unwrap()), len)
    }

    #[test]
    fn ranges_are_parsed_like_rfc_9110_says() {
        use ByteRange::{Part, Unsatisfiable, Whole};
        let cases: &[(&str, u64, ByteRange)] = &[
            ("bytes=0-9", 100, Part { first: 0, last: 9 }),
            (
                "bytes=10-",
                100,
                Part {
                    first: 10,
                    last: 99,
                },
            ),
            (
                "bytes=-10",
                100,
                Part {
                    first: 90,
                    last: 99,
                },
            ),
            ("bytes=-500", 100, Part { first: 0, last: 99 }),
            (
                "bytes=90-500",
                100,
                Part {
                    first: 90,
                    last: 99,
                },
            ),
            ("Bytes = 5-5", 100, Part { first: 5, last: 5 }),
            (
                "bytes=99-",
                100,
                Part {
                    first: 99,
                    last: 99,
                },
            ),
            ("bytes=100-", 100, Unsatisfiable),
            ("bytes=100-200", 100, Unsatisfiable),
            ("bytes=-0", 100, Unsatisfiable),
            ("bytes=0-", 0, Unsatisfiable),
            ("bytes=-5", 0, Unsatisfiable),
            ("bytes=9-0", 100, Whole),
            ("bytes=0-1,5-6", 100, Whole),
            ("bytes=-", 100, Whole),
            ("bytes=a-b", 100, Whole),
            ("bytes=+1-2", 100, Whole),
            ("items=0-1", 100, Whole),
            ("0-1", 100, Whole),
        ];
        for (value, len, expected) in cases {
            assert_eq!(range(value, *len), *expected, "{value} of {len}");
        }
        assert_eq!(parse_range(None, 10), ByteRange::Whole);
    }

    #[test]
    fn relative_paths_refuse_traversal() {
        let ok = |raw: &str| relative_path(raw).unwrap();
        assert_eq!(ok("/files/a/b.fits"), PathBuf::from("a/b.fits"));
        assert_eq!(ok("/files/a/r%201.fits"), PathBuf::from("a/r 1.fits"));
        assert_eq!(ok("/files/a/..b"), PathBuf::from("a/..b"));
        let refused = |raw: &str| match relative_path(raw) {
            Err(FileError::ForbiddenPath { problem }) => problem,
            other => panic!("{raw} gave {other:?}"),
        };
        assert_eq!(
            refused("/files/../x"),
            "`.` and `..` segments are not allowed"
        );
        assert_eq!(
            refused("/files/a/%2e%2E/x"),
            "`.` and `..` segments are not allowed"
        );
        assert_eq!(
            refused("/files/./x"),
            "`.` and `..` segments are not allowed"
        );
        assert!(refused("/files//etc/passwd").starts_with("empty segments"));
        assert!(refused("/files/a/").starts_with("empty segments"));
        assert!(refused("/files/a%2F..%2Fb").starts_with("escaped `/`"));
        assert!(refused("/files/a%5Cb").starts_with("escaped `/`"));
        assert!(refused("/files/a%00").starts_with("escaped `/`"));
        assert!(refused("/files/a%zz").starts_with("a segment has a broken"));
        assert!(refused("/other/a").starts_with("signed file URLs"));
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let etag = "\"10-abc\"";
        let check = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            if_none_match_hits(&headers, etag)
        };
        assert!(check("\"10-abc\""));
        assert!(check("W/\"10-abc\""));
        assert!(check("\"x\", \"10-abc\""));
        assert!(check("*"));
        assert!(!check("\"10-abd\""));
        assert!(!check("10-abc"));
        assert!(!if_none_match_hits(&HeaderMap::new(), etag));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type(Path::new("a/r.fits")), "application/fits");
        assert_eq!(content_type(Path::new("a/r.FITS")), "application/fits");
        assert_eq!(content_type(Path::new("c.yaml")), "application/yaml");
        assert_eq!(content_type(Path::new("c.json")), "application/json");
        assert_eq!(
            content_type(Path::new("c.parq")),
            "application/octet-stream"
        );
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn url_paths_escape_what_clients_would() {
        assert_eq!(
            file_url_path("a/b c/d#e?.fits"),
            "/files/a/b%20c/d%23e%3F.fits"
        );
        assert_eq!(file_url_path("/a"), "/files/a");
        assert_eq!(
            relative_path(&file_url_path("a/b c/d#e?.fits")).unwrap(),
            PathBuf::from("a/b c/d#e?.fits")
        );
    }

    #[test]
    fn signed_file_urls_verify_against_their_own_path() {
        let signer = crate::signing::HmacSigner::from_key(&[3; 32]).unwrap();
        let url = signed_file_url(&signer, "http://h:1/", "raw/r 1.fits", "alice", 50);
        let (path, query) = url
            .strip_prefix("http://h:1")
            .unwrap()
            .split_once('?')
            .unwrap();
        assert_eq!(path, "/files/raw/r%201.fits");
        assert_eq!(signer.verify("GET", path, query, 49), Ok("alice".into()));
    }

    #[test]
    fn error_bodies_say_what_to_do() {
        let expired = FileError::Signature(SignatureError::Expired {
            expired_at_unix: 0,
            now_unix: 5,
        });
        assert_eq!(expired.status(), StatusCode::FORBIDDEN);
        let detail = expired.detail();
        assert_eq!(detail.code, "expired_url");
        assert!(detail.hint.unwrap().contains("new signed URL"));
        let range = FileError::RangeNotSatisfiable { len: 7 }.into_response();
        assert_eq!(range.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(range.headers()[CONTENT_RANGE], "bytes */7");
    }
}
