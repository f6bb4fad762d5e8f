//! Dimension records: insertion with referential checks, an in-memory cache per element, and
//! data ID expansion (implied values and records).

use rusqlite::types::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::schema::{self, element_table, ident};
use super::SqliteRegistry;
use crate::model::{
    DataCoordinate, DataIdValue, DimensionElement, DimensionRecord, ModelError, RecordValue,
};
use crate::registry::RegistryError;

/// What to do when a record with the same key already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordConflict {
    /// Refuse (`insert-dimension-records` default).
    #[default]
    Fail,
    /// Keep identical rows, refuse different ones (imports, transfers).
    SkipIdentical,
    /// Overwrite (`--update`).
    Replace,
}

impl SqliteRegistry {
    /// Inserts records of one element in one transaction, checking that the records they refer
    /// to (required and implied dimensions) exist.
    ///
    /// Returns the number of rows written (identical rows skipped under
    /// [`RecordConflict::SkipIdentical`] are not counted).
    ///
    /// # Errors
    /// [`RegistryError::MissingDimensionRecord`], [`RegistryError::ConflictingDimensionRecord`].
    pub fn insert_dimension_records(
        &self,
        element: &str,
        records: &[DimensionRecord],
        on_conflict: RecordConflict,
    ) -> Result<usize, RegistryError> {
        let universe = self.universe().clone();
        let e = universe.get_element(element)?;
        DimensionRecord::require_table(e)?;
        let cols = schema::element_sql_columns(&universe, e);
        let keys = schema::element_key_columns(&universe, e);
        let col_list: Vec<String> = cols.iter().map(|(n, _, _)| ident(n)).collect();
        let params = schema::placeholders(cols.len(), 1);
        let template = if on_conflict == RecordConflict::Replace {
            "INSERT OR REPLACE INTO {table} ({cols}) VALUES ({params})"
        } else {
            "INSERT INTO {table} ({cols}) VALUES ({params})"
        };
        let sql = schema::render(
            template,
            &[
                ("table", &element_table(element)),
                ("cols", &col_list.join(", ")),
                ("params", params.trim_start_matches(", ")),
            ],
        );
        let written = self.transaction(|| {
            let existing = self.element_records(element)?;
            let references = self.references_of(e)?;
            let mut added: Vec<DimensionRecord> = Vec::new();
            let mut added_keys: HashMap<Vec<DataIdValue>, usize> = HashMap::new();
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut n = 0;
            for rec in records {
                if rec.element() != element {
                    return Err(RegistryError::Corrupt(format!(
                        "a `{}` record was given as `{element}`",
                        rec.element()
                    )));
                }
                self.check_references(&references, rec)?;
                let key = record_key(&keys, rec, element)?;
                if let Some(old) = existing
                    .get(&key)
                    .map(|r| &**r)
                    .or_else(|| added_keys.get(&key).map(|&i| &added[i]))
                {
                    match on_conflict {
                        RecordConflict::Replace => {}
                        RecordConflict::SkipIdentical if old == rec => continue,
                        _ => {
                            return Err(RegistryError::ConflictingDimensionRecord {
                                element: element.to_owned(),
                                key: format_key(&keys, &key),
                            })
                        }
                    }
                }
                let mut values: Vec<Value> = Vec::with_capacity(cols.len());
                for (name, _, _) in &cols {
                    values.push(match name.as_str() {
                        "timespan_begin" | "timespan_end" => match rec.get("timespan") {
                            Some(RecordValue::Timespan(t)) => {
                                let b = if name == "timespan_begin" {
                                    t.begin
                                } else {
                                    t.end
                                };
                                b.map_or(Value::Null, Value::Integer)
                            }
                            _ => Value::Null,
                        },
                        other => rec.get(other).map_or(Value::Null, schema::record_sql),
                    });
                }
                stmt.execute(rusqlite::params_from_iter(values))
                    .map_err(|err| match err {
                        rusqlite::Error::SqliteFailure(f, _)
                            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                        {
                            RegistryError::ConflictingDimensionRecord {
                                element: element.to_owned(),
                                key: format!(
                                    "{} (an alternate key is already used)",
                                    format_key(&keys, &key)
                                ),
                            }
                        }
                        other => other.into(),
                    })?;
                added_keys.insert(key, added.len());
                added.push(rec.clone());
                n += 1;
            }
            // Fold the new rows into the cache (dropped again if an outer transaction rolls back).
            let mut merged: HashMap<Vec<DataIdValue>, Arc<DimensionRecord>> = (*existing).clone();
            for rec in added {
                if let Ok(k) = record_key(&keys, &rec, element) {
                    merged.insert(k, Arc::new(rec));
                }
            }
            self.caches
                .borrow_mut()
                .records
                .insert(element.to_owned(), Arc::new(merged));
            Ok(n)
        })?;
        Ok(written)
    }

