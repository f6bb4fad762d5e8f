//! `butler-server demo-repo`: the demo official repository, built through the library and read
//! back with `satellite-core` and astropy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use butler_server::demo_repo::{run, DemoRepoArgs, Summary, DEFAULT_COLLECTION};
use satellite_core::model::{
    CollectionName, CollectionType, DataIdValue, DatasetRef, DatasetTypeName, RecordValue, Region,
    Timespan,
};
use satellite_core::registry::{DatasetQuery, Filter};
use satellite_core::repository::{RepoConfig, Repository};

const NIGHTS: [&str; 3] = ["20260101", "20260102", "20260103"];

fn build(dir: &Path, visits: u32, detectors: u32, nights: u32) -> Summary {
    let mut args = DemoRepoArgs::new(dir);
    (args.visits, args.detectors, args.nights) = (visits, detectors, nights);
    let mut messages = Vec::new();
    let summary = run(&args, |m| messages.push(m.to_owned())).unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("ingested") && m.contains(" raw datasets (")),
        "progress names what was made: {messages:#?}"
    );
    summary
}

fn default_demo() -> (tempfile::TempDir, Summary) {
    let tmp = tempfile::tempdir().unwrap();
    let summary = build(&tmp.path().join("demo"), 12, 4, 3);
    (tmp, summary)
}

/// Every dataset of the repository through the default chain, sorted by type and data ID.
fn all_datasets(repo: &Repository, expression: &str) -> Vec<DatasetRef> {
    let query = DatasetQuery {
        dataset_types: ["raw", "calexp", "visitSummary"]
            .into_iter()
            .map(|t| DatasetTypeName::parse(t).unwrap())
            .collect(),
        collections: vec![CollectionName::parse(DEFAULT_COLLECTION).unwrap()],
        filter: Filter {
            expression: expression.to_owned(),
            defaults: repo.query_defaults().unwrap(),
            ..Filter::default()
        },
        find_first: true,
        ..DatasetQuery::default()
    };
    let (refs, truncated) = repo.registry().query_datasets(&query).unwrap();
    assert!(!truncated);
    refs
}

fn query_calexps(repo: &Repository, expression: &str) -> Vec<(i64, i64, String)> {
    let query = DatasetQuery {
        dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()],
        collections: vec![CollectionName::parse(DEFAULT_COLLECTION).unwrap()],
        filter: Filter {
            expression: expression.to_owned(),
            defaults: repo.query_defaults().unwrap(),
            ..Filter::default()
        },
        find_first: true,
        ..DatasetQuery::default()
    };
    let (refs, _) = repo.registry().query_datasets(&query).unwrap();
    refs.iter()
        .map(|r| (int(r, "visit"), int(r, "detector"), r.run.to_string()))
        .collect()
}

fn int(r: &DatasetRef, dimension: &str) -> i64 {
    match r.data_id.get(dimension) {
        Some(DataIdValue::Int(i)) => *i,
        other => panic!("{dimension} of {r} is {other:?}"),
    }
}

fn path_of(repo: &Repository, r: &DatasetRef) -> PathBuf {
    let files = repo.registry().file_records(r.id).unwrap();
    assert_eq!(files.len(), 1, "{r}");
    repo.datastore().absolute_path(&files[0]).unwrap()
}

