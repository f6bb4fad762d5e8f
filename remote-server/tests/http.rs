//! Drives `butler-server` over real sockets on port 0: once as the built binary (startup line,
//! health, graceful SIGTERM) and once in-process through the shared `app()` router.
//!
//! Requests are written by hand as HTTP/1.1 so the tests need no HTTP client dependency.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(30);

/// A response read off the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    content_type: Option<String>,
    body: serde_json::Value,
}

/// Send `GET path` with `Connection: close` and parse the whole answer.
fn get(addr: SocketAddr, path: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream
        .set_read_timeout(Some(DEADLINE))
        .expect("set a read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let raw = String::from_utf8(raw).expect("the response is UTF-8");
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {raw:?}"));
    let mut lines = head.lines();
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut content_type = None;
    let mut content_length = None;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("bad header line {line:?}"));
        match name.to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.trim().to_owned()),
            "content-length" => content_length = value.trim().parse::<usize>().ok(),
            _ => {}
        }
    }
    assert_eq!(
        content_length,
        Some(body.len()),
        "content-length must match the body in {raw:?}"
    );
    let body =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("body {body:?} is not JSON: {e}"));
    Response {
        status,
        content_type,
        body,
    }
}

/// Runs `f`; if it has not returned within [`DEADLINE`], kills process `pid` so that whatever
/// `f` is blocked on (a pipe read, a `wait`) returns and the test fails instead of hanging.
fn within_deadline<T>(pid: u32, what: &str, f: impl FnOnce() -> T) -> T {
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        let expired = finished.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout);
        if expired {
            // The process may already be gone; the assertion after `f` reports the real failure.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        expired
    });
    let value = f();
    // The watchdog may have finished already, in which case nobody listens any more.
    let _ = done.send(());
    let expired = watchdog.join().expect("the watchdog thread does not panic");
    assert!(!expired, "{what} took longer than {DEADLINE:?}");
    value
}

/// The built binary, killed on drop so a failing test leaves no server behind.
struct ServerProcess {
    child: Child,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn binary_announces_its_address_serves_health_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let repo = dir.path().join("repo");
    satellite_core::repository::Repository::create(
        &repo,
        &satellite_core::model::DimensionUniverse::default_universe(),
        satellite_core::repository::RepoConfig::default(),
    )
    .expect("create an empty repository");
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(
        &tokens,
        format!(
            "- user: alice\n  groups: []\n  token_sha256: {}\n",
            butler_server::auth::hash_token("a-test-token")
        ),
    )
    .expect("write a tokens file");
    let child = Command::new(env!("CARGO_BIN_EXE_butler-server"))
        .args(["serve", "--bind", "127.0.0.1:0", "--repo"])
        .arg(&repo)
        .arg("--tokens")
        .arg(&tokens)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start butler-server");
    let mut server = ServerProcess { child };
    let pid = server.child.id();
    let stdout = server.child.stdout.take().expect("stdout is piped");
    let mut stderr = server.child.stderr.take().expect("stderr is piped");
    let stderr_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    within_deadline(pid, "reading the `listening on` line", || {
        stdout.read_line(&mut line).expect("read stdout")
    });
    let addr: SocketAddr = line
        .trim_end()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .expect("a socket address after `http://`");
    assert!(addr.ip().is_loopback(), "bound {addr}, not loopback");
    assert_ne!(addr.port(), 0, "port 0 must be replaced by the real port");

    let health = get(addr, "/api/v1/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        health.body,
        serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );

    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run `kill`");
    assert!(sent.success(), "`kill -TERM {pid}` failed");
    let status = within_deadline(pid, "shutting down after SIGTERM", || {
        server.child.wait().expect("wait for butler-server")
    });
    let mut rest = String::new();
    stdout
        .read_to_string(&mut rest)
        .expect("read the rest of stdout");
    let logs = stderr_reader
        .join()
        .expect("the stderr reader does not panic");
    assert!(status.success(), "exit status {status}, stderr:\n{logs}");
    assert_eq!(rest, "", "stdout carries only the `listening on` line");
    assert!(
        logs.contains("SIGTERM received, shutting down"),
        "stderr:\n{logs}"
    );
}

#[test]
fn router_answers_health_and_unknown_paths_in_process() {
    let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind port 0");
    let addr = listener.local_addr().expect("the bound address");
    let app = butler_server::app(butler_server::AppState::new());
    let server = runtime.spawn(async move { axum::serve(listener, app).await });

    let health = get(addr, "/api/v1/health");
    assert_eq!(health.status, 200);
    assert_eq!(
        health.body,
        serde_json::json!({"status": "ok", "version": butler_server::app::SERVER_VERSION})
    );

    let missing = get(addr, "/api/v2/nothing?x=1");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        missing.body,
        serde_json::json!({"error": {
            "code": "not_found",
            "message": "no route for `/api/v2/nothing`",
            "hint": "every endpoint lives under `/api/v1/`",
        }})
    );

    server.abort();
}
