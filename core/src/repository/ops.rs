//! The repository's operations: data IDs, `put`/`get`, `ingest`, `retrieve`, `prune`,
//! `export` and `import`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Progress, RepoError, Repository};
use crate::datastore::{StoredFileInfo, TransferMode, WriteOptions};
use crate::export::{
    read_export, write_export, ExportBlock, ExportCollection, ExportFile, ExportedFile,
};
use crate::model::{
    extension_of_formatter, formatter_for, CollectionName, CollectionType, ColumnType,
    DataCoordinate, DataIdValue, DatasetId, DatasetIdGenMode, DatasetRef, DatasetType,
    DimensionRecord, ModelError, RecordValue, RunName,
};
use crate::registry::{RecordConflict, RegistryError};

/// The formatter recorded for storage classes without a known default: the bytes are opaque.
const OPAQUE_FORMATTER: &str = "lsst.daf.butler.formatters.file.FileFormatter";

/// One file to ingest and the data ID it holds.
#[derive(Debug, Clone)]
pub struct IngestFile {
    /// The file.
    pub path: PathBuf,
    /// Its data ID (dimension name → value).
    pub data_id: BTreeMap<String, DataIdValue>,
}

/// How `ingest` brings files in.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Transfer mode (default `auto`).
    pub transfer: TransferMode,
    /// How dataset IDs are generated (default `UNIQUE`).
    pub id_mode: DatasetIdGenMode,
    /// Formatter class to record, instead of the storage class's default.
    pub formatter: Option<String>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            transfer: TransferMode::Auto,
            id_mode: DatasetIdGenMode::Unique,
            formatter: None,
        }
    }
}

/// How `retrieve` lays files out.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetrieveOptions {
    /// Keep the datastore's template layout under the destination.
    pub preserve_path: bool,
    /// Overwrite existing files.
    pub clobber: bool,
}

/// What `prune` does to the datasets it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PruneMode {
    /// Delete the artifacts and forget them; the datasets stay registered.
    Unstore,
    /// Delete the datasets entirely (artifacts, memberships, registry rows).
    Purge,
    /// Remove the datasets from these TAGGED collections only.
    Disassociate(Vec<CollectionName>),
}

/// How `import` brings files in.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Transfer mode for the files (`None`: `auto`).
    pub transfer: Option<TransferMode>,
    /// Dimension elements whose records are not imported.
    pub skip_dimensions: Vec<String>,
}

impl Repository {
    /// Standardises and expands a data ID for a dataset type: alternate keys are accepted
    /// (`detector='R00_S000'` finds the detector by `full_name`), the repository's default
    /// data ID fills missing governors, implied values are checked against the records.
    ///
    /// # Errors
    /// Unknown or missing dimensions, wrong value types, missing records, inconsistent values.
    pub fn data_id(
        &self,
        dataset_type: &str,
        values: &BTreeMap<String, DataIdValue>,
    ) -> Result<DataCoordinate, RepoError> {
        let dt = self.registry.dataset_type(dataset_type)?;
        self.data_id_for(&dt, Arc::new(dt.dimensions.clone()), values)
    }

