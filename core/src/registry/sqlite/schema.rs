//! Schema management: numbered migrations, and the tables generated from the universe.
//!
//! Static tables come from `core/migrations/sqlite/NNNN_*.sql` (append-only). Tables whose
//! columns depend on the dimension universe are generated here: one `dim_<element>` table per
//! element with records, and per dimension group a `tags_<group>` table (dataset membership in
//! RUN and TAGGED collections, unique per (type, collection, data ID)) and a `calibs_<group>`
//! table (CALIBRATION associations with validity ranges).

use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::model::{
    ColumnType, DataIdValue, DimensionElement, DimensionUniverse, RecordValue, Timespan,
};
use crate::registry::RegistryError;

/// The migrations, in order; the schema version is the number of the last one applied.
pub(super) const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/sqlite/0002_tags_last_dimension_index.sql"),
    ),
];

/// The schema version this build creates and understands.
pub(super) const HEAD: i64 = 2;

/// Quotes an identifier generated from the schema (element, dimension or column names).
///
/// Names come from the universe and group IDs, never from user values; quoting keeps any
/// unusual name a name.
pub(super) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Renders a statement from a literal template whose `{slot}`s take only generated identifier
/// text: quoted table names, quoted column lists and `AND "col" = ?N` key clauses built by the
/// helpers below. Values never go through here; they are always bound.
pub(super) fn render(template: &'static str, slots: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, text) in slots {
        out = out.replace(&format!("{{{name}}}"), text);
    }
    out
}

/// `, "a", "b"` (with `prefix.` before each name when given): extra columns of a statement.
pub(super) fn column_list(names: &[&str], prefix: &str) -> String {
    names
        .iter()
        .map(|n| format!(", {prefix}{}", ident(n)))
        .collect()
}

/// `, ?4, ?5`: placeholders for extra columns, numbered from `first`.
pub(super) fn placeholders(count: usize, first: usize) -> String {
    (0..count).map(|i| format!(", ?{}", first + i)).collect()
}

/// ` AND "a" = ?3 AND "b" = ?4`: equality on each column, parameters numbered from `first`.
pub(super) fn key_clause(names: &[&str], first: usize, prefix: &str) -> String {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| format!(" AND {prefix}{} = ?{}", ident(n), first + i))
        .collect()
}

/// Table holding the records of `element`.
pub(super) fn element_table(element: &str) -> String {
    ident(&format!("dim_{element}"))
}

/// Table of RUN/TAGGED memberships for a dimension group.
pub(super) fn tags_table(group_id: i64) -> String {
    ident(&format!("tags_{group_id}"))
}

/// Table of CALIBRATION associations for a dimension group.
pub(super) fn calibs_table(group_id: i64) -> String {
    ident(&format!("calibs_{group_id}"))
}

/// Applies every migration newer than the file's version, in one transaction.
pub(super) fn migrate(conn: &Connection) -> Result<(), RegistryError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > HEAD {
        return Err(RegistryError::SchemaTooNew {
            found: current,
            supported: HEAD,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; the version is our own integer constant.
        conn.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    Ok(())
}

fn sql_type(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Int | ColumnType::Bool | ColumnType::Datetime => "INTEGER",
        ColumnType::Float => "REAL",
        ColumnType::String | ColumnType::Hash | ColumnType::Uuid | ColumnType::Region => "TEXT",
        ColumnType::Timespan => "INTEGER",
    }
}

/// The SQL columns of an element's table: a timespan becomes `timespan_begin` + `timespan_end`.
pub(super) fn element_sql_columns(
    universe: &DimensionUniverse,
    element: &DimensionElement,
) -> Vec<(String, ColumnType, bool)> {
    let required = universe.required_closure(&element.name);
    let mut out = Vec::new();
    for c in element.record_columns(universe) {
        let key = required.contains(&c.name) || element.keys.iter().any(|k| k.name == c.name);
        if c.column_type == ColumnType::Timespan {
            out.push(("timespan_begin".to_owned(), ColumnType::Int, false));
            out.push(("timespan_end".to_owned(), ColumnType::Int, false));
        } else {
            out.push((c.name, c.column_type, key));
        }
    }
    out
}

/// Names of the primary-key columns of an element's table, in order.
pub(super) fn element_key_columns(
    universe: &DimensionUniverse,
    element: &DimensionElement,
) -> Vec<String> {
    let mut cols: Vec<String> = universe
        .required_closure(&element.name)
        .into_iter()
        .filter(|d| *d != element.name)
        .collect();
    if let Some(pk) = element.primary_key() {
        cols.push(pk.name.clone());
    }
    cols
}

/// The elements a record of `e` points at (its required and implied dimensions that have
/// tables): each target's name, the columns of `e` holding the target's key (the target's own
/// key column is named after the dimension there), and the target's key column names.
pub(super) fn references(
    universe: &DimensionUniverse,
    e: &DimensionElement,
) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for dep in e.requires.iter().chain(&e.implies) {
        let Some(target) = universe.element(dep).filter(|t| t.has_table()) else {
            continue;
        };
        let target_keys = element_key_columns(universe, target);
        let local = target_keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if i + 1 == target_keys.len() {
                    dep.clone()
                } else {
                    k.clone()
                }
            })
            .collect();
        out.push((dep.clone(), local, target_keys));
    }
    out
}

