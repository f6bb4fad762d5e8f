//! The repository facade on real files: put/get, ingest in every transfer mode, prune,
//! export/import round trips, and "a failed write changes nothing".

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use satellite_core::datastore::TransferMode;
use satellite_core::model::demo::DemoCamera;
use satellite_core::model::{
    CollectionName, DataIdValue, DatasetIdGenMode, DatasetType, DatasetTypeName, DimensionUniverse,
    RunName, StorageClassName,
};
use satellite_core::registry::{DatasetQuery, RecordConflict};
use satellite_core::repository::{
    ImportOptions, IngestFile, IngestOptions, NoProgress, PruneMode, RepoConfig, Repository,
    RetrieveOptions,
};

/// A repository with DemoCam (4 visits, 3 detectors) and a `calexp` dataset type.
fn demo_repo(root: &Path) -> Repository {
    let u = DimensionUniverse::default_universe();
    let repo = Repository::create(
        root,
        &u,
        RepoConfig {
            checksum: true,
            ..RepoConfig::default()
        },
    )
    .unwrap();
    let reg = repo.registry();
    let camera = DemoCamera {
        visits: 4,
        detectors: 3,
    };
    for (element, records) in camera.records(&u).unwrap() {
        reg.insert_dimension_records(element, &records, RecordConflict::Fail)
            .unwrap();
    }
    reg.register_dataset_type(&DatasetType {
        name: DatasetTypeName::parse("calexp").unwrap(),
        dimensions: u.group(["visit", "detector"]).unwrap(),
        storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
        is_calibration: false,
    })
    .unwrap();
    repo
}

