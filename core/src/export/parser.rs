//! Parsing export YAML into a borrowed tree, fast for the block style PyYAML writes.
//!
//! A 100 000-dataset export is 40 MB of YAML; serde_yaml's event parser alone takes about two
//! seconds on it. This parser handles what PyYAML's emitter and people editing exports by hand
//! write: block mappings and sequences (indentless ones too), flow collections, plain scalars
//! (folded over lines), single- and double-quoted scalars, literal block scalars, tags and
//! comments. Anything else (anchors and aliases, complex keys, folded block scalars, several
//! documents, tabs or CR line ends) makes it hand the text to serde_yaml, whose tree is
//! converted to the same [`Node`]s. Plain scalars are typed with PyYAML's YAML 1.1 rules on the
//! fast path ([`super::resolver`]); the serde_yaml fallback types them with YAML 1.2 rules,
//! which agree on everything the Python Butler writes.

use std::borrow::Cow;

use super::resolver::{resolve_plain, Plain};
use super::ExportError;

/// A YAML node. Strings borrow from the text where they can.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node<'a> {
    /// `null`, `~`, or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (quoted, or plain and not another type).
    Str(Cow<'a, str>),
    /// A sequence.
    Seq(Vec<Node<'a>>),
    /// A mapping with string keys, in file order.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
    /// A node with a tag other than the core schema's, without the leading `!` (`uuid`,
    /// `butler_time/tai/iso`; verbatim `!<x>` gives `x`).
    Tagged(Cow<'a, str>, Box<Node<'a>>),
}

impl<'a> Node<'a> {
    /// The value of `key` in a mapping (the last one, as PyYAML keeps the last duplicate).
    pub(super) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, for an untagged string.
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node's type, for messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
            Node::Tagged(..) => "a tagged value",
        }
    }

    /// The tag and the node under it, or no tag and the node itself.
    pub(super) fn untag(&self) -> (Option<&str>, &Node<'a>) {
        match self {
            Node::Tagged(tag, node) => (Some(tag), node),
            node => (None, node),
        }
    }
}

/// Parses YAML text, on the fast path when it can and with serde_yaml otherwise.
pub(super) fn parse(text: &str) -> Result<Node<'_>, ExportError> {
    match Parser::new(text).document() {
        Ok(node) => Ok(node),
        Err(Unsupported) => {
            let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(ExportError::Yaml)?;
            from_value(value)
        }
    }
}

/// Parses with serde_yaml only (for tests comparing the two paths).
#[cfg(test)]
pub(super) fn parse_with_serde_yaml(text: &str) -> Result<Node<'static>, ExportError> {
    from_value(serde_yaml::from_str(text).map_err(ExportError::Yaml)?)
}

/// Parses on the fast path only; `None` where it would fall back (for tests).
#[cfg(test)]
pub(super) fn parse_fast(text: &str) -> Option<Node<'_>> {
    Parser::new(text).document().ok()
}

fn from_value(value: serde_yaml::Value) -> Result<Node<'static>, ExportError> {
    use serde_yaml::Value;
    Ok(match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Node::Int(i),
            None if n.is_u64() => {
                return Err(ExportError::NotAnExport(format!(
                    "the integer `{n}` does not fit in 64 bits"
                )))
            }
            None => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Node::Str(Cow::Owned(s)),
        Value::Sequence(items) => Node::Seq(
            items
                .into_iter()
                .map(from_value)
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(m) => {
            let mut entries = Vec::with_capacity(m.len());
            for (k, v) in m {
                let key = match k {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => "null".to_owned(),
                    _ => {
                        return Err(ExportError::NotAnExport(
                            "a mapping key is a list or mapping".into(),
                        ))
                    }
                };
                entries.push((Cow::Owned(key), from_value(v)?));
            }
            Node::Map(entries)
        }
        Value::Tagged(t) => {
            let tag = t.tag.to_string();
            Node::Tagged(
                Cow::Owned(tag.trim_start_matches('!').to_owned()),
                Box::new(from_value(t.value)?),
            )
        }
    })
}

