//! `satellite-bench`: the registry workload of `BENCHMARKS.md` on satellite-core and, in the same
//! run, on the Python Butler (`anchor/butler_workload.py bench`), with a table of both times and
//! the ratio per scale.
//!
//! ```sh
//! cargo build --release -p satellite --bins
//! target/release/satellite-bench --scales 1k,10k          # Python 10k takes ~6 min
//! target/release/satellite-bench --scales 100k --no-python
//! ```
//!
//! The two sides run one after the other (ours first), never at the same time: the machines
//! have two cores. Our raw figures go to `--out` as JSON lines in the anchor's shape.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Parser;

#[path = "../bench/ours.rs"]
mod ours;
#[path = "../bench/python.rs"]
mod python;
#[path = "../bench/record.rs"]
mod record;
#[path = "../bench/report.rs"]
mod report;

use record::Recorder;

const DEFAULT_OPS: &str = "put,ingest,collections,queries,export";

/// Registry workload benchmark: satellite vs the Python Butler, side by side.
#[derive(Debug, Parser)]
#[command(name = "satellite-bench", version = satellite_core::VERSION)]
struct Args {
    /// Scales: 1k (50×20), 10k (500×20), 100k (1000×100), or VISITSxDETECTORS.
    #[arg(long, default_value = "1k,10k,100k", value_delimiter = ',')]
    scales: Vec<String>,
    /// Phases for both sides: put, ingest, collections, queries, export (transfer_from is not
    /// in satellite-core yet).
    #[arg(long, default_value = DEFAULT_OPS)]
    ops: String,
    /// Cap on `put_calexp` calls, the same on both sides (0 = all). Default: 2000 at 100k, like
    /// the anchor (the primary run is then `ingest-direct`), else all.
    #[arg(long)]
    put_max: Option<usize>,
    /// Measure only our side.
    #[arg(long)]
    no_python: bool,
    /// Python interpreter with lsst-daf-butler (default: the workspace's `.venv/bin/python`).
    #[arg(long)]
    python: Option<PathBuf>,
    /// The anchor script (default: `../shared/anchor/butler_workload.py` from the workspace).
    #[arg(long)]
    anchor: Option<PathBuf>,
    /// `--ops` for the anchor (default: the same as `--ops`).
    #[arg(long)]
    python_ops: Option<String>,
    /// Extra arguments for the anchor, split on spaces. Default: none, and
    /// `--import-modes direct --no-cli-import` at 100k (as in BENCHMARKS-ANCHOR.md).
    #[arg(long, allow_hyphen_values = true)]
    python_extra: Option<String>,
    /// Use Python figures from an earlier anchor run (its JSON lines) instead of running it.
    #[arg(long)]
    python_jsonl: Option<PathBuf>,
    /// Work directory (default: a new directory under the system temp directory).
    #[arg(long)]
    workdir: Option<PathBuf>,
    /// Keep the repositories and files of each scale (default: removed after the scale).
    #[arg(long)]
    keep: bool,
    /// Our raw figures, as JSON lines.
    #[arg(long, default_value = "satellite-bench.jsonl")]
    out: PathBuf,
    /// The `satellite` binary (default: next to this one).
    #[arg(long)]
    satellite: Option<PathBuf>,
    /// Runs of `satellite --help` to take the median of.
    #[arg(long, default_value_t = 11)]
    help_runs: usize,
}

#[derive(Debug, Clone, Copy)]
enum Stream {
    /// Results (the tables).
    Out,
    /// Progress.
    Err,
}

/// The one place this binary prints.
#[allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark's report goes to the terminal: tables on stdout, progress on stderr"
)]
fn say(stream: Stream, text: &str) {
    match stream {
        Stream::Out => {
            println!("{text}");
            let _ = std::io::stdout().flush();
        }
        Stream::Err => eprintln!("{text}"),
    }
}

