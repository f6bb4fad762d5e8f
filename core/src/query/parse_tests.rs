//! Parser tests: trees as compact S-expressions, error renders, and the printer's round trip.
//!
//! Snapshots (`snapshots/`) hold one line per input so a change in the grammar shows up as a
//! readable diff; the explicit tests pin the cases the grammar is easiest to get wrong.

use std::fmt::Write as _;

use super::{parse, Expr, ExprKind, QueryError, QueryErrorKind, UnaryOp};

/// An S-expression for a tree: `(op lhs rhs)`, `(IN lhs items...)`, `(call NAME args...)`.
fn sexp(expr: &Expr) -> String {
    let mut out = String::new();
    write_sexp(&mut out, expr, false);
    out
}

/// The same with each node's span as `@start..end`.
fn sexp_spans(expr: &Expr) -> String {
    let mut out = String::new();
    write_sexp(&mut out, expr, true);
    out
}

fn write_sexp(out: &mut String, expr: &Expr, spans: bool) {
    let list = |out: &mut String, head: &str, items: &[&Expr]| {
        out.push('(');
        out.push_str(head);
        for item in items {
            out.push(' ');
            write_sexp(out, item, spans);
        }
        out.push(')');
    };
    match &expr.kind {
        ExprKind::Int(v) => write!(out, "{v}").unwrap(),
        ExprKind::Float(v) => write!(out, "{v:?}f").unwrap(),
        ExprKind::Str(s) => write!(out, "'{s}'").unwrap(),
        ExprKind::Time(t) => write!(out, "T'{}'={}", t.text, t.tai_ns).unwrap(),
        ExprKind::Range {
            start,
            stop,
            stride,
        } => match stride {
            Some(s) => write!(out, "(range {start} {stop} {s})").unwrap(),
            None => write!(out, "(range {start} {stop})").unwrap(),
        },
        ExprKind::Ident(parts) => write!(out, "{}", parts.join(".")).unwrap(),
        ExprKind::Bind(name) => write!(out, ":{name}").unwrap(),
        ExprKind::Unary { op, operand } => {
            let head = match op {
                UnaryOp::Minus => "neg",
                UnaryOp::Plus => "pos",
                UnaryOp::Not => "NOT",
            };
            list(out, head, &[operand]);
        }
        ExprKind::Binary { op, lhs, rhs } => list(out, op.symbol(), &[lhs, rhs]),
        ExprKind::In {
            lhs,
            items,
            negated,
        } => {
            let head = if *negated { "NOT-IN" } else { "IN" };
            let all: Vec<&Expr> = std::iter::once(&**lhs).chain(items).collect();
            list(out, head, &all);
        }
        ExprKind::Tuple(a, b) => list(out, "tuple", &[a, b]),
        ExprKind::Call { name, args } => {
            let args: Vec<&Expr> = args.iter().collect();
            list(out, &format!("call {name}"), &args);
        }
    }
    if spans {
        write!(out, "@{}..{}", expr.span.start, expr.span.end).unwrap();
    }
}

/// The tree of `text`, or its rendered error; also checks that printing round-trips.
fn tree(text: &str) -> String {
    match parse(text) {
        Ok(Some(expr)) => {
            let printed = expr.to_string();
            assert_eq!(
                parse(&printed).unwrap().as_ref(),
                Some(&expr),
                "{text:?} printed as {printed:?}"
            );
            sexp(&expr)
        }
        Ok(None) => "<empty>".to_owned(),
        Err(err) => format!("error: {}", err.message),
    }
}

/// One line per input: `text  =>  tree` (the text quoted when it is blank or has a tab or
/// newline, so the line stays readable).
fn trees(inputs: &[&str]) -> String {
    let mut out = String::new();
    for text in inputs {
        if text.trim().is_empty() || text.contains(['\n', '\t']) {
            writeln!(out, "{text:?}  =>  {}", tree(text)).unwrap();
        } else {
            writeln!(out, "{text}  =>  {}", tree(text)).unwrap();
        }
    }
    out
}

