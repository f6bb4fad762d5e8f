//! Query descriptions the registry executes (the `--where` language arrives in its own module).

use std::collections::BTreeMap;

use crate::model::{CollectionName, DataIdValue, DatasetTypeName, Timespan};

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
    /// `dimension = value` constraints (required or implied dimensions).
    pub data_id: BTreeMap<String, DataIdValue>,
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
    /// `dimension = value` constraints.
    pub data_id: BTreeMap<String, DataIdValue>,
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
    /// `dimension = value` (or `field = value` for the element's own columns) constraints.
    pub data_id: BTreeMap<String, DataIdValue>,
    /// Row limit.
    pub limit: Limit,
}
