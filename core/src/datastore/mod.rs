//! The file datastore: where dataset artifacts live and how they get there.
//!
//! - [`FileTemplate`] / [`FileTemplates`] turn a [`DatasetRef`](crate::model::DatasetRef) into
//!   a relative path, with the Python Butler's template syntax and defaults, so both programs
//!   lay out a repository identically.
//! - [`FileDatastore`] writes ([`FileDatastore::put_bytes`]), ingests with every
//!   [`TransferMode`], reads, verifies, retrieves and removes artifacts under its root and
//!   describes each with a [`StoredFileInfo`] (the row of `file_datastore_records`).
//! - [`Journal`] records every file effect so that a failed registry transaction can undo it
//!   ([`Journal::rollback`]), and defers deletions until the registry has committed
//!   ([`Journal::delete_on_commit`], applied by [`Journal::commit`]).
//!
//! **Invariant:** the datastore never writes or deletes outside its root, except that a
//! `move` ingest removes its source; it never deletes an artifact recorded by absolute URI.

mod file;
mod journal;
mod template;
mod transfer_mode;
mod uri;

use std::io;
use std::path::PathBuf;

use thiserror::Error;

pub use file::{
    checksum_bytes, checksum_file, Durability, FileDatastore, RetrieveOptions, StoredFileInfo,
    WriteOptions,
};
pub use journal::Journal;
pub use template::{FileTemplate, FileTemplates, TemplateKey, DEFAULT_TEMPLATE, RAW_TEMPLATE};
pub use transfer_mode::TransferMode;

/// Why a datastore operation failed: what, which path, and what to do about it.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DatastoreError {
    /// A file template does not parse or breaks a rule.
    #[error("file template `{template}` is invalid: {reason}")]
    InvalidTemplate {
        /// The template text.
        template: String,
        /// What is wrong.
        reason: String,
    },
    /// A non-optional template field has no value for the dataset.
    #[error("file template `{template}` needs `{field}`, which {dataset} does not have (make the field optional with `:?`, or use a template that fits the dataset type's dimensions)")]
    TemplateFieldMissing {
        /// The template text.
        template: String,
        /// The field.
        field: String,
        /// The dataset.
        dataset: String,
    },
    /// An `element.field` template field needs a dimension record the data ID does not carry.
    #[error("file template field `{field}` needs the `{element}` dimension record, which is not attached to the data ID of {dataset} (expand the data ID with its dimension records, or insert the `{element}` record first)")]
    TemplateRecordMissing {
        /// The field (`detector.full_name`).
        field: String,
        /// The element whose record is missing.
        element: String,
        /// The dataset.
        dataset: String,
    },
    /// A component dataset with a template that does not use `component`.
    #[error("file template `{template}` does not use `{{component}}`, so component `{component}` of {dataset} would overwrite its parent (add `{{component:?}}` to the template)")]
    TemplateComponentUnused {
        /// The template text.
        template: String,
        /// The component.
        component: String,
        /// The dataset.
        dataset: String,
    },
    /// A format spec does not suit the field's value.
    #[error("file template `{template}` cannot format field `{field}`: {reason}")]
    TemplateFormat {
        /// The template text.
        template: String,
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The formatted path is empty or would leave its directory.
    #[error("file template `{template}` gives an unusable path for {dataset}: {reason}")]
    TemplatePath {
        /// The template text.
        template: String,
        /// The dataset.
        dataset: String,
        /// What is wrong.
        reason: String,
    },
    /// An unknown transfer mode name.
    #[error("`{0}` is not a transfer mode (expected `auto`, `copy`, `move`, `link`, `hardlink`, `symlink`, `relsymlink` or `direct`)")]
    InvalidTransferMode(String),
    /// A path inside the datastore is absolute or leaves the root.
    #[error("datastore path `{path}` is unsafe: {reason} (paths in the datastore are relative and stay inside its root)")]
    UnsafePath {
        /// The path as given.
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The file to ingest does not exist or cannot be read.
    #[error("cannot ingest `{path}`: it does not exist or cannot be read (check the path and its permissions)")]
    SourceMissing {
        /// The source path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file to ingest is a directory or a special file.
    #[error("cannot ingest `{path}`: it is not a regular file")]
    SourceNotFile {
        /// The source path.
        path: PathBuf,
    },
    /// The destination already exists: two datasets map to the same path.
    #[error("`{path}` already exists in the datastore at `{root}`: another dataset already uses this path (a file template collision; remove that dataset first, or use a template that tells them apart, e.g. with `{{id}}`)")]
    DestinationExists {
        /// The relative path.
        path: String,
        /// The datastore root.
        root: PathBuf,
    },
    /// A `hardlink` transfer is impossible (another file system, or no hard links).
    #[error("cannot hard-link `{source_path}` to `{dest}` (hard links need one file system; use `copy`, `link` or `symlink` instead)")]
    HardlinkFailed {
        /// The source.
        source_path: PathBuf,
        /// The destination.
        dest: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A recorded artifact is not there.
    #[error("artifact `{path}` is missing (it was deleted or moved outside the Butler; restore it or remove its dataset)")]
    ArtifactMissing {
        /// The artifact's absolute path.
        path: PathBuf,
    },
    /// A recorded artifact has another size than recorded.
    #[error("artifact `{path}` is {actual} bytes, but the datastore recorded {expected} bytes (it was changed outside the Butler; restore it or remove its dataset)")]
    SizeMismatch {
        /// The artifact.
        path: PathBuf,
        /// The recorded size.
        expected: i64,
        /// The size on disk.
        actual: u64,
    },
    /// A recorded artifact has another checksum than recorded.
    #[error("artifact `{path}` has blake2b checksum `{actual}`, but the datastore recorded `{expected}` (it was changed or corrupted outside the Butler; restore it or remove its dataset)")]
    ChecksumMismatch {
        /// The artifact.
        path: PathBuf,
        /// The recorded checksum.
        expected: String,
        /// The checksum on disk.
        actual: String,
    },
    /// A retrieve would overwrite a file.
    #[error(
        "`{path}` already exists (choose another destination, or allow overwriting with `clobber`)"
    )]
    RetrieveExists {
        /// The destination file.
        path: PathBuf,
    },
    /// A recorded URI that the file datastore cannot open.
    #[error("`{uri}` is not a local file (the file datastore reads relative paths and `file://` URIs only)")]
    UnsupportedUri {
        /// The recorded path.
        uri: String,
    },
    /// A file system operation failed.
    #[error("could not {action} `{path}`")]
    Io {
        /// What was being done (`create directory`, `read`).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Undoing or finishing a [`Journal`] left some files behind.
    #[error("could not {action} every file change: {} (fix these files by hand)", .failures.join("; "))]
    JournalIncomplete {
        /// `roll back` or `commit`.
        action: &'static str,
        /// One line per failed step.
        failures: Vec<String>,
    },
}

impl DatastoreError {
    /// An [`DatastoreError::Io`] constructor for `map_err`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
