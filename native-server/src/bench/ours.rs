//! The registry workload of `BENCHMARKS-ANCHOR.md` section 2, replayed on satellite-core (and,
//! for the `cli_*` rows, on the built `satellite` binary). Step for step the same as
//! `anchor/butler_workload.py bench`: the same records, payload bytes, runs, collections, query
//! results and operation names, so the rows join with the Python ones by `op`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use satellite_core::datastore::{Durability, TransferMode};
use satellite_core::model::{
    CollectionName, CollectionType, DataIdValue, DatasetIdGenMode, DatasetType, DatasetTypeName,
    DimensionRecord, DimensionUniverse, RecordValue, RunName, StorageClassName,
};
use satellite_core::registry::{DataIdQuery, DatasetQuery, DimensionRecordQuery, Filter, Limit};
use satellite_core::repository::{
    ImportOptions, IngestFile, IngestOptions, NoProgress, RepoConfig, Repository,
};

use super::record::Recorder;

pub const BANDS: [&str; 6] = ["u", "g", "r", "i", "z", "y"];
const INSTRUMENT: &str = "DemoCam";
const VISIT_SYSTEM_ID: i64 = 0;
const DAY0: i64 = 20_260_101;
const VISITS_PER_DAY: i64 = 100;
pub const RUN_PUT: &str = "DemoCam/runs/put";
pub const RUN_INGEST_DIRECT: &str = "DemoCam/runs/ingest-direct";
const INGEST_MODES: [(&str, &str, TransferMode); 3] = [
    ("direct", RUN_INGEST_DIRECT, TransferMode::Direct),
    (
        "symlink",
        "DemoCam/runs/ingest-symlink",
        TransferMode::Symlink,
    ),
    ("copy", "DemoCam/runs/ingest-copy", TransferMode::Copy),
];
const CHAIN: &str = "DemoCam/defaults";
const TAGGED: &str = "DemoCam/tagged-r";
const YAML_FORMATTER: &str = "lsst.daf.butler.formatters.yaml.YamlFormatter";

/// What one run of our side needs.
#[derive(Debug)]
pub struct Params {
    /// Visits (V).
    pub visits: i64,
    /// Detectors (D).
    pub detectors: i64,
    /// Cap on `put_calexp` calls (0: all); nonzero makes `ingest-direct` the primary run.
    pub put_max: usize,
    /// Phases to run: put, ingest, collections, queries, export.
    pub ops: BTreeSet<String>,
    /// Empty directory for this scale.
    pub work: PathBuf,
    /// The `satellite` binary, for the `cli_*` rows.
    pub satellite: PathBuf,
    /// How many `satellite --help` runs the median is taken over.
    pub help_runs: usize,
}

pub fn band_of(visit: i64) -> &'static str {
    BANDS[visit.rem_euclid(6) as usize]
}

fn day_obs_of(visit: i64) -> i64 {
    DAY0 + (visit - 1) / VISITS_PER_DAY
}

/// `X` of the anchor's `W = "visit > X AND band = 'r'"`.
pub fn where_threshold(visits: i64) -> i64 {
    visits / 2
}

/// The number of calexps `W` selects: 100 (1k), 840 (10k), 8300 (100k).
pub fn expected_query_count(visits: i64, detectors: i64) -> u64 {
    let x = where_threshold(visits);
    let n = (1..=visits).filter(|&v| v > x && band_of(v) == "r").count() as u64;
    n * detectors as u64
}

/// Python's `repr` of a float as `yaml.safe_dump` writes it (shortest round trip, `.0` kept).
fn py_float(x: f64) -> String {
    let s = format!("{x}");
    if s.contains(['.', 'e', 'E']) || !x.is_finite() {
        s
    } else {
        format!("{s}.0")
    }
}

/// The calexp payload, byte for byte what `yaml.safe_dump(payload(v, d))` writes (keys sorted).
pub fn payload(visit: i64, detector: i64) -> String {
    format!(
        "band: {}\ncomment: synthetic calexp stand-in for butler anchor benchmark\ndetector: {detector}\ninstrument: {INSTRUMENT}\nn_sources: {}\nseeing: {}\nvisit: {visit}\nzeropoint: {}\n",
        band_of(visit),
        1000 + visit + detector,
        py_float(0.7 + 0.0001 * visit as f64),
        py_float(27.0 + 0.001 * detector as f64),
    )
}

