//! Turning command-line search terms into registry queries: dataset type globs, collection
//! names and globs, and `key=value` data ID terms typed by the universe.
//!
//! Every name that is not a glob must exist; an unknown one is the registry's error, which
//! suggests the nearest existing names.

use std::collections::{BTreeMap, HashSet};

use anyhow::Context;
use globset::{Glob, GlobMatcher};
use satellite_core::model::{
    CollectionName, DataIdValue, DatasetRef, DatasetTypeName, DimensionUniverse,
};
use satellite_core::registry::{DatasetQuery, Filter, Limit, SqliteRegistry};
use satellite_core::repository::Repository;

use crate::cli::{DataIdTerm, DatasetSearchArgs, WhereArgs};
use crate::report::CliError;

/// Whether a name is a glob pattern (`*`, `?` or `[`).
pub fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '['])
}

fn matcher(pattern: &str) -> anyhow::Result<GlobMatcher> {
    Ok(Glob::new(pattern)
        .with_context(|| format!("`{pattern}` is not a valid glob pattern"))?
        .compile_matcher())
}

/// Names in `candidates` matching `patterns` (all when there are none), in candidate order.
/// A pattern without glob characters must name an existing candidate: `missing` builds the
/// error for one that does not.
pub fn select_names<'a>(
    candidates: &'a [String],
    patterns: &[String],
    missing: impl Fn(&str) -> anyhow::Error,
) -> anyhow::Result<Vec<&'a String>> {
    if patterns.is_empty() {
        return Ok(candidates.iter().collect());
    }
    let mut matchers = Vec::new();
    for p in patterns {
        if is_glob(p) {
            matchers.push(matcher(p)?);
        } else if !candidates.iter().any(|c| c == p) {
            return Err(missing(p));
        }
    }
    Ok(candidates
        .iter()
        .filter(|c| patterns.iter().any(|p| p == *c) || matchers.iter().any(|m| m.is_match(c)))
        .collect())
}

