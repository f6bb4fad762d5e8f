//! The `where` language against the real Python Butler: every case of
//! `tests/fixtures/where/cases.yaml` runs on our import of the fixture repository, and must
//! give the rows (or the error) the Python Butler gave on its own repository, recorded in
//! `expected.yaml` by `tests/python/where_cases.py`. A second test re-runs the Python side
//! (`where_cases.py check`) so the expected file cannot drift from what the Python Butler says.
//!
//! Deliberate differences are listed in [`DIVERGENCES`] with the reason; nothing else may
//! differ.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use serde_yaml::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use satellite_core::model::{
    CollectionName, DataCoordinate, DataIdValue, DatasetTypeName, DimensionRecord,
    DimensionUniverse, RecordValue,
};
use satellite_core::query::{parse_time_literal, BindValue, RegionLiteral};
use satellite_core::registry::{
    DataIdQuery, DatasetQuery, DimensionRecordQuery, Filter, Limit, RegistryError,
};
use satellite_core::repository::{ImportOptions, NoProgress, RepoConfig, Repository};

/// Cases where we knowingly answer differently, and why.
const DIVERGENCES: &[(&str, &str)] = &[(
    "region-inside-or",
    "a spatial constraint under OR: the Python Butler raises UnimplementedQueryError; we \
     evaluate region overlaps anywhere in an expression (an SQL function), and return visits 2 \
     and 3 (whose regions meet the circle) and 6",
)];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn fixture() -> PathBuf {
    workspace().join("tests/fixtures/where")
}

fn import_fixture(dir: &Path) -> Repository {
    let u = DimensionUniverse::default_universe();
    let repo = Repository::create(&dir.join("repo"), &u, RepoConfig::default()).unwrap();
    repo.import(
        &fixture(),
        &fixture().join("export.yaml"),
        &ImportOptions::default(),
        &NoProgress,
    )
    .unwrap();
    repo
}

fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("expected a string or list, got {other:?}"),
    }
}

fn data_id_value(v: &Value) -> DataIdValue {
    match v {
        Value::Number(n) => DataIdValue::Int(n.as_i64().unwrap()),
        Value::String(s) => DataIdValue::Str(s.clone()),
        other => panic!("bad data ID value {other:?}"),
    }
}

fn time(value: &Value, scale: Option<&Value>) -> i64 {
    let scale = scale.and_then(Value::as_str).unwrap_or("utc");
    parse_time_literal(&format!("{}/{scale}", value.as_str().unwrap())).unwrap()
}

fn bind_value(v: &Value) -> BindValue {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| BindValue::Float(n.as_f64().unwrap()), BindValue::Int),
        Value::String(s) => BindValue::Str(s.clone()),
        Value::Sequence(items) => BindValue::List(items.iter().map(bind_value).collect()),
        Value::Mapping(m) => {
            let t = m.get("type").and_then(Value::as_str).unwrap();
            let value = m.get("value").unwrap();
            let scale = m.get("scale");
            let floats = || -> Vec<f64> {
                value
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect()
            };
            match t {
                "time" => BindValue::Time(time(value, scale)),
                "timespan" => {
                    let s = value.as_sequence().unwrap();
                    BindValue::Timespan(satellite_core::model::Timespan::new(
                        Some(time(&s[0], scale)),
                        Some(time(&s[1], scale)),
                    ))
                }
                "uuid" => BindValue::Uuid(value.as_str().unwrap().parse().unwrap()),
                "circle" => {
                    let f = floats();
                    BindValue::Region(RegionLiteral::Circle(f[0], f[1], f[2]))
                }
                "point" => {
                    let f = floats();
                    BindValue::Region(RegionLiteral::Point(f[0], f[1]))
                }
                other => panic!("unknown bind type {other}"),
            }
        }
        other => panic!("bad bind value {other:?}"),
    }
}

