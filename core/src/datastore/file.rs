//! The local file datastore: one file per dataset under a root directory.
//!
//! Artifacts are addressed by [`StoredFileInfo::path`]: a path relative to the root for files
//! the datastore owns, or an absolute `file://` URI for files it only references (`direct`
//! ingest). Every write records its effect in a [`Journal`] so that the registry transaction
//! decides whether it stays, and writes never replace an existing file: a second dataset
//! mapped to the same path is a template collision and an error.
//!
//! Behaviour follows the Python Butler's `FileDatastore` and `lsst.resources`: sources are
//! resolved through symbolic links before linking or moving, `auto` records files already
//! inside the root in place and links (hard, else symbolic) files outside it, and checksums
//! are blake2b-512 hex digests.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use blake2::{Blake2b512, Digest};
use serde::{Deserialize, Serialize};

use super::journal::move_file;
use super::uri::{file_uri, path_of_file_uri};
use super::{DatastoreError, Journal, TransferMode};

/// What the datastore knows about one artifact (a row of `file_datastore_records`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFileInfo {
    /// Relative to the root, or an absolute `file://` URI for referenced files.
    pub path: String,
    /// Fully-qualified formatter class name.
    pub formatter: String,
    /// Storage class name.
    pub storage_class: String,
    /// The component stored in this file, for disassembled composites.
    pub component: Option<String>,
    /// blake2b-512 hex digest, when checksums are enabled.
    pub checksum: Option<String>,
    /// Size in bytes (negative when unknown).
    pub file_size: i64,
}

impl StoredFileInfo {
    /// Whether the artifact lies outside the datastore's ownership (an absolute URI or path):
    /// such files are never deleted by the datastore.
    pub fn is_external(&self) -> bool {
        self.path.contains("://") || Path::new(&self.path).is_absolute()
    }
}

/// How much a finished write survives (see [`WriteOptions`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// The artifact and its directories are fsynced before the registry commits: a committed
    /// dataset survives a power cut with its bytes.
    #[default]
    Full,
    /// Like the Python Butler: only the registry commit is synced; after a power cut an
    /// artifact written just before may be empty (`satellite verify` finds it by its size).
    Registry,
}

/// How [`FileDatastore::put_bytes`] writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Record a blake2b checksum.
    pub checksum: bool,
    /// Whether to fsync the artifact.
    pub durability: Durability,
}

/// Options of [`FileDatastore::retrieve`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetrieveOptions {
    /// Keep the datastore's directory layout under the destination (else copy flat).
    pub preserve_path: bool,
    /// Overwrite existing files (else refuse).
    pub clobber: bool,
}

/// The local file datastore rooted at a directory (the repository root for new repositories).
///
/// # Examples
///
/// ```
/// use satellite_core::datastore::{FileDatastore, Journal, StoredFileInfo, WriteOptions};
///
/// # let dir = std::env::temp_dir().join(format!("datastore-doc-{}", std::process::id()));
/// let datastore = FileDatastore::new(&dir);
/// let mut journal = Journal::new();
/// let options = WriteOptions { checksum: true, ..WriteOptions::default() };
/// let (size, checksum) = datastore.put_bytes(&mut journal, "run/metrics/m.yaml", b"a: 1\n", options)?;
/// journal.commit()?; // after the registry transaction committed
/// let info = StoredFileInfo {
///     path: "run/metrics/m.yaml".into(),
///     formatter: "lsst.daf.butler.formatters.yaml.YamlFormatter".into(),
///     storage_class: "StructuredDataDict".into(),
///     component: None,
///     checksum,
///     file_size: size,
/// };
/// datastore.verify(&info)?;
/// assert_eq!(datastore.read(&info)?, b"a: 1\n");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), satellite_core::datastore::DatastoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDatastore {
    /// The root directory; relative artifact paths are resolved against it.
    pub root: PathBuf,
}

/// The file operations behind the transfer modes that write under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileOp {
    Copy,
    Move,
    Link,
    Hardlink,
    Symlink,
    Relsymlink,
}