fn data_id(pairs: &[(&str, DataIdValue)]) -> BTreeMap<String, DataIdValue> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn calexp_id(visit: i64, detector: i64) -> BTreeMap<String, DataIdValue> {
    data_id(&[
        ("instrument", INSTRUMENT.into()),
        ("visit", visit.into()),
        ("detector", detector.into()),
    ])
}

fn s(v: &str) -> RecordValue {
    RecordValue::Str(v.to_owned())
}

fn i(v: i64) -> RecordValue {
    RecordValue::Int(v)
}

fn f(v: f64) -> RecordValue {
    RecordValue::Float(v)
}

/// Rows of one element as column → value maps (built before the timer, like the Python dicts).
type Rows = Vec<BTreeMap<String, RecordValue>>;

fn row(pairs: Vec<(&str, RecordValue)>) -> BTreeMap<String, RecordValue> {
    let mut m: BTreeMap<String, RecordValue> =
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    m.entry("instrument".to_owned())
        .or_insert_with(|| s(INSTRUMENT));
    m
}

fn dimension_rows(visits: i64, detectors: i64) -> Vec<(&'static str, Rows)> {
    let vs: Vec<i64> = (1..=visits).collect();
    let days: BTreeSet<i64> = vs.iter().map(|&v| day_obs_of(v)).collect();
    let pf = |v: i64| s(&format!("DemoCam-{}", band_of(v)));
    vec![
        (
            "instrument",
            vec![[
                ("name", s(INSTRUMENT)),
                ("visit_max", i(10_000_000)),
                ("visit_system", i(VISIT_SYSTEM_ID)),
                ("exposure_max", i(10_000_000)),
                ("detector_max", i(1000)),
                ("class_name", s("demo.DemoCam")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()],
        ),
        (
            "physical_filter",
            BANDS
                .iter()
                .map(|b| row(vec![("name", s(&format!("DemoCam-{b}"))), ("band", s(b))]))
                .collect(),
        ),
        (
            "detector",
            (0..detectors)
                .map(|d| {
                    row(vec![
                        ("id", i(d)),
                        ("full_name", s(&format!("R00_S{d:03}"))),
                        ("name_in_raft", s(&format!("S{d:03}"))),
                        ("raft", s("R00")),
                        ("purpose", s("SCIENCE")),
                    ])
                })
                .collect(),
        ),
        (
            "visit_system",
            vec![row(vec![
                ("id", i(VISIT_SYSTEM_ID)),
                ("name", s("one-to-one")),
            ])],
        ),
        (
            "day_obs",
            days.iter().map(|&d| row(vec![("id", i(d))])).collect(),
        ),
        (
            "group",
            vs.iter()
                .map(|&v| row(vec![("name", s(&format!("g{v:07}")))]))
                .collect(),
        ),
        (
            "exposure",
            vs.iter()
                .map(|&v| {
                    row(vec![
                        ("id", i(v)),
                        ("obs_id", s(&format!("DC_O_{v:07}"))),
                        ("physical_filter", pf(v)),
                        ("group", s(&format!("g{v:07}"))),
                        ("day_obs", i(day_obs_of(v))),
                        ("exposure_time", f(30.0)),
                        ("dark_time", f(30.0)),
                        ("observation_type", s("science")),
                        ("observation_reason", s("science")),
                        ("seq_num", i(v)),
                        ("seq_start", i(v)),
                        ("seq_end", i(v)),
                        ("can_see_sky", RecordValue::Bool(true)),
                        ("has_simulated", RecordValue::Bool(true)),
                    ])
                })
                .collect(),
        ),
        (
            "visit",
            vs.iter()
                .map(|&v| {
                    row(vec![
                        ("id", i(v)),
                        ("name", s(&format!("v{v:07}"))),
                        ("physical_filter", pf(v)),
                        ("day_obs", i(day_obs_of(v))),
                        ("seq_num", i(v)),
                        ("exposure_time", f(30.0)),
                        ("target_name", s("demo_field")),
                        ("observation_reason", s("science")),
                        ("science_program", s("anchor")),
                    ])
                })
                .collect(),
        ),
        (
            "visit_definition",
            vs.iter()
                .map(|&v| row(vec![("exposure", i(v)), ("visit", i(v))]))
                .collect(),
        ),
        (
            "visit_system_membership",
            vs.iter()
                .map(|&v| row(vec![("visit", i(v)), ("visit_system", i(VISIT_SYSTEM_ID))]))
                .collect(),
        ),
    ]
}

fn insert_rows(
    repo: &Repository,
    universe: &DimensionUniverse,
    element: &str,
    rows: Rows,
) -> Result<u64> {
    let n = rows.len() as u64;
    let records = rows
        .into_iter()
        .map(|m| DimensionRecord::new(universe, element, m))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("building `{element}` records"))?;
    repo.registry()
        .insert_dimension_records(
            element,
            &records,
            satellite_core::registry::RecordConflict::Fail,
        )
        .with_context(|| format!("inserting `{element}` records"))?;
    Ok(n)
}

fn collection(name: &str) -> Result<CollectionName> {
    Ok(CollectionName::parse(name)?)
}

fn calexp_query(collections: &[&str], constraints: &[(&str, DataIdValue)]) -> Result<DatasetQuery> {
    Ok(DatasetQuery {
        dataset_types: vec![DatasetTypeName::parse("calexp")?],
        collections: collections
            .iter()
            .map(|c| collection(c))
            .collect::<Result<_>>()?,
        filter: Filter {
            data_id: data_id(constraints),
            ..Filter::default()
        },
        find_first: true,
        timespan: None,
        limit: Limit::Unlimited,
    })
}

/// The anchor's `time_query`: a cold call, then the median of `n_warm` more.
fn time_query(
    rec: &mut Recorder,
    label: &str,
    n_warm: usize,
    note: Option<&str>,
    mut f: impl FnMut() -> Result<u64>,
) -> Result<u64> {
    let t = Instant::now();
    let n = match f() {
        Ok(n) => n,
        Err(e) => {
            rec.since(&format!("{label}_error"), t, None).error = Some(format!("{e:#}"));
            return Err(e);
        }
    };
    let cold = rec.since(&format!("{label}_cold"), t, Some(n));
    if let Some(note) = note {
        cold.note(note);
    }
    let mut times = Vec::with_capacity(n_warm);
    for _ in 0..n_warm {
        let t = Instant::now();
        let m = f()?;
        times.push(t.elapsed().as_secs_f64());
        ensure!(m == n, "{label}: warm call returned {m} rows, cold {n}");
    }
    times.sort_by(f64::total_cmp);
    let warm = rec.seconds(&format!("{label}_warm"), median(&times), Some(n));
    if let Some(note) = note {
        warm.note(note);
    }
    Ok(n)
}

pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Registers `raw`, `calexp` and `visitSummary` (storage class `StructuredDataDict`).
fn register_types(repo: &Repository, universe: &DimensionUniverse) -> Result<u64> {
    let types = [
        ("raw", ["instrument", "exposure", "detector"].as_slice()),
        ("calexp", &["instrument", "visit", "detector"]),
        ("visitSummary", &["instrument", "visit"]),
    ];
    for (name, dims) in types {
        repo.registry().register_dataset_type(&DatasetType {
            name: DatasetTypeName::parse(name)?,
            dimensions: universe.group(dims.iter().copied())?,
            storage_class: StorageClassName::parse("StructuredDataDict")?,
            is_calibration: false,
        })?;
    }
    Ok(types.len() as u64)
}

/// `put_calexp`: one `put` per (v, d), v then d ascending, up to `put_max`; (count, seconds).
fn put_calexps(repo: &Repository, p: &Params, run: &RunName) -> Result<(u64, f64)> {
    repo.registry()
        .register_collection(&run.to_collection(), CollectionType::Run, "")?;
    let mut count = 0u64;
    let t = Instant::now();
    'outer: for v in 1..=p.visits {
        for d in 0..p.detectors {
            if p.put_max > 0 && count >= p.put_max as u64 {
                break 'outer;
            }
            repo.put(payload(v, d).as_bytes(), "calexp", &calexp_id(v, d), run)?;
            count += 1;
        }
    }
    Ok((count, t.elapsed().as_secs_f64()))
}