/// `CREATE TABLE` for every element with records.
pub(super) fn create_element_tables(
    conn: &Connection,
    universe: &DimensionUniverse,
) -> Result<(), RegistryError> {
    for e in universe.elements().filter(|e| e.has_table()) {
        let cols = element_sql_columns(universe, e);
        let mut defs: Vec<String> = cols
            .iter()
            .map(|(n, t, key)| {
                format!(
                    "{} {}{}",
                    ident(n),
                    sql_type(*t),
                    if *key { " NOT NULL" } else { "" }
                )
            })
            .collect();
        let pk = element_key_columns(universe, e);
        defs.push(format!(
            "PRIMARY KEY ({})",
            pk.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
        ));
        let outer: Vec<String> =
            pk[..pk.len().saturating_sub(usize::from(e.is_dimension()))].to_vec();
        for alt in e.keys.iter().skip(1) {
            let mut u = outer.clone();
            u.push(alt.name.clone());
            defs.push(format!(
                "UNIQUE ({})",
                u.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
            ));
        }
        for (dep, local, target_keys) in references(universe, e) {
            if local.iter().all(|c| cols.iter().any(|(n, _, _)| n == c)) {
                defs.push(format!(
                    "FOREIGN KEY ({}) REFERENCES {} ({})",
                    local
                        .iter()
                        .map(|c| ident(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                    element_table(&dep),
                    target_keys
                        .iter()
                        .map(|c| ident(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\n  {}\n)",
            element_table(&e.name),
            defs.join(",\n  ")
        ))?;
    }
    Ok(())
}

/// `CREATE TABLE` for the dataset tables of a dimension group (idempotent).
pub(super) fn create_group_tables(
    conn: &Connection,
    universe: &DimensionUniverse,
    group_id: i64,
    required: &[String],
) -> Result<(), RegistryError> {
    let mut dims = Vec::new();
    for d in required {
        let t = universe
            .get_dimension(d)?
            .primary_key()
            .map_or(ColumnType::String, |c| c.column_type);
        dims.push(format!("{} {} NOT NULL", ident(d), sql_type(t)));
    }
    let dim_list: Vec<String> = required.iter().map(|d| ident(d)).collect();
    let dim_defs = if dims.is_empty() {
        String::new()
    } else {
        format!("{},\n  ", dims.join(",\n  "))
    };
    let dim_key = if dim_list.is_empty() {
        String::new()
    } else {
        format!(", {}", dim_list.join(", "))
    };
    let tags = tags_table(group_id);
    let calibs = calibs_table(group_id);
    // The primary key serves lookups by the first dimensions (`detector` of a calexp); an
    // index leading with the governors and the last dimension serves the common `visit > X`
    // and `visit IN (...)` constraints, so a query can start from the few matching visits.
    let governors: Vec<&String> = required
        .iter()
        .filter(|d| universe.element(d).is_some_and(|e| e.governor))
        .collect();
    let others = required.len() - governors.len();
    let last_index = match required.last() {
        Some(last) if others >= 2 => {
            let mut cols: Vec<String> = governors.iter().map(|d| ident(d)).collect();
            cols.push(ident(last));
            // With the dataset ID the index covers a query: no lookups into the table.
            cols.push("dataset_id".to_owned());
            format!(
                "CREATE INDEX IF NOT EXISTS {} ON {tags} (dataset_type_id, collection_id, {});",
                ident(&format!("tags_{group_id}_by_{last}")),
                cols.join(", ")
            )
        }
        _ => String::new(),
    };
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {tags} (
  dataset_type_id INTEGER NOT NULL REFERENCES dataset_type (dataset_type_id),
  collection_id INTEGER NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE,
  dataset_id BLOB NOT NULL REFERENCES dataset (dataset_id) ON DELETE CASCADE,
  {dim_defs}PRIMARY KEY (dataset_type_id, collection_id{dim_key})
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {tags_idx} ON {tags} (dataset_id);
CREATE TABLE IF NOT EXISTS {calibs} (
  calib_id INTEGER PRIMARY KEY,
  dataset_type_id INTEGER NOT NULL REFERENCES dataset_type (dataset_type_id),
  collection_id INTEGER NOT NULL REFERENCES collection (collection_id) ON DELETE CASCADE,
  dataset_id BLOB NOT NULL REFERENCES dataset (dataset_id) ON DELETE CASCADE,
  {dim_defs}timespan_begin INTEGER,
  timespan_end INTEGER
);
CREATE INDEX IF NOT EXISTS {calibs_idx} ON {calibs} (dataset_type_id, collection_id{dim_key});
CREATE INDEX IF NOT EXISTS {calibs_ds_idx} ON {calibs} (dataset_id);
{last_index}",
        tags_idx = ident(&format!("tags_{group_id}_dataset")),
        calibs_idx = ident(&format!("calibs_{group_id}_key")),
        calibs_ds_idx = ident(&format!("calibs_{group_id}_dataset")),
    ))?;
    Ok(())
}

/// Reads a data ID value from a column.
pub(super) fn data_id_from_sql(v: ValueRef<'_>) -> Result<DataIdValue, RegistryError> {
    match v {
        ValueRef::Integer(i) => Ok(DataIdValue::Int(i)),
        ValueRef::Text(t) => Ok(DataIdValue::Str(String::from_utf8_lossy(t).into_owned())),
        other => Err(RegistryError::Corrupt(format!(
            "a data ID column holds {:?}",
            other.data_type()
        ))),
    }
}

/// A record value as an SQL value (timespans are split by the caller).
pub(super) fn record_sql(v: &RecordValue) -> Value {
    match v {
        RecordValue::Null | RecordValue::Timespan(_) => Value::Null,
        RecordValue::Bool(b) => Value::Integer(i64::from(*b)),
        RecordValue::Int(i) => Value::Integer(*i),
        RecordValue::Float(x) => Value::Real(*x),
        RecordValue::Str(s) => Value::Text(s.clone()),
    }
}

/// A stored value back as a record value of the column's type.
pub(super) fn record_from_sql(t: ColumnType, v: ValueRef<'_>) -> RecordValue {
    match (t, v) {
        (_, ValueRef::Null) => RecordValue::Null,
        (ColumnType::Bool, ValueRef::Integer(i)) => RecordValue::Bool(i != 0),
        (_, ValueRef::Integer(i)) => RecordValue::Int(i),
        (_, ValueRef::Real(x)) => RecordValue::Float(x),
        (_, ValueRef::Text(s)) => RecordValue::Str(String::from_utf8_lossy(s).into_owned()),
        (_, ValueRef::Blob(b)) => RecordValue::Str(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

/// Builds a timespan from two nullable columns (both NULL = no timespan).
pub(super) fn timespan_from_sql(begin: Option<i64>, end: Option<i64>) -> RecordValue {
    if begin.is_none() && end.is_none() {
        RecordValue::Null
    } else {
        RecordValue::Timespan(Timespan::new(begin, end))
    }
}