    /// For each element a record of `e` points at: its name, the columns of `e` holding the
    /// target's key (in the target's key order), and the target's key column names.
    fn references_of(&self, e: &DimensionElement) -> Result<Vec<Reference>, RegistryError> {
        Ok(schema::references(self.universe(), e))
    }

    /// Checks that the records a record points at exist.
    fn check_references(
        &self,
        references: &[Reference],
        rec: &DimensionRecord,
    ) -> Result<(), RegistryError> {
        for (dep, local, target_keys) in references {
            let key: Option<Vec<DataIdValue>> = local
                .iter()
                .map(|c| rec.get(c).and_then(RecordValue::as_data_id_value))
                .collect();
            // A NULL implied value refers to nothing.
            let Some(key) = key else { continue };
            if !self.element_records(dep)?.contains_key(&key) {
                return Err(RegistryError::MissingDimensionRecord {
                    element: dep.clone(),
                    key: format_key(target_keys, &key),
                });
            }
        }
        Ok(())
    }

    /// Every record of an element, keyed by its primary-key values (loaded once, then cached).
    ///
    /// # Errors
    /// SQLite errors; [`RegistryError::MissingDimensionRecord`] is never returned here.
    pub fn element_records(&self, element: &str) -> Result<super::ElementRecords, RegistryError> {
        if let Some(m) = self.caches.borrow().records.get(element) {
            return Ok(Arc::clone(m));
        }
        let universe = self.universe().clone();
        let e = universe.get_element(element)?;
        let keys = schema::element_key_columns(&universe, e);
        let mut map = HashMap::new();
        for rec in self.load_records(e, &BTreeMap::new(), None)? {
            let k = record_key(&keys, &rec, element)?;
            map.insert(k, Arc::new(rec));
        }
        let map = Arc::new(map);
        self.caches
            .borrow_mut()
            .records
            .insert(element.to_owned(), Arc::clone(&map));
        Ok(map)
    }

