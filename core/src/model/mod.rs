//! The domain model, following the Python Butler's concepts (`BUTLER_CONCEPTS.md`).
//!
//! Pure data and rules: no I/O, no SQL, no HTTP. Everything here builds for wasm32.
//!
//! - [`DimensionUniverse`] is loaded from a configuration in the Python Butler's
//!   `dimensions.yaml` schema; [`DimensionUniverse::default_universe`] is `daf_butler` version 8.
//! - [`DimensionGroup`] splits a set of dimensions into required and implied ones.
//! - [`DataCoordinate`] is a data ID; [`DimensionRecord`] a row of a dimension element.
//! - [`DatasetType`], [`DatasetRef`] and [`DatasetId`] (with the Python Butler's generation modes).
//! - [`CollectionType`] and the name newtypes, [`Timespan`].

mod collection;
mod data_id;
mod dataset_ref;
mod dataset_type;
pub mod demo;
pub(crate) mod error;
mod group;
mod names;
mod record;
mod region;
mod storage_class;
mod timespan;
mod universe;

pub use collection::{CollectionRecord, CollectionType};
pub use data_id::{DataCoordinate, DataIdValue};
pub use dataset_ref::{DatasetId, DatasetIdGenMode, DatasetRef, DATASET_ID_NAMESPACE};
pub use dataset_type::DatasetType;
pub use error::{suggest, ModelError};
pub use group::DimensionGroup;
pub use names::{CollectionName, DatasetTypeName, RunName, StorageClassName};
pub use record::{DimensionRecord, RecordValue};
pub use region::{Circle, ConvexPolygon, Ellipse, LonLatBox, Region, RegionError};
pub use storage_class::{extension_of_formatter, formatter_for, Formatter};
pub use timespan::{Timespan, TAI_ISO_FORMAT_HINT};
pub use universe::{ColumnSpec, ColumnType, DimensionElement, DimensionUniverse};
