//! Tests of file templates against paths the Python Butler produces.

use super::*;
use crate::model::{
    DataCoordinate, DatasetId, DatasetTypeName, DimensionRecord, RunName, StorageClassName,
};
use std::collections::BTreeMap;
use std::sync::Arc;

const ID: &str = "01a21027-8e5d-76b2-a69a-8d122f78b350";

/// Builds a dataset from text: `dims` are the dataset type's dimensions; `data_id` holds
/// `dim=value` pairs (required, and implied when all are given), `element.column=value`
/// record values (key columns are filled from the data ID) and `+records` to attach
/// records even when none is given; `␣` stands for a space.
fn dataset(type_name: &str, run: &str, dims: &str, data_id: &str) -> DatasetRef {
    let universe = DimensionUniverse::default_universe();
    let group = universe.group(dims.split_whitespace()).unwrap();
    let value = |v: &str| {
        v.parse::<i64>()
            .map_or_else(|_| DataIdValue::Str(v.replace('␣', " ")), DataIdValue::Int)
    };
    let mut values = BTreeMap::new();
    let mut columns: BTreeMap<&str, BTreeMap<String, RecordValue>> = BTreeMap::new();
    let mut with_records = false;
    for token in data_id.split_whitespace() {
        if token == "+records" {
            with_records = true;
            continue;
        }
        let (key, v) = token.split_once('=').unwrap();
        match key.split_once('.') {
            Some((element, column)) => {
                let v = match value(v) {
                    DataIdValue::Int(i) => RecordValue::Int(i),
                    DataIdValue::Str(s) => RecordValue::Str(s),
                };
                columns
                    .entry(element)
                    .or_default()
                    .insert(column.to_owned(), v);
            }
            None => {
                values.insert(key.to_owned(), value(v));
            }
        }
    }
    let required = group.required().map(|d| values[d].clone()).collect();
    let implied: Option<Vec<_>> = group.implied().map(|d| values.get(d).cloned()).collect();
    let mut coordinate = DataCoordinate::from_required(Arc::new(group.clone()), required).unwrap();
    if let Some(implied) = implied {
        coordinate = coordinate.with_implied(implied).unwrap();
    }
    if with_records || !columns.is_empty() {
        let mut records = BTreeMap::new();
        for (element, mut cols) in columns {
            let spec = universe.get_element(element).unwrap();
            for column in spec.record_columns(&universe) {
                let key = if column.name == "id" || column.name == "name" {
                    element
                } else {
                    column.name.as_str()
                };
                if let (false, Some(v)) = (cols.contains_key(&column.name), values.get(key)) {
                    let v = match v {
                        DataIdValue::Int(i) => RecordValue::Int(*i),
                        DataIdValue::Str(s) => RecordValue::Str(s.clone()),
                    };
                    cols.insert(column.name.clone(), v);
                }
            }
            records.insert(
                element.to_owned(),
                DimensionRecord::new(&universe, element, cols).unwrap(),
            );
        }
        coordinate = coordinate.with_records(records);
    }
    let name = DatasetTypeName::parse(type_name).unwrap();
    DatasetRef {
        id: ID.parse::<DatasetId>().unwrap(),
        dataset_type: Arc::new(DatasetType {
            name: DatasetTypeName::parse(name.parent()).unwrap(),
            dimensions: group,
            storage_class: StorageClassName::parse("StructuredDataDict").unwrap(),
            is_calibration: false,
        }),
        data_id: coordinate,
        run: RunName::parse(run).unwrap(),
        component: name.component().map(str::to_owned),
    }
}

/// Formats and compares with `expected`; `expected` starting with `error: ` must be a
/// substring of the error message instead.
fn check(template: &str, dataset: &DatasetRef, expected: &str) {
    let result = FileTemplate::parse(template).and_then(|t| t.format(dataset));
    match (result, expected.strip_prefix("error: ")) {
        (Ok(path), None) => assert_eq!(path, expected, "template {template}"),
        (Err(e), Some(fragment)) => {
            assert!(e.to_string().contains(fragment), "{template}: {e}")
        }
        (Ok(path), Some(_)) => panic!("{template}: expected an error, got {path}"),
        (Err(e), None) => panic!("{template}: expected {expected}, got error {e}"),
    }
}

const CALEXP: &str = "instrument=DemoCam visit=1 detector=0 band=g day_obs=20260101 physical_filter=DemoCam-g detector.full_name=R00_S000";
const RAW: &str = "instrument=DemoCam exposure=4 detector=2 band=z day_obs=20260101 physical_filter=DemoCam-z group=g4 exposure.obs_id=DC_O_0000004 detector.full_name=R00_S002";