    /// Reads records of an element with `column = value` constraints.
    fn load_records(
        &self,
        e: &DimensionElement,
        constraints: &BTreeMap<String, DataIdValue>,
        limit: Option<usize>,
    ) -> Result<Vec<DimensionRecord>, RegistryError> {
        let universe = self.universe().clone();
        let cols = schema::element_sql_columns(&universe, e);
        let keys = schema::element_key_columns(&universe, e);
        let mut sql = schema::render(
            "SELECT {cols} FROM {table}",
            &[
                (
                    "cols",
                    &cols
                        .iter()
                        .map(|(n, _, _)| ident(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                ("table", &element_table(&e.name)),
            ],
        );
        let mut params: Vec<Value> = Vec::new();
        let mut clauses = Vec::new();
        for (k, v) in constraints {
            params.push(match v {
                DataIdValue::Int(i) => Value::Integer(*i),
                DataIdValue::Str(s) => Value::Text(s.clone()),
            });
            clauses.push(format!("{} = ?{}", ident(k), params.len()));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(&format!(
            " ORDER BY {}",
            keys.iter().map(|k| ident(k)).collect::<Vec<_>>().join(", ")
        ));
        if let Some(n) = limit {
            params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            sql.push_str(&format!(" LIMIT ?{}", params.len()));
        }
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = BTreeMap::new();
            let mut ts: (Option<i64>, Option<i64>) = (None, None);
            for (i, (name, t, _)) in cols.iter().enumerate() {
                match name.as_str() {
                    "timespan_begin" => ts.0 = row.get(i)?,
                    "timespan_end" => ts.1 = row.get(i)?,
                    _ => {
                        values.insert(name.clone(), schema::record_from_sql(*t, row.get_ref(i)?));
                    }
                }
            }
            if e.temporal_family.is_some() {
                values.insert("timespan".to_owned(), schema::timespan_from_sql(ts.0, ts.1));
            }
            out.push(DimensionRecord::new(&universe, &e.name, values)?);
        }
        Ok(out)
    }

    /// The implied values of a data ID, from dimension records, by a per-group plan of
    /// lookups (cached) so that large query results cost two hash lookups per row.
    ///
    /// # Errors
    /// [`RegistryError::MissingDimensionRecord`] naming the record that does not exist.
    pub fn implied_values(
        &self,
        data_id: &DataCoordinate,
    ) -> Result<Vec<DataIdValue>, RegistryError> {
        let group = data_id.group();
        let plan = self.implied_plan(group)?;
        let names: Vec<&str> = group.names().collect();
        let mut values: Vec<Option<DataIdValue>> = data_id
            .required_values()
            .iter()
            .cloned()
            .map(Some)
            .collect();
        values.resize(names.len(), None);
        for step in plan.iter() {
            let mut key = Vec::with_capacity(step.key.len());
            for &i in &step.key {
                match &values[i] {
                    Some(v) => key.push(v.clone()),
                    None => {
                        return Err(ModelError::InconsistentDataId(format!(
                            "no value for `{}` in {data_id}",
                            names[i]
                        ))
                        .into())
                    }
                }
            }
            let records = self.element_records(&step.element)?;
            let Some(rec) = records.get(&key) else {
                let universe = self.universe().clone();
                let keys =
                    schema::element_key_columns(&universe, universe.get_element(&step.element)?);
                return Err(RegistryError::MissingDimensionRecord {
                    element: step.element.clone(),
                    key: format_key(&keys, &key),
                });
            };
            for (slot, column) in &step.outputs {
                values[*slot] = rec.get(column).and_then(RecordValue::as_data_id_value);
            }
        }
        let required = group.required().len();
        values
            .into_iter()
            .enumerate()
            .skip(required)
            .map(|(i, v)| {
                v.ok_or_else(|| {
                    RegistryError::Model(ModelError::InconsistentDataId(format!(
                        "no value for implied dimension `{}` of {data_id}",
                        names[i]
                    )))
                })
            })
            .collect()
    }

    /// The lookups that give a group's implied values: each step reads one element's record by
    /// values already known and yields the values it implies.
    fn implied_plan(
        &self,
        group: &crate::model::DimensionGroup,
    ) -> Result<Arc<Vec<ImpliedStep>>, RegistryError> {
        let key = group.key();
        if let Some(p) = self.caches.borrow().implied_plans.get(key) {
            return Ok(Arc::clone(p));
        }
        let universe = self.universe().clone();
        let names: Vec<&str> = group.names().collect();
        let slot = |n: &str| names.iter().position(|x| *x == n);
        let mut known: Vec<bool> = (0..names.len())
            .map(|i| i < group.required().len())
            .collect();
        let mut used = vec![false; names.len()];
        let mut steps = Vec::new();
        let mut progress = true;
        while progress && known.iter().any(|k| !k) {
            progress = false;
            for (i, dim) in names.iter().enumerate() {
                let e = universe.get_element(dim)?;
                if used[i] || !known[i] || !e.has_table() {
                    continue;
                }
                let cols = schema::element_key_columns(&universe, e);
                let key: Option<Vec<usize>> = cols
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        slot(if k + 1 == cols.len() { dim } else { c.as_str() })
                            .filter(|&s| known[s])
                    })
                    .collect();
                let Some(key) = key else { continue };
                let mut outputs = Vec::new();
                for (j, other) in names.iter().enumerate() {
                    if known[j] {
                        continue;
                    }
                    let via_view = universe
                        .element(other)
                        .and_then(|o| o.implied_union_target.as_deref())
                        == Some(*dim);
                    if e.implies.iter().any(|x| x == other) || via_view {
                        outputs.push((j, (*other).to_owned()));
                    }
                }
                used[i] = true;
                if outputs.is_empty() {
                    continue;
                }
                for (j, _) in &outputs {
                    known[*j] = true;
                }
                steps.push(ImpliedStep {
                    element: (*dim).to_owned(),
                    key,
                    outputs,
                });
                progress = true;
            }
        }
        let plan = Arc::new(steps);
        self.caches
            .borrow_mut()
            .implied_plans
            .insert(key.to_owned(), Arc::clone(&plan));
        Ok(plan)
    }

    /// Fills in implied values and attaches the records of every dimension element of the
    /// data ID's group that has records (join elements only when `with_join_elements`).
    /// Implied values always come from the records, so given ones can be checked against them.
    ///
    /// # Errors
    /// [`RegistryError::MissingDimensionRecord`] naming the first record that does not exist.
    pub fn expand_data_id(
        &self,
        data_id: &DataCoordinate,
        with_join_elements: bool,
    ) -> Result<DataCoordinate, RegistryError> {
        let group = Arc::clone(data_id.group());
        let implied = self.implied_values(data_id)?;
        let full: Vec<&DataIdValue> = data_id.required_values().iter().chain(&implied).collect();
        let mut records: BTreeMap<String, Arc<DimensionRecord>> = BTreeMap::new();
        for step in self.record_plan(&group)?.iter() {
            if step.join_element && !with_join_elements {
                continue;
            }
            let key: Vec<DataIdValue> = step.key.iter().map(|&i| full[i].clone()).collect();
            let all = self.element_records(&step.element)?;
            match all.get(&key) {
                Some(rec) => {
                    records.insert(step.element.clone(), Arc::clone(rec));
                }
                // Join rows (visit_detector_region) are optional; dimension records are not.
                None if step.join_element => {}
                None => {
                    return Err(RegistryError::MissingDimensionRecord {
                        element: step.element.clone(),
                        key: format_key(&step.columns, &key),
                    })
                }
            }
        }
        Ok(
            DataCoordinate::from_required(group, data_id.required_values().to_vec())?
                .with_implied(implied)?
                .with_records(records),
        )
    }

    /// Which record of each element with records belongs to a data ID of a group: the element,
    /// its key columns and the group slots (required then implied) holding their values.
    fn record_plan(
        &self,
        group: &crate::model::DimensionGroup,
    ) -> Result<Arc<Vec<RecordStep>>, RegistryError> {
        let key = group.key();
        if let Some(p) = self.caches.borrow().record_plans.get(key) {
            return Ok(Arc::clone(p));
        }
        let universe = self.universe().clone();
        let names: Vec<&str> = group.names().collect();
        let mut steps = Vec::new();
        for el in group.elements() {
            let e = universe.get_element(el)?;
            if !e.has_table() {
                continue;
            }
            let columns = schema::element_key_columns(&universe, e);
            let slots: Option<Vec<usize>> = columns
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let dim = if e.is_dimension() && k + 1 == columns.len() {
                        el
                    } else {
                        c.as_str()
                    };
                    names.iter().position(|n| *n == dim)
                })
                .collect();
            if let Some(key) = slots {
                steps.push(RecordStep {
                    element: el.to_owned(),
                    columns,
                    key,
                    join_element: !e.is_dimension(),
                });
            }
        }
        let plan = Arc::new(steps);
        self.caches
            .borrow_mut()
            .record_plans
            .insert(key.to_owned(), Arc::clone(&plan));
        Ok(plan)
    }
}