fn err(text: &str) -> QueryError {
    parse(text).expect_err(text)
}

/// Each input, its error kind and the rendered error.
fn errors(inputs: &[&str]) -> String {
    let mut out = String::new();
    for text in inputs {
        let e = err(text);
        let span = e.span.expect("parse errors have a span");
        assert!(span.start <= span.end && span.end <= text.len(), "{text:?}");
        writeln!(out, "--- {text:?} ({:?})\n{}\n", e.kind, e.render(text)).unwrap();
    }
    out
}

#[track_caller]
fn check(text: &str, expected: &str) {
    assert_eq!(tree(text), expected, "{text}");
}

#[test]
fn literals() {
    insta::assert_snapshot!(trees(&[
        "1",
        "-5",
        "- 5",
        "+5",
        "9223372036854775807",
        "-9223372036854775808",
        "1.",
        "1.5",
        "-1.5",
        "1e10",
        "1E10",
        "1.2e-5",
        ".5",
        "'r'",
        "''",
        "'with \"double\" quotes and é'",
        "T'58938.515'",
        "t'2020-01-01T00:00:00'",
        ":visits",
    ]));
}

#[test]
fn identifiers_and_keywords() {
    insta::assert_snapshot!(trees(&[
        "visit",
        "visit.day_obs",
        "visit.timespan.begin",
        "_a1.B_2",
        "Visit",
        "a.and",
        "and",
        "visit AND band",
        "visit and band",
        "visit AnD band Or NoT x",
        "x in (1)",
        "x Not In (1)",
        "a overlaps b",
    ]));
}

#[test]
fn operators_and_precedence() {
    insta::assert_snapshot!(trees(&[
        "a OR b AND c",
        "a AND b OR c",
        "a OR b OR c",
        "NOT a = 1 AND b = 2",
        "NOT NOT a",
        "a AND NOT b OR c",
        "a = b = c",
        "a < b != c",
        "a + b * c",
        "a * b + c",
        "a - b - c",
        "a / b % c",
        "-a * b",
        "a - -5",
        "a -5",
        "a - - b",
        "-(5)",
        "+a",
        "a + b = c * d",
        "a = b IN (1) ",
        "(a OR b) AND c",
        "visit > 100 AND visit < 200",
        "(visit = 100 OR visit = 101) AND exposure % 2 = 1",
        "visit.timespan OVERLAPS (T'2025-01-01', T'2025-02-01')",
        "a OVERLAPS b = c",
    ]));
}

#[test]
fn in_lists_and_ranges() {
    insta::assert_snapshot!(trees(&[
        "visit IN (100..200)",
        "x IN (1..10:3)",
        "x IN (-10..-1:2)",
        "x IN (1 .. 10 : 3)",
        "x IN (-1, +2, - 3, 4.5, 'a', T'58938.5', :b, c, d.e, UUID('x'), 1..2)",
        "visit NOT IN (159, 191)",
        "a + 1 IN (2)",
        "instrument = :inst AND visit IN (:visits)",
    ]));
}

#[test]
fn calls_and_tuples() {
    insta::assert_snapshot!(trees(&[
        "POINT(53.6, -32.7)",
        "f()",
        "glob(exposure.target_name, 'ECDFS*')",
        "f(a = 1, g(b), (c, d))",
        "(a, b)",
        "(a + 1, b OR c)",
        "((a))",
        "visit.region OVERLAPS CIRCLE(53.1, -28.1, 0.2)",
        "calexp.dataset_id = UUID('e15ab039-bc8b-4135-87c5-90902a7c0b22')",
    ]));
}

#[test]
fn whitespace_and_empty_input() {
    insta::assert_snapshot!(trees(&["", "   ", " \t\n ", "\n visit\t=\n1 \n",]));
}

