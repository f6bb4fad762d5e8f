//! Tests of the file datastore on real temporary directories.

use super::*;
use std::os::unix::fs::MetadataExt;
use tempfile::TempDir;

/// A datastore root and a directory outside it, both under one temporary directory.
struct Setup {
    _dir: TempDir,
    datastore: FileDatastore,
    outside: PathBuf,
}

fn setup() -> Setup {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("repo");
    let outside = dir.path().join("outside");
    fs::create_dir_all(&root).unwrap();
    fs::create_dir_all(&outside).unwrap();
    Setup {
        datastore: FileDatastore::new(root),
        outside,
        _dir: dir,
    }
}

impl Setup {
    fn source(&self, name: &str, content: &str) -> PathBuf {
        let path = self.outside.join(name);
        fs::write(&path, content).unwrap();
        path
    }

    fn root(&self) -> &Path {
        self.datastore.root()
    }
}

fn info(path: &str) -> StoredFileInfo {
    StoredFileInfo {
        path: path.into(),
        formatter: "lsst.daf.butler.formatters.yaml.YamlFormatter".into(),
        storage_class: "StructuredDataDict".into(),
        component: None,
        checksum: None,
        file_size: -1,
    }
}

/// Every file and directory under `dir`, relative, sorted (symbolic links not followed).
fn tree(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_transfer_mode_does_what_its_name_says() {
    const DEST: &str = "run/raw/x.yaml";
    for mode in [
        TransferMode::Copy,
        TransferMode::Move,
        TransferMode::Symlink,
        TransferMode::Relsymlink,
        TransferMode::Hardlink,
        TransferMode::Link,
        TransferMode::Auto,
    ] {
        let s = setup();
        let source = s.source("x.yaml", "a: 1\n");
        let source_inode = fs::metadata(&source).unwrap().ino();
        let mut journal = Journal::new();
        let (recorded, size, checksum) = s
            .datastore
            .ingest(&mut journal, &source, DEST, mode, true)
            .unwrap();
        journal.commit().unwrap();
        assert_eq!((recorded.as_str(), size), (DEST, 5), "{mode}");
        assert_eq!(
            checksum.unwrap(),
            hex::encode(Blake2b512::digest(b"a: 1\n")),
            "{mode}"
        );
        assert_eq!(s.datastore.read(&info(DEST)).unwrap(), b"a: 1\n", "{mode}");
        let dest = s.root().join(DEST);
        let link = fs::symlink_metadata(&dest).unwrap();
        let real_source = fs::canonicalize(&source).unwrap_or_default();
        match mode {
            TransferMode::Copy => {
                assert!(link.is_file() && link.ino() != source_inode);
                assert!(source.exists());
            }
            TransferMode::Move => {
                assert!(link.is_file() && !source.exists());
            }
            TransferMode::Symlink => {
                assert_eq!(fs::read_link(&dest).unwrap(), real_source);
            }
            TransferMode::Relsymlink => {
                let target = fs::read_link(&dest).unwrap();
                assert_eq!(target, Path::new("../../../outside/x.yaml"));
                assert_eq!(fs::canonicalize(&dest).unwrap(), real_source);
            }
            TransferMode::Hardlink | TransferMode::Link | TransferMode::Auto => {
                assert!(link.is_file(), "{mode} made a hard link on one file system");
                assert_eq!(link.ino(), source_inode, "{mode}");
            }
            TransferMode::Direct => unreachable!(),
        }
    }
}

#[test]
fn direct_and_auto_inside_the_root_record_files_in_place() {
    let s = setup();
    let source = s.source("my file#1.yaml", "a: 1\n");
    let mut journal = Journal::new();
    let (recorded, size, checksum) = s
        .datastore
        .ingest(
            &mut journal,
            &source,
            "run/x.yaml",
            TransferMode::Direct,
            false,
        )
        .unwrap();
    assert!(journal.is_empty());
    assert_eq!(
        recorded,
        format!("file://{}", source.display())
            .replace(' ', "%20")
            .replace('#', "%23")
    );
    assert_eq!((size, checksum), (5, None));
    let direct = info(&recorded);
    assert!(direct.is_external());
    assert_eq!(s.datastore.absolute_path(&direct).unwrap(), source);
    assert_eq!(s.datastore.read(&direct).unwrap(), b"a: 1\n");
    // The datastore never deletes what it only references.
    assert!(!s.datastore.remove(None, &direct).unwrap());
    assert!(source.exists());
    assert_eq!(tree(s.root()), Vec::<String>::new());

    let inside = s.root().join("manual/y.yaml");
    fs::create_dir_all(inside.parent().unwrap()).unwrap();
    fs::write(&inside, "b: 2\n").unwrap();
    let (recorded, _, _) = s
        .datastore
        .ingest(
            &mut journal,
            &inside,
            "run/y.yaml",
            TransferMode::Auto,
            false,
        )
        .unwrap();
    assert_eq!(recorded, "manual/y.yaml");
    // Also when named through `..` or a symbolic link to the root.
    let roundabout = s.outside.join("../repo/manual/y.yaml");
    let (recorded, _, _) = s
        .datastore
        .ingest(
            &mut journal,
            &roundabout,
            "run/y.yaml",
            TransferMode::Auto,
            false,
        )
        .unwrap();
    assert_eq!(recorded, "manual/y.yaml");
    symlink(s.root(), &s.outside.join("alias")).unwrap();
    let via_link = s.outside.join("alias/manual/y.yaml");
    let (recorded, _, _) = s
        .datastore
        .ingest(
            &mut journal,
            &via_link,
            "run/y.yaml",
            TransferMode::Auto,
            false,
        )
        .unwrap();
    assert_eq!(recorded, "manual/y.yaml");
    assert!(journal.is_empty());
    assert_eq!(tree(s.root()), ["manual", "manual/y.yaml"]);
}

#[test]
fn a_collision_is_refused_and_changes_nothing() {
    for mode in [
        TransferMode::Copy,
        TransferMode::Move,
        TransferMode::Symlink,
        TransferMode::Hardlink,
        TransferMode::Link,
    ] {
        let s = setup();
        let mut journal = Journal::new();
        s.datastore
            .put_bytes(
                &mut journal,
                "run/x.yaml",
                b"first\n",
                WriteOptions::default(),
            )
            .unwrap();
        journal.commit().unwrap();
        let source = s.source("x.yaml", "second\n");
        let mut journal = Journal::new();
        let err = s
            .datastore
            .ingest(&mut journal, &source, "run/x.yaml", mode, false)
            .unwrap_err();
        assert!(
            matches!(err, DatastoreError::DestinationExists { .. }),
            "{mode}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("`run/x.yaml` already exists")
                && message.contains("another dataset already uses this path"),
            "{message}"
        );
        assert!(journal.is_empty(), "{mode}");
        journal.rollback().unwrap();
        assert_eq!(fs::read(s.root().join("run/x.yaml")).unwrap(), b"first\n");
        assert_eq!(fs::read(&source).unwrap(), b"second\n");
        assert_eq!(tree(s.root()), ["run", "run/x.yaml"]);
    }
    let s = setup();
    let mut journal = Journal::new();
    s.datastore
        .put_bytes(
            &mut journal,
            "run/x.yaml",
            b"first\n",
            WriteOptions::default(),
        )
        .unwrap();
    let err = s
        .datastore
        .put_bytes(
            &mut journal,
            "run/x.yaml",
            b"second\n",
            WriteOptions::default(),
        )
        .unwrap_err();
    assert!(
        matches!(err, DatastoreError::DestinationExists { .. }),
        "{err:?}"
    );
    journal.commit().unwrap();
    assert_eq!(fs::read(s.root().join("run/x.yaml")).unwrap(), b"first\n");
}

#[test]
fn rollback_undoes_copies_moves_and_links() {
    let s = setup();
    fs::create_dir_all(s.root().join("run")).unwrap();
    let a = s.source("a.yaml", "a\n");
    let b = s.source("b.yaml", "b\n");
    let c = s.source("c.yaml", "c\n");
    let mut journal = Journal::new();
    s.datastore
        .ingest(
            &mut journal,
            &a,
            "run/new/deep/a.yaml",
            TransferMode::Copy,
            false,
        )
        .unwrap();
    s.datastore
        .ingest(
            &mut journal,
            &b,
            "run/new/b.yaml",
            TransferMode::Move,
            false,
        )
        .unwrap();
    s.datastore
        .ingest(
            &mut journal,
            &c,
            "other/c.yaml",
            TransferMode::Symlink,
            false,
        )
        .unwrap();
    s.datastore
        .put_bytes(&mut journal, "run/d.yaml", b"d\n", WriteOptions::default())
        .unwrap();
    assert!(!b.exists());
    journal.rollback().unwrap();
    // Only the directory that existed before is left; the moved file is back.
    assert_eq!(tree(s.root()), ["run"]);
    assert_eq!(fs::read(&b).unwrap(), b"b\n");
    assert_eq!(tree(&s.outside), ["a.yaml", "b.yaml", "c.yaml"]);
}

#[test]
fn a_dropped_journal_rolls_back() {
    let s = setup();
    {
        let mut journal = Journal::new();
        s.datastore
            .put_bytes(&mut journal, "run/x.yaml", b"x\n", WriteOptions::default())
            .unwrap();
    }
    assert_eq!(tree(s.root()), Vec::<String>::new());
}

#[test]
fn deletions_wait_for_the_commit() {
    let s = setup();
    let mut journal = Journal::new();
    s.datastore
        .put_bytes(&mut journal, "run/x.yaml", b"x\n", WriteOptions::default())
        .unwrap();
    s.datastore
        .put_bytes(&mut journal, "run/y.yaml", b"y\n", WriteOptions::default())
        .unwrap();
    journal.commit().unwrap();

    let mut journal = Journal::new();
    assert!(s
        .datastore
        .remove(Some(&mut journal), &info("run/x.yaml"))
        .unwrap());
    assert!(
        s.root().join("run/x.yaml").exists(),
        "deleted before the registry committed"
    );
    journal.rollback().unwrap();
    assert!(
        s.root().join("run/x.yaml").exists(),
        "a rolled back removal deleted the file"
    );

    let mut journal = Journal::new();
    s.datastore
        .remove(Some(&mut journal), &info("run/x.yaml"))
        .unwrap();
    journal.commit().unwrap();
    assert!(!s.root().join("run/x.yaml").exists());

    assert!(s.datastore.remove(None, &info("run/y.yaml")).unwrap());
    assert!(
        s.datastore.remove(None, &info("run/y.yaml")).unwrap(),
        "a missing file is not an error"
    );
    assert_eq!(tree(s.root()), ["run"]);
}

#[test]
fn paths_that_leave_the_root_are_refused() {
    let s = setup();
    let source = s.source("x.yaml", "x\n");
    for bad in [
        "../x.yaml",
        "run/../../x.yaml",
        "/tmp/x.yaml",
        "",
        ".",
        "a/./../b",
    ] {
        let mut journal = Journal::new();
        let err = s
            .datastore
            .ingest(&mut journal, &source, bad, TransferMode::Copy, false)
            .unwrap_err();
        assert!(
            matches!(err, DatastoreError::UnsafePath { .. }),
            "{bad:?}: {err:?}"
        );
        let err = s
            .datastore
            .put_bytes(&mut journal, bad, b"x", WriteOptions::default())
            .unwrap_err();
        assert!(
            matches!(err, DatastoreError::UnsafePath { .. }),
            "{bad:?}: {err:?}"
        );
        if !bad.starts_with('/') {
            assert!(s.datastore.remove(None, &info(bad)).is_err(), "{bad:?}");
        }
        assert!(journal.is_empty());
    }
    assert_eq!(tree(s.root()), Vec::<String>::new());
    assert_eq!(tree(&s.outside), ["x.yaml"]);
    let err = s.datastore.read(&info("s3://bucket/x.yaml")).unwrap_err();
    assert!(err.to_string().contains("is not a local file"), "{err}");
}

#[test]
fn bad_sources_are_reported() {
    let s = setup();
    let mut journal = Journal::new();
    let missing = s.outside.join("nope.yaml");
    let err = s
        .datastore
        .ingest(
            &mut journal,
            &missing,
            "run/x.yaml",
            TransferMode::Copy,
            false,
        )
        .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "cannot ingest `{}`: it does not exist",
            missing.display()
        )),
        "{err}"
    );
    let err = s
        .datastore
        .ingest(
            &mut journal,
            &s.outside,
            "run/x.yaml",
            TransferMode::Copy,
            false,
        )
        .unwrap_err();
    assert!(err.to_string().contains("is not a regular file"), "{err}");
}

