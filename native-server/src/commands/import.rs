//! `satellite import` (`butler import`).

use satellite_core::repository::ImportOptions;

use super::{open, plural, ExitStatus};
use crate::cli::ImportArgs;
use crate::output::Output;

/// Imports an export directory in one transaction.
pub fn run(args: &ImportArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let export_file = args.dir.join(&args.export_file);
    let options = ImportOptions {
        transfer: Some(args.transfer),
        skip_dimensions: args.skip_dimensions.clone(),
    };
    let progress = out.progress();
    let n = repo.import(&args.dir, &export_file, &options, &progress)?;
    drop(progress);
    out.status(&format!(
        "Imported {} from `{}`",
        plural(n, "dataset"),
        export_file.display()
    ));
    Ok(ExitStatus::Success)
}
