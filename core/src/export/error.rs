//! Errors of reading and writing export files.

use thiserror::Error;

use crate::model::ModelError;

/// An export file could not be read or written.
///
/// Every message names the data block (counted from 1, in file order) and, where it applies,
/// the entry inside it, so a hand-edited file can be fixed without guessing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The text is not YAML at all.
    #[error("the export file is not valid YAML: {0}\nhint: export files are written by `butler.export(...)`; check the file was not truncated")]
    Yaml(#[source] serde_yaml::Error),
    /// The YAML is not shaped like an export file (no `data` list, wrong header types, …).
    #[error("this is not a Butler export file: {0}\nhint: an export file is a mapping with `description`, `version`, `universe_version`, `universe_namespace` and a `data` list")]
    NotAnExport(String),
    /// The file's format version is one this reader does not understand.
    #[error("cannot read export file format version {found}: this reader understands version {supported} (files of major version 1 and minor version 0)\nhint: export the data again with a Python Butler that writes format {supported}")]
    UnsupportedVersion {
        /// The version the file declares.
        found: String,
        /// The version this module writes and reads (`1.0.2`).
        supported: &'static str,
    },
    /// A block or entry is malformed: a missing or wrongly typed field, an unknown block type.
    #[error("{location}: {reason}")]
    Invalid {
        /// Where: `data block 7 (type: dataset, dataset type `calexp`), record 3`.
        location: String,
        /// What is wrong and, where possible, what to write instead.
        reason: String,
    },
    /// A name, data ID, dimension record or time in a block breaks a rule of the domain model.
    #[error("{location}: {source}")]
    Model {
        /// Where the bad value is.
        location: String,
        /// What the model says about it.
        #[source]
        source: ModelError,
    },
    /// An integer dataset ID, as written by very old Butlers.
    #[error("{location}: integer dataset IDs from very old exports (here `{id}`) are not supported\nhint: import the file with the Python Butler (`butler import`), which converts them to UUIDs, and export it again")]
    IntegerDatasetId {
        /// Where the ID is.
        location: String,
        /// The integer ID.
        id: i64,
    },
    /// Writing to the output failed.
    #[error("writing the export file failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ExportError {
    pub(super) fn invalid(location: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            location: location.into(),
            reason: reason.into(),
        }
    }

    pub(super) fn model(location: impl Into<String>, source: ModelError) -> Self {
        Self::Model {
            location: location.into(),
            source,
        }
    }
}
