//! `--help`, exit codes and a closed stdout.

use std::io::Read;
use std::process::Stdio;

use crate::sandbox::*;

#[test]
fn help_is_documented() {
    let s = Sandbox::new();
    snapshot!(s, "help_top_level", s.ok(&["--help"]));
    snapshot!(
        s,
        "help_query_datasets",
        s.ok(&["query-datasets", "--help"])
    );
    snapshot!(s, "help_ingest", s.ok(&["ingest", "--help"]));
    snapshot!(
        s,
        "help_prune_datasets",
        s.ok(&["prune-datasets", "--help"])
    );
    snapshot!(s, "help_collection", s.ok(&["collection", "--help"]));
}

#[test]
fn exit_codes_are_documented_and_kept() {
    let s = demo();
    let help = s.ok(&["--help"]);
    for line in [
        "  0    success (an empty query result is success)",
        "  1    the command failed; `error:` was printed on stderr",
        "  2    bad command line (unknown verb or flag, missing argument)",
        "  3    finished with failures (some items were skipped; see the warnings)",
        "  130  interrupted (Ctrl-C)",
    ] {
        assert!(
            help.contains(line),
            "`satellite --help` lacks `{line}`:\n{help}"
        );
    }
    // An empty result is a success, and an empty CSV keeps its header.
    let empty = s.run(&[
        "query-datasets",
        "repo",
        "calexp",
        "--data-id",
        "visit=9",
        "--format",
        "csv",
    ]);
    assert_eq!(
        (empty.code, empty.stdout.as_str(), empty.stderr.as_str()),
        (0, "type,run,id\n", "")
    );
    assert_eq!(s.run(&["query-datasets", "no/such/repo"]).code, 1);
    assert_eq!(s.run(&["query-datasets", "repo", "--no-such-flag"]).code, 2);
    assert_eq!(s.run(&["no-such-verb"]).code, 2);
    // Exit code 3: a retrieve that skips an unstored dataset.
    s.ok(&[
        "prune-datasets",
        "repo",
        "DemoCam/runs/a",
        "--datasets",
        "calexp",
        "--unstore",
        "--data-id",
        "visit=1,detector=0",
        "--yes",
    ]);
    let out = s.run(&[
        "retrieve",
        "repo",
        "out",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
    ]);
    assert_eq!(out.code, 3, "{}", out.transcript());
    assert!(
        out.stderr
            .contains("has no stored file (it was unstored); skipped"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout.lines().count(), 3);
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let s = demo();
    let mut child = satellite()
        .current_dir(s.root())
        .args(["query-datasets", "repo", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}
