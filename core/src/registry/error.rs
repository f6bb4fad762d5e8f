//! Registry errors: each says what failed, where, and what to do.

use thiserror::Error;

use crate::model::error::did_you_mean;
use crate::model::ModelError;

/// Why a registry operation failed. Nothing was changed when one of these is returned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A data model rule was broken (bad name, bad data ID).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The dataset type is not registered.
    #[error("dataset type `{name}` is not registered{}", did_you_mean(.suggestions))]
    MissingDatasetType {
        /// The name asked for.
        name: String,
        /// Registered names close to it.
        suggestions: Vec<String>,
    },
    /// The collection does not exist.
    #[error("collection `{name}` does not exist{}", did_you_mean(.suggestions))]
    MissingCollection {
        /// The name asked for.
        name: String,
        /// Existing names close to it.
        suggestions: Vec<String>,
    },
    /// A dataset type is already registered with another definition.
    #[error("dataset type `{name}` is already registered as {existing}, not {given}")]
    ConflictingDatasetType {
        /// The name.
        name: String,
        /// The registered definition.
        existing: String,
        /// The definition given.
        given: String,
    },
    /// A collection exists with another type.
    #[error("collection `{name}` already exists as a {existing} collection, not {given}")]
    CollectionTypeConflict {
        /// The name.
        name: String,
        /// Its type.
        existing: String,
        /// The type asked for.
        given: String,
    },
    /// An operation needs a collection of another type.
    #[error("collection `{name}` is a {actual} collection; this needs a {expected} collection")]
    WrongCollectionType {
        /// The collection.
        name: String,
        /// Its type.
        actual: String,
        /// The type needed.
        expected: String,
    },
    /// A chain would contain itself.
    #[error("making `{parent}` contain `{child}` would create a cycle of CHAINED collections")]
    ChainCycle {
        /// The chain.
        parent: String,
        /// The child that leads back to it.
        child: String,
    },
    /// The same (dataset type, data ID) already has a dataset in the collection.
    #[error("a `{dataset_type}` dataset with data ID {data_id} already exists in `{collection}`")]
    DatasetExists {
        /// The dataset type.
        dataset_type: String,
        /// The data ID.
        data_id: String,
        /// The collection.
        collection: String,
    },
    /// The same UUID is registered with another definition.
    #[error("dataset {id} already exists with a different definition ({existing})")]
    ConflictingDataset {
        /// The ID.
        id: String,
        /// What the registry has.
        existing: String,
    },
    /// A dataset ID is not in the registry.
    #[error("dataset {0} is not in the registry")]
    MissingDataset(String),
    /// A dimension record that a data ID or another record needs is missing.
    #[error("no `{element}` record for {key}")]
    MissingDimensionRecord {
        /// The element.
        element: String,
        /// Its key values.
        key: String,
    },
    /// A dimension record conflicts with the stored one.
    #[error("a different `{element}` record with key {key} already exists")]
    ConflictingDimensionRecord {
        /// The element.
        element: String,
        /// Its key values.
        key: String,
    },
    /// CALIBRATION validity ranges would overlap for one data ID.
    #[error("certifying `{dataset_type}` {data_id} into `{collection}` for {timespan} overlaps an existing validity range")]
    CalibrationOverlap {
        /// The dataset type.
        dataset_type: String,
        /// The data ID.
        data_id: String,
        /// The collection.
        collection: String,
        /// The requested range.
        timespan: String,
    },
    /// A non-calibration dataset type in a CALIBRATION collection.
    #[error("dataset type `{0}` is not a calibration type (register it with `--is-calibration`)")]
    NotCalibration(String),
    /// The operation would leave dangling references (e.g. removing a chain child).
    #[error("{0}")]
    InUse(String),
    /// The repository's schema is newer than this program.
    #[error("the registry schema is version {found}, newer than version {supported} that this `satellite` understands")]
    SchemaTooNew {
        /// Version in the file.
        found: i64,
        /// Highest version known.
        supported: i64,
    },
    /// A `where` expression, bind value or order term was refused; the message draws a caret
    /// line under the offending part of `expression`.
    #[error("{}", render_query_error(.expression, .error))]
    Query {
        /// The expression as given (empty when the error is not about its text).
        expression: String,
        /// What is wrong, and where.
        error: Box<crate::query::QueryError>,
    },
    /// A find-first search matched several validity ranges of one data ID in a CALIBRATION
    /// collection (the Python Butler's `CalibrationLookupError`).
    #[error(
        "Ambiguous calibration validity range match. This usually means a temporal join or \
         'where' needs to be added, but it could also mean that multiple validity ranges overlap \
         a single output data ID. (dataset type `{dataset_type}`, collection `{collection}`)"
    )]
    AmbiguousCalibration {
        /// The dataset type.
        dataset_type: String,
        /// The CALIBRATION collection.
        collection: String,
    },
    /// The repository is not a Satellite Butler registry, or it is damaged.
    #[error("the registry is not usable: {0}")]
    Corrupt(String),
    /// An SQLite failure.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn render_query_error(expression: &str, error: &crate::query::QueryError) -> String {
    if expression.is_empty() || error.span.is_none() {
        error.to_string()
    } else {
        error.render(expression)
    }
}
