//! When lsst.sphgeom answers "disjoint" (`Region.overlaps` returns `False`).
//!
//! daf_butler drops a row only when sphgeom says `False`; `True` and "unknown" (`None`) both keep
//! it. So all this module decides is whether sphgeom *knows* two regions are disjoint, with its
//! tolerances and its approximations:
//!
//! - circle–circle, box–box, box–circle, polygon–circle and polygon–polygon are exact up to
//!   sphgeom's tolerances (`MAX_ASIN_ERROR` for angles, `MAX_SQUARED_CHORD_LENGTH_ERROR` for chord
//!   lengths): regions that nearly touch count as overlapping;
//! - polygon–box compares the polygon's bounding box (widened by 5e-10 rad) with the box;
//! - an ellipse is replaced by its bounding circle;
//! - a union is disjoint when every operand is; an intersection when any operand is.

use super::geometry::{
    angle_between, box_vertices, latitude_of, lon_lat_of, min, orientation,
    squared_chord_length_for, LatInterval, LonInterval, Vec3, HALF_PI, MAX_ASIN_ERROR,
    MAX_SQUARED_CHORD_LENGTH_ERROR, PI,
};
use super::{Circle, ConvexPolygon, LonLatBox, Region};

/// A region without compound structure, as the pairwise tests see it.
#[derive(Clone, Copy)]
enum Simple<'a> {
    Polygon(&'a ConvexPolygon),
    Circle(&'a Circle),
    Box(&'a LonLatBox),
}

/// Whether sphgeom's `a.overlaps(b)` is `False`.
pub(super) fn known_disjoint(a: &Region, b: &Region) -> bool {
    match a {
        // An empty union overlaps nothing; otherwise every operand must be disjoint.
        Region::Union(operands) => operands.iter().all(|o| known_disjoint(o, b)),
        // An intersection without operands is the whole sphere: it overlaps all but empty regions.
        Region::Intersection(operands) if operands.is_empty() => b.is_empty_as_sphgeom(),
        Region::Intersection(operands) => operands.iter().any(|o| known_disjoint(o, b)),
        _ => match b {
            // sphgeom dispatches a simple region's `overlaps` to the other operand.
            Region::Union(_) | Region::Intersection(_) => known_disjoint(b, a),
            _ => match (simple(a), simple(b)) {
                (Some(a), Some(b)) => simple_disjoint(a, b),
                _ => false,
            },
        },
    }
}

fn simple(region: &Region) -> Option<Simple<'_>> {
    match region {
        Region::ConvexPolygon(p) => Some(Simple::Polygon(p)),
        Region::Circle(c) => Some(Simple::Circle(c)),
        Region::Box(b) => Some(Simple::Box(b)),
        Region::Ellipse(e) => Some(Simple::Circle(e.bounding_circle())),
        Region::Union(_) | Region::Intersection(_) => None,
    }
}

fn simple_disjoint(a: Simple<'_>, b: Simple<'_>) -> bool {
    match (a, b) {
        (Simple::Circle(a), Simple::Circle(b)) => circles_disjoint(a, b),
        (Simple::Box(a), Simple::Box(b)) => boxes_disjoint(a, b),
        (Simple::Box(b), Simple::Circle(c)) | (Simple::Circle(c), Simple::Box(b)) => {
            box_circle_disjoint(b, c)
        }
        (Simple::Polygon(p), Simple::Circle(c)) | (Simple::Circle(c), Simple::Polygon(p)) => {
            polygon_circle_disjoint(p, c)
        }
        (Simple::Polygon(p), Simple::Box(b)) | (Simple::Box(b), Simple::Polygon(p)) => {
            boxes_disjoint(&polygon_bounding_box(&p.vertices), b)
        }
        (Simple::Polygon(a), Simple::Polygon(b)) => polygons_disjoint(&a.vertices, &b.vertices),
    }
}

/// `Circle::isDisjointFrom(Circle)`: the centres are further apart than the two opening angles
/// plus four `asin` errors.
fn circles_disjoint(a: &Circle, b: &Circle) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    if a.is_full() || b.is_full() {
        return false;
    }
    let between = angle_between(a.center, b.center);
    between > a.opening_angle + b.opening_angle + 4.0 * MAX_ASIN_ERROR
}

