//! The query API of a real `butler-server` process on 127.0.0.1, over the `where` fixture
//! repository (`tests/fixtures/where`, built by the real Python Butler): every endpoint, its
//! answers checked against the library, and bad input on each (caret errors in the body,
//! unknown names, malformed JSON, oversized bodies).
//!
//! Requests are written by hand as HTTP/1.1 (with chunked decoding for streamed answers), so
//! the tests need no HTTP client dependency.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on any unexpected error"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use satellite_core::model::{CollectionName, DataIdValue, DatasetTypeName, DimensionUniverse};
use satellite_core::registry::{DatasetQuery, Filter, Limit};
use satellite_core::repository::{ImportOptions, NoProgress, RepoConfig, Repository};

const TOKEN: &str = "alice-secret-token-for-tests";
const BOB: &str = "bob-secret-token-for-tests";

struct Server {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    _dir: tempfile::TempDir,
    repo: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Imports the `where` fixture into a new repository and serves it.
fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let fixture = workspace().join("tests/fixtures/where");
    let r = Repository::create(
        &repo,
        &DimensionUniverse::default_universe(),
        RepoConfig::default(),
    )
    .unwrap();
    r.import(
        &fixture,
        &fixture.join("export.yaml"),
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    drop(r);
    let tokens = dir.path().join("tokens.yaml");
    std::fs::write(
        &tokens,
        format!(
            "- user: alice\n  groups: [rubin]\n  token_sha256: {}\n- user: bob\n  groups: []\n  token_sha256: {}\n",
            butler_server::auth::hash_token(TOKEN),
            butler_server::auth::hash_token(BOB),
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_butler-server"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--url-lifetime",
            "10m",
            "--repo",
        ])
        .arg(&repo)
        .arg("--tokens")
        .arg(&tokens)
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.path().join("server.log")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    Server {
        child,
        addr,
        log: dir.path().join("server.log"),
        _dir: dir,
        repo,
    }
}

/// An answer: status, headers (lower-case names), body text.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before reading a large body; a reset while writing is fine.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no headers in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
    {
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            let end = pos + rest[pos..].windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[pos..end]).unwrap(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + size]);
            pos = end + 2 + size + 2;
        }
        rest = out;
    }
    Answer {
        status,
        headers,
        body: String::from_utf8(rest).unwrap(),
    }
}

const AUTH: (&str, &str) = ("Authorization", "Bearer alice-secret-token-for-tests");

fn get(s: &Server, path: &str) -> Answer {
    request(
        s.addr,
        "GET",
        path,
        &[("Accept", "application/json"), AUTH],
        b"",
    )
}

fn post(s: &Server, path: &str, body: &Value) -> Answer {
    request(
        s.addr,
        "POST",
        path,
        &[("Content-Type", "application/json"), AUTH],
        body.to_string().as_bytes(),
    )
}

fn error_code(a: &Answer) -> String {
    a.json()["error"]["code"].as_str().unwrap().to_owned()
}

#[test]
fn repository_endpoints_describe_the_repository() {
    let s = start();
    let info = get(&s, "/api/v1/info");
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.json()["universe_namespace"], json!("daf_butler"));
    assert_eq!(info.json()["universe_version"], json!(8));
    let universe = get(&s, "/api/v1/universe");
    assert_eq!(universe.status, 200);
    assert_eq!(
        DimensionUniverse::from_json(&universe.body).unwrap(),
        DimensionUniverse::default_universe()
    );
    let collections = get(&s, "/api/v1/collections?glob=DemoCam/*").json();
    let chain = collections
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "DemoCam/defaults")
        .expect("the chain is listed");
    assert_eq!(chain["type"], json!("CHAINED"));
    assert!(!chain["children"].as_array().unwrap().is_empty());
    assert!(collections
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"].as_str().unwrap().starts_with("DemoCam/")));
    let types = get(&s, "/api/v1/dataset-types").json();
    let calexp = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "calexp")
        .unwrap();
    assert_eq!(calexp["dimensions"][0], json!("instrument"));
}

