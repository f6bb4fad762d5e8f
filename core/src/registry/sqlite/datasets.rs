//! Dataset types, datasets, their collection memberships, and the datastore's file records.

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::collections::require_type;
use super::schema::{
    self, calibs_table, column_list, key_clause, placeholders, render, tags_table,
};
use super::SqliteRegistry;
use crate::datastore::StoredFileInfo;
use crate::model::{
    suggest, CollectionName, CollectionType, DataCoordinate, DataIdValue, DatasetId, DatasetRef,
    DatasetType, DatasetTypeName, RunName, StorageClassName, Timespan,
};
use crate::registry::RegistryError;

/// How many dataset IDs one `IN (...)` query binds (SQLite allows 32,766 parameters).
const ID_BATCH: usize = 500;

/// The `component` column's value for a whole (non-component) artifact.
const NO_COMPONENT: &str = "";

/// Nanoseconds TAI now (UTC + 37 s, the TAI−UTC offset since 2017).
pub(super) fn now_tai_ns() -> i64 {
    let utc = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    utc.saturating_add(37_000_000_000)
}

impl SqliteRegistry {
    /// Registers a dataset type; returns `false` if it already existed with the same definition.
    ///
    /// # Errors
    /// [`RegistryError::ConflictingDatasetType`]; components cannot be registered.
    pub fn register_dataset_type(&self, dataset_type: &DatasetType) -> Result<bool, RegistryError> {
        if dataset_type.name.component().is_some() {
            return Err(crate::model::ModelError::InvalidComponent(format!(
                "{} (component dataset types are never registered; register `{}`)",
                dataset_type.name,
                dataset_type.name.parent()
            ))
            .into());
        }
        self.transaction(|| {
            if let Some((_, existing, _)) = self.find_dataset_type(dataset_type.name.as_str())? {
                if existing.same_definition(dataset_type) {
                    return Ok(false);
                }
                return Err(RegistryError::ConflictingDatasetType {
                    name: dataset_type.name.to_string(),
                    existing: existing.to_string(),
                    given: dataset_type.to_string(),
                });
            }
            let group_id = self.group_id(&dataset_type.dimensions)?;
            let dims: Vec<&str> = dataset_type.dimensions.names().collect();
            self.conn().execute(
                "INSERT INTO dataset_type (name, storage_class, dimensions, group_id, is_calibration) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    dataset_type.name.as_str(),
                    dataset_type.storage_class.as_str(),
                    serde_json::to_string(&dims).unwrap_or_default(),
                    group_id,
                    dataset_type.is_calibration
                ],
            )?;
            Ok(true)
        })
    }

    fn find_dataset_type(
        &self,
        name: &str,
    ) -> Result<Option<(i64, Arc<DatasetType>, i64)>, RegistryError> {
        if let Some((id, dt, g)) = self.caches.borrow().dataset_types.get(name) {
            return Ok(Some((*id, Arc::clone(dt), *g)));
        }
        let row: Option<(i64, String, i64, bool)> = self
            .conn()
            .prepare_cached("SELECT dataset_type_id, storage_class, group_id, is_calibration FROM dataset_type WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let Some((id, sc, group_id, is_calibration)) = row else {
            return Ok(None);
        };
        let group = self.group_by_id(group_id)?;
        let dt = Arc::new(DatasetType {
            name: DatasetTypeName::parse(name)?,
            dimensions: (*group).clone(),
            storage_class: StorageClassName::parse(&sc)?,
            is_calibration,
        });
        let mut c = self.caches.borrow_mut();
        c.dataset_types
            .insert(name.to_owned(), (id, Arc::clone(&dt), group_id));
        c.dataset_type_names.insert(id, name.to_owned());
        Ok(Some((id, dt, group_id)))
    }

    /// A registered dataset type (give the parent name for components).
    ///
    /// # Errors
    /// [`RegistryError::MissingDatasetType`] suggesting near names.
    pub fn dataset_type(&self, name: &str) -> Result<Arc<DatasetType>, RegistryError> {
        self.dataset_type_entry(name).map(|(_, dt, _)| dt)
    }

    pub(super) fn dataset_type_entry(
        &self,
        name: &str,
    ) -> Result<(i64, Arc<DatasetType>, i64), RegistryError> {
        match self.find_dataset_type(name)? {
            Some(v) => Ok(v),
            None => {
                let names = self.dataset_type_names()?;
                Err(RegistryError::MissingDatasetType {
                    name: name.to_owned(),
                    suggestions: suggest(name, names.iter().map(String::as_str)),
                })
            }
        }
    }

    /// Names of all registered dataset types, sorted.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn dataset_type_names(&self) -> Result<Vec<String>, RegistryError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT name FROM dataset_type ORDER BY name")?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(names)
    }

    /// All registered dataset types, sorted by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn dataset_types(&self) -> Result<Vec<Arc<DatasetType>>, RegistryError> {
        self.dataset_type_names()?
            .iter()
            .map(|n| self.dataset_type(n))
            .collect()
    }

    /// Removes a dataset type that has no datasets.
    ///
    /// # Errors
    /// [`RegistryError::InUse`] when datasets of the type exist.
    pub fn remove_dataset_type(&self, name: &str) -> Result<(), RegistryError> {
        self.transaction(|| {
            let (id, _, _) = self.dataset_type_entry(name)?;
            let n: i64 = self.conn().query_row("SELECT COUNT(*) FROM dataset WHERE dataset_type_id = ?1", [id], |r| r.get(0))?;
            if n > 0 {
                return Err(RegistryError::InUse(format!(
                    "dataset type `{name}` still has {n} datasets; prune them first with `satellite prune-datasets --purge`"
                )));
            }
            self.conn().execute("DELETE FROM dataset_type WHERE dataset_type_id = ?1", [id])?;
            Ok(())
        })?;
        self.caches.borrow_mut().dataset_types.remove(name);
        Ok(())
    }

    /// Checks that every required dimension value of a data ID has a record.
    fn check_data_id(&self, data_id: &DataCoordinate) -> Result<(), RegistryError> {
        // Expansion finds the record of every dimension and reports the first missing one.
        self.expand_data_id(data_id, false).map(|_| ())
    }

    /// The data ID with implied values filled in from dimension records (no records attached).
    ///
    /// # Errors
    /// [`RegistryError::MissingDimensionRecord`].
    pub fn fill_implied(&self, data_id: &DataCoordinate) -> Result<DataCoordinate, RegistryError> {
        if data_id.has_full() {
            return Ok(data_id.clone());
        }
        let implied = self.implied_values(data_id)?;
        Ok(data_id.clone().with_implied(implied)?)
    }

    /// Inserts new datasets into a RUN (creating the RUN if needed), one transaction for all.
    ///
    /// # Errors
    /// [`RegistryError::DatasetExists`] when the RUN already holds the (type, data ID),
    /// [`RegistryError::ConflictingDataset`] for a reused ID, missing dimension records.
    pub fn insert_datasets(
        &self,
        run: &RunName,
        dataset_type: &str,
        items: &[(DatasetId, DataCoordinate)],
    ) -> Result<(), RegistryError> {
        self.insert_or_import(run, dataset_type, items, InsertMode::New)
            .map(|_| ())
    }

    /// [`SqliteRegistry::insert_datasets`] for data IDs this registry has just expanded with
    /// [`SqliteRegistry::expand_data_id`] (dimension records are never removed), so their records are
    /// known to exist and are not looked up again.
    pub(crate) fn insert_expanded_datasets(
        &self,
        run: &RunName,
        dataset_type: &str,
        items: &[(DatasetId, DataCoordinate)],
    ) -> Result<(), RegistryError> {
        self.insert_or_import(run, dataset_type, items, InsertMode::Expanded)
            .map(|_| ())
    }

    /// Like [`SqliteRegistry::insert_datasets`], but datasets whose ID already exists with the
    /// identical definition are skipped. Returns the IDs that were new.
    ///
    /// # Errors
    /// As `insert_datasets`, with [`RegistryError::ConflictingDataset`] for a different definition.
    pub fn import_datasets(
        &self,
        run: &RunName,
        dataset_type: &str,
        items: &[(DatasetId, DataCoordinate)],
    ) -> Result<Vec<DatasetId>, RegistryError> {
        self.insert_or_import(run, dataset_type, items, InsertMode::Import)
    }

    fn insert_or_import(
        &self,
        run: &RunName,
        dataset_type: &str,
        items: &[(DatasetId, DataCoordinate)],
        mode: InsertMode,
    ) -> Result<Vec<DatasetId>, RegistryError> {
        let skip_identical = mode == InsertMode::Import;
        let already = if skip_identical {
            let ids: Vec<DatasetId> = items.iter().map(|(id, _)| *id).collect();
            self.existing_dataset_ids(&ids)?
        } else {
            std::collections::HashSet::new()
        };
        self.transaction(|| {
            let (type_id, dt, group_id) = self.dataset_type_entry(dataset_type)?;
            self.register_collection(&run.to_collection(), CollectionType::Run, "")?;
            let (run_id, run_type) = self.collection(run.as_str())?;
            require_type(run.as_str(), run_type, CollectionType::Run)?;
            let dims: Vec<&str> = dt.dimensions.required().collect();
            let ingest_date = now_tai_ns();
            let mut insert_dataset = self
                .conn()
                .prepare_cached("INSERT INTO dataset (dataset_id, dataset_type_id, run_id, ingest_date) VALUES (?1, ?2, ?3, ?4)")?;
            let tag_sql = render(
                "INSERT INTO {tags} (dataset_type_id, collection_id, dataset_id{dims}) VALUES (?1, ?2, ?3{params})",
                &[("tags", &tags_table(group_id)), ("dims", &column_list(&dims, "")), ("params", &placeholders(dims.len(), 4))],
            );
            let mut insert_tag = self.conn().prepare_cached(&tag_sql)?;
            let mut new_ids = Vec::with_capacity(items.len());
            for (id, data_id) in items {
                if data_id.group().required().ne(dt.dimensions.required()) {
                    return Err(crate::model::ModelError::InconsistentDataId(format!(
                        "data ID {data_id} does not have the dimensions of `{dataset_type}` {}",
                        dt.dimensions
                    ))
                    .into());
                }
                if skip_identical && already.contains(id) {
                    if let Some(existing) = self.get_dataset(*id)? {
                        if existing.dataset_type.name == dt.name && existing.run == *run && existing.data_id == *data_id {
                            continue;
                        }
                        return Err(RegistryError::ConflictingDataset { id: id.to_string(), existing: existing.to_string() });
                    }
                }
                if mode != InsertMode::Expanded {
                    self.check_data_id(data_id)?;
                }
                insert_dataset.execute(params![&id.as_bytes()[..], type_id, run_id, ingest_date]).map_err(|e| {
                    if is_constraint(&e) {
                        RegistryError::ConflictingDataset { id: id.to_string(), existing: "another dataset uses this ID".into() }
                    } else {
                        e.into()
                    }
                })?;
                let mut values: Vec<Value> = vec![Value::Integer(type_id), Value::Integer(run_id), Value::Blob(id.as_bytes().to_vec())];
                values.extend(data_id.required_values().iter().map(to_value));
                insert_tag.execute(rusqlite::params_from_iter(values)).map_err(|e| {
                    if is_constraint(&e) {
                        RegistryError::DatasetExists {
                            dataset_type: dataset_type.to_owned(),
                            data_id: data_id.to_string(),
                            collection: run.to_string(),
                        }
                    } else {
                        e.into()
                    }
                })?;
                new_ids.push(*id);
            }
            Ok(new_ids)
        })
    }

    /// A dataset by ID.
    ///
    /// # Errors
    /// SQLite errors; a missing ID is `Ok(None)`.
    pub fn get_dataset(&self, id: DatasetId) -> Result<Option<DatasetRef>, RegistryError> {
        let row: Option<(i64, i64)> = self
            .conn()
            .prepare_cached("SELECT dataset_type_id, run_id FROM dataset WHERE dataset_id = ?1")?
            .query_row([&id.as_bytes()[..]], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((type_id, run_id)) = row else {
            return Ok(None);
        };
        let dt = self.dataset_type_by_id(type_id)?;
        let (_, _, group_id) = self.dataset_type_entry(dt.name.as_str())?;
        let dims: Vec<&str> = dt.dimensions.required().collect();
        let sql = render(
            "SELECT 1{dims} FROM {tags} WHERE dataset_id = ?1 AND collection_id = ?2",
            &[
                ("dims", &column_list(&dims, "")),
                ("tags", &tags_table(group_id)),
            ],
        );
        let raw: Vec<Value> = self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params![&id.as_bytes()[..], run_id], |r| {
                (1..=dims.len()).map(|i| r.get::<_, Value>(i)).collect()
            })?;
        let values: Vec<DataIdValue> = raw
            .into_iter()
            .map(value_to_data_id)
            .collect::<Result<_, _>>()?;
        let (run, _) = self.collection_name(run_id)?;
        let group = self.group_by_id(group_id)?;
        Ok(Some(DatasetRef {
            id,
            data_id: DataCoordinate::from_required(group, values)?,
            dataset_type: dt,
            run: RunName::parse(&run)?,
            component: None,
        }))
    }

    fn dataset_type_by_id(&self, type_id: i64) -> Result<Arc<DatasetType>, RegistryError> {
        let cached = self
            .caches
            .borrow()
            .dataset_type_names
            .get(&type_id)
            .cloned();
        let name = match cached {
            Some(n) => n,
            None => self.conn().query_row(
                "SELECT name FROM dataset_type WHERE dataset_type_id = ?1",
                [type_id],
                |r| r.get(0),
            )?,
        };
        self.dataset_type(&name)
    }

    /// Finds the dataset of a type and data ID along a collection search path, first match wins.
    ///
    /// CALIBRATION collections are searched only when `timespan` is given; more than one
    /// validity range matching is an error.
    ///
    /// # Errors
    /// [`RegistryError::MissingDatasetType`], [`RegistryError::MissingCollection`].
    pub fn find_dataset(
        &self,
        dataset_type: &str,
        data_id: &DataCoordinate,
        collections: &[CollectionName],
        timespan: Option<Timespan>,
    ) -> Result<Option<DatasetRef>, RegistryError> {
        let (type_id, dt, group_id) = self.dataset_type_entry(dataset_type)?;
        let dims: Vec<&str> = dt.dimensions.required().collect();
        let key = key_clause(&dims, 3, "");
        let tag_sql = render(
            "SELECT dataset_id FROM {tags} WHERE dataset_type_id = ?1 AND collection_id = ?2{key}",
            &[("tags", &tags_table(group_id)), ("key", &key)],
        );
        let calib_sql = render(
            "SELECT dataset_id, timespan_begin, timespan_end FROM {calibs} WHERE dataset_type_id = ?1 AND collection_id = ?2{key}",
            &[("calibs", &calibs_table(group_id)), ("key", &key)],
        );
        for (collection_id, name, t) in self.flatten(collections)? {
            let mut values: Vec<Value> =
                vec![Value::Integer(type_id), Value::Integer(collection_id)];
            values.extend(data_id.required_values().iter().map(to_value));
            let found: Option<Vec<u8>> = match t {
                CollectionType::Calibration => {
                    let Some(ts) = timespan else { continue };
                    let mut stmt = self.conn().prepare_cached(&calib_sql)?;
                    let rows: Vec<(Vec<u8>, Option<i64>, Option<i64>)> = stmt
                        .query_map(rusqlite::params_from_iter(values), |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })?
                        .collect::<Result<_, _>>()?;
                    let mut hits = rows
                        .into_iter()
                        .filter(|(_, b, e)| Timespan::new(*b, *e).overlaps(&ts));
                    let first = hits.next();
                    if first.is_some() && hits.next().is_some() {
                        return Err(RegistryError::InUse(format!(
                            "more than one `{dataset_type}` validity range in `{name}` overlaps {ts} for {data_id}"
                        )));
                    }
                    first.map(|(id, _, _)| id)
                }
                _ => self
                    .conn()
                    .prepare_cached(&tag_sql)?
                    .query_row(rusqlite::params_from_iter(values), |r| r.get(0))
                    .optional()?,
            };
            if let Some(bytes) = found {
                return self.get_dataset(bytes_to_id(&bytes)?);
            }
        }
        Ok(None)
    }

    /// Adds datasets to a TAGGED collection (already-tagged ones are kept).
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`], [`RegistryError::DatasetExists`] when another
    /// dataset with the same type and data ID is already tagged.
    pub fn associate(
        &self,
        tagged: &CollectionName,
        refs: &[DatasetRef],
    ) -> Result<(), RegistryError> {
        self.transaction(|| {
            let (cid, t) = self.collection(tagged.as_str())?;
            require_type(tagged.as_str(), t, CollectionType::Tagged)?;
            for r in refs {
                let (type_id, dt, group_id) = self.dataset_type_entry(r.dataset_type.name.as_str())?;
                let dims: Vec<&str> = dt.dimensions.required().collect();
                let sql = render(
                    "INSERT INTO {tags} (dataset_type_id, collection_id, dataset_id{dims}) VALUES (?1, ?2, ?3{params})
                     ON CONFLICT DO NOTHING",
                    &[("tags", &tags_table(group_id)), ("dims", &column_list(&dims, "")), ("params", &placeholders(dims.len(), 4))],
                );
                let mut values = vec![Value::Integer(type_id), Value::Integer(cid), Value::Blob(r.id.as_bytes().to_vec())];
                values.extend(r.data_id.required_values().iter().map(to_value));
                let n = self.conn().prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
                if n == 0 && !self.is_member(cid, group_id, r.id)? {
                    return Err(RegistryError::DatasetExists {
                        dataset_type: dt.name.to_string(),
                        data_id: r.data_id.to_string(),
                        collection: tagged.to_string(),
                    });
                }
            }
            Ok(())
        })
    }

    fn is_member(
        &self,
        collection_id: i64,
        group_id: i64,
        id: DatasetId,
    ) -> Result<bool, RegistryError> {
        let sql = render(
            "SELECT 1 FROM {tags} WHERE collection_id = ?1 AND dataset_id = ?2",
            &[("tags", &tags_table(group_id))],
        );
        Ok(self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params![collection_id, &id.as_bytes()[..]], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Removes datasets from a TAGGED collection.
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`].
    pub fn disassociate(
        &self,
        tagged: &CollectionName,
        refs: &[DatasetRef],
    ) -> Result<usize, RegistryError> {
        self.transaction(|| {
            let (cid, t) = self.collection(tagged.as_str())?;
            require_type(tagged.as_str(), t, CollectionType::Tagged)?;
            let mut n = 0;
            for r in refs {
                let (_, _, group_id) = self.dataset_type_entry(r.dataset_type.name.as_str())?;
                let sql = render(
                    "DELETE FROM {tags} WHERE collection_id = ?1 AND dataset_id = ?2",
                    &[("tags", &tags_table(group_id))],
                );
                n += self
                    .conn()
                    .prepare_cached(&sql)?
                    .execute(params![cid, &r.id.as_bytes()[..]])?;
            }
            Ok(n)
        })
    }

    /// Certifies calibration datasets into a CALIBRATION collection for a validity range.
    ///
    /// # Errors
    /// [`RegistryError::NotCalibration`], [`RegistryError::CalibrationOverlap`].
    pub fn certify(
        &self,
        collection: &CollectionName,
        refs: &[DatasetRef],
        timespan: Timespan,
    ) -> Result<(), RegistryError> {
        self.transaction(|| {
            let (cid, t) = self.collection(collection.as_str())?;
            require_type(collection.as_str(), t, CollectionType::Calibration)?;
            for r in refs {
                let (type_id, dt, group_id) = self.dataset_type_entry(r.dataset_type.name.as_str())?;
                if !dt.is_calibration {
                    return Err(RegistryError::NotCalibration(dt.name.to_string()));
                }
                let dims: Vec<&str> = dt.dimensions.required().collect();
                let sql = render(
                    "SELECT timespan_begin, timespan_end FROM {calibs} WHERE dataset_type_id = ?1 AND collection_id = ?2{key}",
                    &[("calibs", &calibs_table(group_id)), ("key", &key_clause(&dims, 3, ""))],
                );
                let mut values = vec![Value::Integer(type_id), Value::Integer(cid)];
                values.extend(r.data_id.required_values().iter().map(to_value));
                let existing: Vec<(Option<i64>, Option<i64>)> =
                    self.conn().prepare_cached(&sql)?.query_map(rusqlite::params_from_iter(values), |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
                if existing.iter().any(|(b, e)| Timespan::new(*b, *e).overlaps(&timespan)) {
                    return Err(RegistryError::CalibrationOverlap {
                        dataset_type: dt.name.to_string(),
                        data_id: r.data_id.to_string(),
                        collection: collection.to_string(),
                        timespan: timespan.to_string(),
                    });
                }
                let insert = render(
                    "INSERT INTO {calibs} (dataset_type_id, collection_id, dataset_id, timespan_begin, timespan_end{dims}) VALUES (?1, ?2, ?3, ?4, ?5{params})",
                    &[("calibs", &calibs_table(group_id)), ("dims", &column_list(&dims, "")), ("params", &placeholders(dims.len(), 6))],
                );
                let mut values = vec![
                    Value::Integer(type_id),
                    Value::Integer(cid),
                    Value::Blob(r.id.as_bytes().to_vec()),
                    timespan.begin.map_or(Value::Null, Value::Integer),
                    timespan.end.map_or(Value::Null, Value::Integer),
                ];
                values.extend(r.data_id.required_values().iter().map(to_value));
                self.conn().prepare_cached(&insert)?.execute(rusqlite::params_from_iter(values))?;
            }
            Ok(())
        })
    }

    /// Removes validity ranges of a dataset type in a CALIBRATION collection within `timespan`,
    /// clipping ranges that extend beyond it. With `data_ids`, only those data IDs.
    ///
    /// Returns the number of associations changed.
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`], [`RegistryError::MissingDatasetType`].
    pub fn decertify(
        &self,
        collection: &CollectionName,
        dataset_type: &str,
        timespan: Timespan,
        data_ids: Option<&[DataCoordinate]>,
    ) -> Result<usize, RegistryError> {
        self.transaction(|| {
            let (cid, t) = self.collection(collection.as_str())?;
            require_type(collection.as_str(), t, CollectionType::Calibration)?;
            let (type_id, dt, group_id) = self.dataset_type_entry(dataset_type)?;
            let dims: Vec<&str> = dt.dimensions.required().collect();
            let table = calibs_table(group_id);
            let sql = render(
                "SELECT calib_id, dataset_id, timespan_begin, timespan_end{dims} FROM {table} WHERE dataset_type_id = ?1 AND collection_id = ?2",
                &[("dims", &column_list(&dims, "")), ("table", &table)],
            );
            type Row = (i64, Vec<u8>, Option<i64>, Option<i64>, Vec<DataIdValue>);
            let rows: Vec<Row> = {
                let mut stmt = self.conn().prepare_cached(&sql)?;
                let mut q = stmt.query(params![type_id, cid])?;
                let mut rows = Vec::new();
                while let Some(r) = q.next()? {
                    let key = (0..dims.len()).map(|i| schema::data_id_from_sql(r.get_ref(i + 4)?)).collect::<Result<Vec<_>, _>>()?;
                    rows.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, key));
                }
                rows
            };
            let mut changed = 0;
            for (calib_id, id, b, e, key) in rows {
                if let Some(wanted) = data_ids {
                    if !wanted.iter().any(|d| d.required_values() == key.as_slice()) {
                        continue;
                    }
                }
                let existing = Timespan::new(b, e);
                if !existing.overlaps(&timespan) {
                    continue;
                }
                self.conn().execute(&render("DELETE FROM {table} WHERE calib_id = ?1", &[("table", &table)]), [calib_id])?;
                for piece in existing.difference(&timespan) {
                    let insert = render(
                        "INSERT INTO {table} (dataset_type_id, collection_id, dataset_id, timespan_begin, timespan_end{dims}) VALUES (?1, ?2, ?3, ?4, ?5{params})",
                        &[("table", &table), ("dims", &column_list(&dims, "")), ("params", &placeholders(dims.len(), 6))],
                    );
                    let mut values = vec![
                        Value::Integer(type_id),
                        Value::Integer(cid),
                        Value::Blob(id.clone()),
                        piece.begin.map_or(Value::Null, Value::Integer),
                        piece.end.map_or(Value::Null, Value::Integer),
                    ];
                    values.extend(key.iter().map(to_value));
                    self.conn().prepare_cached(&insert)?.execute(rusqlite::params_from_iter(values))?;
                }
                changed += 1;
            }
            Ok(changed)
        })
    }

    /// The validity ranges of datasets in a CALIBRATION collection: `(dataset ID, timespan)`.
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`].
    pub fn calibration_associations(
        &self,
        collection: &str,
    ) -> Result<Vec<(DatasetId, Timespan)>, RegistryError> {
        let (cid, t) = self.collection(collection)?;
        require_type(collection, t, CollectionType::Calibration)?;
        let mut out = Vec::new();
        // Dataset types of one dimension group share a table: read each table once.
        for group_id in self.group_ids()? {
            let sql = render(
                "SELECT dataset_id, timespan_begin, timespan_end FROM {calibs} WHERE collection_id = ?1 ORDER BY calib_id",
                &[("calibs", &calibs_table(group_id))],
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let rows: Vec<(Vec<u8>, Option<i64>, Option<i64>)> = stmt
                .query_map([cid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for (id, b, e) in rows {
                out.push((bytes_to_id(&id)?, Timespan::new(b, e)));
            }
        }
        Ok(out)
    }

    /// Every registered dimension group's ID, ascending.
    fn group_ids(&self) -> Result<Vec<i64>, RegistryError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT group_id FROM dimension_group ORDER BY group_id")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The IDs of the datasets in a TAGGED collection.
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`].
    pub fn tagged_dataset_ids(&self, collection: &str) -> Result<Vec<DatasetId>, RegistryError> {
        let (cid, t) = self.collection(collection)?;
        require_type(collection, t, CollectionType::Tagged)?;
        let groups = self.group_ids()?;
        let mut out = Vec::new();
        for g in groups {
            let sql = render(
                "SELECT dataset_id FROM {tags} WHERE collection_id = ?1",
                &[("tags", &tags_table(g))],
            );
            let ids: Vec<Vec<u8>> = self
                .conn()
                .prepare_cached(&sql)?
                .query_map([cid], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids {
                out.push(bytes_to_id(&id)?);
            }
        }
        Ok(out)
    }

    /// Deletes datasets from the registry (all memberships and file records go with them).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn remove_datasets(&self, ids: &[DatasetId]) -> Result<usize, RegistryError> {
        self.transaction(|| {
            let mut stmt = self
                .conn()
                .prepare_cached("DELETE FROM dataset WHERE dataset_id = ?1")?;
            let mut n = 0;
            for id in ids {
                n += stmt.execute([&id.as_bytes()[..]])?;
            }
            Ok(n)
        })
    }

    /// Deletes a RUN collection and every dataset in it; returns the removed datasets' file
    /// records so the datastore can delete their artifacts after the commit.
    ///
    /// # Errors
    /// [`RegistryError::WrongCollectionType`], [`RegistryError::InUse`] when a chain lists it and
    /// `remove_from_parents` is false.
    pub fn remove_run(
        &self,
        run: &str,
        remove_from_parents: bool,
    ) -> Result<Vec<(DatasetId, StoredFileInfo)>, RegistryError> {
        let removed = self.transaction(|| {
            let (cid, t) = self.collection(run)?;
            require_type(run, t, CollectionType::Run)?;
            self.detach_from_parents(run, cid, remove_from_parents)?;
            let ids: Vec<Vec<u8>> = self
                .conn()
                .prepare_cached("SELECT dataset_id FROM dataset WHERE run_id = ?1")?
                .query_map([cid], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let ids: Vec<DatasetId> = ids
                .iter()
                .map(|b| bytes_to_id(b))
                .collect::<Result<_, _>>()?;
            let mut files = Vec::new();
            for id in &ids {
                for f in self.file_records(*id)? {
                    files.push((*id, f));
                }
            }
            self.remove_datasets(&ids)?;
            self.conn()
                .execute("DELETE FROM collection WHERE collection_id = ?1", [cid])?;
            Ok::<_, RegistryError>(files)
        })?;
        self.forget_caches();
        Ok(removed)
    }

    /// Records where a dataset's artifacts are (one row per component, or one whole file).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn insert_file_records(
        &self,
        records: &[(DatasetId, StoredFileInfo)],
    ) -> Result<(), RegistryError> {
        self.transaction(|| {
            let mut stmt = self.conn().prepare_cached(
                "INSERT INTO file_datastore_records (dataset_id, component, path, formatter, storage_class, checksum, file_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (id, f) in records {
                stmt.execute(params![
                    &id.as_bytes()[..],
                    f.component.as_deref().unwrap_or(NO_COMPONENT),
                    f.path,
                    f.formatter,
                    f.storage_class,
                    f.checksum,
                    f.file_size
                ])?;
            }
            Ok(())
        })
    }

    /// Which of `ids` are registered (asked in batches, for large imports).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn existing_dataset_ids(
        &self,
        ids: &[DatasetId],
    ) -> Result<std::collections::HashSet<DatasetId>, RegistryError> {
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(ID_BATCH) {
            let sql = render(
                "SELECT dataset_id FROM dataset WHERE dataset_id IN ({params})",
                &[(
                    "params",
                    placeholders(chunk.len(), 1).trim_start_matches(", "),
                )],
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let rows = stmt.query_map(
                rusqlite::params_from_iter(chunk.iter().map(|id| id.as_bytes().to_vec())),
                |r| r.get::<_, Vec<u8>>(0),
            )?;
            for row in rows {
                out.insert(bytes_to_id(&row?)?);
            }
        }
        Ok(out)
    }

    /// The file records of many datasets at once (asked in batches).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn file_records_of(
        &self,
        ids: &[DatasetId],
    ) -> Result<HashMap<DatasetId, Vec<StoredFileInfo>>, RegistryError> {
        let mut out: HashMap<DatasetId, Vec<StoredFileInfo>> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ID_BATCH) {
            let sql = render(
                "SELECT dataset_id, component, path, formatter, storage_class, checksum, file_size
                 FROM file_datastore_records WHERE dataset_id IN ({params}) ORDER BY dataset_id, component",
                &[("params", placeholders(chunk.len(), 1).trim_start_matches(", "))],
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(
                chunk.iter().map(|id| id.as_bytes().to_vec()),
            ))?;
            while let Some(r) = rows.next()? {
                let id = bytes_to_id(&r.get::<_, Vec<u8>>(0)?)?;
                let component: String = r.get(1)?;
                out.entry(id).or_default().push(StoredFileInfo {
                    component: (component != NO_COMPONENT).then_some(component),
                    path: r.get(2)?,
                    formatter: r.get(3)?,
                    storage_class: r.get(4)?,
                    checksum: r.get(5)?,
                    file_size: r.get(6)?,
                });
            }
        }
        Ok(out)
    }

    /// The file records of a dataset.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn file_records(&self, id: DatasetId) -> Result<Vec<StoredFileInfo>, RegistryError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT component, path, formatter, storage_class, checksum, file_size FROM file_datastore_records WHERE dataset_id = ?1 ORDER BY component",
        )?;
        let rows = stmt.query_map([&id.as_bytes()[..]], |r| {
            let component: String = r.get(0)?;
            Ok(StoredFileInfo {
                component: (component != NO_COMPONENT).then_some(component),
                path: r.get(1)?,
                formatter: r.get(2)?,
                storage_class: r.get(3)?,
                checksum: r.get(4)?,
                file_size: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets the file records of datasets (the datasets stay registered: `--unstore`).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn remove_file_records(&self, ids: &[DatasetId]) -> Result<usize, RegistryError> {
        self.transaction(|| {
            let mut stmt = self
                .conn()
                .prepare_cached("DELETE FROM file_datastore_records WHERE dataset_id = ?1")?;
            let mut n = 0;
            for id in ids {
                n += stmt.execute([&id.as_bytes()[..]])?;
            }
            Ok(n)
        })
    }

    /// How many file records point at `path` (several datasets may share one file).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn path_use_count(&self, path: &str) -> Result<i64, RegistryError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM file_datastore_records WHERE path = ?1")?
            .query_row([path], |r| r.get(0))?)
    }

    /// The number of datasets in the registry, per dataset type name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn dataset_counts(&self) -> Result<BTreeMap<String, i64>, RegistryError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT t.name, COUNT(d.dataset_id) FROM dataset_type AS t LEFT JOIN dataset AS d ON d.dataset_type_id = t.dataset_type_id GROUP BY t.name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// How `insert_or_import` treats its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InsertMode {
    /// New datasets; data IDs are checked against the dimension records.
    New,
    /// New datasets whose data IDs this registry expanded already.
    Expanded,
    /// Datasets from elsewhere; identical existing ones are skipped.
    Import,
}

fn to_value(v: &DataIdValue) -> Value {
    match v {
        DataIdValue::Int(i) => Value::Integer(*i),
        DataIdValue::Str(s) => Value::Text(s.clone()),
    }
}

fn value_to_data_id(v: Value) -> Result<DataIdValue, RegistryError> {
    match v {
        Value::Integer(i) => Ok(DataIdValue::Int(i)),
        Value::Text(s) => Ok(DataIdValue::Str(s)),
        other => Err(RegistryError::Corrupt(format!(
            "a data ID column holds {:?}",
            other.data_type()
        ))),
    }
}

pub(super) fn bytes_to_id(b: &[u8]) -> Result<DatasetId, RegistryError> {
    let arr: [u8; 16] = b
        .try_into()
        .map_err(|_| RegistryError::Corrupt(format!("a dataset ID of {} bytes", b.len())))?;
    Ok(DatasetId::from_bytes(arr))
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}