/// Expected paths are what the Python Butler (`FileTemplate.format`) produces.
#[test]
fn formats_the_paths_the_python_butler_writes() {
    let put = "DemoCam/runs/put";
    let calexp = dataset("calexp", put, "visit detector", CALEXP);
    let raw = dataset("raw", put, "exposure detector", RAW);
    let summary = dataset(
        "visitSummary",
        put,
        "visit",
        "instrument=DemoCam visit=5 band=y day_obs=20260101 physical_filter=DemoCam-y",
    );
    let metrics = dataset(
        "metrics",
        "u/alice/run1",
        "instrument detector",
        "instrument=DemoCam detector=1 detector.full_name=R00_S00",
    );
    let wcs = dataset("calexp.wcs", put, "visit detector", CALEXP);
    let refcat = dataset("refcat", put, "htm7", "htm7=12345");
    let coadd = dataset(
        "deepCoadd",
        put,
        "tract patch band",
        "skymap=sm tract=9813 patch=42 band=r",
    );
    let odd = dataset(
        "calexp",
        put,
        "visit detector",
        &CALEXP.replace("DemoCam-g", "a␣b/c:d.e#1"),
    );
    let bare = dataset(
        "calexp",
        "a/b",
        "visit detector",
        "instrument=DemoCam visit=1 detector=0",
    );
    let cases: &[(&str, &DatasetRef, &str)] = &[
        (DEFAULT_TEMPLATE, &calexp, "DemoCam/runs/put/calexp/20260101/g/DemoCam-g/1/calexp_DemoCam_g_DemoCam-g_1_R00_S000_DemoCam_runs_put"),
        (RAW_TEMPLATE, &raw, "DemoCam/runs/put/raw/20260101/DC_O_0000004/raw_DemoCam_DemoCam-z_DC_O_0000004_R00_S002_DemoCam_runs_put"),
        (DEFAULT_TEMPLATE, &raw, "DemoCam/runs/put/raw/20260101/z/DemoCam-z/DC_O_0000004/raw_DemoCam_z_DemoCam-z_DC_O_0000004_R00_S002_DemoCam_runs_put"),
        (DEFAULT_TEMPLATE, &summary, "DemoCam/runs/put/visitSummary/20260101/y/DemoCam-y/5/visitSummary_DemoCam_y_DemoCam-y_5_DemoCam_runs_put"),
        (DEFAULT_TEMPLATE, &metrics, "u/alice/run1/metrics/metrics_DemoCam_R00_S00_u_alice_run1"),
        (DEFAULT_TEMPLATE, &wcs, "DemoCam/runs/put/calexp.wcs/20260101/g/DemoCam-g/1/calexp_wcs_DemoCam_g_DemoCam-g_1_R00_S000_DemoCam_runs_put"),
        (DEFAULT_TEMPLATE, &refcat, "DemoCam/runs/put/refcat/refcat_12345_DemoCam_runs_put"),
        (DEFAULT_TEMPLATE, &coadd, "DemoCam/runs/put/deepCoadd/9813/42/r/deepCoadd_9813_42_r_sm_DemoCam_runs_put"),
        // Special characters become `_`; `.` and `#` only in the file name.
        (DEFAULT_TEMPLATE, &odd, "DemoCam/runs/put/calexp/20260101/g/a_b_c_d.e#1/1/calexp_DemoCam_g_a_b_c_d_eHASH1_1_R00_S000_DemoCam_runs_put"),
        // Format specs, `id`, escaped braces, optional literals, normalisation.
        ("{run}/{visit:08d}/{datasetType}", &calexp, "DemoCam_runs_put/00000001/calexp"),
        ("{run}/{datasetType}/{id}", &calexp, "DemoCam_runs_put/calexp/01a21027-8e5d-76b2-a69a-8d122f78b350"),
        ("{run}/{datasetType}/{visit:>5}{{x}}", &calexp, "DemoCam_runs_put/calexp/    1{x}"),
        ("{run:/}/{visit:+d}/{visit:<4}|{visit:^5}|{visit:=+6}|{datasetType:.3}|{datasetType:*^10}|{visit!s:>3}|{visit:5.2f}", &calexp, "DemoCam/runs/put/+1/1   |  1  |+    1|cal|**calexp**|  1| 1_00"),
        ("{run}/{datasetType}/{detector.nosuch:?}x", &calexp, "DemoCam_runs_put/calexp/x"),
        ("{run}/{datasetType}/{detector.purpose}x", &calexp, "DemoCam_runs_put/calexp/Nonex"),
        ("/{run}//{datasetType}_{tract:?}", &calexp, "DemoCam_runs_put/calexp"),
        ("{run:/}/{datasetType}/{visit}_{band:?}x{tract:?}", &bare, "a/b/calexp/1"),
        ("{run}/{visit:?}{datasetType}", &bare, "a_b/1calexp"),
        // Errors.
        (DEFAULT_TEMPLATE, &dataset("calexp", put, "visit detector", &CALEXP.replace(" detector.full_name=R00_S000", "")), "error: file template field `detector.full_name` needs the `detector` dimension record"),
        (DEFAULT_TEMPLATE, &bare, "error: file template field `visit.day_obs` needs the `visit` dimension record"),
        (DEFAULT_TEMPLATE, &dataset("metrics", put, "instrument detector", "instrument=DemoCam detector=1 +records"), "error: expand the data ID"),
        (RAW_TEMPLATE, &calexp, "error: needs `exposure.obs_id`, which calexp@{instrument: 'DemoCam', detector: 0, visit: 1"),
        ("{run}/{datasetType}/{detector.nosuch}x", &calexp, "error: needs `detector.nosuch`"),
        ("{run}/{visit}/{datasetType}", &wcs, "error: does not use `{component}`"),
        ("{run}/{visit:d}{band:d}", &calexp, "error: type `d` cannot format `g`"),
        ("{run}/{id}{id:>40}", &calexp, "error: only an empty format spec"),
        ("{run}/{visit:x}", &calexp, "error: format spec `x` is not supported"),
        ("{datasetType}/{visit}", &calexp, "error: must use `run` or `id`"),
        ("{run}/{datasetType}", &calexp, "error: no field corresponds to a dimension"),
        ("{run}/../{visit}", &calexp, "error: `../`"),
        ("{id}/fixed", &calexp, "error: `{id}` must be part of the file name"),
        ("{collection}/{run}", &calexp, "error: `collection` is no longer a template field"),
        ("{run}/{visit", &calexp, "error: is not closed"),
        ("{run}/{visit}}", &calexp, "error: a single `}`"),
        ("{run}/{}", &calexp, "error: empty or malformed field name"),
        ("{run}/{visit!r}", &calexp, "error: conversion `!r`"),
    ];
    for (template, dataset, expected) in cases {
        check(template, dataset, expected);
    }
}

