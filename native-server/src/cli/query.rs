//! The query verbs: `query-collections`, `query-dataset-types`, `query-datasets`,
//! `query-data-ids`, `query-dimension-records`.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{
    parse_key_value, DataIdTerm, DatasetSearchArgs, FormatArg, LimitArg, OrderByArg, WhereArgs,
};

/// A collection type, as `--collection-type` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum CollectionTypeArg {
    /// Owns datasets.
    Run,
    /// A set of tagged datasets.
    Tagged,
    /// An ordered search path of other collections.
    Chained,
    /// Calibration datasets with validity ranges.
    Calibration,
}

/// How `query-collections` shows CHAINED collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChainsDisplay {
    /// Each chain followed by its children, indented, recursively.
    Tree,
    /// Each chain's children (or parents) in a column of their own.
    Table,
    /// Each collection followed by the chains that contain it, indented.
    InverseTree,
    /// Each collection with the chains that contain it in a column.
    InverseTable,
    /// Chains replaced by the collections they search, in search order.
    Flatten,
    /// Only the matching collections, without children.
    NoChildren,
}

/// `satellite query-collections REPO [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
JSON objects have `name`, `type`, `doc`, `children` (direct children of a CHAINED collection) \
and `parents` (the chains that list it).

Examples:
  satellite query-collections ./repo
  satellite query-collections ./repo 'u/alice/*' --collection-type RUN
  satellite query-collections ./repo DemoCam/defaults --chains flatten")]
pub struct QueryCollectionsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Names or globs (`u/alice/*`) of the collections to list; all when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Only collections of this type; repeat or separate with commas.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        ignore_case = true,
        value_name = "TYPE"
    )]
    pub collection_type: Vec<CollectionTypeArg>,

    /// How to show CHAINED collections.
    #[arg(long, value_enum, ignore_case = true, default_value_t = ChainsDisplay::Tree)]
    pub chains: ChainsDisplay,

    /// Output format.
    #[command(flatten)]
    pub format: FormatArg,
}

/// `satellite query-dataset-types REPO [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The table lists names only; with `-v`/`--verbose` (as with `butler`) it adds each type's \
dimensions, storage class and whether it is a calibration. JSON objects and CSV rows always \
have `name`, `dimensions` (required then implied), `storage_class` and `is_calibration`.

Examples:
  satellite query-dataset-types ./repo
  satellite query-dataset-types ./repo 'calexp*' -v
  satellite query-dataset-types ./repo --format json")]
pub struct QueryDatasetTypesArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Names or globs (`deep*`) of the dataset types to list; all when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Output format.
    #[command(flatten)]
    pub format: FormatArg,
}

/// `satellite query-datasets REPO [GLOB...]`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
The table has one section per dataset type: `type`, `run`, `id`, then the data ID (required \
dimensions, then implied ones). JSON objects are \
`{\"dataset_type\": ..., \"run\": ..., \"id\": ..., \"data_id\": {...}}` plus `uri` with \
`--show-uri`; CSV has the same columns as the table, the data ID columns of all dataset types \
together.

An unknown dataset type or collection is an error that suggests the nearest names.

Examples:
  satellite query-datasets ./repo calexp --collections u/alice/run1
  satellite query-datasets ./repo --collections DemoCam/defaults --find-first --data-id visit=12
  satellite query-datasets ./repo calexp --collections DemoCam/defaults --find-first \\
      --where \"visit > 100 AND band = 'r'\" --order-by=-visit --limit 10
  satellite query-datasets ./repo calexp --collections DemoCam/defaults \\
      --where 'visit IN (:v)' --bind v=1,2,3
  satellite query-datasets ./repo 'calexp*' --collections 'u/alice/*' --format json")]
pub struct QueryDatasetsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// Names or globs of the dataset types to find; all types when none is given.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Where to search.
    #[command(flatten)]
    pub search: DatasetSearchArgs,

    /// Sort order.
    #[command(flatten)]
    pub order_by: OrderByArg,

    /// The row limit.
    #[command(flatten)]
    pub limit: LimitArg,

    /// Also show where each dataset's file is (a `file://` URI).
    #[arg(long)]
    pub show_uri: bool,

    /// Output format.
    #[command(flatten)]
    pub format: FormatArg,
}

/// `satellite query-data-ids REPO DIMENSIONS...`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Data IDs are the combinations of dimension records that agree with each other, as in the \
Python Butler's query system: tables that relate dimensions (an exposure's visit through \
`visit_definition`, a visit's physical filter) are joined; join elements that are not marked \
`always_join` (`visit_detector_region`) are not. With `--datasets`, only data IDs for which \
each of those dataset types has a dataset in `--collections` (matching on the dimensions they \
share) are listed.

JSON objects map dimension names to values.

Examples:
  satellite query-data-ids ./repo detector --data-id instrument=DemoCam
  satellite query-data-ids ./repo visit detector --data-id instrument=DemoCam,visit=1
  satellite query-data-ids ./repo visit --datasets calexp --collections u/alice/run1
  satellite query-data-ids ./repo visit --where \"instrument = 'DemoCam' AND band = 'r'\" --order-by=-visit")]
pub struct QueryDataIdsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The dimensions of the data IDs (`visit detector`); required and implied dimensions
    /// are added.
    #[arg(required = true, value_name = "DIMENSION")]
    pub dimensions: Vec<String>,

    /// Only data IDs that datasets of these types have; repeat or separate with commas.
    #[arg(long, value_delimiter = ',', value_name = "DATASET_TYPE")]
    pub datasets: Vec<String>,

    /// The collections searched for `--datasets` (all collections when not given).
    #[arg(
        long,
        value_delimiter = ',',
        requires = "datasets",
        value_name = "COLLECTION"
    )]
    pub collections: Vec<String>,

    /// Only data IDs with this value: `dimension=value`, repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// The `where` expression and its parameters.
    #[command(flatten)]
    pub filter: WhereArgs,

    /// Sort order.
    #[command(flatten)]
    pub order_by: OrderByArg,

    /// The row limit.
    #[command(flatten)]
    pub limit: LimitArg,

    /// Output format.
    #[command(flatten)]
    pub format: FormatArg,
}

/// `satellite query-dimension-records REPO ELEMENT`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Columns are the element's fields in the Python Butler's order; a timespan is shown as \
`timespan_begin` and `timespan_end` TAI times, so that `--format csv` output can be fed back \
to `satellite insert-dimension-records`.

Examples:
  satellite query-dimension-records ./repo detector --data-id instrument=DemoCam
  satellite query-dimension-records ./repo visit --data-id instrument=DemoCam,visit=12 --format json
  satellite query-dimension-records ./repo detector --data-id full_name=R00_S00
  satellite query-dimension-records ./repo visit --where \"band = 'r' AND visit.exposure_time > 10\" --order-by visit.timespan.begin")]
pub struct QueryDimensionRecordsArgs {
    /// The repository.
    pub repo: PathBuf,

    /// The dimension element (`instrument`, `detector`, `visit`, `visit_detector_region`, ...).
    pub element: String,

    /// Only records with this value: `dimension=value` or `field=value` for a field of the
    /// element (`full_name=R00_S00`); repeated or comma-separated.
    #[arg(long = "data-id", value_parser = parse_key_value, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub data_id: Vec<DataIdTerm>,

    /// The `where` expression and its parameters.
    #[command(flatten)]
    pub filter: WhereArgs,

    /// Sort order.
    #[command(flatten)]
    pub order_by: OrderByArg,

    /// The row limit.
    #[command(flatten)]
    pub limit: LimitArg,

    /// Output format.
    #[command(flatten)]
    pub format: FormatArg,
}