/// Runs the workload; rows land in `rec` as they are measured. An error stops the scale (the
/// rows so far are kept).
pub fn run(p: &Params, rec: &mut Recorder) -> Result<()> {
    let t_all = Instant::now();
    let universe = DimensionUniverse::default_universe();
    let root = p.work.join("repo_main");
    let t = Instant::now();
    let repo = Repository::create(&root, &universe, RepoConfig::default())?;
    rec.since("make_repo", t, None);

    // b. Dimension records.
    let rows = dimension_rows(p.visits, p.detectors);
    let t = Instant::now();
    let mut total = 0;
    for (element, rows) in rows {
        total += insert_rows(&repo, &universe, element, rows)?;
    }
    rec.since("insert_dimension_records", t, Some(total));
    let vdr: Rows = (1..=p.visits)
        .flat_map(|v| {
            (0..p.detectors).map(move |d| {
                row(vec![
                    ("visit", i(v)),
                    ("detector", i(d)),
                    ("region", RecordValue::Null),
                ])
            })
        })
        .collect();
    let t = Instant::now();
    let n = insert_rows(&repo, &universe, "visit_detector_region", vdr)?;
    rec.since("insert_visit_detector_region", t, Some(n));

    // c. Dataset types.
    let t = Instant::now();
    let n = register_types(&repo, &universe)?;
    rec.since("register_dataset_types", t, Some(n));

    let primary = if !p.ops.contains("put") || p.put_max > 0 {
        RUN_INGEST_DIRECT
    } else {
        RUN_PUT
    };
    let mut runs: Vec<&str> = Vec::new();

    // d. Writes.
    if p.ops.contains("put") {
        let run = RunName::parse(RUN_PUT)?;
        repo.registry()
            .register_collection(&run.to_collection(), CollectionType::Run, "")?;
        runs.push(RUN_PUT);
        let (count, secs) = put_calexps(&repo, p, &run)?;
        rec.seconds("put_calexp", secs, Some(count)).note(
            "durability `full` (default): file + directory fsync before the SQLite commit (WAL, synchronous=FULL), one transaction per put",
        );
        let t = Instant::now();
        for v in 1..=p.visits {
            let bytes = format!("n_detectors: {}\nvisit: {v}\n", p.detectors);
            repo.put(
                bytes.as_bytes(),
                "visitSummary",
                &data_id(&[("instrument", INSTRUMENT.into()), ("visit", v.into())]),
                &run,
            )?;
        }
        rec.since("put_visitSummary", t, Some(p.visits as u64));
        // The same puts with the Python Butler's guarantee: only the registry commit is synced.
        let side_root = p.work.join("repo_put_durability_registry");
        let config = RepoConfig {
            durability: Durability::Registry,
            ..RepoConfig::default()
        };
        let side = Repository::create(&side_root, &universe, config)?;
        for (element, rows) in dimension_rows(p.visits, p.detectors) {
            insert_rows(&side, &universe, element, rows)?;
        }
        register_types(&side, &universe)?;
        let (count, secs) = put_calexps(&side, p, &run)?;
        rec.seconds("put_calexp_durability_registry", secs, Some(count)).note(
            "durability `registry` (a side repository): only the SQLite commit is fsynced, the Python Butler's guarantee",
        );
        drop(side);
        let _ = std::fs::remove_dir_all(&side_root);
    }
    if p.ops.contains("ingest") {
        let staging = p.work.join("staging");
        let t = Instant::now();
        let mut bytes_total = 0;
        for v in 1..=p.visits {
            let dir = staging.join(format!("{v:07}"));
            std::fs::create_dir_all(&dir)?;
            for d in 0..p.detectors {
                let text = payload(v, d);
                bytes_total += text.len();
                std::fs::write(dir.join(format!("calexp_{v:07}_{d:03}.yaml")), text)?;
            }
        }
        let n = (p.visits * p.detectors) as u64;
        rec.since("make_staging_files", t, Some(n))
            .note(format!("mean file {:.1} B", bytes_total as f64 / n as f64));
        for (mode, run_name, transfer) in INGEST_MODES {
            let run = RunName::parse(run_name)?;
            repo.registry()
                .register_collection(&run.to_collection(), CollectionType::Run, "")?;
            runs.push(run_name);
            let t = Instant::now();
            let mut files = Vec::with_capacity(n as usize);
            for v in 1..=p.visits {
                for d in 0..p.detectors {
                    files.push(IngestFile {
                        path: staging
                            .join(format!("{v:07}"))
                            .join(format!("calexp_{v:07}_{d:03}.yaml")),
                        data_id: calexp_id(v, d),
                    });
                }
            }
            rec.since(
                &format!("ingest_build_refs_{mode}"),
                t,
                Some(files.len() as u64),
            );
            let opts = IngestOptions {
                transfer,
                id_mode: DatasetIdGenMode::Unique,
                formatter: Some(YAML_FORMATTER.to_owned()),
            };
            let t = Instant::now();
            let refs = repo.ingest("calexp", &run, &files, &opts, &NoProgress)?;
            rec.since(&format!("ingest_{mode}"), t, Some(refs.len() as u64))
                .note("one call, one transaction");
        }
    }

    // e. Collections.
    if p.ops.contains("collections") {
        let t = Instant::now();
        let tagged = collection(TAGGED)?;
        repo.registry()
            .register_collection(&tagged, CollectionType::Tagged, "")?;
        let (refs, _) = repo.registry().query_datasets(&calexp_query(
            &[primary],
            &[("instrument", INSTRUMENT.into()), ("band", "r".into())],
        )?)?;
        repo.registry().associate(&tagged, &refs)?;
        rec.since("define_tagged_and_associate", t, Some(refs.len() as u64));
        let children: Vec<CollectionName> = std::iter::once(TAGGED)
            .chain(runs.iter().copied())
            .map(collection)
            .collect::<Result<_>>()?;
        let t = Instant::now();
        repo.registry()
            .set_chain(&collection(CHAIN)?, &children, None)?;
        rec.since("define_chain", t, Some(children.len() as u64));
    }
    drop(repo);

    // f. Queries.
    if p.ops.contains("queries") {
        queries(p, &root, primary, rec)?;
    }

    // h. Export / import.
    if p.ops.contains("export") {
        export_import(p, &root, primary, &universe, rec)?;
    }
    rec.since("total_wall", t_all, None);
    Ok(())
}

