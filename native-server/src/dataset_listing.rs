//! How datasets, data IDs and dimension records are shown: rows as JSON objects and the
//! columns of their tables.
//!
//! The JSON keys here are the stable interface of `--format json` and `--format csv`.

use satellite_core::model::{
    ColumnType, DataCoordinate, DataIdValue, DatasetRef, DimensionGroup, DimensionRecord,
    DimensionUniverse, RecordValue, Timespan,
};
use satellite_core::repository::Repository;
use serde_json::{Map, Value};

use crate::output::{Align, Column, Listing, Section};

/// A data ID value as JSON (integers stay numbers).
pub fn data_id_value(v: &DataIdValue) -> Value {
    match v {
        DataIdValue::Int(i) => Value::from(*i),
        DataIdValue::Str(s) => Value::from(s.as_str()),
    }
}

/// A data ID as a JSON object of its known values.
pub fn data_id_object(data_id: &DataCoordinate) -> Map<String, Value> {
    data_id
        .iter()
        .map(|(k, v)| (k.to_owned(), data_id_value(v)))
        .collect()
}

/// The dimension columns of a data ID: required, then implied when known.
fn data_id_columns(data_id: &DataCoordinate, path_prefix: Option<&str>) -> Vec<Column> {
    data_id
        .iter()
        .map(|(k, _)| match path_prefix {
            Some(p) => Column::nested(k, &[p, k], Align::Right),
            None => Column::new(k, k, Align::Right),
        })
        .collect()
}

/// Where a dataset's files are, as URIs (`file://` for files inside the repository).
///
/// # Errors
/// Registry errors.
pub fn dataset_uris(repo: &Repository, r: &DatasetRef) -> anyhow::Result<Vec<String>> {
    let mut uris = Vec::new();
    for f in repo.registry().file_records(r.id)? {
        if f.path.contains("://") {
            uris.push(f.path);
        } else {
            uris.push(format!(
                "file://{}",
                repo.datastore().absolute_path(&f)?.display()
            ));
        }
    }
    Ok(uris)
}

/// Datasets as `butler query-datasets` shows them: one section per dataset type with `type`,
/// `run`, `id` and the data ID columns (and `uri` when `uris` is given, parallel to `refs`).
pub fn datasets(refs: &[DatasetRef], uris: Option<&[Vec<String>]>) -> Listing {
    let base = || {
        vec![
            Column::new("type", "dataset_type", Align::Right),
            Column::new("run", "run", Align::Right),
            Column::new("id", "id", Align::Right),
        ]
    };
    if refs.is_empty() {
        // An empty CSV still has its header.
        return Listing::single(base(), Vec::new());
    }
    let mut listing = Listing::default();
    let mut current: Option<String> = None;
    for (i, r) in refs.iter().enumerate() {
        let type_name = r.full_type_name();
        if current.as_deref() != Some(type_name.as_str()) {
            let mut columns = base();
            columns.extend(data_id_columns(&r.data_id, Some("data_id")));
            if uris.is_some() {
                columns.push(Column::new("uri", "uri", Align::Left));
            }
            listing.sections.push(Section {
                columns,
                rows: Vec::new(),
            });
            current = Some(type_name.clone());
        }
        let mut row = Map::new();
        row.insert("dataset_type".into(), Value::from(type_name));
        row.insert("run".into(), Value::from(r.run.as_str()));
        row.insert("id".into(), Value::from(r.id.to_string()));
        row.insert("data_id".into(), Value::Object(data_id_object(&r.data_id)));
        if let Some(uris) = uris {
            let list = uris.get(i).map(|u| u.join(" ")).unwrap_or_default();
            row.insert("uri".into(), Value::from(list));
        }
        if let Some(section) = listing.sections.last_mut() {
            section.rows.push(row);
        }
    }
    listing
}

/// Data IDs of one dimension group, one row each.
pub fn data_ids(ids: &[DataCoordinate], group: &DimensionGroup) -> Listing {
    let columns = group
        .names()
        .map(|d| Column::new(d, d, Align::Right))
        .collect();
    Listing::single(columns, ids.iter().map(data_id_object).collect())
}

/// The columns of an element's records as tables and CSV show them (a timespan becomes
/// `timespan_begin` and `timespan_end`).
pub fn record_columns(universe: &DimensionUniverse, element: &str) -> Vec<Column> {
    let Some(e) = universe.element(element) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in e.record_columns(universe) {
        let align = match c.column_type {
            ColumnType::Int | ColumnType::Float => Align::Right,
            _ => Align::Left,
        };
        if c.column_type == ColumnType::Timespan {
            out.push(Column::new("timespan_begin", "timespan_begin", Align::Left));
            out.push(Column::new("timespan_end", "timespan_end", Align::Left));
        } else {
            out.push(Column::new(&c.name, &c.name, align));
        }
    }
    out
}

/// One record as a JSON object: TAI times as ISO strings, the timespan split in two.
pub fn record_object(universe: &DimensionUniverse, record: &DimensionRecord) -> Map<String, Value> {
    let types: Vec<(String, ColumnType)> = universe
        .element(record.element())
        .map(|e| {
            e.record_columns(universe)
                .into_iter()
                .map(|c| (c.name, c.column_type))
                .collect()
        })
        .unwrap_or_default();
    let mut row = Map::new();
    for (name, value) in record.ordered(universe) {
        let column_type = types.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        match (column_type, value) {
            (Some(ColumnType::Timespan), v) => {
                let (b, e) = match v {
                    RecordValue::Timespan(t) => (t.begin, t.end),
                    _ => (None, None),
                };
                row.insert("timespan_begin".into(), time_value(b));
                row.insert("timespan_end".into(), time_value(e));
            }
            (Some(ColumnType::Datetime), RecordValue::Int(ns)) => {
                row.insert(name, Value::from(Timespan::format_tai_iso(ns)));
            }
            (_, v) => {
                row.insert(name, record_value(&v));
            }
        }
    }
    row
}

fn time_value(ns: Option<i64>) -> Value {
    ns.map_or(Value::Null, |ns| Value::from(Timespan::format_tai_iso(ns)))
}

fn record_value(v: &RecordValue) -> Value {
    match v {
        RecordValue::Null => Value::Null,
        RecordValue::Bool(b) => Value::from(*b),
        RecordValue::Int(i) => Value::from(*i),
        RecordValue::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        RecordValue::Str(s) => Value::from(s.as_str()),
        RecordValue::Timespan(t) => Value::from(t.to_string()),
    }
}

/// Records of one element.
pub fn records(
    universe: &DimensionUniverse,
    element: &str,
    records: &[DimensionRecord],
) -> Listing {
    Listing::single(
        record_columns(universe, element),
        records.iter().map(|r| record_object(universe, r)).collect(),
    )
}