#[test]
fn dataset_queries_agree_with_the_library_in_json_ndjson_and_pages() {
    let s = start();
    let expression = "instrument = 'DemoCam' AND visit > 2025030100004 AND band != 'z'";
    let repo = Repository::open(&s.repo).unwrap();
    let (expected, _) = repo
        .registry()
        .query_datasets(&DatasetQuery {
            dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()],
            collections: vec![CollectionName::parse("DemoCam/defaults").unwrap()],
            filter: Filter {
                expression: expression.into(),
                ..Filter::default()
            },
            find_first: true,
            timespan: None,
            limit: Limit::Unlimited,
        })
        .unwrap();
    assert!(expected.len() > 4);
    let body = json!({"dataset_types": ["calexp"], "collections": ["DemoCam/defaults"], "where": expression});
    let answer = post(&s, "/api/v1/query/datasets", &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let rows = answer.json()["datasets"].as_array().unwrap().clone();
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = expected.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids, want);
    assert_eq!(rows[0]["data_id"]["instrument"], json!("DemoCam"));
    match expected[0].data_id.get("visit") {
        Some(DataIdValue::Int(v)) => assert_eq!(rows[0]["data_id"]["visit"], json!(v)),
        other => panic!("{other:?}"),
    }
    // NDJSON: one object per line, the same rows.
    let nd = request(
        s.addr,
        "POST",
        "/api/v1/query/datasets",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/x-ndjson"),
            AUTH,
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(nd.status, 200);
    assert_eq!(nd.header("content-type"), Some("application/x-ndjson"));
    let nd_ids: Vec<String> = nd
        .body
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(nd_ids, want);
    // Pages: limit + offset cover the rows once, in order, and say when more exist.
    let mut paged = Vec::new();
    let mut offset = 0;
    loop {
        let mut b = body.clone();
        b["limit"] = json!(3);
        b["offset"] = json!(offset);
        let page = post(&s, "/api/v1/query/datasets", &b).json();
        for r in page["datasets"].as_array().unwrap() {
            paged.push(r["id"].as_str().unwrap().to_owned());
        }
        offset += 3;
        if page["more"] == json!(false) {
            break;
        }
        assert!(offset < 100, "paging does not end");
    }
    assert_eq!(paged, want);
}

