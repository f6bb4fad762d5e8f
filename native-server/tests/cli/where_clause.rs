//! `--where`, `--bind`, `--order-by` and `--instrument` on the query verbs: results, the caret
//! errors (exit code 1, repository unchanged) and the governor rule's defaults.

use crate::sandbox::*;

#[test]
fn where_bind_and_order_select_and_sort_rows() {
    let s = demo();
    snapshot!(
        s,
        "where_datasets_ordered",
        s.ok(&[
            "query-datasets",
            "repo",
            "calexp",
            "--collections",
            "DemoCam/runs/a",
            "--where",
            "visit IN (:v) AND detector >= 0 AND band = 'g' OR visit.exposure_time < 20",
            "--bind",
            "v=1,7",
            "--order-by=-visit,-detector",
            "--format",
            "csv",
        ])
    );
    snapshot!(
        s,
        "where_data_ids_with_datasets",
        s.ok(&[
            "query-data-ids",
            "repo",
            "visit",
            "--datasets",
            "calexp",
            "--collections",
            "DemoCam/runs/a",
            "--where",
            "detector = 1 AND visit.day_obs = 20260101",
            "--order-by",
            "-visit",
        ])
    );
    snapshot!(
        s,
        "where_dimension_records",
        s.ok(&[
            "query-dimension-records",
            "repo",
            "detector",
            "--where",
            "detector IN (0..9:2) AND NOT detector.full_name = 'R00_S02'",
            "--order-by=-detector",
            "--format",
            "csv",
        ])
    );
    // `--limit N` keeps the first N rows of the order.
    let top = s.ok(&[
        "query-datasets",
        "repo",
        "calexp",
        "--collections",
        "DemoCam/runs/a",
        "--order-by=-visit,detector",
        "--limit",
        "1",
        "--format",
        "csv",
    ]);
    assert_eq!(top.lines().count(), 2, "{top}");
    assert!(top.lines().nth(1).unwrap().contains(",2,"), "{top}");
}

#[test]
fn bad_expressions_point_at_the_problem_and_change_nothing() {
    let s = demo();
    let mut text = String::new();
    for (label, args) in [
        ("syntax", vec!["--where", "visit > AND band = 'r'"]),
        ("unknown field", vec!["--where", "visit.day = 20260101"]),
        ("unknown identifier", vec!["--where", "vist = 1"]),
        ("type mismatch", vec!["--where", "visit = 'one'"]),
        ("range on a string", vec!["--where", "band IN (1..3)"]),
        (
            "overlaps on integers",
            vec!["--where", "visit OVERLAPS detector"],
        ),
        ("missing bind", vec!["--where", "visit IN (:visits)"]),
        (
            "bad time",
            vec!["--where", "visit.timespan.begin > T'yesterday'"],
        ),
        ("truncated", vec!["--where", "visit IN (1, 2"]),
        ("bad order term", vec!["--order-by", "-visit.dayobs"]),
    ] {
        let mut a = vec![
            "query-datasets",
            "repo",
            "calexp",
            "--collections",
            "DemoCam/runs/a",
        ];
        a.extend(args);
        text.push_str(&format!("=== {label}\n{}", s.fails_cleanly(&a)));
    }
    snapshot!(s, "where_errors", text);
}

#[test]
fn the_governor_rule_takes_the_only_instrument_or_asks_for_one() {
    let s = demo();
    // One instrument registered: it is the default, so `visit` alone is enough.
    let one = s.ok(&[
        "query-data-ids",
        "repo",
        "visit",
        "--where",
        "visit = 2",
        "--format",
        "csv",
    ]);
    assert_eq!(
        one,
        "instrument,visit,band,day_obs,physical_filter\nDemoCam,2,r,20260101,DemoCam-r\n"
    );
    // A second instrument: the expression must say which, or `--instrument` does.
    s.write(
        "other.csv",
        "name,detector_max,visit_max,exposure_max,class_name\nOtherCam,9,999,999,other.Cam\n",
    );
    s.ok(&[
        "insert-dimension-records",
        "repo",
        "instrument",
        "other.csv",
    ]);
    snapshot!(
        s,
        "where_governor_error",
        s.fails_cleanly(&["query-data-ids", "repo", "visit", "--where", "visit = 2"])
    );
    let chosen = s.ok(&[
        "query-data-ids",
        "repo",
        "visit",
        "--where",
        "visit = 2",
        "--instrument",
        "DemoCam",
        "--format",
        "csv",
    ]);
    assert_eq!(chosen, one);
    let in_expression = s.ok(&[
        "query-data-ids",
        "repo",
        "visit",
        "--where",
        "instrument = 'DemoCam' AND visit = 2",
        "--format",
        "csv",
    ]);
    assert_eq!(in_expression, one);
}