#[test]
fn the_default_demo_has_its_records_datasets_and_collections() {
    let (_tmp, summary) = default_demo();
    assert_eq!(
        (summary.visits, summary.detectors, summary.nights),
        (12, 4, 3)
    );
    assert_eq!(
        summary.datasets_by_type,
        [
            ("raw".to_owned(), 48),
            ("calexp".to_owned(), 48),
            ("visitSummary".to_owned(), 12)
        ]
    );
    assert_eq!(summary.datasets, 108);
    let mut expected: Vec<String> = NIGHTS.iter().map(|n| format!("DemoCam/raw/{n}")).collect();
    expected.extend(NIGHTS.iter().map(|n| format!("DemoCam/runs/{n}")));
    expected.push("DemoCam/defaults".into());
    assert_eq!(summary.collections, expected);
    let text = summary.to_string();
    assert!(
        text.contains("DemoCam, 12 visits × 4 detectors over 3 nights"),
        "{text}"
    );
    assert!(
        text.contains("108 datasets (48 raw, 48 calexp, 12 visitSummary)"),
        "{text}"
    );
    assert!(
        text.contains("7 collections; search them all with `DemoCam/defaults`"),
        "{text}"
    );

    let repo = Repository::open(&summary.root).unwrap();
    let registry = repo.registry();
    let count = |element: &str| registry.element_records(element).unwrap().len();
    let counts: BTreeMap<&str, usize> = [
        "instrument",
        "physical_filter",
        "detector",
        "day_obs",
        "group",
        "exposure",
        "visit_system",
        "visit",
        "visit_definition",
        "visit_system_membership",
        "visit_detector_region",
    ]
    .into_iter()
    .map(|e| (e, count(e)))
    .collect();
    assert_eq!(
        counts,
        BTreeMap::from([
            ("instrument", 1),
            ("physical_filter", 6),
            ("detector", 4),
            ("day_obs", 3),
            ("group", 12),
            ("exposure", 12),
            ("visit_system", 1),
            ("visit", 12),
            ("visit_definition", 12),
            ("visit_system_membership", 12),
            ("visit_detector_region", 48),
        ])
    );
    assert_eq!(
        summary.dimension_records,
        counts.values().sum::<usize>(),
        "the summary counts what was inserted"
    );
    assert_eq!(
        registry.dataset_counts().unwrap(),
        BTreeMap::from([
            ("calexp".to_owned(), 48),
            ("raw".to_owned(), 48),
            ("visitSummary".to_owned(), 12)
        ])
    );

    // The chain searches processed RUNs, then raw ones, newest night first; all are documented.
    let chain = registry.collection_record(DEFAULT_COLLECTION).unwrap();
    assert_eq!(chain.collection_type, CollectionType::Chained);
    let children: Vec<&str> = chain.children.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        children,
        [
            "DemoCam/runs/20260103",
            "DemoCam/runs/20260102",
            "DemoCam/runs/20260101",
            "DemoCam/raw/20260103",
            "DemoCam/raw/20260102",
            "DemoCam/raw/20260101",
        ]
    );
    assert!(
        chain.doc.contains("DemoCam demo repository"),
        "{}",
        chain.doc
    );
    for child in &chain.children {
        let rec = registry.collection_record(child.as_str()).unwrap();
        assert_eq!(rec.collection_type, CollectionType::Run);
        assert!(rec.doc.contains("day_obs 2026010"), "{child}: {}", rec.doc);
    }

    // Exposures are science exposures inside their night; visits and detectors have regions.
    let days = registry.element_records("day_obs").unwrap();
    let exposures = registry.element_records("exposure").unwrap();
    let instrument = DataIdValue::Str("DemoCam".into());
    let exposure = &exposures[&vec![instrument.clone(), DataIdValue::Int(5)]];
    assert_eq!(
        exposure.get("observation_type"),
        Some(&RecordValue::Str("science".into()))
    );
    assert_eq!(exposure.get("day_obs"), Some(&RecordValue::Int(20_260_102)));
    assert_eq!(
        exposure.get("physical_filter"),
        Some(&RecordValue::Str("DemoCam-y".into()))
    );
    let (Some(RecordValue::Timespan(exposure_time)), Some(RecordValue::Timespan(night))) = (
        exposure.get("timespan"),
        days[&vec![instrument.clone(), DataIdValue::Int(20_260_102)]].get("timespan"),
    ) else {
        panic!("timespans are missing");
    };
    assert!(
        exposure_time.begin >= night.begin && exposure_time.end <= night.end,
        "{exposure_time} inside {night}"
    );
    assert_eq!(
        exposure_time.begin,
        Some(Timespan::parse_tai_iso("2026-01-02 22:00").unwrap())
    );
    let region = |element: &str, key: Vec<DataIdValue>| -> Region {
        let records = registry.element_records(element).unwrap();
        match records[&key].get("region") {
            Some(RecordValue::Str(hex)) => Region::decode_hex(hex).unwrap(),
            other => panic!("{element} {key:?} has region {other:?}"),
        }
    };
    let visit_1 = region("visit", vec![instrument.clone(), DataIdValue::Int(1)]);
    assert!(visit_1.overlaps(&Region::point(53.0, -28.0).unwrap()));
    let detector = region(
        "visit_detector_region",
        vec![instrument, DataIdValue::Int(1), DataIdValue::Int(3)],
    );
    assert!(visit_1.overlaps(&detector));
    assert!(!detector.overlaps(&Region::point(60.0, -28.0).unwrap()));
}