    fn data_id_for(
        &self,
        dt: &DatasetType,
        group: Arc<crate::model::DimensionGroup>,
        values: &BTreeMap<String, DataIdValue>,
    ) -> Result<DataCoordinate, RepoError> {
        let universe = self.universe().clone();
        let mut values = values.clone();
        for (k, v) in &self.config.default_data_id {
            if dt.dimensions.contains(k) && !values.contains_key(k) {
                let t = universe
                    .get_dimension(k)?
                    .primary_key()
                    .map_or(ColumnType::String, |c| c.column_type);
                values.insert(k.clone(), DataIdValue::parse_for(k, t, v)?);
            }
        }
        // Alternate keys: a string given for an integer key is looked up by the element's
        // string alternate key (the Python Butler never coerces "1" to 1).
        for dim in dt.dimensions.required().chain(dt.dimensions.implied()) {
            let Some(DataIdValue::Str(given)) = values.get(dim).cloned() else {
                continue;
            };
            let e = universe.get_dimension(dim)?;
            if e.primary_key().map(|c| c.column_type) != Some(ColumnType::Int) {
                continue;
            }
            let Some(alt) = e
                .keys
                .iter()
                .skip(1)
                .find(|k| k.column_type == ColumnType::String)
            else {
                continue;
            };
            let records = self.registry.element_records(dim)?;
            let outer: Vec<String> = universe
                .required_closure(dim)
                .into_iter()
                .filter(|d| d != dim)
                .collect();
            let hit = records.values().find(|r| {
                r.get(&alt.name) == Some(&RecordValue::Str(given.clone()))
                    && outer.iter().all(|o| {
                        values.get(o).is_none_or(|v| {
                            r.get(o).and_then(RecordValue::as_data_id_value).as_ref() == Some(v)
                        })
                    })
            });
            match hit.and_then(|r| e.primary_key().and_then(|pk| r.get(&pk.name)).and_then(RecordValue::as_data_id_value)) {
                Some(pk) => {
                    values.insert(dim.to_owned(), pk);
                }
                None => {
                    return Err(RepoError::Invalid(format!(
                        "data ID value '{given}' for dimension `{dim}` matched no records by `{}`; `{dim}` values are integers",
                        alt.name
                    )))
                }
            }
        }
        let given = DataCoordinate::standardize(&universe, group, &values)?;
        let expanded = self.registry.expand_data_id(&given, false)?;
        for dim in dt.dimensions.implied() {
            if let (Some(g), Some(e)) = (values.get(dim), expanded.get(dim)) {
                if g != e {
                    return Err(ModelError::InconsistentDataId(format!(
                        "`{dim}` is {e} for {given}, not {g}"
                    ))
                    .into());
                }
            }
        }
        Ok(expanded)
    }

    fn formatter_and_extension(
        &self,
        dt: &DatasetType,
        chosen: Option<&str>,
        source: Option<&Path>,
    ) -> (String, String) {
        let by_class = formatter_for(dt.storage_class.as_str());
        let name = chosen
            .map(str::to_owned)
            .or_else(|| by_class.map(|f| f.name.to_owned()))
            .unwrap_or_else(|| OPAQUE_FORMATTER.to_owned());
        let ext = extension_of_formatter(&name)
            .map(str::to_owned)
            .or_else(|| {
                source
                    .and_then(|p| p.extension())
                    .map(|e| format!(".{}", e.to_string_lossy()))
            })
            .unwrap_or_default();
        (name, ext)
    }

    /// Writes one dataset: the bytes go to the template path (written durably), the dataset and
    /// its file record are registered, all in one transaction.
    ///
    /// # Errors
    /// Data ID errors, [`RegistryError::DatasetExists`], template collisions, I/O errors.
    pub fn put(
        &self,
        bytes: &[u8],
        dataset_type: &str,
        data_id: &BTreeMap<String, DataIdValue>,
        run: &RunName,
    ) -> Result<DatasetRef, RepoError> {
        let dt = self.registry.dataset_type(dataset_type)?;
        let data_id = self.data_id_for(&dt, Arc::new(dt.dimensions.clone()), data_id)?;
        let r = DatasetRef {
            id: DatasetId::new_unique(),
            dataset_type: Arc::clone(&dt),
            data_id,
            run: run.clone(),
            component: None,
        };
        let (formatter, ext) = self.formatter_and_extension(&dt, None, None);
        let rel = format!("{}{ext}", self.templates.format(&r)?);
        self.write(|journal| {
            self.registry.insert_expanded_datasets(
                run,
                dataset_type,
                &[(r.id, r.data_id.clone())],
            )?;
            let (file_size, checksum) = self.datastore.put_bytes(
                journal,
                &rel,
                bytes,
                WriteOptions {
                    checksum: self.config.checksum,
                    durability: self.config.durability,
                },
            )?;
            let info = StoredFileInfo {
                path: rel.clone(),
                formatter,
                storage_class: dt.storage_class.to_string(),
                component: None,
                checksum,
                file_size,
            };
            self.registry.insert_file_records(&[(r.id, info)])?;
            Ok(r.clone())
        })
    }

