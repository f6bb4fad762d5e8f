//! The query verbs in all three formats, limits, and dimension record input and output.

use crate::sandbox::*;

#[test]
fn queries_in_all_formats() {
    let s = demo();
    s.ok(&[
        "collection",
        "chain",
        "repo",
        "DemoCam/defaults",
        "DemoCam/runs/a",
        "--doc",
        "Recommended inputs",
    ]);
    s.ok(&[
        "collection",
        "tag",
        "repo",
        "u/alice/best",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--data-id",
        "visit=1",
    ]);
    snapshot!(
        s,
        "query_datasets",
        all_formats(
            &s,
            &[
                "query-datasets",
                "repo",
                "calexp",
                "--collections",
                "DemoCam/defaults"
            ]
        )
    );
    snapshot!(
        s,
        "query_datasets_show_uri",
        all_formats(
            &s,
            &[
                "query-datasets",
                "repo",
                "--collections",
                "u/alice/best",
                "--show-uri"
            ]
        )
    );
    snapshot!(
        s,
        "query_collections",
        all_formats(&s, &["query-collections", "repo"])
    );
    snapshot!(
        s,
        "query_collections_flatten",
        s.ok(&[
            "query-collections",
            "repo",
            "DemoCam/*",
            "--chains",
            "flatten"
        ])
    );
    snapshot!(
        s,
        "query_collections_inverse_tree",
        s.ok(&["query-collections", "repo", "--chains", "inverse-tree"])
    );
    snapshot!(
        s,
        "query_dataset_types",
        all_formats(&s, &["query-dataset-types", "repo"])
    );
    snapshot!(
        s,
        "query_dataset_types_verbose",
        s.ok(&["query-dataset-types", "repo", "-v"])
    );
    snapshot!(
        s,
        "query_data_ids",
        all_formats(
            &s,
            &[
                "query-data-ids",
                "repo",
                "visit",
                "detector",
                "--data-id",
                "instrument=DemoCam"
            ]
        )
    );
    snapshot!(
        s,
        "query_data_ids_from_datasets",
        all_formats(
            &s,
            &[
                "query-data-ids",
                "repo",
                "visit",
                "--datasets",
                "calexp",
                "--collections",
                "u/alice/best"
            ]
        )
    );
    snapshot!(
        s,
        "query_dimension_records",
        all_formats(&s, &["query-dimension-records", "repo", "visit"])
    );
}

#[test]
fn query_limits_follow_the_butler() {
    let s = demo();
    s.ok(&[
        "collection",
        "tag",
        "repo",
        "u/alice/best",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
    ]);
    // Each dataset is found through two collections but listed once, and the limit counts
    // datasets.
    let out = s.run(&[
        "query-datasets",
        "repo",
        "calexp",
        "--limit",
        "-3",
        "--format",
        "csv",
    ]);
    assert_eq!(
        (out.code, out.stdout.lines().count()),
        (0, 4),
        "{}",
        out.transcript()
    );
    assert_eq!(out.stderr, "warning: more datasets are available than the requested limit of 3 (pass `--limit 0` for all of them)\n");
    let out = s.run(&[
        "query-datasets",
        "repo",
        "calexp",
        "--limit",
        "2",
        "--format",
        "csv",
    ]);
    assert_eq!((out.stdout.lines().count(), out.stderr.as_str()), (3, ""));
    assert_eq!(
        s.ok(&[
            "query-datasets",
            "repo",
            "calexp",
            "--limit",
            "0",
            "--format",
            "csv"
        ])
        .lines()
        .count(),
        5
    );
    let out = s.run(&[
        "query-dimension-records",
        "repo",
        "detector",
        "--limit",
        "-1",
        "--format",
        "json",
    ]);
    assert_eq!(out.stdout.lines().count(), 1);
    assert!(out
        .stderr
        .contains("more dimension records are available than the requested limit of 1"));
}

#[test]
fn dimension_records_round_trip_through_csv() {
    let s = demo();
    let csv = s.ok(&[
        "query-dimension-records",
        "repo",
        "visit",
        "--format",
        "csv",
    ]);
    s.write("visits.csv", &csv);
    s.ok(&["create", "copy"]);
    for (element, file) in [
        ("instrument", "instrument.csv"),
        ("physical_filter", "physical_filter.yaml"),
        ("day_obs", "day_obs.csv"),
        ("visit", "visits.csv"),
    ] {
        s.ok(&["insert-dimension-records", "copy", element, file]);
    }
    assert_eq!(
        s.ok(&[
            "query-dimension-records",
            "copy",
            "visit",
            "--format",
            "csv"
        ]),
        csv
    );
    // The same records again are refused, skipped when identical, or replaced.
    assert_eq!(
        s.run(&["insert-dimension-records", "copy", "visit", "visits.csv"])
            .code,
        1
    );
    s.ok(&[
        "insert-dimension-records",
        "copy",
        "visit",
        "visits.csv",
        "--skip-existing",
    ]);
    s.write("visits2.csv", &csv.replace(",v2,", ",second,"));
    s.ok(&[
        "insert-dimension-records",
        "copy",
        "visit",
        "visits2.csv",
        "--update",
    ]);
    let json = s.ok(&[
        "query-dimension-records",
        "copy",
        "visit",
        "--data-id",
        "visit=2",
        "--format",
        "json",
    ]);
    assert!(json.contains(r#""name":"second""#), "{json}");
}

#[test]
fn records_from_stdin_and_timespans() {
    let s = demo();
    s.ok(&["create", "copy"]);
    s.ok(&[
        "insert-dimension-records",
        "copy",
        "instrument",
        "instrument.csv",
    ]);
    let out = assert_cmd::Command::cargo_bin("satellite")
        .unwrap()
        .current_dir(s.root())
        .env("NO_COLOR", "1")
        .args([
            "insert-dimension-records",
            "copy",
            "detector",
            "-",
            "--format",
            "json",
        ])
        .write_stdin(DETECTOR_JSON)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        s.ok(&["query-dimension-records", "copy", "detector", "--format", "csv"]),
        "instrument,id,full_name,name_in_raft,raft,purpose\nDemoCam,0,R00_S00,,,\nDemoCam,1,R00_S01,,,SCIENCE\n"
    );
    let out = s.run(&["insert-dimension-records", "copy", "detector", "-"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pass `--format csv`"), "{}", out.stderr);
    assert_eq!(
        s.ok(&["query-dimension-records", "repo", "day_obs", "--format", "json"]),
        "{\"id\":20260101,\"instrument\":\"DemoCam\",\"timespan_begin\":\"2026-01-01 12:00:00.000000000\",\"timespan_end\":\"2026-01-02 12:00:00.000000000\"}\n"
    );
}
