//! DemoCam: the made-up camera of the benchmark workload (`BENCHMARKS-ANCHOR.md` §2b), used by
//! tests, the demo and the benchmark so that all of them describe the same sky.
//!
//! Visits are `1..=V`, detectors `0..D`; `band(v) = BANDS[v mod 6]`,
//! `day_obs(v) = 20260101 + (v - 1) div 100`.

use std::collections::BTreeMap;

use super::{DimensionRecord, DimensionUniverse, ModelError, RecordValue};

/// The bands, in the workload's order.
pub const BANDS: [&str; 6] = ["u", "g", "r", "i", "z", "y"];

/// The instrument's name.
pub const INSTRUMENT: &str = "DemoCam";

/// A DemoCam with `visits` visits and `detectors` detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoCamera {
    /// Number of visits (numbered from 1).
    pub visits: i64,
    /// Number of detectors (numbered from 0).
    pub detectors: i64,
}

impl DemoCamera {
    /// The band of a visit.
    pub fn band(visit: i64) -> &'static str {
        BANDS[usize::try_from(visit.rem_euclid(6)).unwrap_or(0)]
    }

    /// The `day_obs` of a visit.
    pub fn day_obs(visit: i64) -> i64 {
        20_260_101 + (visit - 1) / 100
    }

    /// The physical filter of a visit.
    pub fn physical_filter(visit: i64) -> String {
        format!("{INSTRUMENT}-{}", Self::band(visit))
    }

    /// The dimension records, element by element in an order that can be inserted:
    /// instrument, physical_filter, detector, day_obs, visit.
    ///
    /// # Errors
    /// [`ModelError`] if the universe lacks one of these elements.
    pub fn records(
        &self,
        universe: &DimensionUniverse,
    ) -> Result<Vec<(&'static str, Vec<DimensionRecord>)>, ModelError> {
        let rec = |element: &str, pairs: Vec<(&str, RecordValue)>| {
            let map: BTreeMap<String, RecordValue> =
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            DimensionRecord::new(universe, element, map)
        };
        let s = |v: &str| RecordValue::Str(v.to_owned());
        let instrument = vec![rec(
            "instrument",
            vec![
                ("name", s(INSTRUMENT)),
                ("visit_max", RecordValue::Int(10_000_000)),
                ("visit_system", RecordValue::Int(0)),
                ("exposure_max", RecordValue::Int(10_000_000)),
                ("detector_max", RecordValue::Int(1000)),
                ("class_name", s("demo.DemoCam")),
            ],
        )?];
        let filters = BANDS
            .iter()
            .map(|b| {
                rec(
                    "physical_filter",
                    vec![
                        ("instrument", s(INSTRUMENT)),
                        ("name", s(&format!("{INSTRUMENT}-{b}"))),
                        ("band", s(b)),
                    ],
                )
            })
            .collect::<Result<_, _>>()?;
        let detectors = (0..self.detectors)
            .map(|d| {
                rec(
                    "detector",
                    vec![
                        ("instrument", s(INSTRUMENT)),
                        ("id", RecordValue::Int(d)),
                        ("full_name", s(&format!("R00_S{d:03}"))),
                        ("name_in_raft", s(&format!("S{d:03}"))),
                        ("raft", s("R00")),
                        ("purpose", s("SCIENCE")),
                    ],
                )
            })
            .collect::<Result<_, _>>()?;
        let mut days: Vec<i64> = (1..=self.visits).map(Self::day_obs).collect();
        days.dedup();
        let day_obs = days
            .into_iter()
            .map(|d| {
                rec(
                    "day_obs",
                    vec![("instrument", s(INSTRUMENT)), ("id", RecordValue::Int(d))],
                )
            })
            .collect::<Result<_, _>>()?;
        let visits = (1..=self.visits)
            .map(|v| {
                rec(
                    "visit",
                    vec![
                        ("instrument", s(INSTRUMENT)),
                        ("id", RecordValue::Int(v)),
                        ("name", s(&format!("v{v:07}"))),
                        ("physical_filter", s(&Self::physical_filter(v))),
                        ("day_obs", RecordValue::Int(Self::day_obs(v))),
                        ("seq_num", RecordValue::Int(v)),
                        ("exposure_time", RecordValue::Float(30.0)),
                        ("target_name", s("demo_field")),
                        ("observation_reason", s("science")),
                        ("science_program", s("anchor")),
                    ],
                )
            })
            .collect::<Result<_, _>>()?;
        Ok(vec![
            ("instrument", instrument),
            ("physical_filter", filters),
            ("detector", detectors),
            ("day_obs", day_obs),
            ("visit", visits),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_workload_definition() {
        assert_eq!((DemoCamera::band(1), DemoCamera::band(6)), ("g", "u"));
        assert_eq!(
            (DemoCamera::day_obs(100), DemoCamera::day_obs(101)),
            (20_260_101, 20_260_102)
        );
        let u = DimensionUniverse::default_universe();
        let recs = DemoCamera {
            visits: 150,
            detectors: 3,
        }
        .records(&u)
        .unwrap();
        let count = |e: &str| {
            recs.iter()
                .find(|(n, _)| *n == e)
                .map_or(0, |(_, r)| r.len())
        };
        assert_eq!(
            [
                count("detector"),
                count("day_obs"),
                count("visit"),
                count("physical_filter")
            ],
            [3, 2, 150, 6]
        );
    }
}