impl FileDatastore {
    /// A datastore rooted at `root` (created on the first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Brings `source` into the datastore at `dest_rel` (a template path with extension).
    ///
    /// Returns the path to record (relative, or a `file://` URI for `direct`), the size and,
    /// when `want_checksum`, the blake2b checksum. With `auto`, a source already inside the
    /// root is recorded where it is and `dest_rel` is not used.
    ///
    /// # Errors
    /// [`DatastoreError::SourceMissing`] / [`DatastoreError::SourceNotFile`] for a bad source,
    /// [`DatastoreError::UnsafePath`] when `dest_rel` is absolute or leaves the root,
    /// [`DatastoreError::DestinationExists`] when another file is already there (nothing is
    /// changed), [`DatastoreError::HardlinkFailed`] for `hardlink` across file systems, and
    /// [`DatastoreError::Io`] for other file system failures.
    pub fn ingest(
        &self,
        journal: &mut Journal,
        source: &Path,
        dest_rel: &str,
        mode: TransferMode,
        want_checksum: bool,
    ) -> Result<(String, i64, Option<String>), DatastoreError> {
        let missing = |e| DatastoreError::SourceMissing {
            path: source.to_owned(),
            source: e,
        };
        let metadata = fs::metadata(source).map_err(missing)?;
        if !metadata.is_file() {
            return Err(DatastoreError::SourceNotFile {
                path: source.to_owned(),
            });
        }
        File::open(source).map_err(missing)?;
        let (recorded, artifact) = match mode {
            TransferMode::Direct => {
                let absolute = absolute_path_of(source)?;
                (file_uri(&absolute)?, absolute)
            }
            TransferMode::Auto => match self.relative_inside_root(source)? {
                Some(relative) => (relative, source.to_owned()),
                None => self.transfer(journal, source, dest_rel, FileOp::Link)?,
            },
            TransferMode::Copy => self.transfer(journal, source, dest_rel, FileOp::Copy)?,
            TransferMode::Move => self.transfer(journal, source, dest_rel, FileOp::Move)?,
            TransferMode::Link => self.transfer(journal, source, dest_rel, FileOp::Link)?,
            TransferMode::Hardlink => self.transfer(journal, source, dest_rel, FileOp::Hardlink)?,
            TransferMode::Symlink => self.transfer(journal, source, dest_rel, FileOp::Symlink)?,
            TransferMode::Relsymlink => {
                self.transfer(journal, source, dest_rel, FileOp::Relsymlink)?
            }
        };
        // Files recorded where they are were just examined; others are new and stat'ed once.
        let size = if artifact == source {
            metadata.len()
        } else {
            fs::metadata(&artifact)
                .map_err(DatastoreError::io("read the size of", &artifact))?
                .len()
        };
        let checksum = if want_checksum {
            Some(checksum_file(&artifact)?)
        } else {
            None
        };
        Ok((recorded, to_i64(size), checksum))
    }

    /// Writes `bytes` durably to `dest_rel`: a temporary file in the same directory is
    /// written and fsynced, then linked into place (never replacing an existing file), and the
    /// directory is fsynced. Returns the size and, when `want_checksum`, the checksum.
    ///
    /// # Errors
    /// [`DatastoreError::UnsafePath`], [`DatastoreError::DestinationExists`],
    /// [`DatastoreError::Io`].
    pub fn put_bytes(
        &self,
        journal: &mut Journal,
        dest_rel: &str,
        bytes: &[u8],
        options: WriteOptions,
    ) -> Result<(i64, Option<String>), DatastoreError> {
        let (dest, relative) = self.resolve(dest_rel)?;
        self.check_free(&dest, &relative)?;
        let dir = parent_of(&dest);
        let created = self.create_parents(journal, dir)?;
        let mut temp = TempFile::create(dir, &dest)?;
        let sync = options.durability == Durability::Full;
        temp.file
            .write_all(bytes)
            .and_then(|()| if sync { temp.file.sync_all() } else { Ok(()) })
            .map_err(DatastoreError::io("write", &temp.path))?;
        self.publish(temp, &dest, &relative)?;
        journal.created_file(dest.clone());
        if sync {
            sync_dir(dir)?;
            for created_dir in &created {
                sync_dir(parent_of(created_dir))?;
            }
        }
        let checksum = options.checksum.then(|| checksum_bytes(bytes));
        Ok((to_i64(bytes.len() as u64), checksum))
    }

