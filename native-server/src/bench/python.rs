//! The Python side: `anchor/butler_workload.py bench` as a subprocess, its JSON lines parsed
//! into rows. Failures become a message for the table, never an error of the bench.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::record::Row;

/// How to run the anchor for one scale.
#[derive(Debug)]
pub struct PyRun<'a> {
    pub python: &'a Path,
    pub anchor: &'a Path,
    pub visits: i64,
    pub detectors: i64,
    pub put_max: usize,
    pub ops: &'a str,
    /// Extra arguments (`--import-modes direct --no-cli-import` at 100k).
    pub extra: Vec<String>,
    pub work: PathBuf,
}

/// What the Python side produced.
#[derive(Debug, Default)]
pub struct PyResult {
    pub rows: Vec<Row>,
    /// `query_datasets_run_check`: (n, expected) as Python saw them.
    pub check: Option<(u64, u64)>,
    /// The Python primary run.
    pub primary_run: Option<String>,
    /// The package version from the `meta` row.
    pub version: Option<String>,
    /// Why the run failed or is incomplete.
    pub failure: Option<String>,
}

/// Runs the anchor; `progress` gets each JSON line as it arrives.
pub fn run(p: &PyRun<'_>, progress: &mut dyn FnMut(&str)) -> PyResult {
    if let Err(e) = std::fs::create_dir_all(&p.work) {
        return PyResult {
            failure: Some(format!("cannot create `{}`: {e}", p.work.display())),
            ..Default::default()
        };
    }
    let scale = format!("{}x{}", p.visits, p.detectors);
    let out = p.work.join(format!("py-{scale}.jsonl"));
    let _ = std::fs::remove_file(&out);
    let stderr_path = p.work.join(format!("py-{scale}.stderr"));
    let bin_dir = p.python.parent().map(Path::to_path_buf).unwrap_or_default();
    let path_var = match std::env::var_os("PATH") {
        Some(old) => {
            let mut parts = vec![bin_dir];
            parts.extend(std::env::split_paths(&old));
            std::env::join_paths(parts).unwrap_or(old)
        }
        None => bin_dir.into_os_string(),
    };
    let mut cmd = Command::new(p.python);
    cmd.arg(p.anchor)
        .args([
            "bench",
            "--visits",
            &p.visits.to_string(),
            "--detectors",
            &p.detectors.to_string(),
        ])
        .arg("--workdir")
        .arg(&p.work)
        .arg("--out")
        .arg(&out)
        .args(["--ops", p.ops])
        .env("PATH", path_var)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    if p.put_max > 0 {
        cmd.args(["--put-max", &p.put_max.to_string()]);
    }
    cmd.args(&p.extra);
    match std::fs::File::create(&stderr_path) {
        Ok(f) => cmd.stderr(f),
        Err(_) => cmd.stderr(Stdio::null()),
    };
    let mut failure = None;
    match cmd.spawn() {
        Ok(mut child) => {
            if let Some(stdout) = child.stdout.take() {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    progress(&line);
                }
            }
            match child.wait() {
                Ok(st) if st.success() => {}
                Ok(st) => {
                    let tail = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                    let last = tail
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("")
                        .trim()
                        .to_owned();
                    failure = Some(format!(
                        "Python exited with {st}: {last} (stderr: {})",
                        stderr_path.display()
                    ));
                }
                Err(e) => failure = Some(format!("waiting for Python failed: {e}")),
            }
        }
        Err(e) => failure = Some(format!("cannot start `{}`: {e}", p.python.display())),
    }
    let mut res = parse_file(&out, &scale);
    if failure.is_some() {
        res.failure = failure;
    } else if res.rows.is_empty() {
        res.failure = Some(format!("no results in `{}`", out.display()));
    }
    res
}

/// Parses the anchor's JSON lines of one scale (`VxD`), e.g. from an earlier run.
pub fn parse_file(path: &Path, scale: &str) -> PyResult {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return PyResult {
                failure: Some(format!("cannot read `{}`: {e}", path.display())),
                ..Default::default()
            }
        }
    };
    let mut res = PyResult::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v.get("scale").and_then(|s| s.as_str()) != Some(scale) {
            continue;
        }
        let Some(op) = v.get("op").and_then(|s| s.as_str()) else {
            continue;
        };
        let n = v.get("n").and_then(serde_json::Value::as_u64);
        match op {
            "meta" => res.version = v.get("version").and_then(|s| s.as_str()).map(str::to_owned),
            "primary_run" => {
                res.primary_run = v.get("run").and_then(|s| s.as_str()).map(str::to_owned)
            }
            "query_datasets_run_check" => {
                res.check = n.zip(v.get("expected").and_then(serde_json::Value::as_u64));
            }
            "repo_size_after_writes" => {}
            op if op.ends_with("_check") => {}
            _ => {
                let seconds = v
                    .get("seconds")
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(f64::NAN);
                let error = v
                    .get("error")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned)
                    .or_else(|| {
                        // The CLI rows carry a return code instead of an error.
                        v.get("rc")
                            .and_then(serde_json::Value::as_i64)
                            .filter(|rc| *rc != 0)
                            .map(|rc| format!("exit {rc}"))
                    });
                res.rows.push(Row {
                    op: op.to_owned(),
                    seconds,
                    n,
                    note: None,
                    error,
                });
            }
        }
    }
    res
}
