//! Tokens of the `where` language: a hand-written lexer over bytes.
//!
//! It mirrors the Python Butler's ply lexer (`parserLex.py`), including the order in which
//! token rules are tried at a position: time literal, string, range, number, identifier, bind
//! name, then operators. That order matters in two places: `T'...'` is a time literal rather
//! than the identifier `T` followed by a string, and `-1..5` is one range token rather than a
//! minus sign followed by numbers.
//!
//! Tokens are produced one at a time, on demand, so a syntax error that comes before a bad
//! character is reported first, as in the Python Butler.

use super::ast::Span;
use super::error::{QueryError, QueryErrorKind};

/// What a token is; its text is the source slice at its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `123`, `1.`, `1.5`, `1e10`, `.5` (no sign).
    Number,
    /// `'...'`.
    Str,
    /// `T'...'` or `t'...'`.
    Time,
    /// `INT..INT[:STRIDE]`, spaces allowed around `..` and `:`, bounds may carry a `-`.
    Range,
    /// One to three dot-separated identifier parts, not a keyword.
    Ident,
    /// `:name`.
    Bind,
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    And,
    Or,
    Not,
    In,
    Overlaps,
    /// The end of the text (an empty span at its end).
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Yields the tokens of one expression.
#[derive(Debug)]
pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The whitespace Python's `\s` matches in ASCII; only used inside range tokens, whose
/// regular expression uses `\s*` (elsewhere only space, tab and newline are skipped).
fn is_range_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// The next token, or `Eof` at the end; a character that starts no token is an error.
    pub(crate) fn next_token(&mut self) -> Result<Token, QueryError> {
        while let Some(b' ' | b'\t' | b'\n') = self.byte(self.pos) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(b) = self.byte(start) else {
            return Ok(Token {
                kind: TokenKind::Eof,
                span: Span::new(start, start),
            });
        };
        let (kind, end) = match b {
            b'T' | b't' if self.byte(start + 1) == Some(b'\'') => {
                match self.closing_quote(start + 2) {
                    Some(close) => (TokenKind::Time, close + 1),
                    // No closing quote on this line: `T` is an identifier and the lone quote
                    // that follows is refused as the next token.
                    None => (TokenKind::Ident, start + 1),
                }
            }
            b'\'' => match self.closing_quote(start + 1) {
                Some(close) => (TokenKind::Str, close + 1),
                None => return Err(self.unexpected(start)),
            },
            b'-' | b'0'..=b'9' => {
                if let Some(end) = self.range(start) {
                    (TokenKind::Range, end)
                } else if b == b'-' {
                    (TokenKind::Minus, start + 1)
                } else {
                    (TokenKind::Number, self.number(start))
                }
            }
            b'.' => match self.byte(start + 1) {
                Some(b'0'..=b'9') => (TokenKind::Number, self.number(start)),
                _ => return Err(self.unexpected(start)),
            },
            b if is_ident_start(b) => self.identifier(start),
            b':' => match self.byte(start + 1) {
                Some(c) if is_ident_start(c) => (TokenKind::Bind, self.word_end(start + 1)),
                _ => return Err(self.unexpected(start)),
            },
            b'(' => (TokenKind::LParen, start + 1),
            b')' => (TokenKind::RParen, start + 1),
            b',' => (TokenKind::Comma, start + 1),
            b'=' => (TokenKind::Eq, start + 1),
            b'+' => (TokenKind::Plus, start + 1),
            b'*' => (TokenKind::Star, start + 1),
            b'/' => (TokenKind::Slash, start + 1),
            b'%' => (TokenKind::Percent, start + 1),
            b'!' if self.byte(start + 1) == Some(b'=') => (TokenKind::Ne, start + 2),
            b'<' if self.byte(start + 1) == Some(b'=') => (TokenKind::Le, start + 2),
            b'<' => (TokenKind::Lt, start + 1),
            b'>' if self.byte(start + 1) == Some(b'=') => (TokenKind::Ge, start + 2),
            b'>' => (TokenKind::Gt, start + 1),
            _ => return Err(self.unexpected(start)),
        };
        self.pos = end;
        Ok(Token {
            kind,
            span: Span::new(start, end),
        })
    }

    /// `Unexpected character at position N`, the span covering that whole character.
    fn unexpected(&self, at: usize) -> QueryError {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        QueryError::new(
            QueryErrorKind::Lex,
            format!("Unexpected character at position {at}"),
            Some(Span::new(at, at + len)),
        )
    }

    /// The position of the first `'` at or after `from`, unless a newline or the end comes
    /// first (a string is the shortest match of `'.*?'`, and `.` does not match a newline).
    fn closing_quote(&self, from: usize) -> Option<usize> {
        let rest = self.bytes.get(from..)?;
        let i = rest.iter().position(|&c| c == b'\'' || c == b'\n')?;
        (rest[i] == b'\'').then_some(from + i)
    }

    fn digits_end(&self, mut i: usize) -> usize {
        while let Some(b'0'..=b'9') = self.byte(i) {
            i += 1;
        }
        i
    }

    fn range_space_end(&self, mut i: usize) -> usize {
        while self.byte(i).is_some_and(is_range_space) {
            i += 1;
        }
        i
    }

    /// `-?\d+` at `i`: its end, if there is one.
    fn signed_int(&self, i: usize) -> Option<usize> {
        let digits = if self.byte(i) == Some(b'-') { i + 1 } else { i };
        let end = self.digits_end(digits);
        (end > digits).then_some(end)
    }

    /// `-?\d+\s*\.\.\s*-?\d+(\s*:\s*[1-9]\d*)?` at `start`: its end, if it matches.
    fn range(&self, start: usize) -> Option<usize> {
        let i = self.signed_int(start)?;
        let i = self.range_space_end(i);
        if self.bytes.get(i..i + 2) != Some(b"..".as_slice()) {
            return None;
        }
        let i = self.range_space_end(i + 2);
        let end = self.signed_int(i)?;
        let j = self.range_space_end(end);
        if self.byte(j) == Some(b':') {
            let k = self.range_space_end(j + 1);
            if let Some(b'1'..=b'9') = self.byte(k) {
                return Some(self.digits_end(k + 1));
            }
        }
        Some(end)
    }

    /// `\d+(\.\d*)?(e[-+]?\d+)?` or `\.\d+(e[-+]?\d+)?` at `start` (which is known to match).
    fn number(&self, start: usize) -> usize {
        let mut i = self.digits_end(start);
        if self.byte(i) == Some(b'.') {
            i = self.digits_end(i + 1);
        }
        if let Some(b'e' | b'E') = self.byte(i) {
            let digits = match self.byte(i + 1) {
                Some(b'+' | b'-') => i + 2,
                _ => i + 1,
            };
            let end = self.digits_end(digits);
            if end > digits {
                i = end;
            }
        }
        i
    }

    fn word_end(&self, mut i: usize) -> usize {
        while self.byte(i).is_some_and(is_ident_continue) {
            i += 1;
        }
        i
    }

    /// An identifier of up to three parts, or a keyword when it has one part.
    fn identifier(&self, start: usize) -> (TokenKind, usize) {
        let mut end = self.word_end(start);
        let mut parts = 1;
        while parts < 3
            && self.byte(end) == Some(b'.')
            && self.byte(end + 1).is_some_and(is_ident_start)
        {
            end = self.word_end(end + 1);
            parts += 1;
        }
        if parts > 1 {
            // As in the Python Butler, only a one-part name is checked against the keywords.
            return (TokenKind::Ident, end);
        }
        let word = &self.bytes[start..end];
        let kind = [
            (b"AND".as_slice(), TokenKind::And),
            (b"OR", TokenKind::Or),
            (b"NOT", TokenKind::Not),
            (b"IN", TokenKind::In),
            (b"OVERLAPS", TokenKind::Overlaps),
        ]
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(word))
        .map_or(TokenKind::Ident, |(_, kind)| kind);
        (kind, end)
    }
}

