//! Parse + check of `where` expressions (issue #4's target: a 1,000-character expression in
//! under 50 µs). Run with `cargo bench -p satellite-core --bench where_expression`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use satellite_core::model::{DataIdValue, DimensionUniverse};
use satellite_core::query::{check, parse, QueryContext};

/// A realistic expression of about 1,000 characters: every kind of clause a user writes.
fn long_expression() -> String {
    let mut parts = vec![
        "instrument = 'LSSTCam'".to_owned(),
        "visit.day_obs IN (20250501..20250531)".to_owned(),
        "band IN ('g', 'r', 'i')".to_owned(),
        "exposure.observation_type = 'science'".to_owned(),
        "visit.timespan OVERLAPS (T'2025-05-01T00:00:00', T'2025-06-01T00:00:00')".to_owned(),
        "visit.region OVERLAPS CIRCLE(53.1, -28.1, 0.5)".to_owned(),
        "GLOB(exposure.target_name, 'ECDFS*')".to_owned(),
        "NOT (detector IN (0, 1, 2) OR detector.purpose = 'WAVEFRONT')".to_owned(),
        "visit.exposure_time >= 15.0 AND visit.zenith_angle < 60.0".to_owned(),
    ];
    let mut i = 0;
    while parts.join(" AND ").len() < 1_000 {
        parts.push(format!(
            "(visit != {} OR detector != {})",
            1000 + i,
            i % 189
        ));
        i += 1;
    }
    parts.join(" AND ")
}

fn where_expression(c: &mut Criterion) {
    let universe = DimensionUniverse::default_universe();
    let text = long_expression();
    let mut ctx = QueryContext::new(
        &universe,
        vec!["visit".into(), "detector".into(), "exposure".into()],
    );
    ctx.defaults
        .insert("instrument".into(), DataIdValue::from("LSSTCam"));
    // The expression must be valid, or the benchmark would measure an early error.
    let tree = parse(&text).expect("parses").expect("not empty");
    check(Some(&tree), &ctx).expect("checks");
    let name = format!("parse_and_check_{}_chars", text.len());
    c.bench_function(&name, |b| {
        b.iter(|| {
            let tree = parse(black_box(&text)).expect("parses");
            check(tree.as_ref(), black_box(&ctx)).expect("checks")
        });
    });
    c.bench_function("parse_only", |b| {
        b.iter(|| parse(black_box(&text)).expect("parses"))
    });
}

criterion_group!(benches, where_expression);
criterion_main!(benches);
