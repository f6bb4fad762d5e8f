//! The registry: collections, dataset types, dimension records, datasets and their
//! collection memberships, and the datastore's per-dataset file records.
//!
//! [`SqliteRegistry`] is the only backend today (PostgreSQL later). Every public write runs in
//! one transaction; composite operations nest inside [`SqliteRegistry::transaction`], so an
//! `ingest` of 100k files registers everything or nothing.
//!
//! **Invariant:** SQL text is a literal next to its use, values are always bound, and varying
//! identifiers (per-element and per-group tables) pass through `schema::ident`.

mod error;
mod query;
mod sqlite;

pub use error::RegistryError;
pub use query::{DataIdQuery, DatasetQuery, DimensionRecordQuery, Filter, Limit};
pub use sqlite::{ElementRecords, RecordConflict, SqliteRegistry};

#[cfg(test)]
mod conformance;
