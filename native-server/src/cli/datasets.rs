//! Verbs that move datasets and files: `ingest`, `prune-datasets`, `retrieve`, `export`,
//! `import`.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{parse_key_value, transfer_mode_parser, DataIdTerm, DatasetSearchArgs};
use super::repo::IdGenerationArg;
use satellite_core::datastore::TransferMode;

/// `satellite ingest REPO DATASET_TYPE RUN TABLE`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
TABLE is a CSV file with a header row: the first column is the file to ingest (relative paths \
are relative to `--prefix`, or to the current directory), the other columns are named after \
dimensions and hold each file's data ID values. `--data-id` adds values common to every file. \
All files are ingested in one transaction: if one fails, none is.

Example table (files.csv):
  file,instrument,visit,detector
  data/calexp_1_0.fits,DemoCam,1,0
  data/calexp_1_1.fits,DemoCam,1,1

Examples:
  satellite ingest ./repo calexp u/alice/run1 files.csv --transfer copy
  satellite ingest ./repo raw DemoCam/raw/all raws.csv --data-id instrument=DemoCam \\
      --id-generation-mode dataid_type_run --transfer direct")]
pub struct IngestArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The (registered) dataset type of every file.
    pub dataset_type: String,

    /// The RUN collection that will own the datasets (created when missing).
    pub run: String,

    /// The CSV table of files and data ID values.
    pub table: PathBuf,

    /// How files get into the repository.
    #[arg(long, value_parser = transfer_mode_parser(), default_value = "auto")]
    pub transfer: TransferMode,

    /// How dataset IDs are made; `dataid_type_run` gives the same IDs as the Python Butler's
    /// raw ingest, so the same file ingested anywhere gets the same ID.
    #[arg(long, value_enum, default_value_t = IdGenerationArg::Unique)]
    pub id_generation_mode: IdGenerationArg,

    /// A data ID value common to every file: `dimension=value`, repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// Directory that relative file paths in TABLE are relative to.
    #[arg(long, value_name = "DIR")]
    pub prefix: Option<PathBuf>,

    /// The formatter to record for every file (a fully-qualified Python class name); by
    /// default the storage class's usual formatter.
    #[arg(long, value_name = "NAME")]
    pub formatter: Option<String>,
}

/// `satellite prune-datasets REPO [COLLECTIONS...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Exactly one of `--unstore`, `--purge RUN` or `--disassociate TAG` says what happens:

  --unstore           delete the files; the datasets stay registered (and tagged)
  --purge RUN         delete the files and the datasets; RUN must be the RUN collection that
                      owns every dataset found, so nothing is deleted by accident
  --disassociate TAG  remove the datasets from TAGGED collections only

The datasets to prune are listed first, and confirmation is asked for; `--yes` skips the \
question and is needed when stdin is not a terminal.

Examples:
  satellite prune-datasets ./repo u/alice/run1 --datasets calexp --purge u/alice/run1
  satellite prune-datasets ./repo u/alice/run1 --datasets calexp --unstore --data-id visit=12
  satellite prune-datasets ./repo --datasets calexp --disassociate u/alice/best --dry-run")]
#[command(group = clap::ArgGroup::new("prune_mode").required(true).multiple(false))]
pub struct PruneDatasetsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Collections to find the datasets in; with `--purge` the RUN is searched when none is
    /// given, with `--disassociate` the TAGGED collections.
    #[arg(value_delimiter = ',', value_name = "COLLECTION")]
    pub collections: Vec<String>,

    /// Dataset type names or globs of the datasets to prune; repeat or separate with commas.
    #[arg(
        long,
        required = true,
        value_delimiter = ',',
        value_name = "DATASET_TYPE"
    )]
    pub datasets: Vec<String>,

    /// Only datasets with this data ID value: `dimension=value`, repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// Prune only the first dataset per data ID along the collections, not every one found.
    #[arg(long)]
    pub find_first: bool,

    /// Only datasets matching a `where` expression.
    #[command(flatten)]
    pub filter: super::WhereArgs,

    /// Delete the datasets' files but keep them registered.
    #[arg(long, group = "prune_mode")]
    pub unstore: bool,

    /// Delete the datasets and their files; RUN must own all of them.
    #[arg(long, group = "prune_mode", value_name = "RUN")]
    pub purge: Option<String>,

    /// Remove the datasets from these TAGGED collections; repeat or separate with commas.
    #[arg(long, group = "prune_mode", value_delimiter = ',', value_name = "TAG")]
    pub disassociate: Vec<String>,

    /// List what would be pruned and change nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