/// The fast path met something it does not handle; serde_yaml takes over.
#[derive(Debug)]
struct Unsupported;

type Parsed<T> = Result<T, Unsupported>;

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
}

fn is_blank(c: u8) -> bool {
    c == b' '
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            b: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn line_end(&self, from: usize) -> usize {
        self.b[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |i| from + i)
    }

    /// Spaces at `from`.
    fn indent_at(&self, from: usize) -> usize {
        self.b[from..].iter().take_while(|&&c| is_blank(c)).count()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// From a line start, skips lines that are empty or hold only a comment; stays at the start
    /// of the next line with content.
    fn skip_blank_lines(&mut self) {
        while !self.at_eof() {
            let first = self.pos + self.indent_at(self.pos);
            match self.peek_at(first) {
                Some(b'\n') => self.pos = first + 1,
                Some(b'#') => self.pos = (self.line_end(first) + 1).min(self.b.len()),
                None => self.pos = first,
                _ => return,
            }
        }
    }

    /// After a value on its line: only spaces and a comment may follow; moves to the next line.
    fn end_of_line(&mut self) -> Parsed<()> {
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'#') if self.pos > 0 && self.b[self.pos - 1] == b' ' => {
                self.pos = (self.line_end(self.pos) + 1).min(self.b.len());
                Ok(())
            }
            Some(_) => Err(Unsupported),
        }
    }

    /// Whether the rest of the line, from `pos`, is empty or a comment.
    fn rest_is_empty(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n'))
            || (self.peek() == Some(b'#') && self.pos > 0 && self.b[self.pos - 1] == b' ')
    }

    fn document(&mut self) -> Parsed<Node<'a>> {
        if self.b.iter().any(|&c| c == b'\r' || c == b'\t') {
            return Err(Unsupported);
        }
        self.skip_blank_lines();
        if self.text[self.pos..].starts_with('%') {
            return Err(Unsupported);
        }
        if self.text[self.pos..].starts_with("---") {
            self.pos += 3;
            self.end_of_line()?;
            self.skip_blank_lines();
        }
        if self.at_eof() {
            return Ok(Node::Null);
        }
        let indent = self.indent_at(self.pos);
        self.pos += indent;
        let node = self.block_node(indent, -1)?;
        self.skip_blank_lines();
        if self.text[self.pos..].starts_with("...") {
            self.pos += 3;
            self.end_of_line()?;
            self.skip_blank_lines();
        }
        if self.at_eof() {
            Ok(node)
        } else {
            Err(Unsupported)
        }
    }

    /// A node starting at `pos` (its first character, at column `col`), inside a parent block
    /// of indentation `parent`. Ends at the start of the line after the node.
    fn block_node(&mut self, col: usize, parent: isize) -> Parsed<Node<'a>> {
        match self.peek().ok_or(Unsupported)? {
            b'-' if matches!(self.peek_at(self.pos + 1), None | Some(b' ' | b'\n')) => {
                self.block_seq(col)
            }
            b'&' | b'*' | b'%' | b'@' | b'`' => Err(Unsupported),
            b'?' if matches!(self.peek_at(self.pos + 1), None | Some(b' ' | b'\n')) => {
                Err(Unsupported)
            }
            b'!' => {
                let tag = self.tag()?;
                self.skip_spaces();
                let node = if self.rest_is_empty() {
                    self.end_of_line()?;
                    self.block_below(parent, false)?
                } else if self.looks_like_key() {
                    return Err(Unsupported);
                } else {
                    self.inline_value(parent, tag.is_some())?
                };
                Ok(wrap(tag, node))
            }
            _ if self.looks_like_key() => self.block_map(col),
            _ => self.inline_value(parent, false),
        }
    }

    /// The node on the lines below a key or dash with nothing after it: a block more indented
    /// than `parent`, an indentless sequence at `parent` when allowed, or null.
    fn block_below(&mut self, parent: isize, indentless_ok: bool) -> Parsed<Node<'a>> {
        self.skip_blank_lines();
        if self.at_eof() {
            return Ok(Node::Null);
        }
        let indent = self.indent_at(self.pos);
        let first = self.pos + indent;
        let dash = self.peek_at(first) == Some(b'-')
            && matches!(self.peek_at(first + 1), None | Some(b' ' | b'\n'));
        if indent as isize > parent || (indentless_ok && indent as isize == parent && dash) {
            self.pos = first;
            self.block_node(indent, parent)
        } else {
            Ok(Node::Null)
        }
    }

    /// Whether a mapping key (plain or quoted, then `:` and a space or line end) starts at `pos`.
    fn looks_like_key(&self) -> bool {
        let end = self.line_end(self.pos);
        let line = &self.b[self.pos..end];
        let after_colon = |i: usize| matches!(line.get(i + 1), None | Some(b' '));
        match line.first() {
            Some(&q @ (b'\'' | b'"')) => {
                let mut i = 1;
                while i < line.len() {
                    if line[i] == b'\\' && q == b'"' {
                        i += 2;
                        continue;
                    }
                    if line[i] == q {
                        if q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        let mut j = i + 1;
                        while line.get(j) == Some(&b' ') {
                            j += 1;
                        }
                        return line.get(j) == Some(&b':') && after_colon(j);
                    }
                    i += 1;
                }
                false
            }
            Some(b'[' | b'{') => false,
            _ => {
                for i in 0..line.len() {
                    match line[i] {
                        b':' if after_colon(i) => return true,
                        b'#' if i > 0 && line[i - 1] == b' ' => return false,
                        _ => {}
                    }
                }
                false
            }
        }
    }

    fn block_map(&mut self, col: usize) -> Parsed<Node<'a>> {
        let mut entries = Vec::new();
        loop {
            let key = self.key()?;
            let value = self.value_after_colon(col)?;
            entries.push((key, value));
            self.skip_blank_lines();
            if self.at_eof() {
                break;
            }
            let indent = self.indent_at(self.pos);
            if indent < col {
                break;
            }
            if indent > col {
                return Err(Unsupported);
            }
            self.pos += indent;
            if !self.looks_like_key() {
                return Err(Unsupported);
            }
        }
        Ok(Node::Map(entries))
    }

    /// A mapping key and its `:`.
    fn key(&mut self) -> Parsed<Cow<'a, str>> {
        let key = match self.peek() {
            Some(b'\'') => self.single_quoted()?,
            Some(b'"') => self.double_quoted()?,
            _ => {
                let start = self.pos;
                while !(self.peek() == Some(b':')
                    && matches!(self.peek_at(self.pos + 1), None | Some(b' ' | b'\n')))
                {
                    if matches!(self.peek(), None | Some(b'\n')) {
                        return Err(Unsupported);
                    }
                    self.pos += 1;
                }
                Cow::Borrowed(self.text[start..self.pos].trim_end_matches(' '))
            }
        };
        self.skip_spaces();
        if self.peek() != Some(b':') {
            return Err(Unsupported);
        }
        self.pos += 1;
        Ok(key)
    }

    /// The value after `key:` of a mapping at column `col`.
    fn value_after_colon(&mut self, col: usize) -> Parsed<Node<'a>> {
        self.skip_spaces();
        let tag = if self.peek() == Some(b'!') {
            let tag = self.tag()?;
            self.skip_spaces();
            tag
        } else {
            None
        };
        if matches!(self.peek(), Some(b'&' | b'*')) {
            return Err(Unsupported);
        }
        let node = if self.rest_is_empty() {
            self.end_of_line()?;
            self.block_below(col as isize, true)?
        } else {
            self.inline_value(col as isize, tag.is_some())?
        };
        Ok(wrap(tag, node))
    }

    fn block_seq(&mut self, col: usize) -> Parsed<Node<'a>> {
        let mut items = Vec::new();
        loop {
            // At the dash.
            self.pos += 1;
            self.skip_spaces();
            let item = if self.rest_is_empty() {
                self.end_of_line()?;
                self.block_below(col as isize, false)?
            } else {
                let item_col = self.pos - self.line_start(self.pos);
                self.block_node(item_col, col as isize)?
            };
            items.push(item);
            self.skip_blank_lines();
            if self.at_eof() {
                break;
            }
            let indent = self.indent_at(self.pos);
            if indent < col {
                break;
            }
            if indent > col {
                return Err(Unsupported);
            }
            let first = self.pos + indent;
            if !(self.peek_at(first) == Some(b'-')
                && matches!(self.peek_at(first + 1), None | Some(b' ' | b'\n')))
            {
                // An indentless sequence ends at the next key of its mapping.
                break;
            }
            self.pos = first;
        }
        Ok(Node::Seq(items))
    }

    fn line_start(&self, pos: usize) -> usize {
        self.b[..pos]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1)
    }

    /// A tag at `pos`: `!name`, `!!name` (core schema, returned as `None`: the value's own type
    /// is kept, as serde_yaml does) or `!<verbatim>`.
    fn tag(&mut self) -> Parsed<Option<Cow<'a, str>>> {
        let start = self.pos;
        let end = self.b[start..]
            .iter()
            .position(|&c| c == b' ' || c == b'\n')
            .map_or(self.b.len(), |i| start + i);
        self.pos = end;
        let tag = &self.text[start..end];
        if let Some(core) = tag.strip_prefix("!!") {
            // `!!str 12` is the string "12"; other core tags are rare enough to leave to serde_yaml.
            return match core {
                "binary" => Ok(None),
                _ => Err(Unsupported),
            };
        }
        let name = match tag.strip_prefix("!<") {
            Some(verbatim) => verbatim.strip_suffix('>').ok_or(Unsupported)?,
            None => &tag[1..],
        };
        if name.is_empty() || name.contains('!') {
            return Err(Unsupported);
        }
        Ok(Some(Cow::Borrowed(name)))
    }

    /// A value that starts on the current line: scalar, flow collection or block scalar. Lines
    /// continuing it must be indented more than `parent`.
    fn inline_value(&mut self, parent: isize, tagged: bool) -> Parsed<Node<'a>> {
        match self.peek().ok_or(Unsupported)? {
            b'[' | b'{' => {
                let node = self.flow_node()?;
                self.end_of_line()?;
                Ok(node)
            }
            b'\'' => {
                let s = self.single_quoted()?;
                self.end_of_line()?;
                Ok(Node::Str(s))
            }
            b'"' => {
                let s = self.double_quoted()?;
                self.end_of_line()?;
                Ok(Node::Str(s))
            }
            b'|' => self.literal_block(parent).map(|s| Node::Str(Cow::Owned(s))),
            b'>' | b'&' | b'*' | b'%' | b'@' | b'`' => Err(Unsupported),
            b'-' | b'?' if matches!(self.peek_at(self.pos + 1), None | Some(b' ' | b'\n')) => {
                Err(Unsupported)
            }
            _ => {
                let text = self.plain_block(parent)?;
                if tagged {
                    Ok(Node::Str(text))
                } else {
                    resolve(text)
                }
            }
        }
    }

    /// A plain scalar in block context, folded over continuation lines indented more than
    /// `parent`.
    fn plain_block(&mut self, parent: isize) -> Parsed<Cow<'a, str>> {
        let first = self.plain_line()?;
        let mut folded: Option<String> = None;
        loop {
            // Look ahead over empty lines to the next line with content.
            let mut probe = self.pos;
            let mut empty_lines = 0;
            loop {
                if probe >= self.b.len() {
                    break;
                }
                let content = probe + self.indent_at(probe);
                if self.peek_at(content) == Some(b'\n') {
                    empty_lines += 1;
                    probe = content + 1;
                } else {
                    break;
                }
            }
            if probe >= self.b.len() {
                break;
            }
            let indent = self.indent_at(probe);
            let content = probe + indent;
            if indent as isize <= parent || self.b[content] == b'#' {
                break;
            }
            if parent < 0
                && (self.text[probe..].starts_with("---") || self.text[probe..].starts_with("..."))
            {
                break;
            }
            self.pos = content;
            let line = self.plain_line()?;
            let out = folded.get_or_insert_with(|| first.to_string());
            if empty_lines == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', empty_lines));
            }
            out.push_str(&line);
        }
        Ok(folded.map_or(first, Cow::Owned))
    }

    /// One line of a plain scalar, up to a comment or the line end; moves to the next line.
    fn plain_line(&mut self) -> Parsed<Cow<'a, str>> {
        let start = self.pos;
        let end = self.line_end(start);
        let line = &self.b[start..end];
        let mut stop = line.len();
        for i in 0..line.len() {
            match line[i] {
                b':' if matches!(line.get(i + 1), None | Some(b' ')) => return Err(Unsupported),
                b'#' if i > 0 && line[i - 1] == b' ' => {
                    stop = i;
                    break;
                }
                _ => {}
            }
        }
        self.pos = (end + 1).min(self.b.len());
        Ok(Cow::Borrowed(
            self.text[start..start + stop].trim_end_matches(' '),
        ))
    }

    /// A single-quoted scalar at `pos`; leaves `pos` after the closing quote.
    fn single_quoted(&mut self) -> Parsed<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escaped quote and no line break.
        if let Some(i) = self.b[start..]
            .iter()
            .position(|&c| c == b'\'' || c == b'\n')
        {
            let end = start + i;
            if self.b[end] == b'\'' && self.peek_at(end + 1) != Some(b'\'') {
                self.pos = end + 1;
                return Ok(Cow::Borrowed(&self.text[start..end]));
            }
        }
        let mut out = String::new();
        let mut kept = 0;
        loop {
            match self.peek().ok_or(Unsupported)? {
                b'\'' if self.peek_at(self.pos + 1) == Some(b'\'') => {
                    out.push('\'');
                    kept = out.len();
                    self.pos += 2;
                }
                b'\'' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\n' => {
                    out.truncate(kept);
                    self.fold_line_breaks(&mut out);
                    kept = out.len();
                }
                _ => {
                    let c = self.text[self.pos..].chars().next().ok_or(Unsupported)?;
                    out.push(c);
                    self.pos += c.len_utf8();
                    if c != ' ' {
                        kept = out.len();
                    }
                }
            }
        }
    }

    /// At a line break inside a quoted scalar: one break becomes a space, each empty line after
    /// it a `\n`; the next line's indentation is dropped.
    fn fold_line_breaks(&mut self, out: &mut String) {
        let mut empty_lines = 0;
        self.pos += 1;
        loop {
            self.skip_spaces();
            if self.peek() == Some(b'\n') {
                empty_lines += 1;
                self.pos += 1;
            } else {
                break;
            }
        }
        if empty_lines == 0 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', empty_lines));
        }
    }

    /// A double-quoted scalar at `pos`; leaves `pos` after the closing quote.
    fn double_quoted(&mut self) -> Parsed<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        if let Some(i) = self.b[start..]
            .iter()
            .position(|&c| matches!(c, b'"' | b'\\' | b'\n'))
        {
            let end = start + i;
            if self.b[end] == b'"' {
                self.pos = end + 1;
                return Ok(Cow::Borrowed(&self.text[start..end]));
            }
        }
        let mut out = String::new();
        let mut kept = 0;
        loop {
            match self.peek().ok_or(Unsupported)? {
                b'"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = self.peek().ok_or(Unsupported)?;
                    self.pos += 1;
                    let c = match escape {
                        b'0' => '\0',
                        b'a' => '\x07',
                        b'b' => '\x08',
                        b't' => '\t',
                        b'n' => '\n',
                        b'v' => '\x0B',
                        b'f' => '\x0C',
                        b'r' => '\r',
                        b'e' => '\x1B',
                        b' ' => ' ',
                        b'"' => '"',
                        b'/' => '/',
                        b'\\' => '\\',
                        b'N' => '\u{85}',
                        b'_' => '\u{A0}',
                        b'L' => '\u{2028}',
                        b'P' => '\u{2029}',
                        b'x' => self.hex_escape(2)?,
                        b'u' => self.hex_escape(4)?,
                        b'U' => self.hex_escape(8)?,
                        b'\n' => {
                            // An escaped line break joins the lines without a space.
                            self.pos -= 1;
                            let mut ignored = String::new();
                            self.fold_line_breaks(&mut ignored);
                            if ignored != " " {
                                out.push_str(&ignored);
                            }
                            kept = out.len();
                            continue;
                        }
                        _ => return Err(Unsupported),
                    };
                    out.push(c);
                    kept = out.len();
                }
                b'\n' => {
                    out.truncate(kept);
                    self.fold_line_breaks(&mut out);
                    kept = out.len();
                }
                _ => {
                    let c = self.text[self.pos..].chars().next().ok_or(Unsupported)?;
                    out.push(c);
                    self.pos += c.len_utf8();
                    if c != ' ' {
                        kept = out.len();
                    }
                }
            }
        }
    }

    fn hex_escape(&mut self, digits: usize) -> Parsed<char> {
        let hex = self
            .text
            .get(self.pos..self.pos + digits)
            .ok_or(Unsupported)?;
        self.pos += digits;
        let code = u32::from_str_radix(hex, 16).map_err(|_| Unsupported)?;
        char::from_u32(code).ok_or(Unsupported)
    }

    /// A literal block scalar (`|`, `|-`, `|+`, `|2`) whose content is indented more than
    /// `parent`; ends at the start of the line after it.
    fn literal_block(&mut self, parent: isize) -> Parsed<String> {
        self.pos += 1;
        let (mut chomp, mut explicit) = (b' ', None);
        while let Some(c) = self.peek() {
            match c {
                b'+' | b'-' => chomp = c,
                b'1'..=b'9' => explicit = Some(usize::from(c - b'0')),
                _ => break,
            }
            self.pos += 1;
        }
        self.end_of_line()?;
        let base = parent.max(0) as usize;
        let content_indent = match explicit {
            Some(n) => base + n,
            None => {
                // The first line with content sets the indentation.
                let mut probe = self.pos;
                loop {
                    if probe >= self.b.len() {
                        break 0;
                    }
                    let indent = self.indent_at(probe);
                    if self.peek_at(probe + indent) == Some(b'\n') {
                        probe += indent + 1;
                    } else {
                        break indent;
                    }
                }
            }
        };
        if (content_indent as isize) <= parent {
            return Ok(String::new());
        }
        let mut out = String::new();
        let mut trailing_breaks = 0;
        while !self.at_eof() {
            let indent = self.indent_at(self.pos);
            let end = self.line_end(self.pos);
            if self.pos + indent == end {
                // An empty line (of any indentation) belongs to the scalar so far.
                trailing_breaks += 1;
                self.pos = (end + 1).min(self.b.len());
                continue;
            }
            if indent < content_indent {
                break;
            }
            if !out.is_empty() || trailing_breaks > 0 {
                out.extend(std::iter::repeat_n(
                    '\n',
                    trailing_breaks + usize::from(!out.is_empty()),
                ));
            }
            trailing_breaks = 0;
            out.push_str(&self.text[self.pos + content_indent..end]);
            self.pos = (end + 1).min(self.b.len());
        }
        match chomp {
            b'-' => {}
            b'+' => out.extend(std::iter::repeat_n('\n', trailing_breaks + 1)),
            _ => {
                if !out.is_empty() {
                    out.push('\n');
                }
            }
        }
        Ok(out)
    }

    /// A flow node at `pos` (after any spaces), possibly over several lines.
    fn flow_node(&mut self) -> Parsed<Node<'a>> {
        self.skip_flow_space();
        match self.peek().ok_or(Unsupported)? {
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_flow_space();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        return Ok(Node::Seq(items));
                    }
                    items.push(self.flow_node()?);
                    self.skip_flow_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {}
                        _ => return Err(Unsupported),
                    }
                }
            }
            b'{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.skip_flow_space();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        return Ok(Node::Map(entries));
                    }
                    let key = match self.flow_node()? {
                        Node::Str(s) => s,
                        _ => return Err(Unsupported),
                    };
                    self.skip_flow_space();
                    if self.peek() != Some(b':') {
                        return Err(Unsupported);
                    }
                    self.pos += 1;
                    self.skip_flow_space();
                    let value = match self.peek() {
                        Some(b',' | b'}') => Node::Null,
                        _ => self.flow_node()?,
                    };
                    entries.push((key, value));
                    self.skip_flow_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return Err(Unsupported),
                    }
                }
            }
            b'\'' => Ok(Node::Str(self.single_quoted()?)),
            b'"' => Ok(Node::Str(self.double_quoted()?)),
            b'!' => {
                let tag = self.tag()?;
                self.skip_flow_space();
                let node = match self.peek() {
                    Some(b',' | b']' | b'}') => Node::Null,
                    Some(b'\'' | b'"' | b'[' | b'{') => self.flow_node()?,
                    _ => Node::Str(self.flow_plain()?),
                };
                Ok(wrap(tag, node))
            }
            b'&' | b'*' | b'%' | b'@' | b'`' | b'|' | b'>' | b']' | b'}' | b',' => Err(Unsupported),
            b'?' if matches!(self.peek_at(self.pos + 1), None | Some(b' ' | b'\n')) => {
                Err(Unsupported)
            }
            _ => resolve(self.flow_plain()?),
        }
    }

    /// A plain scalar in flow context, folded over line breaks.
    fn flow_plain(&mut self) -> Parsed<Cow<'a, str>> {
        let first = self.flow_plain_line()?;
        let mut folded: Option<String> = None;
        while self.peek() == Some(b'\n') {
            // Does the scalar go on after the break (and any empty lines)?
            let mut probe = self.pos;
            let mut breaks = 0;
            while matches!(self.peek_at(probe), Some(b' ' | b'\n')) {
                breaks += usize::from(self.b[probe] == b'\n');
                probe += 1;
            }
            let ends = match self.peek_at(probe) {
                None | Some(b',' | b']' | b'}' | b'#') => true,
                Some(b':') => matches!(
                    self.peek_at(probe + 1),
                    None | Some(b' ' | b',' | b']' | b'}' | b'\n')
                ),
                _ => false,
            };
            if ends {
                break;
            }
            self.pos = probe;
            let line = self.flow_plain_line()?;
            let out = folded.get_or_insert_with(|| first.to_string());
            if breaks == 1 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', breaks - 1));
            }
            out.push_str(&line);
        }
        Ok(folded.map_or(first, Cow::Owned))
    }

    /// The part of a flow plain scalar on the current line.
    fn flow_plain_line(&mut self) -> Parsed<Cow<'a, str>> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let ends = match c {
                b',' | b'[' | b']' | b'{' | b'}' | b'\n' => true,
                b':' => matches!(
                    self.peek_at(self.pos + 1),
                    None | Some(b' ' | b',' | b']' | b'}' | b'\n')
                ),
                b'#' => self.pos > start && self.b[self.pos - 1] == b' ',
                _ => false,
            };
            if ends {
                break;
            }
            self.pos += 1;
        }
        let text = self.text[start..self.pos].trim_end_matches(' ');
        if text.is_empty() {
            return Err(Unsupported);
        }
        Ok(Cow::Borrowed(text))
    }

    /// Spaces, line breaks and comments between flow tokens.
    fn skip_flow_space(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\n') => self.pos += 1,
                Some(b'#') if self.pos > 0 && matches!(self.b[self.pos - 1], b' ' | b'\n') => {
                    self.pos = self.line_end(self.pos);
                }
                _ => return,
            }
        }
    }
}

