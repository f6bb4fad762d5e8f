//! The syntax tree of a `where` expression, with source spans.
//!
//! The parser builds it; [`std::fmt::Display`] prints it back as an expression that parses to
//! the same tree. Equality ignores spans: two trees are equal when they mean the same thing,
//! wherever their parts were written.

use std::fmt;

/// A byte range `[start, end)` of the expression text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A node of the tree: what it is and where it was written.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// Where it was written (the whole node, operands included).
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    /// A node at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Self { kind, span }
    }
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal; a `-` written directly before a number is part of the literal.
    Int(i64),
    /// A floating-point literal (`1.`, `1.5`, `1e10`, `.5`).
    Float(f64),
    /// A single-quoted string (no escapes: it cannot contain `'`).
    Str(String),
    /// A time literal `T'...'`.
    Time(TimeLiteral),
    /// `start..stop[:stride]` (both ends inclusive); only inside `IN (...)`.
    Range {
        /// First value.
        start: i64,
        /// Last value (inclusive).
        stop: i64,
        /// Step (positive), when written.
        stride: Option<i64>,
    },
    /// A name with one to three parts: `visit`, `visit.day_obs`, `visit.timespan.begin`.
    Ident(Vec<String>),
    /// A bind parameter `:name` (the name without the colon).
    Bind(String),
    /// `-x`, `+x`, `NOT x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `x IN (items)` or `x NOT IN (items)`.
    In {
        /// The tested value.
        lhs: Box<Expr>,
        /// The list: literals, ranges, identifiers, binds, function calls.
        items: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `(begin, end)`: a time range.
    Tuple(Box<Expr>, Box<Expr>),
    /// `NAME(args)`; the name is kept as written (function names are case-insensitive).
    Call {
        /// The function name as written.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
}

/// A time literal: the text between the quotes and the instant it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeLiteral {
    /// The text between the quotes, as written (`2024-05-01T00:00:00`, `mjd/58938.515/tai`).
    pub text: String,
    /// The instant in TAI nanoseconds since 1970-01-01T00:00:00 TAI (the registry's unit).
    pub tai_ns: i64,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Minus,
    /// `+x`
    Plus,
    /// `NOT x`
    Not,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `OVERLAPS`
    Overlaps,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinaryOp {
    /// The operator as written (keywords upper-case).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Or => "OR",
            Self::And => "AND",
            Self::Overlaps => "OVERLAPS",
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Mod => "%",
        }
    }

    /// Whether the operator compares two values and yields a boolean (`=`, `<`, `OVERLAPS`...).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Self::Overlaps | Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge
        )
    }

    /// Whether the operator is arithmetic (`+ - * / %`).
    pub fn is_arithmetic(self) -> bool {
        matches!(
            self,
            Self::Add | Self::Sub | Self::Mul | Self::Div | Self::Mod
        )
    }
}

impl fmt::Display for UnaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Minus => "-",
            Self::Plus => "+",
            Self::Not => "NOT",
        })
    }
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}
