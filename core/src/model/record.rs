//! Dimension records: one row of a dimension element.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::{suggest, ColumnType, DataIdValue, DimensionUniverse, ModelError, Timespan};

/// A value in a dimension record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordValue {
    /// SQL NULL / Python `None`.
    Null,
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Float.
    Float(f64),
    /// String (also hex for hashes and regions).
    Str(String),
    /// A timespan (`timespan` columns).
    Timespan(Timespan),
}

impl fmt::Display for RecordValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str(""),
            Self::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Str(s) => f.write_str(s),
            Self::Timespan(t) => write!(f, "{t}"),
        }
    }
}

impl RecordValue {
    /// The value as a data ID value, for key columns.
    pub fn as_data_id_value(&self) -> Option<DataIdValue> {
        match self {
            Self::Int(i) => Some(DataIdValue::Int(*i)),
            Self::Str(s) => Some(DataIdValue::Str(s.clone())),
            _ => None,
        }
    }
}

/// One row of a dimension element, with values keyed by column name.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionRecord {
    element: String,
    values: BTreeMap<String, RecordValue>,
}

impl DimensionRecord {
    /// Builds and checks a record: every key column present and of the right type, no unknown
    /// columns, non-nullable columns set. Missing nullable columns become NULL. Integers are
    /// accepted for float columns; `timespan_begin`/`timespan_end` (export form) are folded into
    /// `timespan`.
    ///
    /// # Errors
    /// [`ModelError::UnknownElement`], [`ModelError::UnknownField`], [`ModelError::InvalidRecord`].
    pub fn new(
        universe: &DimensionUniverse,
        element: &str,
        values: BTreeMap<String, RecordValue>,
    ) -> Result<Self, ModelError> {
        Self::require_table(universe.get_element(element)?)?;
        Self::checked(universe, element, values)
    }

    /// A record of an element whose values come from another element's records (`band`
    /// from `physical_filter`), as queries return them.
    ///
    /// # Errors
    /// As [`DimensionRecord::new`]; [`ModelError::InvalidRecord`] for an element with a table.
    pub fn derived(
        universe: &DimensionUniverse,
        element: &str,
        values: BTreeMap<String, RecordValue>,
    ) -> Result<Self, ModelError> {
        if universe
            .get_element(element)?
            .implied_union_target
            .is_none()
        {
            return Err(ModelError::InvalidRecord {
                element: element.to_owned(),
                reason: "its records are stored, not derived".into(),
            });
        }
        Self::checked(universe, element, values)
    }

    fn checked(
        universe: &DimensionUniverse,
        element: &str,
        mut values: BTreeMap<String, RecordValue>,
    ) -> Result<Self, ModelError> {
        let e = universe.get_element(element)?;
        let columns = e.record_columns(universe);
        let bad = |reason: String| ModelError::InvalidRecord {
            element: element.to_owned(),
            reason,
        };
        if values.contains_key("timespan_begin") || values.contains_key("timespan_end") {
            let to_ns = |v: Option<RecordValue>| -> Result<Option<i64>, ModelError> {
                match v {
                    None | Some(RecordValue::Null) => Ok(None),
                    Some(RecordValue::Int(i)) => Ok(Some(i)),
                    Some(RecordValue::Str(s)) => Timespan::parse_tai_iso(&s).map(Some),
                    Some(other) => Err(ModelError::InvalidTime(other.to_string())),
                }
            };
            let b = to_ns(values.remove("timespan_begin"))?;
            let en = to_ns(values.remove("timespan_end"))?;
            let ts = if b.is_none() && en.is_none() {
                RecordValue::Null
            } else {
                RecordValue::Timespan(Timespan::new(b, en))
            };
            values.insert("timespan".into(), ts);
        }
        for name in values.keys() {
            if !columns.iter().any(|c| &c.name == name) {
                return Err(ModelError::UnknownField {
                    element: element.to_owned(),
                    field: name.clone(),
                    suggestions: suggest(name, columns.iter().map(|c| c.name.as_str())),
                });
            }
        }
        let required = universe.required_closure(element);
        for col in &columns {
            let is_key = required.contains(&col.name) || e.keys.iter().any(|k| k.name == col.name);
            let v = values.entry(col.name.clone()).or_insert(RecordValue::Null);
            match (col.column_type, &*v) {
                (_, RecordValue::Null) => {
                    if is_key || col.nullable == Some(false) {
                        return Err(bad(format!("column `{}` needs a value", col.name)));
                    }
                }
                (ColumnType::Int, RecordValue::Int(_))
                | (ColumnType::Float, RecordValue::Float(_))
                | (ColumnType::Bool, RecordValue::Bool(_))
                | (ColumnType::Timespan, RecordValue::Timespan(_))
                | (
                    ColumnType::String | ColumnType::Hash | ColumnType::Uuid | ColumnType::Region,
                    RecordValue::Str(_),
                ) => {}
                (ColumnType::Float, RecordValue::Int(i)) => *v = RecordValue::Float(*i as f64),
                (ColumnType::Bool, RecordValue::Int(i @ (0 | 1))) => {
                    *v = RecordValue::Bool(*i == 1)
                }
                (ColumnType::Datetime, RecordValue::Int(_)) => {}
                (ColumnType::Datetime, RecordValue::Str(s)) => {
                    *v = RecordValue::Int(Timespan::parse_tai_iso(s)?)
                }
                (t, other) => {
                    return Err(bad(format!(
                        "column `{}` must be {}, not `{other}`",
                        col.name,
                        t.describe()
                    )));
                }
            }
            if let (Some(len), RecordValue::Str(s)) = (col.length, &*v) {
                if s.chars().count() > len as usize {
                    return Err(bad(format!(
                        "`{s}` is longer than the {len} characters column `{}` allows",
                        col.name
                    )));
                }
            }
        }
        Ok(Self {
            element: element.to_owned(),
            values,
        })
    }

