//! Verbs that change a repository: collections, ingest, prune, retrieve, export and import.

use std::path::{Path, PathBuf};

use crate::sandbox::*;

#[test]
fn collections_chains_tags_and_calibrations() {
    let s = demo();
    let children = |s: &Sandbox| -> String {
        let json = s.ok(&["query-collections", "repo", "u/chain", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
        v["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(",")
    };
    s.ok(&[
        "collection",
        "tag",
        "repo",
        "u/tag",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--data-id",
        "detector=1",
    ]);
    s.ok(&["collection", "chain", "repo", "u/chain", "DemoCam/runs/a"]);
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "u/chain",
        "u/tag",
        "--mode",
        "prepend",
    ]);
    assert_eq!(children(&s), "u/tag,DemoCam/runs/a");
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "u/chain",
        "u/tag",
        "--mode",
        "extend",
    ]);
    assert_eq!(children(&s), "DemoCam/runs/a,u/tag");
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "u/chain",
        "--mode",
        "pop",
        "--",
        "-1",
    ]);
    assert_eq!(children(&s), "DemoCam/runs/a");
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "u/chain",
        "DemoCam/runs/a",
        "--mode",
        "remove",
    ]);
    assert_eq!(children(&s), "");

    let count = |s: &Sandbox, args: &[&str]| -> usize {
        let mut a = vec!["query-datasets", "repo", "--format", "json"];
        a.extend_from_slice(args);
        s.ok(&a).lines().count()
    };
    assert_eq!(count(&s, &["--collections", "u/tag"]), 2);
    s.ok(&[
        "collection",
        "untag",
        "repo",
        "u/tag",
        "calexp",
        "--data-id",
        "visit=1",
    ]);
    assert_eq!(count(&s, &["--collections", "u/tag"]), 1);

    // Calibrations: certify two biases, clip one range, look up through the CALIBRATION collection.
    s.write(
        "bias.csv",
        "file,detector\ndata/calexp_1_0.yaml,0\ndata/calexp_1_1.yaml,1\n",
    );
    s.ok(&[
        "ingest",
        "repo",
        "bias",
        "DemoCam/calib/run1",
        "bias.csv",
        "--data-id",
        "instrument=DemoCam",
        "--transfer",
        "symlink",
    ]);
    let certify = [
        "collection",
        "certify",
        "repo",
        "DemoCam/calib",
        "bias",
        "--collections",
        "DemoCam/calib/run1",
    ];
    s.ok(&[
        &certify[..],
        &["--begin-date", "2026-01-01", "--end-date", "2026-07-01"],
    ]
    .concat());
    let overlap = s.fails_cleanly(&[&certify[..], &["--begin-date", "2026-03-01"]].concat());
    snapshot!(s, "error_certify_overlap", overlap);
    assert_eq!(count(&s, &["bias", "--collections", "DemoCam/calib"]), 2);
    s.ok(&[
        "collection",
        "decertify",
        "repo",
        "DemoCam/calib",
        "bias",
        "--data-id",
        "detector=1",
    ]);
    assert_eq!(count(&s, &["bias", "--collections", "DemoCam/calib"]), 1);
    let not_calib = s.fails_cleanly(&[
        "collection",
        "certify",
        "repo",
        "DemoCam/calib",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
    ]);
    snapshot!(s, "error_certify_not_calibration", not_calib);

    // Removal: non-RUN collections keep their datasets; a RUN takes them (and its files) along.
    let out = s.run(&["collection", "remove", "repo", "DemoCam/calib/run1"]);
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stderr.contains("pass `--yes`"), "{}", out.stderr);
    s.ok(&[
        "collection",
        "remove",
        "repo",
        "DemoCam/calib/run1",
        "--dry-run",
    ]);
    assert_eq!(count(&s, &["bias"]), 2);
    s.ok(&["collection", "remove", "repo", "u/tag", "u/chain", "--yes"]);
    assert_eq!(count(&s, &["calexp"]), 4);
    s.ok(&[
        "collection",
        "remove",
        "repo",
        "DemoCam/calib/run1",
        "--yes",
    ]);
    assert_eq!(count(&s, &["bias"]), 0);
    assert!(
        s.root().join("data/calexp_1_0.yaml").exists(),
        "a symlinked source file was deleted"
    );
    let names = s.ok(&["query-collections", "repo", "--format", "csv"]);
    assert_eq!(
        names
            .lines()
            .map(|l| l.split(',').next().unwrap())
            .collect::<Vec<_>>(),
        ["Name", "DemoCam/calib", "DemoCam/runs/a"]
    );
}