#[test]
fn template_lookup_follows_the_python_priority() {
    let universe = DimensionUniverse::default_universe();
    let raw = dataset("raw", "r", "exposure detector", RAW);
    let calexp = dataset("calexp.wcs", "r", "visit detector", CALEXP);
    let defaults = FileTemplates::defaults();
    assert_eq!(defaults.template_for(&raw).as_str(), RAW_TEMPLATE);
    assert_eq!(defaults.template_for(&calexp).as_str(), DEFAULT_TEMPLATE);
    assert_eq!(
        defaults.format(&raw).unwrap(),
        "r/raw/20260101/DC_O_0000004/raw_DemoCam_DemoCam-z_DC_O_0000004_R00_S002_r"
    );
    // A superset of the raw key is not the raw key (the Python Butler compares groups).
    let wider = dataset(
        "x",
        "r",
        "exposure detector visit",
        &format!("{RAW} visit=1"),
    );
    assert_eq!(defaults.template_for(&wider).as_str(), DEFAULT_TEMPLATE);

    let by_parent = FileTemplate::parse("{run}/parent/{visit}_{component:?}").unwrap();
    let by_component = FileTemplate::parse("{run}/component/{visit}_{component}").unwrap();
    let by_class = FileTemplate::parse("{run}/class/{id}").unwrap();
    let templates = FileTemplates::defaults()
        .with_override(
            TemplateKey::parse(&universe, "StructuredDataDict").unwrap(),
            by_class.clone(),
        )
        .with_override(
            TemplateKey::parse(&universe, "calexp").unwrap(),
            by_parent.clone(),
        )
        .with_override(
            TemplateKey::parse(&universe, "calexp.wcs").unwrap(),
            by_component.clone(),
        );
    assert_eq!(templates.template_for(&calexp), &by_component);
    assert_eq!(
        templates.template_for_dataset_type(&calexp.dataset_type, None),
        &by_parent
    );
    assert_eq!(templates.template_for(&raw).as_str(), RAW_TEMPLATE);
    let metrics = dataset(
        "metrics",
        "r",
        "instrument detector",
        "instrument=DemoCam detector=1",
    );
    assert_eq!(templates.template_for(&metrics), &by_class);
    let err = TemplateKey::parse(&universe, "detector+vist").unwrap_err();
    assert!(err.to_string().contains("did you mean `visit`"), "{err}");
}
