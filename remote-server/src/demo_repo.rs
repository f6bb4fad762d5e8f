//! `butler-server demo-repo DIR`: builds a demo official repository with `satellite-core`.
//!
//! The repository describes DemoCam ([`satellite_core::model::demo`]) observing the ECDFS
//! field (RA 53°, Dec −28°) for a few nights:
//!
//! - dimension records as the `daf_butler` universe v8 requires them: `instrument`,
//!   `physical_filter` (bands `ugrizy`), `detector`, `day_obs` (one per night, with its
//!   timespan), `group` and `exposure` (one science exposure per visit), `visit_system`,
//!   `visit` (with a region and a timespan), `visit_definition`, `visit_system_membership` and
//!   `visit_detector_region` (a small square region per visit and detector);
//! - dataset types `raw` (`instrument, exposure, detector`; `Exposure`), `calexp`
//!   (`instrument, visit, detector`; `ExposureF`) and `visitSummary` (`instrument, visit`;
//!   `ExposureCatalog`);
//! - small real FITS files ([`crate::fits`]): `raw` is a 32×32 unsigned 16-bit image of bias,
//!   sky, a few Gaussian stars and noise; `calexp` is the same image as 32-bit floats with bias
//!   and sky removed; `visitSummary` is an empty primary HDU and a binary table with one row per
//!   detector. Headers carry the observation (`INSTRUME`, `FILTER`, `DATE-OBS`, `EXPTIME`,
//!   `VISIT`, `DETECTOR`, ...) and a TAN WCS that matches the detector's region;
//! - RUN collections per night, `DemoCam/raw/<day_obs>` for `raw` and `DemoCam/runs/<day_obs>`
//!   for `calexp` and `visitSummary`, and the CHAINED collection [`DEFAULT_COLLECTION`] over
//!   them, every one documented.
//!
//! Everything is a function of the arguments: dataset IDs are `DATAID_TYPE_RUN` UUIDv5s and the
//! files' bytes are the same on every build, so a rebuilt demo repository is identical except
//! for its ingest dates.
//!
//! Files are written by one thread per core into a staging directory inside the new repository
//! and ingested with the `move` transfer mode, one registry transaction per dataset type and
//! night; 12 visits × 4 detectors take a few tens of milliseconds.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use satellite_core::datastore::TransferMode;
use satellite_core::model::demo::{DemoCamera, INSTRUMENT};
use satellite_core::model::{
    CollectionName, CollectionType, DataIdValue, DatasetIdGenMode, DatasetType, DatasetTypeName,
    DimensionRecord, DimensionUniverse, RecordValue, Region, RunName, StorageClassName, Timespan,
};
use satellite_core::registry::RecordConflict;
use satellite_core::repository::{
    IngestFile, IngestOptions, NoProgress, RepoConfig, Repository, CONFIG_FILE,
};

use crate::fits::{image_file, table_file, BinTable, Column, ColumnData, Header, Image};

/// The CHAINED collection that searches every RUN of the demo repository.
pub const DEFAULT_COLLECTION: &str = "DemoCam/defaults";

/// The width and height of every demo image, in pixels.
pub const IMAGE_SIZE: usize = 32;

/// The most detectors DemoCam's `instrument` record allows (`detector_max`, exclusive).
pub const MAX_DETECTORS: u32 = 1000;

/// The most visits the demo makes.
pub const MAX_VISITS: u32 = 1_000_000;

/// The date of the first night (`day_obs` of night 0).
const FIRST_NIGHT: &str = "2026-01-01";
/// The field centre of the first visit, in degrees; later visits step east.
const FIELD_RA: f64 = 53.0;
const FIELD_DEC: f64 = -28.0;
/// The RA step between visits, in degrees.
const VISIT_STEP: f64 = 0.05;
/// The side of a detector and the pitch of the detector grid, in degrees.
const DETECTOR_SIZE: f64 = 0.1;
const DETECTOR_PITCH: f64 = 0.105;
/// The target of every exposure.
const TARGET: &str = "ECDFS";
/// Counts added by the readout electronics to every raw pixel.
const BIAS: f64 = 1000.0;
/// The staging directory inside the new repository (removed before returning).
const STAGING: &str = ".demo-staging";

const NS_PER_SEC: i64 = 1_000_000_000;
const NS_PER_HOUR: i64 = 3600 * NS_PER_SEC;
const NS_PER_DAY: i64 = 24 * NS_PER_HOUR;
/// The MJD of 1970-01-01, the origin of the registry's TAI nanoseconds.
const MJD_UNIX_EPOCH: f64 = 40_587.0;

/// `butler-server demo-repo`: make a demo official repository.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct DemoRepoArgs {
    /// Directory of the new repository; it must not exist or be empty (see `--force`).
    pub dir: PathBuf,
    /// Number of visits (one science exposure each), numbered from 1.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_VISITS)))]
    pub visits: u32,
    /// Number of detectors, numbered from 0.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DETECTORS)))]
    pub detectors: u32,
    /// Number of nights the visits are spread over (one RUN collection per night and kind);
    /// at most `--visits`.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub nights: u32,
    /// Replace DIR if it holds a previous demo repository (a repository with nothing but
    /// DemoCam data in it); anything else is never deleted.
    #[arg(long)]
    pub force: bool,
}

impl DemoRepoArgs {
    /// The default sizes for `dir`: 12 visits, 4 detectors, 3 nights, no `--force`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            visits: 12,
            detectors: 4,
            nights: 3,
            force: false,
        }
    }
}