fn queries(p: &Params, root: &Path, primary: &str, rec: &mut Recorder) -> Result<()> {
    let x = where_threshold(p.visits);
    let expected = expected_query_count(p.visits, p.detectors);
    let t = Instant::now();
    let repo = Repository::open(root)?;
    rec.since("butler_open", t, None);
    let reg = repo.registry();
    let w = format!("visit > {x} AND band = 'r'");
    // As the anchor: `instrument="DemoCam"` is a data ID argument beside the expression.
    let with_where = |collections: &[&str], expression: &str| -> Result<DatasetQuery> {
        let mut q = calexp_query(collections, &[("instrument", INSTRUMENT.into())])?;
        q.filter.expression = expression.to_owned();
        Ok(q)
    };
    let check = |label: &str, n: u64| -> Result<()> {
        ensure!(
            n == expected,
            "{label}: {n} rows, the anchor expects {expected}"
        );
        Ok(())
    };
    let count = |q: &DatasetQuery| -> Result<u64> { Ok(reg.query_datasets(q)?.0.len() as u64) };
    let w_run = with_where(&[primary], &w)?;
    let n = time_query(rec, "query_datasets_run", 5, None, || count(&w_run))?;
    check("query_datasets_run", n)?;
    let w_chain = with_where(&[CHAIN], &w)?;
    let n = time_query(rec, "query_datasets_chain_findfirst", 5, None, || {
        count(&w_chain)
    })?;
    check("query_datasets_chain_findfirst", n)?;
    let tagged = with_where(&[TAGGED], &format!("visit > {x}"))?;
    let n = time_query(rec, "query_datasets_tagged", 5, None, || count(&tagged))?;
    check("query_datasets_tagged", n)?;
    let n = time_query(
        rec,
        "query_datasets_run_with_records",
        5,
        Some("the W query, then expand_data_id(with records) per ref"),
        || {
            let (refs, _) = reg.query_datasets(&w_run)?;
            let mut n = 0;
            for r in &refs {
                let e = reg.expand_data_id(&r.data_id, true)?;
                ensure!(e.has_records(), "expanded data ID without records");
                n += 1;
            }
            Ok(n)
        },
    )?;
    check("query_datasets_run_with_records", n)?;
    let instrument_only = || Filter {
        data_id: data_id(&[("instrument", INSTRUMENT.into())]),
        ..Filter::default()
    };
    let ids = DataIdQuery {
        dimensions: vec!["visit".into(), "detector".into()],
        filter: Filter {
            expression: w.clone(),
            ..instrument_only()
        },
        datasets: Vec::new(),
        collections: Vec::new(),
        limit: Limit::Unlimited,
    };
    let n = time_query(rec, "query_data_ids_visit_detector", 5, None, || {
        Ok(reg.query_data_ids(&ids)?.0.len() as u64)
    })?;
    check("query_data_ids_visit_detector", n)?;
    let visits_r = DimensionRecordQuery {
        element: "visit".into(),
        filter: Filter {
            expression: "band = 'r'".into(),
            ..instrument_only()
        },
        limit: Limit::Unlimited,
    };
    time_query(rec, "query_dimension_records_visit", 5, None, || {
        Ok(reg.query_dimension_records(&visits_r)?.0.len() as u64)
    })?;
    time_query(rec, "query_dimension_records_detector", 5, None, || {
        let (recs, _) = reg.query_dimension_records(&DimensionRecordQuery {
            element: "detector".into(),
            filter: instrument_only(),
            limit: Limit::Unlimited,
        })?;
        Ok(recs.len() as u64)
    })?;
    let chain = [collection(CHAIN)?];
    let primary_path = [collection(primary)?];
    let last = p.visits.min(50);
    time_query(
        rec,
        "find_dataset_x50",
        2,
        Some("data ID standardised + find along the 5-child chain, per call"),
        || {
            for v in 1..=last {
                let did = repo.data_id("calexp", &calexp_id(v, 0))?;
                ensure!(
                    reg.find_dataset("calexp", &did, &chain, None)?.is_some(),
                    "calexp visit={v} detector=0 not found in {CHAIN}"
                );
            }
            Ok(last as u64)
        },
    )?;
    time_query(
        rec,
        "get_x50",
        2,
        Some("find + file read + YAML parse (serde_yaml::Value)"),
        || {
            for v in 1..=last {
                let did = repo.data_id("calexp", &calexp_id(v, 0))?;
                let r = reg
                    .find_dataset("calexp", &did, &primary_path, None)?
                    .with_context(|| format!("calexp visit={v} not in {primary}"))?;
                let bytes = repo.get(&r)?;
                let value: serde_yaml::Value = serde_yaml::from_slice(&bytes)?;
                ensure!(
                    value.get("visit").and_then(serde_yaml::Value::as_i64) == Some(v),
                    "payload of visit {v} is wrong"
                );
            }
            Ok(last as u64)
        },
    )?;
    drop(repo);

    // CLI rows: the built binary, as a subprocess.
    let w = format!("instrument = '{INSTRUMENT}' AND visit > {x} AND band = 'r'");
    let root_s = root.to_string_lossy().into_owned();
    let base = vec![
        "query-datasets",
        root_s.as_str(),
        "calexp",
        "--collections",
        primary,
    ];
    let attempts = [Attempt {
        args: [base, vec!["--where", &w, "--limit", "0"]].concat(),
        note: None,
    }];
    cli_row(rec, &p.satellite, "cli_query_datasets", &attempts, None);
    let mut times = Vec::new();
    let mut problem = None;
    for _ in 0..p.help_runs.max(1) {
        let t = Instant::now();
        let out = Command::new(&p.satellite).arg("--help").output();
        times.push(t.elapsed().as_secs_f64());
        match out {
            Ok(o)
                if o.status.success()
                    && String::from_utf8_lossy(&o.stdout)
                        .to_lowercase()
                        .contains("usage") => {}
            Ok(o) => {
                problem = Some(format!(
                    "`satellite --help` exit {}, no usage text (placeholder binary?)",
                    o.status
                ))
            }
            Err(e) => problem = Some(format!("cannot run `{}`: {e}", p.satellite.display())),
        }
    }
    times.sort_by(f64::total_cmp);
    let r = rec.seconds("cli_startup_help", median(&times), None);
    r.note(format!(
        "median of {} runs (min {:.1} ms)",
        times.len(),
        times[0] * 1e3
    ));
    if let Some(problem) = problem {
        r.error = Some(problem);
    }
    Ok(())
}

