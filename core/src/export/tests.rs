//! Tests of the export format against files written by the Python Butler.
//!
//! `python_export.yaml` comes from `core/tests/fixtures/export/make_fixture.py`; the two
//! `daf_butler_*.yaml` files are copied from daf_butler's own test data
//! (`python/lsst/daf/butler/tests/registry_data/`, version 30.2026.4300).

use std::sync::Arc;

use super::*;
use crate::model::{DataIdValue, RecordValue};

const PYTHON_EXPORT: &str = include_str!("../../tests/fixtures/export/python_export.yaml");
const LSSTCAM_SUBSET: &str =
    include_str!("../../tests/fixtures/export/daf_butler_lsstcam_subset.yaml");
const CI_HSC_SKYMAP: &str =
    include_str!("../../tests/fixtures/export/daf_butler_ci_hsc_skymap.yaml");

fn universe() -> DimensionUniverse {
    DimensionUniverse::default_universe()
}

fn write(file: &ExportFile) -> String {
    let mut out = Vec::new();
    write_export(file, &universe(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn id(text: &str) -> DatasetId {
    text.parse().unwrap()
}

fn ns(text: &str) -> Option<i64> {
    Some(Timespan::parse_tai_iso(text).unwrap())
}

fn name(text: &str) -> CollectionName {
    CollectionName::parse(text).unwrap()
}

fn text(s: &str) -> RecordValue {
    RecordValue::Str(s.to_owned())
}

/// Drops the leading `#` comment lines a hand-annotated fixture starts with.
fn without_comments(text: &str) -> String {
    text.lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The error message of reading `text`.
fn read_error(text: &str) -> String {
    read_export(text, &universe()).unwrap_err().to_string()
}

const HEADER: &str = "description: Butler Data Repository Export\nversion: 1.0.2\nuniverse_version: 8\nuniverse_namespace: daf_butler\n";

#[test]
fn reads_the_python_butler_fixture() {
    let file = read_export(PYTHON_EXPORT, &universe()).unwrap();
    assert_eq!(
        (file.universe_version, file.universe_namespace.as_str()),
        (8, "daf_butler")
    );
    assert_eq!(file.blocks.len(), 22);

    let per_element: Vec<(&str, usize)> = file
        .blocks
        .iter()
        .filter_map(|b| match b {
            ExportBlock::Dimension { element, records } => Some((element.as_str(), records.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        per_element,
        [
            ("instrument", 1),
            ("day_obs", 1),
            ("detector", 2),
            ("group", 3),
            ("physical_filter", 3),
            ("visit_system", 1),
            ("exposure", 3),
            ("visit", 3),
            ("visit_definition", 3),
            ("visit_detector_region", 6),
            ("visit_system_membership", 3),
        ]
    );
    assert_eq!(file.dimension_records().count(), 29);
    let day_obs = file
        .dimension_records()
        .find(|r| r.element() == "day_obs")
        .unwrap();
    assert_eq!(
        day_obs.get("timespan"),
        Some(&RecordValue::Timespan(Timespan::new(
            ns("2026-01-01 12:00:00"),
            ns("2026-01-02 12:00:00.123456789")
        )))
    );
    let exposure = file
        .dimension_records()
        .find(|r| r.element() == "exposure")
        .unwrap();
    assert_eq!(
        exposure.get("exposure_time"),
        Some(&RecordValue::Float(30.0))
    );
    assert_eq!(exposure.get("can_see_sky"), Some(&RecordValue::Bool(true)));
    assert_eq!(exposure.get("target_name"), Some(&RecordValue::Null));
    assert_eq!(exposure.get("timespan"), Some(&RecordValue::Null));
    let region = file
        .dimension_records()
        .find(|r| r.element() == "visit_detector_region")
        .unwrap();
    assert!(
        matches!(region.get("region"), Some(RecordValue::Str(hex)) if hex.starts_with("705b6ab07dd864ef3f") && hex.len() == 146)
    );

    let collections: Vec<&ExportCollection> = file.collections().collect();
    let summary: Vec<(&str, CollectionType)> = collections
        .iter()
        .map(|c| (c.name.as_str(), c.collection_type))
        .collect();
    assert_eq!(
        summary,
        [
            ("DemoCam/calib", CollectionType::Calibration),
            ("DemoCam/calib/bias/run1", CollectionType::Run),
            ("DemoCam/runs/put", CollectionType::Run),
            ("DemoCam/tagged-r", CollectionType::Tagged),
            ("DemoCam/defaults", CollectionType::Chained),
        ]
    );
    assert_eq!(
        collections[0].doc.as_deref(),
        Some("Biases: certified for the first half of 2025, then detector 0 again from 2025-06-01 on.")
    );
    assert_eq!(
        collections[1].doc.as_deref(),
        Some("Bias frames, one per detector")
    );
    assert_eq!(
        (
            collections[2].doc.as_deref(),
            collections[2].host.as_deref(),
            collections[2].timespan
        ),
        (None, None, None)
    );
    assert_eq!(
        collections[4].doc.as_deref(),
        Some("Default search path for DemoCam \u{2014} tagged r-band calexps first, then the put run, then calibs")
    );
    assert_eq!(
        collections[4].children,
        [
            name("DemoCam/tagged-r"),
            name("DemoCam/runs/put"),
            name("DemoCam/calib")
        ]
    );

    let calexp = file.dataset_type("calexp").unwrap();
    assert_eq!(
        calexp.dimensions.required().collect::<Vec<_>>(),
        ["instrument", "detector", "visit"]
    );
    assert_eq!(
        (calexp.storage_class.as_str(), calexp.is_calibration),
        ("StructuredDataDict", false)
    );
    assert!(file.dataset_type("bias").unwrap().is_calibration);

    let datasets: Vec<ExportedDataset<'_>> = file.datasets().collect();
    assert_eq!(datasets.len(), 8);
    let first_calexp = datasets
        .iter()
        .find(|d| d.dataset_type.as_str() == "calexp")
        .unwrap();
    assert_eq!(first_calexp.id, id("01a21057-e942-7391-b028-2e2f0d045e73"));
    assert_eq!(first_calexp.run.as_str(), "DemoCam/runs/put");
    assert_eq!(
        first_calexp.data_id.to_string(),
        "{instrument: 'DemoCam', detector: 0, visit: 1}"
    );
    assert_eq!(
        first_calexp.data_id.get("visit"),
        Some(&DataIdValue::Int(1))
    );
    assert_eq!(
        first_calexp.file.path,
        "DemoCam/runs/put/calexp/20260101/g/DemoCam-g/1/calexp_DemoCam_g_DemoCam-g_1_R00_S000_DemoCam_runs_put.yaml"
    );
    assert_eq!(
        first_calexp.file.formatter.as_deref(),
        Some("lsst.daf.butler.formatters.yaml.YamlFormatter")
    );

    let bias0 = id("01a21057-e96d-7298-a1f1-73d84d68ef95");
    let bias1 = id("01a21057-e973-76de-a7b7-ec1f0730a0f3");
    let calibration = file.blocks.iter().find_map(|b| match b {
        ExportBlock::CalibrationAssociations {
            collection,
            validity_ranges,
        } => Some((collection, validity_ranges)),
        _ => None,
    });
    let (collection, ranges) = calibration.unwrap();
    assert_eq!(collection.as_str(), "DemoCam/calib");
    assert_eq!(
        ranges,
        &[
            (
                Timespan::new(ns("2025-01-01"), ns("2025-06-01")),
                vec![bias0, bias1]
            ),
            (Timespan::new(ns("2025-06-01"), None), vec![bias0]),
        ]
    );
    let tagged = file.blocks.iter().find_map(|b| match b {
        ExportBlock::TaggedAssociations {
            collection,
            dataset_ids,
        } => Some((collection.as_str(), dataset_ids.clone())),
        _ => None,
    });
    assert_eq!(
        tagged,
        Some((
            "DemoCam/tagged-r",
            vec![
                id("01a21057-e959-79e7-a31b-5f40ecdf1cca"),
                id("01a21057-e95f-7147-a1a9-72bb8fb0ef08")
            ]
        ))
    );
}

#[test]
fn writes_python_butler_files_back_byte_for_byte() {
    for (fixture, text) in [
        ("python_export.yaml", PYTHON_EXPORT.to_owned()),
        ("daf_butler_lsstcam_subset.yaml", LSSTCAM_SUBSET.to_owned()),
        (
            "daf_butler_ci_hsc_skymap.yaml",
            without_comments(CI_HSC_SKYMAP),
        ),
    ] {
        let file = read_export(&text, &universe()).unwrap_or_else(|e| panic!("{fixture}: {e}"));
        let written = write(&file);
        assert_eq!(written, text, "{fixture}");
        assert_eq!(
            read_export(&written, &universe()).unwrap(),
            file,
            "{fixture}"
        );
    }
}

#[test]
fn reads_hashes_regions_and_times_of_other_python_files() {
    let file = read_export(CI_HSC_SKYMAP, &universe()).unwrap();
    let skymap = file
        .dimension_records()
        .find(|r| r.element() == "skymap")
        .unwrap();
    // `Kt7swQ9e5zUif7fo1Onj3ezH+Ts=` is `!!binary`, kept as hex like every hash column.
    assert_eq!(
        skymap.get("hash"),
        Some(&RecordValue::Str(
            "2adeecc10f5ee735227fb7e8d4e9e3ddecc7f93b".into()
        ))
    );
    let file = read_export(LSSTCAM_SUBSET, &universe()).unwrap();
    assert_eq!(file.universe_version, 7);
    let exposure = file
        .dimension_records()
        .find(|r| r.element() == "exposure")
        .unwrap();
    assert_eq!(
        exposure.get("timespan"),
        Some(&RecordValue::Timespan(Timespan::new(
            ns("2025-12-03 07:59:07.425363958"),
            ns("2025-12-03 07:59:38.355")
        )))
    );
    assert_eq!(
        exposure.get("group"),
        Some(&RecordValue::Str("2025-12-03T07:58:10.858".into()))
    );
    assert_eq!(exposure.get("id"), Some(&RecordValue::Int(2025120200439)));
}

/// A small export built in code, covering every block type and the quoting rules.
fn small_export() -> ExportFile {
    let u = universe();
    let group = u.group(["instrument", "detector"]).unwrap();
    let metrics = DatasetType {
        name: DatasetTypeName::parse("metrics").unwrap(),
        dimensions: group.clone(),
        storage_class: crate::model::StorageClassName::parse("StructuredDataDict").unwrap(),
        is_calibration: false,
    };
    let data_id = |d: i64| {
        DataCoordinate::from_required(Arc::new(group.clone()), vec!["DemoCam".into(), d.into()])
            .unwrap()
    };
    let record = |pairs: &[(&str, RecordValue)]| {
        let values = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        DimensionRecord::new(&u, "detector", values).unwrap()
    };
    let mut run = ExportCollection::new(name("u/alice/run1"), CollectionType::Run);
    run.host = Some("yes".into());
    run.timespan = Some(Timespan::new(ns("2025-01-01 00:00:00.5"), None));
    let mut chain = ExportCollection::new(name("u/alice/chain"), CollectionType::Chained);
    chain.doc = Some("search: tagged first # then the run".into());
    chain.children = vec![name("u/alice/tagged"), name("u/alice/run1")];
    let a = id("01a21021-9d23-7f1e-b530-925d9a40bc24");
    let b = id("01a21022-8138-7e5b-b853-709db74b78fb");
    ExportFile {
        universe_version: 8,
        universe_namespace: "daf_butler".into(),
        blocks: vec![
            ExportBlock::Dimension {
                element: "detector".into(),
                records: vec![
                    record(&[
                        ("instrument", text("DemoCam")),
                        ("id", RecordValue::Int(1)),
                        ("full_name", text("R00_S00")),
                    ]),
                    record(&[
                        ("instrument", text("DemoCam")),
                        ("id", RecordValue::Int(2)),
                        ("full_name", text("1.5")),
                        ("purpose", text("")),
                    ]),
                ],
            },
            ExportBlock::Collection(run),
            ExportBlock::Collection(ExportCollection::new(
                name("u/alice/tagged"),
                CollectionType::Tagged,
            )),
            ExportBlock::Collection(chain),
            ExportBlock::DatasetType(metrics),
            ExportBlock::Datasets {
                dataset_type: DatasetTypeName::parse("metrics").unwrap(),
                run: RunName::parse("u/alice/run1").unwrap(),
                records: vec![
                    ExportedFile {
                        ids: vec![a],
                        data_ids: vec![data_id(1)],
                        path: "u/alice/run1/metrics/metrics_DemoCam_R00_S00_u_alice_run1.yaml"
                            .into(),
                        formatter: Some("lsst.daf.butler.formatters.yaml.YamlFormatter".into()),
                    },
                    ExportedFile {
                        ids: vec![b],
                        data_ids: vec![data_id(2)],
                        path: "/abs/with space.yaml".into(),
                        formatter: None,
                    },
                ],
            },
            ExportBlock::TaggedAssociations {
                collection: name("u/alice/tagged"),
                dataset_ids: vec![a],
            },
            ExportBlock::CalibrationAssociations {
                collection: name("DemoCam/calib"),
                validity_ranges: vec![
                    (Timespan::new(None, ns("2025-06-01")), vec![a, b]),
                    (read::EMPTY_TIMESPAN, vec![]),
                ],
            },
        ],
    }
}

#[test]
fn writes_every_block_type_as_python_does() {
    let file = small_export();
    let text = write(&file);
    insta::assert_snapshot!(text, @r"
    description: Butler Data Repository Export
    version: 1.0.2
    universe_version: 8
    universe_namespace: daf_butler
    data:
    - type: dimension
      element: detector
      records:
      - instrument: DemoCam
        id: 1
        full_name: R00_S00
        name_in_raft: null
        raft: null
        purpose: null
      - instrument: DemoCam
        id: 2
        full_name: '1.5'
        name_in_raft: null
        raft: null
        purpose: ''
    - type: collection
      collection_type: RUN
      name: u/alice/run1
      host: 'yes'
      timespan_begin: !butler_time/tai/iso '2025-01-01 00:00:00.500000000'
      timespan_end: null
    - type: collection
      collection_type: TAGGED
      name: u/alice/tagged
    - type: collection
      collection_type: CHAINED
      name: u/alice/chain
      doc: 'search: tagged first # then the run'
      children:
      - u/alice/tagged
      - u/alice/run1
    - type: dataset_type
      name: metrics
      dimensions:
      - instrument
      - detector
      storage_class: StructuredDataDict
      is_calibration: false
    - type: dataset
      dataset_type: metrics
      run: u/alice/run1
      records:
      - dataset_id:
        - !uuid '01a21021-9d23-7f1e-b530-925d9a40bc24'
        data_id:
        - instrument: DemoCam
          detector: 1
        path: u/alice/run1/metrics/metrics_DemoCam_R00_S00_u_alice_run1.yaml
        formatter: lsst.daf.butler.formatters.yaml.YamlFormatter
      - dataset_id:
        - !uuid '01a21022-8138-7e5b-b853-709db74b78fb'
        data_id:
        - instrument: DemoCam
          detector: 2
        path: /abs/with space.yaml
    - type: associations
      collection: u/alice/tagged
      collection_type: TAGGED
      dataset_ids:
      - !uuid '01a21021-9d23-7f1e-b530-925d9a40bc24'
    - type: associations
      collection: DemoCam/calib
      collection_type: CALIBRATION
      validity_ranges:
      - timespan: !lsst.daf.butler.Timespan
          begin: null
          end: !butler_time/tai/iso '2025-06-01 00:00:00.000000000'
        dataset_ids:
        - !uuid '01a21021-9d23-7f1e-b530-925d9a40bc24'
        - !uuid '01a21022-8138-7e5b-b853-709db74b78fb'
      - timespan: !lsst.daf.butler.Timespan 'EMPTY'
        dataset_ids: []
    ");
    assert_eq!(read_export(&text, &universe()).unwrap(), file);
}

#[test]
fn refuses_other_format_versions() {
    let with_version = |v: &str| format!("version: {v}\ndata: []\n");
    insta::assert_snapshot!(read_error(&with_version("2.0.0")), @r"
    cannot read export file format version 2.0.0: this reader understands version 1.0.2 (files of major version 1 and minor version 0)
    hint: export the data again with a Python Butler that writes format 1.0.2
    ");
    assert!(read_error(&with_version("1.1.0")).starts_with(
        "cannot read export file format version 1.1.0: this reader understands version 1.0.2"
    ));
    // Older and patch-newer 1.0 files are read, as the Python importer does; `0` means 1.0.0.
    for ok in ["1.0.0", "1.0.3", "0"] {
        assert!(
            read_export(&with_version(ok), &universe())
                .unwrap()
                .blocks
                .is_empty(),
            "{ok}"
        );
    }
    assert!(
        read_error(&with_version("one")).contains("`version` is `one`, not a version like `1.0.2`")
    );
    assert!(read_error("data: []\n").contains("there is no `version`"));
    assert!(read_error("- a\n").contains("the document is a list, not a mapping"));
    assert!(read_error("version: [\n").starts_with("the export file is not valid YAML"));
}

#[test]
fn errors_name_the_block_and_entry() {
    let dataset_block = |data_id: &str, dataset_id: &str| {
        format!(
            "{HEADER}data:\n- type: dataset_type\n  name: metrics\n  dimensions: [instrument, detector]\n  storage_class: StructuredDataDict\n\
             - type: dataset\n  dataset_type: metrics\n  run: r\n  records:\n  - dataset_id: [{dataset_id}]\n    data_id: [{data_id}]\n    path: p.yaml\n"
        )
    };
    let good_id = "!uuid '01a21021-9d23-7f1e-b530-925d9a40bc24'";
    let cases = [
        (dataset_block("{instrument: DemoCam, detector: 1}", "12"), "data block 2 (`type: dataset`), dataset type `metrics` in run `r`, file record 1: integer dataset IDs from very old exports (here `12`) are not supported\nhint: import the file with the Python Butler (`butler import`), which converts them to UUIDs, and export it again"),
        (dataset_block("{instrument: DemoCam}", good_id), "data block 2 (`type: dataset`), dataset type `metrics` in run `r`, file record 1: no value in data ID ({'instrument': 'DemoCam'}) for required dimension `detector`"),
        (dataset_block("{instrument: DemoCam, detector: one}", good_id), "data block 2 (`type: dataset`), dataset type `metrics` in run `r`, file record 1: data ID value 'one' for dimension `detector` must be an integer"),
        (dataset_block("{instrument: DemoCam, detector: 1}", "!uuid 'nope'"), "data block 2 (`type: dataset`), dataset type `metrics` in run `r`, file record 1: `nope` is not a dataset ID (a UUID such as `01a21021-9d23-7f1e-b530-925d9a40bc24`)"),
        (
            format!("{HEADER}data:\n- type: dimension\n  element: detector\n  records:\n  - {{instrument: DemoCam, id: 1, ful_name: x}}\n"),
            "data block 1 (`type: dimension`), element `detector`, record 1: `detector` has no field `ful_name`; did you mean `full_name`?",
        ),
        (
            format!("{HEADER}universe_version: 6\ndata:\n- type: dimension\n  element: detectr\n  records: []\n").replacen("universe_version: 8\n", "", 1),
            "data block 1 (`type: dimension`), element `detectr` (written with dimension universe `daf_butler` version 6, read with version 8): `detectr` is not a dimension element; did you mean `detector`?",
        ),
        (
            format!("{HEADER}data:\n- type: dataset\n  dataset_type: calexp\n  run: r\n  records: []\n"),
            "data block 1 (`type: dataset`), dataset type `calexp` in run `r`: dataset type `calexp` is not defined in this file\nhint: add a `type: dataset_type` block for it (the Python Butler writes one before every `type: dataset` block)",
        ),
        (
            format!("{HEADER}data:\n- type: collection\n  collection_type: RUNS\n  name: r\n"),
            "data block 1 (`type: collection`), collection `r`: `RUNS` is not a collection type (expected RUN, TAGGED, CHAINED or CALIBRATION)",
        ),
        (
            format!("{HEADER}data:\n- type: associations\n  collection: c\n  collection_type: CALIBRATION\n  validity_ranges:\n  - timespan: !lsst.daf.butler.Timespan {{begin: !butler_time/tai/iso 'soon', end: null}}\n    dataset_ids: []\n"),
            "data block 1 (`type: associations`), collection `c`, validity range 1: `timespan`: invalid time `soon`: expected TAI ISO `YYYY-MM-DD HH:MM:SS[.fffffffff]`",
        ),
        (format!("{HEADER}data:\n- type: quantum\n"), "data block 1 (`type: quantum`): unknown block type `quantum` (expected `dimension`, `collection`, `dataset_type`, `dataset` or `associations`)"),
        (format!("{HEADER}data:\n- element: detector\n"), "data block 1: `type` is missing"),
    ];
    for (text, expected) in cases {
        assert_eq!(read_error(&text), expected);
    }
}

#[test]
fn reads_older_spellings() {
    let text =
        "description: Butler Data Repository Export\nversion: 0\ndata:\n\
         - type: run\n  name: old/run\n\
         - type: collection\n  collection_type: CHAINED\n  name: old/chain\n  children:\n  - [old/run, null]\n\
         - type: dimension\n  element: day_obs\n  records:\n  - {instrument: DemoCam, day_obs: 20250101, timespan_begin: '2025-01-01 12:00', timespan_end: null}\n\
         - type: associations\n  collection: old/calib\n  collection_type: CALIBRATION\n  validity_ranges:\n  - begin: !butler_time/tai/iso '2025-01-01 00:00:00.000000000'\n    end: null\n    dataset_ids: ['01a21021-9d23-7f1e-b530-925d9a40bc24']\n";
    let file = read_export(text, &universe()).unwrap();
    assert_eq!(file.universe_version, 0);
    let collections: Vec<&ExportCollection> = file.collections().collect();
    assert_eq!(
        collections[0],
        &ExportCollection::new(name("old/run"), CollectionType::Run)
    );
    assert_eq!(collections[1].children, [name("old/run")]);
    let day_obs = file.dimension_records().next().unwrap();
    assert_eq!(day_obs.get("id"), Some(&RecordValue::Int(20250101)));
    assert_eq!(
        day_obs.get("timespan"),
        Some(&RecordValue::Timespan(Timespan::new(
            ns("2025-01-01 12:00"),
            None
        )))
    );
    assert!(
        matches!(&file.blocks[3], ExportBlock::CalibrationAssociations { validity_ranges, .. }
        if validity_ranges == &[(Timespan::new(ns("2025-01-01"), None), vec![id("01a21021-9d23-7f1e-b530-925d9a40bc24")])])
    );
}

/// An export of `n` calexps (one file each) with their `detector` and `visit_detector_region`
/// records and the dataset type: the shape of the benchmark's export, for round trips and timing.
fn calexp_export(n: usize) -> ExportFile {
    let u = universe();
    let group = u.group(["visit", "detector"]).unwrap();
    let calexp = DatasetType {
        name: DatasetTypeName::parse("calexp").unwrap(),
        dimensions: group.clone(),
        storage_class: crate::model::StorageClassName::parse("StructuredDataDict").unwrap(),
        is_calibration: false,
    };
    let group = Arc::new(group);
    let detectors = 100;
    let records = (0..detectors)
        .map(|d| {
            let values = [
                ("instrument", text("DemoCam")),
                ("id", RecordValue::Int(d)),
                ("full_name", RecordValue::Str(format!("R00_S{d:03}"))),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            DimensionRecord::new(&u, "detector", values).unwrap()
        })
        .collect();
    let regions = (0..n)
        .map(|i| {
            let (v, d) = (i as i64 / detectors + 1, i as i64 % detectors);
            let values = [
                ("instrument", text("DemoCam")),
                ("detector", RecordValue::Int(d)),
                ("visit", RecordValue::Int(v)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            DimensionRecord::new(&u, "visit_detector_region", values).unwrap()
        })
        .collect();
    let files = (0..n)
        .map(|i| {
            let (v, d) = (i as i64 / detectors + 1, i as i64 % detectors);
            ExportedFile {
                ids: vec![DatasetId(uuid::Uuid::from_u128(0x01a2_1021_9d23_7f1e_b530_0000_0000_0000 + i as u128))],
                data_ids: vec![DataCoordinate::from_required(Arc::clone(&group), vec!["DemoCam".into(), d.into(), v.into()]).unwrap()],
                path: format!("DemoCam/runs/put/calexp/20260101/r/DemoCam-r/{v}/calexp_DemoCam_r_DemoCam-r_{v}_R00_S{d:03}_DemoCam_runs_put.yaml"),
                formatter: Some("lsst.daf.butler.formatters.yaml.YamlFormatter".into()),
            }
        })
        .collect();
    ExportFile {
        universe_version: 8,
        universe_namespace: "daf_butler".into(),
        blocks: vec![
            ExportBlock::Dimension {
                element: "detector".into(),
                records,
            },
            ExportBlock::Dimension {
                element: "visit_detector_region".into(),
                records: regions,
            },
            ExportBlock::Collection(ExportCollection::new(
                name("DemoCam/runs/put"),
                CollectionType::Run,
            )),
            ExportBlock::DatasetType(calexp),
            ExportBlock::Datasets {
                dataset_type: DatasetTypeName::parse("calexp").unwrap(),
                run: RunName::parse("DemoCam/runs/put").unwrap(),
                records: files,
            },
        ],
    }
}

/// Round trip at 2 000 datasets. Set `SATELLITE_EXPORT_BENCH=100000` to time a larger export
/// (run it with `--release`); the timings go to the test's captured output.
#[test]
fn large_exports_round_trip() {
    let n = std::env::var("SATELLITE_EXPORT_BENCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let file = calexp_export(n);
    let start = std::time::Instant::now();
    let text = write(&file);
    let written = start.elapsed();
    let start = std::time::Instant::now();
    let back = read_export(&text, &universe()).unwrap();
    let read = start.elapsed();
    assert_eq!(back.datasets().count(), n);
    assert_eq!(back, file);
    // Captured by the test harness; shown with `--nocapture` when timing a large export.
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{n} datasets, {} bytes: write {written:?}, read {read:?}",
            text.len()
        );
    }
}

mod round_trip {
    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -~]{0,120}",
            "[a-z0-9 :#'\"\\-\\n]{0,100}",
            any::<String>(),
            Just("null".to_owned()),
            Just("2025-01-01".to_owned()),
            Just("0x1F".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn any_doc_host_and_path_survive(doc in any_text(), host in any_text(), path in any_text(), formatter in any_text()) {
            let mut file = small_export();
            if let ExportBlock::Collection(run) = &mut file.blocks[1] {
                run.host = Some(host);
                run.doc = Some(doc);
            }
            if let ExportBlock::Datasets { records, .. } = &mut file.blocks[5] {
                records[0].path = path;
                records[0].formatter = Some(formatter);
            }
            let text = write(&file);
            prop_assert!(super::super::parser::parse_fast(&text).is_some(), "fell back on\n{}", text);
            prop_assert_eq!(read_export(&text, &universe()).unwrap(), file);
        }
    }
}

/// Agreement with PyYAML on generated cases (`make_pyyaml_cases.py`): the emitter writes every
/// string as PyYAML does, and the parser reads every document as `yaml.safe_load` does.
mod pyyaml_agreement {
    use super::super::emitter::Emitter;
    use super::super::parser::{parse_fast, parse_with_serde_yaml, Node};
    use super::*;
    use serde_json::Value as Json;

    fn cases() -> Json {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/export/pyyaml_cases.json"
        ))
        .unwrap()
    }

    fn emit(s: &str, nested: bool) -> String {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out);
        if nested {
            e.line("data:");
            e.line("- type: x");
            e.raw("  doc: ");
            e.str_scalar(s, 4);
        } else {
            e.raw("k: ");
            e.str_scalar(s, 2);
        }
        e.newline();
        e.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_written_and_read_as_pyyaml_does() {
        let cases = cases();
        let strings = cases["strings"].as_array().unwrap();
        assert_eq!(strings.len(), 150);
        for case in strings {
            let (s, flat, nested) = (
                case[0].as_str().unwrap(),
                case[1].as_str().unwrap(),
                case[2].as_str().unwrap(),
            );
            assert_eq!(emit(s, false), flat, "{s:?}");
            assert_eq!(emit(s, true), nested, "{s:?}");
            let expected = Node::Str(s.to_owned().into());
            assert_eq!(
                parse_fast(flat).unwrap().get("k"),
                Some(&expected),
                "{flat}"
            );
            let doc = parse_fast(nested).unwrap();
            let Some(Node::Seq(items)) = doc.get("data") else {
                panic!("{nested}")
            };
            assert_eq!(items[0].get("doc"), Some(&expected), "{nested}");
        }
    }

    /// Whether a parsed node is the value PyYAML loaded, in the fixture's tagged JSON form.
    fn same(node: &Node<'_>, expected: &Json) -> bool {
        match (node, expected) {
            (Node::Null, Json::Null) => true,
            (Node::Bool(a), Json::Bool(b)) => a == b,
            (Node::Str(a), Json::String(b)) => a == b,
            (Node::Seq(a), Json::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
            }
            (node, Json::Object(o)) => match (node, o.iter().next()) {
                (Node::Int(a), Some((k, v))) if k == "int" => {
                    v.as_str() == Some(a.to_string().as_str())
                }
                (Node::Float(a), Some((k, v))) if k == "float" => {
                    v.as_str().and_then(|s| s.parse::<f64>().ok()) == Some(*a)
                }
                (Node::Map(a), Some((k, Json::Array(b)))) if k == "map" => {
                    a.len() == b.len()
                        && a.iter()
                            .zip(b)
                            .all(|((k, v), pair)| pair[0] == **k && same(v, &pair[1]))
                }
                _ => false,
            },
            _ => false,
        }
    }

    #[test]
    fn documents_are_read_as_pyyaml_does() {
        let cases = cases();
        let documents = cases["documents"].as_array().unwrap();
        assert_eq!(documents.len(), 90);
        for case in documents {
            let text = case[0].as_str().unwrap();
            let node = parse_fast(text).unwrap_or_else(|| panic!("fell back on\n{text}"));
            assert!(same(&node, &case[1]), "{text}\n{node:?}");
        }
    }

    /// serde_yaml drops verbatim tags such as `!<lsst.sphgeom.ConvexPolygon>`.
    fn without_verbatim_tags(node: Node<'_>) -> Node<'_> {
        match node {
            Node::Tagged(tag, inner) if tag.starts_with("lsst.sphgeom.") => {
                without_verbatim_tags(*inner)
            }
            Node::Tagged(tag, inner) => Node::Tagged(tag, Box::new(without_verbatim_tags(*inner))),
            Node::Seq(items) => Node::Seq(items.into_iter().map(without_verbatim_tags).collect()),
            Node::Map(entries) => Node::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, without_verbatim_tags(v)))
                    .collect(),
            ),
            other => other,
        }
    }

    #[test]
    fn butler_files_take_the_fast_path_and_agree_with_serde_yaml() {
        let small = write(&small_export());
        for text in [PYTHON_EXPORT, LSSTCAM_SUBSET, CI_HSC_SKYMAP, small.as_str()] {
            let fast = parse_fast(text).expect("the fast path reads Butler exports");
            assert_eq!(
                without_verbatim_tags(fast),
                parse_with_serde_yaml(text).unwrap()
            );
        }
    }
}
