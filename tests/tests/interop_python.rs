//! Interoperability with the real Python Butler (`lsst-daf-butler` from PyPI, installed by
//! `scripts/test` into the project's `.venv`):
//!
//! - dataset IDs in the deterministic modes are bit-identical to the ones it generates;
//! - a repository it exports (with files) imports into ours with the same IDs, data IDs,
//!   records, payloads and collection structure;
//! - a repository we export imports into it, and it reads every dataset back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use satellite_core::datastore::TransferMode;
use satellite_core::model::demo::DemoCamera;
use satellite_core::model::{
    CollectionName, CollectionType, DataCoordinate, DataIdValue, DatasetId, DatasetIdGenMode,
    DatasetType, DatasetTypeName, DimensionUniverse, RecordValue, RunName, StorageClassName,
    Timespan,
};
use satellite_core::registry::{DatasetQuery, RecordConflict};
use satellite_core::repository::{ImportOptions, NoProgress, RepoConfig, Repository};

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
        "the Python Butler venv is missing at {}; run `scripts/test` (it installs lsst-daf-butler)",
        p.display()
    );
    p
}

fn run_py(work: &Path, args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(workspace().join("tests/python/interop.py"))
        .args(args)
        .env("WORK", work)
        .output()
        .expect("run the Python Butler");
    assert!(
        out.status.success(),
        "interop.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("interop.py prints JSON")
}

fn to_data_id_value(v: &Value) -> DataIdValue {
    match v {
        Value::Number(n) => DataIdValue::Int(n.as_i64().expect("integer")),
        Value::String(s) => DataIdValue::Str(s.clone()),
        other => panic!("unexpected data ID value {other}"),
    }
}

#[test]
fn deterministic_dataset_ids_are_bit_identical_to_the_python_butler() {
    let work = tempfile::tempdir().unwrap();
    let cases = run_py(work.path(), &["ids"]);
    let u = DimensionUniverse::default_universe();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let dims: Vec<&str> = case["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        let group = Arc::new(u.group(dims).unwrap());
        let values: BTreeMap<String, DataIdValue> = case["data_id"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), to_data_id_value(v)))
            .collect();
        let data_id = DataCoordinate::standardize(&u, group, &values).unwrap();
        let name = case["dataset_type"].as_str().unwrap();
        let run = case["run"].as_str().unwrap();
        for (mode, key) in [
            (DatasetIdGenMode::DataIdType, "DATAID_TYPE"),
            (DatasetIdGenMode::DataIdTypeRun, "DATAID_TYPE_RUN"),
        ] {
            let ours = DatasetId::deterministic(mode, name, run, &data_id).unwrap();
            assert_eq!(
                ours.to_string(),
                case[key].as_str().unwrap(),
                "{key} for {name} {data_id}"
            );
        }
    }
}

/// What our repository holds, in the shape interop.py's `describe` prints.
fn describe(repo: &Repository, collections: &[&str]) -> Value {
    let reg = repo.registry();
    let all: Vec<CollectionName> = reg
        .collection_names()
        .unwrap()
        .iter()
        .map(|n| CollectionName::parse(n).unwrap())
        .collect();
    let types: Vec<DatasetTypeName> = reg
        .dataset_type_names()
        .unwrap()
        .iter()
        .map(|n| DatasetTypeName::parse(n).unwrap())
        .collect();
    let (refs, _) = reg
        .query_datasets(&DatasetQuery {
            dataset_types: types,
            collections: all,
            ..DatasetQuery::default()
        })
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut datasets: Vec<Value> = refs
        .iter()
        .filter(|r| seen.insert(r.id))
        .map(|r| {
            let payload: Value = serde_yaml::from_slice(&repo.get(r).unwrap()).unwrap();
            let data_id: serde_json::Map<String, Value> = r.data_id.required_map().into_iter().map(|(k, v)| (k, serde_json::to_value(v).unwrap())).collect();
            json!({"id": r.id.to_string(), "dataset_type": r.dataset_type.name.as_str(), "run": r.run.as_str(), "data_id": data_id, "payload": payload})
        })
        .collect();
    datasets.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let ts = |t: Option<i64>| t.map(|n| Timespan::format_tai_iso(n)[..19].to_owned());
    let mut cols = serde_json::Map::new();
    for name in collections {
        let rec = reg.collection_record(name).unwrap();
        let mut entry = json!({"type": rec.collection_type.as_str(), "doc": rec.doc});
        match rec.collection_type {
            CollectionType::Chained => {
                entry["children"] =
                    json!(rec.children.iter().map(|c| c.as_str()).collect::<Vec<_>>())
            }
            CollectionType::Tagged => {
                let mut ids: Vec<String> = reg
                    .tagged_dataset_ids(name)
                    .unwrap()
                    .iter()
                    .map(|i| i.to_string())
                    .collect();
                ids.sort();
                entry["ids"] = json!(ids);
            }
            CollectionType::Calibration => {
                let mut v: Vec<Value> = reg
                    .calibration_associations(name)
                    .unwrap()
                    .iter()
                    .map(|(id, t)| json!([id.to_string(), ts(t.begin), ts(t.end)]))
                    .collect();
                v.sort_by_key(|x| x.to_string());
                entry["validity"] = json!(v);
            }
            CollectionType::Run => {}
        }
        cols.insert((*name).to_owned(), entry);
    }
    json!({"datasets": datasets, "collections": cols})
}

