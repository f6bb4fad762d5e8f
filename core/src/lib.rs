//! `satellite-core`: the domain model and every algorithm of Satellite Butler.
//!
//! See `ARCHITECTURE.md` at the repository root for where this crate sits.
//! The pure part ([`model`], and later the query language and QuantumGraph) builds for
//! `wasm32-unknown-unknown` with default features off; the `native` feature adds the SQLite
//! [`registry`], the file [`datastore`], [`repository`] (the Butler-like facade that ties them
//! together) and [`export`] (the Python Butler's export YAML format).
//!
//! ```
//! use satellite_core::model::{DimensionUniverse, DatasetTypeName};
//!
//! let universe = DimensionUniverse::default_universe();
//! assert_eq!((universe.namespace(), universe.version()), ("daf_butler", 8));
//! let group = universe.group(["visit", "detector"])?;
//! assert_eq!(group.required().collect::<Vec<_>>(), ["instrument", "detector", "visit"]);
//! assert!(DatasetTypeName::parse("calexp").is_ok());
//! # Ok::<(), satellite_core::model::ModelError>(())
//! ```
#![warn(missing_docs)]

/// The version of this crate, shown by `satellite --version` and the widgets.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod api;
pub mod model;
pub mod query;

#[cfg(feature = "native")]
pub mod datastore;
#[cfg(feature = "native")]
pub mod registry;

#[cfg(feature = "native")]
pub mod export;
#[cfg(feature = "native")]
pub mod repository;