/// What [`run`] made.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The repository directory.
    pub root: PathBuf,
    /// Visits (and exposures) made.
    pub visits: u32,
    /// Detectors per visit.
    pub detectors: u32,
    /// Nights (`day_obs` values) the visits span.
    pub nights: u32,
    /// Dimension records inserted, all elements together.
    pub dimension_records: usize,
    /// Datasets ingested, all types together.
    pub datasets: usize,
    /// Datasets per dataset type, in the order `raw`, `calexp`, `visitSummary`.
    pub datasets_by_type: Vec<(String, usize)>,
    /// Every collection made: the RUNs in night order (raw, then processed), then the chain.
    pub collections: Vec<String>,
    /// The CHAINED collection over all RUNs ([`DEFAULT_COLLECTION`]).
    pub default_collection: String,
    /// Total size of the dataset files, in bytes.
    pub bytes: u64,
    /// How long the build took.
    pub elapsed: Duration,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per_type: Vec<String> = self
            .datasets_by_type
            .iter()
            .map(|(t, n)| format!("{n} {t}"))
            .collect();
        writeln!(
            f,
            "made the demo repository `{}`: {INSTRUMENT}, {} visits × {} detectors over {} nights",
            self.root.display(),
            self.visits,
            self.detectors,
            self.nights
        )?;
        writeln!(
            f,
            "  {} datasets ({}), {} of FITS files, {} dimension records",
            self.datasets,
            per_type.join(", "),
            human_bytes(self.bytes),
            self.dimension_records
        )?;
        write!(
            f,
            "  {} collections; search them all with `{}`",
            self.collections.len(),
            self.default_collection
        )
    }
}

/// A size for people: `34.6 kB`, `1.4 GB`.
fn human_bytes(n: u64) -> String {
    let x = n as f64;
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", x / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", x / 1e6),
        _ => format!("{:.1} GB", x / 1e9),
    }
}

/// Builds the demo repository described by `args`, reporting each step to `progress`.
///
/// # Examples
///
/// ```
/// use butler_server::demo_repo::{run, DemoRepoArgs};
///
/// let dir = tempfile::tempdir()?;
/// let mut args = DemoRepoArgs::new(dir.path().join("demo"));
/// (args.visits, args.detectors, args.nights) = (2, 1, 1);
/// let summary = run(&args, |_| {})?;
/// assert_eq!(summary.datasets, 2 + 2 + 2);
/// assert_eq!(summary.collections.last().map(String::as_str), Some("DemoCam/defaults"));
/// # Ok::<(), anyhow::Error>(())
/// ```
///
/// # Errors
/// Sizes out of range, a non-empty `dir` without `force`, a `dir` that holds anything but a
/// previous demo repository, and I/O or registry failures. On failure nothing is left behind:
/// `dir` is removed, or emptied if it existed before.
pub fn run(args: &DemoRepoArgs, mut progress: impl FnMut(&str)) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let plan = Plan::new(args)?;
    let existed = prepare_directory(&args.dir, args.force, &mut progress)?;
    match build(&plan, &args.dir, &mut progress) {
        Ok(mut summary) => {
            summary.elapsed = started.elapsed();
            Ok(summary)
        }
        Err(e) => {
            discard(&args.dir, existed);
            Err(e)
        }
    }
}

/// Checks that `dir` may receive the demo, deleting a previous demo under `force`.
/// Returns whether `dir` exists (empty) afterwards.
fn prepare_directory(
    dir: &Path,
    force: bool,
    progress: &mut impl FnMut(&str),
) -> anyhow::Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    if !dir.is_dir() {
        bail!(
            "`{}` is a file, not a directory\nhint: choose a directory for the demo repository",
            dir.display()
        );
    }
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    if !force {
        bail!(
            "`{}` already exists and is not empty\nhint: choose a new directory, or pass `--force` to replace a previous demo repository",
            dir.display()
        );
    }
    if !dir.join(CONFIG_FILE).is_file() {
        bail!(
            "`{}` is not a repository (it has no `{CONFIG_FILE}`), so `--force` will not delete it\nhint: choose another directory, or remove it yourself",
            dir.display()
        );
    }
    let foreign = foreign_content(dir).with_context(|| {
        format!(
            "`{}` is not a readable repository, so `--force` will not delete it\nhint: choose another directory, or remove it yourself",
            dir.display()
        )
    })?;
    if let Some(what) = foreign {
        bail!(
            "`{}` holds {what}, not only a previous demo, so `--force` will not delete it\nhint: choose another directory",
            dir.display()
        );
    }
    progress(&format!(
        "removing the previous demo repository `{}`",
        dir.display()
    ));
    std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove `{}`", dir.display()))?;
    Ok(false)
}

/// What a repository holds besides DemoCam's demo data, if anything.
fn foreign_content(dir: &Path) -> anyhow::Result<Option<String>> {
    let repo = Repository::open(dir)?;
    let registry = repo.registry();
    for key in registry.element_records("instrument")?.keys() {
        if key.as_slice() != [DataIdValue::Str(INSTRUMENT.to_owned())] {
            let name = key.iter().map(ToString::to_string).collect::<Vec<_>>();
            return Ok(Some(format!("data of the instrument `{}`", name.join(","))));
        }
    }
    for name in registry.dataset_type_names()? {
        if !DATASET_TYPES.iter().any(|(t, _, _)| *t == name) {
            return Ok(Some(format!("datasets of type `{name}`")));
        }
    }
    for name in registry.collection_names()? {
        if !name.starts_with(&format!("{INSTRUMENT}/")) {
            return Ok(Some(format!("the collection `{name}`")));
        }
    }
    Ok(None)
}

/// Removes what a failed build left: the whole directory, or its content if it existed.
fn discard(dir: &Path, existed: bool) {
    let result = if existed {
        std::fs::read_dir(dir).and_then(|entries| {
            entries.flatten().try_for_each(|entry| {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(path)
                } else {
                    std::fs::remove_file(path)
                }
            })
        })
    } else {
        std::fs::remove_dir_all(dir)
    };
    // The build's own error is what the user needs; a failed cleanup is only logged.
    if let Err(e) = result {
        tracing::warn!(
            "could not remove the half-made demo repository `{}`: {e}",
            dir.display()
        );
    }
}

