//! Arguments shared by several verbs: output format, data ID terms, dataset searches, limits
//! and transfer modes.

use clap::ValueEnum;
use satellite_core::datastore::TransferMode;

/// How a query verb prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table for people (its layout may change between versions).
    Table,
    /// NDJSON: one JSON object per line, snake_case keys, stable for scripts.
    Json,
    /// CSV with a header row, stable for scripts and spreadsheets.
    Csv,
}

/// The `--format` option of query verbs.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// Output format: `table` for people, `json` (NDJSON, one object per line) or `csv` for
    /// scripts.
    ///
    /// `json` and `csv` keys and columns are a stable interface; `table` may change.
    /// Example: `--format json | jq -r .id`.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One `key=value` data ID term, as typed on the command line (typed later by the universe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataIdTerm {
    /// Dimension name (or a field of the queried element).
    pub key: String,
    /// The value as text.
    pub value: String,
}

/// Parses `key=value` for clap.
///
/// # Errors
/// A message for clap when there is no `=` or either side is empty.
pub fn parse_key_value(text: &str) -> Result<DataIdTerm, String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok(DataIdTerm {
            key: k.trim().to_owned(),
            value: v.trim().to_owned(),
        }),
        _ => Err(format!(
            "`{text}` is not a `key=value` data ID term (e.g. `instrument=DemoCam`)"
        )),
    }
}

/// The row limit of a query, with the Python Butler's conventions.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArg {
    /// The most rows to print: `0` means no limit, a positive number truncates silently, a
    /// negative number truncates and warns that more rows exist.
    #[arg(long, default_value_t = -20000, allow_negative_numbers = true, value_name = "N")]
    pub limit: i64,
}

/// How the datasets of a verb are found: collections, data ID terms, find-first.
#[derive(Debug, Clone, clap::Args)]
pub struct DatasetSearchArgs {
    /// Collections to search, in order; CHAINED collections are searched through their
    /// children.
    ///
    /// Repeat the option or separate names with commas. Globs (`u/alice/*`) are allowed
    /// unless `--find-first` is given. Without this option every collection is searched.
    /// Example: `--collections DemoCam/defaults,u/alice/run1`.
    #[arg(long, value_delimiter = ',', num_args = 1.., value_name = "COLLECTION")]
    pub collections: Vec<String>,

    /// Only datasets whose data ID has this value: `dimension=value`, repeated or
    /// comma-separated.
    ///
    /// Values are typed by the dimension (`visit=12` is an integer, `band=g` a string).
    /// Example: `--data-id instrument=DemoCam,detector=1`.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// For each dataset type and data ID keep only the dataset of the first collection (in
    /// search order) that has one, as `get` would find it.
    #[arg(long)]
    pub find_first: bool,
}

/// Parses `--transfer` into core's [`TransferMode`], listing each mode with its description
/// in `--help`.
pub fn transfer_mode_parser() -> impl clap::builder::TypedValueParser<Value = TransferMode> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = TransferMode::ALL.map(|m| PossibleValue::new(m.as_str()).help(m.description()));
    PossibleValuesParser::new(values).map(|name| {
        TransferMode::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .unwrap_or(TransferMode::Auto)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_terms() {
        let t = parse_key_value("visit = 12").unwrap();
        assert_eq!((t.key.as_str(), t.value.as_str()), ("visit", "12"));
        for bad in ["visit", "=3", "visit=", ""] {
            assert!(parse_key_value(bad).is_err(), "{bad}");
        }
    }
}
