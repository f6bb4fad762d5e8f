//! `satellite collection chain` (`butler collection-chain`).

use satellite_core::model::{CollectionName, CollectionType};
use satellite_core::registry::{RegistryError, SqliteRegistry};

use super::{open, ExitStatus};
use crate::cli::{ChainArgs, ChainMode};
use crate::output::Output;
use crate::report::CliError;

/// Defines or edits a chain.
pub fn run(args: &ChainArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let repo = open(&args.repo)?;
    let registry = repo.registry();
    let parent = CollectionName::parse(&args.parent)?;
    let existing = current_children(registry, &parent, args.mode)?;
    let new_children = match args.mode {
        ChainMode::Pop => pop(&existing, &args.children, &parent)?,
        mode => {
            let mut children = names(registry, &args.children)?;
            if args.flatten {
                children = registry
                    .flatten(&children)?
                    .into_iter()
                    .map(|(_, n, _)| CollectionName::parse(&n))
                    .collect::<Result<_, _>>()?;
            }
            let others = |keep: &[CollectionName]| -> Vec<CollectionName> {
                existing
                    .iter()
                    .filter(|c| !keep.contains(c))
                    .cloned()
                    .collect()
            };
            match mode {
                ChainMode::Extend => [others(&children), children].concat(),
                ChainMode::Prepend => [children.clone(), others(&children)].concat(),
                ChainMode::Remove => {
                    if let Some(c) = children.iter().find(|c| !existing.contains(c)) {
                        return Err(CliError::new(format!(
                            "`{c}` is not a child of `{parent}`, so it cannot be removed from it"
                        ))
                        .into());
                    }
                    others(&children)
                }
                _ => children,
            }
        }
    };
    registry.set_chain(&parent, &new_children, args.doc.as_deref())?;
    let list: Vec<String> = new_children.iter().map(|c| format!("`{c}`")).collect();
    out.status(&format!(
        "`{parent}` now searches {}",
        if list.is_empty() {
            "nothing".to_owned()
        } else {
            list.join(", ")
        }
    ));
    Ok(ExitStatus::Success)
}

/// The chain's children now; a missing chain has none (it is created) unless the mode edits.
fn current_children(
    registry: &SqliteRegistry,
    parent: &CollectionName,
    mode: ChainMode,
) -> anyhow::Result<Vec<CollectionName>> {
    match registry.collection_record(parent.as_str()) {
        Ok(record) if record.collection_type == CollectionType::Chained => Ok(record.children),
        Ok(record) => Err(CliError::with_hint(
            format!(
                "collection `{parent}` is a {} collection, not CHAINED",
                record.collection_type
            ),
            "choose a new name for the chain",
        )
        .into()),
        Err(RegistryError::MissingCollection { .. })
            if matches!(
                mode,
                ChainMode::Redefine | ChainMode::Extend | ChainMode::Prepend
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// Parses and checks child names (each must exist).
fn names(registry: &SqliteRegistry, given: &[String]) -> anyhow::Result<Vec<CollectionName>> {
    let mut out: Vec<CollectionName> = Vec::new();
    for n in given {
        registry.collection(n)?;
        let name = CollectionName::parse(n)?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Removes the children at the given positions (Python-style negative indices; 0 by default).
fn pop(
    existing: &[CollectionName],
    positions: &[String],
    parent: &CollectionName,
) -> anyhow::Result<Vec<CollectionName>> {
    let len = existing.len() as i64;
    let mut drop = Vec::new();
    let given = if positions.is_empty() {
        vec!["0".to_owned()]
    } else {
        positions.to_vec()
    };
    for p in &given {
        let i: i64 = p.parse().map_err(|_| {
            CliError::new(format!(
                "`{p}` is not a position in the chain (`--mode pop` takes integers)"
            ))
        })?;
        let index = if i < 0 { len + i } else { i };
        if !(0..len).contains(&index) {
            return Err(CliError::new(format!(
                "position {i} is outside the {len} children of `{parent}`"
            ))
            .into());
        }
        drop.push(index as usize);
    }
    Ok(existing
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, c)| c.clone())
        .collect())
}
