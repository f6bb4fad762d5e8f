//! Time literals: the text of `T'[format/]value[/scale]'` as TAI nanoseconds since
//! 1970-01-01T00:00:00 TAI, the unit the registry stores (`BUTLER_CONCEPTS.md` §4.5).
//!
//! The arithmetic is exact: numbers are read digit by digit into integers (never through
//! `f64`) and the result is rounded once to the nearest nanosecond, so `T'58938.515'` names
//! exactly 58938.515 days. UTC is converted with ERFA's table of TAI−UTC, including the
//! drifting offsets of 1960–1971, and numeric UTC values (`mjd`, `jd`, `unix`) follow ERFA's
//! "quasi-JD" convention, in which the fraction of a day with a leap second is a fraction of
//! 86 401 s, as astropy (and so the Python Butler) does.

const NS_PER_SEC: i128 = 1_000_000_000;
const NS_PER_DAY: i128 = 86_400 * NS_PER_SEC;
/// The MJD of 1970-01-01.
const MJD_1970: i64 = 40_587;
/// TT − TAI.
const TT_MINUS_TAI_NS: i128 = 32_184_000_000;
/// 1998-01-01T00:00:00 TT, the `cxcsec` epoch, in TAI ns since 1970.
const CXCSEC_EPOCH_NS: i128 = 10_227 * NS_PER_DAY - TT_MINUS_TAI_NS;
/// 1980-01-06T00:00:19 TAI (00:00:00 UTC), the `gps` epoch, in TAI ns since 1970.
const GPS_EPOCH_NS: i128 = 3_657 * NS_PER_DAY + 19 * NS_PER_SEC;
/// JD − MJD, in half days.
const JD_MINUS_MJD_HALF_DAYS: i128 = 4_800_001;

/// The formats this module reads, by name (lower case).
const FORMATS: [(&str, Format); 10] = [
    ("mjd", Format::Mjd),
    ("jd", Format::Jd),
    ("unix", Format::Unix),
    ("unix_tai", Format::UnixTai),
    ("cxcsec", Format::Cxcsec),
    ("gps", Format::Gps),
    ("iso", Format::Iso),
    ("isot", Format::Isot),
    ("fits", Format::Fits),
    ("yday", Format::Yday),
];

/// Formats astropy knows but this module does not read.
const OTHER_ASTROPY_FORMATS: [&str; 11] = [
    "byear",
    "byear_str",
    "datetime",
    "datetime64",
    "decimalyear",
    "jyear",
    "jyear_str",
    "plot_date",
    "stardate",
    "ymdhms",
    "galexsec",
];

const SUPPORTED_FORMATS: &str = "mjd, jd, unix, unix_tai, cxcsec, gps, iso, isot, fits, yday";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Mjd,
    Jd,
    Unix,
    UnixTai,
    Cxcsec,
    Gps,
    Iso,
    Isot,
    Fits,
    Yday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    Utc,
    Tai,
    Tt,
}

