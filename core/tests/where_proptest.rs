//! Property tests of the `where` parser: it never panics and always points inside the text,
//! and printing a tree gives text that parses back to the same tree.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use proptest::prelude::*;
use satellite_core::query::{
    parse, parse_time_literal, BinaryOp, Expr, ExprKind, QueryErrorKind, Span, TimeLiteral, UnaryOp,
};

/// Parses `text` and checks what must hold for any input: no panic, an error span on char
/// boundaries inside the text, the message shape of its kind, a render that does not panic.
fn parse_checked(text: &str) -> Option<Expr> {
    match parse(text) {
        Ok(expr) => expr,
        Err(e) => {
            let span = e.span.expect("a parse error has a span");
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{e:?} in {text:?}"
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{e:?} in {text:?}"
            );
            let expected_start = match e.kind {
                QueryErrorKind::Lex => "Unexpected character at position ",
                QueryErrorKind::Syntax => "Syntax error at or near '",
                QueryErrorKind::Truncated => "End of input reached while expecting further input",
                other => panic!("the parser gave a {other:?} error for {text:?}"),
            };
            assert!(e.message.starts_with(expected_start), "{e:?}");
            if e.kind == QueryErrorKind::Truncated {
                assert_eq!(span, Span::new(text.len(), text.len()));
            }
            let _ = e.render(text);
            None
        }
    }
}

/// Prints `expr`, parses the text, and checks the trees are equal and the printing stable.
fn assert_round_trip(expr: &Expr) {
    let printed = expr.to_string();
    let reparsed = parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} does not parse: {}", e.render(&printed)))
        .unwrap_or_else(|| panic!("{printed:?} parses as empty"));
    assert_eq!(&reparsed, expr, "printed as {printed:?}");
    assert_eq!(reparsed.to_string(), printed);
}

/// Tokens (and near-tokens) of the language, to build strings that often get far into the
/// grammar.
const TOKENS: &[&str] = &[
    "AND",
    "and",
    "Or",
    "OR",
    "NOT",
    "not",
    "IN",
    "in",
    "OVERLAPS",
    "overlaps",
    "visit",
    "band",
    "a",
    "T",
    "t",
    "x_1",
    "visit.id",
    "a.b.c",
    "a.and",
    "a.b.c.d",
    "POINT",
    "f",
    "1",
    "0",
    "42",
    "1.",
    "1.5",
    ".5",
    "1e10",
    "1.2e-5",
    "1e",
    "99999999999999999999",
    "1e999",
    "-",
    "+",
    "*",
    "/",
    "%",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "<>",
    "!",
    "(",
    ")",
    ",",
    ".",
    "..",
    ":",
    "1..5",
    "-10..-1:2",
    "1 .. 3 : 2",
    "1..5:0",
    ":b",
    ":",
    "'r'",
    "''",
    "'",
    "\"r\"",
    "T'58938.5'",
    "T'2020-01-01 12:00'",
    "t'2020-13-01'",
    "T'mjd/1.5/tai'",
    "T'bad'",
    "T'",
    "é",
    ";",
    "\r",
];

fn token_soup() -> impl Strategy<Value = String> {
    let piece = (
        prop::sample::select(TOKENS),
        prop::sample::select(&[" ", " ", " ", "", "\n", "\t"][..]),
    );
    prop::collection::vec(piece, 0..24).prop_map(|pieces| {
        pieces
            .into_iter()
            .flat_map(|(token, space)| [token, space])
            .collect()
    })
}

/// Soups shaped like expressions: operands (with prefixes and suffixes) alternating with
/// operators, with a random token from [`TOKENS`] mixed in now and then. Many of these parse,
/// so the round-trip property sees varied trees.
fn expression_soup() -> impl Strategy<Value = String> {
    const PREFIXES: &[&str] = &["", "", "", "", "NOT ", "not ", "-", "+", "(", "( ", "- -"];
    const ATOMS: &[&str] = &[
        "visit",
        "a.b",
        "x.y.z",
        "band",
        "1",
        "-5",
        "2.5",
        ".5",
        "1e3",
        "'r'",
        "T'58938.5'",
        ":b",
        "POINT(1, 2)",
        "f()",
        "(a, b)",
        "g(a AND b)",
        "UUID('x')",
    ];
    const SUFFIXES: &[&str] = &[
        "",
        "",
        "",
        "",
        ")",
        " )",
        " IN (1, 2..3)",
        " NOT IN (:b, 'x', -1..-5:2)",
        " in (f(1))",
    ];
    const OPS: &[&str] = &[
        "AND", "and", "OR", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "OVERLAPS",
        ",",
    ];
    let piece = prop_oneof![
        8 => (
            prop::sample::select(PREFIXES),
            prop::sample::select(ATOMS),
            prop::sample::select(SUFFIXES),
            prop::sample::select(OPS),
        )
            .prop_map(|(p, a, s, o)| format!("{p}{a}{s} {o} ")),
        1 => prop::sample::select(TOKENS).prop_map(|t| format!("{t} ")),
    ];
    (
        prop::collection::vec(piece, 1..8),
        prop::sample::select(ATOMS),
    )
        .prop_map(|(pieces, last)| pieces.concat() + last)
}

