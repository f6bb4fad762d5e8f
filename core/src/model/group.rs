//! Dimension groups: a conformed set of dimensions, split into required and implied.

use serde::{Serialize, Serializer};

/// A set of dimensions closed under `requires` and `implies`, in universe order.
///
/// Required dimensions identify everything else; implied ones follow from them.
/// Build one with [`DimensionUniverse::group`](super::DimensionUniverse::group).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DimensionGroup {
    required: Vec<String>,
    implied: Vec<String>,
    elements: Vec<String>,
    /// `required` joined with commas, kept because registries look plans up by it per row.
    key: String,
}

impl DimensionGroup {
    pub(super) fn new(required: Vec<String>, implied: Vec<String>, elements: Vec<String>) -> Self {
        let key = required.join(",");
        Self {
            required,
            implied,
            elements,
            key,
        }
    }

    /// Required dimensions, in universe order.
    pub fn required(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.required.iter().map(String::as_str)
    }

    /// Implied dimensions, in universe order.
    pub fn implied(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.implied.iter().map(String::as_str)
    }

    /// Required then implied dimensions.
    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.required().chain(self.implied())
    }

    /// Every element whose required dimensions are in the group (join elements included).
    pub fn elements(&self) -> impl Iterator<Item = &str> {
        self.elements.iter().map(String::as_str)
    }

    /// Whether `name` is a required or implied dimension of the group.
    pub fn contains(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// The index of a required dimension.
    pub fn required_index(&self, name: &str) -> Option<usize> {
        self.required.iter().position(|n| n == name)
    }

    /// The index of an implied dimension.
    pub fn implied_index(&self, name: &str) -> Option<usize> {
        self.implied.iter().position(|n| n == name)
    }

    /// Whether the group has no dimensions.
    pub fn is_empty(&self) -> bool {
        self.required.is_empty() && self.implied.is_empty()
    }

    /// A stable text key (`instrument,detector,visit`) of the required dimensions.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether every dimension of `other` is in this group.
    pub fn is_superset(&self, other: &DimensionGroup) -> bool {
        other.names().all(|n| self.contains(n))
    }
}

impl std::fmt::Display for DimensionGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}", self.names().collect::<Vec<_>>().join(", "))
    }
}

impl Serialize for DimensionGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}