    /// Reads a dataset's bytes (checked against the recorded size).
    ///
    /// # Errors
    /// [`RepoError::Invalid`] when the dataset has no stored artifact, I/O errors.
    pub fn get(&self, r: &DatasetRef) -> Result<Vec<u8>, RepoError> {
        let info = self.single_file(r)?;
        let bytes = self.datastore.read(&info)?;
        // A truncated or altered artifact is an error, not data.
        if info.file_size >= 0 && usize::try_from(info.file_size).ok() != Some(bytes.len()) {
            return Err(RepoError::Invalid(format!(
                "the file of {r} has {} bytes, {} were recorded; it was truncated or replaced",
                bytes.len(),
                info.file_size
            )));
        }
        if let Some(expected) = &info.checksum {
            if crate::datastore::checksum_bytes(&bytes) != *expected {
                return Err(RepoError::Invalid(format!(
                    "the file of {r} does not match its recorded checksum"
                )));
            }
        }
        Ok(bytes)
    }

    fn single_file(&self, r: &DatasetRef) -> Result<StoredFileInfo, RepoError> {
        pick_file(r, &self.registry.file_records(r.id)?)
    }

    /// Ingests files as datasets of one type into a RUN, all in one transaction.
    ///
    /// # Errors
    /// Data ID errors for any file (naming it), missing or unreadable files, template
    /// collisions, existing datasets. Nothing is registered or moved when one is returned.
    pub fn ingest(
        &self,
        dataset_type: &str,
        run: &RunName,
        files: &[IngestFile],
        opts: &IngestOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<DatasetRef>, RepoError> {
        let dt = self.registry.dataset_type(dataset_type)?;
        let group = Arc::new(dt.dimensions.clone());
        let mut refs = Vec::with_capacity(files.len());
        let mut planned: Vec<(PathBuf, String, String)> = Vec::with_capacity(files.len());
        let mut destinations: HashMap<String, usize> = HashMap::with_capacity(files.len());
        progress.start("checking", Some(files.len() as u64));
        for (i, f) in files.iter().enumerate() {
            let data_id = self
                .data_id_for(&dt, Arc::clone(&group), &f.data_id)
                .map_err(|e| RepoError::Invalid(format!("file `{}`: {e}", f.path.display())))?;
            let id = DatasetId::generate(opts.id_mode, dataset_type, run.as_str(), &data_id);
            let r = DatasetRef {
                id,
                dataset_type: Arc::clone(&dt),
                data_id,
                run: run.clone(),
                component: None,
            };
            let (formatter, ext) =
                self.formatter_and_extension(&dt, opts.formatter.as_deref(), Some(&f.path));
            // `direct` records the file where it is: no template path is needed.
            let rel = if opts.transfer == TransferMode::Direct {
                String::new()
            } else {
                format!("{}{ext}", self.templates.format(&r)?)
            };
            if opts.transfer != TransferMode::Direct {
                if let Some(j) = destinations.insert(rel.clone(), i) {
                    return Err(RepoError::Invalid(format!(
                        "files `{}` and `{}` would both be stored at `{rel}`; their data IDs must differ in the dimensions the file template uses",
                        files[j].path.display(),
                        f.path.display()
                    )));
                }
            }
            planned.push((f.path.clone(), rel, formatter));
            refs.push(r);
            progress.advance(1);
        }
        progress.finish();
        progress.start("ingesting", Some(files.len() as u64));
        let result = self.write(|journal| {
            let items: Vec<(DatasetId, DataCoordinate)> =
                refs.iter().map(|r| (r.id, r.data_id.clone())).collect();
            self.registry
                .insert_expanded_datasets(run, dataset_type, &items)?;
            let mut records = Vec::with_capacity(refs.len());
            for (r, (src, rel, formatter)) in refs.iter().zip(&planned) {
                if progress.cancelled() {
                    return Err(RepoError::Interrupted);
                }
                let (path, file_size, checksum) = self.datastore.ingest(
                    journal,
                    src,
                    rel,
                    opts.transfer,
                    self.config.checksum,
                )?;
                records.push((
                    r.id,
                    StoredFileInfo {
                        path,
                        formatter: formatter.clone(),
                        storage_class: dt.storage_class.to_string(),
                        component: None,
                        checksum,
                        file_size,
                    },
                ));
                progress.advance(1);
            }
            self.registry.insert_file_records(&records)?;
            Ok(())
        });
        progress.finish();
        result.map(|()| refs)
    }

    /// Copies the artifacts of datasets into `dest`.
    ///
    /// # Errors
    /// Datasets without artifacts, existing destination files (without `clobber`), I/O errors.
    pub fn retrieve(
        &self,
        refs: &[DatasetRef],
        dest: &Path,
        opts: &RetrieveOptions,
        progress: &dyn Progress,
    ) -> Result<Vec<PathBuf>, RepoError> {
        let mut infos = Vec::with_capacity(refs.len());
        for r in refs {
            infos.push(self.single_file(r)?);
        }
        std::fs::create_dir_all(dest).map_err(|source| RepoError::Io {
            what: "cannot create",
            path: dest.to_owned(),
            source,
        })?;
        progress.start("retrieving", Some(refs.len() as u64));
        let mut out = Vec::with_capacity(infos.len());
        let options = crate::datastore::RetrieveOptions {
            preserve_path: opts.preserve_path,
            clobber: opts.clobber,
        };
        for info in &infos {
            if progress.cancelled() {
                return Err(RepoError::Interrupted);
            }
            out.push(self.datastore.retrieve(info, dest, options)?);
            progress.advance(1);
        }
        progress.finish();
        Ok(out)
    }

    /// Prunes datasets; returns how many were affected. Artifacts are deleted only after the
    /// registry change has committed, and only when inside the repository and not shared.
    ///
    /// # Errors
    /// Registry errors; nothing changes when one is returned.
    pub fn prune(&self, refs: &[DatasetRef], mode: &PruneMode) -> Result<usize, RepoError> {
        self.write(|journal| match mode {
            PruneMode::Disassociate(tags) => {
                let mut n = 0;
                for t in tags {
                    n += self.registry.disassociate(t, refs)?;
                }
                Ok(n)
            }
            PruneMode::Unstore | PruneMode::Purge => {
                let ids: Vec<DatasetId> = refs.iter().map(|r| r.id).collect();
                let mut doomed: HashSet<String> = HashSet::new();
                for id in &ids {
                    for f in self.registry.file_records(*id)? {
                        doomed.insert(f.path.clone());
                        if !f.is_external() && self.registry.path_use_count(&f.path)? <= 1 {
                            self.datastore.remove(Some(journal), &f)?;
                        }
                    }
                }
                let n = if *mode == PruneMode::Purge {
                    self.registry.remove_datasets(&ids)?
                } else {
                    self.registry.remove_file_records(&ids)?;
                    ids.len()
                };
                Ok(n)
            }
        })
    }

    /// Removes collections in one transaction: TAGGED, CHAINED and CALIBRATION ones (their
    /// datasets stay) and RUNs with every dataset they own, whose artifacts inside the
    /// repository are deleted once the registry change has committed.
    ///
    /// # Errors
    /// Registry errors (e.g. a chain still lists one and `remove_from_parents` is false);
    /// nothing is removed when one is returned.
    pub fn remove_collections(
        &self,
        names: &[CollectionName],
        remove_from_parents: bool,
    ) -> Result<(), RepoError> {
        self.write(|journal| {
            let mut kinds = Vec::with_capacity(names.len());
            for n in names {
                kinds.push((n, self.registry.collection(n.as_str())?.1));
            }
            // Chains first, so their children have no parents left to detach from.
            kinds.sort_by_key(|(_, t)| *t != CollectionType::Chained);
            for (name, t) in kinds {
                if t == CollectionType::Run {
                    for (_, info) in self
                        .registry
                        .remove_run(name.as_str(), remove_from_parents)?
                    {
                        if !info.is_external() && self.registry.path_use_count(&info.path)? == 0 {
                            self.datastore.remove(Some(journal), &info)?;
                        }
                    }
                } else {
                    self.registry
                        .remove_collection(name.as_str(), remove_from_parents)?;
                }
            }
            Ok(())
        })
    }

    /// Writes `dir/export.yaml` in the Python Butler's export format for `refs`, with the
    /// dimension records they need, their RUNs, and `collections` (TAGGED, CHAINED,
    /// CALIBRATION) with their structure limited to the exported datasets. With `transfer`,
    /// artifacts are placed under `dir` at their datastore paths; without, paths are absolute.
    ///
    /// # Errors
    /// Registry, datastore and I/O errors.
    pub fn export(
        &self,
        refs: &[DatasetRef],
        collections: &[CollectionName],
        dir: &Path,
        transfer: Option<TransferMode>,
        progress: &dyn Progress,
    ) -> Result<PathBuf, RepoError> {
        let universe = self.universe().clone();
        std::fs::create_dir_all(dir).map_err(|source| RepoError::Io {
            what: "cannot create",
            path: dir.to_owned(),
            source,
        })?;
        let export_path = dir.join("export.yaml");
        if export_path.exists() {
            return Err(RepoError::Invalid(format!(
                "`{}` already exists; choose an empty directory",
                export_path.display()
            )));
        }
        let mut file = ExportFile::new(&universe);
        // Dimension records: every element of every exported data ID's group, in universe order.
        let mut needed: BTreeMap<usize, (String, BTreeMap<Vec<DataIdValue>, DimensionRecord>)> =
            BTreeMap::new();
        let mut expanded = Vec::with_capacity(refs.len());
        progress.start("collecting records", Some(refs.len() as u64));
        for r in refs {
            let d = self.registry.expand_data_id(&r.data_id, true)?;
            for el in r.data_id.group().elements() {
                let Some(rec) = d.record(el) else { continue };
                let pos = universe.position(el).unwrap_or(usize::MAX);
                let key: Vec<DataIdValue> = rec
                    .values()
                    .values()
                    .filter_map(RecordValue::as_data_id_value)
                    .collect();
                needed
                    .entry(pos)
                    .or_insert_with(|| (el.to_owned(), BTreeMap::new()))
                    .1
                    .entry(key)
                    .or_insert_with(|| rec.clone());
            }
            expanded.push(d);
            progress.advance(1);
        }
        progress.finish();
        for (_, (element, records)) in needed {
            file.blocks.push(ExportBlock::Dimension {
                element,
                records: records.into_values().collect(),
            });
        }
        let mut runs: Vec<RunName> = refs.iter().map(|r| r.run.clone()).collect();
        runs.sort();
        runs.dedup();
        for run in &runs {
            let rec = self.registry.collection_record(run.as_str())?;
            let mut c = ExportCollection::new(run.to_collection(), CollectionType::Run);
            c.doc = (!rec.doc.is_empty()).then_some(rec.doc);
            file.blocks.push(ExportBlock::Collection(c));
        }
        let exported: HashSet<DatasetId> = refs.iter().map(|r| r.id).collect();
        let mut extra = Vec::new();
        for name in collections {
            let rec = self.registry.collection_record(name.as_str())?;
            if rec.collection_type == CollectionType::Run {
                continue;
            }
            let mut c = ExportCollection::new(rec.name.clone(), rec.collection_type);
            c.doc = (!rec.doc.is_empty()).then_some(rec.doc.clone());
            c.children = rec.children.clone();
            extra.push(c);
        }
        // Chains last, so their children are defined before them.
        extra.sort_by_key(|c| c.collection_type == CollectionType::Chained);
        for c in &extra {
            file.blocks.push(ExportBlock::Collection(c.clone()));
        }
        let mut types: Vec<Arc<DatasetType>> =
            refs.iter().map(|r| Arc::clone(&r.dataset_type)).collect();
        types.sort_by(|a, b| a.name.cmp(&b.name));
        types.dedup_by(|a, b| a.name == b.name);
        for t in &types {
            file.blocks.push(ExportBlock::DatasetType((**t).clone()));
        }
        progress.start("exporting", Some(refs.len() as u64));
        let mut by_type_run: BTreeMap<(String, String), Vec<ExportedFile>> = BTreeMap::new();
        let ids: Vec<DatasetId> = refs.iter().map(|r| r.id).collect();
        let files = self.registry.file_records_of(&ids)?;
        for r in refs {
            let info = pick_file(r, files.get(&r.id).map_or(&[][..], Vec::as_slice))?;
            let path = match transfer {
                Some(mode) if !info.is_external() => {
                    let src = self.datastore.absolute_path(&info)?;
                    let target = FileDatastoreAt(dir);
                    target.place(&src, &info.path, mode)?;
                    info.path.clone()
                }
                _ => self
                    .datastore
                    .absolute_path(&info)?
                    .to_string_lossy()
                    .into_owned(),
            };
            by_type_run
                .entry((r.dataset_type.name.to_string(), r.run.to_string()))
                .or_default()
                .push(ExportedFile {
                    ids: vec![r.id],
                    data_ids: vec![r.data_id.clone()],
                    path,
                    formatter: Some(info.formatter.clone()),
                });
            progress.advance(1);
        }
        progress.finish();
        for ((t, run), records) in by_type_run {
            file.blocks.push(ExportBlock::Datasets {
                dataset_type: crate::model::DatasetTypeName::parse(&t)?,
                run: RunName::parse(&run)?,
                records,
            });
        }
        for c in &extra {
            match c.collection_type {
                CollectionType::Tagged => {
                    let ids: Vec<DatasetId> = self
                        .registry
                        .tagged_dataset_ids(c.name.as_str())?
                        .into_iter()
                        .filter(|i| exported.contains(i))
                        .collect();
                    file.blocks.push(ExportBlock::TaggedAssociations {
                        collection: c.name.clone(),
                        dataset_ids: ids,
                    });
                }
                CollectionType::Calibration => {
                    let mut ranges: Vec<(crate::model::Timespan, Vec<DatasetId>)> = Vec::new();
                    for (id, ts) in self.registry.calibration_associations(c.name.as_str())? {
                        if !exported.contains(&id) {
                            continue;
                        }
                        match ranges.iter_mut().find(|(t, _)| *t == ts) {
                            Some((_, ids)) => ids.push(id),
                            None => ranges.push((ts, vec![id])),
                        }
                    }
                    file.blocks.push(ExportBlock::CalibrationAssociations {
                        collection: c.name.clone(),
                        validity_ranges: ranges,
                    });
                }
                _ => {}
            }
        }
        drop(expanded);
        let mut out = Vec::new();
        write_export(&file, &universe, &mut out)?;
        std::fs::write(&export_path, out).map_err(|source| RepoError::Io {
            what: "cannot write",
            path: export_path.clone(),
            source,
        })?;
        Ok(export_path)
    }

    /// Imports an export file (ours or the Python Butler's), in one transaction: dimension
    /// records (identical ones skipped), collections, dataset types, datasets with their IDs
    /// (identical ones skipped), files into the datastore, then TAGGED and CALIBRATION
    /// associations. Returns the number of datasets added.
    ///
    /// # Errors
    /// Format errors naming the block, conflicts with existing definitions, missing files.
    pub fn import(
        &self,
        dir: &Path,
        export_file: &Path,
        opts: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<usize, RepoError> {
        let universe = self.universe().clone();
        let text = std::fs::read_to_string(export_file).map_err(|source| RepoError::Io {
            what: "cannot read",
            path: export_file.to_owned(),
            source,
        })?;
        let file = read_export(&text, &universe)?;
        if file.universe_namespace != universe.namespace() {
            return Err(RepoError::Invalid(format!(
                "the export uses dimension universe namespace `{}`, this repository `{}`",
                file.universe_namespace,
                universe.namespace()
            )));
        }
        let transfer = opts.transfer.unwrap_or(TransferMode::Auto);
        let total = file.datasets().count();
        progress.start("importing", Some(total as u64));
        let result = self.write(|journal| {
            let mut chains = Vec::new();
            let mut added = 0;
            for block in &file.blocks {
                match block {
                    ExportBlock::Dimension { element, records } => {
                        if opts.skip_dimensions.iter().any(|s| s == element) {
                            continue;
                        }
                        self.registry.insert_dimension_records(
                            element,
                            records,
                            RecordConflict::SkipIdentical,
                        )?;
                    }
                    ExportBlock::Collection(c) => {
                        if c.collection_type == CollectionType::Chained {
                            chains.push(c);
                        } else {
                            self.registry.register_collection(
                                &c.name,
                                c.collection_type,
                                c.doc.as_deref().unwrap_or(""),
                            )?;
                        }
                    }
                    ExportBlock::DatasetType(t) => {
                        self.registry.register_dataset_type(t)?;
                    }
                    ExportBlock::Datasets {
                        dataset_type,
                        run,
                        records,
                    } => {
                        let dt = self.registry.dataset_type(dataset_type.as_str())?;
                        let items: Vec<(DatasetId, DataCoordinate)> = records
                            .iter()
                            .flat_map(|f| f.ids.iter().copied().zip(f.data_ids.iter().cloned()))
                            .collect();
                        let new: HashSet<DatasetId> = self
                            .registry
                            .import_datasets(run, dataset_type.as_str(), &items)?
                            .into_iter()
                            .collect();
                        let mut file_records = Vec::new();
                        for f in records {
                            let fresh: Vec<&DatasetId> =
                                f.ids.iter().filter(|i| new.contains(i)).collect();
                            if fresh.is_empty() {
                                continue;
                            }
                            let src = resolve_path(dir, &f.path);
                            let r = DatasetRef {
                                id: f.ids[0],
                                dataset_type: Arc::clone(&dt),
                                data_id: self.registry.expand_data_id(&f.data_ids[0], false)?,
                                run: run.clone(),
                                component: None,
                            };
                            let (formatter, ext) = self.formatter_and_extension(
                                &dt,
                                f.formatter.as_deref(),
                                Some(&src),
                            );
                            // `direct` records the file where it is: no template path is needed.
                            let rel = if transfer == TransferMode::Direct {
                                String::new()
                            } else {
                                format!("{}{ext}", self.templates.format(&r)?)
                            };
                            if progress.cancelled() {
                                return Err(RepoError::Interrupted);
                            }
                            let (path, file_size, checksum) = self.datastore.ingest(
                                journal,
                                &src,
                                &rel,
                                transfer,
                                self.config.checksum,
                            )?;
                            for id in fresh {
                                file_records.push((
                                    *id,
                                    StoredFileInfo {
                                        path: path.clone(),
                                        formatter: formatter.clone(),
                                        storage_class: dt.storage_class.to_string(),
                                        component: None,
                                        checksum: checksum.clone(),
                                        file_size,
                                    },
                                ));
                            }
                            progress.advance(f.ids.len() as u64);
                        }
                        added += file_records.len();
                        self.registry.insert_file_records(&file_records)?;
                    }
                    ExportBlock::TaggedAssociations {
                        collection,
                        dataset_ids,
                    } => {
                        self.registry.register_collection(
                            collection,
                            CollectionType::Tagged,
                            "",
                        )?;
                        let refs = self.refs_by_id(dataset_ids)?;
                        self.registry.associate(collection, &refs)?;
                    }
                    ExportBlock::CalibrationAssociations {
                        collection,
                        validity_ranges,
                    } => {
                        self.registry.register_collection(
                            collection,
                            CollectionType::Calibration,
                            "",
                        )?;
                        for (ts, ids) in validity_ranges {
                            let refs = self.refs_by_id(ids)?;
                            self.registry.certify(collection, &refs, *ts)?;
                        }
                    }
                }
            }
            for c in chains {
                self.registry
                    .set_chain(&c.name, &c.children, c.doc.as_deref())?;
            }
            Ok(added)
        });
        progress.finish();
        result
    }

    fn refs_by_id(&self, ids: &[DatasetId]) -> Result<Vec<DatasetRef>, RepoError> {
        ids.iter()
            .map(|id| {
                self.registry.get_dataset(*id)?.ok_or_else(|| {
                    RepoError::Registry(RegistryError::MissingDataset(id.to_string()))
                })
            })
            .collect()
    }
}

/// The artifact of a ref among a dataset's file records: its component's, else the whole file.
fn pick_file(r: &DatasetRef, files: &[StoredFileInfo]) -> Result<StoredFileInfo, RepoError> {
    let wanted = r.component.as_deref();
    files
        .iter()
        .find(|f| f.component.as_deref() == wanted)
        .or_else(|| files.iter().find(|f| f.component.is_none()))
        .cloned()
        .ok_or_else(|| {
            RepoError::Invalid(format!(
                "dataset {r} has no stored artifact (it was unstored, or never written)"
            ))
        })
}

/// A path from an export file: absolute paths and `file://` URIs as they are, others relative
/// to the export directory.
fn resolve_path(dir: &Path, path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("file://") {
        return PathBuf::from(rest);
    }
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_owned()
    } else {
        dir.join(p)
    }
}

/// Places exported artifacts under an export directory, using the datastore's transfer code.
struct FileDatastoreAt<'a>(&'a Path);

impl FileDatastoreAt<'_> {
    fn place(&self, src: &Path, rel: &str, mode: TransferMode) -> Result<(), RepoError> {
        let store = crate::datastore::FileDatastore::new(self.0);
        let mut journal = crate::datastore::Journal::default();
        let mode = if mode == TransferMode::Auto {
            TransferMode::Copy
        } else {
            mode
        };
        store.ingest(&mut journal, src, rel, mode, false)?;
        journal.commit()?;
        Ok(())
    }
}