fn filter(case: &Value) -> Filter {
    let mut f = Filter {
        expression: case["where"].as_str().unwrap_or("").to_owned(),
        ..Filter::default()
    };
    if let Some(Value::Mapping(m)) = case.get("data_id") {
        for (k, v) in m {
            f.data_id
                .insert(k.as_str().unwrap().to_owned(), data_id_value(v));
        }
    }
    if let Some(Value::Mapping(m)) = case.get("bind") {
        for (k, v) in m {
            f.bind.insert(k.as_str().unwrap().to_owned(), bind_value(v));
        }
    }
    if let Some(order) = case.get("order_by") {
        f.order_by = string_list(order);
    }
    f
}

fn limit(case: &Value) -> Limit {
    case.get("limit")
        .and_then(Value::as_i64)
        .map_or(Limit::Unlimited, |n| Limit::Truncate(n.try_into().unwrap()))
}

fn yaml_of(v: &DataIdValue) -> Value {
    match v {
        DataIdValue::Int(i) => Value::from(*i),
        DataIdValue::Str(s) => Value::from(s.as_str()),
    }
}

fn data_id_row(d: &DataCoordinate) -> Vec<Value> {
    d.required_values().iter().map(yaml_of).collect()
}

fn record_row(r: &DimensionRecord, universe: &DimensionUniverse) -> Vec<Value> {
    let e = universe.get_element(r.element()).unwrap();
    let mut keys = universe.required_closure(r.element());
    keys.retain(|k| k != r.element());
    keys.extend(e.primary_key().map(|k| k.name.clone()));
    keys.iter()
        .map(|k| match r.get(k) {
            Some(RecordValue::Int(i)) => Value::from(*i),
            Some(RecordValue::Str(s)) => Value::from(s.as_str()),
            other => panic!("key {k} of {r:?} is {other:?}"),
        })
        .collect()
}

/// Runs one case: its rows in result order, or the error.
fn run_case(repo: &Repository, case: &Value) -> Result<Vec<Vec<Value>>, RegistryError> {
    let reg = repo.registry();
    let universe = repo.universe().clone();
    match case["api"].as_str().unwrap() {
        "datasets" => {
            let mut dataset_types = Vec::new();
            for t in string_list(&case["target"]) {
                dataset_types.push(DatasetTypeName::parse(&t).map_err(RegistryError::from)?);
            }
            let collections = string_list(&case["collections"])
                .iter()
                .map(|c| CollectionName::parse(c).unwrap())
                .collect();
            let q = DatasetQuery {
                dataset_types,
                collections,
                filter: filter(case),
                find_first: case
                    .get("find_first")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                timespan: None,
                limit: limit(case),
            };
            let (refs, _) = reg.query_datasets(&q)?;
            Ok(refs
                .iter()
                .map(|r| {
                    let mut row = vec![
                        Value::from(r.dataset_type.name.as_str()),
                        Value::from(r.run.as_str()),
                    ];
                    row.extend(data_id_row(&r.data_id));
                    row
                })
                .collect())
        }
        "data_ids" => {
            let mut datasets = Vec::new();
            if let Some(d) = case.get("datasets") {
                for t in string_list(d) {
                    datasets.push(DatasetTypeName::parse(&t).unwrap());
                }
            }
            let q = DataIdQuery {
                dimensions: string_list(&case["target"]),
                filter: filter(case),
                datasets,
                collections: case
                    .get("collections")
                    .map(string_list)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| CollectionName::parse(c).unwrap())
                    .collect(),
                limit: limit(case),
            };
            let (ids, _) = reg.query_data_ids(&q)?;
            Ok(ids.iter().map(data_id_row).collect())
        }
        "dimension_records" => {
            let q = DimensionRecordQuery {
                element: case["target"].as_str().unwrap().to_owned(),
                filter: filter(case),
                limit: limit(case),
            };
            let (records, _) = reg.query_dimension_records(&q)?;
            Ok(records.iter().map(|r| record_row(r, &universe)).collect())
        }
        other => panic!("unknown api {other}"),
    }
}

