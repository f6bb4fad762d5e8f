//! The dimension universe, loaded from the Python Butler's `dimensions.yaml` schema.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::{suggest, DimensionGroup, ModelError};

/// The default universe of the Python Butler (`daf_butler`, version 8), shipped verbatim.
const DEFAULT_DIMENSIONS_YAML: &str = include_str!("dimensions.yaml");

/// The type of a column in a dimension record (the `type` of a column spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// 64-bit integer.
    Int,
    /// String of at most `length` characters.
    String,
    /// Fixed-size bytes (`nbytes`), written as hex.
    Hash,
    /// Double-precision float.
    Float,
    /// Boolean.
    Bool,
    /// A UUID.
    Uuid,
    /// A sky region (sphgeom encoding, opaque bytes to us).
    Region,
    /// A half-open TAI interval.
    Timespan,
    /// A TAI instant.
    Datetime,
}

impl ColumnType {
    /// How the type reads in an error message (`an integer`).
    pub fn describe(self) -> &'static str {
        match self {
            Self::Int => "an integer",
            Self::String => "a string",
            Self::Hash => "a hex string",
            Self::Float => "a number",
            Self::Bool => "a boolean",
            Self::Uuid => "a UUID",
            Self::Region => "a region",
            Self::Timespan => "a timespan",
            Self::Datetime => "a time",
        }
    }
}

/// One column of a dimension element (`{name, type, length?, nbytes?, nullable?, doc?}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// Column type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Maximum length for strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Size for hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbytes: Option<u32>,
    /// Whether NULL is allowed (key columns never are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UniverseConfig {
    version: u32,
    #[serde(default = "default_namespace")]
    namespace: String,
    skypix: serde_yaml::Mapping,
    elements: serde_yaml::Mapping,
    #[serde(default)]
    topology: Topology,
}

fn default_namespace() -> String {
    "daf_butler".to_owned()
}

#[derive(Debug, Default, Deserialize)]
struct Topology {
    #[serde(default)]
    spatial: serde_yaml::Mapping,
    #[serde(default)]
    temporal: serde_yaml::Mapping,
}

#[derive(Debug, Deserialize)]
struct ElementConfig {
    #[serde(default)]
    doc: Option<String>,
    #[serde(default)]
    keys: Vec<ColumnSpec>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    implies: Vec<String>,
    #[serde(default)]
    metadata: Vec<ColumnSpec>,
    #[serde(default)]
    governor: bool,
    #[serde(default)]
    is_cached: bool,
    #[serde(default)]
    implied_union_target: Option<String>,
    #[serde(default)]
    always_join: bool,
    #[serde(default)]
    populated_by: Option<String>,
    #[serde(default)]
    storage: Option<serde_yaml::Value>,
}

/// One element of the universe: a dimension (it has keys) or a dimension join element.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionElement {
    /// Element name (`visit`, `visit_detector_region`).
    pub name: String,
    /// Free text.
    pub doc: String,
    /// Key columns, primary key first; empty for a join element.
    pub keys: Vec<ColumnSpec>,
    /// Dimensions directly required (part of the compound primary key).
    pub requires: Vec<String>,
    /// Dimensions directly implied.
    pub implies: Vec<String>,
    /// Extra non-key columns.
    pub metadata: Vec<ColumnSpec>,
    /// Governor dimensions (`instrument`, `skymap`) must be constrained in queries.
    pub governor: bool,
    /// The client may cache all records.
    pub cached: bool,
    /// The element has no table; its values are those of this target's column (`band`).
    pub implied_union_target: Option<String>,
    /// Join elements joined whenever their required dimensions are.
    pub always_join: bool,
    /// A dimension whose records bring this element's rows along in transfers.
    pub populated_by: Option<String>,
    /// The spatial family this element belongs to, if any (gives it a `region` column).
    pub spatial_family: Option<String>,
    /// The temporal family, if any (gives it a `timespan` column).
    pub temporal_family: Option<String>,
    /// A skypix dimension (`htm7`): values computed from a pixelization, no table.
    pub skypix: bool,
}

impl DimensionElement {
    /// Whether this element is a dimension (has its own key) rather than a join element.
    pub fn is_dimension(&self) -> bool {
        !self.keys.is_empty()
    }