#[test]
fn put_is_durable_and_leaves_no_temporary_files() {
    let s = setup();
    let mut journal = Journal::new();
    let (size, checksum) = s
        .datastore
        .put_bytes(
            &mut journal,
            "./run//a/b.yaml",
            b"hello\n",
            WriteOptions {
                checksum: true,
                ..WriteOptions::default()
            },
        )
        .unwrap();
    journal.commit().unwrap();
    let path = s.root().join("run/a/b.yaml");
    assert_eq!(fs::read(&path).unwrap(), b"hello\n");
    assert_eq!(size, 6);
    assert_eq!(checksum.unwrap(), checksum_file(&path).unwrap());
    assert_eq!(tree(s.root()), ["run", "run/a", "run/a/b.yaml"]);
}

#[test]
fn retrieve_preserves_the_layout_and_refuses_to_overwrite() {
    let s = setup();
    let mut journal = Journal::new();
    s.datastore
        .put_bytes(
            &mut journal,
            "run/calexp/x.yaml",
            b"x\n",
            WriteOptions::default(),
        )
        .unwrap();
    journal.commit().unwrap();
    let out = s.outside.join("out");
    let preserve = RetrieveOptions {
        preserve_path: true,
        ..RetrieveOptions::default()
    };
    let written = s
        .datastore
        .retrieve(&info("run/calexp/x.yaml"), &out, preserve)
        .unwrap();
    assert_eq!(written, out.join("run/calexp/x.yaml"));
    assert_eq!(fs::read(&written).unwrap(), b"x\n");
    let err = s
        .datastore
        .retrieve(&info("run/calexp/x.yaml"), &out, preserve)
        .unwrap_err();
    assert!(
        err.to_string().contains("already exists") && err.to_string().contains("`clobber`"),
        "{err}"
    );
    fs::write(&written, "stale").unwrap();
    let clobber = RetrieveOptions {
        clobber: true,
        ..preserve
    };
    s.datastore
        .retrieve(&info("run/calexp/x.yaml"), &out, clobber)
        .unwrap();
    assert_eq!(fs::read(&written).unwrap(), b"x\n");
    let flat = s
        .datastore
        .retrieve(&info("run/calexp/x.yaml"), &out, RetrieveOptions::default())
        .unwrap();
    assert_eq!(flat, out.join("x.yaml"));
    // Retrieving into the datastore itself must not truncate the artifact.
    s.datastore
        .retrieve(&info("run/calexp/x.yaml"), s.root(), clobber)
        .unwrap();
    assert_eq!(
        fs::read(s.root().join("run/calexp/x.yaml")).unwrap(),
        b"x\n"
    );
    let err = s
        .datastore
        .retrieve(&info("run/gone.yaml"), &out, preserve)
        .unwrap_err();
    assert!(
        matches!(err, DatastoreError::ArtifactMissing { .. }),
        "{err:?}"
    );
}

