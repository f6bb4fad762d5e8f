//! A small YAML emitter that writes scalars exactly as PyYAML's default `Dumper` does.
//!
//! The Python Butler dumps exports with `yaml.dump(..., sort_keys=False)`: block style, an
//! indent of 2, a line width of 80 and `allow_unicode=False`. The structure (keys, dashes,
//! indentation) is written by the caller; this module owns the parts with rules: choosing
//! plain, single-quoted or double-quoted style for a string (the port of PyYAML's
//! `analyze_scalar` and implicit resolvers), folding long scalars at spaces, escaping, and
//! Python's `repr` of floats. Output is ASCII, so a column is a byte count.

use std::io::Write;

use super::resolver::is_implicitly_typed;

/// PyYAML's `best_width`: scalars are folded at a space once the column passes this.
const WIDTH: usize = 80;

/// Flush the buffer to the output once it holds this much.
const FLUSH_AT: usize = 1 << 20;

/// Buffers YAML text and tracks the column for line folding.
pub(super) struct Emitter<'w> {
    out: &'w mut dyn Write,
    buf: String,
    line_start: usize,
    error: Option<std::io::Error>,
}

impl std::fmt::Debug for Emitter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl<'w> Emitter<'w> {
    pub(super) fn new(out: &'w mut dyn Write) -> Self {
        Self {
            out,
            buf: String::with_capacity(FLUSH_AT + 4096),
            line_start: 0,
            error: None,
        }
    }

    fn column(&self) -> usize {
        self.buf.len() - self.line_start
    }

