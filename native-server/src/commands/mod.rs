//! One function per verb: each takes its parsed arguments and the [`Output`], does its work
//! through `satellite-core`, and returns an [`ExitStatus`] or an error for `main` to report.

mod collection_certify;
mod collection_chain;
mod collection_remove;
mod collection_tag;
mod create;
mod export;
mod import;
mod ingest;
mod insert_dimension_records;
mod prune_datasets;
mod query_collections;
mod query_data_ids;
mod query_dataset_types;
mod query_datasets;
mod query_dimension_records;
mod register_dataset_type;
mod remove_dataset_type;
mod retrieve;

use std::path::Path;

use satellite_core::registry::Limit;
use satellite_core::repository::Repository;

use crate::cli::{Cli, CollectionCommand, Command};
use crate::output::Output;
use crate::report::CliError;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done (exit code 0).
    Success,
    /// The command finished, but some items were skipped or failed (exit code 3).
    PartialFailure,
}

/// Runs the verb of `cli`.
///
/// # Errors
/// Whatever the verb reports; `main` prints it.
pub fn run(cli: &Cli, out: &Output) -> anyhow::Result<ExitStatus> {
    match &cli.command {
        Command::Create(a) => create::run(a, out),
        Command::RegisterDatasetType(a) => register_dataset_type::run(a, out),
        Command::RemoveDatasetType(a) => remove_dataset_type::run(a, out),
        Command::InsertDimensionRecords(a) => insert_dimension_records::run(a, out),
        Command::Ingest(a) => ingest::run(a, out),
        Command::QueryCollections(a) => query_collections::run(a, out),
        Command::QueryDatasetTypes(a) => query_dataset_types::run(a, cli.global.verbose > 0, out),
        Command::QueryDatasets(a) => query_datasets::run(a, out),
        Command::QueryDataIds(a) => query_data_ids::run(a, out),
        Command::QueryDimensionRecords(a) => query_dimension_records::run(a, out),
        Command::Collection(c) => match &c.command {
            CollectionCommand::Chain(a) => collection_chain::run(a, out),
            CollectionCommand::Tag(a) => collection_tag::tag(a, out),
            CollectionCommand::Untag(a) => collection_tag::untag(a, out),
            CollectionCommand::Certify(a) => collection_certify::certify(a, out),
            CollectionCommand::Decertify(a) => collection_certify::decertify(a, out),
            CollectionCommand::Remove(a) => collection_remove::run(a, out),
        },
        Command::PruneDatasets(a) => prune_datasets::run(a, out),
        Command::Retrieve(a) => retrieve::run(a, out),
        Command::Export(a) => export::run(a, out),
        Command::Import(a) => import::run(a, out),
    }
}

/// Opens the repository at `path`.
fn open(path: &Path) -> anyhow::Result<Repository> {
    Ok(Repository::open(path)?)
}

/// Warns, as the Python Butler logs, when a negative `--limit` cut a result short.
fn warn_truncated(out: &Output, what: &str, limit: Limit, truncated: bool) {
    if let (true, Limit::WarnAt(n)) = (truncated, limit) {
        out.warn(&format!(
            "more {what} are available than the requested limit of {n} (pass `--limit 0` for all of them)"
        ));
    }
}

/// Asks before a destructive change: `Ok(true)` to go ahead, `Ok(false)` when the user said no.
///
/// # Errors
/// stdin is not a terminal and `--yes` was not given.
fn confirm(out: &Output, question: &str, yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    match out.confirm(question)? {
        Some(answer) => Ok(answer),
        None => Err(CliError::with_hint(
            "refusing to change the repository without confirmation: stdin is not a terminal",
            "pass `--yes` to confirm, or `--dry-run` to see what would change",
        )
        .into()),
    }
}

/// `1 dataset`, `2 datasets`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
