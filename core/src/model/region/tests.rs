//! Unit tests of the region module; agreement with sphgeom itself, case by case, is checked by
//! `core/tests/region_sphgeom.rs`.

use super::*;

fn check_number(word: &str, expected: Option<f64>) {
    let parsed = parse_python_float(word);
    let same = match (parsed, expected) {
        (Some(a), Some(b)) => a.to_bits() == b.to_bits(),
        (None, None) => true,
        _ => false,
    };
    assert!(same, "`{word}`: parsed {parsed:?}, expected {expected:?}");
}

#[test]
fn pos_numbers_are_read_like_python_float() {
    let cases = [
        ("10", Some(10.0)),
        ("-2.5", Some(-2.5)),
        ("+5", Some(5.0)),
        (".5", Some(0.5)),
        ("5.", Some(5.0)),
        ("1e-3", Some(1e-3)),
        ("1E3", Some(1e3)),
        ("1_0", Some(10.0)),
        ("1e1_0", Some(1e10)),
        ("inf", Some(f64::INFINITY)),
        ("-Infinity", Some(f64::NEG_INFINITY)),
        ("_1", None),
        ("1_", None),
        ("1__0", None),
        ("1_.5", None),
        ("0x10", None),
        ("1,5", None),
        ("", None),
    ];
    for (word, expected) in cases {
        check_number(word, expected);
    }
    assert!(parse_python_float("nan").is_some_and(f64::is_nan));
}

#[test]
fn range_maps_infinite_bounds_to_the_sphere() {
    let everything = Region::from_pos("RANGE -inf +inf -inf +inf").unwrap();
    let Region::Box(b) = &everything else {
        panic!("not a box: {everything:?}");
    };
    assert!(b.is_full(), "{b:?}");
    assert_eq!(
        Region::from_pos("RANGE 10 20 -inf inf")
            .unwrap()
            .encode_hex(),
        // sphgeom's `Region.from_ivoa_pos("RANGE 10 20 -inf inf").encode().hex()`.
        "628744e74a1857c63f8744e74a1857d63f182d4454fb21f9bf182d4454fb21f93f"
    );
}

#[test]
fn nested_compounds_are_flattened_like_sphgeom() {
    let point = Region::point(1.0, 2.0).unwrap();
    let circle = Region::circle(1.0, 2.0, 3.0).unwrap();
    let nested = Region::Union(vec![
        Region::Union(vec![point.clone(), circle.clone()]),
        Region::Intersection(vec![Region::Intersection(vec![point.clone()])]),
    ]);
    let decoded = Region::decode(&nested.encode()).unwrap();
    let flat = Region::Union(vec![
        point.clone(),
        circle,
        Region::Intersection(vec![point]),
    ]);
    assert_eq!(decoded, flat);
}

#[test]
fn deep_nesting_is_refused() {
    let mut region = Region::point(0.0, 0.0).unwrap();
    for level in 0..40 {
        region = if level % 2 == 0 {
            Region::Union(vec![region])
        } else {
            Region::Intersection(vec![region])
        };
    }
    assert_eq!(
        Region::decode(&region.encode()),
        Err(RegionError::TooDeep { max: 32 })
    );
}

#[test]
fn compound_regions_follow_sphgeom_logic() {
    let point = Region::point(10.0, 10.0).unwrap();
    let near = Region::circle(10.0, 10.5, 0.5).unwrap();
    let far = Region::circle(50.0, 10.0, 0.5).unwrap();
    let triangle = Region::polygon(&[(9.0, 9.0), (11.0, 9.0), (10.0, 11.0)]).unwrap();
    // A union overlaps when an operand does.
    assert!(Region::Union(vec![far.clone(), near.clone()]).overlaps(&point));
    assert!(!Region::Union(vec![far.clone()]).overlaps(&point));
    assert!(!Region::Union(vec![]).overlaps(&point));
    // An intersection overlaps unless an operand is disjoint, even when the operands
    // themselves do not meet: sphgeom cannot tell, and daf_butler keeps the row.
    let lens = Region::Intersection(vec![near.clone(), triangle.clone()]);
    assert!(lens.overlaps(&point));
    assert!(!Region::Intersection(vec![near, far.clone()]).overlaps(&point));
    let apart = Region::Intersection(vec![
        Region::circle(9.0, 10.0, 0.1).unwrap(),
        Region::circle(11.0, 10.0, 0.1).unwrap(),
    ]);
    assert!(apart.overlaps(&Region::circle(10.0, 10.0, 1.0).unwrap()));
    // Without operands an intersection is the whole sphere, which overlaps every region that
    // is not empty; sphgeom calls every polygon empty, so polygons are missed.
    let sphere = Region::Intersection(vec![]);
    assert!(sphere.overlaps(&point));
    assert!(point.overlaps(&sphere));
    assert!(!sphere.overlaps(&triangle));
    assert!(!triangle.overlaps(&sphere));
    assert!(!sphere.overlaps(&Region::from_pos("RANGE 0 10 5 4").unwrap()));
}

#[test]
fn polygon_vertex_order_is_sphgeom_s() {
    // sphgeom drops the interior point and starts from the first counter-clockwise triangle.
    let polygon = Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0), (5.0, 1.0)]).unwrap();
    assert_eq!(
        polygon.encode_hex(),
        "70000000000000f03f00000000000000000000000000000000171c818c8b83ef3f89730b7e1a3ac63f000000\
         00000000000c8e40c6c5c1ef3f89730b7e1a3ab63f0281c2b8d64fb63f"
    );
    // Clockwise input comes out counter-clockwise.
    let clockwise = Region::polygon(&[(5.0, 5.0), (10.0, 0.0), (0.0, 0.0)]).unwrap();
    let Region::ConvexPolygon(p) = clockwise else {
        panic!("not a polygon");
    };
    let [a, b, c] = p.vertices[..] else {
        panic!("not a triangle: {p:?}");
    };
    assert_eq!(geometry::orientation(a, b, c), 1);
}

#[test]
fn points_touch_within_sphgeom_tolerance() {
    let triangle = Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0)]).unwrap();
    // sphgeom counts a point within about 1e-8 rad of the boundary as overlapping.
    let just_outside = Region::point(5.0, -1e-6).unwrap();
    let outside = Region::point(5.0, -1e-5).unwrap();
    assert!(triangle.overlaps(&just_outside));
    assert!(!triangle.overlaps(&outside));
    assert!(triangle.overlaps(&Region::point(10.0, 0.0).unwrap()));
}
