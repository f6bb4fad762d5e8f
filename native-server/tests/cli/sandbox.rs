//! The sandbox every test runs in: a temporary directory, the `satellite` binary, the demo
//! repository fixture, and the "repository unchanged" check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::cargo::CommandCargoExt;

/// What a finished command left behind.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The whole outcome as snapshot text.
    pub fn transcript(&self) -> String {
        format!(
            "exit code: {}\n--- stderr\n{}--- stdout\n{}",
            self.code, self.stderr, self.stdout
        )
    }
}

/// A temporary directory holding `repo/` and the input files of a test. Commands run with it
/// as the current directory, so `repo` and input paths are relative.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

pub fn satellite() -> std::process::Command {
    let mut cmd = std::process::Command::cargo_bin("satellite").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("SATELLITE_NO_PROGRESS", "1")
        .env("COLUMNS", "100")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE");
    cmd
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn repo(&self) -> PathBuf {
        self.root().join("repo")
    }

    pub fn write(&self, name: &str, text: &str) {
        let path = self.root().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Outcome {
        let out = satellite()
            .current_dir(self.root())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            0,
            "`satellite {}` failed:\n{}",
            args.join(" "),
            out.transcript()
        );
        out.stdout
    }

    /// Every file, directory and link under `repo/`, with contents: what "unchanged" means.
    pub fn repo_state(&self) -> BTreeMap<String, String> {
        fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for path in entries {
                let rel = path.strip_prefix(base).unwrap().display().to_string();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                if meta.file_type().is_symlink() {
                    out.insert(
                        rel,
                        format!("link -> {}", std::fs::read_link(&path).unwrap().display()),
                    );
                } else if meta.is_dir() {
                    out.insert(rel, "dir".to_owned());
                    walk(base, &path, out);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    out.insert(
                        rel,
                        format!("{} bytes, fnv {:016x}", bytes.len(), fnv1a(&bytes)),
                    );
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.repo(), &self.repo(), &mut out);
        out
    }

    /// Runs a command that must fail with exit code 1 and leave the repository unchanged;
    /// returns the transcript for a snapshot.
    pub fn fails_cleanly(&self, args: &[&str]) -> String {
        let before = self.repo_state();
        let out = self.run(args);
        assert_eq!(
            out.code,
            1,
            "`satellite {}` did not fail:\n{}",
            args.join(" "),
            out.transcript()
        );
        let after = self.repo_state();
        let changed: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        assert!(
            changed.is_empty(),
            "`satellite {}` changed the repository: {changed:?}",
            args.join(" ")
        );
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
        out.transcript()
    }

    /// Snapshot filters: the sandbox path and random (version 7) dataset IDs.
    pub fn filters(&self) -> Vec<(String, String)> {
        let mut filters = Vec::new();
        for p in [
            self.root().to_path_buf(),
            self.root().canonicalize().unwrap(),
        ] {
            filters.push((
                regex_escape(&p.display().to_string()),
                "[SANDBOX]".to_owned(),
            ));
        }
        filters.push((
            r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}".to_owned(),
            "[UUIDv7]".to_owned(),
        ));
        filters
    }
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$#&-~".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

pub const INSTRUMENT_CSV: &str = "\
name,detector_max,visit_max,exposure_max,class_name
DemoCam,4,1000,1000,demo.DemoCam
";

pub const PHYSICAL_FILTER_YAML: &str = "\
- {instrument: DemoCam, name: DemoCam-g, band: g}
- {instrument: DemoCam, name: DemoCam-r, band: r}
";

pub const DETECTOR_JSON: &str = r#"[
  {"instrument": "DemoCam", "id": 0, "full_name": "R00_S00"},
  {"instrument": "DemoCam", "id": 1, "full_name": "R00_S01", "purpose": "SCIENCE"}
]"#;

pub const DAY_OBS_CSV: &str = "\
instrument,id,timespan_begin,timespan_end
DemoCam,20260101,2026-01-01 12:00:00,2026-01-02 12:00:00
";

pub const VISIT_NDJSON: &str = r#"{"instrument": "DemoCam", "id": 1, "name": "v1", "physical_filter": "DemoCam-g", "day_obs": 20260101, "exposure_time": 30}
{"instrument": "DemoCam", "id": 2, "name": "v2", "physical_filter": "DemoCam-r", "day_obs": 20260101, "exposure_time": 15.5}
"#;

/// A repository with DemoCam's records, `calexp` (visit, detector) and `bias` (detector,
/// calibration) registered, and four calexps ingested into `DemoCam/runs/a` with
/// deterministic IDs.
pub fn demo() -> Sandbox {
    let s = Sandbox::new();
    s.ok(&["create", "repo"]);
    s.write("instrument.csv", INSTRUMENT_CSV);
    s.write("physical_filter.yaml", PHYSICAL_FILTER_YAML);
    s.write("detector.json", DETECTOR_JSON);
    s.write("day_obs.csv", DAY_OBS_CSV);
    s.write("visit.ndjson", VISIT_NDJSON);
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "instrument",
        "instrument.csv",
    ]);
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "physical_filter",
        "physical_filter.yaml",
    ]);
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "detector",
        "detector.json",
    ]);
    s.ok(&["insert-dimension-records", "repo", "day_obs", "day_obs.csv"]);
    s.ok(&["insert-dimension-records", "repo", "visit", "visit.ndjson"]);
    s.ok(&[
        "register-dataset-type",
        "repo",
        "calexp",
        "StructuredDataDict",
        "visit",
        "detector",
    ]);
    s.ok(&[
        "register-dataset-type",
        "repo",
        "bias",
        "ExposureF",
        "detector",
        "--is-calibration",
    ]);
    let mut table = String::from("file,instrument,visit,detector\n");
    for v in [1, 2] {
        for d in [0, 1] {
            s.write(
                &format!("data/calexp_{v}_{d}.yaml"),
                &format!("{{visit: {v}, detector: {d}}}\n"),
            );
            table.push_str(&format!("data/calexp_{v}_{d}.yaml,DemoCam,{v},{d}\n"));
        }
    }
    s.write("calexps.csv", &table);
    s.ok(&[
        "ingest",
        "repo",
        "calexp",
        "DemoCam/runs/a",
        "calexps.csv",
        "--transfer",
        "copy",
        "--id-generation-mode",
        "dataid_type_run",
    ]);
    s
}

/// Runs a query verb in the three formats and joins the outputs for one snapshot.
pub fn all_formats(s: &Sandbox, args: &[&str]) -> String {
    let mut text = String::new();
    for format in ["table", "json", "csv"] {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        text.push_str(&format!("--- {format}\n{}", s.ok(&a)));
    }
    text
}

/// Every file under `dir`, recursively.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
