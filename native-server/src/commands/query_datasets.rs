//! `satellite query-datasets`.

use satellite_core::registry::Limit;

use super::{open, warn_truncated, ExitStatus};
use crate::cli::QueryDatasetsArgs;
use crate::dataset_listing::{dataset_uris, datasets};
use crate::dataset_search::find_datasets;
use crate::output::Output;

/// Lists datasets.
pub fn run(args: &QueryDatasetsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let limit = Limit::from_cli(args.limit.limit);
    let found = find_datasets(
        &repo,
        &args.globs,
        &args.search,
        &args.order_by.order_by,
        limit,
    )?;
    let uris = if args.show_uri {
        Some(
            found
                .refs
                .iter()
                .map(|r| dataset_uris(&repo, r))
                .collect::<Result<Vec<_>, _>>()?,
        )
    } else {
        None
    };
    out.emit(args.format.format, &datasets(&found.refs, uris.as_deref()))?;
    warn_truncated(out, "datasets", limit, found.truncated);
    Ok(ExitStatus::Success)
}