#[test]
fn verify_detects_changed_and_missing_artifacts() {
    let s = setup();
    let mut journal = Journal::new();
    let (size, checksum) = s
        .datastore
        .put_bytes(
            &mut journal,
            "run/x.yaml",
            b"abcdef\n",
            WriteOptions {
                checksum: true,
                ..WriteOptions::default()
            },
        )
        .unwrap();
    journal.commit().unwrap();
    let recorded = StoredFileInfo {
        checksum,
        file_size: size,
        ..info("run/x.yaml")
    };
    s.datastore.verify(&recorded).unwrap();
    let path = s.root().join("run/x.yaml");
    fs::write(&path, "abcdeF\n").unwrap();
    let err = s.datastore.verify(&recorded).unwrap_err();
    assert!(
        matches!(err, DatastoreError::ChecksumMismatch { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("changed or corrupted outside the Butler"),
        "{err}"
    );
    fs::write(&path, "abc\n").unwrap();
    let err = s.datastore.verify(&recorded).unwrap_err();
    assert!(
        err.to_string()
            .contains("is 4 bytes, but the datastore recorded 7 bytes"),
        "{err}"
    );
    fs::remove_file(&path).unwrap();
    let err = s.datastore.verify(&recorded).unwrap_err();
    assert!(
        matches!(err, DatastoreError::ArtifactMissing { .. }),
        "{err:?}"
    );
}

#[test]
fn checksums_are_python_blake2b() {
    // `hashlib.blake2b(b"").hexdigest()`.
    let s = setup();
    let empty = s.source("empty", "");
    assert_eq!(
        checksum_file(&empty).unwrap(),
        "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
    );
}