#[test]
fn data_id_and_record_queries_answer() {
    let s = start();
    let ids = post(
        &s,
        "/api/v1/query/data-ids",
        &json!({"dimensions": ["visit"], "where": "band = 'r'", "data_id": {"instrument": "OtherCam"},
                "order_by": ["-visit"]}),
    );
    assert_eq!(ids.status, 200, "{}", ids.body);
    let visits: Vec<i64> = ids.json()["data_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["visit"].as_i64().unwrap())
        .collect();
    // OtherCam visits 3 and 6 use `OtherCam-r`, visit 4 `OtherCam-r2`: both are band r.
    assert_eq!(visits, [6, 4, 3]);
    let recs = post(
        &s,
        "/api/v1/query/dimension-records",
        &json!({"element": "detector", "where": "instrument = 'DemoCam' AND detector.purpose = 'WAVEFRONT'"}),
    );
    assert_eq!(recs.status, 200, "{}", recs.body);
    assert_eq!(recs.json()["records"][0]["id"], json!(3));
}

#[test]
fn bad_input_gets_clear_json_errors() {
    let s = start();
    let bad_where = post(
        &s,
        "/api/v1/query/datasets",
        &json!({"dataset_types": ["calexp"], "collections": ["DemoCam/defaults"], "where": "visit.day = 3"}),
    );
    assert_eq!(bad_where.status, 400);
    assert_eq!(error_code(&bad_where), "invalid_query");
    let message = bad_where.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("Unrecognized field 'day' for visit.") && message.contains("^^^"),
        "{message}"
    );
    let governor = post(
        &s,
        "/api/v1/query/data-ids",
        &json!({"dimensions": ["visit"], "where": "visit = 3"}),
    );
    assert_eq!(governor.status, 400);
    assert!(governor.json()["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("'OtherCam'"));
    let unknown = post(
        &s,
        "/api/v1/query/datasets",
        &json!({"dataset_types": ["calexp"], "collections": ["DemoCam/defaultz"]}),
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(error_code(&unknown), "missing");
    assert!(
        unknown.body.contains("DemoCam/defaults"),
        "suggests the near name: {}",
        unknown.body
    );
    let malformed = request(
        s.addr,
        "POST",
        "/api/v1/query/datasets",
        &[("Content-Type", "application/json"), AUTH],
        b"{\"dataset_types\": [",
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(error_code(&malformed), "bad_request");
    let unknown_field = post(
        &s,
        "/api/v1/query/data-ids",
        &json!({"dimensions": ["visit"], "wher": "x"}),
    );
    assert_eq!(unknown_field.status, 400);
    let huge = vec![b' '; 17 * 1024 * 1024];
    let too_large = request(
        s.addr,
        "POST",
        "/api/v1/query/datasets",
        &[("Content-Type", "application/json"), AUTH],
        &huge,
    );
    assert_eq!(too_large.status, 413);
    assert_eq!(error_code(&too_large), "payload_too_large");
    let bad_bind = post(
        &s,
        "/api/v1/query/data-ids",
        &json!({"dimensions": ["visit"], "where": "visit IN (:v)", "bind": {"v": {"a": 1}}, "data_id": {"instrument": "DemoCam"}}),
    );
    assert_eq!(bad_bind.status, 400);
    let bad_glob = get(&s, "/api/v1/collections?glob=%5B");
    assert_eq!(bad_glob.status, 400, "{}", bad_glob.body);
    assert_eq!(error_code(&bad_glob), "bad_request");
    assert_eq!(get(&s, "/api/v1/nothing").status, 404);
}

#[test]
fn the_openapi_document_lists_every_route_it_serves() {
    let s = start();
    let doc = get(&s, "/api/v1/openapi.json");
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let answer = match method.as_str() {
                "get" => get(&s, path),
                "post" => post(&s, path, &json!({})),
                other => panic!("unexpected method {other}"),
            };
            assert_ne!(
                answer.status, 404,
                "{method} {path} is documented but not served"
            );
            assert!(answer
                .header("content-type")
                .is_some_and(|c| c.contains("json")));
        }
    }
    for schema in [
        "QueryDatasetsRequest",
        "DatasetRefInfo",
        "ErrorBody",
        "CollectionInfo",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "no schema {schema}"
        );
    }
}

#[test]
fn every_route_but_health_needs_a_token() {
    let s = start();
    assert_eq!(
        request(s.addr, "GET", "/api/v1/health", &[], b"").status,
        200
    );
    for (method, path) in [
        ("GET", "/api/v1/info"),
        ("GET", "/api/v1/collections"),
        ("GET", "/api/v1/openapi.json"),
        ("POST", "/api/v1/query/datasets"),
        ("POST", "/api/v1/file-urls"),
    ] {
        let none = request(s.addr, method, path, &[], b"{}");
        assert_eq!(none.status, 401, "{method} {path}: {}", none.body);
        assert_eq!(error_code(&none), "unauthorized");
        let wrong = request(
            s.addr,
            method,
            path,
            &[("Authorization", "Bearer nope")],
            b"{}",
        );
        assert_eq!(wrong.status, 401);
        assert!(
            !wrong.body.contains("nope"),
            "the token is echoed: {}",
            wrong.body
        );
    }
    let in_url = request(
        s.addr,
        "GET",
        "/api/v1/info?access_token=alice-secret-token-for-tests",
        &[AUTH],
        b"",
    );
    assert_eq!(
        in_url.status, 401,
        "tokens in URLs are refused: {}",
        in_url.body
    );
    assert_eq!(get(&s, "/api/v1/info").json()["user"], json!("alice"));
}

#[test]
fn signed_urls_for_a_batch_download_the_files() {
    let s = start();
    let ids: Vec<Value> = post(
        &s,
        "/api/v1/query/datasets",
        &json!({"dataset_types": ["raw"], "collections": ["DemoCam/raw/all"], "find_first": false}),
    )
    .json()["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert!(ids.len() > 10);
    let mut asked = ids.clone();
    // 10,000 IDs in one request: the unknown ones come back as missing.
    for i in 0..10_000u32 {
        asked.push(json!(format!("00000000-0000-4000-8000-{i:012}")));
    }
    let answer = post(&s, "/api/v1/file-urls", &json!({ "dataset_ids": asked }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer = answer.json();
    assert_eq!(answer["files"].as_array().unwrap().len(), ids.len());
    assert_eq!(answer["missing"].as_array().unwrap().len(), 10_000);
    let first = &answer["files"][0];
    let url = first["url"].as_str().unwrap();
    assert!(
        url.starts_with("/files/") && url.contains("signature="),
        "{url}"
    );
    // The URL needs no token, and gives the file's bytes.
    let file = request(s.addr, "GET", url, &[], b"");
    assert_eq!(file.status, 200, "{}", file.body);
    assert_eq!(file.body.len() as i64, first["size"].as_i64().unwrap());
    // Another user's token with alice's URL is refused; a tampered URL too.
    let bob = request(
        s.addr,
        "GET",
        url,
        &[("Authorization", "Bearer bob-secret-token-for-tests")],
        b"",
    );
    assert_eq!(bob.status, 403, "{}", bob.body);
    let tampered = url.replace("signature=", "signature=0");
    assert_eq!(request(s.addr, "GET", &tampered, &[], b"").status, 403);
    // The server's debug log names the requests but never a token or a signature.
    let log = std::fs::read_to_string(&s.log).unwrap();
    assert!(log.contains("serving a file"), "{log}");
    let signature = url
        .split("signature=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    for secret in [TOKEN, BOB, signature] {
        assert!(!log.contains(secret), "the log shows a secret:\n{log}");
    }
}
