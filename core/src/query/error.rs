//! Errors of the query language: a message in the Python Butler's words, the span it is
//! about, near names, and a caret rendering of the expression.

use std::fmt;

use super::ast::Span;

/// At which stage an expression was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryErrorKind {
    /// A character that starts no token (`Unexpected character at position N`).
    Lex,
    /// Tokens that do not follow the grammar, or a malformed literal
    /// (`Syntax error at or near 'TOKEN' (line: L, pos: P)`).
    Syntax,
    /// The expression ended too early (`End of input reached while expecting further input`).
    Truncated,
    /// Well-formed, but it names something that does not exist, mixes types, or uses an
    /// operator where it has no meaning (the Python Butler's `InvalidQueryError`).
    Semantic,
    /// A dimension that depends on a governor (`instrument`, `skymap`) is used without the
    /// governor being constrained.
    Governor,
    /// A bind parameter is missing or has a value the expression cannot use.
    Bind,
}

/// A refused `where` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The stage.
    pub kind: QueryErrorKind,
    /// The message, worded as the Python Butler words it where it has an equivalent.
    pub message: String,
    /// The part of the expression the error is about, when there is one.
    pub span: Option<Span>,
    /// Valid names close to the one written (for "did you mean").
    pub suggestions: Vec<String>,
    /// How to fix it, when the message alone does not say.
    pub hint: Option<String>,
}

impl QueryError {
    /// An error of `kind` at `span`.
    pub fn new(kind: QueryErrorKind, message: impl Into<String>, span: Option<Span>) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            suggestions: Vec::new(),
            hint: None,
        }
    }

    /// Adds near names.
    #[must_use]
    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Self {
        self.suggestions = suggestions;
        self
    }

    /// Adds a hint: how to fix it, without a `hint:` prefix (renderers add it).
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message, the line of `expression` the span is on with a caret line under the
    /// span, the suggestions and the hint, e.g.
    ///
    /// ```text
    /// Unrecognized field 'day' for visit.
    ///   visit.day = 20250501
    ///   ^^^^^^^^^
    /// did you mean `visit.day_obs`?
    /// ```
    pub fn render(&self, expression: &str) -> String {
        let mut out = self.message.clone();
        if let Some(span) = self.span {
            let (line, col_start, col_end) = line_of(expression, span);
            out.push_str("\n  ");
            out.push_str(line);
            out.push_str("\n  ");
            out.push_str(&" ".repeat(col_start));
            out.push_str(&"^".repeat(col_end.saturating_sub(col_start).max(1)));
        }
        if let Some(s) = did_you_mean_line(&self.suggestions) {
            out.push('\n');
            out.push_str(&s);
        }
        if let Some(h) = &self.hint {
            out.push_str("\nhint: ");
            out.push_str(h);
        }
        out
    }
}

/// `did you mean `a`?` / `did you mean one of `a`, `b`?`.
fn did_you_mean_line(suggestions: &[String]) -> Option<String> {
    match suggestions {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => Some(format!(
            "did you mean one of {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The line holding `span.start`, and the span's columns within it (in characters, clipped
/// to the line).
fn line_of(text: &str, span: Span) -> (&str, usize, usize) {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = floor_char_boundary(text, span.end.clamp(start, line_end));
    let line = &text[line_start..line_end];
    let col_start = text[line_start..start].chars().count();
    let col_end = col_start + text[start..end].chars().count();
    (line, col_start, col_end)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = did_you_mean_line(&self.suggestions) {
            write!(f, " ({s})")?;
        }
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for QueryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_the_span_on_its_own_line() {
        let e = QueryError::new(
            QueryErrorKind::Semantic,
            "Unrecognized field 'day' for visit.",
            Some(Span::new(16, 25)),
        )
        .with_suggestions(vec!["visit.day_obs".into()]);
        let text = "band = 'r' AND\n visit.day = 20250501";
        assert_eq!(
            e.render(text),
            "Unrecognized field 'day' for visit.\n   visit.day = 20250501\n   ^^^^^^^^^\ndid you mean `visit.day_obs`?"
        );
    }

    #[test]
    fn a_span_past_the_end_points_after_the_last_character() {
        let e = QueryError::new(QueryErrorKind::Truncated, "End", Some(Span::new(9, 9)));
        assert_eq!(e.render("visit > "), "End\n  visit > \n          ^");
    }
}