    /// The primary key column (`id` of `visit`, `name` of `instrument`).
    pub fn primary_key(&self) -> Option<&ColumnSpec> {
        self.keys.first()
    }

    /// Whether records of this element are stored in a table of their own.
    pub fn has_table(&self) -> bool {
        !self.skypix && self.implied_union_target.is_none()
    }

    /// The columns of a record of this element, in the Python Butler's order: required
    /// dimensions other than itself (named after the dimension), its primary key, implied
    /// dimensions, alternate keys, metadata, then `region` and `timespan` where the topology
    /// gives them.
    pub fn record_columns(&self, universe: &DimensionUniverse) -> Vec<ColumnSpec> {
        let mut cols = Vec::new();
        let required = universe.required_closure(&self.name);
        for dim in &required {
            if *dim == self.name {
                continue;
            }
            if let Some(pk) = universe.element(dim).and_then(|e| e.primary_key()) {
                cols.push(ColumnSpec {
                    name: dim.clone(),
                    nullable: Some(false),
                    doc: None,
                    ..pk.clone()
                });
            }
        }
        cols.extend(self.keys.first().cloned());
        let mut implied: Vec<&String> = self.implies.iter().collect();
        implied.sort_by_key(|d| universe.position(d));
        for dim in implied {
            if let Some(pk) = universe.element(dim).and_then(|e| e.primary_key()) {
                cols.push(ColumnSpec {
                    name: dim.clone(),
                    nullable: Some(true),
                    doc: None,
                    ..pk.clone()
                });
            }
        }
        cols.extend(self.keys.iter().skip(1).cloned());
        cols.extend(self.metadata.iter().cloned());
        if self.spatial_family.is_some() {
            cols.push(simple_column("region", ColumnType::Region));
        }
        if self.temporal_family.is_some() {
            cols.push(simple_column("timespan", ColumnType::Timespan));
        }
        cols
    }
}

fn simple_column(name: &str, column_type: ColumnType) -> ColumnSpec {
    ColumnSpec {
        name: name.to_owned(),
        column_type,
        length: None,
        nbytes: None,
        nullable: Some(true),
        doc: None,
    }
}

#[derive(Debug)]
struct UniverseInner {
    namespace: String,
    version: u32,
    common_skypix: String,
    elements: Vec<DimensionElement>,
    index: HashMap<String, usize>,
    config_json: serde_json::Value,
    /// Spatial and temporal families: name and members, most specific first.
    families: Vec<(bool, String, Vec<String>)>,
}

/// The schema of all dimensions: a cheap-to-clone handle.
#[derive(Debug, Clone)]
pub struct DimensionUniverse(Arc<UniverseInner>);

impl PartialEq for DimensionUniverse {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.config_json == other.0.config_json
    }
}

impl DimensionUniverse {
    /// The Python Butler's default universe, `daf_butler` version 8.
    pub fn default_universe() -> Self {
        Self::from_yaml(DEFAULT_DIMENSIONS_YAML).expect("the shipped dimensions.yaml is valid")
    }