/// The dataset types: name, dimensions, storage class.
const DATASET_TYPES: [(&str, &[&str], &str); 3] = [
    ("raw", &["instrument", "exposure", "detector"], "Exposure"),
    ("calexp", &["instrument", "visit", "detector"], "ExposureF"),
    ("visitSummary", &["instrument", "visit"], "ExposureCatalog"),
];

/// One night of observing.
#[derive(Debug, Clone)]
struct Night {
    /// `YYYYMMDD`.
    day_obs: i64,
    /// TAI nanoseconds of the date's midnight.
    midnight: i64,
    /// The first and last visit of the night.
    first: i64,
    last: i64,
}

impl Night {
    fn raw_run(&self) -> String {
        format!("{INSTRUMENT}/raw/{}", self.day_obs)
    }

    fn processed_run(&self) -> String {
        format!("{INSTRUMENT}/runs/{}", self.day_obs)
    }

    /// `day_obs` rolls over at noon: the night of date D is `[D 12:00, D+1 12:00)`.
    fn timespan(&self) -> Timespan {
        Timespan::new(
            Some(self.midnight + 12 * NS_PER_HOUR),
            Some(self.midnight + 36 * NS_PER_HOUR),
        )
    }
}

/// One visit (and its one exposure): everything records, headers and images need.
#[derive(Debug, Clone)]
struct Visit {
    id: i64,
    night: usize,
    seq_num: i64,
    day_obs: i64,
    band: &'static str,
    physical_filter: String,
    obs_id: String,
    group: String,
    begin: i64,
    end: i64,
    exposure_time: f64,
    ra: f64,
    dec: f64,
    zenith_angle: f64,
    azimuth: f64,
    /// PSF width in pixels.
    seeing: f64,
}

impl Visit {
    fn date_obs(&self) -> String {
        iso_millis(self.begin)
    }

    fn mjd_obs(&self) -> f64 {
        self.begin as f64 / NS_PER_DAY as f64 + MJD_UNIX_EPOCH
    }

