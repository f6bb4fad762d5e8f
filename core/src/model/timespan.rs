//! Timespans: half-open `[begin, end)` intervals in integer nanoseconds TAI since 1970-01-01.
//!
//! The calendar conversion is plain proleptic Gregorian arithmetic: TAI has no leap seconds,
//! so a TAI ISO string maps to nanoseconds without any table.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ModelError;

/// What [`Timespan::parse_tai_iso`] accepts, for error hints.
pub const TAI_ISO_FORMAT_HINT: &str = "YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]] (TAI)";

const NS_PER_SEC: i64 = 1_000_000_000;
const NS_PER_DAY: i64 = 86_400 * NS_PER_SEC;

/// A half-open time interval; `None` bounds are unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timespan {
    /// Inclusive start, nanoseconds TAI since 1970-01-01, or unbounded.
    pub begin: Option<i64>,
    /// Exclusive end, or unbounded.
    pub end: Option<i64>,
}

impl Timespan {
    /// The unbounded timespan.
    pub const UNBOUNDED: Timespan = Timespan {
        begin: None,
        end: None,
    };

    /// A timespan from two optional bounds; `begin >= end` gives an empty timespan.
    pub fn new(begin: Option<i64>, end: Option<i64>) -> Self {
        Self { begin, end }
    }

    /// Whether no instant lies inside.
    pub fn is_empty(&self) -> bool {
        matches!((self.begin, self.end), (Some(b), Some(e)) if b >= e)
    }

    /// Whether the two intervals share an instant.
    pub fn overlaps(&self, other: &Timespan) -> bool {
        if self.is_empty() || other.is_empty() {
            return false;
        }
        let starts_before_other_ends = match (self.begin, other.end) {
            (Some(b), Some(e)) => b < e,
            _ => true,
        };
        let other_starts_before_end = match (other.begin, self.end) {
            (Some(b), Some(e)) => b < e,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }

    /// The part of `self` not covered by `other`: zero, one or two pieces.
    pub fn difference(&self, other: &Timespan) -> Vec<Timespan> {
        if !self.overlaps(other) {
            return vec![*self];
        }
        let mut out = Vec::new();
        if let Some(ob) = other.begin {
            if self.begin.is_none_or(|b| b < ob) {
                out.push(Timespan::new(self.begin, Some(ob)));
            }
        }
        if let Some(oe) = other.end {
            if self.end.is_none_or(|e| oe < e) {
                out.push(Timespan::new(Some(oe), self.end));
            }
        }
        out
    }

    /// Parses `YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]]` (also with `T`) as a TAI instant.
    ///
    /// # Errors
    /// [`ModelError::InvalidTime`].
    pub fn parse_tai_iso(text: &str) -> Result<i64, ModelError> {
        let bad = || ModelError::InvalidTime(text.to_owned());
        let t = text.trim();
        let (date, time) = match t.find([' ', 'T']) {
            Some(i) => (&t[..i], Some(t[i + 1..].trim())),
            None => (t, None),
        };
        let mut d = date.split('-');
        let year: i64 = d.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let month: u32 = d.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let day: u32 = d.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        if d.next().is_some()
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(bad());
        }
        let mut ns = days_from_civil(year, month, day) * NS_PER_DAY;
        if let Some(time) = time.filter(|s| !s.is_empty()) {
            let mut parts = time.split(':');
            let h: i64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            let m: i64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            let (s, frac) = match parts.next() {
                Some(sec) => match sec.split_once('.') {
                    Some((s, f)) => (s, f),
                    None => (sec, ""),
                },
                None => ("0", ""),
            };
            let s: i64 = s.parse().map_err(|_| bad())?;
            if parts.next().is_some() || h > 23 || m > 59 || s > 60 || frac.len() > 9 {
                return Err(bad());
            }
            if !frac.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            let frac_ns: i64 = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse().map_err(|_| bad())?
            };
            ns += (h * 3600 + m * 60 + s) * NS_PER_SEC + frac_ns;
        }
        Ok(ns)
    }

    /// Formats a TAI instant as `YYYY-MM-DD HH:MM:SS.fffffffff`, the export format's form.
    pub fn format_tai_iso(ns: i64) -> String {
        let days = ns.div_euclid(NS_PER_DAY);
        let rem = ns.rem_euclid(NS_PER_DAY);
        let (y, mo, d) = civil_from_days(days);
        let secs = rem / NS_PER_SEC;
        let frac = rem % NS_PER_SEC;
        format!(
            "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{frac:09}",
            secs / 3600,
            (secs / 60) % 60,
            secs % 60
        )
    }
}

impl fmt::Display for Timespan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self
            .begin
            .map_or_else(|| "-∞".to_owned(), Timespan::format_tai_iso);
        let e = self
            .end
            .map_or_else(|| "∞".to_owned(), Timespan::format_tai_iso);
        write!(f, "[{b}, {e})")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_formats_tai_iso() {
        assert_eq!(Timespan::parse_tai_iso("1970-01-01").unwrap(), 0);
        let ns = Timespan::parse_tai_iso("2025-01-01 00:00:00.000000000").unwrap();
        assert_eq!(ns, 1_735_689_600 * NS_PER_SEC);
        assert_eq!(
            Timespan::format_tai_iso(ns),
            "2025-01-01 00:00:00.000000000"
        );
        assert_eq!(
            Timespan::parse_tai_iso("2025-06-01T12:30").unwrap() - ns,
            (151 * 86_400 + 45_000) * NS_PER_SEC
        );
        for bad in [
            "2025-13-01",
            "2025-02-30",
            "yesterday",
            "2025-01-01 25:00",
            "2025-01-01 1:2:3.x",
        ] {
            assert!(Timespan::parse_tai_iso(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_and_difference() {
        let a = Timespan::new(Some(0), Some(10));
        assert!(a.overlaps(&Timespan::new(Some(9), None)));
        assert!(!a.overlaps(&Timespan::new(Some(10), Some(20))));
        assert!(Timespan::UNBOUNDED.overlaps(&a));
        assert_eq!(
            a.difference(&Timespan::new(Some(3), Some(5))),
            [
                Timespan::new(Some(0), Some(3)),
                Timespan::new(Some(5), Some(10))
            ]
        );
        assert_eq!(a.difference(&Timespan::UNBOUNDED), []);
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(ns in -2_000_000_000_000_000_000i64..4_102_444_800_000_000_000i64) {
            prop_assert_eq!(Timespan::parse_tai_iso(&Timespan::format_tai_iso(ns)).unwrap(), ns);
        }
    }
}
