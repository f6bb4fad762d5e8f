//! Authentication and signed file URLs over real sockets: a protected route behind
//! `require_principal` and the files router over a temp directory, served on `127.0.0.1:0` and
//! driven with hand-written HTTP/1.1 so no HTTP client dependency is needed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Extension, Json, Router};
use butler_server::auth::{hash_token, require_principal, Auth, Principal, TokenStore};
use butler_server::files::{file_url_path, files_router, FilesState};
use butler_server::signing::{now_unix, HmacSigner, UrlSigner};

const DEADLINE: Duration = Duration::from_secs(30);
const ALICE: &str = "alice-token-0123456789";
const BOB: &str = "bob-token-9876543210";

/// A response read off the wire, body kept as bytes.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body {:?} is not JSON: {e}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `code` of a JSON error body.
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.text()))
            .to_owned()
    }
}

/// A server built from the pieces under test, with its temp directory and signer.
struct Fixture {
    /// Owns the server task; dropping it stops the server.
    _runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    signer: Arc<HmacSigner>,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let tokens = dir.path().join("tokens.yaml");
        std::fs::write(
            &tokens,
            format!(
                "- user: alice\n  groups: [rubin, dp1]\n  token_sha256: {}\n\
                 - user: bob\n  token_sha256: {}\n",
                hash_token(ALICE),
                hash_token(BOB)
            ),
        )
        .expect("write the tokens file");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("raw")).expect("create the repo");
        std::fs::write(root.join("raw/r1.fits"), pattern(1000)).expect("write a fixture file");
        std::fs::write(root.join("raw/big.bin"), pattern(1 << 20)).expect("write a fixture file");
        std::fs::write(root.join("raw/r 2.yaml"), "a: 1\n").expect("write a fixture file");
        std::fs::write(root.join("empty.json"), "").expect("write a fixture file");
        std::fs::create_dir_all(dir.path().join("outside"))
            .expect("create a directory outside the root");
        std::fs::write(dir.path().join("outside/secret.txt"), "secret")
            .expect("write a file outside the root");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("outside/secret.txt"), root.join("escape"))
                .expect("make an escaping symlink");
            std::os::unix::fs::symlink("raw/r1.fits", root.join("inside.fits"))
                .expect("make an inside symlink");
        }

        let auth = Arc::new(Auth::Tokens(
            TokenStore::load(&tokens).expect("load the tokens file"),
        ));
        let signer =
            Arc::new(HmacSigner::from_key(&[9; 32]).expect("a 32-byte key is long enough"));
        let files = FilesState::new(&root, Arc::clone(&signer) as Arc<dyn UrlSigner>)
            .expect("the root exists")
            .with_auth(Arc::clone(&auth));
        let protected = Router::new()
            .route("/api/v1/whoami", get(whoami))
            .route_layer(from_fn_with_state(auth, require_principal));
        let app: Router = Router::new()
            .route("/api/v1/health", get(|| async { "ok" }))
            .merge(protected)
            .merge(files_router(files));

        let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind port 0");
        let addr = listener.local_addr().expect("the bound address");
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            _runtime: runtime,
            addr,
            signer,
            dir,
        }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Send `method target` with `headers` and `Connection: close`; read the whole answer.
    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        let mut stream = TcpStream::connect(self.addr).expect("connect to the server");
        stream
            .set_read_timeout(Some(DEADLINE))
            .expect("set a read timeout");
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream
            .write_all(request.as_bytes())
            .expect("send the request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the response");
        parse_response(&raw, method == "HEAD")
    }

    fn get(&self, target: &str, headers: &[(&str, &str)]) -> Response {
        self.request("GET", target, headers)
    }

    /// A signed target (path and query) for `relative` under the root.
    fn signed(&self, relative: &str, user: &str, expires: i64) -> String {
        let path = file_url_path(relative);
        let query = self.signer.sign("GET", &path, user, expires);
        format!("{path}?{query}")
    }

    /// A signed target for a raw request path, however odd.
    fn signed_raw(&self, path: &str) -> String {
        let query = self.signer.sign("GET", path, "alice", now_unix() + 600);
        format!("{path}?{query}")
    }
}