/// Parses the text of a `T'...'` literal into TAI nanoseconds since 1970-01-01T00:00:00 TAI.
///
/// The text is `[format/]value[/scale]`. Numbers are decimals with a point (`58938.5`,
/// `1740875400.`, `.5`), as the Python Butler requires. Without a format, a number is `mjd`,
/// `YYYY-MM-DD[ HH:MM[:SS[.fff]]]` is `iso` (`isot` with a `T` between date and time), a
/// leading `+` means `fits` and `YYYY:DDD[:HH:MM[:SS[.fff]]]` is `yday`. Formats: `mjd`,
/// `jd`, `unix`, `unix_tai`, `cxcsec`, `gps`, `iso`, `isot`, `fits`, `yday`. Scales: `utc`,
/// `tai`, `tt`; without one, `utc` for `iso`, `isot`, `fits`, `yday` and `unix`, `tt` for
/// `cxcsec`, `tai` otherwise (epoch formats name the same instant whatever the scale, as in
/// astropy). A trailing UTC offset `+00:00` or `Z` is ignored; other time zones are refused.
///
/// # Examples
///
/// ```
/// use satellite_core::query::parse_time_literal;
///
/// assert_eq!(parse_time_literal("58938.515")?, 1_585_570_896_000_000_000);
/// assert_eq!(parse_time_literal("mjd/58938.515/tai")?, parse_time_literal("58938.515")?);
/// // 2020 UTC is 37 s behind TAI.
/// assert_eq!(parse_time_literal("2020-01-01T00:00:00")?, 1_577_836_837_000_000_000);
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
///
/// Why the text is not a time: an unknown or unsupported format or scale, a value that does
/// not fit the format, a date or time out of range, a time zone other than UTC, a UTC time
/// before 1960 (when UTC starts), or an instant outside what 64-bit nanoseconds since 1970
/// can hold (about the years 1678 to 2261).
pub fn parse_time_literal(text: &str) -> Result<i64, String> {
    let (format, value, scale) = split(text)?;
    let format = match format {
        Some(name) => parse_format(name)?,
        None => guess_format(value)?,
    };
    let scale = match scale {
        Some(name) => parse_scale(name)?,
        None => match format {
            Format::Iso | Format::Isot | Format::Fits | Format::Yday | Format::Unix => Scale::Utc,
            Format::Cxcsec => Scale::Tt,
            _ => Scale::Tai,
        },
    };
    let tai_ns = match format {
        Format::Mjd | Format::Jd => {
            let number = Decimal::parse(value).ok_or_else(|| not_format(value, format))?;
            let mut ns = number.times(NS_PER_DAY).ok_or_else(out_of_range)?;
            ns -= i128::from(MJD_1970) * NS_PER_DAY;
            if format == Format::Jd {
                ns -= JD_MINUS_MJD_HALF_DAYS * (NS_PER_DAY / 2);
            }
            uniform_to_tai(ns, scale)?
        }
        Format::Unix | Format::UnixTai | Format::Cxcsec | Format::Gps => {
            let number = Decimal::parse(value).ok_or_else(|| not_format(value, format))?;
            let ns = number.times(NS_PER_SEC).ok_or_else(out_of_range)?;
            // An epoch format counts seconds from an instant fixed in its own scale, so the
            // scale written only says how astropy would show the result: same instant.
            match format {
                Format::Unix => uniform_to_tai(ns, Scale::Utc)?,
                Format::UnixTai => ns,
                Format::Cxcsec => CXCSEC_EPOCH_NS + ns,
                _ => GPS_EPOCH_NS + ns,
            }
        }
        Format::Iso | Format::Isot | Format::Fits | Format::Yday => {
            let (days, secs_ns) = parse_calendar(value, format)?;
            match scale {
                Scale::Tai => i128::from(days) * NS_PER_DAY + secs_ns,
                Scale::Tt => i128::from(days) * NS_PER_DAY + secs_ns - TT_MINUS_TAI_NS,
                Scale::Utc => utc_to_tai(days, secs_ns)?,
            }
        }
    };
    i64::try_from(tai_ns).map_err(|_| out_of_range())
}

fn out_of_range() -> String {
    "the time is outside the range this registry can store (about the years 1678 to 2261)"
        .to_owned()
}

fn not_format(value: &str, format: Format) -> String {
    let name = FORMATS
        .iter()
        .find(|(_, f)| *f == format)
        .map_or("?", |(n, _)| n);
    let shape = match format {
        Format::Iso => "`YYYY-MM-DD[ HH:MM[:SS[.fff]]]`",
        Format::Isot => "`YYYY-MM-DD[THH:MM[:SS[.fff]]]`",
        Format::Fits => "`[+]YYYY-MM-DD[THH:MM:SS[.fff]]`",
        Format::Yday => "`YYYY:DDD[:HH:MM[:SS[.fff]]]`",
        _ if is_integer(value) => {
            return format!(
                "`{value}` does not match the time format `{name}`: as in the Python Butler, a number needs a decimal point (`{value}.0`)"
            )
        }
        _ => "a decimal number such as `58938.5`",
    };
    format!("`{value}` does not match the time format `{name}` ({shape})")
}