fn sorted_validity(v: &mut Value) {
    if let Some(obj) = v["collections"].as_object_mut() {
        for entry in obj.values_mut() {
            if let Some(arr) = entry.get_mut("validity").and_then(Value::as_array_mut) {
                arr.sort_by_key(|x| x.to_string());
            }
        }
    }
}

/// Imports `work/<export>/export.yaml` (copying files) into a new repository `work/ours`;
/// returns it and the number of datasets added.
fn import_into_new_repo(work: &Path, export: &str) -> (Repository, usize) {
    let export_dir = work.join(export);
    let repo = Repository::create(
        &work.join("ours"),
        &DimensionUniverse::default_universe(),
        RepoConfig::default(),
    )
    .unwrap();
    let options = ImportOptions {
        transfer: Some(TransferMode::Copy),
        ..ImportOptions::default()
    };
    let n = repo
        .import(
            &export_dir,
            &export_dir.join("export.yaml"),
            &options,
            &NoProgress,
        )
        .unwrap();
    (repo, n)
}

const PY_COLLECTIONS: [&str; 5] = [
    "DemoCam/runs/py",
    "DemoCam/calib/bias",
    "DemoCam/tagged",
    "DemoCam/calib",
    "DemoCam/defaults",
];

#[test]
fn a_python_butler_export_imports_with_the_same_ids_records_and_collections() {
    let work = tempfile::tempdir().unwrap();
    let mut expected = run_py(work.path(), &["make-export", work.path().to_str().unwrap()]);
    let (repo, n) = import_into_new_repo(work.path(), "export");
    assert_eq!(n, 15, "12 calexps and 3 biases");
    let mut ours = describe(&repo, &PY_COLLECTIONS);
    sorted_validity(&mut ours);
    sorted_validity(&mut expected);
    assert_eq!(ours["datasets"], expected["datasets"]);
    assert_eq!(ours["collections"], expected["collections"]);
    // Every record the data IDs need came along.
    let reg = repo.registry();
    for (element, count) in [
        ("instrument", 1),
        ("detector", 3),
        ("visit", 4),
        ("day_obs", 1),
    ] {
        assert_eq!(
            reg.element_records(element).unwrap().len(),
            count,
            "{element}"
        );
    }
    let day = reg
        .element_records("day_obs")
        .unwrap()
        .values()
        .next()
        .cloned()
        .unwrap();
    assert!(matches!(day.get("timespan"), Some(RecordValue::Timespan(t)) if t.begin.is_some()));
}

