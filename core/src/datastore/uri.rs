//! `file://` URIs of artifacts the datastore references but does not own.
//!
//! The Python Butler records such artifacts (`direct` ingest) as `file://` URIs with a
//! percent-encoded path; these functions write and read that form.

use std::path::{Path, PathBuf};

use super::DatastoreError;

/// `file://` plus the percent-encoded absolute path (unreserved characters and `/` kept).
pub(super) fn file_uri(path: &Path) -> Result<String, DatastoreError> {
    let text = path.to_str().ok_or_else(|| DatastoreError::UnsafePath {
        path: path.display().to_string(),
        reason: "it is not valid UTF-8",
    })?;
    let mut uri = String::from("file://");
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(byte))
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    Ok(uri)
}

/// The local path of a `file:` URI (`file:///p`, `file://localhost/p`, `file:/p`).
pub(super) fn path_of_file_uri(uri: &str) -> Result<PathBuf, DatastoreError> {
    let unsupported = || DatastoreError::UnsupportedUri {
        uri: uri.to_owned(),
    };
    let rest = uri.strip_prefix("file:").ok_or_else(unsupported)?;
    let path = match rest.strip_prefix("//") {
        Some(after) if after.starts_with('/') => after,
        Some(after) => after
            .strip_prefix("localhost")
            .filter(|p| p.starts_with('/'))
            .ok_or_else(unsupported)?,
        None if rest.starts_with('/') => rest,
        None => return Err(unsupported()),
    };
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex_pair = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex_pair) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded)
        .map(PathBuf::from)
        .map_err(|_| unsupported())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        for path in [
            "/tmp/a b/c#d%e?f.yaml",
            "/data/é/x.fits",
            "/plain/path.yaml",
        ] {
            let uri = file_uri(Path::new(path)).unwrap();
            assert_eq!(path_of_file_uri(&uri).unwrap(), Path::new(path), "{uri}");
        }
        // As the Python Butler writes them (spaces encoded, `#` raw), and other spellings.
        assert_eq!(
            path_of_file_uri("file:///tmp/a%20b/c#d.yaml").unwrap(),
            Path::new("/tmp/a b/c#d.yaml")
        );
        assert_eq!(
            path_of_file_uri("file://localhost/tmp/x").unwrap(),
            Path::new("/tmp/x")
        );
        assert_eq!(
            path_of_file_uri("file:/tmp/x").unwrap(),
            Path::new("/tmp/x")
        );
        assert!(path_of_file_uri("file://host/tmp/x").is_err());
    }
}