fn scale_dims(label: &str) -> Result<(i64, i64)> {
    Ok(match label {
        "1k" => (50, 20),
        "10k" => (500, 20),
        "100k" => (1000, 100),
        other => {
            let (v, d) = other
                .split_once(['x', '×'])
                .with_context(|| format!("unknown scale `{other}`: use 1k, 10k, 100k or VxD"))?;
            (v.trim().parse()?, d.trim().parse()?)
        }
    })
}

/// The workspace root: from the build, else the current directory.
fn workspace_root() -> PathBuf {
    let built = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf);
    match built.filter(|p| p.join(".venv").is_dir() || p.join("Cargo.toml").is_file()) {
        Some(p) => p,
        None => std::env::current_dir().unwrap_or_default(),
    }
}

fn first_existing(candidates: &[PathBuf]) -> PathBuf {
    candidates
        .iter()
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let root = workspace_root();
    let cwd = std::env::current_dir().unwrap_or_default();
    let python = args.python.clone().unwrap_or_else(|| {
        first_existing(&[root.join(".venv/bin/python"), cwd.join(".venv/bin/python")])
    });
    let anchor = args.anchor.clone().unwrap_or_else(|| {
        first_existing(&[
            root.join("../shared/anchor/butler_workload.py"),
            cwd.join("../shared/anchor/butler_workload.py"),
        ])
    });
    let satellite = match &args.satellite {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("satellite"),
    };
    let workdir = match &args.workdir {
        Some(w) => w.clone(),
        None => std::env::temp_dir().join(format!("satellite-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&workdir)
        .with_context(|| format!("creating `{}`", workdir.display()))?;
    let workdir = workdir.canonicalize()?;
    let ops: BTreeSet<String> = args
        .ops
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for op in &ops {
        if !["put", "ingest", "collections", "queries", "export"].contains(&op.as_str()) {
            bail!("unknown op `{op}` (put, ingest, collections, queries, export)");
        }
    }
    let python_ops = args.python_ops.clone().unwrap_or_else(|| args.ops.clone());
    let mut jsonl = std::fs::File::create(&args.out)
        .with_context(|| format!("creating `{}`", args.out.display()))?;
    if !args.no_python && args.python_jsonl.is_none() && !(python.exists() && anchor.exists()) {
        say(
            Stream::Err,
            &format!(
                "warning: Python `{}` or anchor `{}` missing; the Python column will say so",
                python.display(),
                anchor.display()
            ),
        );
    }
    say(Stream::Out, &format!("# satellite-bench: registry workload (BENCHMARKS-ANCHOR.md §2), satellite {} vs Python Butler\n", satellite_core::VERSION));
    let mut failed = Vec::new();
    for label in &args.scales {
        let (visits, detectors) = scale_dims(label)?;
        let vxd = format!("{visits}x{detectors}");
        let is_100k = visits * detectors >= 100_000;
        let put_max = args.put_max.unwrap_or(if is_100k { 2000 } else { 0 });
        let mut notes = Vec::new();

        // Ours.
        let work = workdir.join("ours").join(&vxd);
        if work.exists() {
            std::fs::remove_dir_all(&work)?;
        }
        std::fs::create_dir_all(&work)?;
        say(Stream::Err, &format!("== {label} ({vxd}): satellite ..."));
        let params = ours::Params {
            visits,
            detectors,
            put_max,
            ops: ops.clone(),
            work: work.clone(),
            satellite: satellite.clone(),
            help_runs: args.help_runs,
        };
        let mut rec = Recorder::with_progress(|op, secs, n| {
            let n = n.map(|n| format!(" n={n}")).unwrap_or_default();
            say(
                Stream::Err,
                &format!("   [satellite] {op} {}{n}", report::fmt_secs(secs)),
            );
        });
        if let Err(e) = ours::run(&params, &mut rec) {
            let msg = format!("our workload stopped: {e:#}");
            say(Stream::Err, &msg);
            notes.push(msg.clone());
            failed.push(format!("{label}: {msg}"));
        }
        for r in &rec.rows {
            writeln!(jsonl, "{}", r.to_json(&vxd))?;
        }
        jsonl.flush()?;
        if let Some(r) = rec.rows.iter().find(|r| r.op == "total_wall") {
            say(
                Stream::Err,
                &format!("   satellite done in {}", report::fmt_secs(r.seconds)),
            );
        }
        if !args.keep {
            let _ = std::fs::remove_dir_all(&work);
        }
        let primary = if !ops.contains("put") || put_max > 0 {
            ours::RUN_INGEST_DIRECT
        } else {
            ours::RUN_PUT
        };
        notes.push(format!(
            "primary run (queries, export): `{primary}`; put_calexp capped at {}; W = \"visit > {} AND band = 'r'\" selects {} calexps",
            if put_max > 0 { put_max.to_string() } else { "none (all)".into() },
            ours::where_threshold(visits),
            ours::expected_query_count(visits, detectors)
        ));

        // Python.
        let py = if args.no_python {
            notes.push("Python not run (--no-python)".into());
            python::PyResult::default()
        } else if let Some(path) = &args.python_jsonl {
            notes.push(format!("Python figures read from `{}`", path.display()));
            python::parse_file(path, &vxd)
        } else {
            let extra: Vec<String> = match &args.python_extra {
                Some(s) => s.split_whitespace().map(str::to_owned).collect(),
                None if is_100k => ["--import-modes", "direct", "--no-cli-import"]
                    .map(str::to_owned)
                    .to_vec(),
                None => Vec::new(),
            };
            let pywork = workdir.join("python");
            let run = python::PyRun {
                python: &python,
                anchor: &anchor,
                visits,
                detectors,
                put_max,
                ops: &python_ops,
                extra: extra.clone(),
                work: pywork.clone(),
            };
            say(
                Stream::Err,
                &format!("== {label} ({vxd}): Python Butler (anchor) ..."),
            );
            let tag = format!("   [python {label}]");
            let res = python::run(&run, &mut |line| {
                let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                let op = v.get("op").and_then(|s| s.as_str()).unwrap_or("?");
                let secs = v
                    .get("seconds")
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(f64::NAN);
                say(
                    Stream::Err,
                    &format!("{tag} {op} {}", report::fmt_secs(secs)),
                );
            });
            if !extra.is_empty() {
                notes.push(format!(
                    "Python run with `--ops {python_ops} {}`",
                    extra.join(" ")
                ));
            } else {
                notes.push(format!("Python run with `--ops {python_ops}`"));
            }
            if !args.keep {
                let _ = std::fs::remove_dir_all(pywork.join(&vxd));
            }
            res
        };
        if let Some(f) = &py.failure {
            notes.push(format!("Python failed: {f}"));
        }
        if let Some(v) = &py.version {
            notes.push(format!("Python: lsst-daf-butler {v}"));
        }
        if let Some((n, expected)) = py.check {
            let ours_n = ours::expected_query_count(visits, detectors);
            if n != expected || expected != ours_n {
                notes.push(format!("COUNT MISMATCH: Python's W query returned {n}, it expects {expected}, we expect {ours_n}"));
            }
        }
        if let Some(run) = py.primary_run.as_deref().filter(|r| *r != primary) {
            notes.push(format!("PRIMARY RUN MISMATCH: Python used `{run}`"));
        }
        let title = format!(
            "{label} ({visits} visits × {detectors} detectors = {} datasets)",
            visits * detectors
        );
        let table = report::ScaleReport {
            title,
            ours: &rec.rows,
            python: &py.rows,
            notes,
        }
        .render();
        say(Stream::Out, &table);
    }
    say(
        Stream::Err,
        &format!("our raw figures: {}", args.out.display()),
    );
    if !args.keep && args.workdir.is_none() {
        let _ = std::fs::remove_dir_all(&workdir);
    }
    if !failed.is_empty() {
        bail!("our side failed: {}", failed.join("; "));
    }
    Ok(())
}
