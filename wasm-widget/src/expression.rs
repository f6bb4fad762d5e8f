//! Live validation of `where` expressions with the real parser and checker of `satellite-core`.
//!
//! [`validate_expression`] returns diagnostics a text field can draw directly: offsets in UTF-16
//! code units (JavaScript string indices), 1-based line and column, the message, near names
//! and the caret rendering the CLI prints.

use std::cell::RefCell;
use std::collections::BTreeMap;

use satellite_core::model::DimensionUniverse;
use satellite_core::query::{
    check, data_id_from_json, parse, BindValue, QueryContext, QueryError, QueryErrorKind, Span,
};
use serde::{Deserialize, Serialize};

/// The query an expression is for (all optional): its dimensions, the dataset types searched,
/// bind values, data ID and default data ID values.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpressionContext {
    /// Dimensions of the query before the expression (`["visit", "detector"]`, or a dataset
    /// type's dimensions).
    pub dimensions: Vec<String>,
    /// Dataset types searched (`calexp.run`, bare `run`).
    pub dataset_types: Vec<String>,
    /// Values of `:name` parameters: numbers, strings (`"T'2025-01-01'"` is a time), arrays.
    pub bind: BTreeMap<String, serde_json::Value>,
    /// `dimension: value` constraints given beside the expression.
    pub data_id: BTreeMap<String, serde_json::Value>,
    /// Default data ID values (the repository's default instrument, ...).
    pub defaults: BTreeMap<String, serde_json::Value>,
}

/// One problem in an expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// `error`, or `warning` for a governor rule that a default the widget was not told about
    /// may satisfy.
    pub severity: &'static str,
    /// `lex`, `syntax`, `truncated`, `semantic`, `governor`, `bind` or `context`.
    pub kind: &'static str,
    /// The message, in the Python Butler's words.
    pub message: String,
    /// Start of the offending part, in UTF-16 code units (`null` when it is the whole query).
    pub start: Option<usize>,
    /// End (exclusive), in UTF-16 code units.
    pub end: Option<usize>,
    /// 1-based line of `start`.
    pub line: Option<usize>,
    /// 1-based column of `start`, in characters.
    pub column: Option<usize>,
    /// Valid names close to the one written.
    pub suggestions: Vec<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// The message with the expression and a caret line, as the CLI prints it.
    pub rendered: String,
}

/// The verdict on an expression: `{ok, diagnostics}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpressionCheck {
    /// No errors (warnings allowed).
    pub ok: bool,
    /// Problems found (at most one error: checking stops at the first).
    pub diagnostics: Vec<Diagnostic>,
}

thread_local! {
    /// The last universe parsed, by its JSON text: a text field validates on every keystroke.
    static UNIVERSE: RefCell<Option<(String, DimensionUniverse)>> = const { RefCell::new(None) };
}

fn universe_from(json: &str) -> Result<DimensionUniverse, String> {
    UNIVERSE.with(|cell| {
        if let Some((text, u)) = cell.borrow().as_ref() {
            if text == json {
                return Ok(u.clone());
            }
        }
        let u = DimensionUniverse::from_json(json).map_err(|e| e.to_string())?;
        *cell.borrow_mut() = Some((json.to_owned(), u.clone()));
        Ok(u)
    })
}

/// Parses and checks `expression` for a query described by `context_json` (optional, see
/// [`ExpressionContext`]) in the universe `universe_json` (the JSON the servers give, as
/// `DimensionUniverse::to_json` writes it).
///
/// # Examples
///
/// ```
/// use satellite_core::model::DimensionUniverse;
/// use satellite_widget::expression::validate_expression;
///
/// let universe = DimensionUniverse::default_universe().to_json();
/// let verdict = validate_expression("visit.day = 3", &universe, None);
/// assert!(!verdict.ok);
/// assert_eq!(verdict.diagnostics[0].message, "Unrecognized field 'day' for visit.");
/// assert_eq!(verdict.diagnostics[0].suggestions, ["visit.day_obs"]);
/// ```
pub fn validate_expression(
    expression: &str,
    universe_json: &str,
    context_json: Option<&str>,
) -> ExpressionCheck {
    let context_error = |message: String| ExpressionCheck {
        ok: false,
        diagnostics: vec![Diagnostic {
            severity: "error",
            kind: "context",
            rendered: message.clone(),
            message,
            start: None,
            end: None,
            line: None,
            column: None,
            suggestions: Vec::new(),
            hint: None,
        }],
    };
    let universe = match universe_from(universe_json) {
        Ok(u) => u,
        Err(e) => return context_error(format!("the dimension universe is not usable: {e}")),
    };
    let context: ExpressionContext = match context_json.map(str::trim).filter(|s| !s.is_empty()) {
        None => ExpressionContext::default(),
        Some(text) => match serde_json::from_str(text) {
            Ok(c) => c,
            Err(e) => return context_error(format!("the query context is not valid: {e}")),
        },
    };
    let told_defaults = context_json.is_some();
    let ctx = match build_context(&universe, context) {
        Ok(c) => c,
        Err(e) => return context_error(e),
    };
    let result = parse(expression).and_then(|tree| check(tree.as_ref(), &ctx).map(|_| ()));
    match result {
        Ok(()) => ExpressionCheck {
            ok: true,
            diagnostics: Vec::new(),
        },
        Err(e) => {
            // Without a context the widget cannot know the repository's default instrument.
            let warning = e.kind == QueryErrorKind::Governor && !told_defaults;
            ExpressionCheck {
                ok: warning,
                diagnostics: vec![diagnostic(expression, &e, warning)],
            }
        }
    }
}

