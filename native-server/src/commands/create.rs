//! `satellite create`.

use anyhow::Context;
use satellite_core::model::DimensionUniverse;
use satellite_core::repository::{RepoConfig, Repository};

use super::ExitStatus;
use crate::cli::CreateArgs;
use crate::output::Output;

/// Creates a repository.
pub fn run(args: &CreateArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let universe = match &args.dimension_config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            DimensionUniverse::from_yaml(&text).with_context(|| {
                format!(
                    "`{}` is not a usable dimension configuration",
                    path.display()
                )
            })?
        }
        None => DimensionUniverse::default_universe(),
    };
    let config = RepoConfig {
        checksum: args.checksum,
        durability: args.durability.into(),
        ..RepoConfig::default()
    };
    let repo = Repository::create(&args.repo, &universe, config)?;
    out.status(&format!(
        "Created repository `{}` (dimension universe `{}` version {})",
        args.repo.display(),
        repo.universe().namespace(),
        repo.universe().version()
    ));
    Ok(ExitStatus::Success)
}
