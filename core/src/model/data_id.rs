//! Data IDs (`DataCoordinate`): dimension values identifying a dataset or a quantum.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::{suggest, ColumnType, DimensionGroup, DimensionRecord, DimensionUniverse, ModelError};

/// A dimension value: dimensions have integer or string primary keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DataIdValue {
    /// An integer key (`visit`, `detector`).
    Int(i64),
    /// A string key (`instrument`, `band`).
    Str(String),
}

impl fmt::Display for DataIdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for DataIdValue {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<&str> for DataIdValue {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}

impl DataIdValue {
    /// Parses text given on a command line or in a CSV cell for a dimension of `column_type`:
    /// integers for integer keys, anything for string keys.
    ///
    /// # Errors
    /// [`ModelError::WrongValueType`] when an integer key gets a non-integer.
    pub fn parse_for(
        dimension: &str,
        column_type: ColumnType,
        text: &str,
    ) -> Result<Self, ModelError> {
        match column_type {
            ColumnType::Int => {
                text.trim()
                    .parse::<i64>()
                    .map(Self::Int)
                    .map_err(|_| ModelError::WrongValueType {
                        dimension: dimension.to_owned(),
                        value: format!("`{text}`"),
                        expected: "an integer",
                    })
            }
            _ => Ok(Self::Str(text.to_owned())),
        }
    }
}

/// A data ID: values for the required dimensions of a group and, when *full*, the implied ones.
/// Equality compares the group and the required values only, as the Python Butler does.
#[derive(Debug, Clone)]
pub struct DataCoordinate {
    group: Arc<DimensionGroup>,
    required: Vec<DataIdValue>,
    implied: Option<Vec<DataIdValue>>,
    records: Option<Arc<BTreeMap<String, Arc<DimensionRecord>>>>,
}

impl PartialEq for DataCoordinate {
    fn eq(&self, other: &Self) -> bool {
        self.group == other.group && self.required == other.required
    }
}

impl Eq for DataCoordinate {}

impl std::hash::Hash for DataCoordinate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.required.hash(state);
    }
}

impl DataCoordinate {
    /// A data ID from values for the group's required dimensions, in group order.
    ///
    /// # Errors
    /// [`ModelError::InconsistentDataId`] when the number of values is wrong.
    pub fn from_required(
        group: Arc<DimensionGroup>,
        required: Vec<DataIdValue>,
    ) -> Result<Self, ModelError> {
        if required.len() != group.required().len() {
            return Err(ModelError::InconsistentDataId(format!(
                "{} values given for the {} required dimensions of {group}",
                required.len(),
                group.required().len()
            )));
        }
        Ok(Self {
            group,
            required,
            implied: None,
            records: None,
        })
    }

    /// The empty data ID.
    pub fn empty(universe: &DimensionUniverse) -> Self {
        Self {
            group: Arc::new(universe.empty_group()),
            required: vec![],
            implied: Some(vec![]),
            records: None,
        }
    }

    /// Standardises a mapping of dimension names to values against a group: every required
    /// dimension must be present with a value of its key's type; implied values are kept when
    /// all are present; names outside the group are refused with a suggestion.
    ///
    /// # Errors
    /// [`ModelError::MissingDimension`], [`ModelError::WrongValueType`], [`ModelError::ExtraDimension`],
    /// [`ModelError::UnknownDimension`].
    pub fn standardize(
        universe: &DimensionUniverse,
        group: Arc<DimensionGroup>,
        values: &BTreeMap<String, DataIdValue>,
    ) -> Result<Self, ModelError> {
        for key in values.keys() {
            if !group.contains(key) {
                if universe.get_dimension(key).is_err() {
                    return Err(ModelError::UnknownDimension {
                        name: key.clone(),
                        suggestions: suggest(key, group.names()),
                    });
                }
                return Err(ModelError::ExtraDimension {
                    dimension: key.clone(),
                    context: format!("the dimensions {group}"),
                });
            }
        }
        let check = |dim: &str, v: &DataIdValue| -> Result<(), ModelError> {
            let pk = universe
                .get_dimension(dim)?
                .primary_key()
                .map(|c| c.column_type);
            match (pk, v) {
                (Some(ColumnType::Int), DataIdValue::Int(_))
                | (Some(ColumnType::String), DataIdValue::Str(_)) => Ok(()),
                (Some(t), other) => Err(ModelError::WrongValueType {
                    dimension: dim.to_owned(),
                    value: match other {
                        DataIdValue::Str(s) => format!("'{s}'"),
                        DataIdValue::Int(i) => i.to_string(),
                    },
                    expected: t.describe(),
                }),
                (None, _) => Ok(()),
            }
        };
        let mut required = Vec::with_capacity(group.required().len());
        for dim in group.required() {
            let v = values
                .get(dim)
                .ok_or_else(|| ModelError::MissingDimension {
                    data_id: format_mapping(values),
                    dimension: dim.to_owned(),
                })?;
            check(dim, v)?;
            required.push(v.clone());
        }
        let mut implied = Vec::with_capacity(group.implied().len());
        for dim in group.implied() {
            if let Some(v) = values.get(dim) {
                check(dim, v)?;
                implied.push(v.clone());
            }
        }
        let implied = (implied.len() == group.implied().len()).then_some(implied);
        Ok(Self {
            group,
            required,
            implied,
            records: None,
        })
    }