#[test]
fn prune_retrieve_export_import() {
    let s = demo();
    s.ok(&[
        "collection",
        "tag",
        "repo",
        "u/tag",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
    ]);
    let files = s.ok(&[
        "retrieve",
        "repo",
        "out",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--data-id",
        "visit=2",
    ]);
    assert_eq!(files.lines().count(), 2, "{files}");
    for f in files.lines() {
        assert!(s.root().join(f).is_file(), "{f}");
    }
    let flat = s.ok(&[
        "retrieve",
        "repo",
        "flat",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--no-preserve-path",
    ]);
    assert!(
        flat.lines()
            .all(|l| Path::new(l).parent() == Some(Path::new("flat"))),
        "{flat}"
    );

    // --disassociate only removes tags.
    s.ok(&[
        "prune-datasets",
        "repo",
        "--datasets",
        "calexp",
        "--disassociate",
        "u/tag",
        "--data-id",
        "visit=1",
        "--yes",
    ]);
    assert_eq!(
        s.ok(&[
            "query-datasets",
            "repo",
            "--collections",
            "u/tag",
            "--format",
            "csv"
        ])
        .lines()
        .count(),
        3
    );
    // --purge needs the RUN the datasets belong to.
    let wrong_run = s.fails_cleanly(&[
        "prune-datasets",
        "repo",
        "u/tag",
        "--datasets",
        "calexp",
        "--purge",
        "DemoCam/runs/b",
        "--yes",
    ]);
    snapshot!(s, "error_prune_unknown_run", wrong_run);
    s.ok(&[
        "ingest",
        "repo",
        "calexp",
        "DemoCam/runs/b",
        "calexps.csv",
        "--transfer",
        "copy",
    ]);
    let wrong_run = s.fails_cleanly(&[
        "prune-datasets",
        "repo",
        "DemoCam/runs/a",
        "--datasets",
        "calexp",
        "--purge",
        "DemoCam/runs/b",
        "--yes",
    ]);
    snapshot!(s, "error_prune_wrong_run", wrong_run);
    let dry = s.ok(&[
        "prune-datasets",
        "repo",
        "DemoCam/runs/b",
        "--datasets",
        "calexp",
        "--purge",
        "DemoCam/runs/b",
        "--dry-run",
    ]);
    assert_eq!(dry.lines().count(), 6, "{dry}");
    assert_eq!(walk_files(&s.repo().join("DemoCam/runs/b")).len(), 4);
    s.ok(&[
        "prune-datasets",
        "repo",
        "DemoCam/runs/b",
        "--datasets",
        "calexp",
        "--purge",
        "DemoCam/runs/b",
        "--yes",
    ]);
    assert_eq!(
        walk_files(&s.repo().join("DemoCam/runs/b")),
        Vec::<PathBuf>::new()
    );
    assert_eq!(
        s.ok(&[
            "query-datasets",
            "repo",
            "--collections",
            "DemoCam/runs/b",
            "--format",
            "csv"
        ])
        .lines()
        .count(),
        1
    );

    // Export the run with the tag and a chain; import into a fresh repository.
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "u/chain",
        "u/tag,DemoCam/runs/a",
    ]);
    s.ok(&["export", "repo", "exported", "--collections", "u/chain"]);
    let yaml = std::fs::read_to_string(s.root().join("exported/export.yaml")).unwrap();
    assert!(
        yaml.starts_with("description: Butler Data Repository Export\nversion: 1.0.2\n"),
        "{yaml}"
    );
    s.ok(&["create", "copy"]);
    s.ok(&["import", "copy", "exported"]);
    for args in [
        &[
            "query-datasets",
            "REPO",
            "--collections",
            "u/chain",
            "--format",
            "json",
        ][..],
        &["query-collections", "REPO", "u/*", "--format", "json"],
        &[
            "query-dimension-records",
            "REPO",
            "visit",
            "--format",
            "json",
            "--limit",
            "0",
        ],
    ] {
        let a = |repo: &'static str| {
            args.iter()
                .map(|x| if *x == "REPO" { repo } else { *x })
                .collect::<Vec<_>>()
        };
        assert_eq!(s.ok(&a("copy")), s.ok(&a("repo")), "{args:?}");
    }
    // --unstore keeps the datasets registered but deletes their files.
    s.ok(&[
        "prune-datasets",
        "repo",
        "DemoCam/runs/a",
        "--datasets",
        "calexp",
        "--unstore",
        "--yes",
    ]);
    assert_eq!(
        s.ok(&[
            "query-datasets",
            "repo",
            "--collections",
            "DemoCam/runs/a",
            "--format",
            "csv"
        ])
        .lines()
        .count(),
        5
    );
    assert_eq!(
        walk_files(&s.repo().join("DemoCam/runs/a")),
        Vec::<PathBuf>::new()
    );
    // Dataset types without datasets can be removed.
    s.ok(&[
        "register-dataset-type",
        "repo",
        "unused",
        "StructuredDataDict",
        "instrument",
    ]);
    s.ok(&["remove-dataset-type", "repo", "unus*"]);
    let bad = s.fails_cleanly(&["remove-dataset-type", "repo", "calexp"]);
    snapshot!(s, "error_remove_dataset_type_in_use", bad);
}

