//! The registry conformance suite: every backend runs these, through one constructor.
//!
//! Each test is written against the registry's public operations only, so a new backend
//! (PostgreSQL) instantiates the same suite with its own constructor.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::demo::DemoCamera;
use crate::model::{
    CollectionName, CollectionType, DataCoordinate, DataIdValue, DatasetId, DatasetIdGenMode,
    DatasetType, DatasetTypeName, DimensionRecord, DimensionUniverse, RecordValue, RunName,
    StorageClassName, Timespan,
};
use crate::registry::{
    DatasetQuery, DimensionRecordQuery, Filter, Limit, RecordConflict, RegistryError,
    SqliteRegistry,
};

/// A fresh registry in a temp dir (kept alive with it).
fn sqlite() -> (tempfile::TempDir, SqliteRegistry) {
    let dir = tempfile::tempdir().expect("temp dir");
    let reg = SqliteRegistry::create(
        &dir.path().join("registry.sqlite3"),
        &DimensionUniverse::default_universe(),
    )
    .expect("create");
    (dir, reg)
}

fn rec(reg: &SqliteRegistry, element: &str, pairs: &[(&str, RecordValue)]) -> DimensionRecord {
    let map: BTreeMap<String, RecordValue> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    DimensionRecord::new(reg.universe(), element, map).expect("valid record")
}

fn s(v: &str) -> RecordValue {
    RecordValue::Str(v.to_owned())
}

/// DemoCam with 2 detectors and 4 visits (bands cycle g, r, i, z).
fn populate(reg: &SqliteRegistry) {
    let camera = DemoCamera {
        visits: 4,
        detectors: 2,
    };
    for (element, records) in camera.records(reg.universe()).unwrap() {
        reg.insert_dimension_records(element, &records, RecordConflict::Fail)
            .unwrap();
    }
    let calexp = DatasetType {
        name: DatasetTypeName::parse("calexp").unwrap(),
        dimensions: reg.universe().group(["visit", "detector"]).unwrap(),
        storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
        is_calibration: false,
    };
    assert!(reg.register_dataset_type(&calexp).unwrap());
    let bias = DatasetType {
        name: DatasetTypeName::parse("bias").unwrap(),
        dimensions: reg.universe().group(["detector"]).unwrap(),
        storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
        is_calibration: true,
    };
    assert!(reg.register_dataset_type(&bias).unwrap());
}

fn calexp_id(reg: &SqliteRegistry, visit: i64, detector: i64) -> DataCoordinate {
    let g = Arc::new(reg.universe().group(["visit", "detector"]).unwrap());
    DataCoordinate::from_required(g, vec!["DemoCam".into(), detector.into(), visit.into()]).unwrap()
}

fn name(n: &str) -> CollectionName {
    CollectionName::parse(n).unwrap()
}

fn put_run(
    reg: &SqliteRegistry,
    run: &str,
    visits: std::ops::RangeInclusive<i64>,
) -> Vec<DatasetId> {
    let run = RunName::parse(run).unwrap();
    let mut items = Vec::new();
    for v in visits {
        for d in 0..2 {
            let data_id = calexp_id(reg, v, d);
            items.push((
                DatasetId::generate(
                    DatasetIdGenMode::DataIdTypeRun,
                    "calexp",
                    run.as_str(),
                    &data_id,
                ),
                data_id,
            ));
        }
    }
    reg.insert_datasets(&run, "calexp", &items).unwrap();
    items.into_iter().map(|(id, _)| id).collect()
}

fn query(reg: &SqliteRegistry, collections: &[&str], find_first: bool) -> Vec<(String, i64, i64)> {
    let q = DatasetQuery {
        dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()],
        collections: collections.iter().map(|c| name(c)).collect(),
        find_first,
        ..DatasetQuery::default()
    };
    let (refs, _) = reg.query_datasets(&q).unwrap();
    refs.iter()
        .map(|r| {
            let v = |k| match r.data_id.get(k) {
                Some(DataIdValue::Int(i)) => *i,
                _ => -1,
            };
            (r.run.to_string(), v("visit"), v("detector"))
        })
        .collect()
}

