//! The `where` expression language of the Python Butler: lexer, parser, printer, checker.
//!
//! Pure code (no I/O): it builds for wasm32, so the notebook widgets validate expressions with
//! the same parser the CLI and the servers use. Grammar and semantics: `BUTLER_CONCEPTS.md` §4.
//!
//! - [`parse`] turns text into an [`Expr`] tree that keeps source [`Span`]s; printing an `Expr`
//!   (`Display`) gives text that parses back to the same tree.
//! - Errors are [`QueryError`]s worded as the Python Butler words them, with
//!   [`QueryError::render`] drawing a caret line under the offending part.

mod ast;
mod check;
mod error;
mod lexer;
mod parser;
mod print;
mod time;

#[cfg(test)]
mod parse_tests;

pub use ast::{BinaryOp, Expr, ExprKind, Span, TimeLiteral, UnaryOp};
pub use check::{
    check, check_order_by, data_id_from_json, python_type, BindValue, CheckedWhere, CmpOp,
    ColumnRef, DatasetField, Literal, OrderTerm, Predicate, QueryContext, RegionLiteral, Scalar,
    DATASET_FIELDS,
};
pub use error::{QueryError, QueryErrorKind};
pub use parser::parse;
pub use time::parse_time_literal;