#[test]
fn ingest_transfer_modes() {
    let s = demo();
    s.write(
        "one.csv",
        "file,instrument,visit,detector\ndata/calexp_1_0.yaml,DemoCam,1,0\n",
    );
    s.ok(&[
        "ingest",
        "repo",
        "calexp",
        "u/direct",
        "one.csv",
        "--transfer",
        "direct",
    ]);
    let uri = s.ok(&[
        "query-datasets",
        "repo",
        "--collections",
        "u/direct",
        "--show-uri",
        "--format",
        "json",
    ]);
    let source = s
        .root()
        .canonicalize()
        .unwrap()
        .join("data/calexp_1_0.yaml");
    assert!(
        uri.contains(&format!("\"uri\":\"file://{}\"", source.display())),
        "{uri}"
    );
    s.ok(&[
        "ingest",
        "repo",
        "calexp",
        "u/moved",
        "one.csv",
        "--transfer",
        "move",
    ]);
    assert!(!s.root().join("data/calexp_1_0.yaml").exists());
    // The same file again: it is gone now, so the table names it with its line.
    let out = s.run(&["ingest", "repo", "calexp", "u/again", "one.csv"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("error: `one.csv` line 2: cannot read"),
        "{}",
        out.stderr
    );
    // `--prefix` resolves relative paths; `ingest-files` is the `butler` name of the verb.
    s.write("elsewhere/one.yaml", "{}\n");
    s.write("prefixed.csv", "file,visit,detector\none.yaml,2,0\n");
    s.ok(&[
        "ingest-files",
        "repo",
        "calexp",
        "u/prefixed",
        "prefixed.csv",
        "--prefix",
        "elsewhere",
        "--data-id",
        "instrument=DemoCam",
        "--transfer",
        "copy",
    ]);
    let csv = s.ok(&[
        "query-datasets",
        "repo",
        "--collections",
        "u/prefixed",
        "--format",
        "csv",
    ]);
    assert!(
        csv.ends_with(",DemoCam,0,2,r,20260101,DemoCam-r\n"),
        "{csv}"
    );
}
