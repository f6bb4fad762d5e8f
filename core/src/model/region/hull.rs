//! The convex hull of points on the sphere, with the vertex order lsst.sphgeom produces.
//!
//! `ConvexPolygon(points)` in sphgeom starts from the first counter-clockwise triangle it finds in
//! the input and then adds the remaining points one by one, replacing the chain of hull edges a
//! new point can "see". The encoding of the result lists the vertices in that order, so this
//! module follows the same incremental scheme to produce byte-identical polygons.

use super::geometry::{orientation, Vec3};

/// Why a point set has no convex polygon as its hull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HullError {
    /// Fewer than 3 distinct, non-coplanar points.
    NotEnoughPoints,
    /// The hull is the whole sphere (the points surround some antipodal pair).
    AntipodalPoints,
}

/// The hull of `points`, counter-clockwise.
pub(super) fn convex_hull(points: &[Vec3]) -> Result<Vec<Vec3>, HullError> {
    let (triangle, rest) = first_triangle(points)?;
    let mut hull = triangle.to_vec();
    for &v in rest {
        add_point(&mut hull, v)?;
    }
    Ok(hull)
}

/// The first counter-clockwise triangle of the input and the points not yet considered.
fn first_triangle(points: &[Vec3]) -> Result<([Vec3; 3], &[Vec3]), HullError> {
    let (&first, rest) = points.split_first().ok_or(HullError::NotEnoughPoints)?;
    let mut v0 = first;
    // A second point distinct from the first.
    let mut index = 0;
    let mut v1 = None;
    while let Some(&v) = rest.get(index) {
        index += 1;
        if v0 == -v {
            return Err(HullError::AntipodalPoints);
        }
        if v0 != v {
            v1 = Some(v);
            break;
        }
    }
    let mut v1 = v1.ok_or(HullError::NotEnoughPoints)?;
    let rest = &rest[index..];
    // The plane normal of the first two points, for ordering points on their great circle.
    let n = v0
        .robust_cross(v1)
        .normalized()
        .ok_or(HullError::NotEnoughPoints)?;
    for (index, &v) in rest.iter().enumerate() {
        let ccw = orientation(v0, v1, v);
        if ccw > 0 {
            return Ok(([v0, v1, v], &rest[index + 1..]));
        }
        if ccw < 0 {
            return Ok(([v1, v0, v], &rest[index + 1..]));
        }
        // v lies on the great circle through v0 and v1.
        if v == v0 || v == v1 {
            continue;
        }
        if v == -v0 || v == -v1 {
            return Err(HullError::AntipodalPoints);
        }
        let v0_v = orientation(n, v0, v);
        let v_v1 = orientation(n, v, v1);
        if v0_v == v_v1 {
            // v is inside the arc from v0 to v1.
            continue;
        }
        let v0_v1 = orientation(n, v0, v1);
        if v0_v1 == -v_v1 {
            // v1 is inside the arc from v0 to v: the arc grows to v.
            v1 = v;
            continue;
        }
        if -v0_v == v0_v1 {
            // v0 is inside the arc from v to v1.
            v0 = v;
            continue;
        }
        // The arcs span more than half the great circle, so they hold an antipodal pair.
        return Err(HullError::AntipodalPoints);
    }
    Err(HullError::NotEnoughPoints)
}

/// Adds `v` to a counter-clockwise hull, replacing the vertices between the edges that `v` sees
/// from outside.
fn add_point(hull: &mut Vec<Vec3>, v: Vec3) -> Result<(), HullError> {
    let m = hull.len();
    // Edge k runs from hull[k - 1] to hull[k] (edge 0 is the closing edge). It is "ccw" when v
    // is strictly to its left, that is, on the inner side.
    let ccw = |k: usize| orientation(v, hull[(k + m - 1) % m], hull[k]) > 0;
    let first_ccw = ccw(0);
    // `start`: the vertex before the first ccw edge after a non-ccw one (where the kept chain
    // starts); `end`: the first vertex ending a non-ccw edge after a ccw one.
    let mut start = None;
    let mut end = None;
    let mut previous = first_ccw;
    for k in 1..m {
        let now = ccw(k);
        if now && !previous {
            start = Some(k - 1);
        } else if !now && previous {
            end = Some(k);
        }
        previous = now;
    }
    if first_ccw && !previous {
        start = Some(m - 1);
    } else if !first_ccw && previous {
        end = Some(0);
    }
    let Some(start) = start else {
        if first_ccw {
            // Every edge has v on its inner side: v is inside the hull.
            return Ok(());
        }
        // No edge has v on its inner side: -v is inside the hull.
        return Err(HullError::AntipodalPoints);
    };
    let end = end.unwrap_or(m);
    // Keep the vertices from `start` round to `end` (exclusive) and put v after them, keeping
    // the array rotation sphgeom's in-place update produces.
    let new_hull: Vec<Vec3> = if start < end {
        hull[start..end].iter().copied().chain([v]).collect()
    } else if start > end {
        hull[..end]
            .iter()
            .copied()
            .chain([v])
            .chain(hull[start..].iter().copied())
            .collect()
    } else if end == 0 {
        hull.iter().copied().chain([v]).collect()
    } else {
        hull[..end]
            .iter()
            .copied()
            .chain([v])
            .chain(hull[end..].iter().copied())
            .collect()
    };
    *hull = new_hull;
    Ok(())
}