/// The dataset types named by `patterns` (all when none), sorted by name. Components
/// (`calexp.wcs`) are kept as given after checking their parent is registered.
///
/// # Errors
/// An unknown name, with suggestions.
pub fn dataset_types(
    registry: &SqliteRegistry,
    patterns: &[String],
) -> anyhow::Result<Vec<DatasetTypeName>> {
    let names = registry.dataset_type_names()?;
    let mut out = Vec::new();
    let mut plain = Vec::new();
    for p in patterns {
        if !is_glob(p) && p.contains('.') {
            let name = DatasetTypeName::parse(p)?;
            registry.dataset_type(name.parent())?;
            out.push(name);
        } else {
            plain.push(p.clone());
        }
    }
    if !patterns.is_empty() && plain.is_empty() {
        return Ok(out);
    }
    let missing = |name: &str| match registry.dataset_type(name) {
        Err(e) => anyhow::Error::new(e),
        Ok(_) => anyhow::anyhow!("dataset type `{name}` could not be listed"),
    };
    for name in select_names(&names, &plain, missing)? {
        out.push(DatasetTypeName::parse(name)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The collections to search, in the order given; all collections (by name) when none is
/// given. Globs expand to the matching names, sorted.
///
/// # Errors
/// An unknown name (with suggestions); a glob, or no collections at all, with `find_first`.
pub fn collections(
    registry: &SqliteRegistry,
    names: &[String],
    find_first: bool,
) -> anyhow::Result<Vec<CollectionName>> {
    if find_first {
        if names.is_empty() {
            return Err(CliError::with_hint(
                "`--find-first` needs `--collections`: the order to search in",
                "name the collections in search order, e.g. `--collections u/alice/run2,u/alice/run1`",
            )
            .into());
        }
        if let Some(g) = names.iter().find(|n| is_glob(n)) {
            return Err(CliError::with_hint(
                format!("cannot use wildcards in collections with `--find-first` (given `{g}`)"),
                "list the collections in search order, or leave out `--find-first`",
            )
            .into());
        }
    }
    let all = registry.collection_names()?;
    let mut out: Vec<CollectionName> = Vec::new();
    let mut push = |name: &str| -> anyhow::Result<()> {
        let name = CollectionName::parse(name)?;
        if !out.contains(&name) {
            out.push(name);
        }
        Ok(())
    };
    if names.is_empty() {
        for n in &all {
            push(n)?;
        }
        return Ok(out);
    }
    for n in names {
        if is_glob(n) {
            let m = matcher(n)?;
            for c in all.iter().filter(|c| m.is_match(c)) {
                push(c)?;
            }
        } else {
            registry.collection(n)?;
            push(n)?;
        }
    }
    Ok(out)
}

/// Types `key=value` terms by the universe: each key must be a dimension, and the value must
/// have the type of the dimension's key (`visit=12`, `band=g`).
///
/// # Errors
/// An unknown dimension (with suggestions), a value of the wrong type, or a key given twice
/// with different values.
pub fn data_id_terms(
    universe: &DimensionUniverse,
    terms: &[DataIdTerm],
) -> anyhow::Result<BTreeMap<String, DataIdValue>> {
    let mut out = BTreeMap::new();
    for t in terms {
        let value = typed_value(universe, &t.key, &t.value)?;
        insert_term(&mut out, &t.key, value)?;
    }
    Ok(out)
}

/// The value of `dimension=text`, typed by the dimension's key.
///
/// # Errors
/// An unknown dimension or a value of the wrong type.
pub fn typed_value(
    universe: &DimensionUniverse,
    dimension: &str,
    text: &str,
) -> anyhow::Result<DataIdValue> {
    let d = universe.get_dimension(dimension)?;
    let column_type = d.primary_key().map(|k| k.column_type);
    Ok(match column_type {
        Some(t) => DataIdValue::parse_for(dimension, t, text)?,
        None => DataIdValue::Str(text.to_owned()),
    })
}

fn insert_term(
    map: &mut BTreeMap<String, DataIdValue>,
    key: &str,
    value: DataIdValue,
) -> anyhow::Result<()> {
    if let Some(old) = map.get(key) {
        if *old != value {
            return Err(CliError::new(format!(
                "`{key}` is given twice in the data ID, as `{old}` and `{value}`"
            ))
            .into());
        }
    }
    map.insert(key.to_owned(), value);
    Ok(())
}

/// Adds the repository's configured default data ID values (`default_data_id` in
/// `satellite.yaml`) that `keep` accepts and the command line did not set.
///
/// # Errors
/// A configured key that is not a dimension, or a value of the wrong type.
pub fn with_defaults(
    repo: &Repository,
    mut map: BTreeMap<String, DataIdValue>,
    keep: impl Fn(&str) -> bool,
) -> anyhow::Result<BTreeMap<String, DataIdValue>> {
    for (k, v) in &repo.config().default_data_id {
        if map.contains_key(k) || !keep(k) {
            continue;
        }
        let value = typed_value(repo.universe(), k, v)
            .context("`default_data_id` in the repository configuration")?;
        map.insert(k.clone(), value);
    }
    Ok(map)
}

/// Datasets found by a search.
#[derive(Debug)]
pub struct Found {
    /// The datasets, grouped by dataset type (sorted), then by data ID.
    pub refs: Vec<DatasetRef>,
    /// Whether the limit cut the result short.
    pub truncated: bool,
}

/// Finds the datasets of the types `globs` in the search of `args`.
///
/// Without `--find-first` a dataset found through several collections is listed once.
///
/// # Errors
/// Unknown dataset types or collections, bad data ID terms, registry errors.
pub fn find_datasets(
    repo: &Repository,
    globs: &[String],
    args: &DatasetSearchArgs,
    order_by: &[String],
    limit: Limit,
) -> anyhow::Result<Found> {
    let registry = repo.registry();
    let dataset_types = dataset_types(registry, globs)?;
    let collections = collections(registry, &args.collections, args.find_first)?;
    let data_id = data_id_terms(repo.universe(), &args.data_id)?;
    let filter = filter(repo, &args.filter, data_id, order_by)?;
    if dataset_types.is_empty() || collections.is_empty() {
        return Ok(Found {
            refs: Vec::new(),
            truncated: false,
        });
    }
    // The registry lists a dataset once per collection it is found in; the Python Butler lists
    // it once. Without find-first the limit is therefore applied here, after removing repeats.
    let query = DatasetQuery {
        dataset_types,
        collections,
        filter,
        find_first: args.find_first,
        timespan: None,
        limit: if args.find_first {
            limit
        } else {
            Limit::Unlimited
        },
    };
    let (mut refs, mut truncated) = registry.query_datasets(&query)?;
    if !args.find_first {
        let mut seen = HashSet::new();
        refs.retain(|r| seen.insert((r.id, r.component.clone())));
        if let Some(cap) = limit.cap() {
            truncated = refs.len() > cap;
            refs.truncate(cap);
        }
    }
    Ok(Found { refs, truncated })
}

/// The registry's [`Filter`] for a verb's `--where`, `--bind`, `--instrument`, data ID terms
/// and `--order-by`; defaults come from the repository ([`Repository::query_defaults`]).
///
/// # Errors
/// A bad `default_data_id` in the repository configuration, or a bad `--instrument`.
pub fn filter(
    repo: &Repository,
    args: &WhereArgs,
    data_id: BTreeMap<String, DataIdValue>,
    order_by: &[String],
) -> anyhow::Result<Filter> {
    let mut defaults = repo
        .query_defaults()
        .context("`default_data_id` in the repository configuration")?;
    if let Some(i) = &args.instrument {
        defaults.insert("instrument".to_owned(), DataIdValue::Str(i.clone()));
    }
    Ok(Filter {
        expression: args.where_.clone(),
        bind: args.bind.iter().cloned().collect(),
        data_id,
        defaults,
        order_by: order_by.to_vec(),
    })
}
