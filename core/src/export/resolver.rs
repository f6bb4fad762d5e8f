//! PyYAML's implicit resolvers: which plain scalars are not strings (YAML 1.1 rules).
//!
//! The emitter uses them to decide when a string must be quoted; the parser uses them to type
//! plain scalars the way the Python Butler's reader (`yaml.safe_load`) does, so `yes` is a
//! boolean and `1e5` a string, unlike YAML 1.2.

/// What a plain (untagged, unquoted) scalar means to PyYAML's `safe_load`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Plain {
    /// `null`, `~` or nothing.
    Null,
    /// `true`, `yes`, `on`, … and their negations.
    Bool(bool),
    /// An integer; `None` when it does not fit in 64 bits.
    Int(Option<i64>),
    /// A float.
    Float(f64),
    /// Anything else (timestamps included: they stay text here).
    Str,
}

/// Types a plain scalar as PyYAML's resolvers and constructors do.
pub(super) fn resolve_plain(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Plain::Bool(true)
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Plain::Bool(false)
        }
        _ => {}
    }
    let b = text.as_bytes();
    if is_yaml11_int(b) {
        Plain::Int(int_value(text))
    } else if is_yaml11_float(b) {
        Plain::Float(float_value(text))
    } else {
        Plain::Str
    }
}

/// PyYAML's `construct_yaml_int` for text that `is_yaml11_int` accepted.
fn int_value(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t.as_str()),
    };
    let magnitude: i128 = if digits == "0" {
        0
    } else if let Some(x) = digits.strip_prefix("0b") {
        i128::from_str_radix(x, 2).ok()?
    } else if let Some(x) = digits.strip_prefix("0x") {
        i128::from_str_radix(x, 16).ok()?
    } else if digits.contains(':') {
        digits.split(':').try_fold(0i128, |acc, part| {
            acc.checked_mul(60)?.checked_add(part.parse().ok()?)
        })?
    } else if digits.starts_with('0') {
        i128::from_str_radix(digits, 8).ok()?
    } else {
        digits.parse().ok()?
    };
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// PyYAML's `construct_yaml_float` for text that `is_yaml11_float` accepted.
fn float_value(text: &str) -> f64 {
    let t: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => (1.0, t.as_str()),
    };
    let magnitude = if rest == ".inf" {
        f64::INFINITY
    } else if rest == ".nan" {
        f64::NAN
    } else if rest.contains(':') {
        rest.rsplit(':')
            .enumerate()
            .map(|(i, part)| fixed_float(part) * 60f64.powi(i as i32))
            .sum()
    } else {
        fixed_float(rest)
    };
    sign * magnitude
}

/// Parses `1.`, `.5`, `1.e+5`, `2.5e-3` (Rust's parser wants digits around the point).
fn fixed_float(text: &str) -> f64 {
    let (mantissa, exponent) = match text.find('e') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let mut fixed = String::with_capacity(text.len() + 2);
    if mantissa.starts_with('.') {
        fixed.push('0');
    }
    fixed.push_str(mantissa);
    if mantissa.ends_with('.') {
        fixed.push('0');
    }
    fixed.push_str(exponent);
    fixed.parse().unwrap_or(f64::NAN)
}

/// Whether a plain scalar would be read back as something other than a string by PyYAML's
/// implicit resolvers (bool, int, float, null, timestamp, merge, value); a string with this
/// text must then be quoted.
pub(super) fn is_implicitly_typed(text: &str) -> bool {
    let b = text.as_bytes();
    matches!(
        text,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | "<<"
            | "="
    ) || is_yaml11_int(b)
        || is_yaml11_float(b)
        || is_yaml11_timestamp(b)
}

/// A cursor over bytes for the hand-written versions of PyYAML's resolver regexes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    fn eat_any(&mut self, set: &[u8]) -> bool {
        let hit = self.peek().is_some_and(|c| set.contains(&c));
        self.i += usize::from(hit);
        hit
    }
    fn eat_while(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
        self.i - start
    }
    fn eat_digit(&mut self) -> bool {
        let hit = self.peek().is_some_and(|c| c.is_ascii_digit());
        self.i += usize::from(hit);
        hit
    }
    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }
    /// `(:[0-5]?[0-9])+`
    fn sexagesimal_parts(&mut self) -> bool {
        let mut any = false;
        while self.eat(b':') {
            let start = self.i;
            let n = self.eat_while(|c| c.is_ascii_digit());
            if !(n == 1 || (n == 2 && self.b[start] <= b'5')) {
                return false;
            }
            any = true;
        }
        any
    }
    /// `[eE][-+][0-9]+`, optional.
    fn exponent(&mut self) -> bool {
        if self.eat_any(b"eE") {
            return self.eat_any(b"-+") && self.eat_while(|c| c.is_ascii_digit()) > 0;
        }
        true
    }
}