/// `satellite retrieve REPO DEST [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The paths of the files written are printed on stdout, one per line.

Examples:
  satellite retrieve ./repo ./out calexp --collections u/alice/run1
  satellite retrieve ./repo ./out --collections u/alice/run1 --data-id visit=12 --no-preserve-path")]
pub struct RetrieveArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The directory to copy the files into (created when missing).
    pub dest: PathBuf,

    /// Dataset type names or globs; all types when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Which datasets to retrieve.
    #[command(flatten)]
    pub search: DatasetSearchArgs,

    /// Write every file directly into DEST instead of under its path in the repository.
    #[arg(long)]
    pub no_preserve_path: bool,

    /// Overwrite files that already exist in DEST.
    #[arg(long)]
    pub clobber: bool,
}

/// How `export` places files in the export directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTransfer {
    /// Copy the files (a self-contained export directory).
    Copy,
    /// Hard link, falling back to a symbolic link.
    Link,
    /// Hard link only.
    Hardlink,
    /// Absolute symbolic links.
    Symlink,
    /// Relative symbolic links.
    Relsymlink,
    /// Write only `export.yaml`; its paths are relative to this repository's root.
    None,
}

impl ExportTransfer {
    /// The core transfer mode's name, or `None` for no files.
    pub fn mode_name(self) -> Option<&'static str> {
        match self {
            Self::Copy => Some("copy"),
            Self::Link => Some("link"),
            Self::Hardlink => Some("hardlink"),
            Self::Symlink => Some("symlink"),
            Self::Relsymlink => Some("relsymlink"),
            Self::None => None,
        }
    }
}

/// `satellite export REPO DIR [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
DIR/export.yaml is in the Python Butler's export format (1.0.2), readable by `butler import` \
and `satellite import`. It holds the datasets found, their dataset types, RUN collections and \
dimension records, and the TAGGED, CHAINED and CALIBRATION collections named in \
`--collections` with their structure.

Examples:
  satellite export ./repo ./export --collections u/alice/run1
  satellite export ./repo ./export calexp --collections u/alice/chain --transfer symlink")]
pub struct ExportArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The export directory (created when missing).
    pub dir: PathBuf,

    /// Dataset type names or globs; all types when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Which datasets to export.
    #[command(flatten)]
    pub search: DatasetSearchArgs,

    /// How files are placed in DIR.
    #[arg(long, value_enum, default_value_t = ExportTransfer::Copy)]
    pub transfer: ExportTransfer,
}

/// `satellite import REPO DIR`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Datasets keep their IDs; a dataset that already exists with the same definition is skipped, \
one with another definition is an error. Everything is imported in one transaction.

Examples:
  satellite import ./repo ./export
  satellite import ./repo ./python-export --export-file calibs.yaml --transfer symlink")]
pub struct ImportArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The directory holding the export file and the files it names.
    pub dir: PathBuf,

    /// The export file, relative to DIR.
    #[arg(long, default_value = "export.yaml", value_name = "FILE")]
    pub export_file: PathBuf,

    /// How files get into the repository.
    #[arg(long, value_parser = transfer_mode_parser(), default_value = "auto")]
    pub transfer: TransferMode,

    /// Dimension elements whose records in the file are not imported; repeat or separate with
    /// commas.
    #[arg(long, value_delimiter = ',', value_name = "ELEMENT")]
    pub skip_dimensions: Vec<String>,
}