    /// The artifact's bytes.
    ///
    /// # Errors
    /// [`DatastoreError::ArtifactMissing`], [`DatastoreError::UnsupportedUri`],
    /// [`DatastoreError::Io`].
    pub fn read(&self, info: &StoredFileInfo) -> Result<Vec<u8>, DatastoreError> {
        let path = self.absolute_path(info)?;
        fs::read(&path).map_err(|e| missing_or(e, &path, "read"))
    }

    /// The artifact's absolute path: the root joined with a relative path, or the path of a
    /// `file://` URI.
    ///
    /// # Errors
    /// [`DatastoreError::UnsupportedUri`] for other URI schemes, [`DatastoreError::UnsafePath`]
    /// for a relative path that leaves the root.
    pub fn absolute_path(&self, info: &StoredFileInfo) -> Result<PathBuf, DatastoreError> {
        if info.path.starts_with("file:") {
            return path_of_file_uri(&info.path);
        }
        if info.path.contains("://") {
            return Err(DatastoreError::UnsupportedUri {
                uri: info.path.clone(),
            });
        }
        if Path::new(&info.path).is_absolute() {
            return Ok(PathBuf::from(&info.path));
        }
        Ok(self.resolve(&info.path)?.0)
    }

    /// Removes the artifact if the datastore owns it (a relative path); referenced files
    /// (absolute URIs) are left alone. With a journal the deletion waits for
    /// [`Journal::commit`], i.e. for the registry to have forgotten the dataset; without one it
    /// happens now. Returns whether the artifact is (or will be) deleted.
    ///
    /// The caller checks that no other dataset still records the same path.
    ///
    /// # Errors
    /// [`DatastoreError::UnsafePath`] for a recorded path that leaves the root,
    /// [`DatastoreError::Io`] when an immediate deletion fails (a missing file is not an error).
    pub fn remove(
        &self,
        journal: Option<&mut Journal>,
        info: &StoredFileInfo,
    ) -> Result<bool, DatastoreError> {
        if info.is_external() {
            tracing::debug!(path = %info.path, "leaving a referenced artifact in place");
            return Ok(false);
        }
        let (path, _) = self.resolve(&info.path)?;
        match journal {
            Some(journal) => journal.delete_on_commit(path),
            None => match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(DatastoreError::Io {
                        action: "delete",
                        path,
                        source: e,
                    });
                }
                _ => {}
            },
        }
        Ok(true)
    }

    /// Copies the artifact into `dest_dir`, under its datastore path when
    /// [`RetrieveOptions::preserve_path`] (an absolute URI keeps its full path), else flat.
    /// Returns the written file.
    ///
    /// # Errors
    /// [`DatastoreError::RetrieveExists`] when the file exists and `clobber` is off,
    /// [`DatastoreError::ArtifactMissing`], [`DatastoreError::Io`].
    pub fn retrieve(
        &self,
        info: &StoredFileInfo,
        dest_dir: &Path,
        options: RetrieveOptions,
    ) -> Result<PathBuf, DatastoreError> {
        let source = self.absolute_path(info)?;
        fs::metadata(&source).map_err(|e| missing_or(e, &source, "read"))?;
        let relative: PathBuf =
            match (options.preserve_path, info.is_external()) {
                (true, false) => PathBuf::from(self.resolve(&info.path)?.1),
                (true, true) => source
                    .components()
                    .filter(|c| matches!(c, Component::Normal(_)))
                    .collect(),
                (false, _) => source.file_name().map(PathBuf::from).ok_or_else(|| {
                    DatastoreError::UnsafePath {
                        path: info.path.clone(),
                        reason: "it has no file name",
                    }
                })?,
            };
        let target = dest_dir.join(relative);
        let dir = parent_of(&target);
        fs::create_dir_all(dir).map_err(DatastoreError::io("create directory", dir))?;
        if let Ok(existing) = fs::symlink_metadata(&target) {
            if !options.clobber {
                return Err(DatastoreError::RetrieveExists { path: target });
            }
            // Copying a file onto itself would truncate it.
            if fs::symlink_metadata(&source).is_ok_and(|s| same_file(&s, &existing)) {
                return Ok(target);
            }
        }
        if !options.clobber {
            // Reserve the name so that a concurrent retrieve cannot be overwritten.
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => DatastoreError::RetrieveExists {
                        path: target.clone(),
                    },
                    _ => DatastoreError::Io {
                        action: "create",
                        path: target.clone(),
                        source: e,
                    },
                })?;
        }
        if let Err(e) = fs::copy(&source, &target) {
            if !options.clobber {
                let _ = fs::remove_file(&target);
            }
            return Err(DatastoreError::Io {
                action: "copy to",
                path: target,
                source: e,
            });
        }
        Ok(target)
    }

    /// Checks that the artifact exists and has the recorded size and checksum.
    ///
    /// # Errors
    /// [`DatastoreError::ArtifactMissing`], [`DatastoreError::SizeMismatch`],
    /// [`DatastoreError::ChecksumMismatch`], [`DatastoreError::Io`].
    pub fn verify(&self, info: &StoredFileInfo) -> Result<(), DatastoreError> {
        let path = self.absolute_path(info)?;
        let metadata = fs::metadata(&path).map_err(|e| missing_or(e, &path, "read"))?;
        if info.file_size >= 0 && metadata.len() != info.file_size.unsigned_abs() {
            return Err(DatastoreError::SizeMismatch {
                path,
                expected: info.file_size,
                actual: metadata.len(),
            });
        }
        if let Some(expected) = &info.checksum {
            let actual = checksum_file(&path)?;
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(DatastoreError::ChecksumMismatch {
                    path,
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        Ok(())
    }

    /// Links, copies or moves `source` to `dest_rel`; returns the recorded path and the artifact.
    fn transfer(
        &self,
        journal: &mut Journal,
        source: &Path,
        dest_rel: &str,
        op: FileOp,
    ) -> Result<(String, PathBuf), DatastoreError> {
        let (dest, relative) = self.resolve(dest_rel)?;
        if let Ok(existing) = fs::symlink_metadata(&dest) {
            // The file is already where it belongs (ingesting in place, or a hard link).
            if fs::symlink_metadata(source).is_ok_and(|s| same_file(&s, &existing)) {
                return Ok((relative, dest));
            }
            return Err(self.exists_error(&relative));
        }
        // Link and move the real file, not a link to it, as the Python Butler does.
        let real = fs::canonicalize(source).map_err(|e| DatastoreError::SourceMissing {
            path: source.to_owned(),
            source: e,
        })?;
        let dir = parent_of(&dest);
        self.create_parents(journal, dir)?;
        let exists = |e: &io::Error| e.kind() == io::ErrorKind::AlreadyExists;
        match op {
            FileOp::Copy => {
                let temp = TempFile::create(dir, &dest)?;
                fs::copy(&real, &temp.path).map_err(DatastoreError::io("copy to", &temp.path))?;
                self.publish(temp, &dest, &relative)?;
                journal.created_file(dest.clone());
            }
            FileOp::Move => {
                self.move_no_clobber(&real, &dest, &relative)?;
                journal.moved(real, dest.clone());
            }
            FileOp::Hardlink => {
                fs::hard_link(&real, &dest).map_err(|e| {
                    if exists(&e) {
                        self.exists_error(&relative)
                    } else {
                        DatastoreError::HardlinkFailed {
                            source_path: real.clone(),
                            dest: dest.clone(),
                            source: e,
                        }
                    }
                })?;
                journal.created_file(dest.clone());
            }
            FileOp::Link => {
                match fs::hard_link(&real, &dest) {
                    Err(e) if exists(&e) => return Err(self.exists_error(&relative)),
                    Err(e) => {
                        tracing::debug!(error = %e, dest = %dest.display(), "hard link failed; making a symbolic link");
                        self.symlink(&real, &dest, &relative)?;
                    }
                    Ok(()) => {}
                }
                journal.created_file(dest.clone());
            }
            FileOp::Symlink => {
                self.symlink(&real, &dest, &relative)?;
                journal.created_file(dest.clone());
            }
            FileOp::Relsymlink => {
                let real_dir = fs::canonicalize(dir).map_err(DatastoreError::io("resolve", dir))?;
                self.symlink(&relative_path(&real_dir, &real), &dest, &relative)?;
                journal.created_file(dest.clone());
            }
        }
        Ok((relative, dest))
    }

    /// Moves without ever replacing `dest`: hard link then unlink when possible, a copy across
    /// file systems, a checked rename where hard links are unsupported.
    fn move_no_clobber(
        &self,
        real: &Path,
        dest: &Path,
        relative: &str,
    ) -> Result<(), DatastoreError> {
        match fs::hard_link(real, dest) {
            Ok(()) => {
                if let Err(e) = fs::remove_file(real) {
                    let _ = fs::remove_file(dest);
                    return Err(DatastoreError::Io {
                        action: "move (delete the source)",
                        path: real.to_owned(),
                        source: e,
                    });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(self.exists_error(relative))
            }
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
                let temp = TempFile::create(parent_of(dest), dest)?;
                fs::copy(real, &temp.path).map_err(DatastoreError::io("copy to", &temp.path))?;
                self.publish(temp, dest, relative)?;
                if let Err(e) = fs::remove_file(real) {
                    let _ = fs::remove_file(dest);
                    return Err(DatastoreError::Io {
                        action: "move (delete the source)",
                        path: real.to_owned(),
                        source: e,
                    });
                }
            }
            Err(_) => {
                self.check_free(dest, relative)?;
                move_file(real, dest).map_err(DatastoreError::io("move to", dest))?;
            }
        }
        Ok(())
    }

    /// Gives a finished temporary file its final name without replacing an existing file.
    fn publish(&self, temp: TempFile, dest: &Path, relative: &str) -> Result<(), DatastoreError> {
        match fs::hard_link(&temp.path, dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(self.exists_error(relative)),
            Err(e) => {
                // No hard links on this file system: check, then rename (a concurrent writer of
                // the same path could still win between the two).
                tracing::debug!(error = %e, "hard link of a temporary file failed; renaming");
                self.check_free(dest, relative)?;
                fs::rename(&temp.path, dest).map_err(DatastoreError::io("rename into", dest))?;
                temp.disarm();
                Ok(())
            }
        }
    }

    fn symlink(&self, target: &Path, link: &Path, relative: &str) -> Result<(), DatastoreError> {
        symlink(target, link).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => self.exists_error(relative),
            _ => DatastoreError::Io {
                action: "create a symbolic link at",
                path: link.to_owned(),
                source: e,
            },
        })
    }

    fn check_free(&self, dest: &Path, relative: &str) -> Result<(), DatastoreError> {
        match fs::symlink_metadata(dest) {
            Ok(_) => Err(self.exists_error(relative)),
            Err(_) => Ok(()),
        }
    }

    fn exists_error(&self, relative: &str) -> DatastoreError {
        DatastoreError::DestinationExists {
            path: relative.to_owned(),
            root: self.root.clone(),
        }
    }

    /// Checks a relative datastore path and returns it joined to the root and normalised.
    fn resolve(&self, relative: &str) -> Result<(PathBuf, String), DatastoreError> {
        let unsafe_path = |reason| DatastoreError::UnsafePath {
            path: relative.to_owned(),
            reason,
        };
        if relative.contains('\0') {
            return Err(unsafe_path("it contains a NUL character"));
        }
        let mut parts = Vec::new();
        for component in Path::new(relative).components() {
            match component {
                Component::Normal(part) => parts.push(
                    part.to_str()
                        .ok_or_else(|| unsafe_path("it is not valid UTF-8"))?,
                ),
                Component::CurDir => {}
                Component::ParentDir => return Err(unsafe_path("it contains a `..` part")),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(unsafe_path("it is absolute"))
                }
            }
        }
        if parts.is_empty() {
            return Err(unsafe_path("it is empty"));
        }
        let normalised = parts.join("/");
        Ok((self.root.join(&normalised), normalised))
    }

    /// Creates the missing directories down to `dir`, journaling each one created.
    fn create_parents(
        &self,
        journal: &mut Journal,
        dir: &Path,
    ) -> Result<Vec<PathBuf>, DatastoreError> {
        let mut missing = Vec::new();
        let mut current = Some(dir);
        while let Some(path) =
            current.filter(|p| !p.as_os_str().is_empty() && fs::symlink_metadata(p).is_err())
        {
            missing.push(path.to_owned());
            current = path.parent();
        }
        let mut created = Vec::new();
        for path in missing.into_iter().rev() {
            match fs::create_dir(&path) {
                Ok(()) => {
                    journal.created_dir(path.clone());
                    created.push(path);
                }
                // Created concurrently by someone else: theirs to keep.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
                Err(e) => {
                    return Err(DatastoreError::Io {
                        action: "create directory",
                        path,
                        source: e,
                    })
                }
            }
        }
        Ok(created)
    }

    /// The path of `source` relative to the root when it lies inside it (lexically, or after
    /// resolving symbolic links in the directories).
    fn relative_inside_root(&self, source: &Path) -> Result<Option<String>, DatastoreError> {
        let source_abs = absolute_path_of(source)?;
        let root_abs = absolute_path_of(&self.root)?;
        let lexical = source_abs.strip_prefix(&root_abs).ok().map(Path::to_owned);
        let resolved = || -> Option<PathBuf> {
            let root = fs::canonicalize(&self.root).ok()?;
            let dir = fs::canonicalize(source_abs.parent()?).ok()?;
            dir.join(source_abs.file_name()?)
                .strip_prefix(&root)
                .ok()
                .map(Path::to_owned)
        };
        match lexical.or_else(resolved) {
            Some(relative) => {
                let text = relative
                    .to_str()
                    .ok_or_else(|| DatastoreError::UnsafePath {
                        path: source.display().to_string(),
                        reason: "it is not valid UTF-8",
                    })?;
                Ok(Some(self.resolve(text)?.1))
            }
            None => Ok(None),
        }
    }
}