    /// Loads a universe from `dimensions.yaml` text.
    ///
    /// # Errors
    /// [`ModelError::InvalidUniverse`] naming what is malformed or inconsistent.
    pub fn from_yaml(text: &str) -> Result<Self, ModelError> {
        let value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| ModelError::InvalidUniverse(e.to_string()))?;
        let json =
            serde_json::to_value(&value).map_err(|e| ModelError::InvalidUniverse(e.to_string()))?;
        Self::from_config_value(value, json)
    }

    /// Loads a universe from its JSON form (as stored in a repository).
    ///
    /// # Errors
    /// [`ModelError::InvalidUniverse`].
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ModelError::InvalidUniverse(e.to_string()))?;
        let value: serde_yaml::Value = serde_json::from_value(json.clone())
            .map_err(|e| ModelError::InvalidUniverse(e.to_string()))?;
        Self::from_config_value(value, json)
    }

    fn from_config_value(
        value: serde_yaml::Value,
        json: serde_json::Value,
    ) -> Result<Self, ModelError> {
        let bad = |m: String| ModelError::InvalidUniverse(m);
        let config: UniverseConfig =
            serde_yaml::from_value(value).map_err(|e| bad(e.to_string()))?;
        let common_skypix = config
            .skypix
            .get("common")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("`skypix.common` is missing".into()))?
            .to_owned();
        let family_of =
            |families: &serde_yaml::Mapping| -> Result<HashMap<String, String>, ModelError> {
                let mut out = HashMap::new();
                for (family, members) in families {
                    let family = family
                        .as_str()
                        .ok_or_else(|| bad("a topology family name is not a string".into()))?;
                    let members: Vec<String> = serde_yaml::from_value(members.clone())
                        .map_err(|e| bad(format!("topology `{family}`: {e}")))?;
                    for m in members {
                        out.insert(m, family.to_owned());
                    }
                }
                Ok(out)
            };
        let spatial = family_of(&config.topology.spatial)?;
        let temporal = family_of(&config.topology.temporal)?;
        let mut families = Vec::new();
        for (is_spatial, map) in [
            (true, &config.topology.spatial),
            (false, &config.topology.temporal),
        ] {
            for (family, members) in map {
                let name = family.as_str().unwrap_or_default().to_owned();
                let members: Vec<String> = serde_yaml::from_value(members.clone())
                    .map_err(|e| bad(format!("topology `{name}`: {e}")))?;
                families.push((is_spatial, name, members));
            }
        }

        let mut elements = Vec::new();
        for (name, spec) in &config.elements {
            let name = name
                .as_str()
                .ok_or_else(|| bad("an element name is not a string".into()))?
                .to_owned();
            let spec: ElementConfig = serde_yaml::from_value(spec.clone())
                .map_err(|e| bad(format!("element `{name}`: {e}")))?;
            let storage_cls = spec
                .storage
                .as_ref()
                .map(|s| serde_yaml::to_string(s).unwrap_or_default());
            let legacy_view_of = spec
                .storage
                .as_ref()
                .and_then(|s| s.get("nested"))
                .and_then(|n| n.get("view_of"))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let cached = spec.is_cached
                || spec.governor
                || storage_cls
                    .as_deref()
                    .is_some_and(|s| s.contains("CachingDimensionRecordStorage"));
            elements.push(DimensionElement {
                doc: spec.doc.unwrap_or_default().trim().to_owned(),
                keys: spec.keys,
                requires: spec.requires,
                implies: spec.implies,
                metadata: spec.metadata,
                governor: spec.governor,
                cached,
                implied_union_target: spec.implied_union_target.or(legacy_view_of),
                always_join: spec.always_join,
                populated_by: spec.populated_by,
                spatial_family: spatial.get(&name).cloned(),
                temporal_family: temporal.get(&name).cloned(),
                skypix: false,
                name,
            });
        }
        for (system, spec) in &config.skypix {
            let Some(system) = system.as_str().filter(|s| *s != "common") else {
                continue;
            };
            let max = spec
                .get("max_level")
                .and_then(serde_yaml::Value::as_u64)
                .unwrap_or(0);
            let min = spec
                .get("min_level")
                .and_then(serde_yaml::Value::as_u64)
                .unwrap_or(1);
            for level in min..=max {
                elements.push(DimensionElement {
                    name: format!("{system}{level}"),
                    doc: format!("{system} pixelization at level {level}"),
                    keys: vec![ColumnSpec {
                        name: "id".into(),
                        column_type: ColumnType::Int,
                        length: None,
                        nbytes: None,
                        nullable: Some(false),
                        doc: None,
                    }],
                    requires: vec![],
                    implies: vec![],
                    metadata: vec![],
                    governor: false,
                    cached: false,
                    implied_union_target: None,
                    always_join: false,
                    populated_by: None,
                    spatial_family: Some(system.to_owned()),
                    temporal_family: None,
                    skypix: true,
                });
            }
        }
        let elements = topological_order(elements)?;
        let index = elements
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        let universe = Self(Arc::new(UniverseInner {
            namespace: config.namespace,
            version: config.version,
            common_skypix,
            elements,
            index,
            config_json: json,
            families,
        }));
        universe.validate()?;
        Ok(universe)
    }

    fn validate(&self) -> Result<(), ModelError> {
        for e in self.elements() {
            for dep in e.requires.iter().chain(&e.implies) {
                match self.element(dep) {
                    Some(d) if d.is_dimension() => {}
                    _ => {
                        return Err(ModelError::InvalidUniverse(format!(
                            "element `{}` depends on `{dep}`, which is not a dimension",
                            e.name
                        )))
                    }
                }
            }
            if let Some(t) = &e.implied_union_target {
                if self.element(t).is_none() {
                    return Err(ModelError::InvalidUniverse(format!(
                        "`{}` is a view of unknown `{t}`",
                        e.name
                    )));
                }
            }
        }
        if self.element(&self.0.common_skypix).is_none() {
            return Err(ModelError::InvalidUniverse(format!(
                "common skypix `{}` is not defined",
                self.0.common_skypix
            )));
        }
        Ok(())
    }

    /// The namespace (`daf_butler`); universes of different namespaces are incompatible.
    pub fn namespace(&self) -> &str {
        &self.0.namespace
    }

    /// The version number within the namespace.
    pub fn version(&self) -> u32 {
        self.0.version
    }

    /// The spatial (`spatial = true`) or temporal families: each name with its members, most
    /// specific first (`observation_regions: [visit_detector_region, visit]`).
    pub fn families(&self, spatial: bool) -> impl Iterator<Item = (&str, &[String])> {
        self.0
            .families
            .iter()
            .filter(move |(s, _, _)| *s == spatial)
            .map(|(_, n, m)| (n.as_str(), m.as_slice()))
    }

    /// The skypix dimension used to index spatial joins (`htm7`).
    pub fn common_skypix(&self) -> &str {
        &self.0.common_skypix
    }

    /// The configuration as JSON, as stored in a repository and served by the official server.
    pub fn to_json(&self) -> String {
        self.0.config_json.to_string()
    }

    /// Whether a repository with `other` can work with this one (same namespace).
    pub fn is_compatible_with(&self, other: &Self) -> bool {
        self.namespace() == other.namespace()
    }

    /// Every element, in the universe's deterministic topological order.
    pub fn elements(&self) -> impl Iterator<Item = &DimensionElement> {
        self.0.elements.iter()
    }

    /// Every dimension (element with keys).
    pub fn dimensions(&self) -> impl Iterator<Item = &DimensionElement> {
        self.elements().filter(|e| e.is_dimension())
    }

    /// The element called `name`, if any.
    pub fn element(&self, name: &str) -> Option<&DimensionElement> {
        self.0.index.get(name).map(|&i| &self.0.elements[i])
    }

    /// The element called `name`, or an error suggesting near names.
    ///
    /// # Errors
    /// [`ModelError::UnknownElement`].
    pub fn get_element(&self, name: &str) -> Result<&DimensionElement, ModelError> {
        self.element(name)
            .ok_or_else(|| ModelError::UnknownElement {
                name: name.to_owned(),
                suggestions: suggest(
                    name,
                    self.elements()
                        .filter(|e| !e.skypix)
                        .map(|e| e.name.as_str()),
                ),
            })
    }

    /// The dimension called `name`, or an error suggesting near names.
    ///
    /// # Errors
    /// [`ModelError::UnknownDimension`].
    pub fn get_dimension(&self, name: &str) -> Result<&DimensionElement, ModelError> {
        match self.element(name) {
            Some(e) if e.is_dimension() => Ok(e),
            _ => Err(ModelError::UnknownDimension {
                name: name.to_owned(),
                suggestions: suggest(
                    name,
                    self.dimensions()
                        .filter(|e| !e.skypix)
                        .map(|e| e.name.as_str()),
                ),
            }),
        }
    }

    /// The position of an element in the universe's order.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.index.get(name).copied()
    }

    /// An element's required dimensions, transitively, in universe order (itself included
    /// when it is a dimension).
    pub fn required_closure(&self, name: &str) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![name.to_owned()];
        while let Some(n) = stack.pop() {
            let Some(e) = self.element(&n) else { continue };
            if e.is_dimension() || n != name {
                seen.insert(self.position(&n).unwrap_or(usize::MAX));
            }
            stack.extend(e.requires.iter().cloned());
        }
        seen.into_iter()
            .filter_map(|i| self.0.elements.get(i).map(|e| e.name.clone()))
            .collect()
    }

    /// Conforms a set of dimension names into a [`DimensionGroup`].
    ///
    /// # Errors
    /// [`ModelError::UnknownDimension`] for a name that is not a dimension.
    pub fn group<I, S>(&self, names: I) -> Result<DimensionGroup, ModelError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut members: BTreeSet<usize> = BTreeSet::new();
        let mut stack: Vec<String> = Vec::new();
        for n in names {
            let d = self.get_dimension(n.as_ref())?;
            stack.push(d.name.clone());
        }
        while let Some(n) = stack.pop() {
            let i = self.0.index[&n];
            if members.insert(i) {
                let e = &self.0.elements[i];
                stack.extend(e.requires.iter().cloned());
                stack.extend(e.implies.iter().cloned());
            }
        }
        let implied_set: BTreeSet<&str> = members
            .iter()
            .flat_map(|&i| self.0.elements[i].implies.iter().map(String::as_str))
            .collect();
        let mut required = Vec::new();
        let mut implied = Vec::new();
        for &i in &members {
            let name = &self.0.elements[i].name;
            if implied_set.contains(name.as_str()) {
                implied.push(name.clone());
            } else {
                required.push(name.clone());
            }
        }
        let names: BTreeSet<&str> = members
            .iter()
            .map(|&i| self.0.elements[i].name.as_str())
            .collect();
        let elements = self
            .elements()
            .filter(|e| {
                if e.is_dimension() {
                    names.contains(e.name.as_str())
                } else {
                    e.requires.iter().all(|r| names.contains(r.as_str()))
                }
            })
            .map(|e| e.name.clone())
            .collect();
        Ok(DimensionGroup::new(required, implied, elements))
    }

    /// The empty dimension group.
    pub fn empty_group(&self) -> DimensionGroup {
        DimensionGroup::new(vec![], vec![], vec![])
    }
}