    /// Appends text that contains no line break.
    pub(super) fn raw(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    /// Ends the current line.
    pub(super) fn newline(&mut self) {
        self.buf.push('\n');
        if self.buf.len() >= FLUSH_AT {
            self.flush();
        }
        self.line_start = self.buf.len();
    }

    /// Appends a whole line.
    pub(super) fn line(&mut self, text: &str) {
        self.raw(text);
        self.newline();
    }

    /// Writes `indent` spaces.
    pub(super) fn spaces(&mut self, indent: usize) {
        for _ in 0..indent {
            self.buf.push(' ');
        }
    }

    fn flush(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(self.buf.as_bytes()) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    /// Writes what is buffered and reports the first output error.
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        self.flush();
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }

    /// Breaks the line inside a folded scalar and indents the continuation.
    fn fold(&mut self, indent: usize) {
        self.newline();
        self.spaces(indent);
    }

    /// Writes an untagged string, plain when PyYAML would, quoted otherwise.
    ///
    /// `indent` is where continuation lines of a folded scalar start (the enclosing
    /// mapping's or sequence's indent plus 2).
    pub(super) fn str_scalar(&mut self, text: &str, indent: usize) {
        let analysis = analyze(text);
        if analysis.allow_plain && !is_implicitly_typed(text) {
            if text.len() + self.column() <= WIDTH || !text.contains(' ') {
                self.raw(text);
            } else {
                self.write_plain(text, indent);
            }
        } else if analysis.allow_single_quoted {
            self.write_single_quoted(text, indent);
        } else {
            self.write_double_quoted(text, indent);
        }
    }

    /// Writes an integer.
    pub(super) fn int(&mut self, value: i64) {
        use std::fmt::Write as _;
        let _ = write!(self.buf, "{value}");
    }

    /// Writes a float as PyYAML's `represent_float` does.
    pub(super) fn float(&mut self, value: f64) {
        let text = python_float_repr(value);
        self.raw(&text);
    }

    /// Writes `true` or `false`.
    pub(super) fn bool(&mut self, value: bool) {
        self.raw(if value { "true" } else { "false" });
    }

    /// Port of PyYAML's `Emitter.write_plain` (no line breaks: they are never plain).
    fn write_plain(&mut self, text: &str, indent: usize) {
        let b = text.as_bytes();
        let (mut start, mut end, mut spaces) = (0, 0, false);
        while end <= b.len() {
            let ch = b.get(end).copied();
            if spaces {
                if ch != Some(b' ') {
                    if start + 1 == end && self.column() > WIDTH {
                        self.fold(indent);
                    } else {
                        self.raw(&text[start..end]);
                    }
                    start = end;
                }
            } else if ch.is_none() || ch == Some(b' ') {
                self.raw(&text[start..end]);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == b' ';
            }
            end += 1;
        }
    }

    /// Port of PyYAML's `Emitter.write_single_quoted`. Only printable ASCII and `\n` reach
    /// here (anything else makes the analysis pick double quotes).
    fn write_single_quoted(&mut self, text: &str, indent: usize) {
        self.raw("'");
        let b = text.as_bytes();
        let (mut start, mut end, mut spaces, mut breaks) = (0, 0, false, false);
        while end <= b.len() {
            let ch = b.get(end).copied();
            if spaces {
                if ch != Some(b' ') {
                    if start + 1 == end && self.column() > WIDTH && start != 0 && end != b.len() {
                        self.fold(indent);
                    } else {
                        self.raw(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if ch != Some(b'\n') {
                    // A single line break in the text is written as an empty line.
                    self.newline();
                    for _ in start..end {
                        self.newline();
                    }
                    self.spaces(indent);
                    start = end;
                }
            } else if matches!(ch, None | Some(b' ' | b'\n' | b'\'')) && start < end {
                self.raw(&text[start..end]);
                start = end;
            }
            if ch == Some(b'\'') {
                self.raw("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == b' ';
                breaks = c == b'\n';
            }
            end += 1;
        }
        self.raw("'");
    }

    /// Port of PyYAML's `Emitter.write_double_quoted` with `allow_unicode=False`.
    fn write_double_quoted(&mut self, text: &str, indent: usize) {
        self.raw("\"");
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let (mut start, mut end) = (0, 0);
        while end <= n {
            let ch = chars.get(end).copied();
            let needs_escape = match ch {
                None => true,
                Some(c) => {
                    matches!(
                        c,
                        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                    ) || !(' '..='~').contains(&c)
                }
            };
            if needs_escape {
                if start < end {
                    self.push_chars(&chars[start..end]);
                    start = end;
                }
                if let Some(c) = ch {
                    self.raw(&escape(c));
                    start = end + 1;
                }
            }
            // `end - start` is -1 right after an escape, as in Python.
            let pending = end as isize - start as isize;
            if 0 < end
                && end + 1 < n
                && (ch == Some(' ') || start >= end)
                && self.column() as isize + pending > WIDTH as isize
            {
                if start < end {
                    self.push_chars(&chars[start..end]);
                }
                self.raw("\\");
                if start < end {
                    start = end;
                }
                self.fold(indent);
                if chars[start] == ' ' {
                    self.raw("\\");
                }
            }
            end += 1;
        }
        self.raw("\"");
    }

    fn push_chars(&mut self, chars: &[char]) {
        self.buf.extend(chars);
    }
}

/// The escape PyYAML writes for a character in a double-quoted scalar.
fn escape(c: char) -> String {
    let short = match c {
        '\0' => "0",
        '\x07' => "a",
        '\x08' => "b",
        '\t' => "t",
        '\n' => "n",
        '\x0B' => "v",
        '\x0C' => "f",
        '\r' => "r",
        '\x1B' => "e",
        '"' => "\"",
        '\\' => "\\",
        '\u{85}' => "N",
        '\u{A0}' => "_",
        '\u{2028}' => "L",
        '\u{2029}' => "P",
        _ => {
            let code = u32::from(c);
            return if code <= 0xFF {
                format!("\\x{code:02X}")
            } else if code <= 0xFFFF {
                format!("\\u{code:04X}")
            } else {
                format!("\\U{code:08X}")
            };
        }
    };
    format!("\\{short}")
}

/// Which styles PyYAML's `analyze_scalar` allows for a block-context value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Analysis {
    allow_plain: bool,
    allow_single_quoted: bool,
}

fn is_space_or_break(c: u8) -> bool {
    matches!(c, b'\0' | b' ' | b'\t' | b'\r' | b'\n')
}

/// Port of PyYAML's `Emitter.analyze_scalar`, block context, `allow_unicode=False`.
///
/// Works on bytes: every non-ASCII character is a "special character" without
/// `allow_unicode`, which rules out everything but double quotes, so the finer
/// distinctions PyYAML makes between non-ASCII characters do not matter.
fn analyze(text: &str) -> Analysis {
    let b = text.as_bytes();
    if b.is_empty() {
        return Analysis {
            allow_plain: true,
            allow_single_quoted: true,
        };
    }
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = b.len() == 1 || is_space_or_break(b[1]);
    let (mut previous_space, mut previous_break) = (false, false);
    let last = b.len() - 1;
    for (i, &ch) in b.iter().enumerate() {
        if i == 0 {
            if b"#,[]{}&*!|>'\"%@`".contains(&ch) {
                block_indicators = true;
            }
            if (ch == b'?' || ch == b':' || ch == b'-') && followed_by_whitespace {
                block_indicators = true;
            }
        } else if (ch == b':' && followed_by_whitespace) || (ch == b'#' && preceded_by_whitespace) {
            block_indicators = true;
        }
        if ch == b'\n' {
            line_breaks = true;
        } else if !(0x20..=0x7E).contains(&ch) {
            special = true;
        }
        if ch == b' ' {
            leading_space |= i == 0;
            trailing_space |= i == last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if ch == b'\n' {
            leading_break |= i == 0;
            trailing_break |= i == last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_space_or_break(ch);
        followed_by_whitespace = i + 2 >= b.len() || is_space_or_break(b[i + 2]);
    }
    let mut allow_plain = !(leading_space || leading_break || trailing_space || trailing_break);
    let mut allow_single_quoted = true;
    if break_space {
        allow_plain = false;
        allow_single_quoted = false;
    }
    if space_break || special {
        allow_plain = false;
        allow_single_quoted = false;
    }
    if line_breaks || block_indicators {
        allow_plain = false;
    }
    Analysis {
        allow_plain,
        allow_single_quoted,
    }
}

/// `repr(value).lower()` with PyYAML's fixes: `.nan`, `.inf`, and `.0` before a bare exponent.
pub(super) fn python_float_repr(value: f64) -> String {
    if value.is_nan() {
        return ".nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // `{:e}` gives the shortest digits that round-trip, as Python's repr does.
    let sci = format!("{value:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes a decimal exponent");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else {
            let point = exp as usize + 1;
            if digits.len() <= point {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        // Python writes `1e+16`; PyYAML turns that into `1.0e+16`.
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emit(f: impl FnOnce(&mut Emitter<'_>)) -> String {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out);
        f(&mut e);
        e.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    fn value(text: &str) -> String {
        emit(|e| {
            e.raw("k: ");
            e.str_scalar(text, 2);
        })
    }

    /// Expected outputs are `yaml.dump({"k": text}, sort_keys=False)` from PyYAML 6.
    #[test]
    fn strings_are_quoted_like_pyyaml() {
        let cases = [
            ("DemoCam", "k: DemoCam"),
            ("", "k: ''"),
            ("null", "k: 'null'"),
            ("Null", "k: 'Null'"),
            ("nul", "k: nul"),
            ("yes", "k: 'yes'"),
            ("On", "k: 'On'"),
            ("y", "k: y"),
            ("123", "k: '123'"),
            ("-1_000", "k: '-1_000'"),
            ("0x1F", "k: '0x1F'"),
            ("0b102", "k: 0b102"),
            ("0777", "k: '0777'"),
            ("0778", "k: 0778"),
            ("1:30", "k: '1:30'"),
            ("1:60", "k: 1:60"),
            ("1:61", "k: 1:61"),
            ("1.5", "k: '1.5'"),
            ("1.", "k: '1.'"),
            ("1e5", "k: 1e5"),
            ("1.0e+5", "k: '1.0e+5'"),
            (".5", "k: '.5'"),
            (".inf", "k: '.inf'"),
            ("-.Inf", "k: '-.Inf'"),
            (".nan", "k: '.nan'"),
            ("1.0.2", "k: 1.0.2"),
            ("2025-01-01", "k: '2025-01-01'"),
            ("2025-1-1", "k: 2025-1-1"),
            ("2025-12-03T07:58:10.858", "k: '2025-12-03T07:58:10.858'"),
            (
                "2025-12-03 07:58:10 +01:00",
                "k: '2025-12-03 07:58:10 +01:00'",
            ),
            ("~", "k: '~'"),
            ("<<", "k: '<<'"),
            ("=", "k: '='"),
            ("a: b", "k: 'a: b'"),
            ("a:b", "k: a:b"),
            ("a:", "k: 'a:'"),
            ("a #b", "k: 'a #b'"),
            ("a#b", "k: a#b"),
            ("#a", "k: '#a'"),
            ("- a", "k: '- a'"),
            ("-a", "k: -a"),
            ("-", "k: '-'"),
            ("?a", "k: ?a"),
            ("? a", "k: '? a'"),
            ("*a", "k: '*a'"),
            ("!a", "k: '!a'"),
            ("a,b[c]{d}", "k: a,b[c]{d}"),
            ("---", "k: '---'"),
            ("...x", "k: '...x'"),
            (" a", "k: ' a'"),
            ("a ", "k: 'a '"),
            ("it's", "k: it's"),
            ("'q'", "k: '''q'''"),
            ("\"q\"", "k: '\"q\"'"),
            ("a\tb", "k: \"a\\tb\""),
            ("caf\u{e9}", "k: \"caf\\xE9\""),
            ("\u{1F600}", "k: \"\\U0001F600\""),
            ("back\\slash", "k: back\\slash"),
            ("two\nlines", "k: 'two\n\n  lines'"),
            ("trailing\n", "k: 'trailing\n\n  '"),
            ("a \nb", "k: \"a \\nb\""),
            ("a\n b", "k: \"a\\n b\""),
        ];
        for (text, expected) in cases {
            assert_eq!(value(text), expected, "{text:?}");
        }
    }

    /// Expected outputs are from PyYAML 6 (`yaml.dump({"k": text})`).
    #[test]
    fn long_scalars_fold_like_pyyaml() {
        let words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore";
        assert_eq!(
            value(words),
            "k: lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\n  ut labore"
        );
        let quoted = format!("{words}: et dolore");
        assert_eq!(
            value(&quoted),
            "k: 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\n  ut labore: et dolore'"
        );
        let unicode = format!("{words} \u{2014} magna");
        assert_eq!(
            value(&unicode),
            "k: \"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt\\\n  \\ ut labore \\u2014 magna\""
        );
        let no_spaces = "x".repeat(120);
        assert_eq!(value(&no_spaces), format!("k: {no_spaces}"));
    }

    #[test]
    fn floats_are_written_as_python_repr() {
        let cases = [
            (30.0, "30.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (27.001, "27.001"),
            (1e16, "1.0e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-05"),
            (1.2345e-7, "1.2345e-07"),
            (104.55395819494994, "104.55395819494994"),
            (-42.69572623114717, "-42.69572623114717"),
            (1e300, "1.0e+300"),
            (f64::INFINITY, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
        ];
        for (v, expected) in cases {
            assert_eq!(python_float_repr(v), expected, "{v}");
        }
    }
}