#[test]
fn our_export_imports_into_the_python_butler_which_reads_it_back() {
    let work = tempfile::tempdir().unwrap();
    let u = DimensionUniverse::default_universe();
    let repo = Repository::create(&work.path().join("ours"), &u, RepoConfig::default()).unwrap();
    let reg = repo.registry();
    let camera = DemoCamera {
        visits: 4,
        detectors: 3,
    };
    for (element, records) in camera.records(&u).unwrap() {
        reg.insert_dimension_records(element, &records, RecordConflict::Fail)
            .unwrap();
    }
    let sc = StorageClassName::parse("StructuredDataDict").unwrap();
    reg.register_dataset_type(&DatasetType {
        name: DatasetTypeName::parse("calexp").unwrap(),
        dimensions: u.group(["visit", "detector"]).unwrap(),
        storage_class: sc.clone(),
        is_calibration: false,
    })
    .unwrap();
    reg.register_dataset_type(&DatasetType {
        name: DatasetTypeName::parse("bias").unwrap(),
        dimensions: u.group(["detector"]).unwrap(),
        storage_class: sc,
        is_calibration: true,
    })
    .unwrap();
    let name = |n: &str| CollectionName::parse(n).unwrap();
    reg.register_collection(
        &name("DemoCam/runs/py"),
        CollectionType::Run,
        "calexps written by Satellite Butler",
    )
    .unwrap();
    let data_id = |pairs: &[(&str, DataIdValue)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut refs = Vec::new();
    for vi in 1..=4 {
        for di in 0..3 {
            let payload = format!(
                "visit: {vi}\ndetector: {di}\nzeropoint: {}\n",
                27.0 + f64::from(di as i32) / 10.0
            );
            let id = data_id(&[
                ("instrument", "DemoCam".into()),
                ("visit", vi.into()),
                ("detector", di.into()),
            ]);
            refs.push(
                repo.put(
                    payload.as_bytes(),
                    "calexp",
                    &id,
                    &RunName::parse("DemoCam/runs/py").unwrap(),
                )
                .unwrap(),
            );
        }
    }
    let biases: Vec<_> = (0..3)
        .map(|di| {
            repo.put(
                format!("bias: {di}\n").as_bytes(),
                "bias",
                &data_id(&[("instrument", "DemoCam".into()), ("detector", di.into())]),
                &RunName::parse("DemoCam/calib/bias").unwrap(),
            )
            .unwrap()
        })
        .collect();
    reg.register_collection(
        &name("DemoCam/tagged"),
        CollectionType::Tagged,
        "hand-picked calexps",
    )
    .unwrap();
    reg.associate(&name("DemoCam/tagged"), &refs[..5]).unwrap();
    reg.register_collection(&name("DemoCam/calib"), CollectionType::Calibration, "")
        .unwrap();
    let t = |x: &str| Some(Timespan::parse_tai_iso(x).unwrap());
    reg.certify(
        &name("DemoCam/calib"),
        &biases,
        Timespan::new(t("2025-01-01 00:00:00"), t("2025-06-01 00:00:00")),
    )
    .unwrap();
    reg.certify(
        &name("DemoCam/calib"),
        &biases[..1],
        Timespan::new(t("2025-06-01 00:00:00"), None),
    )
    .unwrap();
    reg.set_chain(
        &name("DemoCam/defaults"),
        &[
            name("DemoCam/tagged"),
            name("DemoCam/runs/py"),
            name("DemoCam/calib"),
        ],
        Some("the search path"),
    )
    .unwrap();
    let all: Vec<_> = refs.iter().chain(&biases).cloned().collect();
    let out = work.path().join("export");
    repo.export(
        &all,
        &[
            name("DemoCam/tagged"),
            name("DemoCam/calib"),
            name("DemoCam/defaults"),
        ],
        &out,
        Some(TransferMode::Copy),
        &NoProgress,
    )
    .unwrap();

    let mut args = vec![
        "import-and-read",
        out.to_str().unwrap(),
        work.path().to_str().unwrap(),
    ];
    args.extend(PY_COLLECTIONS);
    let mut theirs = run_py(work.path(), &args);
    let mut ours = describe(&repo, &PY_COLLECTIONS);
    sorted_validity(&mut ours);
    sorted_validity(&mut theirs);
    assert_eq!(theirs["datasets"].as_array().unwrap().len(), 15);
    assert_eq!(
        theirs["datasets"], ours["datasets"],
        "the Python Butler reads the same datasets, IDs and payloads"
    );
    assert_eq!(theirs["collections"], ours["collections"]);
}

#[test]
fn imported_raws_land_at_the_paths_the_python_butler_chose() {
    let work = tempfile::tempdir().unwrap();
    let expected = run_py(
        work.path(),
        &["make-raw-export", work.path().to_str().unwrap()],
    );
    let (repo, n) = import_into_new_repo(work.path(), "raw_export");
    assert_eq!(n, 4);
    let expected = expected.as_object().unwrap();
    assert_eq!(expected.len(), 4);
    for (id, path) in expected {
        let files = repo.registry().file_records(id.parse().unwrap()).unwrap();
        assert_eq!(
            files[0].path,
            path.as_str().unwrap(),
            "raw {id}: the raw-like template and the exposure's obs_id"
        );
    }
}