    /// Refuses elements whose values come from another element (`band`) or a pixelization.
    ///
    /// # Errors
    /// [`ModelError::InvalidRecord`].
    pub fn require_table(e: &super::DimensionElement) -> Result<(), ModelError> {
        if e.has_table() {
            Ok(())
        } else {
            Err(ModelError::InvalidRecord {
                element: e.name.clone(),
                reason:
                    "this element has no records of its own (its values come from another element)"
                        .into(),
            })
        }
    }

    /// The element this record belongs to.
    pub fn element(&self) -> &str {
        &self.element
    }

    /// The value of a column.
    pub fn get(&self, column: &str) -> Option<&RecordValue> {
        self.values.get(column)
    }

    /// Every column and value (by column name).
    pub fn values(&self) -> &BTreeMap<String, RecordValue> {
        &self.values
    }

    /// The values in the element's column order.
    pub fn ordered(&self, universe: &DimensionUniverse) -> Vec<(String, RecordValue)> {
        let Some(e) = universe.element(&self.element) else {
            return Vec::new();
        };
        e.record_columns(universe)
            .into_iter()
            .map(|c| {
                let v = self
                    .values
                    .get(&c.name)
                    .cloned()
                    .unwrap_or(RecordValue::Null);
                (c.name, v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(pairs: &[(&str, RecordValue)]) -> BTreeMap<String, RecordValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn records_are_checked_against_the_element() {
        let u = DimensionUniverse::default_universe();
        let ok = DimensionRecord::new(
            &u,
            "detector",
            rec(&[
                ("instrument", RecordValue::Str("DemoCam".into())),
                ("id", RecordValue::Int(1)),
                ("full_name", RecordValue::Str("R00_S00".into())),
            ]),
        )
        .unwrap();
        assert_eq!(ok.get("purpose"), Some(&RecordValue::Null));
        let err = DimensionRecord::new(
            &u,
            "detector",
            rec(&[
                ("instrument", RecordValue::Str("D".into())),
                ("id", RecordValue::Int(1)),
                ("ful_name", RecordValue::Str("x".into())),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`detector` has no field `ful_name`; did you mean `full_name`?"
        );
        let err = DimensionRecord::new(
            &u,
            "detector",
            rec(&[
                ("instrument", RecordValue::Str("D".into())),
                ("id", RecordValue::Str("one".into())),
            ]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("column `id` must be an integer"),
            "{err}"
        );
        let err = DimensionRecord::new(&u, "band", rec(&[("name", RecordValue::Str("r".into()))]))
            .unwrap_err();
        assert!(err.to_string().contains("no records of its own"), "{err}");
    }

    #[test]
    fn export_timespans_are_folded() {
        let u = DimensionUniverse::default_universe();
        let r = DimensionRecord::new(
            &u,
            "day_obs",
            rec(&[
                ("instrument", RecordValue::Str("DemoCam".into())),
                ("id", RecordValue::Int(20260101)),
                (
                    "timespan_begin",
                    RecordValue::Str("2026-01-01 12:00:00".into()),
                ),
                ("timespan_end", RecordValue::Null),
            ]),
        )
        .unwrap();
        assert!(
            matches!(r.get("timespan"), Some(RecordValue::Timespan(t)) if t.begin.is_some() && t.end.is_none())
        );
    }
}