/// Sorts elements the way the Python Butler does: level by level (an element's level is one
/// more than the highest level among its dependencies), ties broken by name.
fn topological_order(elements: Vec<DimensionElement>) -> Result<Vec<DimensionElement>, ModelError> {
    let by_name: HashMap<&str, usize> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    for e in &elements {
        if let Some(dep) = e
            .requires
            .iter()
            .chain(&e.implies)
            .find(|d| !by_name.contains_key(d.as_str()))
        {
            return Err(ModelError::InvalidUniverse(format!(
                "element `{}` depends on unknown `{dep}`",
                e.name
            )));
        }
    }
    let mut level: Vec<Option<usize>> = vec![None; elements.len()];
    let mut remaining = elements.len();
    while remaining > 0 {
        let mut progressed = false;
        for (i, e) in elements.iter().enumerate() {
            if level[i].is_some() {
                continue;
            }
            let deps: Option<Vec<usize>> = e
                .requires
                .iter()
                .chain(&e.implies)
                .map(|d| level[by_name[d.as_str()]])
                .collect();
            if let Some(deps) = deps {
                level[i] = Some(deps.into_iter().max().map_or(0, |m| m + 1));
                remaining -= 1;
                progressed = true;
            }
        }
        if !progressed {
            return Err(ModelError::InvalidUniverse(
                "the element dependencies form a cycle".into(),
            ));
        }
    }
    // Skypix dimensions sort by system, then numerically by level (`htm2` before `htm10`).
    let sort_key = |i: usize, e: &DimensionElement| {
        let split = if e.skypix {
            e.name.find(|c: char| c.is_ascii_digit())
        } else {
            None
        };
        match split {
            Some(at) => (
                level[i].unwrap_or(0),
                e.name[..at].to_owned(),
                e.name[at..].parse::<u32>().unwrap_or(0),
                i,
            ),
            None => (level[i].unwrap_or(0), e.name.clone(), 0, i),
        }
    };
    let mut order: Vec<(usize, String, u32, usize)> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| sort_key(i, e))
        .collect();
    order.sort();
    let mut slots: Vec<Option<DimensionElement>> = elements.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|(_, _, _, i)| slots[i].take())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: impl Iterator<Item = impl AsRef<str>>) -> Vec<String> {
        v.map(|s| s.as_ref().to_owned()).collect()
    }

    #[test]
    fn default_universe_is_daf_butler_8() {
        let u = DimensionUniverse::default_universe();
        assert_eq!(u.namespace(), "daf_butler");
        assert_eq!(u.version(), 8);
        assert_eq!(u.common_skypix(), "htm7");
        assert!(
            u.element("htm24").is_some()
                && u.element("healpix17").is_some()
                && u.element("htm25").is_none()
        );
        let band = u.element("band").unwrap();
        assert_eq!(
            band.implied_union_target.as_deref(),
            Some("physical_filter")
        );
        assert!(!band.has_table());
        assert!(u.element("instrument").unwrap().governor);
        assert!(u.element("detector").unwrap().cached);
        assert_eq!(
            u.element("visit").unwrap().temporal_family.as_deref(),
            Some("observation_timespans")
        );
        assert!(u.element("visit_definition").unwrap().always_join);
        assert_eq!(
            u.element("visit_detector_region")
                .unwrap()
                .populated_by
                .as_deref(),
            Some("visit")
        );
    }

    #[test]
    fn groups_split_required_and_implied_as_the_python_butler_does() {
        let u = DimensionUniverse::default_universe();
        let g = u.group(["visit", "detector"]).unwrap();
        assert_eq!(names(g.required()), ["instrument", "detector", "visit"]);
        assert_eq!(names(g.implied()), ["band", "day_obs", "physical_filter"]);
        assert!(g.elements().any(|e| e == "visit_detector_region"));
        let g = u.group(["exposure", "detector"]).unwrap();
        assert_eq!(
            names(g.implied()),
            ["band", "day_obs", "group", "physical_filter"]
        );
        // Orders the Python Butler prints for these groups (lsst-daf-butler 30.2026.4300).
        let g = u.group(["visit", "visit_system", "exposure"]).unwrap();
        assert_eq!(
            names(g.required()),
            ["instrument", "visit_system", "exposure", "visit"]
        );
        let g = u.group(["patch", "band"]).unwrap();
        assert_eq!(names(g.required()), ["band", "skymap", "tract", "patch"]);
        let g = u.group(["subfilter", "tract", "day_obs", "group"]).unwrap();
        assert_eq!(
            names(g.required()),
            [
                "band",
                "instrument",
                "skymap",
                "day_obs",
                "group",
                "subfilter",
                "tract"
            ]
        );
        let first: Vec<&str> = u.elements().take(20).map(|e| e.name.as_str()).collect();
        assert_eq!(&first[..4], ["band", "healpix1", "healpix2", "healpix3"]);
        assert_eq!(first[18], "htm1");
        let g = u.group(["patch"]).unwrap();
        assert_eq!(names(g.required()), ["skymap", "tract", "patch"]);
        assert!(u.group(Vec::<String>::new()).unwrap().is_empty());
    }

    #[test]
    fn unknown_dimensions_suggest_near_names() {
        let u = DimensionUniverse::default_universe();
        let err = u.group(["vist"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`vist` is not a dimension; did you mean `visit`?"
        );
        assert!(matches!(
            u.group(["visit_detector_region"]),
            Err(ModelError::UnknownDimension { .. })
        ));
    }

    #[test]
    fn record_columns_follow_the_python_order() {
        let u = DimensionUniverse::default_universe();
        let cols: Vec<String> = u
            .element("detector")
            .unwrap()
            .record_columns(&u)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            cols,
            [
                "instrument",
                "id",
                "full_name",
                "name_in_raft",
                "raft",
                "purpose"
            ]
        );
        let cols: Vec<String> = u
            .element("visit")
            .unwrap()
            .record_columns(&u)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            &cols[..5],
            ["instrument", "id", "day_obs", "physical_filter", "name"]
        );
        assert_eq!(&cols[cols.len() - 2..], ["region", "timespan"]);
    }

    #[test]
    fn json_round_trip_keeps_the_universe() {
        let u = DimensionUniverse::default_universe();
        let again = DimensionUniverse::from_json(&u.to_json()).unwrap();
        assert_eq!(u, again);
        assert_eq!(again.elements().count(), u.elements().count());
    }

    #[test]
    fn malformed_configurations_are_refused() {
        let err = DimensionUniverse::from_yaml(
            "version: 1\nskypix: {common: htm7}\nelements:\n  a: {requires: [b]}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("depends on unknown `b`"), "{err}");
        assert!(DimensionUniverse::from_yaml("not: [valid").is_err());
    }
}
