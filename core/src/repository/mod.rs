//! A personal data repository: the Butler-like facade over one [`SqliteRegistry`] and one
//! [`FileDatastore`], with the operations the CLI and servers use (`put`, `get`, `ingest`,
//! `retrieve`, `prune`, `export`, `import`).
//!
//! On disk a repository is a directory holding `satellite.yaml` (its configuration),
//! `registry.sqlite3` and the artifacts, laid out by the Python Butler's file templates
//! directly under the root. Every operation that writes registers everything or nothing: the
//! registry transaction and the datastore's [`Journal`] are committed or rolled back together.

mod config;
mod ops;
mod progress;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::datastore::{FileDatastore, FileTemplates, Journal};
use crate::model::{ColumnType, DataIdValue, DimensionUniverse};
use crate::registry::{RegistryError, SqliteRegistry};

pub use config::{RepoConfig, CONFIG_FILE, REGISTRY_FILE};
pub use ops::{ImportOptions, IngestFile, IngestOptions, PruneMode, RetrieveOptions};
pub use progress::{NoProgress, Progress};

/// Why a repository operation failed. The repository is unchanged when one is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepoError {
    /// A registry rule was broken.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// A datastore failure (file missing, collision, unreadable).
    #[error(transparent)]
    Datastore(#[from] crate::datastore::DatastoreError),
    /// A model rule was broken.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// An export file could not be read or written.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// The directory is not a repository, or its configuration is damaged.
    #[error("`{path}` is not a usable repository: {reason}")]
    NotARepository {
        /// The directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The operation cannot run as asked.
    #[error("{0}")]
    Invalid(String),
    /// The user interrupted the operation; everything it had done was undone.
    #[error("interrupted; the repository is unchanged")]
    Interrupted,
    /// A file-system failure outside the datastore.
    #[error("{what} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// An open repository.
#[derive(Debug)]
pub struct Repository {
    root: PathBuf,
    config: RepoConfig,
    registry: SqliteRegistry,
    datastore: FileDatastore,
    templates: FileTemplates,
}

impl Repository {
    /// Creates a new repository at `root` (which must not exist or be an empty directory).
    ///
    /// # Errors
    /// [`RepoError::Invalid`] when `root` holds files, I/O and registry errors.
    pub fn create(
        root: &Path,
        universe: &DimensionUniverse,
        config: RepoConfig,
    ) -> Result<Self, RepoError> {
        if root.exists() {
            let mut entries = std::fs::read_dir(root).map_err(|source| RepoError::Io {
                what: "cannot read",
                path: root.to_owned(),
                source,
            })?;
            if entries.next().is_some() {
                return Err(RepoError::Invalid(format!(
                    "`{}` already exists and is not empty; choose a new directory for the repository",
                    root.display()
                )));
            }
        }
        let existed = root.exists();
        std::fs::create_dir_all(root).map_err(|source| RepoError::Io {
            what: "cannot create",
            path: root.to_owned(),
            source,
        })?;
        let result = (|| {
            let registry = SqliteRegistry::create(&root.join(REGISTRY_FILE), universe)?;
            config.write(root)?;
            Ok::<_, RepoError>(registry)
        })();
        match result {
            Ok(registry) => Ok(Self::assemble(root, config, registry)),
            Err(e) => {
                // Leave nothing half-made behind: the directory was empty or absent before.
                let cleanup = if existed {
                    std::fs::read_dir(root).and_then(|entries| {
                        entries
                            .flatten()
                            .try_for_each(|entry| std::fs::remove_file(entry.path()))
                    })
                } else {
                    std::fs::remove_dir_all(root)
                };
                if let Err(undo) = cleanup {
                    tracing::warn!(
                        "could not remove the half-made repository `{}`: {undo}",
                        root.display()
                    );
                }
                Err(e)
            }
        }
    }

    /// Opens an existing repository.
    ///
    /// # Errors
    /// [`RepoError::NotARepository`] with the reason (no config, corrupt config, corrupt registry).
    pub fn open(root: &Path) -> Result<Self, RepoError> {
        Self::open_with(root, false)
    }

    /// Opens a repository for reading only (servers of an official repository): no write
    /// reaches the files, and an older schema is read as it is, not migrated.
    ///
    /// # Errors
    /// As [`Repository::open`].
    pub fn open_read_only(root: &Path) -> Result<Self, RepoError> {
        Self::open_with(root, true)
    }

    fn open_with(root: &Path, read_only: bool) -> Result<Self, RepoError> {
        let config = RepoConfig::read(root)?;
        let path = root.join(REGISTRY_FILE);
        let registry = if read_only {
            SqliteRegistry::open_read_only(&path)
        } else {
            SqliteRegistry::open(&path)
        };
        let registry = registry.map_err(|e| match e {
            RegistryError::Corrupt(reason) => RepoError::NotARepository {
                path: root.to_owned(),
                reason,
            },
            other => other.into(),
        })?;
        Ok(Self::assemble(root, config, registry))
    }

    fn assemble(root: &Path, config: RepoConfig, registry: SqliteRegistry) -> Self {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        Self {
            datastore: FileDatastore::new(&root),
            templates: FileTemplates::defaults(),
            root,
            config,
            registry,
        }
    }

    /// The repository directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The configuration.
    pub fn config(&self) -> &RepoConfig {
        &self.config
    }

    /// The registry, for queries and collection management.
    pub fn registry(&self) -> &SqliteRegistry {
        &self.registry
    }

    /// The datastore.
    pub fn datastore(&self) -> &FileDatastore {
        &self.datastore
    }

    /// The dimension universe.
    pub fn universe(&self) -> &DimensionUniverse {
        self.registry.universe()
    }

    /// Default data ID values for queries: the configuration's `default_data_id`, and for each
    /// governor dimension (`instrument`, `skymap`) without one, its value when the repository
    /// has exactly one record of it. A `where` that uses `visit` therefore needs no
    /// `instrument = ...` in a one-instrument repository.
    ///
    /// # Errors
    /// A configured key that is not a dimension or has a value of the wrong type.
    pub fn query_defaults(&self) -> Result<BTreeMap<String, DataIdValue>, RepoError> {
        let universe = self.universe().clone();
        let mut out = BTreeMap::new();
        for (k, v) in &self.config.default_data_id {
            let d = universe.get_dimension(k)?;
            let t = d
                .primary_key()
                .map_or(ColumnType::String, |c| c.column_type);
            out.insert(k.clone(), DataIdValue::parse_for(k, t, v)?);
        }
        for g in universe
            .dimensions()
            .filter(|d| d.governor && d.has_table())
        {
            if out.contains_key(&g.name) {
                continue;
            }
            let records = self.registry.element_records(&g.name)?;
            if records.len() == 1 {
                if let Some(key) = records.keys().next().and_then(|k| k.last()) {
                    out.insert(g.name.clone(), key.clone());
                }
            }
        }
        Ok(out)
    }

    /// Runs `f` with a registry transaction and a datastore journal: both commit, or both roll back.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Journal) -> Result<T, RepoError>,
    ) -> Result<T, RepoError> {
        let mut journal = Journal::default();
        match self.registry.transaction(|| f(&mut journal)) {
            Ok(v) => {
                // The registry has committed: a file that cannot be deleted now is only litter.
                if let Err(e) = journal.commit() {
                    tracing::warn!("after a committed change: {e}");
                }
                Ok(v)
            }
            Err(e) => {
                if let Err(undo) = journal.rollback() {
                    tracing::error!("could not undo every file change after `{e}`: {undo}");
                }
                Err(e)
            }
        }
    }
}
