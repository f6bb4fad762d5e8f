//! End-to-end tests of the `satellite` binary: every verb on real repositories in temporary
//! directories, snapshots of `--help`, of query output in all three formats and of errors, and
//! a check that a failing command leaves the repository byte for byte as it was.
//!
//! Snapshots live in `tests/cli/snapshots/`; regenerate them with
//! `INSTA_UPDATE=always cargo test -p satellite --test cli` and review the diff.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

/// Asserts a snapshot with the sandbox's filters (its path, random dataset IDs).
macro_rules! snapshot {
    ($sandbox:expr, $name:expr, $text:expr) => {{
        let filters = $sandbox.filters();
        let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        insta::with_settings!({ filters => filters, prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($name, $text);
        });
    }};
}

mod changes;
mod errors;
mod help;
mod interrupt;
mod queries;
mod sandbox;
mod where_clause;