async fn whoami(Extension(principal): Extension<Principal>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"user": principal.user, "groups": principal.groups}))
}

/// Deterministic, non-repeating-looking bytes.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn parse_response(raw: &[u8], head: bool) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head_text = std::str::from_utf8(&raw[..end]).expect("the response head is UTF-8");
    let body = raw[end + 4..].to_vec();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = HashMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').expect("a `name: value` header line");
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    if let Some(length) = headers.get("content-length") {
        let expected = if head {
            0
        } else {
            length.parse().expect("a numeric content-length")
        };
        assert_eq!(body.len(), expected, "content-length {length} vs body");
    }
    assert!(
        !headers.contains_key("transfer-encoding"),
        "bodies have a known length: {headers:?}"
    );
    Response {
        status,
        headers,
        body,
    }
}

fn assert_unauthorized(response: &Response, message_part: &str) {
    assert_eq!(response.status, 401, "{}", response.text());
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")),
        "{:?}",
        response.headers
    );
    assert_eq!(response.header("content-type"), Some("application/json"));
    let body = response.json();
    assert_eq!(body["error"]["code"], "unauthorized");
    let message = body["error"]["message"].as_str().expect("an error message");
    assert!(message.contains(message_part), "{message}");
    assert!(body["error"]["hint"].is_string());
    for secret in [ALICE, BOB, "not-a-real-token"] {
        assert!(
            !response.text().contains(secret),
            "token echoed: {}",
            response.text()
        );
    }
}

#[test]
fn protected_routes_need_a_valid_bearer_token() {
    let server = Fixture::start();
    let health = server.get("/api/v1/health", &[]);
    assert_eq!(health.status, 200, "health needs no token");

    assert_unauthorized(
        &server.get("/api/v1/whoami", &[]),
        "has no `Authorization` header",
    );
    assert_unauthorized(
        &server.get("/api/v1/whoami", &[("Authorization", ALICE)]),
        "not of the form `Bearer <token>`",
    );
    assert_unauthorized(
        &server.get(
            "/api/v1/whoami",
            &[("Authorization", &format!("Basic {ALICE}"))],
        ),
        "does not use the `Bearer` scheme",
    );
    assert_unauthorized(
        &server.get(
            "/api/v1/whoami",
            &[("Authorization", "Bearer not-a-real-token")],
        ),
        "not valid on this server",
    );
    assert_unauthorized(
        &server.get(&format!("/api/v1/whoami?access_token={ALICE}"), &[]),
        "tokens must be sent in the `Authorization` header",
    );
    assert_unauthorized(
        &server.get(
            &format!("/api/v1/whoami?token={ALICE}"),
            &[("Authorization", &format!("Bearer {ALICE}"))],
        ),
        "not in the `token` query parameter",
    );

    let me = server.get(
        "/api/v1/whoami",
        &[("Authorization", &format!("bearer {ALICE}"))],
    );
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(
        me.json(),
        serde_json::json!({"user": "alice", "groups": ["rubin", "dp1"]})
    );
    let bob = server.get(
        "/api/v1/whoami",
        &[("Authorization", &format!("Bearer {BOB}"))],
    );
    assert_eq!(bob.json(), serde_json::json!({"user": "bob", "groups": []}));
}

#[test]
fn signed_urls_download_whole_files_without_a_token() {
    let server = Fixture::start();
    let response = server.get(
        &server.signed("raw/r1.fits", "alice", now_unix() + 600),
        &[],
    );
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.body, pattern(1000));
    assert_eq!(response.header("content-length"), Some("1000"));
    assert_eq!(response.header("content-type"), Some("application/fits"));
    assert_eq!(response.header("accept-ranges"), Some("bytes"));
    let etag = response.header("etag").unwrap();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
        "{etag}"
    );

    let big = server.get(&server.signed("raw/big.bin", "bob", now_unix() + 600), &[]);
    assert_eq!(big.status, 200);
    assert_eq!(big.body, pattern(1 << 20), "streamed in chunks, intact");

    let yaml = server.get(
        &server.signed("raw/r 2.yaml", "alice", now_unix() + 600),
        &[],
    );
    assert_eq!(yaml.status, 200, "{}", yaml.text());
    assert_eq!(yaml.header("content-type"), Some("application/yaml"));
    assert_eq!(yaml.text(), "a: 1\n");

    let empty = server.get(&server.signed("empty.json", "alice", now_unix() + 600), &[]);
    assert_eq!(empty.status, 200);
    assert_eq!(empty.header("content-length"), Some("0"));
    assert_eq!(empty.header("content-type"), Some("application/json"));

    let head = server.request(
        "HEAD",
        &server.signed("raw/r1.fits", "alice", now_unix() + 600),
        &[],
    );
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("1000"));
    assert!(head.body.is_empty());
}

