//! The command line as clap types: parsing only, no behaviour.
//!
//! Every verb's arguments live in the file of its area (`repo.rs`, `query.rs`,
//! `collection.rs`, `datasets.rs`); shared pieces (`--format`, data ID terms, dataset searches)
//! are in `common.rs`. The commands that act on them are in `crate::commands`.

mod collection;
mod common;
mod datasets;
mod query;
mod repo;

use std::path::Path;

use clap::{Parser, Subcommand, ValueEnum};

pub use collection::{
    CertifyArgs, ChainArgs, ChainMode, CollectionArgs, CollectionCommand, DecertifyArgs,
    RemoveCollectionArgs, TagArgs, UntagArgs,
};
pub use common::{DataIdTerm, DatasetSearchArgs, Format, WhereArgs};
pub use datasets::{ExportArgs, ImportArgs, IngestArgs, PruneDatasetsArgs, RetrieveArgs};
pub use query::{
    ChainsDisplay, CollectionTypeArg, QueryCollectionsArgs, QueryDataIdsArgs,
    QueryDatasetTypesArgs, QueryDatasetsArgs, QueryDimensionRecordsArgs,
};
pub use repo::{
    CreateArgs, IdGenerationArg, InsertDimensionRecordsArgs, RecordFileFormat,
    RegisterDatasetTypeArgs, RemoveDatasetTypeArgs,
};

/// The exit-code table and output conventions, one literal for the two help texts below.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0    success (an empty query result is success)
  1    the command failed; `error:` was printed on stderr
  2    bad command line (unknown verb or flag, missing argument)
  3    finished with failures (some items were skipped; see the warnings)
  130  interrupted (Ctrl-C)

Data goes to stdout; messages, warnings and progress bars go to stderr.
A closed stdout (`satellite query-datasets ... | head`) ends the command quietly."
    };
}

/// The exit-code table printed at the end of `satellite -h` and pinned by a test.
pub const EXIT_CODES_HELP: &str = exit_codes!();

const ABOUT: &str = "Satellite Butler: a personal data repository that speaks the Rubin Observatory Butler's formats";

const LONG_ABOUT: &str = "\
Satellite Butler: a personal data repository that speaks the Rubin Observatory Butler's formats.

The verbs mirror the Python `butler` command: the repository directory comes first, then the \
verb's arguments. Every query verb takes `--format table|json|csv`; `json` is NDJSON, one \
object per line, with snake_case keys that scripts may rely on. `satellite VERB --help` explains \
a verb, with examples.";

/// `satellite --help` ends with examples and the exit codes.
const AFTER_LONG_HELP: &str = concat!(
    "\
Examples:
  satellite create ./repo
  satellite insert-dimension-records ./repo instrument instrument.csv
  satellite register-dataset-type ./repo calexp StructuredDataDict visit detector
  satellite ingest ./repo calexp u/alice/run1 files.csv --transfer copy
  satellite query-datasets ./repo calexp --collections u/alice/run1 --format json

",
    exit_codes!()
);

/// The `satellite` command line.
#[derive(Debug, Parser)]
#[command(
    name = "satellite",
    version = satellite_core::VERSION,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_CODES_HELP,
    after_long_help = AFTER_LONG_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options every verb accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that every verb accepts, before or after the verb.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Log more: `-v` shows what is being done, `-vv` debugging detail, `-vvv` everything.
    ///
    /// `RUST_LOG` (e.g. `RUST_LOG=satellite_core=debug`) overrides the level set here.
    #[arg(
        short = 'v',
        long = "verbose",
        action = clap::ArgAction::Count,
        global = true,
        help_heading = "Global options"
    )]
    pub verbose: u8,

    /// Print only errors: no progress bars, status lines or warnings.
    #[arg(
        short = 'q',
        long = "quiet",
        action = clap::ArgAction::Count,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: u8,

    /// When to colour messages on stderr.
    ///
    /// `auto` colours when stderr is a terminal and `NO_COLOR` is not set.
    /// Output reads the same without colour.
    #[arg(
        long,
        value_enum,
        default_value_t = ColorChoice::Auto,
        global = true,
        value_name = "WHEN",
        help_heading = "Global options"
    )]
    pub color: ColorChoice,

    /// Never draw progress bars (they are also off when stderr is not a terminal or with
    /// `--format json`).
    #[arg(
        long,
        global = true,
        env = "SATELLITE_NO_PROGRESS",
        hide_env_values = true,
        value_parser = clap::builder::FalseyValueParser::new(),
        help_heading = "Global options"
    )]
    pub no_progress: bool,
}

