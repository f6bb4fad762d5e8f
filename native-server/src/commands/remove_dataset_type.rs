//! `satellite remove-dataset-type`.

use satellite_core::registry::RegistryError;

use super::{open, ExitStatus};
use crate::cli::RemoveDatasetTypeArgs;
use crate::dataset_search::select_names;
use crate::output::Output;

/// Removes dataset types (all or none: one that still has datasets stops the whole command).
pub fn run(args: &RemoveDatasetTypeArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let names = registry.dataset_type_names()?;
    let missing = |name: &str| match registry.dataset_type(name) {
        Err(e) => anyhow::Error::new(e),
        Ok(_) => anyhow::anyhow!("dataset type `{name}` could not be listed"),
    };
    let selected = select_names(&names, &args.names, missing)?;
    if selected.is_empty() {
        out.warn("no dataset type matches; nothing was removed");
        return Ok(ExitStatus::Success);
    }
    registry.transaction(|| {
        for name in &selected {
            registry.remove_dataset_type(name)?;
        }
        Ok::<_, RegistryError>(())
    })?;
    for name in selected {
        out.status(&format!("Removed dataset type `{name}`"));
    }
    Ok(ExitStatus::Success)
}
