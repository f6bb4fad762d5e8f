//! Turning a failed command's error into the `error:` paragraph and `hint:` lines.
//!
//! Core errors already say what failed and where, with "did you mean" suggestions; this module
//! joins an error's chain into one paragraph and adds the hint that fits the error's kind and
//! the repository the command worked on.

use std::fmt;
use std::io;
use std::path::Path;

use satellite_core::datastore::DatastoreError;
use satellite_core::model::ModelError;
use satellite_core::registry::RegistryError;
use satellite_core::repository::{RepoError, CONFIG_FILE, REGISTRY_FILE};

/// An error found by the command line itself (bad input it checks before calling core),
/// with an optional hint.
#[derive(Debug)]
pub struct CliError {
    message: String,
    hint: Option<String>,
}

impl CliError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// An error with a message and advice.
    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// What `main` prints for a failed command.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    /// The `error:` paragraph.
    pub message: String,
    /// The `hint:` lines.
    pub hints: Vec<String>,
}

/// Whether the command failed only because stdout was closed (`| head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// The message and hints for an error of a command that worked on `repo`.
pub fn report(err: &anyhow::Error, repo: &Path) -> Report {
    let mut message = String::new();
    let mut hints = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let mut parts = text.split("\nhint: ");
        let main = parts
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches('.');
        hints.extend(parts.map(|h| h.trim().to_owned()));
        if main.is_empty() || message.contains(main) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(main);
    }
    if let Some(hint) = err.chain().find_map(|cause| hint_for(cause, repo)) {
        if !message.contains(&hint) && !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    Report { message, hints }
}

fn hint_for(cause: &(dyn std::error::Error + 'static), repo: &Path) -> Option<String> {
    let repo = shell_word(&repo.display().to_string());
    if let Some(e) = cause.downcast_ref::<CliError>() {
        return e.hint.clone();
    }
    if let Some(e) = cause.downcast_ref::<RepoError>() {
        // The wrapped errors are `transparent`: they do not appear in the chain themselves.
        return match e {
            RepoError::Registry(e) => registry_hint(e, &repo),
            RepoError::Model(e) => model_hint(e, &repo),
            RepoError::Datastore(e) => datastore_hint(e),
            RepoError::NotARepository { path, reason } => {
                not_a_repository_hint(path, reason, &repo)
            }
            _ => None,
        };
    }
    if let Some(e) = cause.downcast_ref::<RegistryError>() {
        return registry_hint(e, &repo);
    }
    if let Some(e) = cause.downcast_ref::<ModelError>() {
        return model_hint(e, &repo);
    }
    if let Some(e) = cause.downcast_ref::<DatastoreError>() {
        return datastore_hint(e);
    }
    None
}

fn datastore_hint(e: &DatastoreError) -> Option<String> {
    match e {
        DatastoreError::SourceMissing { .. } => Some(
            "paths in an ingest table are relative to `--prefix` or the current directory; paths in an export file are relative to the export directory"
                .to_owned(),
        ),
        _ => None,
    }
}

fn not_a_repository_hint(path: &Path, reason: &str, repo: &str) -> Option<String> {
    if reason.contains("satellite create") {
        None
    } else if reason.contains(CONFIG_FILE) {
        Some(format!(
            "fix or restore `{}`; a new repository's file holds `version: 1`",
            path.join(CONFIG_FILE).display()
        ))
    } else if reason.contains(REGISTRY_FILE) || reason.contains("registry") {
        Some(format!(
            "the registry `{}` is damaged; restore it from a backup",
            path.join(REGISTRY_FILE).display()
        ))
    } else {
        Some(format!(
            "check the path, or create a new repository with `satellite create {repo}`"
        ))
    }
}

fn registry_hint(e: &RegistryError, repo: &str) -> Option<String> {
    Some(match e {
        RegistryError::Model(m) => return model_hint(m, repo),
        RegistryError::MissingDatasetType { .. } => format!(
            "run `satellite query-dataset-types {repo}` to list the registered dataset types, or register one with `satellite register-dataset-type`"
        ),
        RegistryError::MissingCollection { .. } => {
            format!("run `satellite query-collections {repo}` to list the collections")
        }
        RegistryError::ConflictingDatasetType { .. } => format!(
            "choose another name, or remove the registered type with `satellite remove-dataset-type {repo} NAME` if it has no datasets"
        ),
        RegistryError::DatasetExists { .. } => {
            "a collection holds one dataset per dataset type and data ID; use another RUN, or prune the existing dataset first with `satellite prune-datasets --purge`"
                .to_owned()
        }
        RegistryError::MissingDimensionRecord { element, .. } => format!(
            "insert the record first with `satellite insert-dimension-records {repo} {element} FILE`"
        ),
        RegistryError::ConflictingDimensionRecord { .. } => {
            "pass `--update` to replace existing records, or `--skip-existing` to skip identical ones"
                .to_owned()
        }
        RegistryError::SchemaTooNew { .. } => {
            "this repository was written by a newer `satellite`; upgrade `satellite` to use it"
                .to_owned()
        }
        RegistryError::CalibrationOverlap { collection, dataset_type, .. } => format!(
            "validity ranges of one data ID may not overlap; clip the existing one first with `satellite collection decertify {repo} {collection} {dataset_type} --begin-date ... --end-date ...`"
        ),
        RegistryError::NotCalibration(_) => {
            "only dataset types registered with `--is-calibration` can be certified".to_owned()
        }
        _ => return None,
    })
}

fn model_hint(e: &ModelError, repo: &str) -> Option<String> {
    Some(match e {
        ModelError::UnknownElement { .. } | ModelError::UnknownDimension { .. } => {
            "dimension names are those of the repository's universe (`instrument`, `detector`, `visit`, `exposure`, `physical_filter`, `band`, `day_obs`, ...)".to_owned()
        }
        ModelError::MissingDimension { .. } => {
            format!("run `satellite query-dataset-types {repo} --verbose` to see each dataset type's dimensions")
        }
        _ => return None,
    })
}

/// Quotes a path for a shell command line when it needs it.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn chains_become_one_paragraph_and_hints_are_split_off() {
        let inner = anyhow::Error::new(io::Error::other("disk full"));
        let err = Err::<(), _>(inner).context("cannot write `x`").unwrap_err();
        let r = report(&err, Path::new("/tmp/repo"));
        assert_eq!(r.message, "cannot write `x`: disk full");
        let err = anyhow::Error::new(CliError::with_hint("bad", "do this"));
        assert_eq!(
            report(&err, Path::new("r")),
            Report {
                message: "bad".into(),
                hints: vec!["do this".into()]
            }
        );
        let err = anyhow::anyhow!("the export file is broken\nhint: export again");
        assert_eq!(report(&err, Path::new("r")).hints, ["export again"]);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("/tmp/repo"), "/tmp/repo");
        assert_eq!(shell_word("my repo"), "'my repo'");
    }
}
