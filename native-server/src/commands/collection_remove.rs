//! `satellite collection remove` (`butler remove-collections` and `remove-runs`).

use satellite_core::model::{CollectionName, CollectionRecord, CollectionType, DatasetTypeName};
use satellite_core::registry::{DatasetQuery, Limit};
use serde_json::{Map, Value};

use super::{confirm, open, ExitStatus};
use crate::cli::{Format, RemoveCollectionArgs};
use crate::dataset_search::select_names;
use crate::output::{Align, Column, Listing, Output};
use crate::report::CliError;

/// Removes collections; RUNs with their datasets and files.
pub fn run(args: &RemoveCollectionArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let all = registry.all_collections()?;
    let names: Vec<String> = all.iter().map(|c| c.name.to_string()).collect();
    let missing = |name: &str| match registry.collection(name) {
        Err(e) => anyhow::Error::new(e),
        Ok(_) => anyhow::anyhow!("collection `{name}` could not be listed"),
    };
    let selected: Vec<&CollectionRecord> = select_names(&names, &args.names, missing)?
        .into_iter()
        .filter_map(|n| all.iter().find(|c| c.name.as_str() == n.as_str()))
        .collect();
    if selected.is_empty() {
        out.warn("no collection matches; nothing was removed");
        return Ok(ExitStatus::Success);
    }

    // Check everything before changing anything: a chain that lists a collection and stays.
    let removing = |name: &str| selected.iter().any(|c| c.name.as_str() == name);
    if !args.remove_from_parents {
        for c in &selected {
            let parents: Vec<String> = registry
                .chain_parents(c.name.as_str())?
                .into_iter()
                .filter(|p| !removing(p))
                .collect();
            if !parents.is_empty() {
                return Err(CliError::with_hint(
                    format!(
                        "collection `{}` is a child of {}",
                        c.name,
                        parents
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "pass `--remove-from-parents` to remove it from those chains too",
                )
                .into());
            }
        }
    }
    let all_types: Vec<_> = registry
        .dataset_type_names()?
        .iter()
        .map(|n| DatasetTypeName::parse(n))
        .collect::<Result<_, _>>()?;
    let mut plan = Vec::new();
    for c in &selected {
        let refs = if c.collection_type == CollectionType::Run && !all_types.is_empty() {
            let query = DatasetQuery {
                dataset_types: all_types.clone(),
                collections: vec![c.name.clone()],
                limit: Limit::Unlimited,
                ..DatasetQuery::default()
            };
            registry.query_datasets(&query)?.0
        } else {
            Vec::new()
        };
        plan.push((*c, refs));
    }

    let rows = plan
        .iter()
        .map(|(c, refs)| {
            let mut row = Map::new();
            row.insert("name".into(), Value::from(c.name.as_str()));
            row.insert("type".into(), Value::from(c.collection_type.as_str()));
            row.insert("datasets_deleted".into(), Value::from(refs.len()));
            row
        })
        .collect();
    let listing = Listing::single(
        vec![
            Column::new("Name", "name", Align::Left),
            Column::new("Type", "type", Align::Left),
            Column::new("Datasets deleted", "datasets_deleted", Align::Right),
        ],
        rows,
    );
    out.emit(Format::Table, &listing)?;
    if args.dry_run {
        out.status("Dry run: nothing was removed");
        return Ok(ExitStatus::Success);
    }
    let n_datasets: usize = plan.iter().map(|(_, r)| r.len()).sum();
    let question = if n_datasets > 0 {
        format!(
            "Remove these {} collections, deleting {n_datasets} datasets and their files?",
            plan.len()
        )
    } else {
        format!("Remove these {} collections?", plan.len())
    };
    if !confirm(out, &question, args.yes)? {
        out.status("Nothing was removed");
        return Ok(ExitStatus::Success);
    }

    let names: Vec<CollectionName> = plan.iter().map(|(c, _)| c.name.clone()).collect();
    repo.remove_collections(&names, args.remove_from_parents)?;
    let names: Vec<String> = plan.iter().map(|(c, _)| format!("`{}`", c.name)).collect();
    out.status(&format!("Removed {}", names.join(", ")));
    Ok(ExitStatus::Success)
}