/// The blake2b-512 hex digest of bytes, as the Python Butler records it.
pub fn checksum_bytes(bytes: &[u8]) -> String {
    hex::encode(Blake2b512::digest(bytes))
}

/// The blake2b-512 hex digest of a file, as the Python Butler's `hashlib.blake2b`.
///
/// # Errors
/// [`DatastoreError::ArtifactMissing`] or [`DatastoreError::Io`] when it cannot be read.
pub fn checksum_file(path: &Path) -> Result<String, DatastoreError> {
    let mut file = File::open(path).map_err(|e| missing_or(e, path, "open"))?;
    let mut hasher = Blake2b512::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(DatastoreError::io("read", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A temporary file next to its destination, deleted when dropped unless disarmed.
#[derive(Debug)]
struct TempFile {
    path: PathBuf,
    file: File,
    armed: bool,
}

impl TempFile {
    fn create(dir: &Path, dest: &Path) -> Result<Self, DatastoreError> {
        let name = dest
            .file_name()
            .map_or_else(|| "artifact".into(), |n| n.to_string_lossy());
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for attempt in 0u32..64 {
            let path = dir.join(format!(".{name}.{pid}-{nanos}-{attempt}.tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file,
                        armed: true,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(DatastoreError::Io {
                        action: "create",
                        path,
                        source: e,
                    })
                }
            }
        }
        Err(DatastoreError::Io {
            action: "create a temporary file in",
            path: dir.to_owned(),
            source: io::Error::from(io::ErrorKind::AlreadyExists),
        })
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            if let Err(e) = fs::remove_file(&self.path) {
                tracing::warn!(path = %self.path.display(), error = %e, "could not delete a temporary file");
            }
        }
    }
}

/// The parent directory of a path built by joining onto a directory.
fn parent_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Makes new directory entries in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), DatastoreError> {
    // Directories cannot be opened (and need no fsync) on every platform.
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(DatastoreError::io("fsync directory", dir))?;
    }
    Ok(())
}

fn missing_or(e: io::Error, path: &Path, action: &'static str) -> DatastoreError {
    match e.kind() {
        io::ErrorKind::NotFound => DatastoreError::ArtifactMissing {
            path: path.to_owned(),
        },
        _ => DatastoreError::Io {
            action,
            path: path.to_owned(),
            source: e,
        },
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Whether two `lstat` results are the same file.
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links are only supported on Unix",
    ))
}

/// An absolute path with `.` and `..` removed lexically (symbolic links are not resolved).
fn absolute_path_of(path: &Path) -> Result<PathBuf, DatastoreError> {
    let absolute = std::path::absolute(path).map_err(DatastoreError::io("make absolute", path))?;
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The path from directory `from` to `to`, both absolute and resolved.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: PathBuf = from[common..]
        .iter()
        .map(|_| Component::ParentDir)
        .collect();
    out.extend(&to[common..]);
    out
}

#[cfg(test)]
#[path = "file_tests.rs"]
#[allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
mod tests;