fn boxes_disjoint(a: &LonLatBox, b: &LonLatBox) -> bool {
    a.lon.is_disjoint_from(b.lon) || a.lat.is_disjoint_from(b.lat)
}

/// The smallest squared chord length from `v` to the great-circle arc from `a` to `b` (with plane
/// normal `n`), or 4 when the closest point of the great circle is outside the arc
/// (sphgeom's `getMinSquaredChordLength`).
fn min_squared_chord_length(v: Vec3, a: Vec3, b: Vec3, n: Vec3) -> f64 {
    let vxn = v.cross(n);
    if vxn.dot(a) > 0.0 && vxn.dot(b) < 0.0 {
        let s = v.dot(n).abs();
        let c = vxn.norm();
        let theta = if c == 0.0 { 0.5 * PI } else { (s / c).atan() };
        let d = (0.5 * theta).sin();
        return 4.0 * d * d;
    }
    4.0
}

/// Whether the vertices of a polygon or box are all strictly outside a circle, none within the
/// chord-length tolerance of its boundary.
fn all_vertices_outside(vertices: &[Vec3], c: &Circle) -> bool {
    vertices.iter().all(|v| {
        let d = (*v - c.center).squared_norm();
        // A vertex close to the boundary means "intersects", as does one inside. Like sphgeom,
        // a NaN distance counts as outside.
        let near_boundary = (d - c.squared_chord_length).abs() < MAX_SQUARED_CHORD_LENGTH_ERROR;
        let inside = d < c.squared_chord_length;
        !near_boundary && !inside
    })
}

/// `Box::relate(Circle)` returned `DISJOINT`.
fn box_circle_disjoint(b: &LonLatBox, c: &Circle) -> bool {
    if b.is_empty() || c.is_empty() {
        return true;
    }
    if b.is_full() || c.is_full() {
        return false;
    }
    // Vertices in the order (lonA, latA), (lonA, latB), (lonB, latA), (lonB, latB).
    let vertices = box_vertices(b.lon, b.lat);
    // If some vertex is inside the circle or on its boundary, the regions share a point.
    if !all_vertices_outside(&vertices, c) {
        return false;
    }
    // The meridian edges: does the circle reach into one of them?
    let edges = [
        (vertices[1], vertices[0], Vec3::meridian_normal(b.lon.a)),
        (vertices[3], vertices[2], Vec3::meridian_normal(b.lon.b)),
    ];
    for (from, to, normal) in edges {
        let d = min_squared_chord_length(c.center, from, to, normal);
        if d < c.squared_chord_length + MAX_SQUARED_CHORD_LENGTH_ERROR {
            return false;
        }
    }
    // The edges of constant latitude: their points closest to the centre lie inside the box
    // edges when the centre's longitude is in the box.
    let (center_lon, center_lat) = lon_lat_of(c.center);
    if b.lon.contains(center_lon) {
        let angle = min((center_lat - b.lat.a).abs(), (center_lat - b.lat.b).abs());
        let d = squared_chord_length_for(angle);
        if d < c.squared_chord_length + MAX_SQUARED_CHORD_LENGTH_ERROR {
            return false;
        }
    }
    // The boundaries are apart: the box either contains the circle or misses it.
    !b.contains(center_lon, center_lat)
}