fn build_context(
    universe: &DimensionUniverse,
    c: ExpressionContext,
) -> Result<QueryContext<'_>, String> {
    let mut ctx = QueryContext::new(universe, c.dimensions);
    ctx.dataset_types = c.dataset_types;
    for (k, v) in c.bind {
        ctx.bind.insert(
            k.clone(),
            BindValue::from_json(&v).map_err(|e| format!("bind `{k}`: {e}"))?,
        );
    }
    for (k, v) in c.data_id {
        ctx.data_id.insert(
            k.clone(),
            data_id_from_json(&v).map_err(|e| format!("data ID `{k}`: {e}"))?,
        );
    }
    for (k, v) in c.defaults {
        ctx.defaults.insert(
            k.clone(),
            data_id_from_json(&v).map_err(|e| format!("default `{k}`: {e}"))?,
        );
    }
    Ok(ctx)
}

fn kind_name(k: QueryErrorKind) -> &'static str {
    match k {
        QueryErrorKind::Lex => "lex",
        QueryErrorKind::Syntax => "syntax",
        QueryErrorKind::Truncated => "truncated",
        QueryErrorKind::Semantic => "semantic",
        QueryErrorKind::Governor => "governor",
        QueryErrorKind::Bind => "bind",
    }
}

/// UTF-16 offset of byte offset `i` of `text` (clamped to the text).
fn utf16_offset(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    text[..i].encode_utf16().count()
}

fn diagnostic(expression: &str, e: &QueryError, warning: bool) -> Diagnostic {
    let (start, end, line, column) = match e.span {
        Some(Span { start, end }) => {
            let start_b = start.min(expression.len());
            let before = &expression[..floor(expression, start_b)];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (
                Some(utf16_offset(expression, start)),
                Some(utf16_offset(expression, end.max(start))),
                Some(line),
                Some(column),
            )
        }
        None => (None, None, None, None),
    };
    Diagnostic {
        severity: if warning { "warning" } else { "error" },
        kind: kind_name(e.kind),
        message: e.message.clone(),
        start,
        end,
        line,
        column,
        suggestions: e.suggestions.clone(),
        hint: e.hint.clone(),
        rendered: e.render(expression),
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn universe() -> String {
        DimensionUniverse::default_universe().to_json()
    }

    #[test]
    fn a_valid_expression_has_no_diagnostics() {
        let ctx = r#"{"dimensions": ["visit", "detector"], "defaults": {"instrument": "DemoCam"}}"#;
        let v = validate_expression("visit > 100 AND band = 'r'", &universe(), Some(ctx));
        assert_eq!(
            v,
            ExpressionCheck {
                ok: true,
                diagnostics: vec![]
            }
        );
    }

    #[test]
    fn a_syntax_error_points_at_its_token_in_utf16_units() {
        // `é` is 2 bytes in UTF-8 but 1 unit in UTF-16.
        let v = validate_expression("band = 'é' AND > 3", &universe(), None);
        let d = &v.diagnostics[0];
        assert!(!v.ok);
        assert_eq!(d.kind, "syntax");
        assert_eq!(
            (d.start, d.end, d.line, d.column),
            (Some(15), Some(16), Some(1), Some(16))
        );
        assert!(d.rendered.contains('^'), "{}", d.rendered);
    }

    #[test]
    fn the_governor_rule_is_a_warning_without_context_and_an_error_with_it() {
        let v = validate_expression("visit = 3", &universe(), None);
        assert!(v.ok);
        assert_eq!(v.diagnostics[0].severity, "warning");
        let v = validate_expression("visit = 3", &universe(), Some("{}"));
        assert!(!v.ok);
        assert_eq!(v.diagnostics[0].kind, "governor");
        let v = validate_expression(
            "visit = 3",
            &universe(),
            Some(r#"{"defaults": {"instrument": "DemoCam"}}"#),
        );
        assert!(v.ok, "{v:?}");
    }

    #[test]
    fn binds_and_bad_contexts() {
        let ctx = r#"{"bind": {"v": [1, 2, 3]}, "data_id": {"instrument": "DemoCam"}}"#;
        assert!(validate_expression("visit IN (:v)", &universe(), Some(ctx)).ok);
        let v = validate_expression("visit IN (:w)", &universe(), Some(ctx));
        assert_eq!(v.diagnostics[0].kind, "bind");
        let v = validate_expression("visit = 1", &universe(), Some("{\"dims\": []}"));
        assert_eq!(v.diagnostics[0].kind, "context");
        let v = validate_expression("visit = 1", "{}", None);
        assert_eq!(v.diagnostics[0].kind, "context");
    }
}
