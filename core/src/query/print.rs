//! Printing a tree back as an expression: `parse(&expr.to_string())` gives a tree equal to
//! `expr` (for every tree the parser can build).
//!
//! Operands are parenthesised only where the grammar needs it, by precedence level. Two
//! details keep the round trip exact: a sign before a number literal would fold into the
//! literal, so a unary `-`/`+` puts a number operand in parentheses (`-(5)`); and floats are
//! printed with Rust's shortest round-trip form, which always has a `.` or an exponent.

use std::fmt::{self, Write};

use super::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// Precedence levels, loosest first; a child printed where a tighter level is required gets
/// parentheses.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const PRED: u8 = 5;
const ADD: u8 = 6;
const MUL: u8 = 7;
const SIGN: u8 = 8;
const ATOM: u8 = 9;

fn binary_level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Overlaps
        | BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge => CMP,
        BinaryOp::Add | BinaryOp::Sub => ADD,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => MUL,
    }
}

fn level(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op, .. } => binary_level(*op),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => NOT,
        ExprKind::Unary { .. } => SIGN,
        ExprKind::In { .. } => PRED,
        _ => ATOM,
    }
}

/// Writes `expr` in parentheses. Children are written by calling `fmt` directly rather than
/// through `write!`, which keeps the stack shallow for deep trees.
fn parenthesised(f: &mut fmt::Formatter<'_>, expr: &Expr) -> fmt::Result {
    f.write_char('(')?;
    fmt::Display::fmt(expr, f)?;
    f.write_char(')')
}

/// Writes `expr`, in parentheses when its level is looser than `min`.
fn child(f: &mut fmt::Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if level(expr) < min {
        parenthesised(f, expr)
    } else {
        fmt::Display::fmt(expr, f)
    }
}

fn list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        fmt::Display::fmt(item, f)?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(v) => write!(f, "{v}"),
            // `{:?}` is the shortest text that reads back as the same f64, and it keeps a
            // `.0` or an exponent, so the lexer sees a float (`1.0`, `1e16`, `-2.5e-7`).
            ExprKind::Float(v) => write!(f, "{v:?}"),
            ExprKind::Str(s) => write!(f, "'{s}'"),
            ExprKind::Time(t) => write!(f, "T'{}'", t.text),
            ExprKind::Range {
                start,
                stop,
                stride,
            } => {
                write!(f, "{start}..{stop}")?;
                if let Some(s) = stride {
                    write!(f, ":{s}")?;
                }
                Ok(())
            }
            ExprKind::Ident(parts) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    f.write_str(part)?;
                }
                Ok(())
            }
            ExprKind::Bind(name) => write!(f, ":{name}"),
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                f.write_str("NOT ")?;
                child(f, operand, NOT)
            }
            ExprKind::Unary { op, operand } => {
                write!(f, "{op}")?;
                if matches!(operand.kind, ExprKind::Int(_) | ExprKind::Float(_)) {
                    parenthesised(f, operand)
                } else {
                    child(f, operand, SIGN)
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let level = binary_level(*op);
                // Every chain is left-associative: the right operand must bind tighter. The
                // operand of a comparison is a predicate (`a = b IN (1)`), of `AND` a `NOT`.
                child(f, lhs, level)?;
                write!(f, " {op} ")?;
                child(f, rhs, level + 1)
            }
            ExprKind::In {
                lhs,
                items,
                negated,
            } => {
                child(f, lhs, ADD)?;
                f.write_str(if *negated { " NOT IN (" } else { " IN (" })?;
                list(f, items)?;
                f.write_char(')')
            }
            ExprKind::Tuple(a, b) => {
                f.write_char('(')?;
                fmt::Display::fmt(a, f)?;
                f.write_str(", ")?;
                fmt::Display::fmt(b, f)?;
                f.write_char(')')
            }
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                list(f, args)?;
                f.write_char(')')
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[track_caller]
    fn check(text: &str, printed: &str) {
        let expr = parse(text).unwrap().unwrap();
        assert_eq!(expr.to_string(), printed);
        assert_eq!(parse(printed).unwrap().unwrap(), expr, "{printed}");
    }

    #[test]
    fn parentheses_only_where_needed() {
        check("a OR b AND c", "a OR b AND c");
        check("(a OR b) AND c", "(a OR b) AND c");
        check("a - (b - c)", "a - (b - c)");
        check("(a - b) - c", "a - b - c");
        check("a * (b + c) % 2", "a * (b + c) % 2");
        check("NOT a = 1 AND b = 2", "NOT a = 1 AND b = 2");
        check("NOT (a OR b)", "NOT (a OR b)");
        check("(NOT a) = b", "(NOT a) = b");
        check("a = (b = c)", "a = (b = c)");
        check("a = b IN (1, 2..3:4)", "a = b IN (1, 2..3:4)");
        check("(a IN (1)) NOT IN (:x)", "(a IN (1)) NOT IN (:x)");
        check("(a + 1) IN (1)", "a + 1 IN (1)");
    }

    #[test]
    fn signs_and_numbers() {
        check("-5", "-5");
        check("- 5", "-5");
        check("+5", "5");
        check("-(5)", "-(5)");
        check("- -5", "-(-5)");
        check("-a * b", "-a * b");
        check("-(a * b)", "-(a * b)");
        check("a - -5", "a - -5");
        check("--a", "--a");
        check("-1.5 + 1e16 + .5", "-1.5 + 1e16 + 0.5");
        check("-9223372036854775808", "-9223372036854775808");
    }

    #[test]
    fn literals_calls_and_tuples() {
        check(
            "t OVERLAPS (T'2020-01-01', T'mjd/58938.5/tai')",
            "t OVERLAPS (T'2020-01-01', T'mjd/58938.5/tai')",
        );
        check(
            "visit.region OVERLAPS POINT(1, -2.5)",
            "visit.region OVERLAPS POINT(1, -2.5)",
        );
        check("f()", "f()");
        check(
            "x IN (-10..-1:2, 'a', b, UUID('x'))",
            "x IN (-10..-1:2, 'a', b, UUID('x'))",
        );
        check("x not in (1 .. 3)", "x NOT IN (1..3)");
    }
}