/// One way of calling our CLI for a row, with what it changes from the Python call.
struct Attempt<'a> {
    args: Vec<&'a str>,
    note: Option<String>,
}

/// Runs our CLI, trying each form in turn (the Python form first); a failure is a row with
/// the error, not fatal. `n` is the number of `calexp` lines printed, or `n_fixed`.
fn cli_row(
    rec: &mut Recorder,
    exe: &Path,
    op: &str,
    attempts: &[Attempt<'_>],
    n_fixed: Option<u64>,
) {
    let mut failures = Vec::new();
    for a in attempts {
        let t = Instant::now();
        let out = Command::new(exe).args(&a.args).output();
        let secs = t.elapsed().as_secs_f64();
        match out {
            Ok(o) if o.status.success() => {
                let rows = String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter(|l| l.starts_with("calexp"))
                    .count() as u64;
                let row = rec.seconds(op, secs, n_fixed.or(Some(rows)));
                let mut note = format!(
                    "`satellite {}`",
                    a.args
                        .iter()
                        .map(|s| if s.contains(' ') {
                            format!("\"{s}\"")
                        } else {
                            (*s).to_owned()
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                if let Some(n) = &a.note {
                    note.push_str(&format!(" ({n})"));
                }
                if !failures.is_empty() {
                    note.push_str(&format!(
                        "; the Python form failed: {}",
                        failures.join("; ")
                    ));
                }
                row.note(note);
                return;
            }
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr);
                let first: String = err
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .chars()
                    .take(120)
                    .collect();
                failures.push(format!("{}: {first}", o.status));
            }
            Err(e) => failures.push(format!("cannot run `{}`: {e}", exe.display())),
        }
    }
    rec.skipped(
        op,
        &format!(
            "`satellite {}` failed: {}",
            attempts.first().map_or("", |a| a.args[0]),
            failures.join("; ")
        ),
    );
}

fn export_import(
    p: &Params,
    root: &Path,
    primary: &str,
    universe: &DimensionUniverse,
    rec: &mut Recorder,
) -> Result<()> {
    let src = Repository::open(root)?;
    let (refs, _) = src
        .registry()
        .query_datasets(&calexp_query(&[primary], &[])?)?;
    let n = refs.len() as u64;
    let exp_dir = p.work.join("export");
    let t = Instant::now();
    let exp_file = src.export(&refs, &[], &exp_dir, None, &NoProgress)?;
    let size = std::fs::metadata(&exp_file).map(|m| m.len()).unwrap_or(0);
    rec.since("export_yaml", t, Some(n))
        .note(format!("export.yaml {:.1} MB", size as f64 / 1e6));
    drop(src);
    for (mode, transfer) in [
        ("direct", TransferMode::Direct),
        ("symlink", TransferMode::Symlink),
    ] {
        let dest = Repository::create(
            &p.work.join(format!("repo_import_{mode}")),
            universe,
            RepoConfig::default(),
        )?;
        let opts = ImportOptions {
            transfer: Some(transfer),
            ..Default::default()
        };
        let t = Instant::now();
        let added = dest.import(root, &exp_file, &opts, &NoProgress)?;
        rec.since(&format!("import_yaml_{mode}"), t, Some(added as u64));
        ensure!(
            added as u64 == n,
            "import_yaml_{mode}: {added} datasets imported, {n} exported"
        );
    }
    let dest = p.work.join("repo_import_cli");
    drop(Repository::create(&dest, universe, RepoConfig::default())?);
    let (dest_s, root_s, exp_s) = (
        dest.to_string_lossy().into_owned(),
        root.to_string_lossy().into_owned(),
        exp_file.to_string_lossy().into_owned(),
    );
    let base = vec![
        "import",
        dest_s.as_str(),
        root_s.as_str(),
        "--export-file",
        exp_s.as_str(),
    ];
    let attempts = [
        Attempt {
            args: [base.clone(), vec!["-t", "direct"]].concat(),
            note: None,
        },
        Attempt {
            args: [base, vec!["--transfer", "direct"]].concat(),
            note: Some("`--transfer` for Python's `-t`".into()),
        },
    ];
    cli_row(rec, &p.satellite, "cli_import_direct", &attempts, Some(n));
    Ok(())
}
