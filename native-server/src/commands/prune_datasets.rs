//! `satellite prune-datasets`, with the Python Butler's `--unstore`/`--purge`/`--disassociate`
//! semantics.

use satellite_core::model::{CollectionName, CollectionType};
use satellite_core::registry::Limit;
use satellite_core::repository::PruneMode;

use super::{confirm, open, plural, ExitStatus};
use crate::cli::{DatasetSearchArgs, Format, PruneDatasetsArgs};
use crate::dataset_listing::datasets;
use crate::dataset_search::find_datasets;
use crate::output::Output;
use crate::report::CliError;

/// Prunes the datasets found.
pub fn run(args: &PruneDatasetsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let require_type =
        |name: &str, wanted: CollectionType, option: &str| -> anyhow::Result<CollectionName> {
            let (_, actual) = registry.collection(name)?;
            if actual != wanted {
                return Err(CliError::new(format!(
                    "`{option}` needs a {wanted} collection, but `{name}` is a {actual} collection"
                ))
                .into());
            }
            Ok(CollectionName::parse(name)?)
        };
    let (mode, default_collections) = if args.unstore {
        (PruneMode::Unstore, Vec::new())
    } else if let Some(run) = &args.purge {
        require_type(run, CollectionType::Run, "--purge")?;
        (PruneMode::Purge, vec![run.clone()])
    } else {
        let mut tags = Vec::new();
        for t in &args.disassociate {
            tags.push(require_type(t, CollectionType::Tagged, "--disassociate")?);
        }
        (PruneMode::Disassociate(tags), args.disassociate.clone())
    };
    let collections = if args.collections.is_empty() {
        if default_collections.is_empty() {
            return Err(CliError::with_hint(
                "name the collections to find the datasets to prune in",
                "e.g. `satellite prune-datasets REPO u/alice/run1 --datasets calexp --unstore`",
            )
            .into());
        }
        default_collections
    } else {
        args.collections.clone()
    };
    let search = DatasetSearchArgs {
        collections,
        data_id: args.data_id.clone(),
        find_first: args.find_first,
        filter: args.filter.clone(),
    };
    let found = find_datasets(&repo, &args.datasets, &search, &[], Limit::Unlimited)?;
    if found.refs.is_empty() {
        out.status("No datasets found; nothing to prune");
        return Ok(ExitStatus::Success);
    }
    if let Some(run) = &args.purge {
        if let Some(other) = found.refs.iter().find(|r| r.run.as_str() != run) {
            return Err(CliError::with_hint(
                format!(
                    "`--purge {run}` names the RUN the datasets must belong to, but {other} belongs to `{}`",
                    other.run
                ),
                format!(
                    "to delete datasets of `{}`, pass `--purge {}`; or search only `{run}`",
                    other.run, other.run
                ),
            )
            .into());
        }
    }
    let what = match &mode {
        PruneMode::Unstore => "deleting their files",
        PruneMode::Purge => "deleting them and their files",
        PruneMode::Disassociate(_) => "removing them from the TAGGED collections",
    };
    out.status(&format!(
        "{} found, {what}:",
        plural(found.refs.len(), "dataset")
    ));
    out.emit(Format::Table, &datasets(&found.refs, None))?;
    if args.dry_run {
        out.status("Dry run: nothing was pruned");
        return Ok(ExitStatus::Success);
    }
    if !confirm(
        out,
        &format!("Prune {}?", plural(found.refs.len(), "dataset")),
        args.yes,
    )? {
        out.status("Nothing was pruned");
        return Ok(ExitStatus::Success);
    }
    let n = repo.prune(&found.refs, &mode)?;
    out.status(&format!("Pruned {}", plural(n, "dataset")));
    Ok(ExitStatus::Success)
}
