//! The Python Butler's export file (`export.yaml`, format 1.0.2), read and written.
//!
//! This is a pure format module: [`read_export`] turns the text into an [`ExportFile`] of typed
//! blocks checked against a [`DimensionUniverse`], and [`write_export`] writes one back as the
//! Python Butler's `butler.export(...)` does (same keys, key order, tags, quoting and line
//! wrapping), so `butler import` accepts it. Registering what a file holds and copying the
//! files it names belong to the importer, not here.
//!
//! Differences from `BUTLER_CONCEPTS.md` §5.1 worth knowing: the Python Butler writes a
//! dimension record's timespan as `datetime_begin`/`datetime_end` (its importer accepts only
//! those), and leaves both out when the timespan is null; `timespan_begin`/`timespan_end` are
//! only used by RUN collections. The reader accepts both spellings in records.
//!
//! Both directions avoid a generic YAML tree for speed (a 100 000-dataset export is 40 MB):
//! the writer emits text directly through a port of PyYAML's scalar rules (`emitter`,
//! `resolver`), and the reader parses the block style PyYAML writes with its own parser
//! (`parser`), handing anything unusual (anchors, folded block scalars, …) to serde_yaml.
//!
//! ```
//! use satellite_core::export::{read_export, write_export, ExportBlock};
//! use satellite_core::model::DimensionUniverse;
//!
//! let universe = DimensionUniverse::default_universe();
//! let text = "\
//! description: Butler Data Repository Export
//! version: 1.0.2
//! universe_version: 8
//! universe_namespace: daf_butler
//! data:
//! - type: collection
//!   collection_type: TAGGED
//!   name: u/alice/tagged
//! - type: associations
//!   collection: u/alice/tagged
//!   collection_type: TAGGED
//!   dataset_ids:
//!   - !uuid '01a21021-9d23-7f1e-b530-925d9a40bc24'
//! ";
//! let file = read_export(text, &universe)?;
//! assert!(matches!(&file.blocks[1], ExportBlock::TaggedAssociations { dataset_ids, .. } if dataset_ids.len() == 1));
//! let mut out = Vec::new();
//! write_export(&file, &universe, &mut out)?;
//! assert_eq!(String::from_utf8(out).unwrap(), text);
//! # Ok::<(), satellite_core::export::ExportError>(())
//! ```

mod base64;
mod emitter;
mod error;
mod parser;
mod read;
mod resolver;
mod write;

#[cfg(test)]
mod tests;

pub use error::ExportError;
pub use read::read_export;
pub use write::write_export;

use crate::model::{
    CollectionName, CollectionType, DataCoordinate, DatasetId, DatasetType, DatasetTypeName,
    DimensionRecord, DimensionUniverse, RunName, Timespan,
};

/// The export format version this module writes, and the newest it reads.
pub const EXPORT_FORMAT_VERSION: &str = "1.0.2";

/// The `description` every export file carries.
pub const EXPORT_DESCRIPTION: &str = "Butler Data Repository Export";

/// A whole export file: the universe it was written with and its data blocks in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    /// `universe_version` of the universe the records follow (0 when an old file leaves it out).
    pub universe_version: u32,
    /// `universe_namespace` (`daf_butler`).
    pub universe_namespace: String,
    /// The `data:` list, in file order.
    pub blocks: Vec<ExportBlock>,
}

/// One entry of the `data:` list.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportBlock {
    /// `type: dimension`: records of one element.
    Dimension {
        /// The element (`detector`, `visit_detector_region`).
        element: String,
        /// Its records, each of that element.
        records: Vec<DimensionRecord>,
    },
    /// `type: collection` (and the old `type: run`).
    Collection(ExportCollection),
    /// `type: dataset_type`.
    DatasetType(DatasetType),
    /// `type: dataset`: files of one dataset type in one RUN collection.
    Datasets {
        /// The (parent) dataset type.
        dataset_type: DatasetTypeName,
        /// The RUN collection that owns the datasets.
        run: RunName,
        /// One entry per file.
        records: Vec<ExportedFile>,
    },
    /// `type: associations` of a TAGGED collection.
    TaggedAssociations {
        /// The TAGGED collection.
        collection: CollectionName,
        /// The datasets tagged, in file order.
        dataset_ids: Vec<DatasetId>,
    },
    /// `type: associations` of a CALIBRATION collection.
    CalibrationAssociations {
        /// The CALIBRATION collection.
        collection: CollectionName,
        /// Each validity range with the datasets certified for it, in file order.
        validity_ranges: Vec<(Timespan, Vec<DatasetId>)>,
    },
}

