//! Transfer modes: how an ingest brings a file into the datastore (`BUTLER_CONCEPTS.md` §6.3).

use std::fmt;
use std::str::FromStr;

use super::DatastoreError;

/// How [`FileDatastore::ingest`](super::FileDatastore::ingest) brings a file into the datastore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferMode {
    /// Record files inside the root in place; link files outside it (as `link`).
    Auto,
    /// Copy into the datastore.
    Copy,
    /// Move into the datastore.
    Move,
    /// Hard link, falling back to an absolute symbolic link.
    Link,
    /// Hard link only.
    Hardlink,
    /// Absolute symbolic link.
    Symlink,
    /// Relative symbolic link.
    Relsymlink,
    /// Record the file's absolute `file://` URI; the file is never touched or deleted.
    Direct,
}

impl TransferMode {
    /// One line saying what the mode does, for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Auto => "Record files already inside the repository in place; link the others",
            Self::Copy => "Copy into the repository",
            Self::Move => "Move into the repository (the source file is gone afterwards)",
            Self::Link => "Hard link, falling back to a symbolic link",
            Self::Hardlink => "Hard link only (one file system)",
            Self::Symlink => "Absolute symbolic link",
            Self::Relsymlink => "Relative symbolic link",
            Self::Direct => {
                "Do not copy: record the file's absolute location; the repository never deletes it"
            }
        }
    }

    /// Every mode, in the order the CLI lists them.
    pub const ALL: [Self; 8] = [
        Self::Auto,
        Self::Copy,
        Self::Move,
        Self::Link,
        Self::Hardlink,
        Self::Symlink,
        Self::Relsymlink,
        Self::Direct,
    ];

    /// The lower-case name the Python Butler uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Copy => "copy",
            Self::Move => "move",
            Self::Link => "link",
            Self::Hardlink => "hardlink",
            Self::Symlink => "symlink",
            Self::Relsymlink => "relsymlink",
            Self::Direct => "direct",
        }
    }
}

impl fmt::Display for TransferMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransferMode {
    type Err = DatastoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| DatastoreError::InvalidTransferMode(s.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
mod tests {
    use super::*;

    #[test]
    fn transfer_modes_parse_and_print_their_python_names() {
        for mode in TransferMode::ALL {
            assert_eq!(mode.to_string().parse::<TransferMode>().unwrap(), mode);
        }
        assert_eq!(
            "relsymlink".parse::<TransferMode>().unwrap(),
            TransferMode::Relsymlink
        );
        let err = "Copy".parse::<TransferMode>().unwrap_err();
        assert!(
            err.to_string().starts_with("`Copy` is not a transfer mode"),
            "{err}"
        );
    }
}
