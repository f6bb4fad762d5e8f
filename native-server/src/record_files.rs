//! Reading dimension records from CSV, JSON (a list or NDJSON) and YAML files.
//!
//! Values are typed by the element's columns, so CSV text becomes integers, floats and
//! booleans where the universe says so. The timespan is given as `timespan_begin` and
//! `timespan_end` (the Python export's `datetime_begin`/`datetime_end` are accepted too), as
//! TAI ISO times or integer nanoseconds. Errors name the file and the line or record.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::Context;
use satellite_core::model::{ColumnType, DimensionRecord, DimensionUniverse, RecordValue};
use serde_json::Value;

use crate::cli::RecordFileFormat;
use crate::report::CliError;

/// Reads every record of `element` in `path` (`-` is stdin).
///
/// # Errors
/// The file cannot be read or parsed, or a record breaks the element's rules.
pub fn read_records(
    universe: &DimensionUniverse,
    element: &str,
    path: &Path,
    format: RecordFileFormat,
) -> anyhow::Result<Vec<DimensionRecord>> {
    let e = universe.get_element(element)?;
    let types: BTreeMap<String, ColumnType> = e
        .record_columns(universe)
        .into_iter()
        .map(|c| (c.name, c.column_type))
        .collect();
    let name = path.display().to_string();
    let stdin = path.as_os_str() == "-";
    let text = if stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read records from stdin")?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read `{name}`"))?
    };
    let kind = match format {
        RecordFileFormat::Auto => kind_from_extension(path, stdin)?,
        RecordFileFormat::Csv => Kind::Csv,
        RecordFileFormat::Json => Kind::Json,
        RecordFileFormat::Yaml => Kind::Yaml,
    };
    let rows = match kind {
        Kind::Csv => csv_rows(&text, &types, &name)?,
        Kind::Json => json_rows(&text, &types, &name)?,
        Kind::Yaml => yaml_rows(&text, &types, &name)?,
    };
    rows.into_iter()
        .map(|(location, values)| {
            DimensionRecord::new(universe, element, values)
                .with_context(|| format!("`{name}` {location}"))
        })
        .collect()
}

/// A resolved file format.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Csv,
    Json,
    Yaml,
}

fn kind_from_extension(path: &Path, stdin: bool) -> anyhow::Result<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Kind::Csv),
        Some("json" | "ndjson" | "jsonl") => Ok(Kind::Json),
        Some("yaml" | "yml") => Ok(Kind::Yaml),
        _ => Err(CliError::with_hint(
            if stdin {
                "the format of records read from stdin is not known".to_owned()
            } else {
                format!(
                    "cannot tell the format of `{}` from its extension",
                    path.display()
                )
            },
            "pass `--format csv`, `--format json` or `--format yaml`",
        )
        .into()),
    }
}

type Rows = Vec<(String, BTreeMap<String, RecordValue>)>;

fn column_name(name: &str) -> &str {
    match name {
        "datetime_begin" => "timespan_begin",
        "datetime_end" => "timespan_end",
        other => other,
    }
}

fn column_type(types: &BTreeMap<String, ColumnType>, name: &str) -> Option<ColumnType> {
    match name {
        "timespan_begin" | "timespan_end" => Some(ColumnType::Datetime),
        other => types.get(other).copied(),
    }
}

/// A value given as text (a CSV cell, or a JSON/YAML string), typed by its column.
fn from_text(column: &str, t: Option<ColumnType>, text: &str) -> Result<RecordValue, String> {
    let bad = |what: &str| format!("column `{column}` must be {what}, not `{text}`");
    Ok(match t {
        Some(ColumnType::Int) => RecordValue::Int(text.parse().map_err(|_| bad("an integer"))?),
        Some(ColumnType::Float) => RecordValue::Float(text.parse().map_err(|_| bad("a number"))?),
        Some(ColumnType::Bool) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => RecordValue::Bool(true),
            "false" | "0" | "no" => RecordValue::Bool(false),
            _ => return Err(bad("a boolean (`true` or `false`)")),
        },
        Some(ColumnType::Datetime) => match text.parse::<i64>() {
            Ok(ns) => RecordValue::Int(ns),
            Err(_) => RecordValue::Str(text.to_owned()),
        },
        Some(ColumnType::Timespan) => {
            return Err(format!(
                "give the timespan as `timespan_begin` and `timespan_end` columns, not `{column}`"
            ))
        }
        _ => RecordValue::Str(text.to_owned()),
    })
}

fn csv_rows(text: &str, types: &BTreeMap<String, ColumnType>, name: &str) -> anyhow::Result<Rows> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("`{name}` has no CSV header row"))?
        .iter()
        .map(|h| column_name(h).to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("`{name}` is not valid CSV"))?;
        let line = record.position().map_or(0, |p| p.line());
        let location = format!("line {line}");
        let mut values = BTreeMap::new();
        for (header, cell) in headers.iter().zip(record.iter()) {
            let value = if cell.is_empty() {
                RecordValue::Null
            } else {
                from_text(header, column_type(types, header), cell)
                    .map_err(|m| CliError::new(format!("`{name}` {location}: {m}")))?
            };
            values.insert(header.clone(), value);
        }
        rows.push((location, values));
    }
    Ok(rows)
}

