//! `satellite collection certify` and `decertify` (`butler certify-calibrations`).

use std::collections::BTreeMap;

use satellite_core::model::{
    CollectionName, CollectionType, DataCoordinate, DatasetTypeName, Timespan,
};
use satellite_core::registry::{DatasetQuery, Filter, Limit, RegistryError};

use super::{open, plural, ExitStatus};
use crate::cli::{CertifyArgs, DecertifyArgs};
use crate::dataset_search::{collections, data_id_terms};
use crate::output::Output;
use crate::report::CliError;

fn timespan(begin: Option<&str>, end: Option<&str>) -> anyhow::Result<Timespan> {
    let parse = |t: Option<&str>| t.map(Timespan::parse_tai_iso).transpose();
    let ts = Timespan::new(parse(begin)?, parse(end)?);
    if ts.is_empty() {
        return Err(CliError::new(format!(
            "the validity range {ts} is empty: `--begin-date` must come before `--end-date`"
        ))
        .into());
    }
    Ok(ts)
}

/// Certifies the datasets found into a CALIBRATION collection, creating it when missing.
pub fn certify(args: &CertifyArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let calib = CollectionName::parse(&args.collection)?;
    let dataset_type = registry.dataset_type(&args.dataset_type)?;
    if !dataset_type.is_calibration {
        return Err(RegistryError::NotCalibration(dataset_type.name.to_string()).into());
    }
    let ts = timespan(args.begin_date.as_deref(), args.end_date.as_deref())?;
    let find_first = !args.search_all_inputs;
    let query = DatasetQuery {
        dataset_types: vec![dataset_type.name.clone()],
        collections: collections(registry, &args.collections, find_first)?,
        filter: Filter {
            data_id: data_id_terms(repo.universe(), &args.data_id)?,
            ..Filter::default()
        },
        find_first,
        timespan: None,
        limit: Limit::Unlimited,
    };
    let (refs, _) = registry.query_datasets(&query)?;
    if refs.is_empty() {
        out.warn(&format!(
            "no `{}` datasets found in the input collections; nothing was certified",
            dataset_type.name
        ));
        return Ok(ExitStatus::Success);
    }
    registry.transaction(|| {
        registry.register_collection(&calib, CollectionType::Calibration, "")?;
        registry.certify(&calib, &refs, ts)
    })?;
    out.status(&format!(
        "Certified {} of `{}` into `{calib}` for {ts}",
        plural(refs.len(), "dataset"),
        dataset_type.name
    ));
    Ok(ExitStatus::Success)
}

/// Removes or clips validity ranges.
pub fn decertify(args: &DecertifyArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let calib = CollectionName::parse(&args.collection)?;
    registry.collection(calib.as_str())?;
    let dataset_type = registry.dataset_type(&args.dataset_type)?;
    let ts = timespan(args.begin_date.as_deref(), args.end_date.as_deref())?;
    let data_ids: Option<Vec<DataCoordinate>> = if args.data_id.is_empty() {
        None
    } else {
        let query = DatasetQuery {
            dataset_types: vec![DatasetTypeName::parse(dataset_type.name.as_str())?],
            collections: vec![calib.clone()],
            filter: Filter {
                data_id: data_id_terms(repo.universe(), &args.data_id)?,
                ..Filter::default()
            },
            find_first: false,
            timespan: None,
            limit: Limit::Unlimited,
        };
        let (refs, _) = registry.query_datasets(&query)?;
        let mut unique: BTreeMap<Vec<satellite_core::model::DataIdValue>, DataCoordinate> =
            BTreeMap::new();
        for r in refs {
            unique
                .entry(r.data_id.required_values().to_vec())
                .or_insert(r.data_id);
        }
        Some(unique.into_values().collect())
    };
    if data_ids.as_ref().is_some_and(Vec::is_empty) {
        out.warn("no certified datasets have that data ID; nothing was decertified");
        return Ok(ExitStatus::Success);
    }
    let n = registry.decertify(&calib, dataset_type.name.as_str(), ts, data_ids.as_deref())?;
    out.status(&format!(
        "Decertified {} of `{}` in `{calib}` within {ts}",
        plural(n, "validity range"),
        dataset_type.name
    ));
    Ok(ExitStatus::Success)
}
