//! Query descriptions the registry executes.
//!
//! Each carries an optional `where` expression (the language of [`crate::query`]) with its
//! bind values, `order_by` terms (`visit`, `-visit.timespan.begin`), a data ID that is AND-ed
//! in, and default data ID values for governors nothing else constrains.

use std::collections::BTreeMap;

use crate::model::{CollectionName, DataIdValue, DatasetTypeName, Timespan};
use crate::query::BindValue;

/// The parts of a query that filter and order its rows, common to every kind of query.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A `where` expression (empty = no constraint).
    pub expression: String,
    /// Values of the expression's `:name` parameters.
    pub bind: BTreeMap<String, BindValue>,
    /// `dimension = value` constraints (a data ID), AND-ed with the expression.
    pub data_id: BTreeMap<String, DataIdValue>,
    /// Default values for governor dimensions (`instrument`, `skymap`) that neither the
    /// expression nor the data ID constrains.
    pub defaults: BTreeMap<String, DataIdValue>,
    /// Sort terms: an identifier, with a leading `-` for descending order.
    pub order_by: Vec<String>,
}

/// How many rows a query may return, with the Python Butler's CLI semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Limit {
    /// No limit (`--limit 0`).
    #[default]
    Unlimited,
    /// Truncate silently (`--limit N`).
    Truncate(usize),
    /// Truncate and warn that more rows exist (`--limit -N`, the default `-20000`).
    WarnAt(usize),
}

impl Limit {
    /// From the CLI's integer convention: 0 = none, positive = truncate, negative = warn and cap.
    pub fn from_cli(n: i64) -> Self {
        match n {
            0 => Self::Unlimited,
            n if n > 0 => Self::Truncate(usize::try_from(n).unwrap_or(usize::MAX)),
            n => Self::WarnAt(usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX)),
        }
    }

    /// The number of rows to fetch to know whether the limit was hit (cap + 1), if any.
    pub fn fetch(self) -> Option<usize> {
        match self {
            Self::Unlimited => None,
            Self::Truncate(n) | Self::WarnAt(n) => Some(n.saturating_add(1)),
        }
    }

    /// The cap, if any.
    pub fn cap(self) -> Option<usize> {
        match self {
            Self::Unlimited => None,
            Self::Truncate(n) | Self::WarnAt(n) => Some(n),
        }
    }
}

/// Find datasets: `query-datasets`.
#[derive(Debug, Clone, Default)]
pub struct DatasetQuery {
    /// Dataset types to search (already resolved from globs by the caller).
    pub dataset_types: Vec<DatasetTypeName>,
    /// Collections in search order (CHAINED ones are flattened).
    pub collections: Vec<CollectionName>,
    /// `where`, bind, data ID, defaults and order.
    pub filter: Filter,
    /// Return only the first match per (type, data ID) along the search path.
    pub find_first: bool,
    /// Lookup time for CALIBRATION collections (they are skipped in find-first without one).
    pub timespan: Option<Timespan>,
    /// Row limit.
    pub limit: Limit,
}

/// Find data IDs: `query-data-ids`.
#[derive(Debug, Clone, Default)]
pub struct DataIdQuery {
    /// Dimensions of the result.
    pub dimensions: Vec<String>,
    /// `where`, bind, data ID, defaults and order.
    pub filter: Filter,
    /// Only data IDs for which these dataset types have datasets in `collections`.
    pub datasets: Vec<DatasetTypeName>,
    /// Collections for the `datasets` constraint.
    pub collections: Vec<CollectionName>,
    /// Row limit.
    pub limit: Limit,
}

/// Find dimension records: `query-dimension-records`.
#[derive(Debug, Clone, Default)]
pub struct DimensionRecordQuery {
    /// The element.
    pub element: String,
    /// `where`, bind, data ID, defaults and order. Data ID keys may also name the element's
    /// own columns (`name=...`), compared for equality.
    pub filter: Filter,
    /// Row limit.
    pub limit: Limit,
}
