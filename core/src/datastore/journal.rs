//! The undo journal of file operations, so that files follow the registry transaction.
//!
//! A registry write and the file effects that go with it must succeed or fail together. The
//! datastore records each effect (a created file or link, a created directory, a moved file) in
//! a [`Journal`]; when the registry transaction fails, [`Journal::rollback`] undoes them in
//! reverse order. Deletions go the other way: they are only scheduled
//! ([`Journal::delete_on_commit`]) and happen in [`Journal::commit`], after the registry has
//! committed, so a failed prune never loses an artifact that is still registered.
//!
//! A journal dropped without `commit` or `rollback` rolls back, as an uncommitted SQLite
//! transaction does.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::DatastoreError;

/// One effect to undo.
#[derive(Debug)]
enum Undo {
    /// A file or link the datastore created.
    RemoveFile(PathBuf),
    /// A directory the datastore created; removed only if empty.
    RemoveDir(PathBuf),
    /// A file moved from `original` to `now`.
    MoveBack { now: PathBuf, original: PathBuf },
}

/// File effects of one registry transaction, to undo on failure or finish on success.
///
/// # Examples
///
/// ```
/// use satellite_core::datastore::{FileDatastore, Journal, WriteOptions};
///
/// # let dir = std::env::temp_dir().join(format!("journal-doc-{}", std::process::id()));
/// let datastore = FileDatastore::new(&dir);
/// let mut journal = Journal::new();
/// datastore.put_bytes(&mut journal, "run/a.yaml", b"a: 1\n", WriteOptions::default())?;
/// assert!(dir.join("run/a.yaml").exists());
/// journal.rollback()?; // the registry transaction failed
/// assert!(!dir.join("run").exists());
/// # Ok::<(), satellite_core::datastore::DatastoreError>(())
/// ```
#[derive(Debug, Default)]
#[must_use = "a journal rolls back when dropped; call `commit` once the registry has committed"]
pub struct Journal {
    undo: Vec<Undo>,
    delete_on_commit: Vec<PathBuf>,
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.undo.is_empty() && self.delete_on_commit.is_empty()
    }

    /// Schedules `path` for deletion when the journal commits; a rollback keeps it.
    pub fn delete_on_commit(&mut self, path: impl Into<PathBuf>) {
        self.delete_on_commit.push(path.into());
    }

    pub(super) fn created_file(&mut self, path: PathBuf) {
        self.undo.push(Undo::RemoveFile(path));
    }

    pub(super) fn created_dir(&mut self, path: PathBuf) {
        self.undo.push(Undo::RemoveDir(path));
    }

    pub(super) fn moved(&mut self, original: PathBuf, now: PathBuf) {
        self.undo.push(Undo::MoveBack { now, original });
    }

    /// Keeps every change and performs the scheduled deletions.
    ///
    /// # Errors
    /// [`DatastoreError::JournalIncomplete`] listing files that could not be deleted (files
    /// already gone are fine). The registry has committed by then, so these are leftovers,
    /// not inconsistencies.
    pub fn commit(mut self) -> Result<(), DatastoreError> {
        self.undo.clear();
        let mut failures = Vec::new();
        for path in std::mem::take(&mut self.delete_on_commit) {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    tracing::debug!(path = %path.display(), "artifact to delete was already gone");
                }
                Err(e) => failures.push(format!("delete `{}`: {e}", path.display())),
            }
        }
        finish("commit", failures)
    }

    /// Undoes every recorded change, newest first, and forgets the scheduled deletions.
    ///
    /// # Errors
    /// [`DatastoreError::JournalIncomplete`] listing the steps that failed; the others are
    /// still undone.
    pub fn rollback(mut self) -> Result<(), DatastoreError> {
        let failures = self.undo_all();
        finish("roll back", failures)
    }

    fn undo_all(&mut self) -> Vec<String> {
        self.delete_on_commit.clear();
        let mut failures = Vec::new();
        while let Some(step) = self.undo.pop() {
            let result = match &step {
                Undo::RemoveFile(path) => ignore_missing(fs::remove_file(path)),
                Undo::RemoveDir(path) => match fs::remove_dir(path) {
                    // Someone else put a file there meanwhile: the directory stays.
                    Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => Ok(()),
                    other => ignore_missing(other),
                },
                Undo::MoveBack { now, original } => move_file(now, original),
            };
            if let Err(e) = result {
                failures.push(format!("{step:?}: {e}"));
            }
        }
        failures
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        if self.undo.is_empty() {
            return;
        }
        tracing::warn!(
            steps = self.undo.len(),
            "a datastore journal was dropped without commit; rolling back"
        );
        for failure in self.undo_all() {
            tracing::error!(%failure, "could not roll back a datastore change");
        }
    }
}

fn finish(action: &'static str, failures: Vec<String>) -> Result<(), DatastoreError> {
    if failures.is_empty() {
        Ok(())
    } else {
        Err(DatastoreError::JournalIncomplete { action, failures })
    }
}

fn ignore_missing(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Renames `from` to `to`, copying and deleting when they are on different file systems.
pub(super) fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    match fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            fs::copy(from, to)?;
            fs::remove_file(from)
        }
        other => other,
    }
}