impl TokenKind {
    /// The keyword as the Python Butler prints it in messages (upper case).
    pub(crate) fn keyword(self) -> Option<&'static str> {
        match self {
            Self::And => Some("AND"),
            Self::Or => Some("OR"),
            Self::Not => Some("NOT"),
            Self::In => Some("IN"),
            Self::Overlaps => Some("OVERLAPS"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lexer.next_token().unwrap();
            if t.kind == TokenKind::Eof {
                return out;
            }
            out.push((t.kind, &text[t.span.start..t.span.end]));
        }
    }

    #[test]
    fn rules_are_tried_in_the_python_order() {
        use TokenKind::*;
        assert_eq!(
            kinds("T'x' t'y' T 'z' -1 .. 5:2 5-3 a.b.c"),
            [
                (Time, "T'x'"),
                (Time, "t'y'"),
                (Ident, "T"),
                (Str, "'z'"),
                (Range, "-1 .. 5:2"),
                (Number, "5"),
                (Minus, "-"),
                (Number, "3"),
                (Ident, "a.b.c"),
            ]
        );
        assert_eq!(
            Lexer::new("a.b.c.d").next_token().unwrap().span,
            Span::new(0, 5)
        );
    }

    #[test]
    fn numbers_and_ranges() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 1. 1.5 1e10 1.2e-5 .5 1e 1..5 : 20"),
            [
                (Number, "1"),
                (Number, "1."),
                (Number, "1.5"),
                (Number, "1e10"),
                (Number, "1.2e-5"),
                (Number, ".5"),
                (Number, "1"),
                (Ident, "e"),
                (Range, "1..5 : 20"),
            ]
        );
    }

    #[test]
    fn keywords_only_as_single_parts() {
        use TokenKind::*;
        assert_eq!(
            kinds("and Or NOT in overLaps a.and :in"),
            [
                (And, "and"),
                (Or, "Or"),
                (Not, "NOT"),
                (In, "in"),
                (Overlaps, "overLaps"),
                (Ident, "a.and"),
                (Bind, ":in"),
            ]
        );
    }

    #[test]
    fn bad_characters() {
        for (text, at) in [
            ("a ; b", 2),
            ("'abc", 0),
            ("'a\nb'", 0),
            ("x = é", 4),
            (": x", 0),
            ("a\r", 1),
            ("x IN (1..5:0)", 10),
            ("1...5", 2),
        ] {
            let mut lexer = Lexer::new(text);
            let err = loop {
                match lexer.next_token() {
                    Ok(t) if t.kind == TokenKind::Eof => panic!("no error in {text:?}"),
                    Ok(_) => {}
                    Err(e) => break e,
                }
            };
            assert_eq!(
                err.message,
                format!("Unexpected character at position {at}"),
                "{text:?}"
            );
        }
    }
}