#[test]
fn spans() {
    let mut out = String::new();
    for text in [
        "visit > 100 AND band = 'r'",
        "-5 * (a + b)",
        "NOT x IN (1..3, :y)",
        "f(a, T'2020-01-01')",
        "(a, b) OVERLAPS c",
        "- x",
    ] {
        let expr = parse(text).unwrap().unwrap();
        writeln!(out, "{text}  =>  {}", sexp_spans(&expr)).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn error_renders() {
    insta::assert_snapshot!(errors(&[
        // Lexing.
        "visit = 1 ; band = 'r'",
        "band = \"r\"",
        "band = 'r",
        "x = é",
        "a.b.c.d = 1",
        "x IN (1..5:0)",
        // Syntax.
        "visit > AND band = 'r'",
        "visit > and band = 'r'",
        "a = 'x' 'y'",
        "a = :b :c",
        "a = T'x' T'y'",
        "x IN ()",
        "x IN (a + 1)",
        "x IN (-a)",
        "x IN (a.b(1))",
        "(a, b, c)",
        "f(,a)",
        "a NOT b",
        "a = = 1",
        "a =\n  b c",
        "'é' = 'é' x",
        "band = 'r' AND\n  visit > 100 AND\n  visit < )",
        // Literals that do not fit.
        "x = 99999999999999999999",
        "x = -9223372036854775809",
        "x = 1e999",
        "x IN (1..99999999999999999999)",
        // Ranges outside IN.
        "x = 1..5",
        "x IN (1) OR y = -1..-5:2",
        // Bad time literals.
        "t > T'2020-13-01'",
        "t > T'2020-01-01 12'",
        "t > T'2020-01-01/tdb'",
        "t > T'2020-01-01T00:00:00+02:00'",
        // Truncated.
        "a = b and",
        "visit >",
        "(a",
        "x IN (1,",
        "NOT",
        "f(a,",
    ]));
}

#[test]
fn error_kinds_and_messages() {
    let e = err("visit > AND band = 'r'");
    assert_eq!(e.kind, QueryErrorKind::Syntax);
    assert_eq!(e.message, "Syntax error at or near 'AND' (line: 1, pos: 9)");
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((8, 11)));

    let e = err("visit ; 1");
    assert_eq!(e.kind, QueryErrorKind::Lex);
    assert_eq!(e.message, "Unexpected character at position 6");

    let e = err("a = b and");
    assert_eq!(e.kind, QueryErrorKind::Truncated);
    assert_eq!(
        e.message,
        "End of input reached while expecting further input"
    );
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((9, 9)));

    // The column counts characters within the line; the line counts from 1.
    let e = err("a = 'é'\n AND é");
    assert_eq!(e.kind, QueryErrorKind::Lex);
    assert_eq!(e.message, "Unexpected character at position 14");
    let e = err("a = 'é'\n AND 'é' 'é'");
    assert_eq!(e.message, "Syntax error at or near 'é' (line: 2, pos: 10)");

    // A bad time literal is a syntax error on the whole literal, with the reason as hint.
    let e = err("t > T'2020-13-01'");
    assert_eq!(e.kind, QueryErrorKind::Syntax);
    assert_eq!(e.span.map(|s| (s.start, s.end)), Some((4, 17)));
    assert!(e.hint.unwrap().contains("month 13"));

    // A syntax error comes before a bad character further on, as in the Python Butler.
    assert_eq!(err("a = = é").kind, QueryErrorKind::Syntax);
}

#[test]
fn precedence() {
    check("NOT a = 1 AND b = 2", "(AND (NOT (= a 1)) (= b 2))");
    check("a OR b AND c", "(OR a (AND b c))");
    check("-a * b", "(* (neg a) b)");
    check("a + b * c", "(+ a (* b c))");
    check("a - -5", "(- a -5)");
    check("a -5", "(- a 5)");
    check("-5", "-5");
    check("-1.5", "-1.5f");
    check("+5", "5");
    check("- - 5", "(neg -5)");
    check("NOT a OR b", "(OR (NOT a) b)");
    check("NOT a IN (1)", "(NOT (IN a 1))");
    check("a = b AND c OVERLAPS d", "(AND (= a b) (OVERLAPS c d))");
    check("a * -b + c", "(+ (* a (neg b)) c)");
}