fn data_id(visit: i64, detector: i64) -> BTreeMap<String, DataIdValue> {
    [
        ("instrument", DataIdValue::from("DemoCam")),
        ("visit", visit.into()),
        ("detector", detector.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn run(n: &str) -> RunName {
    RunName::parse(n).unwrap()
}

/// A fingerprint of everything in a directory tree: paths, link targets and contents.
fn fingerprint(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).sort_by_file_name() {
        let e = e.unwrap();
        let p = e.path().strip_prefix(root).unwrap().to_owned();
        let content = if e.path_is_symlink() {
            std::fs::read_link(e.path())
                .unwrap()
                .to_string_lossy()
                .as_bytes()
                .to_vec()
        } else if e.file_type().is_file() {
            std::fs::read(e.path()).unwrap()
        } else {
            Vec::new()
        };
        out.push((p, content));
    }
    out
}

/// Checkpoints the WAL so the SQLite file holds every committed change, then fingerprints.
fn settled_fingerprint(repo: Repository, root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    drop(repo);
    fingerprint(root)
}

#[test]
fn put_then_get_returns_the_bytes_at_the_python_template_path() {
    let dir = tempfile::tempdir().unwrap();
    let repo = demo_repo(&dir.path().join("repo"));
    let r = repo
        .put(
            b"zeropoint: 27.0\n",
            "calexp",
            &data_id(1, 0),
            &run("DemoCam/runs/put"),
        )
        .unwrap();
    assert_eq!(r.id.0.get_version_num(), 7);
    assert_eq!(repo.get(&r).unwrap(), b"zeropoint: 27.0\n");
    let info = &repo.registry().file_records(r.id).unwrap()[0];
    assert_eq!(info.path, "DemoCam/runs/put/calexp/20260101/g/DemoCam-g/1/calexp_DemoCam_g_DemoCam-g_1_R00_S000_DemoCam_runs_put.yaml");
    assert_eq!(info.file_size, 16);
    assert!(info.checksum.as_ref().is_some_and(|c| c.len() == 128));
    // Alternate keys work as in the Python Butler: the detector by its full name.
    let mut by_name = data_id(2, 0);
    by_name.insert("detector".into(), DataIdValue::from("R00_S001"));
    let r2 = repo
        .put(b"x: 1\n", "calexp", &by_name, &run("DemoCam/runs/put"))
        .unwrap();
    assert_eq!(r2.data_id.get("detector"), Some(&DataIdValue::Int(1)));
    // Retrieve copies the files out in the datastore's layout, and refuses to overwrite.
    let out = dir.path().join("out");
    let options = RetrieveOptions {
        preserve_path: true,
        clobber: false,
    };
    let copied = repo
        .retrieve(std::slice::from_ref(&r), &out, &options, &NoProgress)
        .unwrap();
    assert_eq!(copied, [out.join(&info.path)]);
    assert_eq!(std::fs::read(&copied[0]).unwrap(), b"zeropoint: 27.0\n");
    assert!(repo
        .retrieve(std::slice::from_ref(&r), &out, &options, &NoProgress)
        .is_err());
}

#[test]
fn failed_writes_leave_the_repository_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let repo = demo_repo(&root);
    repo.put(b"a: 1\n", "calexp", &data_id(1, 0), &run("r"))
        .unwrap();
    let before = settled_fingerprint(repo, &root);
    let repo = Repository::open(&root).unwrap();
    // Duplicate put.
    assert!(repo
        .put(b"b: 2\n", "calexp", &data_id(1, 0), &run("r"))
        .is_err());
    // Unknown visit.
    assert!(repo
        .put(b"b: 2\n", "calexp", &data_id(99, 0), &run("r"))
        .is_err());
    // Ingest where the last file is missing: nothing of the first files may stay.
    let staging = dir.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let mut files = Vec::new();
    for v in 2..=4 {
        let p = staging.join(format!("c{v}.yaml"));
        std::fs::write(&p, format!("v: {v}\n")).unwrap();
        files.push(IngestFile {
            path: p,
            data_id: data_id(v, 0),
        });
    }
    files.push(IngestFile {
        path: staging.join("missing.yaml"),
        data_id: data_id(1, 2),
    });
    for mode in [
        TransferMode::Copy,
        TransferMode::Move,
        TransferMode::Symlink,
        TransferMode::Hardlink,
    ] {
        let err = repo
            .ingest(
                "calexp",
                &run("r"),
                &files,
                &IngestOptions {
                    transfer: mode,
                    ..IngestOptions::default()
                },
                &NoProgress,
            )
            .unwrap_err();
        assert!(err.to_string().contains("missing.yaml"), "{mode}: {err}");
        for f in &files[..3] {
            assert!(f.path.exists(), "{mode} must put moved files back");
        }
    }
    // Template collision inside one batch.
    let twice = vec![
        IngestFile {
            path: files[0].path.clone(),
            data_id: data_id(2, 1),
        },
        IngestFile {
            path: files[1].path.clone(),
            data_id: data_id(2, 1),
        },
    ];
    assert!(repo
        .ingest(
            "calexp",
            &run("r"),
            &twice,
            &IngestOptions::default(),
            &NoProgress
        )
        .is_err());
    assert_eq!(settled_fingerprint(repo, &root), before);
}

#[test]
fn ingest_supports_every_transfer_mode() {
    let dir = tempfile::tempdir().unwrap();
    let repo = demo_repo(&dir.path().join("repo"));
    let staging = dir.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let modes = [
        TransferMode::Copy,
        TransferMode::Move,
        TransferMode::Symlink,
        TransferMode::Relsymlink,
        TransferMode::Hardlink,
        TransferMode::Link,
        TransferMode::Direct,
        TransferMode::Auto,
    ];
    for (i, mode) in modes.iter().enumerate() {
        let p = staging.join(format!("{mode}.yaml"));
        std::fs::write(&p, format!("mode: {mode}\n")).unwrap();
        let run_name = run(&format!("ingest/{mode}"));
        let opts = IngestOptions {
            transfer: *mode,
            id_mode: DatasetIdGenMode::DataIdTypeRun,
            formatter: None,
        };
        let refs = repo
            .ingest(
                "calexp",
                &run_name,
                &[IngestFile {
                    path: p.clone(),
                    data_id: data_id(1 + (i as i64 % 4), 0),
                }],
                &opts,
                &NoProgress,
            )
            .unwrap();
        assert_eq!(
            repo.get(&refs[0]).unwrap(),
            format!("mode: {mode}\n").as_bytes(),
            "{mode}"
        );
        let info = &repo.registry().file_records(refs[0].id).unwrap()[0];
        assert_eq!(
            info.path.starts_with("file://"),
            *mode == TransferMode::Direct,
            "{mode}: {}",
            info.path
        );
        assert_eq!(p.exists(), *mode != TransferMode::Move, "{mode}");
    }
}

#[test]
fn prune_unstore_and_purge() {
    let dir = tempfile::tempdir().unwrap();
    let repo = demo_repo(&dir.path().join("repo"));
    let a = repo
        .put(b"a: 1\n", "calexp", &data_id(1, 0), &run("r"))
        .unwrap();
    let b = repo
        .put(b"b: 1\n", "calexp", &data_id(2, 0), &run("r"))
        .unwrap();
    let path_a = repo
        .datastore()
        .absolute_path(&repo.registry().file_records(a.id).unwrap()[0])
        .unwrap();
    repo.prune(std::slice::from_ref(&a), &PruneMode::Unstore)
        .unwrap();
    assert!(!path_a.exists());
    assert!(
        repo.registry().get_dataset(a.id).unwrap().is_some(),
        "unstore keeps the registry entry"
    );
    assert!(repo.get(&a).is_err());
    repo.prune(std::slice::from_ref(&b), &PruneMode::Purge)
        .unwrap();
    assert!(repo.registry().get_dataset(b.id).unwrap().is_none());
}

#[test]
fn export_import_round_trip_keeps_ids_records_and_collections() {
    let dir = tempfile::tempdir().unwrap();
    let src = demo_repo(&dir.path().join("src"));
    let mut refs = Vec::new();
    for v in 1..=4 {
        for d in 0..3 {
            refs.push(
                src.put(
                    format!("v: {v}\nd: {d}\n").as_bytes(),
                    "calexp",
                    &data_id(v, d),
                    &run("u/alice/run1"),
                )
                .unwrap(),
            );
        }
    }
    let tag = CollectionName::parse("u/alice/tagged").unwrap();
    src.registry()
        .register_collection(&tag, satellite_core::model::CollectionType::Tagged, "")
        .unwrap();
    src.registry().associate(&tag, &refs[..5]).unwrap();
    let chain = CollectionName::parse("u/alice/chain").unwrap();
    src.registry()
        .set_chain(
            &chain,
            &[tag.clone(), CollectionName::parse("u/alice/run1").unwrap()],
            Some("my search path"),
        )
        .unwrap();
    let out = dir.path().join("export");
    let export = src
        .export(
            &refs,
            &[tag.clone(), chain.clone()],
            &out,
            Some(TransferMode::Copy),
            &NoProgress,
        )
        .unwrap();

    let u = DimensionUniverse::default_universe();
    let dst = Repository::create(&dir.path().join("dst"), &u, RepoConfig::default()).unwrap();
    let n = dst
        .import(
            &out,
            &export,
            &ImportOptions {
                transfer: Some(TransferMode::Copy),
                ..ImportOptions::default()
            },
            &NoProgress,
        )
        .unwrap();
    assert_eq!(n, 12);
    // Importing again adds nothing.
    assert_eq!(
        dst.import(&out, &export, &ImportOptions::default(), &NoProgress)
            .unwrap(),
        0
    );
    let q = |c: &CollectionName, first| {
        let (mut refs, _) = dst
            .registry()
            .query_datasets(&DatasetQuery {
                dataset_types: vec![DatasetTypeName::parse("calexp").unwrap()],
                collections: vec![c.clone()],
                find_first: first,
                ..DatasetQuery::default()
            })
            .unwrap();
        refs.sort_by_key(|r| r.id);
        refs
    };
    let mut want = refs.clone();
    want.sort_by_key(|r| r.id);
    let got = q(&CollectionName::parse("u/alice/run1").unwrap(), false);
    assert_eq!(
        got.iter().map(|r| r.id).collect::<Vec<_>>(),
        want.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    for r in &got {
        let original = want.iter().find(|w| w.id == r.id).unwrap();
        assert_eq!(r.data_id, original.data_id);
        assert_eq!(dst.get(r).unwrap(), src.get(original).unwrap());
    }
    assert_eq!(q(&tag, false).len(), 5);
    let rec = dst.registry().collection_record("u/alice/chain").unwrap();
    assert_eq!(rec.doc, "my search path");
    assert_eq!(
        rec.children,
        [tag, CollectionName::parse("u/alice/run1").unwrap()]
    );
    let visits = dst.registry().element_records("visit").unwrap();
    assert_eq!(visits.len(), 4);
}

#[test]
fn get_refuses_truncated_or_altered_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let repo = demo_repo(&dir.path().join("repo"));
    let r = repo
        .put(b"zeropoint: 27.0\n", "calexp", &data_id(1, 0), &run("r"))
        .unwrap();
    let path = repo
        .datastore()
        .absolute_path(&repo.registry().file_records(r.id).unwrap()[0])
        .unwrap();
    std::fs::write(&path, b"zeropoint: 99.0\n").unwrap();
    let err = repo.get(&r).unwrap_err().to_string();
    assert!(
        err.contains("does not match its recorded checksum"),
        "{err}"
    );
    std::fs::write(&path, b"").unwrap();
    let err = repo.get(&r).unwrap_err().to_string();
    assert!(err.contains("has 0 bytes, 16 were recorded"), "{err}");
}

#[test]
fn registry_durability_writes_the_same_artifacts() {
    let dir = tempfile::tempdir().unwrap();
    let u = DimensionUniverse::default_universe();
    let config = RepoConfig {
        durability: satellite_core::datastore::Durability::Registry,
        ..RepoConfig::default()
    };
    let repo = Repository::create(&dir.path().join("repo"), &u, config).unwrap();
    for (element, records) in (DemoCamera {
        visits: 1,
        detectors: 1,
    })
    .records(&u)
    .unwrap()
    {
        repo.registry()
            .insert_dimension_records(element, &records, RecordConflict::Fail)
            .unwrap();
    }
    repo.registry()
        .register_dataset_type(&DatasetType {
            name: DatasetTypeName::parse("calexp").unwrap(),
            dimensions: u.group(["visit", "detector"]).unwrap(),
            storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
            is_calibration: false,
        })
        .unwrap();
    let r = repo
        .put(b"a: 1\n", "calexp", &data_id(1, 0), &run("r"))
        .unwrap();
    assert_eq!(repo.get(&r).unwrap(), b"a: 1\n");
    // The setting is part of the repository's configuration.
    drop(repo);
    let reopened = Repository::open(&dir.path().join("repo")).unwrap();
    assert_eq!(
        reopened.config().durability,
        satellite_core::datastore::Durability::Registry
    );
}

#[test]
fn create_refuses_unusable_places_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A path under a file cannot hold a repository.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let root = blocker.join("repo");
    assert!(Repository::create(
        &root,
        &DimensionUniverse::default_universe(),
        RepoConfig::default()
    )
    .is_err());
    // An empty existing directory stays empty when creation fails in it.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let u = DimensionUniverse::default_universe();
    Repository::create(&empty, &u, RepoConfig::default()).unwrap();
    assert!(
        Repository::create(&empty, &u, RepoConfig::default()).is_err(),
        "not empty any more"
    );
    assert!(
        empty.join("satellite.yaml").exists(),
        "a refused create touches nothing"
    );
}