/// `ConvexPolygon::relate(Circle)` returned `DISJOINT`.
fn polygon_circle_disjoint(p: &ConvexPolygon, c: &Circle) -> bool {
    if c.is_empty() {
        return true;
    }
    if c.is_full() {
        return false;
    }
    if !all_vertices_outside(&p.vertices, c) {
        return false;
    }
    for (a, b) in edges(&p.vertices) {
        let n = a.robust_cross(b);
        let d = min_squared_chord_length(c.center, a, b, n);
        if d < c.squared_chord_length + MAX_SQUARED_CHORD_LENGTH_ERROR {
            return false;
        }
    }
    // The boundaries are apart: the polygon either contains the circle or misses it.
    !polygon_contains(&p.vertices, c.center)
}

/// The edges of a polygon as (start, end) pairs, starting with the closing edge as sphgeom does.
fn edges(vertices: &[Vec3]) -> impl Iterator<Item = (Vec3, Vec3)> + '_ {
    let last = vertices.last().copied();
    last.into_iter()
        .chain(vertices.iter().copied())
        .zip(vertices.iter().copied())
}

/// Whether a point is inside or on the boundary of a polygon, decided exactly.
pub(super) fn polygon_contains(vertices: &[Vec3], v: Vec3) -> bool {
    edges(vertices).all(|(a, b)| orientation(v, a, b) >= 0)
}

/// The exact polygon–polygon test: disjoint unless a vertex of one is in the other or two edges
/// cross.
fn polygons_disjoint(p: &[Vec3], q: &[Vec3]) -> bool {
    if p.iter().any(|&v| polygon_contains(q, v)) || q.iter().any(|&v| polygon_contains(p, v)) {
        return false;
    }
    for (a, b) in edges(p) {
        for (c, d) in edges(q) {
            let acd = orientation(a, c, d);
            let bdc = orientation(b, d, c);
            if acd == bdc && acd != 0 {
                let cba = orientation(c, b, a);
                let dab = orientation(d, a, b);
                if cba == dab && cba == acd {
                    return false;
                }
            }
        }
    }
    true
}

/// sphgeom's conservative bounding box of a polygon: the vertices widened by 5e-10 rad, the
/// latitude extremes of edges, and all longitudes when the polygon holds a pole.
pub(super) fn polygon_bounding_box(vertices: &[Vec3]) -> LonLatBox {
    const EPS: f64 = 5.0e-10;
    let mut bbox = LonLatBox::EMPTY;
    let mut have_cw = false;
    let mut have_ccw = false;
    for (i, j) in edges(vertices) {
        let (lon, lat) = lon_lat_of(j);
        bbox.expand_to(&LonLatBox::new(
            LonInterval::point(lon).dilated_by(EPS),
            LatInterval::point(lat).dilated_by(EPS),
        ));
        if !have_cw || !have_ccw {
            let o = orientation(Vec3::Z, i, j);
            have_ccw = have_ccw || o > 0;
            have_cw = have_cw || o < 0;
        }
        // The direction of greatest latitude on the great circle of the edge; if it (or its
        // opposite) lies inside the edge, the edge reaches beyond its end points in latitude.
        let n = i.robust_cross(j);
        let v = Vec3::new(-n.x * n.z, -n.y * n.z, n.x * n.x + n.y * n.y);
        if !v.is_zero() {
            let zni = i.y * n.x - i.x * n.y;
            let znj = j.y * n.x - j.x * n.y;
            let mut lat = bbox.lat;
            if zni > 0.0 && znj < 0.0 {
                lat.expand_to_angle(latitude_of(v) + EPS);
                bbox = LonLatBox::new(bbox.lon, lat);
            } else if zni < 0.0 && znj > 0.0 {
                lat.expand_to_angle(latitude_of(-v) - EPS);
                bbox = LonLatBox::new(bbox.lon, lat);
            }
        }
    }
    // Edges that all turn the same way around the z axis enclose a pole.
    if !have_cw {
        bbox.expand_to(&LonLatBox::new(
            LonInterval::FULL,
            LatInterval::point(HALF_PI),
        ));
    } else if !have_ccw {
        bbox.expand_to(&LonLatBox::new(
            LonInterval::FULL,
            LatInterval::point(-HALF_PI),
        ));
    }
    bbox
}