fn json_rows(text: &str, types: &BTreeMap<String, ColumnType>, name: &str) -> anyhow::Result<Rows> {
    let objects: Vec<(String, Value)> = if text.trim_start().starts_with('[') {
        let list: Vec<Value> = serde_json::from_str(text)
            .with_context(|| format!("`{name}` is not a JSON list of objects"))?;
        list.into_iter()
            .enumerate()
            .map(|(i, v)| (format!("record {}", i + 1), v))
            .collect()
    } else {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .with_context(|| format!("`{name}` line {}: not a JSON object", i + 1))?;
            out.push((format!("line {}", i + 1), v));
        }
        out
    };
    objects
        .into_iter()
        .map(|(location, v)| {
            let values = object_values(v, types)
                .map_err(|m| CliError::new(format!("`{name}` {location}: {m}")))?;
            Ok((location, values))
        })
        .collect()
}

fn yaml_rows(text: &str, types: &BTreeMap<String, ColumnType>, name: &str) -> anyhow::Result<Rows> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(text).with_context(|| format!("`{name}` is not valid YAML"))?;
    let serde_yaml::Value::Sequence(items) = doc else {
        return Err(CliError::new(format!("`{name}` is not a YAML list of mappings")).into());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let location = format!("record {}", i + 1);
            let v: Value = serde_json::to_value(&item)
                .map_err(|e| CliError::new(format!("`{name}` {location}: {e}")))?;
            let values = object_values(v, types)
                .map_err(|m| CliError::new(format!("`{name}` {location}: {m}")))?;
            Ok((location, values))
        })
        .collect()
}

fn object_values(
    v: Value,
    types: &BTreeMap<String, ColumnType>,
) -> Result<BTreeMap<String, RecordValue>, String> {
    let Value::Object(map) = v else {
        return Err(format!(
            "a record must be an object of column values, not `{v}`"
        ));
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let key = column_name(&key).to_owned();
        let t = column_type(types, &key);
        let value = match value {
            Value::Null => RecordValue::Null,
            Value::Bool(b) => RecordValue::Bool(b),
            Value::Number(n) => match (n.as_i64(), t) {
                (Some(i), Some(ColumnType::Float)) => RecordValue::Float(i as f64),
                (Some(i), _) => RecordValue::Int(i),
                (None, _) => RecordValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => from_text(&key, t, &s)?,
            other => {
                return Err(format!(
                    "column `{key}` has the value `{other}`, which is not a scalar"
                ))
            }
        };
        out.insert(key, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> BTreeMap<String, ColumnType> {
        let u = DimensionUniverse::default_universe();
        let e = u.get_element("detector").unwrap();
        e.record_columns(&u)
            .into_iter()
            .map(|c| (c.name, c.column_type))
            .collect()
    }

    #[test]
    fn csv_cells_are_typed_by_column() {
        let rows = csv_rows(
            "instrument,id,full_name,purpose\nDemoCam, 1 ,R00_S00,\n",
            &types(),
            "d.csv",
        )
        .unwrap();
        let (loc, values) = &rows[0];
        assert_eq!(loc, "line 2");
        assert_eq!(values["id"], RecordValue::Int(1));
        assert_eq!(values["purpose"], RecordValue::Null);
        let err = csv_rows("instrument,id\nDemoCam,one\n", &types(), "d.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`d.csv` line 2: column `id` must be an integer, not `one`"
        );
    }

    #[test]
    fn json_lists_and_ndjson() {
        let list = json_rows(
            r#"[{"instrument": "DemoCam", "id": 1}]"#,
            &types(),
            "d.json",
        )
        .unwrap();
        assert_eq!(list[0].1["id"], RecordValue::Int(1));
        let nd = json_rows("{\"instrument\": \"DemoCam\", \"id\": \"2\"}\n\n{\"instrument\": \"DemoCam\", \"id\": 3}\n", &types(), "d.json").unwrap();
        assert_eq!(
            (nd[0].1["id"].clone(), nd[1].0.as_str()),
            (RecordValue::Int(2), "line 3")
        );
    }

    #[test]
    fn yaml_lists() {
        let rows = yaml_rows(
            "- {instrument: DemoCam, id: 1, full_name: R00_S00}\n",
            &types(),
            "d.yaml",
        )
        .unwrap();
        assert_eq!(rows[0].1["full_name"], RecordValue::Str("R00_S00".into()));
        assert!(yaml_rows("instrument: DemoCam\n", &types(), "d.yaml").is_err());
    }
}