const KEYWORDS: [&str; 5] = ["and", "or", "not", "in", "overlaps"];

fn is_keyword(s: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(s))
}

fn simple_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_filter("not a keyword", |s| !is_keyword(s))
}

fn ident() -> impl Strategy<Value = Vec<String>> {
    // Parts after the first may be keywords, as in the Python Butler's lexer.
    let part = prop_oneof![
        4 => "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
        1 => prop::sample::select(&["AND", "in", "Overlaps"][..]).prop_map(str::to_owned),
    ];
    (simple_name(), prop::collection::vec(part, 0..=2))
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

fn time() -> impl Strategy<Value = TimeLiteral> {
    let mjd = (
        40_587u32..70_000,
        0u32..1_000_000,
        prop::sample::select(&["", "/tai", "/utc", "/tt"][..]),
    )
        .prop_map(|(day, frac, scale)| format!("{day}.{frac:06}{scale}"));
    let iso = (
        1972i32..2200,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        prop::sample::select(&[" ", "T"][..]),
    )
        .prop_map(|(y, mo, d, h, mi, s, sep)| {
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}")
        });
    prop_oneof![mjd, iso].prop_map(|text| {
        let tai_ns = parse_time_literal(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        TimeLiteral { text, tai_ns }
    })
}

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<i64>().prop_map(ExprKind::Int),
        any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(ExprKind::Float),
        "[^'\n]{0,8}".prop_map(ExprKind::Str),
        time().prop_map(ExprKind::Time),
        ident().prop_map(ExprKind::Ident),
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}".prop_map(ExprKind::Bind),
    ]
    .prop_map(e)
}

/// What an `IN` list may hold: literals, ranges, names, binds, calls.
fn item(inner: impl Strategy<Value = Expr> + Clone + 'static) -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => leaf(),
        1 => (any::<i64>(), any::<i64>(), prop::option::of(1..=i64::MAX))
            .prop_map(|(start, stop, stride)| e(ExprKind::Range { start, stop, stride })),
        1 => (simple_name(), prop::collection::vec(inner, 0..3))
            .prop_map(|(name, args)| e(ExprKind::Call { name, args })),
    ]
}

const BINARY_OPS: [BinaryOp; 14] = [
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Overlaps,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
];

/// Trees the parser can build: any shape, with ranges only in `IN` lists.
fn tree() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            (
                prop::sample::select(&[UnaryOp::Minus, UnaryOp::Plus, UnaryOp::Not][..]),
                inner.clone()
            )
                .prop_map(|(op, operand)| e(ExprKind::Unary {
                    op,
                    operand: Box::new(operand)
                })),
            (
                prop::sample::select(&BINARY_OPS[..]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(op, lhs, rhs)| e(ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs)
                })),
            (
                inner.clone(),
                prop::collection::vec(item(inner.clone()), 1..4),
                any::<bool>()
            )
                .prop_map(|(lhs, items, negated)| e(ExprKind::In {
                    lhs: Box::new(lhs),
                    items,
                    negated
                })),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| e(ExprKind::Tuple(Box::new(a), Box::new(b)))),
            (simple_name(), prop::collection::vec(inner, 0..3))
                .prop_map(|(name, args)| e(ExprKind::Call { name, args })),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_refused_or_parsed_without_panic(text in any::<String>()) {
        if let Some(expr) = parse_checked(&text) {
            assert_round_trip(&expr);
        }
    }

    #[test]
    fn token_soup_is_refused_or_round_trips(text in token_soup()) {
        if let Some(expr) = parse_checked(&text) {
            assert_round_trip(&expr);
        }
    }

    #[test]
    fn expression_soup_is_refused_or_round_trips(text in expression_soup()) {
        if let Some(expr) = parse_checked(&text) {
            assert_round_trip(&expr);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn printed_trees_parse_back_to_the_same_tree(expr in tree()) {
        assert_round_trip(&expr);
    }
}

/// How many of 5000 soups from `strategy` (fixed seed) parse.
fn parsed_share(strategy: impl Strategy<Value = String>) -> usize {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    (0..5000)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            matches!(parse(&text), Ok(Some(_)))
        })
        .count()
}

#[test]
fn soups_get_deep_into_the_grammar() {
    // Guards the generators: if nearly every soup failed at its first tokens, the
    // round-trip properties above would test little.
    let random = parsed_share(token_soup());
    assert!(random >= 50, "{random} of 5000 random soups parse");
    let shaped = parsed_share(expression_soup());
    assert!(
        shaped >= 500,
        "{shaped} of 5000 expression-shaped soups parse"
    );
}