    /// The dimension group.
    pub fn group(&self) -> &Arc<DimensionGroup> {
        &self.group
    }

    /// Values of the required dimensions, in group order.
    pub fn required_values(&self) -> &[DataIdValue] {
        &self.required
    }

    /// Values of the implied dimensions, when the data ID is full.
    pub fn implied_values(&self) -> Option<&[DataIdValue]> {
        self.implied.as_deref()
    }

    /// Whether implied values are present.
    pub fn has_full(&self) -> bool {
        self.implied.is_some()
    }

    /// Whether records are attached.
    pub fn has_records(&self) -> bool {
        self.records.is_some()
    }

    /// The value of a dimension (required, or implied when full).
    pub fn get(&self, dimension: &str) -> Option<&DataIdValue> {
        if let Some(i) = self.group.required_index(dimension) {
            return self.required.get(i);
        }
        let i = self.group.implied_index(dimension)?;
        self.implied.as_ref()?.get(i)
    }

    /// The attached record of an element, when expanded.
    pub fn record(&self, element: &str) -> Option<&DimensionRecord> {
        self.records.as_ref()?.get(element).map(|r| &**r)
    }

    /// This data ID with implied values filled in.
    ///
    /// # Errors
    /// [`ModelError::InconsistentDataId`] when the number of values is wrong.
    pub fn with_implied(mut self, implied: Vec<DataIdValue>) -> Result<Self, ModelError> {
        if implied.len() != self.group.implied().len() {
            return Err(ModelError::InconsistentDataId(format!(
                "wrong number of implied values for {}",
                self.group
            )));
        }
        self.implied = Some(implied);
        Ok(self)
    }

    /// This data ID with records attached, by element name (records may be shared `Arc`s).
    pub fn with_records<I, R>(mut self, records: I) -> Self
    where
        I: IntoIterator<Item = (String, R)>,
        R: Into<Arc<DimensionRecord>>,
    {
        self.records = Some(Arc::new(
            records.into_iter().map(|(k, r)| (k, r.into())).collect(),
        ));
        self
    }

    /// Required (and, when full, implied) values as `name → value`, in group order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &DataIdValue)> {
        let implied = self.implied.iter().flatten();
        self.group
            .required()
            .zip(self.required.iter())
            .chain(self.group.implied().zip(implied))
    }

    /// The required values as a sorted map (the form exports and wire types use).
    pub fn required_map(&self) -> BTreeMap<String, DataIdValue> {
        self.group
            .required()
            .zip(&self.required)
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect()
    }

    /// All known values as a map.
    pub fn full_map(&self) -> BTreeMap<String, DataIdValue> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect()
    }
}

impl fmt::Display for DataCoordinate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match v {
                DataIdValue::Int(n) => write!(f, "{k}: {n}")?,
                DataIdValue::Str(s) => write!(f, "{k}: '{s}'")?,
            }
        }
        f.write_str("}")
    }
}

fn format_mapping(values: &BTreeMap<String, DataIdValue>) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|(k, v)| match v {
            DataIdValue::Int(n) => format!("'{k}': {n}"),
            DataIdValue::Str(s) => format!("'{k}': '{s}'"),
        })
        .collect();
    format!("({{{}}})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, DataIdValue)]) -> BTreeMap<String, DataIdValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn standardize_checks_keys_and_types() {
        let u = DimensionUniverse::default_universe();
        let g = Arc::new(u.group(["visit", "detector"]).unwrap());
        let d = DataCoordinate::standardize(
            &u,
            Arc::clone(&g),
            &map(&[
                ("instrument", "DemoCam".into()),
                ("visit", 1.into()),
                ("detector", 0.into()),
            ]),
        )
        .unwrap();
        assert_eq!(
            d.to_string(),
            "{instrument: 'DemoCam', detector: 0, visit: 1}"
        );
        assert!(!d.has_full());
        let err = DataCoordinate::standardize(
            &u,
            Arc::clone(&g),
            &map(&[("instrument", "DemoCam".into()), ("visit", 1.into())]),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "no value in data ID ({'instrument': 'DemoCam', 'visit': 1}) for required dimension `detector`");
        let err = DataCoordinate::standardize(
            &u,
            Arc::clone(&g),
            &map(&[
                ("instrument", "DemoCam".into()),
                ("visit", "one".into()),
                ("detector", 0.into()),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "data ID value 'one' for dimension `visit` must be an integer"
        );
        let err = DataCoordinate::standardize(
            &u,
            Arc::clone(&g),
            &map(&[
                ("instrument", "D".into()),
                ("visit", 1.into()),
                ("detector", 0.into()),
                ("tract", 1.into()),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`tract` is not part of"), "{err}");
        let err =
            DataCoordinate::standardize(&u, g, &map(&[("instrment", "D".into())])).unwrap_err();
        assert!(
            err.to_string().contains("did you mean `instrument`"),
            "{err}"
        );
    }

    #[test]
    fn equality_ignores_implied_values() {
        let u = DimensionUniverse::default_universe();
        let g = Arc::new(u.group(["visit"]).unwrap());
        let a = DataCoordinate::from_required(Arc::clone(&g), vec!["DemoCam".into(), 1.into()])
            .unwrap();
        let b = a
            .clone()
            .with_implied(vec!["r".into(), 20260101.into(), "DemoCam-r".into()])
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(b.get("band"), Some(&DataIdValue::Str("r".into())));
        assert_eq!(a.get("band"), None);
    }
}
