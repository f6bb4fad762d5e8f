//! `satellite.yaml`: the repository configuration.

use serde::{Deserialize, Serialize};
use std::path::Path;

use super::RepoError;

/// The configuration file at the repository root.
pub const CONFIG_FILE: &str = "satellite.yaml";
/// The registry file at the repository root.
pub const REGISTRY_FILE: &str = "registry.sqlite3";

/// What `satellite.yaml` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// Format version of this file.
    pub version: u32,
    /// Record blake2b checksums of artifacts written into the datastore.
    #[serde(default)]
    pub checksum: bool,
    /// Whether `put` fsyncs artifacts (`full`, the default) or, like the Python Butler, only
    /// the registry commit (`registry`: faster; a power cut may leave a just-written file empty).
    #[serde(default)]
    pub durability: crate::datastore::Durability,
    /// Data ID values AND-ed into every query and data ID (e.g. `instrument: DemoCam`).
    #[serde(default)]
    pub default_data_id: std::collections::BTreeMap<String, String>,
}

impl Default for RepoConfig {
    fn default() -> Self {
        Self {
            version: 1,
            checksum: false,
            durability: Default::default(),
            default_data_id: Default::default(),
        }
    }
}

impl RepoConfig {
    pub(super) fn read(root: &Path) -> Result<Self, RepoError> {
        let path = root.join(CONFIG_FILE);
        let not_repo = |reason: String| RepoError::NotARepository {
            path: root.to_owned(),
            reason,
        };
        if root.is_file() {
            return Err(not_repo(
                "it is a file; give the repository's directory".into(),
            ));
        }
        if !root.is_dir() {
            return Err(not_repo(
                "the directory does not exist; create a repository with `satellite create`".into(),
            ));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            not_repo(format!(
                "cannot read `{CONFIG_FILE}` ({e}); create a repository with `satellite create`"
            ))
        })?;
        let config: Self = serde_yaml::from_str(&text)
            .map_err(|e| not_repo(format!("`{CONFIG_FILE}` is corrupt: {e}")))?;
        if config.version != 1 {
            return Err(not_repo(format!(
                "`{CONFIG_FILE}` has version {}, this `satellite` reads version 1",
                config.version
            )));
        }
        Ok(config)
    }

    pub(super) fn write(&self, root: &Path) -> Result<(), RepoError> {
        let path = root.join(CONFIG_FILE);
        let text = format!(
            "# Satellite Butler repository configuration.\n{}",
            serde_yaml::to_string(self).unwrap_or_default()
        );
        std::fs::write(&path, text).map_err(|source| RepoError::Io {
            what: "cannot write",
            path,
            source,
        })
    }
}