fn digit_or_underscore(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

/// PyYAML's int resolver: binary, octal, decimal, hex and sexagesimal forms.
pub(super) fn is_yaml11_int(b: &[u8]) -> bool {
    let mut c = Cursor { b, i: 0 };
    c.eat_any(b"-+");
    let rest = &b[c.i..];
    let all = |s: &[u8], f: fn(u8) -> bool| !s.is_empty() && s.iter().all(|&x| f(x));
    match rest {
        [b'0', b'b', tail @ ..] => all(tail, |x| matches!(x, b'0' | b'1' | b'_')),
        [b'0', b'x', tail @ ..] => all(tail, |x| x.is_ascii_hexdigit() || x == b'_'),
        [b'0'] => true,
        [b'0', tail @ ..] => all(tail, |x| matches!(x, b'0'..=b'7' | b'_')),
        [b'1'..=b'9', ..] => {
            c.i += 1;
            c.eat_while(digit_or_underscore);
            c.at_end() || (c.sexagesimal_parts() && c.at_end())
        }
        _ => false,
    }
}

/// PyYAML's float resolver (which needs a `.`; `1e5` is a string to it).
pub(super) fn is_yaml11_float(b: &[u8]) -> bool {
    if matches!(b, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    let mut c = Cursor { b, i: 0 };
    c.eat_any(b"-+");
    if matches!(&b[c.i..], b".inf" | b".Inf" | b".INF") {
        return true;
    }
    if b.first() == Some(&b'.') {
        let mut c = Cursor { b, i: 1 };
        return c.eat_digit() && {
            c.eat_while(digit_or_underscore);
            c.exponent() && c.at_end()
        };
    }
    if !c.eat_digit() {
        return false;
    }
    c.eat_while(digit_or_underscore);
    if c.peek() == Some(b':') {
        if !c.sexagesimal_parts() || !c.eat(b'.') {
            return false;
        }
        c.eat_while(digit_or_underscore);
        return c.at_end();
    }
    c.eat(b'.') && {
        c.eat_while(digit_or_underscore);
        c.exponent() && c.at_end()
    }
}

/// PyYAML's timestamp resolver: `2002-12-14` or `2001-12-14 21:59:43.10 -5`.
fn is_yaml11_timestamp(b: &[u8]) -> bool {
    let mut c = Cursor { b, i: 0 };
    if c.eat_while(|x| x.is_ascii_digit()) != 4 || !c.eat(b'-') {
        return false;
    }
    let month = c.eat_while(|x| x.is_ascii_digit());
    if !(1..=2).contains(&month) || !c.eat(b'-') {
        return false;
    }
    let day = c.eat_while(|x| x.is_ascii_digit());
    if !(1..=2).contains(&day) {
        return false;
    }
    if c.at_end() {
        return month == 2 && day == 2;
    }
    if !c.eat_any(b"Tt") && c.eat_while(|x| x == b' ' || x == b'\t') == 0 {
        return false;
    }
    let hour = c.eat_while(|x| x.is_ascii_digit());
    if !(1..=2).contains(&hour)
        || !c.eat(b':')
        || c.eat_while(|x| x.is_ascii_digit()) != 2
        || !c.eat(b':')
    {
        return false;
    }
    if c.eat_while(|x| x.is_ascii_digit()) != 2 {
        return false;
    }
    if c.eat(b'.') {
        c.eat_while(|x| x.is_ascii_digit());
    }
    if c.at_end() {
        return true;
    }
    c.eat_while(|x| x == b' ' || x == b'\t');
    if c.eat(b'Z') {
        return c.at_end();
    }
    if !c.eat_any(b"-+") {
        return false;
    }
    let tz = c.eat_while(|x| x.is_ascii_digit());
    if !(1..=2).contains(&tz) {
        return false;
    }
    if c.eat(b':') && c.eat_while(|x| x.is_ascii_digit()) != 2 {
        return false;
    }
    c.at_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values are what `yaml.safe_load` gives in Python.
    #[test]
    fn plain_scalars_are_typed_like_pyyaml() {
        let cases = [
            ("~", Plain::Null),
            ("", Plain::Null),
            ("yes", Plain::Bool(true)),
            ("Off", Plain::Bool(false)),
            ("y", Plain::Str),
            ("12", Plain::Int(Some(12))),
            ("-1_000", Plain::Int(Some(-1000))),
            ("0x1F", Plain::Int(Some(31))),
            ("0b101", Plain::Int(Some(5))),
            ("0777", Plain::Int(Some(511))),
            ("1:30", Plain::Int(Some(90))),
            ("-9223372036854775808", Plain::Int(Some(i64::MIN))),
            ("9223372036854775808", Plain::Int(None)),
            ("30.0", Plain::Float(30.0)),
            ("1.", Plain::Float(1.0)),
            (".5", Plain::Float(0.5)),
            ("1.0e+16", Plain::Float(1e16)),
            ("1.e-2", Plain::Float(0.01)),
            ("-.Inf", Plain::Float(f64::NEG_INFINITY)),
            ("1:30.5", Plain::Float(90.5)),
            ("1e5", Plain::Str),
            ("0o17", Plain::Str),
            ("2025-01-01", Plain::Str),
            ("1.0.2", Plain::Str),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_plain(text), expected, "{text}");
        }
        assert!(matches!(resolve_plain(".nan"), Plain::Float(x) if x.is_nan()));
    }
}
