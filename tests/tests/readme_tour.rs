//! The README's tour is a test: `scripts/lib/demo_tour.sh` builds the demo repository with the
//! real `satellite` binary, then every `$ satellite ...` line of the README runs against it.
//! Output the README shows in full must match; a command the README shows failing must fail
//! with the message it shows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn satellite_bin() -> PathBuf {
    let p = std::env::var_os("SATELLITE_BIN")
        .map_or_else(|| workspace().join("target/debug/satellite"), PathBuf::from);
    assert!(
        p.exists(),
        "`satellite` is not built at {}; run `cargo build --workspace --bins` (scripts/test does)",
        p.display()
    );
    p
}

/// Each console example: the command line and the output lines the README shows after it.
fn console_examples(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```console") {
            in_console = true;
        } else if line.starts_with("```") {
            in_console = false;
        } else if in_console {
            if let Some(cmd) = line.strip_prefix("$ ") {
                out.push((cmd.to_owned(), Vec::new()));
            } else if let Some(last) = out.last_mut() {
                last.1.push(line.to_owned());
            }
        }
    }
    out
}

#[test]
fn the_readme_tour_runs_as_written() {
    let bin = satellite_bin();
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    let status = Command::new("bash")
        .arg(workspace().join("scripts/lib/demo_tour.sh"))
        .env("SATELLITE_BIN", &bin)
        .env("SATELLITE_DEMO_DIR", &demo)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "demo tour failed:\n{}\n{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );

    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let examples = console_examples(&readme);
    let tour: Vec<_> = examples
        .iter()
        .filter(|(c, _)| c.starts_with("satellite "))
        .collect();
    assert!(
        tour.len() >= 10,
        "the README tour lost its examples: {tour:?}"
    );
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (cmd, shown) in tour {
        let out = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .current_dir(tmp.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shows_error = shown.first().is_some_and(|l| l.starts_with("error:"));
        if shows_error {
            assert_eq!(
                out.status.code(),
                Some(1),
                "`{cmd}` should fail as the README shows"
            );
            for line in shown {
                assert!(
                    stderr.lines().any(|l| l == line),
                    "`{cmd}`: README shows `{line}`, stderr was:\n{stderr}"
                );
            }
            continue;
        }
        assert!(out.status.success(), "`{cmd}` failed:\n{stderr}");
        // Shown output must appear line for line, except elided (`...`) and ID-bearing lines.
        for line in shown.iter().filter(|l| *l != "..." && !l.contains("01a2")) {
            assert!(
                stdout.lines().any(|l| l == line),
                "`{cmd}`: README shows `{line}`, the command printed:\n{stdout}"
            );
        }
    }
}
