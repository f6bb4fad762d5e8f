//! `satellite export`: the Python Butler's `butler.export(...)` as a verb.

use std::str::FromStr;

use satellite_core::datastore::TransferMode;
use satellite_core::model::{CollectionName, CollectionType};
use satellite_core::registry::Limit;

use super::{open, plural, ExitStatus};
use crate::cli::ExportArgs;
use crate::dataset_search::{collections, find_datasets};
use crate::output::Output;

/// Exports the datasets found, with the non-RUN collections named in `--collections`.
///
/// Datasets without files are left out with a warning (exit code 3) unless `--transfer none`.
pub fn run(args: &ExportArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let found = find_datasets(&repo, &args.globs, &args.search, &[], Limit::Unlimited)?;
    let mut refs = Vec::with_capacity(found.refs.len());
    let mut skipped = 0;
    for r in found.refs {
        if args.transfer.mode_name().is_some() && registry.file_records(r.id)?.is_empty() {
            out.warn(&format!(
                "{r} has no stored file (it was unstored); not exported"
            ));
            skipped += 1;
        } else {
            refs.push(r);
        }
    }
    // The TAGGED, CHAINED and CALIBRATION collections named, and those their chains search.
    let mut structured: Vec<CollectionName> = Vec::new();
    if !args.search.collections.is_empty() {
        let mut pending = collections(registry, &args.search.collections, false)?;
        pending.reverse();
        while let Some(name) = pending.pop() {
            let record = registry.collection_record(name.as_str())?;
            if record.collection_type == CollectionType::Run || structured.contains(&name) {
                continue;
            }
            pending.extend(record.children.iter().rev().cloned());
            structured.push(name);
        }
    }
    let transfer = args
        .transfer
        .mode_name()
        .map(TransferMode::from_str)
        .transpose()?;
    let progress = out.progress();
    let path = repo.export(&refs, &structured, &args.dir, transfer, &progress)?;
    drop(progress);
    out.status(&format!(
        "Exported {} to `{}`",
        plural(refs.len(), "dataset"),
        path.display()
    ));
    Ok(if skipped == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::PartialFailure
    })
}
