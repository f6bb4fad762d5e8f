//! The region module against lsst.sphgeom and daf_butler themselves.
//!
//! `fixtures/region/cases.json` is made by `fixtures/region/make_cases.py` from the Python
//! Butler's environment (see that script): encodings of regions, sphgeom's `overlaps` answer for
//! pairs of them, and what daf_butler's `where` converter builds for region function calls.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use proptest::prelude::*;
use satellite_core::model::{Region, RegionError};
use serde::Deserialize;

#[derive(Deserialize)]
struct Cases {
    sphgeom_version: String,
    answer_counts: AnswerCounts,
    regions: Vec<NamedRegion>,
    overlaps: Vec<(usize, usize, String)>,
    constructors: Vec<ConstructorCase>,
}

#[derive(Deserialize)]
struct AnswerCounts {
    #[serde(rename = "true")]
    overlapping: usize,
    #[serde(rename = "false")]
    disjoint: usize,
    unknown: usize,
}

#[derive(Deserialize)]
struct NamedRegion {
    name: String,
    hex: String,
}

#[derive(Deserialize)]
struct ConstructorCase {
    function: String,
    /// Numbers are strings; a polygon's vertices are one list of pairs.
    args: Vec<serde_json::Value>,
    expr: String,
    hex: Option<String>,
    error: Option<String>,
}

fn cases() -> Cases {
    let text = include_str!("fixtures/region/cases.json");
    serde_json::from_str(text).expect("cases.json parses")
}

fn decoded(cases: &Cases) -> Vec<Region> {
    cases
        .regions
        .iter()
        .map(|r| {
            Region::decode_hex(&r.hex)
                .unwrap_or_else(|e| panic!("region `{}` ({}) does not decode: {e}", r.name, r.hex))
        })
        .collect()
}

#[test]
fn region_encodings_from_sphgeom_round_trip_byte_for_byte() {
    let cases = cases();
    for (region, named) in decoded(&cases).iter().zip(&cases.regions) {
        assert_eq!(region.encode_hex(), named.hex, "region `{}`", named.name);
    }
    assert!(
        cases.regions.len() > 1000,
        "the fixture holds {} regions",
        cases.regions.len()
    );
}

