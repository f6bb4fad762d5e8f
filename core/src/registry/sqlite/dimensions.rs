//! Dimension records: insertion with referential checks, an in-memory cache per element, and
//! data ID expansion (implied values and records).

use rusqlite::types::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::schema::{self, element_table, ident};
use super::SqliteRegistry;
use crate::model::{
    ColumnType, DataCoordinate, DataIdValue, DimensionElement, DimensionRecord, ModelError,
    RecordValue,
};
use crate::registry::{DimensionRecordQuery, RegistryError};

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
        if !e.has_table() {
            return Err(ModelError::InvalidRecord {
                element: element.to_owned(),
                reason:
                    "this element has no records of its own (its values come from another element)"
                        .into(),
            }
            .into());
        }
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
            let mut added: Vec<DimensionRecord> = Vec::new();
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut n = 0;
            for rec in records {
                if rec.element() != element {
                    return Err(RegistryError::Corrupt(format!(
                        "a `{}` record was given as `{element}`",
                        rec.element()
                    )));
                }
                self.check_references(e, rec)?;
                let key = record_key(&keys, rec, element)?;
                if let Some(old) = existing.get(&key).map(|r| &**r).or_else(|| {
                    added
                        .iter()
                        .find(|a| record_key(&keys, a, element).ok().as_ref() == Some(&key))
                }) {
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

    /// Checks that the records a record points at exist.
    fn check_references(
        &self,
        e: &DimensionElement,
        rec: &DimensionRecord,
    ) -> Result<(), RegistryError> {
        let universe = self.universe().clone();
        for dep in e.requires.iter().chain(&e.implies) {
            let Some(target) = universe.element(dep).filter(|t| t.has_table()) else {
                continue;
            };
            let target_keys = schema::element_key_columns(&universe, target);
            let mut key = Vec::with_capacity(target_keys.len());
            for (i, k) in target_keys.iter().enumerate() {
                let col = if i + 1 == target_keys.len() {
                    dep.as_str()
                } else {
                    k.as_str()
                };
                match rec.get(col).and_then(RecordValue::as_data_id_value) {
                    Some(v) => key.push(v),
                    None => break,
                }
            }
            if key.len() < target_keys.len() {
                continue; // a NULL implied value refers to nothing
            }
            if !self.element_records(dep)?.contains_key(&key) {
                return Err(RegistryError::MissingDimensionRecord {
                    element: dep.clone(),
                    key: format_key(&target_keys, &key),
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

    /// Records of an element matching `dimension = value` / `field = value` constraints.
    ///
    /// Returns the records and whether more existed than the limit allowed.
    ///
    /// # Errors
    /// [`ModelError::UnknownElement`], [`ModelError::UnknownField`].
    pub fn query_dimension_records(
        &self,
        q: &DimensionRecordQuery,
    ) -> Result<(Vec<DimensionRecord>, bool), RegistryError> {
        let universe = self.universe().clone();
        let e = universe.get_element(&q.element)?;
        if !e.has_table() {
            return Err(ModelError::InvalidRecord {
                element: q.element.clone(),
                reason: "this element has no records of its own".into(),
            }
            .into());
        }
        let cols = schema::element_sql_columns(&universe, e);
        let mut constraints = BTreeMap::new();
        for (k, v) in &q.data_id {
            // `visit=3` on the visit element means its primary key.
            let col = if *k == e.name {
                e.primary_key().map_or(k.clone(), |p| p.name.clone())
            } else {
                k.clone()
            };
            let Some((_, t, _)) = cols.iter().find(|(n, _, _)| *n == col) else {
                return Err(ModelError::UnknownField {
                    element: e.name.clone(),
                    field: k.clone(),
                    suggestions: crate::model::suggest(k, cols.iter().map(|(n, _, _)| n.as_str())),
                }
                .into());
            };
            let v = match (t, v) {
                (ColumnType::Int, DataIdValue::Str(s)) => {
                    DataIdValue::parse_for(k, ColumnType::Int, s)?
                }
                _ => v.clone(),
            };
            constraints.insert(col, v);
        }
        let mut rows = self.load_records(e, &constraints, q.limit.fetch())?;
        let more = q.limit.cap().is_some_and(|cap| rows.len() > cap);
        if let Some(cap) = q.limit.cap() {
            rows.truncate(cap);
        }
        Ok((rows, more))
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
        if let Some(p) = self.caches.borrow().implied_plans.get(&key) {
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
            .insert(key, Arc::clone(&plan));
        Ok(plan)
    }

    /// Fills in implied values and attaches the records of every dimension element of the
    /// data ID's group that has records (join elements only when `with_join_elements`).
    ///
    /// # Errors
    /// [`RegistryError::MissingDimensionRecord`] naming the first record that does not exist.
    pub fn expand_data_id(
        &self,
        data_id: &DataCoordinate,
        with_join_elements: bool,
    ) -> Result<DataCoordinate, RegistryError> {
        let universe = self.universe().clone();
        let group = Arc::clone(data_id.group());
        let mut values: HashMap<&str, DataIdValue> =
            data_id.iter().map(|(k, v)| (k, v.clone())).collect();
        let mut records: BTreeMap<String, Arc<DimensionRecord>> = BTreeMap::new();
        // Resolve dimensions until nothing changes: a record gives the values it implies.
        let mut progress = true;
        while progress {
            progress = false;
            for dim in group.names() {
                if records.contains_key(dim) {
                    continue;
                }
                let e = universe.get_element(dim)?;
                if !e.has_table() {
                    continue;
                }
                let keys = schema::element_key_columns(&universe, e);
                let mut key = Vec::with_capacity(keys.len());
                for (i, k) in keys.iter().enumerate() {
                    let name = if i + 1 == keys.len() { dim } else { k.as_str() };
                    match values.get(name) {
                        Some(v) => key.push(v.clone()),
                        None => break,
                    }
                }
                if key.len() < keys.len() {
                    continue;
                }
                let all = self.element_records(dim)?;
                let rec = all
                    .get(&key)
                    .ok_or_else(|| RegistryError::MissingDimensionRecord {
                        element: dim.to_owned(),
                        key: format_key(&keys, &key),
                    })?;
                for implied in &e.implies {
                    if let Some(v) = rec.get(implied).and_then(RecordValue::as_data_id_value) {
                        values
                            .entry(universe.element(implied).map_or("", |x| x.name.as_str()))
                            .or_insert(v);
                    }
                }
                records.insert(dim.to_owned(), Arc::clone(rec));
                progress = true;
            }
            // Union views (band) take their value from the target record's column.
            for dim in group.names() {
                if values.contains_key(dim) {
                    continue;
                }
                let Some(target) = universe
                    .element(dim)
                    .and_then(|e| e.implied_union_target.clone())
                else {
                    continue;
                };
                if let Some(v) = records
                    .get(&target)
                    .and_then(|r| r.get(dim))
                    .and_then(RecordValue::as_data_id_value)
                {
                    values.insert(universe.element(dim).map_or("", |x| x.name.as_str()), v);
                    progress = true;
                }
            }
        }
        let mut implied = Vec::with_capacity(group.implied().len());
        for dim in group.implied() {
            implied.push(values.get(dim).cloned().ok_or_else(|| {
                RegistryError::Model(ModelError::InconsistentDataId(format!(
                    "no value for implied dimension `{dim}` of {data_id}"
                )))
            })?);
        }
        if with_join_elements {
            for el in group.elements() {
                let e = universe.get_element(el)?;
                if e.is_dimension() || !e.has_table() {
                    continue;
                }
                let keys = schema::element_key_columns(&universe, e);
                let key: Option<Vec<DataIdValue>> = keys
                    .iter()
                    .map(|k| values.get(k.as_str()).cloned())
                    .collect();
                if let Some(rec) = key.and_then(|k| {
                    self.element_records(el)
                        .ok()
                        .and_then(|m| m.get(&k).cloned())
                }) {
                    records.insert(el.to_owned(), rec);
                }
            }
        }
        Ok(
            DataCoordinate::from_required(group, data_id.required_values().to_vec())?
                .with_implied(implied)?
                .with_records(records),
        )
    }
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
