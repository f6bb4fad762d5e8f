//! Errors of the domain model, and the "did you mean" helper every layer uses.

use thiserror::Error;

/// Something in a name, data ID, dataset type or universe does not follow the Butler's rules.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelError {
    /// A dataset type name does not match `^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*$`.
    #[error("`{name}` is not a valid dataset type name: {reason}")]
    InvalidDatasetTypeName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A collection name is empty or contains characters that cannot appear in a path.
    #[error("`{name}` is not a valid collection name: {reason}")]
    InvalidCollectionName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A name that is not a dimension of the universe.
    #[error("`{name}` is not a dimension{}", did_you_mean(.suggestions))]
    UnknownDimension {
        /// The unknown name.
        name: String,
        /// Close matches.
        suggestions: Vec<String>,
    },
    /// A name that is not a dimension element of the universe.
    #[error("`{name}` is not a dimension element{}", did_you_mean(.suggestions))]
    UnknownElement {
        /// The unknown name.
        name: String,
        /// Close matches.
        suggestions: Vec<String>,
    },
    /// A column that the element does not have.
    #[error("`{element}` has no field `{field}`{}", did_you_mean(.suggestions))]
    UnknownField {
        /// The element.
        element: String,
        /// The unknown field.
        field: String,
        /// Close matches.
        suggestions: Vec<String>,
    },
    /// A data ID lacks a value for a required dimension.
    #[error("no value in data ID {data_id} for required dimension `{dimension}`")]
    MissingDimension {
        /// The data ID as given.
        data_id: String,
        /// The dimension without a value.
        dimension: String,
    },
    /// A data ID value has the wrong type for its dimension.
    #[error("data ID value {value} for dimension `{dimension}` must be {expected}")]
    WrongValueType {
        /// The dimension.
        dimension: String,
        /// What was given.
        value: String,
        /// What the universe declares (`an integer`, `a string`).
        expected: &'static str,
    },
    /// A data ID names a dimension that the dataset type or query does not use.
    #[error("dimension `{dimension}` is not part of {context}")]
    ExtraDimension {
        /// The dimension.
        dimension: String,
        /// What it was checked against.
        context: String,
    },
    /// Implied values that contradict each other or their records.
    #[error("inconsistent data ID: {0}")]
    InconsistentDataId(String),
    /// The dimension configuration cannot be loaded.
    #[error("invalid dimension configuration: {0}")]
    InvalidUniverse(String),
    /// A record lacks a column or has a wrongly typed one.
    #[error("invalid record for `{element}`: {reason}")]
    InvalidRecord {
        /// The element.
        element: String,
        /// What is wrong.
        reason: String,
    },
    /// A timespan or time string could not be read.
    #[error("invalid time `{0}`: expected TAI ISO `YYYY-MM-DD HH:MM:SS[.fffffffff]`")]
    InvalidTime(String),
    /// A component on a dataset type whose storage class is not a composite.
    #[error("`{0}` is not a valid component dataset type")]
    InvalidComponent(String),
    /// A dataset ID that is not a UUID.
    #[error("`{0}` is not a dataset ID (a UUID)")]
    InvalidDatasetId(String),
    /// An unknown dataset ID generation mode.
    #[error("`{0}` is not an ID generation mode (expected `unique`, `dataid_type` or `dataid_type_run`)")]
    InvalidIdGenMode(String),
    /// An unknown collection type.
    #[error("`{0}` is not a collection type (expected RUN, TAGGED, CHAINED or CALIBRATION)")]
    InvalidCollectionType(String),
}

/// Renders `; did you mean `a`, `b`?` for a non-empty list of suggestions.
pub(crate) fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("; did you mean {}?", quoted.join(" or "))
    }
}

/// Up to three of `candidates` within a small edit distance of `name`, closest first.
///
/// The threshold grows with the length of the name, so `vist` finds `visit` and `calxp`
/// finds `calexp`, but short names do not match everything.
pub fn suggest<'a, I>(name: &str, candidates: I) -> Vec<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (name.chars().count() / 3).max(1) + 1;
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = strsim::damerau_levenshtein(name, c);
            let prefix = c.starts_with(name) || name.starts_with(c);
            (d <= limit || (prefix && name.len() >= 3)).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn suggests_close_names_first() {
        let names = ["visit", "visit_system", "detector", "exposure"];
        assert_eq!(suggest("vist", names), ["visit"]);
        assert_eq!(suggest("visit_sys", names), ["visit_system", "visit"]);
        assert_eq!(suggest("detectr", names), ["detector"]);
        assert!(suggest("zzz", names).is_empty());
    }
}