macro_rules! conformance {
    ($make:expr) => {
        #[test]
        fn datasets_are_unique_per_run_and_data_id() {
            let (_d, reg) = $make;
            populate(&reg);
            put_run(&reg, "run/a", 1..=2);
            let dup = calexp_id(&reg, 1, 0);
            let err = reg.insert_datasets(&RunName::parse("run/a").unwrap(), "calexp", &[(DatasetId::new_unique(), dup)]).unwrap_err();
            assert_eq!(err.to_string(), "a `calexp` dataset with data ID {instrument: 'DemoCam', detector: 0, visit: 1} already exists in `run/a`");
            assert_eq!(query(&reg, &["run/a"], false).len(), 4);
        }

        #[test]
        fn a_failed_batch_leaves_nothing_behind() {
            let (_d, reg) = $make;
            populate(&reg);
            let run = RunName::parse("run/b").unwrap();
            let good = calexp_id(&reg, 1, 0);
            let missing_visit = calexp_id(&reg, 99, 0);
            let err = reg
                .insert_datasets(&run, "calexp", &[(DatasetId::new_unique(), good), (DatasetId::new_unique(), missing_visit)])
                .unwrap_err();
            assert_eq!(err.to_string(), "no `visit` record for {instrument: 'DemoCam', id: 99}");
            assert!(reg.collection("run/b").is_err(), "the RUN created inside the failed transaction is gone");
        }

        #[test]
        fn find_first_follows_chain_order() {
            let (_d, reg) = $make;
            populate(&reg);
            put_run(&reg, "run/old", 1..=4);
            put_run(&reg, "run/new", 1..=2);
            reg.set_chain(&name("chain"), &[name("run/new"), name("run/old")], Some("the defaults")).unwrap();
            let found = query(&reg, &["chain"], true);
            assert_eq!(found.len(), 8);
            assert!(found.iter().filter(|r| r.1 <= 2).all(|r| r.0 == "run/new"));
            assert!(found.iter().filter(|r| r.1 > 2).all(|r| r.0 == "run/old"));
            assert_eq!(query(&reg, &["chain"], false).len(), 12);
            let hit = reg.find_dataset("calexp", &calexp_id(&reg, 3, 1), &[name("chain")], None).unwrap().unwrap();
            assert_eq!(hit.run.as_str(), "run/old");
            assert!(reg.find_dataset("calexp", &calexp_id(&reg, 4, 7), &[name("chain")], None).unwrap().is_none());
            assert_eq!(reg.collection_record("chain").unwrap().doc, "the defaults");
        }

        #[test]
        fn chains_refuse_cycles() {
            let (_d, reg) = $make;
            populate(&reg);
            put_run(&reg, "r", 1..=1);
            reg.set_chain(&name("a"), &[name("r")], None).unwrap();
            reg.set_chain(&name("b"), &[name("a")], None).unwrap();
            let err = reg.set_chain(&name("a"), &[name("b")], None).unwrap_err();
            assert!(matches!(err, RegistryError::ChainCycle { .. }), "{err}");
            assert!(matches!(reg.set_chain(&name("a"), &[name("a")], None), Err(RegistryError::ChainCycle { .. })));
            assert_eq!(reg.chain_children("a").unwrap(), [name("r")]);
        }

        #[test]
        fn tagged_collections_associate_and_disassociate() {
            let (_d, reg) = $make;
            populate(&reg);
            put_run(&reg, "run", 1..=4);
            reg.register_collection(&name("tag"), CollectionType::Tagged, "").unwrap();
            let (refs, _) = reg
                .query_datasets(&DatasetQuery {
                    dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()],
                    collections: vec![name("run")],
                    filter: Filter {
                        data_id: [("band".to_owned(), DataIdValue::from("r"))].into(),
                        ..Filter::default()
                    },
                    ..DatasetQuery::default()
                })
                .unwrap();
            assert_eq!(refs.len(), 2, "visit 2 has band r");
            reg.associate(&name("tag"), &refs).unwrap();
            reg.associate(&name("tag"), &refs).unwrap();
            assert_eq!(query(&reg, &["tag"], true).len(), 2);
            assert_eq!(reg.disassociate(&name("tag"), &refs[..1]).unwrap(), 1);
            assert_eq!(reg.tagged_dataset_ids("tag").unwrap(), [refs[1].id]);
        }

        #[test]
        fn calibrations_have_non_overlapping_validity_ranges() {
            let (_d, reg) = $make;
            populate(&reg);
            let run = RunName::parse("calib/run").unwrap();
            let g = Arc::new(reg.universe().group(["detector"]).unwrap());
            let d0 = DataCoordinate::from_required(g, vec!["DemoCam".into(), 0.into()]).unwrap();
            let (a, b) = (DatasetId::new_unique(), DatasetId::new_unique());
            reg.insert_datasets(&run, "bias", &[(a, d0.clone())]).unwrap();
            reg.insert_datasets(&RunName::parse("calib/run2").unwrap(), "bias", &[(b, d0.clone())]).unwrap();
            reg.register_collection(&name("calib"), CollectionType::Calibration, "").unwrap();
            let ra = reg.get_dataset(a).unwrap().unwrap();
            let rb = reg.get_dataset(b).unwrap().unwrap();
            reg.certify(&name("calib"), std::slice::from_ref(&ra), Timespan::new(Some(0), Some(100))).unwrap();
            let err = reg.certify(&name("calib"), std::slice::from_ref(&rb), Timespan::new(Some(50), Some(150))).unwrap_err();
            assert!(matches!(err, RegistryError::CalibrationOverlap { .. }), "{err}");
            reg.certify(&name("calib"), &[rb], Timespan::new(Some(100), None)).unwrap();
            let at = |t| reg.find_dataset("bias", &d0, &[name("calib")], Some(Timespan::new(Some(t), Some(t + 1)))).unwrap().map(|r| r.id);
            assert_eq!((at(10), at(120)), (Some(a), Some(b)));
            assert_eq!(reg.find_dataset("bias", &d0, &[name("calib")], None).unwrap(), None, "no timespan skips CALIBRATION");
            assert_eq!(reg.decertify(&name("calib"), "bias", Timespan::new(Some(20), Some(30)), None).unwrap(), 1);
            assert_eq!((at(10), at(25), at(40)), (Some(a), None, Some(a)));
            // Only calibration dataset types may be certified.
            let calexp = put_run(&reg, "run", 1..=1);
            let calexp = reg.get_dataset(calexp[0]).unwrap().unwrap();
            let err = reg.certify(&name("calib"), &[calexp], Timespan::UNBOUNDED).unwrap_err();
            assert!(matches!(err, RegistryError::NotCalibration(ref t) if t == "calexp"), "{err}");
        }

        #[test]
        fn dimension_records_are_checked_and_queryable() {
            let (_d, reg) = $make;
            populate(&reg);
            let orphan = rec(&reg, "detector", &[("instrument", s("NoCam")), ("id", RecordValue::Int(1)), ("full_name", s("x"))]);
            let err = reg.insert_dimension_records("detector", &[orphan], RecordConflict::Fail).unwrap_err();
            assert_eq!(err.to_string(), "no `instrument` record for {name: 'NoCam'}");
            let again = rec(&reg, "detector", &[("instrument", s("DemoCam")), ("id", RecordValue::Int(0)), ("full_name", s("R00_S000")), ("name_in_raft", s("S000")), ("raft", s("R00")), ("purpose", s("SCIENCE"))]);
            assert!(matches!(reg.insert_dimension_records("detector", std::slice::from_ref(&again), RecordConflict::Fail), Err(RegistryError::ConflictingDimensionRecord { .. })));
            assert_eq!(reg.insert_dimension_records("detector", std::slice::from_ref(&again), RecordConflict::SkipIdentical).unwrap(), 0);
            let changed = rec(&reg, "detector", &[("instrument", s("DemoCam")), ("id", RecordValue::Int(0)), ("full_name", s("R00_S999"))]);
            assert!(matches!(reg.insert_dimension_records("detector", &[changed], RecordConflict::SkipIdentical), Err(RegistryError::ConflictingDimensionRecord { .. })));
            let (rows, more) = reg
                .query_dimension_records(&DimensionRecordQuery {
                    element: "visit".into(),
                    filter: Filter {
                        data_id: [("physical_filter".to_owned(), DataIdValue::from("DemoCam-r"))].into(),
                        ..Filter::default()
                    },
                    limit: Limit::Unlimited,
                })
                .unwrap();
            assert_eq!((rows.len(), more), (1, false));
            assert_eq!(rows[0].get("id"), Some(&RecordValue::Int(2)));
            let expanded = reg.expand_data_id(&calexp_id(&reg, 3, 1), true).unwrap();
            assert_eq!(expanded.get("band"), Some(&DataIdValue::from("i")));
            assert_eq!(expanded.record("detector").and_then(|r| r.get("full_name")), Some(&s("R00_S001")));
        }

        #[test]
        fn dataset_types_conflict_and_suggest() {
            let (_d, reg) = $make;
            populate(&reg);
            let other = DatasetType {
                name: DatasetTypeName::parse("calexp").unwrap(),
                dimensions: reg.universe().group(["visit"]).unwrap(),
                storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
                is_calibration: false,
            };
            assert!(matches!(reg.register_dataset_type(&other), Err(RegistryError::ConflictingDatasetType { .. })));
            let err = reg.dataset_type("calxp").unwrap_err();
            assert_eq!(err.to_string(), "dataset type `calxp` is not registered; did you mean `calexp`?");
            let err = reg.collection("run/aa").unwrap_err();
            assert_eq!(err.to_string(), "collection `run/aa` does not exist");
        }

        #[test]
        fn imports_skip_identical_and_refuse_conflicts() {
            let (_d, reg) = $make;
            populate(&reg);
            let ids = put_run(&reg, "run", 1..=1);
            let run = RunName::parse("run").unwrap();
            let same = reg.import_datasets(&run, "calexp", &[(ids[0], calexp_id(&reg, 1, 0))]).unwrap();
            assert!(same.is_empty());
            let err = reg.import_datasets(&run, "calexp", &[(ids[0], calexp_id(&reg, 2, 0))]).unwrap_err();
            assert!(matches!(err, RegistryError::ConflictingDataset { .. }), "{err}");
        }

        #[test]
        fn batched_lookups_cross_batch_boundaries() {
            let (_d, reg) = $make;
            populate(&reg);
            let ids = put_run(&reg, "run", 1..=4);
            let mut asked: Vec<DatasetId> = (0..1200).map(|_| DatasetId::new_unique()).collect();
            asked.insert(700, ids[3]);
            asked.push(ids[0]);
            let found = reg.existing_dataset_ids(&asked).unwrap();
            assert_eq!(found, [ids[0], ids[3]].into_iter().collect());
            assert!(reg.file_records_of(&asked).unwrap().is_empty(), "no files were recorded");
        }

        #[test]
        fn removing_runs_and_collections() {
            let (_d, reg) = $make;
            populate(&reg);
            put_run(&reg, "run", 1..=1);
            reg.set_chain(&name("chain"), &[name("run")], None).unwrap();
            assert!(matches!(reg.remove_run("run", false), Err(RegistryError::InUse(_))));
            assert!(matches!(reg.remove_collection("run", false), Err(RegistryError::WrongCollectionType { .. })));
            reg.remove_run("run", true).unwrap();
            assert!(reg.chain_children("chain").unwrap().is_empty());
            assert!(reg.query_datasets(&DatasetQuery { dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()], collections: vec![name("chain")], ..DatasetQuery::default() }).unwrap().0.is_empty());
            reg.remove_collection("chain", false).unwrap();
            assert!(reg.collection("chain").is_err());
        }
    };
}

mod sqlite_backend {
    use super::*;
    conformance!(sqlite());
}
