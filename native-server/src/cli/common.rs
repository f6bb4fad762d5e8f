//! Arguments shared by several verbs: output format, data ID terms, dataset searches, limits
//! and transfer modes.

use clap::ValueEnum;
use satellite_core::datastore::TransferMode;
use satellite_core::query::BindValue;

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

    /// The `where` expression and its parameters.
    #[command(flatten)]
    pub filter: WhereArgs,
}

/// A `where` expression, its bind values and a default instrument.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WhereArgs {
    /// Only rows matching this expression, in the Python Butler's query language:
    /// `visit > 100 AND band = 'r'`, `visit IN (1..10:2)`, `exposure.day_obs = 20250501`,
    /// `visit.timespan OVERLAPS (T'2025-01-01', T'2025-02-01')`,
    /// `visit.region OVERLAPS POINT(53.1, -28.1)`, `GLOB(exposure.target_name, 'ECDFS*')`.
    ///
    /// A dimension that depends on `instrument` (visit, detector, exposure, ...) needs the
    /// instrument constrained: in the expression, with `--data-id`/`--instrument`, by the
    /// repository's `default_data_id`, or by being the only instrument registered.
    #[arg(
        long = "where",
        default_value = "",
        hide_default_value = true,
        value_name = "EXPRESSION"
    )]
    pub where_: String,

    /// A value for a `:name` parameter of the expression: `NAME=VALUE`, repeated. Integers,
    /// floats, `T'...'` times and UUIDs are typed; anything else is a string; a
    /// comma-separated value is a list (`--bind visits=1,2,3` for `visit IN (:visits)`).
    #[arg(long, value_parser = parse_bind, value_name = "NAME=VALUE")]
    pub bind: Vec<(String, BindValue)>,

    /// The instrument that governor-dependent dimensions refer to when nothing else says
    /// (a default data ID value, like the Python Butler's `--instrument` of `pipetask`).
    #[arg(long, value_name = "NAME")]
    pub instrument: Option<String>,
}

/// Parses `--bind NAME=VALUE` for clap.
///
/// # Errors
/// A message for clap when there is no `=` or the name is not an identifier.
pub fn parse_bind(text: &str) -> Result<(String, BindValue), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!(
            "`{text}` is not `NAME=VALUE` (e.g. `--bind visits=1,2,3`)"
        ));
    };
    let name = name.trim();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a bind name (letters, digits and `_`)"
        ));
    }
    Ok((name.to_owned(), BindValue::parse_cli(value.trim())?))
}

/// The `--order-by` option of query verbs.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OrderByArg {
    /// Sort by these, in order: dimensions or fields (`visit`, `visit.day_obs`,
    /// `visit.timespan.begin`, `exposure_time` when unambiguous); a leading `-` sorts
    /// descending. Repeat the option or separate terms with commas: `--order-by=-visit,detector`.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        value_name = "TERM"
    )]
    pub order_by: Vec<String>,
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
