//! `satellite query-dimension-records`.

use std::collections::BTreeMap;

use satellite_core::model::DataIdValue;
use satellite_core::registry::{DimensionRecordQuery, Limit};

use super::{open, warn_truncated, ExitStatus};
use crate::cli::QueryDimensionRecordsArgs;
use crate::dataset_listing::records;
use crate::dataset_search::{filter, typed_value};
use crate::output::Output;

/// Lists the records of an element.
pub fn run(args: &QueryDimensionRecordsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let universe = repo.universe();
    universe.get_element(&args.element)?;
    let mut constraints = BTreeMap::new();
    for t in &args.data_id {
        // Dimensions are typed by their key; other fields are checked by the registry.
        let value = if universe.get_dimension(&t.key).is_ok() {
            typed_value(universe, &t.key, &t.value)?
        } else {
            DataIdValue::Str(t.value.clone())
        };
        constraints.insert(t.key.clone(), value);
    }
    let limit = Limit::from_cli(args.limit.limit);
    let query = DimensionRecordQuery {
        element: args.element.clone(),
        filter: filter(&repo, &args.filter, constraints, &args.order_by.order_by)?,
        limit,
    };
    let (found, truncated) = repo.registry().query_dimension_records(&query)?;
    out.emit(
        args.format.format,
        &records(universe, &args.element, &found),
    )?;
    warn_truncated(out, "dimension records", limit, truncated);
    Ok(ExitStatus::Success)
}