/// Compares one case's outcome with the Python Butler's; returns what differs.
fn compare(case: &Value, got: &Result<Vec<Vec<Value>>, RegistryError>) -> Option<String> {
    let expect = &case["expect"];
    if let Some(error) = expect.get("error") {
        return match got {
            Ok(rows) => Some(format!(
                "Python raised {} ({}), we returned {} rows",
                error.as_str().unwrap_or("?"),
                expect["message"].as_str().unwrap_or(""),
                rows.len()
            )),
            Err(_) => None,
        };
    }
    let rows = match got {
        Ok(r) => r,
        Err(e) => return Some(format!("Python returned rows, we failed: {e}")),
    };
    let want: Vec<Vec<Value>> = expect
        .get("rows")
        .and_then(Value::as_sequence)
        .map(|rows| {
            rows.iter()
                .map(|r| r.as_sequence().unwrap().clone())
                .collect()
        })
        .unwrap_or_default();
    if let Some(first) = expect.get("first") {
        let first: Vec<Vec<Value>> = first
            .as_sequence()
            .unwrap()
            .iter()
            .map(|r| r.as_sequence().unwrap().clone())
            .collect();
        let got_first: Vec<Vec<Value>> = rows.iter().take(first.len()).cloned().collect();
        if got_first != first {
            return Some(format!(
                "order differs: first rows {got_first:?}, Python {first:?}"
            ));
        }
    }
    let count = expect["count"].as_u64().unwrap() as usize;
    if rows.len() != count {
        return Some(format!("{} rows, Python {count}", rows.len()));
    }
    // With a limit and no order the rows kept are arbitrary: only the count is compared.
    expect.get("rows")?;
    let mut sorted = rows.clone();
    sorted.sort_by_key(|r| format!("{r:?}"));
    let mut want_sorted = want;
    want_sorted.sort_by_key(|r| format!("{r:?}"));
    (sorted != want_sorted)
        .then(|| format!("rows differ:\n  ours   {sorted:?}\n  Python {want_sorted:?}"))
}

#[test]
fn every_where_case_gives_the_python_butlers_answer() {
    let cases: Vec<Value> =
        serde_yaml::from_str(&std::fs::read_to_string(fixture().join("expected.yaml")).unwrap())
            .unwrap();
    assert!(cases.len() >= 40, "the table has {} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let repo = import_fixture(dir.path());
    let mut failures = Vec::new();
    let mut diverged = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let got = run_case(&repo, case);
        let problem = compare(case, &got);
        let known = DIVERGENCES.iter().find(|(d, _)| *d == id);
        match (problem, known) {
            (Some(p), None) => failures.push(format!(
                "{id}: `{}`\n  {p}",
                case["where"].as_str().unwrap_or("")
            )),
            (None, Some((d, _))) => failures.push(format!(
                "{d} is listed as a divergence but now agrees with Python: remove it"
            )),
            (Some(_), Some(_)) => diverged.push(id),
            (None, None) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from the Python Butler:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(diverged.len(), DIVERGENCES.len());
}

/// Syntax errors carry the Python Butler's message (its parser's `cause`) and a span.
#[test]
fn syntax_errors_have_the_python_butlers_message() {
    let cases: Vec<Value> =
        serde_yaml::from_str(&std::fs::read_to_string(fixture().join("expected.yaml")).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let repo = import_fixture(dir.path());
    let mut checked = 0;
    for case in &cases {
        let Some(cause) = case["expect"].get("cause").and_then(Value::as_str) else {
            continue;
        };
        if !cause.starts_with("Syntax error") && !cause.starts_with("Unexpected character") {
            continue;
        }
        let Err(RegistryError::Query { error, .. }) = run_case(&repo, case) else {
            panic!("{}: expected a query error", case["id"].as_str().unwrap());
        };
        assert_eq!(error.message, cause, "{}", case["id"].as_str().unwrap());
        assert!(error.span.is_some());
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} syntax error cases");
}

/// The expected answers still come from the Python Butler: `where_cases.py check` rebuilds
/// the fixture repository with it and compares.
#[test]
fn the_expected_answers_are_the_python_butlers() {
    let python = std::env::var_os("SATELLITE_PYTHON")
        .map_or_else(|| workspace().join(".venv/bin/python"), PathBuf::from);
    assert!(
        python.exists(),
        "the Python Butler venv is missing at {}; run `scripts/test`",
        python.display()
    );
    let out = Command::new(python)
        .arg(workspace().join("tests/python/where_cases.py"))
        .arg("check")
        .arg(fixture().join("cases.yaml"))
        .arg(fixture().join("expected.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "where_cases.py check failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
