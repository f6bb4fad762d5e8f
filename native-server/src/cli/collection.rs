//! `satellite collection ...`: chains, tags, calibration validity ranges and removal.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use super::common::{parse_key_value, DataIdTerm, DatasetSearchArgs};

/// `satellite collection VERB`.
#[derive(Debug, clap::Args)]
pub struct CollectionArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: CollectionCommand,
}

/// The collection verbs.
#[derive(Debug, Subcommand)]
pub enum CollectionCommand {
    /// Define or edit a CHAINED collection (an ordered search path of other collections).
    Chain(ChainArgs),
    /// Add datasets found by a search to a TAGGED collection (created when missing).
    Tag(TagArgs),
    /// Remove datasets from a TAGGED collection.
    Untag(UntagArgs),
    /// Certify calibration datasets into a CALIBRATION collection for a validity range.
    Certify(CertifyArgs),
    /// Remove or clip validity ranges in a CALIBRATION collection.
    Decertify(DecertifyArgs),
    /// Remove collections; removing a RUN deletes its datasets and their files.
    Remove(RemoveCollectionArgs),
}

impl CollectionCommand {
    /// The repository the verb works on.
    pub fn repo(&self) -> &Path {
        match self {
            Self::Chain(a) => &a.repo,
            Self::Tag(a) => &a.repo,
            Self::Untag(a) => &a.repo,
            Self::Certify(a) => &a.repo,
            Self::Decertify(a) => &a.repo,
            Self::Remove(a) => &a.repo,
        }
    }
}

/// How `collection chain` changes the children of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChainMode {
    /// Replace the children with CHILDREN (creating the chain when missing).
    Redefine,
    /// Append CHILDREN at the end of the search path.
    Extend,
    /// Insert CHILDREN at the start of the search path.
    Prepend,
    /// Remove CHILDREN from the chain.
    Remove,
    /// Remove the children at the positions CHILDREN (0 = first, -1 = last; 0 when none given).
    Pop,
}

/// `satellite collection chain REPO PARENT [CHILDREN...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  satellite collection chain ./repo DemoCam/defaults DemoCam/raw/all,DemoCam/calib
  satellite collection chain ./repo u/alice/chain u/alice/run2 --mode prepend
  satellite collection chain ./repo u/alice/chain --mode pop -- -1")]
pub struct ChainArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The CHAINED collection.
    pub parent: String,

    /// Child collections (or positions, with `--mode pop`); repeat or separate with commas.
    #[arg(value_delimiter = ',', allow_negative_numbers = true)]
    pub children: Vec<String>,

    /// How CHILDREN change the chain.
    #[arg(long, value_enum, default_value_t = ChainMode::Redefine)]
    pub mode: ChainMode,

    /// Replace CHAINED children by the collections they search (flattened, in order).
    #[arg(long)]
    pub flatten: bool,

    /// Documentation of the chain, shown by `query-collections`.
    #[arg(long, value_name = "TEXT")]
    pub doc: Option<String>,
}

/// `satellite collection tag REPO TAGGED [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  satellite collection tag ./repo u/alice/best calexp --collections u/alice/run1 --data-id visit=12
  satellite collection tag ./repo u/alice/best --collections u/alice/run1")]
pub struct TagArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The TAGGED collection (created when missing).
    pub tagged: String,

    /// Dataset type names or globs; all types when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Which datasets to tag.
    #[command(flatten)]
    pub search: DatasetSearchArgs,
}

/// `satellite collection untag REPO TAGGED [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Without `--collections`, the datasets are looked up in TAGGED itself.

Examples:
  satellite collection untag ./repo u/alice/best calexp --data-id visit=12
  satellite collection untag ./repo u/alice/best")]
pub struct UntagArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The TAGGED collection.
    pub tagged: String,

    /// Dataset type names or globs; all types when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Which datasets to untag.
    #[command(flatten)]
    pub search: DatasetSearchArgs,
}

/// `satellite collection certify REPO CALIB_COLLECTION DATASET_TYPE --collections C`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Times are TAI, `YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]]` (a `T` may separate date and time). \
Validity ranges are half-open: `[begin, end)`.

Examples:
  satellite collection certify ./repo DemoCam/calib bias --collections DemoCam/calib/run1 \\
      --begin-date 2026-01-01 --end-date 2026-07-01")]
pub struct CertifyArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The CALIBRATION collection (created when missing).
    pub collection: String,

    /// The dataset type to certify; it must be registered with `--is-calibration`.
    pub dataset_type: String,

    /// Collections to find the datasets in.
    #[arg(long, required = true, value_delimiter = ',', num_args = 1.., value_name = "COLLECTION")]
    pub collections: Vec<String>,

    /// Only datasets with this data ID value: `dimension=value`, repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// Start of the validity range (TAI); unbounded when not given.
    #[arg(long, value_name = "TIME")]
    pub begin_date: Option<String>,

    /// End of the validity range (TAI, exclusive); unbounded when not given.
    #[arg(long, value_name = "TIME")]
    pub end_date: Option<String>,

    /// Certify every dataset found in `--collections`, not only the first per data ID.
    #[arg(long)]
    pub search_all_inputs: bool,
}

/// `satellite collection decertify REPO CALIB_COLLECTION DATASET_TYPE`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Validity ranges overlapping [--begin-date, --end-date) are removed, or clipped when they extend \
beyond it.

Examples:
  satellite collection decertify ./repo DemoCam/calib bias --begin-date 2026-03-01
  satellite collection decertify ./repo DemoCam/calib bias --data-id detector=1")]
pub struct DecertifyArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The CALIBRATION collection.
    pub collection: String,

    /// The dataset type.
    pub dataset_type: String,

    /// Only datasets with this data ID value: `dimension=value`, repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// Start of the range to decertify (TAI); unbounded when not given.
    #[arg(long, value_name = "TIME")]
    pub begin_date: Option<String>,

    /// End of the range to decertify (TAI, exclusive); unbounded when not given.
    #[arg(long, value_name = "TIME")]
    pub end_date: Option<String>,
}

/// `satellite collection remove REPO NAME...`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Removing a TAGGED, CHAINED or CALIBRATION collection never deletes datasets. Removing a RUN \
deletes every dataset in it and its files, and needs `--yes` when stdin is not a terminal.

Examples:
  satellite collection remove ./repo u/alice/best
  satellite collection remove ./repo u/alice/run1 --remove-from-parents --dry-run
  satellite collection remove ./repo 'u/alice/tmp*' --yes")]
pub struct RemoveCollectionArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Names or globs of the collections to remove.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,

    /// Also remove the collections from the chains that list them (otherwise that is an
    /// error).
    #[arg(long)]
    pub remove_from_parents: bool,

    /// Show what would be removed and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}