/// An element a record points at: its name, the pointing record's columns holding its key,
/// and its own key column names.
type Reference = (String, Vec<String>, Vec<String>);

/// One record of an expansion plan.
#[derive(Debug)]
pub(super) struct RecordStep {
    element: String,
    columns: Vec<String>,
    key: Vec<usize>,
    join_element: bool,
}

/// One lookup of an implied-values plan: slots of the key values, and which slots the found
/// record fills from which of its columns.
#[derive(Debug)]
pub(super) struct ImpliedStep {
    element: String,
    key: Vec<usize>,
    outputs: Vec<(usize, String)>,
}

/// The primary-key values of a record, in key-column order (the element's own key is stored
/// under its key column name, e.g. `id`).
fn record_key(
    keys: &[String],
    rec: &DimensionRecord,
    element: &str,
) -> Result<Vec<DataIdValue>, RegistryError> {
    keys.iter()
        .map(|k| {
            rec.get(k)
                .and_then(RecordValue::as_data_id_value)
                .ok_or_else(|| {
                    RegistryError::Model(ModelError::InvalidRecord {
                        element: element.to_owned(),
                        reason: format!("key column `{k}` has no value"),
                    })
                })
        })
        .collect()
}

fn format_key(keys: &[String], values: &[DataIdValue]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| match v {
            DataIdValue::Int(i) => format!("{k}: {i}"),
            DataIdValue::Str(s) => format!("{k}: '{s}'"),
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}
