//! `satellite query-data-ids`.
//!
//! The registry has no data ID query yet, so this verb builds data IDs here, in two ways:
//!
//! - with `--datasets`, from the data IDs of the datasets found, reduced to the requested
//!   dimensions (which must all be dimensions of each dataset type; several types intersect);
//! - without, as combinations of the records of the required dimensions that agree on shared
//!   keys, restricted to the rows of join elements (`visit_detector_region`, ...) of the group
//!   when those have rows.
//!
//! Either way implied values come from the records. This is an approximation of the Python
//! Butler's query system: no spatial or temporal joins and no `--where`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use satellite_core::model::{
    DataCoordinate, DataIdValue, DatasetTypeName, DimensionGroup, DimensionUniverse, RecordValue,
};
use satellite_core::registry::{DatasetQuery, Limit, SqliteRegistry};
use satellite_core::repository::Repository;

use super::{open, warn_truncated, ExitStatus};
use crate::cli::QueryDataIdsArgs;
use crate::dataset_listing::data_ids;
use crate::dataset_search::{self, data_id_terms, with_defaults};
use crate::output::Output;
use crate::report::CliError;

/// Lists data IDs.
pub fn run(args: &QueryDataIdsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let universe = repo.universe();
    let group = Arc::new(universe.group(&args.dimensions)?);
    let constraints = data_id_terms(universe, &args.data_id)?;
    let constraints = with_defaults(&repo, constraints, |k| group.contains(k))?;
    if let Some(k) = constraints.keys().find(|k| !group.contains(k)) {
        return Err(CliError::with_hint(
            format!("`--data-id {k}=...` constrains a dimension that is not part of {group}"),
            format!("add `{k}` to the dimensions, or leave the term out (joins through other dimensions need the `--where` language of a later version)"),
        )
        .into());
    }
    let required: BTreeSet<Vec<DataIdValue>> = if args.datasets.is_empty() {
        from_records(repo.registry(), universe, &group, &constraints)?
    } else {
        from_datasets(&repo, args, &group, &constraints)?
    };
    let mut full = Vec::new();
    for values in required {
        let id = DataCoordinate::from_required(Arc::clone(&group), values)?;
        let id = repo.registry().fill_implied(&id)?;
        if constraints.iter().all(|(k, v)| id.get(k) == Some(v)) {
            full.push(id);
        }
    }
    let limit = Limit::from_cli(args.limit.limit);
    let truncated = limit.cap().is_some_and(|cap| full.len() > cap);
    if let Some(cap) = limit.cap() {
        full.truncate(cap);
    }
    out.emit(args.format.format, &data_ids(&full, &group))?;
    warn_truncated(out, "data IDs", limit, truncated);
    Ok(ExitStatus::Success)
}

fn from_datasets(
    repo: &Repository,
    args: &QueryDataIdsArgs,
    group: &Arc<DimensionGroup>,
    constraints: &BTreeMap<String, DataIdValue>,
) -> anyhow::Result<BTreeSet<Vec<DataIdValue>>> {
    let registry = repo.registry();
    let types = dataset_search::dataset_types(registry, &args.datasets)?;
    let collections = dataset_search::collections(registry, &args.collections, false)?;
    let mut result: Option<BTreeSet<Vec<DataIdValue>>> = None;
    for name in types {
        let dataset_type = registry.dataset_type(name.parent())?;
        if !dataset_type.dimensions.is_superset(group) {
            return Err(CliError::with_hint(
                format!(
                    "dataset type `{name}` has the dimensions {}, which do not include all of {group}",
                    dataset_type.dimensions
                ),
                "ask for dimensions of the dataset type; joins to other dimensions need the `--where` language of a later version",
            )
            .into());
        }
        let query = DatasetQuery {
            dataset_types: vec![DatasetTypeName::parse(name.parent())?],
            collections: collections.clone(),
            data_id: constraints.clone(),
            find_first: false,
            timespan: None,
            limit: Limit::Unlimited,
        };
        let (refs, _) = registry.query_datasets(&query)?;
        let mut ids = BTreeSet::new();
        for r in refs {
            let values: Option<Vec<DataIdValue>> = group
                .required()
                .map(|d| r.data_id.get(d).cloned())
                .collect();
            ids.extend(values);
        }
        result = Some(match result {
            None => ids,
            Some(prev) => prev.intersection(&ids).cloned().collect(),
        });
    }
    Ok(result.unwrap_or_default())
}

/// Combinations of the records of the group's required dimensions.
fn from_records(
    registry: &SqliteRegistry,
    universe: &DimensionUniverse,
    group: &Arc<DimensionGroup>,
    constraints: &BTreeMap<String, DataIdValue>,
) -> anyhow::Result<BTreeSet<Vec<DataIdValue>>> {
    let mut partial: Vec<BTreeMap<String, DataIdValue>> = vec![BTreeMap::new()];
    for dim in group.required() {
        let element = universe.get_dimension(dim)?;
        // Every record as the values of the dimensions it identifies (itself and the
        // dimensions it requires).
        let mut options: Vec<BTreeMap<String, DataIdValue>> = Vec::new();
        if let Some(target) = &element.implied_union_target {
            let values: BTreeSet<DataIdValue> = registry
                .element_records(target)?
                .values()
                .filter_map(|r| r.get(dim).and_then(RecordValue::as_data_id_value))
                .collect();
            options.extend(
                values
                    .into_iter()
                    .map(|v| BTreeMap::from([(dim.to_owned(), v)])),
            );
        } else if element.has_table() {
            let key_column = element
                .primary_key()
                .map(|k| k.name.clone())
                .unwrap_or_default();
            for record in registry.element_records(dim)?.values() {
                let mut values = BTreeMap::new();
                for d in universe.required_closure(dim) {
                    let column = if d == dim {
                        key_column.as_str()
                    } else {
                        d.as_str()
                    };
                    if let Some(v) = record.get(column).and_then(RecordValue::as_data_id_value) {
                        values.insert(d, v);
                    }
                }
                options.push(values);
            }
            options.sort();
        } else {
            return Err(CliError::with_hint(
                format!("`{dim}` data IDs cannot be listed from dimension records (it has no records of its own)"),
                "list them from datasets with `--datasets TYPE --collections COLLECTION`",
            )
            .into());
        }
        let mut next = Vec::new();
        for p in &partial {
            for o in &options {
                let agrees = o.iter().all(|(k, v)| {
                    p.get(k).is_none_or(|x| x == v) && constraints.get(k).is_none_or(|x| x == v)
                });
                if agrees {
                    let mut merged = p.clone();
                    merged.extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
                    next.push(merged);
                }
            }
        }
        partial = next;
    }
    // Join elements (visit_detector_region, ...) relate their dimensions when they have rows.
    for el in group.elements() {
        let Some(e) = universe.element(el) else {
            continue;
        };
        if e.is_dimension() || !e.has_table() {
            continue;
        }
        let rows = registry.element_records(el)?;
        if rows.is_empty() {
            continue;
        }
        let dims = universe.required_closure(el);
        let keys: HashSet<Vec<DataIdValue>> = rows
            .values()
            .filter_map(|r| {
                dims.iter()
                    .map(|d| r.get(d).and_then(RecordValue::as_data_id_value))
                    .collect()
            })
            .collect();
        partial.retain(|p| {
            let key: Option<Vec<DataIdValue>> = dims.iter().map(|d| p.get(d).cloned()).collect();
            key.is_some_and(|k| keys.contains(&k))
        });
    }
    Ok(partial
        .iter()
        .filter_map(|p| group.required().map(|d| p.get(d).cloned()).collect())
        .collect())
}
