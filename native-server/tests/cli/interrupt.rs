//! Ctrl-C in the middle of a long ingest: the command stops between files, undoes what it had
//! copied, exits with 130, and the repository is byte for byte as it was.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::sandbox::{demo, satellite, walk_files};

#[test]
fn ctrl_c_during_ingest_rolls_back_and_exits_130() {
    let s = demo();
    // Enough files that the copy phase lasts well beyond the moment we interrupt it.
    let n = 6_000;
    let mut table = String::from("file,instrument,visit,detector\n");
    for i in 0..n {
        let name = format!("many/f{i}.yaml");
        s.write(&name, &format!("i: {i}\n"));
        table.push_str(&format!("{name},DemoCam,{},{}\n", 1 + i % 2, i / 2));
    }
    s.write("many.csv", &table);
    // Every detector the table names must exist: add them.
    let mut detectors = String::from("instrument,id,full_name\n");
    for d in 2..n / 2 {
        detectors.push_str(&format!("DemoCam,{d},D{d:05}\n"));
    }
    s.write("more_detectors.csv", &detectors);
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "detector",
        "more_detectors.csv",
    ]);
    let before = s.repo_state();

    let mut child = satellite()
        .current_dir(s.root())
        .args([
            "ingest",
            "repo",
            "calexp",
            "DemoCam/runs/big",
            "many.csv",
            "--transfer",
            "copy",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the copy phase: the new RUN's directory appears in the datastore.
    let run_dir = s.repo().join("DemoCam/runs/big");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !run_dir.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before it could be interrupted"
        );
        assert!(Instant::now() < deadline, "the copy phase never started");
        std::thread::yield_now();
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "stderr: {stderr}");
    assert!(
        stderr.contains("interrupted; the repository is unchanged"),
        "{stderr}"
    );
    assert_eq!(
        s.repo_state(),
        before,
        "the interrupted ingest left something behind"
    );
    assert!(walk_files(&s.repo())
        .iter()
        .all(|p| !p.to_string_lossy().contains("runs/big")));
}