    fn sky_level(&self) -> f64 {
        let index = satellite_core::model::demo::BANDS
            .iter()
            .position(|b| *b == self.band)
            .unwrap_or(0);
        300.0 + 100.0 * index as f64
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fff`: ISO-8601 with milliseconds, from TAI nanoseconds.
fn iso_millis(ns: i64) -> String {
    let text = Timespan::format_tai_iso(ns).replacen(' ', "T", 1);
    text.chars().take(23).collect()
}

/// The whole demo, computed before anything is written.
#[derive(Debug, Clone)]
struct Plan {
    detectors: i64,
    nights: Vec<Night>,
    visits: Vec<Visit>,
}

impl Plan {
    fn new(args: &DemoRepoArgs) -> anyhow::Result<Self> {
        if !(1..=MAX_VISITS).contains(&args.visits) {
            bail!(
                "`--visits` must be between 1 and {MAX_VISITS}, not {}",
                args.visits
            );
        }
        if !(1..=MAX_DETECTORS).contains(&args.detectors) {
            bail!(
                "`--detectors` must be between 1 and {MAX_DETECTORS}, not {}",
                args.detectors
            );
        }
        if args.nights == 0 || args.nights > args.visits {
            bail!(
                "`--nights` must be between 1 and the number of visits ({}), not {}\nhint: every night needs at least one visit",
                args.visits,
                args.nights
            );
        }
        let (v_total, n_total) = (i64::from(args.visits), i64::from(args.nights));
        let first_midnight = Timespan::parse_tai_iso(FIRST_NIGHT)?;
        let nights: Vec<Night> = (0..n_total)
            .map(|k| {
                let midnight = first_midnight + k * NS_PER_DAY;
                let date = Timespan::format_tai_iso(midnight);
                let day_obs = date
                    .get(..10)
                    .unwrap_or_default()
                    .replace('-', "")
                    .parse::<i64>()
                    .context("day_obs of a night")?;
                Ok(Night {
                    day_obs,
                    midnight,
                    first: k * v_total / n_total + 1,
                    last: (k + 1) * v_total / n_total,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        // Exposures start at 22:00 and keep to twelve hours, inside the night's `day_obs`.
        let most = nights
            .iter()
            .map(|n| n.last - n.first + 1)
            .max()
            .unwrap_or(1);
        let cadence = (35 * NS_PER_SEC).min(12 * NS_PER_HOUR / most);
        let exposure_ns = cadence * 6 / 7;
        let mut visits = Vec::with_capacity(args.visits as usize);
        for (k, night) in nights.iter().enumerate() {
            for id in night.first..=night.last {
                let seq_num = id - night.first + 1;
                let begin = night.midnight + 22 * NS_PER_HOUR + (seq_num - 1) * cadence;
                // Group names are the start time, as the LSST acquisition system makes them.
                let group = iso_millis(begin);
                let mut rng = Lcg::new(&[id as u64, 0x5eed]);
                visits.push(Visit {
                    id,
                    night: k,
                    seq_num,
                    day_obs: night.day_obs,
                    band: DemoCamera::band(id),
                    physical_filter: DemoCamera::physical_filter(id),
                    obs_id: format!("DC_O_{}_{seq_num:06}", night.day_obs),
                    group,
                    begin,
                    end: begin + exposure_ns,
                    exposure_time: exposure_ns as f64 / NS_PER_SEC as f64,
                    ra: (FIELD_RA + VISIT_STEP * (id - 1) as f64).rem_euclid(360.0),
                    dec: FIELD_DEC + 0.02 * ((id % 5) - 2) as f64,
                    zenith_angle: 10.0 + 40.0 * rng.next_f64(),
                    azimuth: 360.0 * rng.next_f64(),
                    seeing: 1.1 + 0.8 * rng.next_f64(),
                });
            }
        }
        Ok(Self {
            detectors: i64::from(args.detectors),
            nights,
            visits,
        })
    }

    /// Columns (and rows) of the square detector grid.
    fn grid_side(&self) -> i64 {
        let mut n = 1;
        while n * n < self.detectors {
            n += 1;
        }
        n
    }

    /// The centre of a detector in a visit, in degrees.
    fn detector_center(&self, visit: &Visit, detector: i64) -> (f64, f64) {
        let n = self.grid_side();
        let half = (n - 1) as f64 / 2.0;
        let x = ((detector % n) as f64 - half) * DETECTOR_PITCH;
        let y = ((detector / n) as f64 - half) * DETECTOR_PITCH;
        let dec = visit.dec + y;
        let ra = (visit.ra + x / dec.to_radians().cos()).rem_euclid(360.0);
        (ra, dec)
    }

    /// A square of side `size` degrees around `(ra, dec)`.
    fn square(ra: f64, dec: f64, size: f64) -> anyhow::Result<Region> {
        let h = size / 2.0;
        let w = h / dec.to_radians().cos();
        Region::polygon(&[
            (ra - w, dec - h),
            (ra + w, dec - h),
            (ra + w, dec + h),
            (ra - w, dec + h),
        ])
        .with_context(|| format!("a region around ({ra}, {dec})"))
    }

    fn visit_region(&self, visit: &Visit) -> anyhow::Result<Region> {
        let side = self.grid_side() as f64 * DETECTOR_PITCH + 0.01;
        Self::square(visit.ra, visit.dec, side)
    }

    fn detector_region(&self, visit: &Visit, detector: i64) -> anyhow::Result<Region> {
        let (ra, dec) = self.detector_center(visit, detector);
        Self::square(ra, dec, DETECTOR_SIZE)
    }
}

/// Makes the repository in `dir` (absent or empty).
fn build(plan: &Plan, dir: &Path, progress: &mut impl FnMut(&str)) -> anyhow::Result<Summary> {
    let universe = DimensionUniverse::default_universe();
    let repo = Repository::create(dir, &universe, RepoConfig::default())
        .with_context(|| format!("cannot create a repository in `{}`", dir.display()))?;
    progress(&format!("created the repository `{}`", dir.display()));

    let records = dimension_records(plan, &universe)?;
    let registry = repo.registry();
    let mut dimension_count = 0;
    registry
        .transaction(|| {
            for (element, rows) in &records {
                dimension_count +=
                    registry.insert_dimension_records(element, rows, RecordConflict::Fail)?;
            }
            Ok::<_, satellite_core::registry::RegistryError>(())
        })
        .context("cannot insert the dimension records")?;
    let per_element: Vec<String> = records
        .iter()
        .map(|(e, rows)| format!("{} {e}", rows.len()))
        .collect();
    progress(&format!(
        "inserted {dimension_count} dimension records: {}",
        per_element.join(", ")
    ));

    for (name, dimensions, storage_class) in DATASET_TYPES {
        registry
            .register_dataset_type(&DatasetType {
                name: DatasetTypeName::parse(name)?,
                dimensions: universe.group(dimensions)?,
                storage_class: StorageClassName::parse(storage_class)?,
                is_calibration: false,
            })
            .with_context(|| format!("cannot register the dataset type `{name}`"))?;
    }
    progress("registered the dataset types raw, calexp and visitSummary");

    let mut collections = Vec::new();
    for night in &plan.nights {
        let raw = CollectionName::parse(&night.raw_run())?;
        registry.register_collection(
            &raw,
            CollectionType::Run,
            &format!(
                "Raw science exposures DemoCam took on the night of day_obs {} (synthetic demo data).",
                night.day_obs
            ),
        )?;
        collections.push(raw.to_string());
    }
    for night in &plan.nights {
        let processed = CollectionName::parse(&night.processed_run())?;
        registry.register_collection(
            &processed,
            CollectionType::Run,
            &format!(
                "Calibrated exposures (calexp) and visit summaries (visitSummary) of the DemoCam night of day_obs {} (synthetic demo data).",
                night.day_obs
            ),
        )?;
        collections.push(processed.to_string());
    }

    let staging = dir.join(STAGING);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bytes = 0_u64;
    for (k, night) in plan.nights.iter().enumerate() {
        let visits: Vec<&Visit> = plan.visits.iter().filter(|v| v.night == k).collect();
        let target = staging.join(night.day_obs.to_string());
        std::fs::create_dir_all(&target)
            .with_context(|| format!("cannot create `{}`", target.display()))?;
        let staged = stage(plan, &visits, &target)?;
        for (i, (dataset_type, _, _)) in DATASET_TYPES.into_iter().enumerate() {
            let run = if dataset_type == "raw" {
                night.raw_run()
            } else {
                night.processed_run()
            };
            let files = &staged.files[i];
            let run_name = RunName::parse(&run)?;
            repo.ingest(
                dataset_type,
                &run_name,
                files,
                &IngestOptions {
                    transfer: TransferMode::Move,
                    id_mode: DatasetIdGenMode::DataIdTypeRun,
                    formatter: None,
                },
                &NoProgress,
            )
            .with_context(|| format!("cannot ingest the {dataset_type} files into `{run}`"))?;
            progress(&format!(
                "ingested {} {dataset_type} datasets ({}) into `{run}`",
                files.len(),
                human_bytes(staged.bytes[i])
            ));
            *counts.entry(dataset_type).or_default() += files.len();
            bytes += staged.bytes[i];
        }
    }
    std::fs::remove_dir_all(&staging).with_context(|| {
        format!(
            "cannot remove the staging directory `{}`",
            staging.display()
        )
    })?;

    let chain = CollectionName::parse(DEFAULT_COLLECTION)?;
    // `collections` holds the raw RUNs then the processed ones, each in night order: reversed,
    // it is processed RUNs newest night first, then raw RUNs newest night first.
    let children: Vec<CollectionName> = collections
        .iter()
        .rev()
        .map(|c| CollectionName::parse(c))
        .collect::<Result<_, _>>()?;
    registry
        .set_chain(
            &chain,
            &children,
            Some(&format!(
                "Everything in the DemoCam demo repository: calexp and visitSummary datasets, then raw exposures, newest night first ({} nights, synthetic data).",
                plan.nights.len()
            )),
        )
        .with_context(|| format!("cannot define the chain `{DEFAULT_COLLECTION}`"))?;
    collections.push(chain.to_string());
    progress(&format!(
        "defined `{DEFAULT_COLLECTION}` over {} RUN collections",
        children.len()
    ));

    let datasets_by_type: Vec<(String, usize)> = DATASET_TYPES
        .iter()
        .map(|(t, _, _)| ((*t).to_owned(), counts.get(t).copied().unwrap_or(0)))
        .collect();
    Ok(Summary {
        root: repo.root().to_owned(),
        visits: u32::try_from(plan.visits.len()).unwrap_or(u32::MAX),
        detectors: u32::try_from(plan.detectors).unwrap_or(u32::MAX),
        nights: u32::try_from(plan.nights.len()).unwrap_or(u32::MAX),
        dimension_records: dimension_count,
        datasets: datasets_by_type.iter().map(|(_, n)| n).sum(),
        datasets_by_type,
        collections,
        default_collection: DEFAULT_COLLECTION.to_owned(),
        bytes,
        elapsed: Duration::ZERO,
    })
}

/// Every dimension record of the demo, element by element in insertion order.
fn dimension_records(
    plan: &Plan,
    universe: &DimensionUniverse,
) -> anyhow::Result<Vec<(&'static str, Vec<DimensionRecord>)>> {
    let record = |element: &str, values: Vec<(&str, RecordValue)>| {
        DimensionRecord::new(
            universe,
            element,
            values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        )
        .with_context(|| format!("a `{element}` record"))
    };
    let s = |v: &str| RecordValue::Str(v.to_owned());
    let int = RecordValue::Int;
    let float = RecordValue::Float;
    // DemoCam's instrument, filters and detectors are the benchmark's; visits are made here
    // with the timespans and regions the benchmark's records leave out.
    let camera = DemoCamera {
        visits: 0,
        detectors: plan.detectors,
    };
    let mut out: Vec<(&'static str, Vec<DimensionRecord>)> = camera
        .records(universe)?
        .into_iter()
        .filter(|(element, _)| matches!(*element, "instrument" | "physical_filter" | "detector"))
        .collect();
    let day_obs = plan
        .nights
        .iter()
        .map(|n| {
            record(
                "day_obs",
                vec![
                    ("instrument", s(INSTRUMENT)),
                    ("id", int(n.day_obs)),
                    ("timespan", RecordValue::Timespan(n.timespan())),
                ],
            )
        })
        .collect::<anyhow::Result<_>>()?;
    out.push(("day_obs", day_obs));
    let mut groups = Vec::with_capacity(plan.visits.len());
    let mut exposures = Vec::with_capacity(plan.visits.len());
    let mut visits = Vec::with_capacity(plan.visits.len());
    let mut definitions = Vec::with_capacity(plan.visits.len());
    let mut memberships = Vec::with_capacity(plan.visits.len());
    let mut regions = Vec::with_capacity(plan.visits.len() * plan.detectors as usize);
    for v in &plan.visits {
        let timespan = RecordValue::Timespan(Timespan::new(Some(v.begin), Some(v.end)));
        groups.push(record(
            "group",
            vec![("instrument", s(INSTRUMENT)), ("name", s(&v.group))],
        )?);
        exposures.push(record(
            "exposure",
            vec![
                ("instrument", s(INSTRUMENT)),
                ("id", int(v.id)),
                ("physical_filter", s(&v.physical_filter)),
                ("group", s(&v.group)),
                ("day_obs", int(v.day_obs)),
                ("obs_id", s(&v.obs_id)),
                ("exposure_time", float(v.exposure_time)),
                ("dark_time", float(v.exposure_time + 1.0)),
                ("observation_type", s("science")),
                ("observation_reason", s("science")),
                ("seq_num", int(v.seq_num)),
                ("seq_start", int(v.seq_num)),
                ("seq_end", int(v.seq_num)),
                ("target_name", s(TARGET)),
                ("science_program", s("demo")),
                ("tracking_ra", float(v.ra)),
                ("tracking_dec", float(v.dec)),
                ("sky_angle", float(0.0)),
                ("azimuth", float(v.azimuth)),
                ("zenith_angle", float(v.zenith_angle)),
                ("has_simulated", RecordValue::Bool(true)),
                ("can_see_sky", RecordValue::Bool(true)),
                ("timespan", timespan.clone()),
            ],
        )?);
        visits.push(record(
            "visit",
            vec![
                ("instrument", s(INSTRUMENT)),
                ("id", int(v.id)),
                ("day_obs", int(v.day_obs)),
                ("physical_filter", s(&v.physical_filter)),
                ("name", s(&v.obs_id)),
                ("seq_num", int(v.seq_num)),
                ("exposure_time", float(v.exposure_time)),
                ("target_name", s(TARGET)),
                ("observation_reason", s("science")),
                ("science_program", s("demo")),
                ("azimuth", float(v.azimuth)),
                ("zenith_angle", float(v.zenith_angle)),
                ("region", s(&plan.visit_region(v)?.encode_hex())),
                ("timespan", timespan),
            ],
        )?);
        definitions.push(record(
            "visit_definition",
            vec![
                ("instrument", s(INSTRUMENT)),
                ("exposure", int(v.id)),
                ("visit", int(v.id)),
            ],
        )?);
        memberships.push(record(
            "visit_system_membership",
            vec![
                ("instrument", s(INSTRUMENT)),
                ("visit", int(v.id)),
                ("visit_system", int(0)),
            ],
        )?);
        for d in 0..plan.detectors {
            regions.push(record(
                "visit_detector_region",
                vec![
                    ("instrument", s(INSTRUMENT)),
                    ("visit", int(v.id)),
                    ("detector", int(d)),
                    ("region", s(&plan.detector_region(v, d)?.encode_hex())),
                ],
            )?);
        }
    }
    // The instrument record names visit system 0 as its preferred one.
    let visit_system = vec![record(
        "visit_system",
        vec![
            ("instrument", s(INSTRUMENT)),
            ("id", int(0)),
            ("name", s("one-to-one")),
        ],
    )?];
    out.extend([
        ("group", groups),
        ("exposure", exposures),
        ("visit_system", visit_system),
        ("visit", visits),
        ("visit_definition", definitions),
        ("visit_system_membership", memberships),
        ("visit_detector_region", regions),
    ]);
    Ok(out)
}

/// Files written for ingest, per dataset type in [`DATASET_TYPES`] order, with their sizes.
#[derive(Debug, Default)]
struct Staged {
    files: [Vec<IngestFile>; 3],
    bytes: [u64; 3],
}

impl Staged {
    fn push(
        &mut self,
        kind: usize,
        path: PathBuf,
        bytes: &[u8],
        data_id: Vec<(&str, DataIdValue)>,
    ) -> anyhow::Result<()> {
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        let mut values = BTreeMap::from([(
            "instrument".to_owned(),
            DataIdValue::Str(INSTRUMENT.to_owned()),
        )]);
        values.extend(data_id.into_iter().map(|(k, v)| (k.to_owned(), v)));
        self.files[kind].push(IngestFile {
            path,
            data_id: values,
        });
        self.bytes[kind] += bytes.len() as u64;
        Ok(())
    }

    fn append(&mut self, other: Staged) {
        for (i, files) in other.files.into_iter().enumerate() {
            self.files[i].extend(files);
            self.bytes[i] += other.bytes[i];
        }
    }
}

/// Writes the `raw`, `calexp` and `visitSummary` files of `visits` into `dir`, splitting the
/// visits between threads (the files' bytes do not depend on the split, and the lists keep
/// the visits' order).
fn stage(plan: &Plan, visits: &[&Visit], dir: &Path) -> anyhow::Result<Staged> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(8);
    let chunk = visits.len().div_ceil(threads).max(1);
    let results: Vec<anyhow::Result<Staged>> = std::thread::scope(|scope| {
        let handles: Vec<_> = visits
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| {
                // One directory per thread: creating files in one directory serialises on its lock.
                let dir = dir.join(i.to_string());
                scope.spawn(move || {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create `{}`", dir.display()))?;
                    stage_visits(plan, part, &dir)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("a thread writing demo files panicked"))
                })
            })
            .collect()
    });
    let mut staged = Staged::default();
    for result in results {
        staged.append(result?);
    }
    Ok(staged)
}

fn stage_visits(plan: &Plan, visits: &[&Visit], dir: &Path) -> anyhow::Result<Staged> {
    let mut staged = Staged::default();
    for v in visits {
        for d in 0..plan.detectors {
            let pixels = sky_pixels(v, d);
            staged.push(
                0,
                dir.join(format!("raw_{}_{d}.fits", v.id)),
                &raw_file(plan, v, d, &pixels)?,
                vec![
                    ("exposure", DataIdValue::Int(v.id)),
                    ("detector", DataIdValue::Int(d)),
                ],
            )?;
            staged.push(
                1,
                dir.join(format!("calexp_{}_{d}.fits", v.id)),
                &calexp_file(plan, v, d, &pixels)?,
                vec![
                    ("visit", DataIdValue::Int(v.id)),
                    ("detector", DataIdValue::Int(d)),
                ],
            )?;
        }
        staged.push(
            2,
            dir.join(format!("visitSummary_{}.fits", v.id)),
            &visit_summary_file(plan, v)?,
            vec![("visit", DataIdValue::Int(v.id))],
        )?;
    }
    Ok(staged)
}

/// A Gaussian star on a detector: position in pixels and peak counts.
#[derive(Debug, Clone, Copy)]
struct Star {
    x: f64,
    y: f64,
    peak: f64,
}

/// The stars on a detector in a visit: 3 to 7, at deterministic pseudo-random positions.
fn stars(visit: &Visit, detector: i64) -> Vec<Star> {
    let mut rng = Lcg::new(&[visit.id as u64, detector as u64, 0x57a5]);
    let count = 3 + (rng.next_f64() * 5.0) as usize;
    let edge = IMAGE_SIZE as f64 - 4.0;
    (0..count)
        .map(|_| Star {
            x: 2.0 + edge * rng.next_f64(),
            y: 2.0 + edge * rng.next_f64(),
            peak: 200.0 + 4800.0 * rng.next_f64() * rng.next_f64(),
        })
        .collect()
}

/// Sky + stars + noise, in counts above bias, row by row.
fn sky_pixels(visit: &Visit, detector: i64) -> Vec<f64> {
    let n = IMAGE_SIZE;
    let sky = visit.sky_level();
    let mut pixels = vec![sky; n * n];
    let sigma = visit.seeing;
    let reach = (4.0 * sigma).ceil() as i64;
    for star in stars(visit, detector) {
        // Only pixels within four sigma matter; the rest are below the noise.
        let (cx, cy) = (star.x.round() as i64, star.y.round() as i64);
        for y in (cy - reach).max(0)..=(cy + reach).min(n as i64 - 1) {
            for x in (cx - reach).max(0)..=(cx + reach).min(n as i64 - 1) {
                let (dx, dy) = (x as f64 - star.x, y as f64 - star.y);
                let r2 = (dx * dx + dy * dy) / (2.0 * sigma * sigma);
                pixels[y as usize * n + x as usize] += star.peak * (-r2).exp();
            }
        }
    }
    let mut rng = Lcg::new(&[visit.id as u64, detector as u64, 0x0015e]);
    for p in &mut pixels {
        *p += p.sqrt() * rng.next_gaussian();
    }
    pixels
}

/// The header cards common to `raw` and `calexp`.
fn image_header(
    plan: &Plan,
    visit: &Visit,
    detector: i64,
    dataset_type: &str,
    unit: &str,
) -> anyhow::Result<Header> {
    let (ra, dec) = plan.detector_center(visit, detector);
    let scale = DETECTOR_SIZE / IMAGE_SIZE as f64;
    let center = (IMAGE_SIZE as f64 + 1.0) / 2.0;
    let mut h = Header::new();
    h.set("OBJECT", TARGET, "target name")?
        .set("INSTRUME", INSTRUMENT, "instrument")?
        .set("FILTER", visit.physical_filter.as_str(), "physical filter")?
        .set("BAND", visit.band, "abstract filter")?
        .set("DATE-OBS", visit.date_obs(), "start of exposure")?
        .set("TIMESYS", "TAI", "time scale of DATE-OBS")?
        .set("MJD-OBS", visit.mjd_obs(), "start of exposure [MJD]")?
        .set("EXPTIME", visit.exposure_time, "exposure time [s]")?
        .set("DAYOBS", visit.day_obs, "observing day")?
        .set("OBSID", visit.obs_id.as_str(), "observation ID")?
        .set("EXPOSURE", visit.id, "exposure ID")?
        .set("VISIT", visit.id, "visit ID")?
        .set("DETECTOR", detector, "detector ID")?
        .set("DETNAME", format!("R00_S{detector:03}"), "detector name")?
        .set("IMGTYPE", "science", "observation type")?
        .set("DATATYPE", dataset_type, "Butler dataset type")?
        .set("BUNIT", unit, "pixel unit")?
        .set("RA", visit.ra, "boresight RA [deg]")?
        .set("DEC", visit.dec, "boresight Dec [deg]")?
        .set("CTYPE1", "RA---TAN", "")?
        .set("CTYPE2", "DEC--TAN", "")?
        .set("CRPIX1", center, "")?
        .set("CRPIX2", center, "")?
        .set("CRVAL1", ra, "detector centre RA [deg]")?
        .set("CRVAL2", dec, "detector centre Dec [deg]")?
        .set("CD1_1", -scale, "")?
        .set("CD2_2", scale, "")?
        .set("ORIGIN", "butler-server demo-repo (synthetic)", "")?;
    // No `RADESYS`: without `EQUINOX` it defaults to ICRS, and leaving it out keeps the raw
    // header in one 2880-byte block.
    Ok(h)
}

fn raw_file(plan: &Plan, visit: &Visit, detector: i64, pixels: &[f64]) -> anyhow::Result<Vec<u8>> {
    let header = image_header(plan, visit, detector, "raw", "adu")?;
    let counts: Vec<u16> = pixels
        .iter()
        .map(|p| (BIAS + p).round().clamp(0.0, f64::from(u16::MAX)) as u16)
        .collect();
    Ok(image_file(
        &header,
        &Image::u16(IMAGE_SIZE, IMAGE_SIZE, counts)?,
    )?)
}

fn calexp_file(
    plan: &Plan,
    visit: &Visit,
    detector: i64,
    pixels: &[f64],
) -> anyhow::Result<Vec<u8>> {
    let mut header = image_header(plan, visit, detector, "calexp", "adu")?;
    header.set("SKYLEVEL", visit.sky_level(), "subtracted sky [adu]")?;
    let sky = visit.sky_level();
    let values: Vec<f32> = pixels.iter().map(|p| (p - sky) as f32).collect();
    Ok(image_file(
        &header,
        &Image::f32(IMAGE_SIZE, IMAGE_SIZE, values)?,
    )?)
}

/// An empty primary HDU with the visit's cards, and a `SUMMARY` table, one row per detector.
fn visit_summary_file(plan: &Plan, visit: &Visit) -> anyhow::Result<Vec<u8>> {
    let mut primary = Header::new();
    primary
        .set("OBJECT", TARGET, "target name")?
        .set("INSTRUME", INSTRUMENT, "instrument")?
        .set("FILTER", visit.physical_filter.as_str(), "physical filter")?
        .set("BAND", visit.band, "abstract filter")?
        .set("DATE-OBS", visit.date_obs(), "start of exposure")?
        .set("TIMESYS", "TAI", "time scale of DATE-OBS")?
        .set("MJD-OBS", visit.mjd_obs(), "start of exposure [MJD]")?
        .set("EXPTIME", visit.exposure_time, "exposure time [s]")?
        .set("DAYOBS", visit.day_obs, "observing day")?
        .set("VISIT", visit.id, "visit ID")?
        .set("DATATYPE", "visitSummary", "Butler dataset type")?
        .set("ORIGIN", "butler-server demo-repo (synthetic)", "")?;
    let detectors: Vec<i64> = (0..plan.detectors).collect();
    let n = detectors.len();
    let centers: Vec<(f64, f64)> = detectors
        .iter()
        .map(|d| plan.detector_center(visit, *d))
        .collect();
    let column = |name: &str, unit: &str, data: ColumnData| Column {
        name: name.to_owned(),
        unit: unit.to_owned(),
        data,
    };
    // Photometric zero points vary a little per detector, deterministically.
    let mut rng = Lcg::new(&[visit.id as u64, 0x2e50]);
    let zero_points: Vec<f32> = (0..n)
        .map(|_| (31.4 + 0.05 * rng.next_gaussian()) as f32)
        .collect();
    let table = BinTable {
        name: "SUMMARY".to_owned(),
        columns: vec![
            column("id", "", ColumnData::I64(detectors.clone())),
            column("visit", "", ColumnData::I64(vec![visit.id; n])),
            column(
                "physical_filter",
                "",
                ColumnData::Str {
                    width: 16,
                    values: vec![visit.physical_filter.clone(); n],
                },
            ),
            column(
                "band",
                "",
                ColumnData::Str {
                    width: 2,
                    values: vec![visit.band.to_owned(); n],
                },
            ),
            column(
                "ra",
                "deg",
                ColumnData::F64(centers.iter().map(|c| c.0).collect()),
            ),
            column(
                "dec",
                "deg",
                ColumnData::F64(centers.iter().map(|c| c.1).collect()),
            ),
            column(
                "expTime",
                "s",
                ColumnData::F32(vec![visit.exposure_time as f32; n]),
            ),
            column(
                "psfSigma",
                "pixel",
                ColumnData::F32(vec![visit.seeing as f32; n]),
            ),
            column(
                "skyBg",
                "adu",
                ColumnData::F32(vec![visit.sky_level() as f32; n]),
            ),
            column("zeroPoint", "mag", ColumnData::F32(zero_points)),
            column(
                "nStars",
                "",
                ColumnData::I64(
                    detectors
                        .iter()
                        .map(|d| stars(visit, *d).len() as i64)
                        .collect(),
                ),
            ),
        ],
    };
    let mut table_header = Header::new();
    table_header.set("VISIT", visit.id, "visit ID")?;
    Ok(table_file(&primary, &table, &table_header)?)
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants), seeded by mixing a key:
/// the same key always gives the same sequence, on every platform.
#[derive(Debug, Clone)]
struct Lcg(u64);

impl Lcg {
    fn new(key: &[u64]) -> Self {
        // SplitMix64 finalisers decorrelate nearby keys (visit 1 and 2) before the LCG runs.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for k in key {
            state = splitmix(state ^ k);
        }
        Self(state)
    }

    /// A uniform number in `[0, 1)` from the generator's 53 high bits.
    fn next_f64(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// An approximately standard normal number: the sum of twelve uniforms minus six (only
    /// additions, so the result is bit-identical everywhere).
    fn next_gaussian(&mut self) -> f64 {
        (0..12).map(|_| self.next_f64()).sum::<f64>() - 6.0
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(visits: u32, detectors: u32, nights: u32) -> Plan {
        let mut args = DemoRepoArgs::new("unused");
        (args.visits, args.detectors, args.nights) = (visits, detectors, nights);
        Plan::new(&args).unwrap()
    }

    #[test]
    fn the_command_line_has_defaults_and_bounds() {
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: DemoRepoArgs,
        }
        let parse = |argv: &[&str]| {
            <Cli as clap::Parser>::try_parse_from(
                std::iter::once("demo-repo").chain(argv.iter().copied()),
            )
            .map(|c| c.args)
        };
        assert_eq!(parse(&["out"]).unwrap(), DemoRepoArgs::new("out"));
        let args = parse(&[
            "out",
            "--visits",
            "1000",
            "--detectors",
            "100",
            "--nights",
            "5",
            "--force",
        ])
        .unwrap();
        assert_eq!(
            (args.visits, args.detectors, args.nights, args.force),
            (1000, 100, 5, true)
        );
        for bad in [
            &["out", "--visits", "0"][..],
            &["out", "--detectors", "1001"],
            &["--visits", "3"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn nights_split_the_visits_evenly() {
        let p = plan(12, 4, 3);
        let spans: Vec<(i64, i64, i64)> = p
            .nights
            .iter()
            .map(|n| (n.day_obs, n.first, n.last))
            .collect();
        assert_eq!(
            spans,
            [(20_260_101, 1, 4), (20_260_102, 5, 8), (20_260_103, 9, 12)]
        );
        let p = plan(40, 1, 40);
        assert_eq!(p.nights[31].day_obs, 20_260_201, "dates roll over months");
        assert_eq!(p.visits[0].date_obs(), "2026-01-01T22:00:00.000");
        assert_eq!(p.visits[0].obs_id, "DC_O_20260101_000001");
    }

    #[test]
    fn exposures_stay_inside_their_night() {
        let p = plan(5000, 1, 1);
        let night = p.nights[0].timespan();
        let last = p.visits.last().unwrap();
        assert!(last.end <= night.end.unwrap());
        assert!(last.exposure_time > 0.0 && last.exposure_time <= 30.0);
    }

    #[test]
    fn bad_sizes_are_refused() {
        let mut args = DemoRepoArgs::new("unused");
        args.nights = 20;
        let err = Plan::new(&args).unwrap_err().to_string();
        assert!(
            err.contains("`--nights` must be between 1 and the number of visits (12)"),
            "{err}"
        );
        args.nights = 1;
        args.detectors = MAX_DETECTORS + 1;
        assert!(Plan::new(&args).is_err());
    }

    #[test]
    fn detectors_tile_the_visit_region() {
        let p = plan(3, 9, 1);
        let visit = &p.visits[0];
        let outer = p.visit_region(visit).unwrap();
        for d in 0..9 {
            let (ra, dec) = p.detector_center(visit, d);
            assert!(
                outer.overlaps(&Region::point(ra, dec).unwrap()),
                "detector {d}"
            );
        }
        let far = p.detector_region(&p.visits[2], 0).unwrap();
        assert!(!far.overlaps(&p.detector_region(visit, 8).unwrap()));
    }

    #[test]
    fn images_are_deterministic_and_have_signal() {
        let p = plan(2, 2, 1);
        let v = &p.visits[0];
        let a = sky_pixels(v, 0);
        assert_eq!(a, sky_pixels(v, 0));
        assert_ne!(a, sky_pixels(v, 1));
        let sky = v.sky_level();
        let brightest = a.iter().copied().fold(f64::MIN, f64::max);
        assert!(
            brightest > sky + 150.0,
            "a star stands out: {brightest} over {sky}"
        );
        let median = {
            let mut s = a.clone();
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        assert!((median - sky).abs() < 3.0 * sky.sqrt(), "{median} vs {sky}");
    }

    #[test]
    fn files_fit_in_few_blocks() {
        let p = plan(1, 100, 1);
        let v = &p.visits[0];
        let pixels = sky_pixels(v, 0);
        assert_eq!(raw_file(&p, v, 0, &pixels).unwrap().len(), 2 * 2880);
        assert_eq!(calexp_file(&p, v, 0, &pixels).unwrap().len(), 3 * 2880);
        assert_eq!(visit_summary_file(&p, v).unwrap().len(), 6 * 2880);
    }
}