/// `-?\d+`: a number the Python Butler refuses for want of a decimal point.
fn is_integer(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[format/]value[/scale]`: a first part that starts with a letter is a format name.
fn split(text: &str) -> Result<(Option<&str>, &str, Option<&str>), String> {
    let mut parts = text.split('/');
    let first = parts.next().unwrap_or_default();
    let (second, third) = (parts.next(), parts.next());
    if parts.next().is_some() {
        return Err(format!(
            "`{text}` has too many `/`: write `[format/]value[/scale]`"
        ));
    }
    let names_format = first
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic());
    let (format, value, scale) = match (second, third) {
        (None, _) => (None, first, None),
        (Some(second), None) if names_format => (Some(first), second, None),
        (Some(second), None) => (None, first, Some(second)),
        (Some(second), Some(third)) => (Some(first), second, Some(third)),
    };
    if value.is_empty() {
        return Err("the time literal has no value".to_owned());
    }
    Ok((format, value, scale))
}

fn parse_format(name: &str) -> Result<Format, String> {
    if let Some((_, format)) = FORMATS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Ok(*format);
    }
    if OTHER_ASTROPY_FORMATS
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        Err(format!(
            "the time format `{name}` is not supported (use one of {SUPPORTED_FORMATS})"
        ))
    } else {
        Err(format!(
            "unknown time format `{name}` (use one of {SUPPORTED_FORMATS})"
        ))
    }
}

fn parse_scale(name: &str) -> Result<Scale, String> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "utc" => Ok(Scale::Utc),
        "tai" => Ok(Scale::Tai),
        "tt" => Ok(Scale::Tt),
        "ut1" | "tcg" | "tcb" | "tdb" | "local" => Err(format!(
            "the time scale `{name}` is not supported (use utc, tai or tt)"
        )),
        _ => Err(format!("unknown time scale `{name}` (use utc, tai or tt)")),
    }
}

fn guess_format(value: &str) -> Result<Format, String> {
    let bytes = value.as_bytes();
    if bytes.first() == Some(&b'+') {
        return Ok(Format::Fits);
    }
    if Decimal::parse(value).is_some() {
        return Ok(Format::Mjd);
    }
    if is_integer(value) {
        return Err(format!(
            "`{value}` is not a time: as in the Python Butler, a number needs a decimal point (`{value}.0` is read as an MJD)"
        ));
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    match bytes.get(digits) {
        Some(b'-') if digits > 0 => {
            // The separator between date and time decides between `iso` and `isot`.
            if bytes.iter().any(|&b| b == b'T' || b == b't') {
                Ok(Format::Isot)
            } else {
                Ok(Format::Iso)
            }
        }
        Some(b':') if digits > 0 => Ok(Format::Yday),
        _ => Err(format!(
            "`{value}` does not match any known time format (write e.g. `2025-03-30 12:20:33`, `60764.5` (MJD) or `isot/2025-03-30T12:20:33/tai`)"
        )),
    }
}

/// A decimal number `-?(\d+\.\d*|\.\d+)`, kept as its digits. The point is required, as
/// in the Python Butler's pattern for time literals (`58938` alone is no time there).
#[derive(Debug, Clone, Copy)]
struct Decimal<'a> {
    negative: bool,
    int: &'a [u8],
    frac: &'a [u8],
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let bytes = text.as_bytes();
        let (negative, rest) = match bytes.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, bytes),
        };
        let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (int, after) = rest.split_at(int_len);
        let frac = match after.split_first() {
            Some((b'.', frac)) if frac.iter().all(u8::is_ascii_digit) => frac,
            _ => return None,
        };
        (int_len > 0 || !frac.is_empty()).then_some(Self {
            negative,
            int,
            frac,
        })
    }

    /// `self × unit`, rounded to the nearest integer (halves away from zero); `None` when it
    /// does not fit.
    fn times(self, unit: i128) -> Option<i128> {
        let mut whole: i128 = 0;
        for &d in self.int {
            whole = whole.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        }
        let magnitude = whole
            .checked_mul(unit)?
            .checked_add(fraction_times(self.frac, unit))?;
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

/// `0.DIGITS × unit` rounded half up, exactly, for any number of digits.
///
/// Multiplying the digits by `unit` from the last one, like long multiplication by hand,
/// leaves the integer part of the product in the carry, and the first digit of what falls
/// below the point decides the rounding. The carry stays below `unit`, so nothing overflows.
fn fraction_times(digits: &[u8], unit: i128) -> i128 {
    let mut carry: i128 = 0;
    let mut first_dropped = 0;
    for &d in digits.iter().rev() {
        let acc = i128::from(d - b'0') * unit + carry;
        first_dropped = acc % 10;
        carry = acc / 10;
    }
    carry + i128::from(first_dropped >= 5)
}

/// `a × b / c` rounded to the nearest integer (halves away from zero), `c > 0`.
fn mul_div_round(a: i128, b: i128, c: i128) -> i128 {
    let p = a * b;
    let q = p.div_euclid(c);
    let r = p.rem_euclid(c);
    if 2 * r >= c {
        q + 1
    } else {
        q
    }
}

/// Nanoseconds since 1970-01-01T00:00 of `scale`, counting 86 400 s to every day, as TAI.
/// For UTC this is ERFA's quasi-JD: the fraction of a day is a fraction of that day's length.
fn uniform_to_tai(ns: i128, scale: Scale) -> Result<i128, String> {
    match scale {
        Scale::Tai => Ok(ns),
        Scale::Tt => Ok(ns - TT_MINUS_TAI_NS),
        Scale::Utc => {
            let day = i64::try_from(ns.div_euclid(NS_PER_DAY)).map_err(|_| out_of_range())?;
            let in_day = ns.rem_euclid(NS_PER_DAY);
            let mjd = day + MJD_1970;
            let (Some(today), Some(tomorrow)) = (tai_minus_utc(mjd), tai_minus_utc(mjd + 1)) else {
                return Err(before_utc());
            };
            // The day's length in UTC seconds (units of 1e-7 s): 86 400 plus any leap, the
            // step between today's and tomorrow's offsets beyond the drift (ERFA's `dleap`).
            let leap = tomorrow.at_midnight - today.at_midnight - today.drift;
            let secs_ns =
                mul_div_round(in_day, 864_000_000_000 + i128::from(leap), 864_000_000_000);
            utc_to_tai(day, secs_ns)
        }
    }
}

/// A UTC instant, given as days since 1970-01-01 and nanoseconds into that day (`23:59:60`
/// is 86 400 s), as TAI. This is ERFA's `dtf2d` followed by `utctai`.
fn utc_to_tai(days: i64, secs_ns: i128) -> Result<i128, String> {
    let offset = tai_minus_utc(days + MJD_1970).ok_or_else(before_utc)?;
    // Before 1972 a UTC second was slightly longer than an SI second (the drift rate);
    // scale the time of day from UTC seconds to SI seconds.
    let si_ns = mul_div_round(
        secs_ns,
        864_000_000_000 + i128::from(offset.drift),
        864_000_000_000,
    );
    Ok(i128::from(days) * NS_PER_DAY + si_ns + i128::from(offset.at_midnight) * 100)
}

fn before_utc() -> String {
    "UTC is not defined before 1960-01-01; write the time in TAI (e.g. `.../tai`)".to_owned()
}

/// TAI − UTC at 0h of a UTC day, and how much it grows during that day, in units of 1e-7 s.
#[derive(Debug, Clone, Copy)]
struct Offset {
    at_midnight: i64,
    drift: i64,
}

/// ERFA's `eraDat` table: from (year, month) on, TAI − UTC is `delta + (MJD − ref) × rate`
/// (1e-7 s and 1e-7 s per day). Leap seconds from 1972 on; the last one is 2017-01-01.
const LEAP_TABLE: [(i64, u32, i64, i64, i64); 42] = [
    (1960, 1, 14_178_180, 37_300, 12_960),
    (1961, 1, 14_228_180, 37_300, 12_960),
    (1961, 8, 13_728_180, 37_300, 12_960),
    (1962, 1, 18_458_580, 37_665, 11_232),
    (1963, 11, 19_458_580, 37_665, 11_232),
    (1964, 1, 32_401_300, 38_761, 12_960),
    (1964, 4, 33_401_300, 38_761, 12_960),
    (1964, 9, 34_401_300, 38_761, 12_960),
    (1965, 1, 35_401_300, 38_761, 12_960),
    (1965, 3, 36_401_300, 38_761, 12_960),
    (1965, 7, 37_401_300, 38_761, 12_960),
    (1965, 9, 38_401_300, 38_761, 12_960),
    (1966, 1, 43_131_700, 39_126, 25_920),
    (1968, 2, 42_131_700, 39_126, 25_920),
    (1972, 1, 100_000_000, 0, 0),
    (1972, 7, 110_000_000, 0, 0),
    (1973, 1, 120_000_000, 0, 0),
    (1974, 1, 130_000_000, 0, 0),
    (1975, 1, 140_000_000, 0, 0),
    (1976, 1, 150_000_000, 0, 0),
    (1977, 1, 160_000_000, 0, 0),
    (1978, 1, 170_000_000, 0, 0),
    (1979, 1, 180_000_000, 0, 0),
    (1980, 1, 190_000_000, 0, 0),
    (1981, 7, 200_000_000, 0, 0),
    (1982, 7, 210_000_000, 0, 0),
    (1983, 7, 220_000_000, 0, 0),
    (1985, 7, 230_000_000, 0, 0),
    (1988, 1, 240_000_000, 0, 0),
    (1990, 1, 250_000_000, 0, 0),
    (1991, 1, 260_000_000, 0, 0),
    (1992, 7, 270_000_000, 0, 0),
    (1993, 7, 280_000_000, 0, 0),
    (1994, 7, 290_000_000, 0, 0),
    (1996, 1, 300_000_000, 0, 0),
    (1997, 7, 310_000_000, 0, 0),
    (1999, 1, 320_000_000, 0, 0),
    (2006, 1, 330_000_000, 0, 0),
    (2009, 1, 340_000_000, 0, 0),
    (2012, 7, 350_000_000, 0, 0),
    (2015, 7, 360_000_000, 0, 0),
    (2017, 1, 370_000_000, 0, 0),
];

/// TAI − UTC on the UTC day `mjd`; `None` before 1960, where UTC is not defined.
fn tai_minus_utc(mjd: i64) -> Option<Offset> {
    let &(_, _, delta, reference, rate) = LEAP_TABLE
        .iter()
        .rev()
        .find(|(year, month, ..)| days_from_civil(*year, *month, 1) + MJD_1970 <= mjd)?;
    Some(Offset {
        at_midnight: delta + (mjd - reference) * rate,
        drift: rate,
    })
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A cursor over the value of a calendar format.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.pos += usize::from(hit);
        hit
    }

    /// Between `min` and `max` digits, as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.pos;
        let mut n: u32 = 0;
        while self.pos - start < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    n = n * 10 + u32::from(d - b'0');
                    self.pos += 1;
                }
                _ => break,
            }
        }
        (self.pos - start >= min).then_some(n)
    }
}

/// `iso`, `isot`, `fits` or `yday` text as (days since 1970-01-01, ns into the day).
fn parse_calendar(value: &str, format: Format) -> Result<(i64, i128), String> {
    let bad = || not_format(value, format);
    let value_without_zone = strip_utc_zone(value)?;
    let mut c = Cursor {
        bytes: value_without_zone.as_bytes(),
        pos: 0,
    };
    // Years have four digits; `fits` also writes five with a sign (`+02025-...`).
    let year = if format == Format::Fits && matches!(c.peek(), Some(b'+' | b'-')) {
        let negative = c.eat(b'-') || {
            c.eat(b'+');
            false
        };
        let y = i64::from(c.number(5, 5).ok_or_else(bad)?);
        if negative {
            -y
        } else {
            y
        }
    } else {
        i64::from(c.number(4, 4).ok_or_else(bad)?)
    };
    let days = if format == Format::Yday {
        if !c.eat(b':') {
            return Err(bad());
        }
        let day_of_year = c.number(1, 3).ok_or_else(bad)?;
        let length = if is_leap_year(year) { 366 } else { 365 };
        if !(1..=length).contains(&day_of_year) {
            return Err(format!(
                "`{value}`: day of year {day_of_year} is not between 1 and {length}"
            ));
        }
        days_from_civil(year, 1, 1) + i64::from(day_of_year) - 1
    } else {
        if !c.eat(b'-') {
            return Err(bad());
        }
        let month = c.number(1, 2).ok_or_else(bad)?;
        if !c.eat(b'-') {
            return Err(bad());
        }
        let day = c.number(1, 2).ok_or_else(bad)?;
        if !(1..=12).contains(&month) {
            return Err(format!("`{value}`: month {month} is not between 1 and 12"));
        }
        let last = days_in_month(year, month);
        if !(1..=last).contains(&day) {
            return Err(format!(
                "`{value}`: day {day} is not between 1 and {last} for that month"
            ));
        }
        days_from_civil(year, month, day)
    };
    if c.peek().is_none() {
        return Ok((days, 0));
    }
    let separator_ok = match format {
        Format::Iso => c.eat(b' '),
        Format::Isot | Format::Fits => c.eat(b'T'),
        _ => c.eat(b':'),
    };
    if !separator_ok {
        return Err(bad());
    }
    let hour = c.number(1, 2).ok_or_else(bad)?;
    if !c.eat(b':') {
        return Err(format!(
            "`{value}`: a time needs at least hours and minutes (`HH:MM`)"
        ));
    }
    let minute = c.number(1, 2).ok_or_else(bad)?;
    let mut second_ns: i128 = 0;
    if c.eat(b':') {
        let whole = c.number(1, 2).ok_or_else(bad)?;
        let frac = if c.eat(b'.') {
            let start = c.pos;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.pos += 1;
            }
            &c.bytes[start..c.pos]
        } else {
            &[][..]
        };
        if whole >= 61 {
            return Err(format!("`{value}`: second {whole} is not below 61"));
        }
        second_ns = i128::from(whole) * NS_PER_SEC + fraction_times(frac, NS_PER_SEC);
    } else if format == Format::Fits {
        return Err(bad());
    }
    if c.peek().is_some() {
        return Err(bad());
    }
    if hour > 23 {
        return Err(format!("`{value}`: hour {hour} is not between 0 and 23"));
    }
    if minute > 59 {
        return Err(format!(
            "`{value}`: minute {minute} is not between 0 and 59"
        ));
    }
    let secs_ns = (i128::from(hour) * 3600 + i128::from(minute) * 60) * NS_PER_SEC + second_ns;
    Ok((days, secs_ns))
}

/// Drops a trailing `+00:00` or `Z` (UTC written as a time zone); refuses other zones.
fn strip_utc_zone(value: &str) -> Result<&str, String> {
    if let Some(rest) = value.strip_suffix("+00:00") {
        return Ok(rest);
    }
    if let Some(rest) = value.strip_suffix(['Z', 'z']) {
        if rest.contains(':') {
            return Ok(rest);
        }
    }
    let bytes = value.as_bytes();
    let zone = bytes.len() >= 6
        && matches!(bytes[bytes.len() - 6], b'+' | b'-')
        && bytes[bytes.len() - 3] == b':'
        && value.contains([' ', 'T']);
    if zone {
        return Err(format!(
            "`{value}`: time zones are not supported; write the time in UTC (or TAI)"
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from astropy 7 (the Python Butler's venv), computed as
    /// `(Time(value, format=..., scale=...).tai - Time('1970-01-01T00:00:00', scale='tai'))`
    /// with the day parts combined exactly: `int(jd1) * 86400 * 10**9 + round(jd2 * 86400e9)`.
    /// Numeric values were given to astropy as strings, which it reads exactly.
    #[test]
    fn agrees_with_astropy() {
        for (text, expected) in [
            // Time('58938.515', format='mjd', scale='tai')
            ("58938.515", 1_585_570_896_000_000_000),
            ("mjd/58938.515/tai", 1_585_570_896_000_000_000),
            // Time('2020-1-1', format='iso', scale='utc')
            ("2020-1-1", 1_577_836_837_000_000_000),
            ("2020-01-01", 1_577_836_837_000_000_000),
            // Time('2020-1-1 1:2:3', format='iso', scale='utc')
            ("2020-1-1 1:2:3", 1_577_840_560_000_000_000),
            // Time('2020-01-01 12:3', format='iso', scale='utc')
            ("2020-01-01 12:3", 1_577_880_217_000_000_000),
            // Time('2020-01-01 12:00:00.', format='iso', scale='utc')
            ("2020-01-01 12:00:00.", 1_577_880_037_000_000_000),
            // Time('+02020-01-01T00:00:00', format='fits', scale='utc')
            ("+02020-01-01T00:00:00", 1_577_836_837_000_000_000),
            ("fits/2020-01-01", 1_577_836_837_000_000_000),
            // Time(0, format='unix'), Time(0, format='unix', scale='tai')
            ("unix/0.", 8_000_082_000),
            ("unix/0.0/tai", 8_000_082_000),
            // Time(0, format='unix_tai')
            ("unix_tai/0.", 0),
            // Time(0, format='cxcsec', scale='tt'), and scale='utc'
            ("cxcsec/0.", 883_612_767_816_000_000),
            ("cxcsec/0./utc", 883_612_767_816_000_000),
            // Time(0, format='gps')
            ("gps/0.", 315_964_819_000_000_000),
            // Time('1970-01-01T00:00:00', scale='utc'): the 1960s drift table
            ("1970-01-01T00:00:00", 8_000_082_000),
            // Time('1965-06-01T12:00:00', scale='utc')
            ("1965-06-01T12:00:00", -144_676_796_163_526_000),
            // Time('2016-12-31T23:59:60.5', scale='utc'): inside the leap second
            ("2016-12-31T23:59:60.5", 1_483_228_836_500_000_000),
            // Time('2016:366:23:59:60.5', format='yday', scale='utc')
            ("2016:366:23:59:60.5", 1_483_228_836_500_000_000),
            // Time('2020:1', format='yday', scale='utc')
            ("2020:1", 1_577_836_837_000_000_000),
            // Time('2020-01-01 00:00:00.123456789123', format='iso', scale='utc')
            (
                "2020-01-01 00:00:00.123456789123",
                1_577_836_837_123_456_789,
            ),
            // Time('57753.9999942', format='mjd', scale='utc'): a fraction of a 86 401 s day
            ("57753.9999942/utc", 1_483_228_836_498_874_200),
            // Time('2000-01-01 00:00', format='iso', scale='tt')
            ("2000-01-01 00:00/tt", 946_684_767_816_000_000),
            // Time('2020-01-01 12:00:61', format='iso', scale='utc') would be 12:01:01; we
            // refuse seconds of 61 and more, but 60 rolls over as in ERFA.
            ("2020-01-01 12:00:60", 1_577_880_097_000_000_000),
        ] {
            assert_eq!(parse_time_literal(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn numbers_are_exact_and_rounded_to_the_nearest_nanosecond() {
        // 1 ns is 1/86 400 000 000 000 day; 0.5 ns rounds away from zero.
        assert_eq!(parse_time_literal("unix_tai/0.0000000005"), Ok(1));
        assert_eq!(
            parse_time_literal("unix_tai/0.00000000049999999999999"),
            Ok(0)
        );
        assert_eq!(parse_time_literal("unix_tai/-0.0000000005"), Ok(-1));
        assert_eq!(parse_time_literal("unix_tai/1."), Ok(1_000_000_000));
        assert_eq!(parse_time_literal("unix_tai/.25"), Ok(250_000_000));
        assert_eq!(
            parse_time_literal("jd/2440587.5"),
            Ok(0),
            "JD 2440587.5 is 1970-01-01T00:00 TAI"
        );
        assert_eq!(parse_time_literal("40587."), Ok(0));
        assert_eq!(
            parse_time_literal("40587.00000000000000000000000000000000000000000000001"),
            Ok(0)
        );
    }

    #[test]
    fn equivalent_spellings() {
        let t = parse_time_literal("58938.515").unwrap();
        for text in [
            "mjd/58938.515",
            "58938.515/tai",
            "MJD/58938.515/TAI",
            "58938.515/TAI",
        ] {
            assert_eq!(parse_time_literal(text), Ok(t), "{text}");
        }
        let utc = parse_time_literal("2020-01-01T00:00:00").unwrap();
        for text in [
            "2020-01-01T00:00:00+00:00",
            "2020-01-01T00:00:00Z",
            "isot/2020-01-01T00:00:00/utc",
            "2020-01-01 00:00",
            "2020-01-01+00:00",
            "2020:001:00:00:00",
        ] {
            assert_eq!(parse_time_literal(text), Ok(utc), "{text}");
        }
        assert_eq!(
            parse_time_literal("2020-01-01T00:00:00/tai"),
            Ok(utc - 37_000_000_000)
        );
    }

    #[test]
    fn refusals() {
        for (text, why) in [
            ("", "no value"),
            ("2020-01-01 12", "hours and minutes"),
            ("2020-01-01T12:00:00+01:00", "time zones"),
            ("2020-13-01", "month 13"),
            ("2021-02-29", "day 29"),
            ("2020-01-01 24:00", "hour 24"),
            ("2020-01-01 12:60", "minute 60"),
            ("2020-01-01 12:00:61", "second 61"),
            ("2020:367", "day of year 367"),
            (
                "iso/2020-01-01T00:00",
                "does not match the time format `iso`",
            ),
            (
                "isot/2020-01-01 00:00",
                "does not match the time format `isot`",
            ),
            (
                "fits/2020-01-01T00:00",
                "does not match the time format `fits`",
            ),
            ("20-01-01", "does not match the time format `iso`"),
            ("2020-01-01/ut1", "`ut1` is not supported"),
            ("2020-01-01/xyz", "unknown time scale"),
            ("decimalyear/2020.5", "`decimalyear` is not supported"),
            ("foo/1", "unknown time format"),
            ("abc", "does not match any known time format"),
            ("mjd/1e5", "does not match the time format `mjd`"),
            ("a/b/c/d", "too many"),
            ("1959-12-31", "UTC is not defined before 1960"),
            ("2300-01-01/tai", "outside the range"),
            (
                "99999999999999999999999999999999999999999.",
                "outside the range",
            ),
            (
                "58938",
                "needs a decimal point (`58938.0` is read as an MJD)",
            ),
            ("unix/1740875400", "needs a decimal point (`1740875400.0`)"),
        ] {
            let err = parse_time_literal(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn leap_table_steps_by_one_second_at_midnight() {
        // 2016-12-31 has 86 401 UTC seconds: 23:59:60 exists and is one second before
        // 2017-01-01T00:00:00.
        let leap = parse_time_literal("2016-12-31T23:59:60").unwrap();
        let next = parse_time_literal("2017-01-01T00:00:00").unwrap();
        assert_eq!(next - leap, 1_000_000_000);
        assert_eq!(
            parse_time_literal("2017-01-01T00:00:00/tai").unwrap() - next,
            -37_000_000_000
        );
    }
}
