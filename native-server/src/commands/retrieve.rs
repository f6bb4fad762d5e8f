//! `satellite retrieve` (`butler retrieve-artifacts`).

use satellite_core::registry::Limit;
use satellite_core::repository::RetrieveOptions;

use super::{open, plural, ExitStatus};
use crate::cli::RetrieveArgs;
use crate::dataset_search::find_datasets;
use crate::output::Output;

/// Copies the files of the datasets found into a directory and prints their paths.
///
/// Datasets without files (unstored with `prune-datasets --unstore`) are skipped with a
/// warning, and the command then ends with exit code 3.
pub fn run(args: &RetrieveArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let found = find_datasets(&repo, &args.globs, &args.search, &[], Limit::Unlimited)?;
    let mut stored = Vec::with_capacity(found.refs.len());
    let mut unstored = Vec::new();
    for r in found.refs {
        if repo.registry().file_records(r.id)?.is_empty() {
            unstored.push(r);
        } else {
            stored.push(r);
        }
    }
    for r in &unstored {
        out.warn(&format!(
            "{r} has no stored file (it was unstored); skipped"
        ));
    }
    if stored.is_empty() && unstored.is_empty() {
        out.warn("no datasets matched; nothing was retrieved");
        return Ok(ExitStatus::Success);
    }
    let options = RetrieveOptions {
        preserve_path: !args.no_preserve_path,
        clobber: args.clobber,
    };
    let progress = out.progress();
    let paths = repo.retrieve(&stored, &args.dest, &options, &progress)?;
    drop(progress);
    for p in &paths {
        out.line(&p.display().to_string())?;
    }
    out.status(&format!(
        "Retrieved {} into `{}`",
        plural(paths.len(), "file"),
        args.dest.display()
    ));
    if unstored.is_empty() {
        Ok(ExitStatus::Success)
    } else {
        Ok(ExitStatus::PartialFailure)
    }
}