#[test]
fn ranges_and_etags_are_honoured() {
    let server = Fixture::start();
    let target = server.signed("raw/r1.fits", "alice", now_unix() + 600);
    let all = pattern(1000);

    let part = server.get(&target, &[("Range", "bytes=10-19")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.header("content-range"), Some("bytes 10-19/1000"));
    assert_eq!(part.header("content-length"), Some("10"));
    assert_eq!(part.body, &all[10..20]);

    let tail = server.get(&target, &[("Range", "bytes=-5")]);
    assert_eq!(tail.status, 206);
    assert_eq!(tail.header("content-range"), Some("bytes 995-999/1000"));
    assert_eq!(tail.body, &all[995..]);

    let open = server.get(&target, &[("Range", "bytes=990-")]);
    assert_eq!(open.status, 206);
    assert_eq!(open.body, &all[990..]);

    let multi = server.get(&target, &[("Range", "bytes=0-1,5-6")]);
    assert_eq!(multi.status, 200, "several ranges get the whole file");
    assert_eq!(multi.body, all);

    let beyond = server.get(&target, &[("Range", "bytes=1000-")]);
    assert_eq!(beyond.status, 416);
    assert_eq!(beyond.header("content-range"), Some("bytes */1000"));
    assert_eq!(beyond.code(), "range_not_satisfiable");

    let etag = server.get(&target, &[]).header("etag").unwrap().to_owned();
    let cached = server.get(&target, &[("If-None-Match", &etag)]);
    assert_eq!(cached.status, 304);
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
    assert!(cached.body.is_empty());
    let stale = server.get(&target, &[("If-None-Match", "\"other\"")]);
    assert_eq!(stale.status, 200);

    let same = server.get(&target, &[("Range", "bytes=0-3"), ("If-Range", &etag)]);
    assert_eq!(same.status, 206);
    let changed = server.get(&target, &[("Range", "bytes=0-3"), ("If-Range", "\"old\"")]);
    assert_eq!(changed.status, 200, "a changed file is sent whole");

    std::fs::write(server.root().join("raw/r1.fits"), pattern(1001)).unwrap();
    let rewritten = server.get(&target, &[("If-None-Match", &etag)]);
    assert_eq!(rewritten.status, 200, "a new size gives a new ETag");
    assert_ne!(rewritten.header("etag"), Some(etag.as_str()));
}

/// The JSON error of a refused file request: status, code and message.
fn refused(response: &Response) -> (u16, String, String) {
    let body = response.json();
    (
        response.status,
        body["error"]["code"]
            .as_str()
            .expect("an error code")
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .expect("an error message")
            .to_owned(),
    )
}

#[test]
fn expired_tampered_and_unsigned_urls_are_refused_with_403() {
    let server = Fixture::start();
    let now = now_unix();
    let (status, code, message) =
        refused(&server.get(&server.signed("raw/r1.fits", "alice", now - 30), &[]));
    assert_eq!((status, code.as_str()), (403, "expired_url"));
    assert!(
        message.starts_with("this signed URL expired at "),
        "{message}"
    );
    let expired = server.get(&server.signed("raw/r1.fits", "alice", now - 30), &[]);
    assert!(expired.json()["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("ask the server for a new signed URL"));

    let good = server.signed("raw/r1.fits", "alice", now + 600);
    let signature = good.rsplit_once("signature=").unwrap().1.to_owned();
    let tampered = [
        good.replace("user=alice", "user=bob"),
        good.replace(
            &format!("expires={}", now + 600),
            &format!("expires={}", now + 6000),
        ),
        good.replace("r1.fits", "big.bin"),
        good.replace(
            &signature,
            &format!(
                "{}{}",
                &signature[..63],
                if signature.ends_with('0') { '1' } else { '0' }
            ),
        ),
    ];
    for target in &tampered {
        let response = server.get(target, &[]);
        let (status, code, message) = refused(&response);
        assert_eq!((status, code.as_str()), (403, "bad_signature"), "{target}");
        assert!(message.contains("does not match"), "{message}");
        assert!(
            !response.text().contains(&signature[..16]),
            "signature echoed"
        );
    }

    let unsigned = server.get("/files/raw/r1.fits", &[]);
    assert_eq!(refused(&unsigned).1, "unsigned_url");
    let other_key = HmacSigner::from_key(&[1; 32]).unwrap();
    let path = file_url_path("raw/r1.fits");
    let foreign = format!(
        "{path}?{}",
        other_key.sign("GET", &path, "alice", now + 600)
    );
    assert_eq!(refused(&server.get(&foreign, &[])).1, "bad_signature");
}

#[test]
fn a_caller_with_credentials_must_be_the_urls_user() {
    let server = Fixture::start();
    let target = server.signed("raw/r1.fits", "alice", now_unix() + 600);
    let as_bob = server.get(&target, &[("Authorization", &format!("Bearer {BOB}"))]);
    let (status, code, message) = refused(&as_bob);
    assert_eq!((status, code.as_str()), (403, "wrong_user"));
    assert_eq!(
        message,
        "this URL was issued to user `alice`, but the request is authenticated as `bob`"
    );
    let as_alice = server.get(&target, &[("Authorization", &format!("Bearer {ALICE}"))]);
    assert_eq!(as_alice.status, 200);
    let bad_token = server.get(&target, &[("Authorization", "Bearer not-a-real-token")]);
    assert_unauthorized(&bad_token, "not valid on this server");
    let in_query = server.get(&format!("{target}&token=x"), &[]);
    assert_unauthorized(
        &in_query,
        "tokens must be sent in the `Authorization` header",
    );
}

#[test]
fn paths_cannot_leave_the_root() {
    let server = Fixture::start();
    for raw in [
        "/files/../outside/secret.txt",
        "/files/raw/../../outside/secret.txt",
        "/files/%2e%2e/outside/secret.txt",
        "/files/raw%2F..%2F..%2Foutside/secret.txt",
        "/files//etc/passwd",
    ] {
        let response = server.get(&server.signed_raw(raw), &[]);
        let (status, code, _) = refused(&response);
        assert_eq!((status, code.as_str()), (403, "forbidden_path"), "{raw}");
        assert!(!response.text().contains("secret\""), "{raw}");
    }
    let missing = server.get(
        &server.signed("raw/nope.fits", "alice", now_unix() + 600),
        &[],
    );
    let (status, code, message) = refused(&missing);
    assert_eq!((status, code.as_str()), (404, "file_not_found"));
    assert_eq!(message, "no file `raw/nope.fits` in this repository");
    let directory = server.get(&server.signed("raw", "alice", now_unix() + 600), &[]);
    assert_eq!(refused(&directory).0, 404);

    if cfg!(unix) {
        let escape = server.get(&server.signed("escape", "alice", now_unix() + 600), &[]);
        let (status, code, message) = refused(&escape);
        assert_eq!((status, code.as_str()), (403, "forbidden_path"));
        assert!(message.contains("symbolic link"), "{message}");
        let inside = server.get(
            &server.signed("inside.fits", "alice", now_unix() + 600),
            &[],
        );
        assert_eq!(inside.status, 200, "links within the root are fine");
        assert_eq!(inside.body, pattern(1000));
    }
}

#[test]
fn the_files_root_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent");
    let signer: Arc<dyn UrlSigner> = Arc::new(HmacSigner::random().unwrap());
    let error = FilesState::new(&missing, signer).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!(
            "cannot resolve the file root `{}`",
            missing.display()
        )),
        "{error}"
    );
}
