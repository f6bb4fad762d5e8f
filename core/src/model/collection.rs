//! Collection types and records.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{CollectionName, ModelError};

/// The four collection types, with the Python Butler's integer codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CollectionType {
    /// Owns datasets; one dataset per (type, data ID).
    Run = 1,
    /// A many-to-many tag of datasets.
    Tagged = 2,
    /// An ordered search path of other collections.
    Chained = 3,
    /// Like TAGGED, each association with a validity range.
    Calibration = 4,
}

impl CollectionType {
    /// The integer code.
    pub fn code(self) -> i64 {
        self as i64
    }

    /// The type for an integer code.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::Run),
            2 => Some(Self::Tagged),
            3 => Some(Self::Chained),
            4 => Some(Self::Calibration),
            _ => None,
        }
    }

    /// The upper-case name (`RUN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Run => "RUN",
            Self::Tagged => "TAGGED",
            Self::Chained => "CHAINED",
            Self::Calibration => "CALIBRATION",
        }
    }
}

impl fmt::Display for CollectionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CollectionType {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "RUN" => Ok(Self::Run),
            "TAGGED" => Ok(Self::Tagged),
            "CHAINED" => Ok(Self::Chained),
            "CALIBRATION" => Ok(Self::Calibration),
            _ => Err(ModelError::InvalidCollectionType(s.to_owned())),
        }
    }
}

/// What the registry knows about one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionRecord {
    /// The name.
    pub name: CollectionName,
    /// The type.
    pub collection_type: CollectionType,
    /// Documentation string (empty when none).
    pub doc: String,
    /// For CHAINED collections, the children in search order.
    pub children: Vec<CollectionName>,
}
