//! `satellite-widget`: Satellite Butler's browser UI components, Rust compiled to WebAssembly.
//!
//! This crate is the `wasm-widget/` entry of the code map in ARCHITECTURE.md.
//! It depends on `satellite-core` with default features off, so the widgets validate input with
//! the very parser and model the CLI uses, without any I/O.
//!
//! The JavaScript-facing surface is one module, [`api`]; every other module is plain Rust that
//! native unit tests exercise with `cargo test -p satellite-widget`.
//!
//! # Examples
//!
//! ```
//! use satellite_widget::validation::validate_dataset_type_name;
//!
//! assert!(validate_dataset_type_name("calexp").ok);
//! assert!(!validate_dataset_type_name("1bad").ok);
//! ```

pub mod api;
pub mod expression;
pub mod validation;