#[test]
fn region_overlaps_agrees_with_sphgeom_on_every_pair() {
    let cases = cases();
    let regions = decoded(&cases);
    let mut disagreements = Vec::new();
    let mut counts = [0_usize; 3];
    for (a, b, answer) in &cases.overlaps {
        // daf_butler drops a row only when sphgeom's answer is `False`.
        let expected = match answer.as_str() {
            "true" => {
                counts[0] += 1;
                true
            }
            "false" => {
                counts[1] += 1;
                false
            }
            "unknown" => {
                counts[2] += 1;
                true
            }
            other => panic!("unexpected answer `{other}`"),
        };
        if regions[*a].overlaps(&regions[*b]) != expected {
            disagreements.push(format!(
                "`{}` OVERLAPS `{}`: sphgeom {answer}, ours {}\n  {}\n  {}",
                cases.regions[*a].name,
                cases.regions[*b].name,
                !expected,
                cases.regions[*a].hex,
                cases.regions[*b].hex
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree with sphgeom {}:\n{}",
        disagreements.len(),
        cases.overlaps.len(),
        cases.sphgeom_version,
        disagreements.join("\n")
    );
    // The fixture exercises all three answers, in the numbers the generator reported.
    let c = &cases.answer_counts;
    assert_eq!(counts, [c.overlapping, c.disjoint, c.unknown]);
    assert!(counts.iter().all(|&n| n > 100), "answer counts {counts:?}");
}

/// A number written as a string (Python's `repr`), read with Rust's correctly rounded parser
/// (serde_json's own float parsing may be off by one unit in the last place).
fn number(value: &serde_json::Value) -> f64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a number in a string")
}

fn construct(case: &ConstructorCase) -> Result<Region, RegionError> {
    let arg = |i: usize| number(&case.args[i]);
    match case.function.as_str() {
        "point" => Region::point(arg(0), arg(1)),
        "circle" => Region::circle(arg(0), arg(1), arg(2)),
        "box" => Region::box_(arg(0), arg(1), arg(2), arg(3)),
        "polygon" => {
            let vertices: Vec<(f64, f64)> = case.args[0]
                .as_array()
                .expect("a vertex list")
                .iter()
                .map(|v| (number(&v[0]), number(&v[1])))
                .collect();
            Region::polygon(&vertices)
        }
        "from_pos" => Region::from_pos(case.args[0].as_str().expect("a POS string")),
        other => panic!("unknown constructor `{other}`"),
    }
}

/// The doubles of an encoding after its type byte.
fn doubles(bytes: &[u8]) -> Vec<f64> {
    bytes[1..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn region_functions_build_what_daf_butler_builds() {
    let cases = cases();
    let mut problems = Vec::new();
    let mut exact = 0;
    for case in &cases.constructors {
        let ours = construct(case);
        match (&case.hex, &case.error, ours) {
            (Some(hex), _, Ok(region)) => {
                let theirs = hex_bytes(hex);
                let ours = region.encode();
                if ours == theirs {
                    exact += 1;
                    continue;
                }
                // Within 1e-15 per coordinate: libm implementations may differ in the last bit.
                let close = ours.len() == theirs.len()
                    && ours[0] == theirs[0]
                    && doubles(&ours)
                        .iter()
                        .zip(doubles(&theirs))
                        .all(|(a, b)| (a - b).abs() <= 1e-15 || a.to_bits() == b.to_bits());
                if !close {
                    problems.push(format!(
                        "{}: daf_butler {hex}, ours {}",
                        case.expr,
                        region.encode_hex()
                    ));
                }
            }
            (Some(hex), _, Err(e)) => {
                problems.push(format!("{}: daf_butler {hex}, ours failed: {e}", case.expr));
            }
            (None, Some(_), Err(_)) => {}
            (None, Some(error), Ok(region)) => problems.push(format!(
                "{}: daf_butler failed ({error}), ours {}",
                case.expr,
                region.encode_hex()
            )),
            (None, None, _) => panic!("case `{}` has neither hex nor error", case.expr),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let built = cases
        .constructors
        .iter()
        .filter(|c| c.hex.is_some())
        .count();
    assert!(built > 200, "only {built} constructions in the fixture");
    // With the same libm (glibc on Linux) every construction is byte-identical.
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        assert_eq!(
            exact, built,
            "constructions not byte-identical to daf_butler's"
        );
    }
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn region_bad_input_is_an_error_not_a_panic() {
    let decode_errors = [
        ("", RegionError::EmptyEncoding),
        ("6", RegionError::OddHexLength { len: 1 }),
        (
            "6x",
            RegionError::InvalidHexDigit {
                offset: 1,
                found: 'x',
            },
        ),
        ("ff", RegionError::UnknownType { type_byte: 0xff }),
        (
            "6300",
            RegionError::WrongLength {
                class: "Circle",
                expected: "41",
                found: 2,
            },
        ),
        (
            // Two vertices only.
            &format!("70{}", "00".repeat(48)),
            RegionError::WrongLength {
                class: "ConvexPolygon",
                expected: "1 + 24 × n (n ≥ 3)",
                found: 49,
            },
        ),
        (
            "750500000000000000630000",
            RegionError::Truncated {
                class: "UnionRegion",
                claimed: 5,
                available: 3,
            },
        ),
        (
            "69ffffffffffffffff",
            RegionError::Truncated {
                class: "IntersectionRegion",
                claimed: u64::MAX,
                available: 0,
            },
        ),
        (
            "750100",
            RegionError::Truncated {
                class: "UnionRegion",
                claimed: 8,
                available: 2,
            },
        ),
    ];
    for (hex, expected) in decode_errors {
        assert_eq!(Region::decode_hex(hex), Err(expected), "`{hex}`");
    }
    // A box whose longitudes are reversed and not normalised, which sphgeom refuses.
    let reversed: Vec<u8> = [b'b']
        .into_iter()
        .chain(
            [7.0_f64, 1.0, 0.0, 0.5]
                .iter()
                .flat_map(|v| v.to_le_bytes()),
        )
        .collect();
    assert_eq!(
        Region::decode(&reversed),
        Err(RegionError::InvalidBoxLongitude)
    );

    let message = |r: Result<Region, RegionError>| r.unwrap_err().to_string();
    assert_eq!(
        message(Region::polygon(&[(0.0, 0.0), (1.0, 0.0)])),
        "`POLYGON` needs at least 3 vertices, found 2"
    );
    assert_eq!(
        message(Region::point(f64::NAN, 0.0)),
        "`POINT` needs a finite right ascension, found NaN"
    );
    assert_eq!(
        message(Region::circle(1.0, 2.0, -1.0)),
        "`CIRCLE` radius must not be negative, found -1"
    );
    assert_eq!(
        message(Region::box_(1.0, 2.0, 3.0, f64::INFINITY)),
        "`BOX` needs a finite height, found inf"
    );
    assert_eq!(
        message(Region::box_(1.0, 2.0, -3.0, 1.0)),
        "`BOX` width must not be negative, found -3"
    );
    assert_eq!(
        message(Region::point(0.0, 90.5)),
        "`POINT` declination must be within [-90, 90] degrees, found 90.5"
    );
    assert_eq!(
        message(Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)])),
        "`POLYGON` needs at least 3 distinct vertices that are not on one great circle; the \
         convex hull of the vertices given is not a polygon"
    );
    assert_eq!(
        message(Region::polygon(&[
            (0.0, 10.0),
            (120.0, 10.0),
            (240.0, 10.0),
            (0.0, -60.0),
            (120.0, -60.0),
            (240.0, -60.0)
        ])),
        "the convex hull of the `POLYGON` vertices is the whole sphere (they surround a pair of \
         antipodal points); give the vertices of a polygon smaller than a hemisphere"
    );
    assert_eq!(
        message(Region::from_pos("CIRCLE 1 2 -3")),
        "`REGION` radius must not be negative, found -3"
    );
    assert_eq!(
        message(Region::from_pos("CIRCLE 1 2 nan")),
        "`REGION` needs a finite radius, found NaN"
    );
    assert_eq!(
        message(Region::from_pos("  ")),
        "invalid IVOA POS string `  `: it is empty; expected `CIRCLE`, `RANGE` or `POLYGON` \
         followed by numbers"
    );
    assert_eq!(
        message(Region::from_pos("BOX 1 2 3 4")),
        "invalid IVOA POS string `BOX 1 2 3 4`: unknown shape `BOX`; expected `CIRCLE`, `RANGE` \
         or `POLYGON`"
    );
    assert_eq!(
        message(Region::from_pos("CIRCLE 1 2_ 3")),
        "invalid IVOA POS string `CIRCLE 1 2_ 3`: `2_` is not a number"
    );
}

#[test]
fn region_where_functions_mean_what_daf_butler_means() {
    // CIRCLE's radius is doubled by daf_butler; REGION('CIRCLE ...') takes it as given.
    let circle = Region::circle(10.0, 20.0, 1.0).unwrap();
    let pos_circle = Region::from_pos("CIRCLE 10 20 1").unwrap();
    assert!(circle.overlaps(&Region::point(10.0, 21.9).unwrap()));
    assert!(!circle.overlaps(&Region::point(10.0, 22.1).unwrap()));
    assert!(pos_circle.overlaps(&Region::point(10.0, 20.9).unwrap()));
    assert!(!pos_circle.overlaps(&Region::point(10.0, 21.1).unwrap()));
    // A box across RA = 0 and a point on either side of it.
    let wrapping = Region::box_(0.0, 0.0, 2.0, 2.0).unwrap();
    assert!(wrapping.overlaps(&Region::point(359.5, 0.5).unwrap()));
    assert!(wrapping.overlaps(&Region::point(0.5, -0.5).unwrap()));
    assert!(!wrapping.overlaps(&Region::point(1.5, 0.0).unwrap()));
    assert_eq!(
        Region::from_pos("RANGE 359 1 -1 1").unwrap(),
        Region::box_(0.0, 0.0, 2.0, 2.0).unwrap()
    );
    // An empty RANGE (dec1 > dec2) is accepted, as in sphgeom, and overlaps nothing.
    let empty = Region::from_pos("RANGE 10 20 30 20").unwrap();
    assert!(!empty.overlaps(&Region::box_(0.0, 0.0, 360.0, 180.0).unwrap()));
}

proptest! {
    #[test]
    fn region_decode_hex_never_panics(text in "\\PC*") {
        let _ = Region::decode_hex(&text);
    }

    #[test]
    fn region_decode_and_overlaps_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        kind in prop::sample::select(vec![b'p', b'c', b'b', b'e', b'u', b'i']),
    ) {
        let mut encoded = vec![kind];
        encoded.extend(bytes);
        if let Ok(region) = Region::decode(&encoded) {
            prop_assert_eq!(Region::decode(&region.encode()).ok(), Some(region.clone()));
            for other in ["POINT", "CIRCLE", "BOX", "POLYGON"] {
                let other = match other {
                    "POINT" => Region::point(1.0, 2.0),
                    "CIRCLE" => Region::circle(1.0, 2.0, 3.0),
                    "BOX" => Region::box_(1.0, 2.0, 3.0, 4.0),
                    _ => Region::polygon(&[(0.0, 0.0), (5.0, 0.0), (0.0, 5.0)]),
                }.unwrap();
                let _ = region.overlaps(&other);
                let _ = other.overlaps(&region);
                let _ = region.overlaps(&region);
            }
        }
    }

    #[test]
    fn region_hex_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        if let Ok(region) = Region::decode_hex(&hex) {
            prop_assert_eq!(Region::decode_hex(&region.encode_hex()).ok(), Some(region));
        }
    }
}