#[test]
fn calexps_can_be_found_with_a_where_expression() {
    let (_tmp, summary) = default_demo();
    let repo = Repository::open(&summary.root).unwrap();
    // Bands cycle g r i z y u from visit 1, so the r-band visits are 2 and 8.
    assert_eq!(
        query_calexps(&repo, "visit > 2 AND band = 'r'"),
        (0..4)
            .map(|d| (8, d, "DemoCam/runs/20260102".to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        query_calexps(&repo, "day_obs = 20260103 AND detector = 0")
            .iter()
            .map(|(v, _, _)| *v)
            .collect::<Vec<_>>(),
        [9, 10, 11, 12]
    );
    // Visit 1's field centre is (53, -28); later visits step 0.05° east, so only the first
    // few cover that point, each with the detectors around the centre of the 2×2 grid.
    let here = query_calexps(
        &repo,
        "visit_detector_region.region OVERLAPS POINT(53.0, -28.0)",
    );
    assert!(!here.is_empty());
    assert!(here.iter().all(|(v, _, _)| *v <= 3), "{here:?}");
}

#[test]
fn the_files_are_valid_fits_per_astropy() {
    let (tmp, summary) = default_demo();
    let repo = Repository::open(&summary.root).unwrap();
    let refs = all_datasets(&repo, "");
    assert_eq!(refs.len(), 108);
    let mut sizes: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut listing = Vec::new();
    for r in &refs {
        let path = path_of(&repo, r);
        let size = std::fs::metadata(&path).unwrap().len();
        sizes
            .entry(r.dataset_type.name.to_string())
            .or_default()
            .push(size);
        listing.push(serde_json::json!({
            "path": path,
            "type": r.dataset_type.name.to_string(),
            "visit": int(r, if r.dataset_type.name.as_str() == "raw" { "exposure" } else { "visit" }),
        }));
    }
    assert_eq!(
        summary.bytes,
        sizes.values().flatten().sum::<u64>(),
        "the summary counts the bytes written"
    );
    for (t, s) in &sizes {
        assert!(s.iter().all(|n| n % 2880 == 0), "{t}: {s:?}");
        assert!(
            s.iter().all(|n| *n <= 12 * 1024),
            "{t} files are a few KB: {s:?}"
        );
    }
    assert_eq!(sizes["raw"][0], 2 * 2880);
    assert_eq!(sizes["calexp"][0], 3 * 2880);
    assert_eq!(sizes["visitSummary"][0], 4 * 2880);

    let list = tmp.path().join("files.json");
    std::fs::write(&list, serde_json::to_vec(&listing).unwrap()).unwrap();
    let script = r#"
import json, sys, warnings
import numpy as np
from astropy.io import fits
from astropy.io.fits.verify import VerifyWarning
warnings.simplefilter("error", VerifyWarning)
out = []
for item in json.load(open(sys.argv[1])):
    with fits.open(item["path"]) as hdus:
        hdus.verify("exception")
        h = hdus[0].header
        row = {"type": item["type"], "visit": item["visit"], "hdus": len(hdus),
               "naxis": h["NAXIS"], "instrume": h["INSTRUME"], "filter": h["FILTER"],
               "date_obs": h["DATE-OBS"], "exptime": h["EXPTIME"], "file_visit": h["VISIT"]}
        if h["NAXIS"] == 2:
            data = hdus[0].data
            row.update(shape=list(data.shape), dtype=str(data.dtype),
                       mean=float(np.mean(data)), max=float(np.max(data)),
                       finite=bool(np.all(np.isfinite(data))), detector=h["DETECTOR"],
                       bzero=h.get("BZERO"))
        else:
            table = hdus["SUMMARY"].data
            row.update(rows=len(table), columns=list(table.columns.names),
                       bands=sorted(set(table["band"].tolist())),
                       ids=[int(i) for i in table["id"]], ra_ok=bool(np.all(np.abs(table["ra"] - 53.5) < 1.0)))
        out.append(row)
print(json.dumps(out))
"#;
    let output = Command::new(python())
        .args(["-c", script])
        .arg(&list)
        .output()
        .expect("run the venv's Python");
    assert!(
        output.status.success(),
        "astropy could not read the demo files:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 108);
    for row in &rows {
        assert_eq!(row["instrume"], "DemoCam", "{row}");
        assert_eq!(row["visit"], row["file_visit"], "{row}");
        assert!(row["filter"].as_str().unwrap().starts_with("DemoCam-"));
        assert!(row["date_obs"].as_str().unwrap().starts_with("2026-01-0"));
        assert!(row["exptime"].as_f64().unwrap() > 0.0);
        match row["type"].as_str().unwrap() {
            "raw" => {
                assert_eq!(row["naxis"], 2);
                assert_eq!(row["shape"], serde_json::json!([32, 32]));
                assert_eq!(row["bzero"], 32768.0);
                assert_eq!(row["dtype"], "uint16", "{row}");
                let mean = row["mean"].as_f64().unwrap();
                assert!(mean > 1300.0 && mean < 2800.0, "bias + sky: {row}");
                assert!(row["max"].as_f64().unwrap() > mean + 150.0, "a star: {row}");
            }
            "calexp" => {
                assert_eq!(row["naxis"], 2);
                assert_eq!(row["dtype"], ">f4", "{row}");
                assert_eq!(row["finite"], true);
                assert!(
                    row["mean"].as_f64().unwrap().abs() < 300.0,
                    "sky removed: {row}"
                );
                assert!(row["max"].as_f64().unwrap() > 150.0, "a star: {row}");
            }
            "visitSummary" => {
                assert_eq!(row["naxis"], 0);
                assert_eq!(row["hdus"], 2);
                assert_eq!(row["rows"], 4);
                assert_eq!(row["ids"], serde_json::json!([0, 1, 2, 3]));
                assert_eq!(row["ra_ok"], true);
                let columns = row["columns"].as_array().unwrap();
                for c in ["id", "band", "ra", "dec", "psfSigma", "zeroPoint"] {
                    assert!(columns.iter().any(|x| x == c), "{c} in {row}");
                }
                assert_eq!(row["bands"].as_array().unwrap().len(), 1);
            }
            other => panic!("unexpected dataset type {other}"),
        }
    }
}

#[test]
fn a_rebuild_has_the_same_ids_and_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&a, 12, 4, 3);
    build(&b, 12, 4, 3);
    let contents = |root: &Path| {
        let repo = Repository::open(root).unwrap();
        all_datasets(&repo, "")
            .iter()
            .map(|r| {
                let path = path_of(&repo, r);
                let relative = path.strip_prefix(repo.root()).unwrap().to_owned();
                (
                    r.id,
                    r.run.to_string(),
                    relative,
                    std::fs::read(&path).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = contents(&a);
    assert_eq!(first.len(), 108);
    assert_eq!(first, contents(&b));
    // `--force` replaces a previous demo; the result is the same again.
    let mut args = DemoRepoArgs::new(&a);
    args.force = true;
    let mut messages = Vec::new();
    run(&args, |m| messages.push(m.to_owned())).unwrap();
    assert!(
        messages[0].starts_with("removing the previous demo repository"),
        "{messages:?}"
    );
    assert_eq!(first, contents(&a));
    assert!(
        !a.join(".demo-staging").exists(),
        "the staging directory is gone"
    );
}

#[test]
fn other_directories_are_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let mut args = DemoRepoArgs::new(&dir);
    let err = format!("{:#}", run(&args, |_| {}).unwrap_err());
    assert!(
        err.contains(
            "already exists and is not empty\nhint: choose a new directory, or pass `--force`"
        ),
        "{err}"
    );
    args.force = true;
    let err = format!("{:#}", run(&args, |_| {}).unwrap_err());
    assert!(
        err.contains(
            "is not a repository (it has no `satellite.yaml`), so `--force` will not delete it"
        ),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "mine"
    );

    // A repository with someone's own data is not a demo, even with `--force`.
    let personal = tmp.path().join("personal");
    let repo = Repository::create(
        &personal,
        &satellite_core::model::DimensionUniverse::default_universe(),
        RepoConfig::default(),
    )
    .unwrap();
    repo.registry()
        .register_collection(
            &CollectionName::parse("u/alice/notes").unwrap(),
            CollectionType::Tagged,
            "",
        )
        .unwrap();
    drop(repo);
    let mut args = DemoRepoArgs::new(&personal);
    args.force = true;
    let err = format!("{:#}", run(&args, |_| {}).unwrap_err());
    assert!(
        err.contains("holds the collection `u/alice/notes`, not only a previous demo"),
        "{err}"
    );
    assert!(Repository::open(&personal).is_ok());

    // An empty directory is used; bad sizes are refused before anything is made.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let mut args = DemoRepoArgs::new(&empty);
    args.nights = 13;
    let err = run(&args, |_| {}).unwrap_err().to_string();
    assert!(err.contains("`--nights` must be between 1 and the number of visits (12), not 13"));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    (args.visits, args.detectors, args.nights) = (1, 1, 1);
    let summary = run(&args, |_| {}).unwrap();
    assert_eq!(summary.datasets, 3);
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// The venv's Python; `scripts/test` creates it. A missing venv is a setup error, not a skip.
fn python() -> PathBuf {
    let p = std::env::var_os("SATELLITE_PYTHON")
        .map_or_else(|| workspace().join(".venv/bin/python"), PathBuf::from);
    assert!(
        p.exists(),
        "the Python venv with astropy is missing at {}; run `scripts/test` to create it, or set `SATELLITE_PYTHON`",
        p.display()
    );
    p
}
