//! Verbs that define a repository: `create`, dataset types, dimension records.

use std::path::PathBuf;

use clap::ValueEnum;

/// `satellite create REPO`.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  satellite create ./repo\n  satellite create ./repo --checksum"
)]
pub struct CreateArgs {
    /// Directory of the new repository; it must not exist or be empty.
    pub repo: PathBuf,

    /// Record a blake2b checksum of every file written into the datastore, and verify it
    /// when the file is read.
    #[arg(long)]
    pub checksum: bool,

    /// What a finished `put` survives: `full` fsyncs each file and its directory before the
    /// registry commits (a power cut never loses committed bytes); `registry` syncs only the
    /// registry commit, like the Python Butler (faster; a file written just before a power cut
    /// may be empty, and `satellite verify` finds it by its size).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Full)]
    pub durability: DurabilityArg,

    /// A dimension configuration (`dimensions.yaml` in the Python Butler's schema) to use
    /// instead of the default universe (`daf_butler` version 8).
    #[arg(long, value_name = "FILE")]
    pub dimension_config: Option<PathBuf>,
}

/// `satellite register-dataset-type REPO NAME STORAGE_CLASS [DIMENSIONS...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Registering a name again with the same definition changes nothing; with another definition it \
is an error.

Examples:
  satellite register-dataset-type ./repo calexp ExposureF visit detector
  satellite register-dataset-type ./repo bias ExposureF detector --is-calibration
  satellite register-dataset-type ./repo skyMap SkyMap skymap")]
pub struct RegisterDatasetTypeArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The dataset type's name (`calexp`); components (`calexp.wcs`) cannot be registered.
    pub name: String,

    /// The storage class, kept verbatim from the Python Butler (`StructuredDataDict`,
    /// `ExposureF`, `DataFrame`); it chooses the formatter of new files.
    pub storage_class: String,

    /// The dimensions of its data IDs (`visit detector`); required and implied dimensions
    /// are added (a `visit` brings `instrument`, `band`, `physical_filter`, `day_obs`).
    pub dimensions: Vec<String>,

    /// Allow certifying datasets of this type into CALIBRATION collections.
    #[arg(long)]
    pub is_calibration: bool,
}

/// `satellite remove-dataset-type REPO NAME...`.
#[derive(Debug, clap::Args)]
#[command(
    after_long_help = "Examples:\n  satellite remove-dataset-type ./repo calexp\n  satellite remove-dataset-type ./repo 'deepCoadd*'"
)]
pub struct RemoveDatasetTypeArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Dataset type names or globs (`deep*`); a dataset type that still has datasets is not
    /// removed (prune them first with `satellite prune-datasets --purge`).
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
}

/// The format of a dimension record file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordFileFormat {
    /// From the file name's extension (`.csv`, `.json`/`.ndjson`/`.jsonl`, `.yaml`/`.yml`).
    Auto,
    /// A header row of column names, one record per line.
    Csv,
    /// A JSON list of objects, or NDJSON (one object per line).
    Json,
    /// A YAML list of mappings.
    Yaml,
}

/// What to do with records whose key already exists.
#[derive(Debug, Clone, clap::Args)]
#[group(multiple = false)]
pub struct ConflictArgs {
    /// Replace existing records that have the same key.
    #[arg(long)]
    pub update: bool,

    /// Skip records identical to existing ones (a record that differs is still an error).
    #[arg(long)]
    pub skip_existing: bool,
}

/// `satellite insert-dimension-records REPO ELEMENT FILE`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The file names columns after the element's fields, as `satellite query-dimension-records \
--format csv` prints them: required dimensions by name (`instrument`), the element's keys \
(`id`, `full_name`), implied dimensions, metadata, and `timespan_begin`/`timespan_end` as TAI \
times (`2026-01-01 12:00:00`). Values are typed by the field: `12` is an integer for `id`, \
`true` a boolean. An empty CSV cell, `null` or a missing key is NULL.

Examples:
  satellite insert-dimension-records ./repo instrument instrument.csv
  satellite insert-dimension-records ./repo detector detectors.yaml --update
  cat visits.ndjson | satellite insert-dimension-records ./repo visit - --format json

instrument.csv:
  name,detector_max,visit_max,exposure_max,class_name
  DemoCam,4,1000,1000,demo.DemoCam")]
pub struct InsertDimensionRecordsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The dimension element (`instrument`, `detector`, `physical_filter`, `visit`, ...).
    pub element: String,

    /// The file of records; `-` reads stdin (then give `--format`).
    pub file: PathBuf,

    /// The file's format.
    #[arg(long, value_enum, default_value_t = RecordFileFormat::Auto)]
    pub format: RecordFileFormat,

    /// What to do with records that already exist.
    #[command(flatten)]
    pub conflict: ConflictArgs,
}

/// How the IDs of ingested datasets are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IdGenerationArg {
    /// A new random, time-ordered ID (UUIDv7) for every dataset.
    Unique,
    /// The same ID for the same dataset type and data ID, in any run and any repository.
    #[value(name = "dataid_type")]
    DataidType,
    /// The same ID for the same dataset type, data ID and run, in any repository.
    #[value(name = "dataid_type_run")]
    DataidTypeRun,
}

/// `--durability` of `create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityArg {
    /// Fsync every artifact and its directory.
    Full,
    /// Sync only the registry commit, like the Python Butler.
    Registry,
}

impl From<DurabilityArg> for satellite_core::datastore::Durability {
    fn from(d: DurabilityArg) -> Self {
        match d {
            DurabilityArg::Full => Self::Full,
            DurabilityArg::Registry => Self::Registry,
        }
    }
}
