//! `satellite ingest` (`butler ingest-files`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use satellite_core::model::{DataIdValue, DatasetIdGenMode, DimensionUniverse, RunName};
use satellite_core::repository::{IngestFile, IngestOptions};

use super::{open, plural, ExitStatus};
use crate::cli::{IdGenerationArg, IngestArgs};
use crate::dataset_search::{data_id_terms, with_defaults};
use crate::output::Output;
use crate::report::CliError;

/// Ingests the files of a table in one transaction.
pub fn run(args: &IngestArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let run = RunName::parse(&args.run)?;
    let dataset_type = repo.registry().dataset_type(&args.dataset_type)?;
    let common = data_id_terms(repo.universe(), &args.data_id)?;
    let common = with_defaults(&repo, common, |k| dataset_type.dimensions.contains(k))?;
    let base = match &args.prefix {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let files = read_table(&args.table, &base, repo.universe(), &common)?;
    let options = IngestOptions {
        transfer: args.transfer,
        id_mode: match args.id_generation_mode {
            IdGenerationArg::Unique => DatasetIdGenMode::Unique,
            IdGenerationArg::DataidType => DatasetIdGenMode::DataIdType,
            IdGenerationArg::DataidTypeRun => DatasetIdGenMode::DataIdTypeRun,
        },
        formatter: args.formatter.clone(),
    };
    let progress = out.progress();
    let refs = repo.ingest(
        dataset_type.name.as_str(),
        &run,
        &files,
        &options,
        &progress,
    )?;
    drop(progress);
    out.status(&format!(
        "Ingested {} into `{run}` ({})",
        plural(refs.len(), &format!("`{}` dataset", dataset_type.name)),
        args.transfer.as_str()
    ));
    Ok(ExitStatus::Success)
}

/// Reads the ingest table: a header, then one file per row with its data ID values.
fn read_table(
    table: &Path,
    base: &Path,
    universe: &DimensionUniverse,
    common: &BTreeMap<String, DataIdValue>,
) -> anyhow::Result<Vec<IngestFile>> {
    let name = table.display().to_string();
    let text = std::fs::read_to_string(table).with_context(|| format!("cannot read `{name}`"))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("`{name}` has no CSV header row"))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.is_empty() {
        return Err(CliError::new(format!("`{name}` has no columns")).into());
    }
    // Columns after the first name dimensions (or alternate keys such as `full_name`).
    for h in headers.iter().skip(1) {
        if let Err(e) = universe.get_dimension(h) {
            if !h.contains('.') && !is_alternate_key(universe, h) {
                return Err(anyhow::Error::new(e).context(format!("`{name}` column `{h}`")));
            }
        }
    }
    let mut files = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("`{name}` is not valid CSV"))?;
        let line = record.position().map_or(0, |p| p.line());
        let file = record.get(0).unwrap_or_default();
        if file.is_empty() {
            return Err(
                CliError::new(format!("`{name}` line {line}: the file column is empty")).into(),
            );
        }
        let path = resolve(base, file);
        // Existence is checked here to name the table line; the datastore checks readability.
        if let Err(e) = std::fs::metadata(&path) {
            return Err(CliError::with_hint(
                format!(
                    "`{name}` line {line}: cannot read `{}`: {e}",
                    path.display()
                ),
                "paths in an ingest table are relative to `--prefix`, or to the current directory",
            )
            .into());
        }
        let mut data_id = common.clone();
        for (h, cell) in headers.iter().zip(record.iter()).skip(1) {
            if cell.is_empty() {
                continue;
            }
            data_id.insert(h.clone(), cell_value(universe, h, cell));
        }
        files.push(IngestFile { path, data_id });
    }
    if files.is_empty() {
        return Err(CliError::new(format!("`{name}` lists no files")).into());
    }
    Ok(files)
}

fn resolve(base: &Path, file: &str) -> PathBuf {
    let file = file.strip_prefix("file://").unwrap_or(file);
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_owned()
    } else {
        base.join(p)
    }
}

/// Whether `name` is a key column of some dimension other than its primary key
/// (`full_name` of `detector`, `obs_id` of `exposure`).
fn is_alternate_key(universe: &DimensionUniverse, name: &str) -> bool {
    universe
        .dimensions()
        .any(|d| d.keys.iter().skip(1).any(|k| k.name == name))
}

/// A table cell as a data ID value: integers for integer dimensions when the text is one;
/// text otherwise (an alternate key such as a detector's `full_name`, resolved by core).
fn cell_value(universe: &DimensionUniverse, column: &str, cell: &str) -> DataIdValue {
    let int_key = universe
        .get_dimension(column)
        .ok()
        .and_then(|d| d.primary_key())
        .is_some_and(|k| k.column_type == satellite_core::model::ColumnType::Int);
    match cell.parse::<i64>() {
        Ok(i) if int_key => DataIdValue::Int(i),
        _ => DataIdValue::Str(cell.to_owned()),
    }
}
