//! `satellite query-dataset-types`.

use serde_json::{Map, Value};

use super::{open, ExitStatus};
use crate::cli::{Format, QueryDatasetTypesArgs};
use crate::dataset_search::select_names;
use crate::output::{Align, Column, Listing, Output};

/// Lists dataset types; `verbose` (the global `-v`, as `butler` spells it) adds the
/// definitions to the table.
pub fn run(
    args: &QueryDatasetTypesArgs,
    verbose: bool,
    out: &Output,
) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let names = registry.dataset_type_names()?;
    let missing = |name: &str| match registry.dataset_type(name) {
        Err(e) => anyhow::Error::new(e),
        Ok(_) => anyhow::anyhow!("dataset type `{name}` could not be listed"),
    };
    let mut rows = Vec::new();
    for name in select_names(&names, &args.globs, missing)? {
        let t = registry.dataset_type(name)?;
        let mut row = Map::new();
        row.insert("name".into(), Value::from(t.name.as_str()));
        row.insert(
            "storage_class".into(),
            Value::from(t.storage_class.as_str()),
        );
        row.insert(
            "dimensions".into(),
            Value::from(t.dimensions.names().collect::<Vec<_>>()),
        );
        row.insert("is_calibration".into(), Value::from(t.is_calibration));
        rows.push(row);
    }
    let mut columns = vec![Column::new("name", "name", Align::Left)];
    if verbose || args.format.format != Format::Table {
        columns.push(Column::new("dimensions", "dimensions", Align::Left));
        columns.push(Column::new("storage_class", "storage_class", Align::Left));
        columns.push(Column::new("is_calibration", "is_calibration", Align::Left));
    }
    out.emit(args.format.format, &Listing::single(columns, rows))?;
    Ok(ExitStatus::Success)
}