/// The `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, empty repository.
    Create(CreateArgs),
    /// Register a dataset type: a name, a storage class and its dimensions.
    RegisterDatasetType(RegisterDatasetTypeArgs),
    /// Remove dataset types that have no datasets.
    RemoveDatasetType(RemoveDatasetTypeArgs),
    /// Insert dimension records (instruments, detectors, visits, ...) from a CSV, JSON or YAML file.
    InsertDimensionRecords(InsertDimensionRecordsArgs),
    /// Ingest existing files as datasets, from a table of files and data ID values.
    #[command(visible_alias = "ingest-files")]
    Ingest(IngestArgs),
    /// List collections, with chains shown as trees.
    QueryCollections(QueryCollectionsArgs),
    /// List registered dataset types.
    QueryDatasetTypes(QueryDatasetTypesArgs),
    /// List datasets found in collections.
    QueryDatasets(QueryDatasetsArgs),
    /// List data IDs of some dimensions.
    QueryDataIds(QueryDataIdsArgs),
    /// List the records of a dimension element.
    QueryDimensionRecords(QueryDimensionRecordsArgs),
    /// Edit collections: chains, tags, calibration validity ranges, removal.
    Collection(CollectionArgs),
    /// Remove datasets: their files (`--unstore`), everything (`--purge`), or tags (`--disassociate`).
    PruneDatasets(PruneDatasetsArgs),
    /// Copy the files of datasets out of the repository into a directory.
    #[command(visible_alias = "retrieve-artifacts")]
    Retrieve(RetrieveArgs),
    /// Write datasets, their collections and dimension records to a directory as `export.yaml`.
    Export(ExportArgs),
    /// Read an `export.yaml` directory (from `satellite export` or the Python Butler) into a repository.
    Import(ImportArgs),
}

impl Command {
    /// The repository the verb works on (every verb names one first).
    pub fn repo(&self) -> &Path {
        match self {
            Self::Create(a) => &a.repo,
            Self::RegisterDatasetType(a) => &a.repo,
            Self::RemoveDatasetType(a) => &a.repo,
            Self::InsertDimensionRecords(a) => &a.repo,
            Self::Ingest(a) => &a.repo,
            Self::QueryCollections(a) => &a.repo,
            Self::QueryDatasetTypes(a) => &a.repo,
            Self::QueryDatasets(a) => &a.repo,
            Self::QueryDataIds(a) => &a.repo,
            Self::QueryDimensionRecords(a) => &a.repo,
            Self::Collection(a) => a.command.repo(),
            Self::PruneDatasets(a) => &a.repo,
            Self::Retrieve(a) => &a.repo,
            Self::Export(a) => &a.repo,
            Self::Import(a) => &a.repo,
        }
    }

    /// The output format of a query verb, `None` for verbs that print no data.
    pub fn format(&self) -> Option<Format> {
        match self {
            Self::QueryCollections(a) => Some(a.format.format),
            Self::QueryDatasetTypes(a) => Some(a.format.format),
            Self::QueryDatasets(a) => Some(a.format.format),
            Self::QueryDataIds(a) => Some(a.format.format),
            Self::QueryDimensionRecords(a) => Some(a.format.format),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