#[test]
fn keywords_are_case_insensitive() {
    for text in [
        "a AND b OR NOT c IN (1) AND d NOT IN (2) AND e OVERLAPS f",
        "a and b or not c in (1) and d not in (2) and e overlaps f",
        "a And b oR nOt c iN (1) AnD d NoT In (2) aNd e OvErLaPs f",
    ] {
        check(
            text,
            "(OR (AND a b) (AND (AND (NOT (IN c 1)) (NOT-IN d 2)) (OVERLAPS e f)))",
        );
    }
    // A keyword cannot be a one-part identifier, not even as a function name.
    assert_eq!(err("in = 1").kind, QueryErrorKind::Syntax);
    assert_eq!(err("and(1) = 1").kind, QueryErrorKind::Syntax);
    // `not(1) = 1` is `NOT` applied to `(1) = 1`.
    check("not(1) = 1", "(NOT (= 1 1))");
}

#[test]
fn ranges() {
    check("x IN (1..10:3)", "(IN x (range 1 10 3))");
    check("x IN (-10..-1:2)", "(IN x (range -10 -1 2))");
    check("x IN (-10 .. -1 : 2)", "(IN x (range -10 -1 2))");
    check("x IN (5..1)", "(IN x (range 5 1))");
    assert_eq!(err("x = 1..10").kind, QueryErrorKind::Syntax);
}

#[test]
fn time_literal_spellings_are_equal() {
    let tree = |text: &str| parse(&format!("t = T'{text}'")).unwrap().unwrap();
    let ns = |text: &str| match tree(text).kind {
        ExprKind::Binary { rhs, .. } => match rhs.kind {
            ExprKind::Time(t) => t.tai_ns,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let reference = ns("58938.515");
    for text in ["mjd/58938.515", "58938.515/tai", "mjd/58938.515/tai"] {
        assert_eq!(ns(text), reference, "{text}");
    }
    // The literal keeps its text, so these trees differ although they name the same instant.
    assert_ne!(tree("58938.515"), tree("mjd/58938.515"));
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}a{}", "(".repeat(400), ")".repeat(400));
    assert!(parse(&ok).is_ok());
    for deep in [
        format!("{}a{}", "(".repeat(501), ")".repeat(501)),
        format!("{}a", "-".repeat(600)),
        format!("{}a", "NOT ".repeat(600)),
        vec!["a"; 600].join(" OR "),
        format!("{}1{}", "f(".repeat(600), ")".repeat(600)),
        "(".repeat(100_000),
    ] {
        let e = parse(&deep).expect_err("too deep");
        assert_eq!(e.kind, QueryErrorKind::Syntax);
        assert!(
            e.hint
                .as_deref()
                .unwrap_or_default()
                .contains("nested more than 500"),
            "{e:?}"
        );
    }
}

#[test]
fn parsing_a_1000_character_expression_is_fast() {
    let clause =
        "(visit.id = 12345 OR visit.exposure_time > 30.5) AND band IN ('g', 'r', 1..10:2) AND ";
    let tail = "t > T'2020-01-01'";
    let mut text = String::new();
    while text.len() + clause.len() + tail.len() <= 1000 {
        text.push_str(clause);
    }
    text.push_str(tail);
    let text = text.as_str();
    assert!((900..=1000).contains(&text.len()), "{}", text.len());
    let parsed = parse(text).unwrap().unwrap();
    // A loose bound: the release-mode figure is a few microseconds; this is a debug build,
    // possibly on a loaded machine, so only a gross regression (quadratic work) fails it.
    let runs = 200;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        assert_eq!(parse(text).unwrap().as_ref(), Some(&parsed));
    }
    let per_parse = start.elapsed() / runs;
    assert!(
        per_parse < std::time::Duration::from_millis(2),
        "{per_parse:?} for {} characters",
        text.len()
    );
}
