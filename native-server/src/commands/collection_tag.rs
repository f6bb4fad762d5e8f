//! `satellite collection tag` and `untag` (`butler associate` and its inverse).

use satellite_core::model::{CollectionName, CollectionType};
use satellite_core::registry::{Limit, RegistryError};

use super::{open, plural, ExitStatus};
use crate::cli::{TagArgs, UntagArgs};
use crate::dataset_search::find_datasets;
use crate::output::Output;

/// Tags the datasets found into a TAGGED collection, creating it when missing.
pub fn tag(args: &TagArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let tagged = CollectionName::parse(&args.tagged)?;
    let found = find_datasets(&repo, &args.globs, &args.search, &[], Limit::Unlimited)?;
    registry.transaction(|| {
        registry.register_collection(&tagged, CollectionType::Tagged, "")?;
        registry.associate(&tagged, &found.refs)?;
        Ok::<_, RegistryError>(())
    })?;
    if found.refs.is_empty() {
        out.warn(&format!(
            "no datasets matched; nothing was tagged into `{tagged}`"
        ));
    } else {
        out.status(&format!(
            "Tagged {} into `{tagged}`",
            plural(found.refs.len(), "dataset")
        ));
    }
    Ok(ExitStatus::Success)
}

/// Removes the datasets found from a TAGGED collection.
pub fn untag(args: &UntagArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let tagged = CollectionName::parse(&args.tagged)?;
    registry.collection(tagged.as_str())?;
    let mut search = args.search.clone();
    if search.collections.is_empty() {
        search.collections = vec![tagged.to_string()];
    }
    let found = find_datasets(&repo, &args.globs, &search, &[], Limit::Unlimited)?;
    let n = registry.disassociate(&tagged, &found.refs)?;
    out.status(&format!(
        "Untagged {} from `{tagged}`",
        plural(n, "dataset")
    ));
    Ok(ExitStatus::Success)
}
