//! `satellite query-data-ids`: the registry's data ID query, with `--datasets` as an
//! existence constraint.

use std::sync::Arc;

use satellite_core::registry::{DataIdQuery, Limit};

use super::{open, warn_truncated, ExitStatus};
use crate::cli::QueryDataIdsArgs;
use crate::dataset_listing::data_ids;
use crate::dataset_search::{self, data_id_terms, filter};
use crate::output::Output;

/// Lists data IDs.
pub fn run(args: &QueryDataIdsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let universe = repo.universe();
    let group = Arc::new(universe.group(&args.dimensions)?);
    let registry = repo.registry();
    let datasets = if args.datasets.is_empty() {
        Vec::new()
    } else {
        dataset_search::dataset_types(registry, &args.datasets)?
    };
    let collections = if args.datasets.is_empty() {
        Vec::new()
    } else {
        dataset_search::collections(registry, &args.collections, false)?
    };
    let limit = Limit::from_cli(args.limit.limit);
    let query = DataIdQuery {
        dimensions: args.dimensions.clone(),
        filter: filter(
            &repo,
            &args.filter,
            data_id_terms(universe, &args.data_id)?,
            &args.order_by.order_by,
        )?,
        datasets,
        collections,
        limit,
    };
    let (found, truncated) = registry.query_data_ids(&query)?;
    out.emit(args.format.format, &data_ids(&found, &group))?;
    warn_truncated(out, "data IDs", limit, truncated);
    Ok(ExitStatus::Success)
}
