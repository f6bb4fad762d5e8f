//! `satellite query-collections`.

use satellite_core::model::{CollectionRecord, CollectionType};
use satellite_core::registry::SqliteRegistry;
use serde_json::{Map, Value};

use super::{open, ExitStatus};
use crate::cli::{ChainsDisplay, CollectionTypeArg, Format, QueryCollectionsArgs};
use crate::dataset_search::select_names;
use crate::output::{Align, Column, Listing, Output};

/// Lists collections.
pub fn run(args: &QueryCollectionsArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let all = registry.all_collections()?;
    let names: Vec<String> = all.iter().map(|c| c.name.to_string()).collect();
    let missing = |name: &str| match registry.collection(name) {
        Err(e) => anyhow::Error::new(e),
        Ok(_) => anyhow::anyhow!("collection `{name}` could not be listed"),
    };
    let selected_names = select_names(&names, &args.globs, missing)?;
    let selected: Vec<&CollectionRecord> = all
        .iter()
        .filter(|c| selected_names.iter().any(|n| **n == c.name.as_str()))
        .filter(|c| {
            args.collection_type.is_empty()
                || args
                    .collection_type
                    .iter()
                    .any(|t| type_of(*t) == c.collection_type)
        })
        .collect();

    let format = args.format.format;
    let listing = match (args.chains, format) {
        (ChainsDisplay::Flatten, _) => flattened(registry, &all, &selected)?,
        (ChainsDisplay::Tree, Format::Table) => tree(registry, &all, &selected, false)?,
        (ChainsDisplay::InverseTree, Format::Table) => tree(registry, &all, &selected, true)?,
        (mode, _) => {
            let mut rows = Vec::new();
            for c in &selected {
                rows.push(row(registry, c)?);
            }
            let mut columns = vec![
                Column::new("Name", "name", Align::Left),
                Column::new("Type", "type", Align::Left),
            ];
            match (mode, format) {
                (ChainsDisplay::Table, Format::Table) => {
                    columns.push(Column::new("Children", "children", Align::Left));
                }
                (ChainsDisplay::InverseTable, Format::Table) => {
                    columns.push(Column::new("Parents", "parents", Align::Left));
                }
                (_, Format::Table) => {}
                _ => {
                    columns.push(Column::new("Doc", "doc", Align::Left));
                    columns.push(Column::new("Children", "children", Align::Left));
                    columns.push(Column::new("Parents", "parents", Align::Left));
                }
            }
            Listing::single(columns, rows)
        }
    };
    out.emit(format, &listing)?;
    Ok(ExitStatus::Success)
}

fn type_of(t: CollectionTypeArg) -> CollectionType {
    match t {
        CollectionTypeArg::Run => CollectionType::Run,
        CollectionTypeArg::Tagged => CollectionType::Tagged,
        CollectionTypeArg::Chained => CollectionType::Chained,
        CollectionTypeArg::Calibration => CollectionType::Calibration,
    }
}

/// The JSON object of a collection.
fn row(registry: &SqliteRegistry, c: &CollectionRecord) -> anyhow::Result<Map<String, Value>> {
    let mut row = Map::new();
    row.insert("name".into(), Value::from(c.name.as_str()));
    row.insert("type".into(), Value::from(c.collection_type.as_str()));
    row.insert("doc".into(), Value::from(c.doc.as_str()));
    row.insert(
        "children".into(),
        Value::from(c.children.iter().map(|n| n.to_string()).collect::<Vec<_>>()),
    );
    row.insert(
        "parents".into(),
        Value::from(registry.chain_parents(c.name.as_str())?),
    );
    Ok(row)
}

fn tree(
    registry: &SqliteRegistry,
    all: &[CollectionRecord],
    selected: &[&CollectionRecord],
    inverse: bool,
) -> anyhow::Result<Listing> {
    let mut rows = Vec::new();
    for c in selected {
        walk(registry, all, c, 0, inverse, &mut Vec::new(), &mut rows)?;
    }
    let columns = vec![
        Column::new("Name", "indented_name", Align::Left),
        Column::new("Type", "type", Align::Left),
    ];
    Ok(Listing::single(columns, rows))
}

fn walk(
    registry: &SqliteRegistry,
    all: &[CollectionRecord],
    c: &CollectionRecord,
    depth: usize,
    inverse: bool,
    path: &mut Vec<String>,
    rows: &mut Vec<Map<String, Value>>,
) -> anyhow::Result<()> {
    // Trees are only drawn as tables, so the indented name never reaches JSON or CSV.
    let mut r = row(registry, c)?;
    r.insert(
        "indented_name".into(),
        Value::from(format!("{}{}", "  ".repeat(depth), c.name)),
    );
    rows.push(r);
    // Chains are acyclic, but a path guard keeps a damaged registry from looping forever.
    if path.iter().any(|p| p == c.name.as_str()) || depth > 100 {
        return Ok(());
    }
    path.push(c.name.to_string());
    let next: Vec<String> = if inverse {
        registry.chain_parents(c.name.as_str())?
    } else {
        c.children.iter().map(|n| n.to_string()).collect()
    };
    for name in next {
        if let Some(child) = all.iter().find(|r| r.name.as_str() == name) {
            walk(registry, all, child, depth + 1, inverse, path, rows)?;
        }
    }
    path.pop();
    Ok(())
}

fn flattened(
    registry: &SqliteRegistry,
    all: &[CollectionRecord],
    selected: &[&CollectionRecord],
) -> anyhow::Result<Listing> {
    let mut names: Vec<String> = Vec::new();
    for c in selected {
        for (_, name, _) in registry.flatten(std::slice::from_ref(&c.name))? {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut rows = Vec::new();
    for name in names {
        if let Some(c) = all.iter().find(|r| r.name.as_str() == name) {
            rows.push(row(registry, c)?);
        }
    }
    let columns = vec![
        Column::new("Name", "name", Align::Left),
        Column::new("Type", "type", Align::Left),
    ];
    Ok(Listing::single(columns, rows))
}