fn wrap<'a>(tag: Option<Cow<'a, str>>, node: Node<'a>) -> Node<'a> {
    match tag {
        Some(tag) => Node::Tagged(tag, Box::new(node)),
        None => node,
    }
}

/// Types a plain scalar; integers beyond 64 bits go to serde_yaml, whose error is clearer.
fn resolve(text: Cow<'_, str>) -> Parsed<Node<'_>> {
    Ok(match resolve_plain(&text) {
        Plain::Null => Node::Null,
        Plain::Bool(b) => Node::Bool(b),
        Plain::Int(Some(i)) => Node::Int(i),
        Plain::Int(None) => return Err(Unsupported),
        Plain::Float(x) => Node::Float(x),
        Plain::Str => Node::Str(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Node<'static> {
        Node::Str(Cow::Owned(text.to_owned()))
    }

    fn map(entries: Vec<(&str, Node<'static>)>) -> Node<'static> {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.to_owned()), v))
                .collect(),
        )
    }

    #[test]
    fn parses_the_shapes_pyyaml_writes() {
        let text = "\
# comment
a: 1
b:
- x
- k: !uuid 'u'
  l: [1, 'two', {c: d}]
c: !lsst.daf.butler.Timespan
  begin: null
  end: !butler_time/tai/iso '2025-01-01 00:00:00.000000000'
d: 'it''s

  two lines'
e: \"caf\\xE9 \\u2014 long\\
  \\ line\"
f: plain folded
  over lines # comment
g: !!binary |
  Kt7s
  wQ==
h: !<lsst.sphgeom.Circle>
  encoded: '63'
i:
  -
    nested: yes
j: ''
";
        let expected = map(vec![
            ("a", Node::Int(1)),
            (
                "b",
                Node::Seq(vec![
                    s("x"),
                    map(vec![
                        ("k", Node::Tagged("uuid".into(), Box::new(s("u")))),
                        (
                            "l",
                            Node::Seq(vec![Node::Int(1), s("two"), map(vec![("c", s("d"))])]),
                        ),
                    ]),
                ]),
            ),
            (
                "c",
                Node::Tagged(
                    "lsst.daf.butler.Timespan".into(),
                    Box::new(map(vec![
                        ("begin", Node::Null),
                        (
                            "end",
                            Node::Tagged(
                                "butler_time/tai/iso".into(),
                                Box::new(s("2025-01-01 00:00:00.000000000")),
                            ),
                        ),
                    ])),
                ),
            ),
            ("d", s("it's\ntwo lines")),
            ("e", s("caf\u{e9} \u{2014} long line")),
            ("f", s("plain folded over lines")),
            ("g", s("Kt7s\nwQ==\n")),
            (
                "h",
                Node::Tagged(
                    "lsst.sphgeom.Circle".into(),
                    Box::new(map(vec![("encoded", s("63"))])),
                ),
            ),
            (
                "i",
                Node::Seq(vec![map(vec![("nested", Node::Bool(true))])]),
            ),
            ("j", s("")),
        ]);
        assert_eq!(parse_fast(text), Some(expected));
    }

    #[test]
    fn falls_back_to_serde_yaml_for_the_rest() {
        for text in [
            "a: &x 1\nb: *x\n",
            "? complex\n: key\n",
            "a: >\n  folded\n",
            "a:\r\n  b\r\n",
            "--- 1\n--- 2\n",
        ] {
            assert_eq!(parse_fast(text), None, "{text:?}");
        }
        assert_eq!(
            parse("a: &x 1\nb: *x\n").unwrap(),
            map(vec![("a", Node::Int(1)), ("b", Node::Int(1))])
        );
        assert!(matches!(parse("a: [\n"), Err(ExportError::Yaml(_))));
    }
}