/// A collection definition (`type: collection`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCollection {
    /// The name.
    pub name: CollectionName,
    /// The type.
    pub collection_type: CollectionType,
    /// Documentation string, when the collection has one.
    pub doc: Option<String>,
    /// RUN only: the host the run was made on.
    pub host: Option<String>,
    /// RUN only: when the run happened; `None` when both bounds are null.
    pub timespan: Option<Timespan>,
    /// CHAINED only: the children in search order.
    pub children: Vec<CollectionName>,
}

impl ExportCollection {
    /// A collection of `collection_type` with no documentation, host, timespan or children.
    pub fn new(name: CollectionName, collection_type: CollectionType) -> Self {
        Self {
            name,
            collection_type,
            doc: None,
            host: None,
            timespan: None,
            children: Vec::new(),
        }
    }
}

/// One file of a `type: dataset` block; several datasets may share a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFile {
    /// The datasets stored in the file (`dataset_id`), parallel to `data_ids`.
    pub ids: Vec<DatasetId>,
    /// Their data IDs (`data_id`, required dimensions only).
    pub data_ids: Vec<DataCoordinate>,
    /// Path relative to the export directory, or an absolute URI.
    pub path: String,
    /// Fully-qualified formatter class name, kept verbatim.
    pub formatter: Option<String>,
}

/// One dataset of an export file, as [`ExportFile::datasets`] yields it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportedDataset<'a> {
    /// The dataset ID.
    pub id: DatasetId,
    /// The dataset type name.
    pub dataset_type: &'a DatasetTypeName,
    /// The RUN collection owning it.
    pub run: &'a RunName,
    /// Its data ID.
    pub data_id: &'a DataCoordinate,
    /// The file it is stored in (shared by every dataset of that file).
    pub file: &'a ExportedFile,
}

impl ExportFile {
    /// An empty export file for `universe`.
    pub fn new(universe: &DimensionUniverse) -> Self {
        Self {
            universe_version: universe.version(),
            universe_namespace: universe.namespace().to_owned(),
            blocks: Vec::new(),
        }
    }

    /// Every dimension record, in file order.
    pub fn dimension_records(&self) -> impl Iterator<Item = &DimensionRecord> {
        self.blocks.iter().flat_map(|b| match b {
            ExportBlock::Dimension { records, .. } => records.as_slice(),
            _ => &[],
        })
    }

    /// Every collection definition, in file order.
    pub fn collections(&self) -> impl Iterator<Item = &ExportCollection> {
        self.blocks.iter().filter_map(|b| match b {
            ExportBlock::Collection(c) => Some(c),
            _ => None,
        })
    }

    /// Every dataset type definition, in file order.
    pub fn dataset_types(&self) -> impl Iterator<Item = &DatasetType> {
        self.blocks.iter().filter_map(|b| match b {
            ExportBlock::DatasetType(t) => Some(t),
            _ => None,
        })
    }

    /// The definition of the dataset type called `name`, if the file has one.
    pub fn dataset_type(&self, name: &str) -> Option<&DatasetType> {
        self.dataset_types().find(|t| t.name.as_str() == name)
    }

    /// Every dataset, in file order, with its type, run, data ID and file.
    pub fn datasets(&self) -> impl Iterator<Item = ExportedDataset<'_>> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                ExportBlock::Datasets {
                    dataset_type,
                    run,
                    records,
                } => Some((dataset_type, run, records)),
                _ => None,
            })
            .flat_map(|(dataset_type, run, records)| {
                records.iter().flat_map(move |file| {
                    file.ids
                        .iter()
                        .zip(&file.data_ids)
                        .map(move |(id, data_id)| ExportedDataset {
                            id: *id,
                            dataset_type,
                            run,
                            data_id,
                            file,
                        })
                })
            })
    }
}
