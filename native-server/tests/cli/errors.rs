//! Bad input: a clear error, exit code 1, and the repository exactly as it was.

use crate::sandbox::*;

#[test]
fn bad_input_fails_cleanly() {
    let s = demo();
    s.ok(&[
        "collection",
        "tag",
        "repo",
        "u/tag",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--data-id",
        "visit=1",
    ]);
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "unknown_dataset_type",
            vec!["ingest", "repo", "calxp", "DemoCam/runs/b", "calexps.csv"],
        ),
        (
            "unknown_dataset_type_query",
            vec![
                "query-datasets",
                "repo",
                "calxp",
                "--collections",
                "DemoCam/runs/a",
            ],
        ),
        (
            "unknown_collection",
            vec!["collection", "chain", "repo", "u/chain", "DemoCam/runs/aa"],
        ),
        (
            "unknown_collection_query",
            vec![
                "query-datasets",
                "repo",
                "calexp",
                "--collections",
                "DemoCam/run/a",
            ],
        ),
        (
            "bad_data_id_key",
            vec![
                "collection",
                "tag",
                "repo",
                "u/tag",
                "calexp",
                "--collections",
                "DemoCam/runs/a",
                "--data-id",
                "vist=2",
            ],
        ),
        (
            "wrong_value_type",
            vec!["query-datasets", "repo", "calexp", "--data-id", "visit=one"],
        ),
        (
            "duplicate_registration",
            vec![
                "register-dataset-type",
                "repo",
                "calexp",
                "StructuredDataDict",
                "exposure",
                "detector",
            ],
        ),
        (
            "duplicate_ingest",
            vec![
                "ingest",
                "repo",
                "calexp",
                "DemoCam/runs/a",
                "calexps.csv",
                "--transfer",
                "copy",
            ],
        ),
        (
            "find_first_glob",
            vec![
                "query-datasets",
                "repo",
                "--collections",
                "DemoCam/*",
                "--find-first",
            ],
        ),
        ("not_a_repository", vec!["query-collections", "calexps.csv"]),
    ];
    for (name, args) in cases {
        let transcript = s.fails_cleanly(&args);
        snapshot!(s, format!("error_{name}"), transcript);
    }
}

#[test]
fn bad_ingest_tables_fail_cleanly() {
    let s = demo();
    // A data ID value of the wrong type (visit numbers are integers) and an unknown column.
    s.write(
        "wrong_type.csv",
        "file,instrument,visit,detector\ndata/calexp_1_0.yaml,DemoCam,one,0\n",
    );
    snapshot!(
        s,
        "error_ingest_wrong_value_type",
        s.fails_cleanly(&["ingest", "repo", "calexp", "u/run", "wrong_type.csv"])
    );
    s.write(
        "bad_key.csv",
        "file,instrument,vist,detector\ndata/calexp_1_0.yaml,DemoCam,1,0\n",
    );
    snapshot!(
        s,
        "error_ingest_bad_data_id_key",
        s.fails_cleanly(&["ingest", "repo", "calexp", "u/run", "bad_key.csv"])
    );
    // A missing file in the middle of the table: nothing is ingested.
    s.write(
        "missing.csv",
        "file,instrument,visit,detector\ndata/calexp_1_0.yaml,DemoCam,1,0\ndata/nope.yaml,DemoCam,1,1\n",
    );
    snapshot!(
        s,
        "error_ingest_missing_file",
        s.fails_cleanly(&[
            "ingest",
            "repo",
            "calexp",
            "u/run",
            "missing.csv",
            "--transfer",
            "copy"
        ])
    );
    // Two data IDs that the file template cannot tell apart (it has no `visit_system` field).
    s.write(
        "visit_system.csv",
        "instrument,id,name\nDemoCam,0,one-to-one\nDemoCam,1,by-seq-start-end\n",
    );
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "visit_system",
        "visit_system.csv",
    ]);
    s.ok(&[
        "register-dataset-type",
        "repo",
        "visitSystemSummary",
        "StructuredDataDict",
        "visit_system",
    ]);
    s.write(
        "collide.csv",
        "file,visit_system\ndata/calexp_1_0.yaml,0\ndata/calexp_1_1.yaml,1\n",
    );
    let collision = s.fails_cleanly(&[
        "ingest",
        "repo",
        "visitSystemSummary",
        "u/run",
        "collide.csv",
        "--data-id",
        "instrument=DemoCam",
        "--transfer",
        "copy",
    ]);
    snapshot!(s, "error_ingest_template_collision", collision);
    // A file already at the destination of the second dataset: the first copy is rolled back.
    let dest = s.repo().join(
        "u/run2/calexp/20260101/g/DemoCam-g/1/calexp_DemoCam_g_DemoCam-g_1_R00_S01_u_run2.yaml",
    );
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(&dest, "in the way\n").unwrap();
    let clash = s.fails_cleanly(&[
        "ingest",
        "repo",
        "calexp",
        "u/run2",
        "calexps.csv",
        "--transfer",
        "copy",
    ]);
    snapshot!(s, "error_ingest_destination_exists", clash);
}

#[test]
fn bad_records_and_configuration_fail_cleanly() {
    let s = demo();
    // The second record refers to an instrument that does not exist: the first is not kept.
    s.write(
        "detectors.csv",
        "instrument,id,full_name\nDemoCam,2,R00_S02\nNoCam,0,R00_S00\n",
    );
    snapshot!(
        s,
        "error_records_missing_reference",
        s.fails_cleanly(&[
            "insert-dimension-records",
            "repo",
            "detector",
            "detectors.csv"
        ])
    );
    s.write("typo.csv", "instrument,id,ful_name\nDemoCam,2,R00_S02\n");
    snapshot!(
        s,
        "error_records_unknown_field",
        s.fails_cleanly(&["insert-dimension-records", "repo", "detector", "typo.csv"])
    );
    s.write(
        "bad_int.csv",
        "instrument,id,full_name\nDemoCam,two,R00_S02\n",
    );
    snapshot!(
        s,
        "error_records_wrong_type",
        s.fails_cleanly(&[
            "insert-dimension-records",
            "repo",
            "detector",
            "bad_int.csv"
        ])
    );
    snapshot!(
        s,
        "error_records_existing",
        s.fails_cleanly(&[
            "insert-dimension-records",
            "repo",
            "detector",
            "detector.json"
        ])
    );
    // A damaged `satellite.yaml` stops every verb before anything is touched.
    std::fs::write(s.repo().join("satellite.yaml"), "version: [1\n").unwrap();
    snapshot!(
        s,
        "error_corrupt_config",
        s.fails_cleanly(&["ingest", "repo", "calexp", "u/run", "calexps.csv"])
    );
    std::fs::write(
        s.repo().join("satellite.yaml"),
        "version: 1\nchecksum: false\n",
    )
    .unwrap();
    std::fs::write(s.repo().join("registry.sqlite3"), "this is not a database").unwrap();
    snapshot!(
        s,
        "error_corrupt_registry",
        s.fails_cleanly(&["query-collections", "repo"])
    );
}
