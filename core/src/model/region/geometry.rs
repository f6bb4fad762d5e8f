//! Vectors, angles and angle intervals with lsst.sphgeom's floating-point conventions.
//!
//! Every formula here evaluates its operations in the same order as sphgeom does, because the
//! overlap tests compare results against tolerances: a different rounding could move a point
//! that sits right on a tolerance boundary to the other side.

use std::ops::{Add, Neg, Sub};

/// π as sphgeom spells it (`0x1.921fb54442d18p1`).
pub(super) const PI: f64 = std::f64::consts::PI;
/// 2π, computed as sphgeom does (`2.0 * PI`, an exact doubling).
pub(super) const TWO_PI: f64 = 2.0 * PI;
/// π/2, computed as sphgeom does (`0.5 * PI`).
pub(super) const HALF_PI: f64 = 0.5 * PI;
/// sphgeom's `RAD_PER_DEG`; `Angle::fromDegrees(x)` is `x * RAD_PER_DEG`.
pub(super) const RAD_PER_DEG: f64 = 0.017_453_292_519_943_295;
/// sphgeom's bound on the error of an `asin` evaluation, in radians.
pub(super) const MAX_ASIN_ERROR: f64 = 1.5e-8;
/// sphgeom's bound on the error of a squared chord length.
pub(super) const MAX_SQUARED_CHORD_LENGTH_ERROR: f64 = 2.5e-15;

/// A vector in ℝ³; unit vectors are not re-normalised (sphgeom's `fromNormalized`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Vec3 {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) z: f64,
}

impl Vec3 {
    pub(super) const Z: Vec3 = Vec3::new(0.0, 0.0, 1.0);

    pub(super) const fn new(x: f64, y: f64, z: f64) -> Vec3 {
        Vec3 { x, y, z }
    }

    /// The unit vector at a longitude and latitude in radians (sphgeom's `UnitVector3d(lon, lat)`).
    pub(super) fn from_lon_lat(lon: f64, lat: f64) -> Vec3 {
        let (sin_lon, cos_lon) = (lon.sin(), lon.cos());
        let (sin_lat, cos_lat) = (lat.sin(), lat.cos());
        Vec3::new(cos_lon * cos_lat, sin_lon * cos_lat, sin_lat)
    }

    /// The unit normal of the plane of the meridian at longitude `lon`.
    pub(super) fn meridian_normal(lon: f64) -> Vec3 {
        Vec3::new(-lon.sin(), lon.cos(), 0.0)
    }

    pub(super) fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    pub(super) fn cross(self, o: Vec3) -> Vec3 {
        Vec3::new(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }

    /// Twice the cross product, computed as `(o + self) × (o - self)`, which stays accurate for
    /// nearly identical vectors.
    pub(super) fn robust_cross(self, o: Vec3) -> Vec3 {
        (o + self).cross(o - self)
    }

    pub(super) fn squared_norm(self) -> f64 {
        self.dot(self)
    }

    pub(super) fn norm(self) -> f64 {
        self.squared_norm().sqrt()
    }

    pub(super) fn is_zero(self) -> bool {
        self.x == 0.0 && self.y == 0.0 && self.z == 0.0
    }

    fn component(self, i: usize) -> f64 {
        match i {
            0 => self.x,
            1 => self.y,
            _ => self.z,
        }
    }

    fn set_component(&mut self, i: usize, value: f64) {
        match i {
            0 => self.x = value,
            1 => self.y = value,
            _ => self.z = value,
        }
    }

    /// This vector scaled to unit length the way sphgeom's `Vector3d::normalize` does it
    /// (dividing by the largest component first), or `None` for the zero vector.
    pub(super) fn normalized(self) -> Option<Vec3> {
        let (ax, ay, az) = (self.x.abs(), self.y.abs(), self.z.abs());
        // The components ordered from the smallest absolute value to the largest.
        let (small, middle, large) = match (ax > az, ax > ay, ay > az) {
            (false, false, false) => (0, 1, 2),
            (false, false, true) => (0, 2, 1),
            (false, true, false) => (1, 0, 2),
            (true, false, true) => (2, 0, 1),
            (true, true, false) => (1, 2, 0),
            (true, true, true) => (2, 1, 0),
            // The two remaining combinations contradict each other for real numbers.
            _ => (0, 1, 2),
        };
        let w = self.component(large);
        if w == 0.0 || w.is_nan() {
            return None;
        }
        let max_abs = w.abs();
        let u = self.component(small) / max_abs;
        let v = self.component(middle) / max_abs;
        let w = 1.0_f64.copysign(w);
        let norm = (1.0 + (u * u + v * v)).sqrt();
        let mut out = self;
        out.set_component(small, u / norm);
        out.set_component(middle, v / norm);
        out.set_component(large, w / norm);
        Some(out)
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        Vec3::new(-self.x, -self.y, -self.z)
    }
}

/// The sign (-1, 0 or 1) of the determinant of the matrix with rows `a`, `b`, `c`, exact for
/// finite inputs (as long as no partial product underflows); 0 when an input is NaN.
///
/// This is sphgeom's `orientation`: 1 when `c` is to the left of the great circle from `a` to
/// `b`, seen from outside the sphere.
pub(super) fn orientation(a: Vec3, b: Vec3, c: Vec3) -> i32 {
    let (bycz, bzcy) = (b.y * c.z, b.z * c.y);
    let (bzcx, bxcz) = (b.z * c.x, b.x * c.z);
    let (bxcy, bycx) = (b.x * c.y, b.y * c.x);
    let determinant = a.x * (bycz - bzcy) + a.y * (bzcx - bxcz) + a.z * (bxcy - bycx);
    let permanent = a.x.abs() * (bycz.abs() + bzcy.abs())
        + a.y.abs() * (bzcx.abs() + bxcz.abs())
        + a.z.abs() * (bxcy.abs() + bycx.abs());
    // The rounding error of the expression above is below 6 units of roundoff times the
    // permanent; 1e-15 (about 9 units) leaves a margin. The absolute term covers underflow.
    let bound = 1e-15 * permanent + 1e-300;
    if determinant > bound {
        return 1;
    }
    if determinant < -bound {
        return -1;
    }
    exact_determinant_sign(a, b, c)
}

/// The exact sign of `a · (b × c)` with expansion arithmetic (Shewchuk 1997).
fn exact_determinant_sign(a: Vec3, b: Vec3, c: Vec3) -> i32 {
    let terms = [
        (a.x, b.y, c.z, 1.0),
        (a.x, b.z, c.y, -1.0),
        (a.y, b.z, c.x, 1.0),
        (a.y, b.x, c.z, -1.0),
        (a.z, b.x, c.y, 1.0),
        (a.z, b.y, c.x, -1.0),
    ];
    let mut expansion = Expansion::default();
    for (p, q, r, sign) in terms {
        // p·q·r exactly as four doubles: p·q = h + l, then h·r and l·r each split in two.
        let (h, l) = two_product(p, q);
        let (hh, hl) = two_product(h, r);
        let (lh, ll) = two_product(l, r);
        for part in [hh, hl, lh, ll] {
            expansion.add(sign * part);
        }
    }
    expansion.sign()
}

/// A sum of doubles kept exactly as non-overlapping components of increasing magnitude.
#[derive(Default)]
struct Expansion {
    components: [f64; 24],
    len: usize,
}

impl Expansion {
    /// Shewchuk's GROW-EXPANSION with zero elimination.
    fn add(&mut self, value: f64) {
        let mut q = value;
        let mut kept = 0;
        for i in 0..self.len {
            let (sum, error) = two_sum(q, self.components[i]);
            q = sum;
            if error != 0.0 {
                self.components[kept] = error;
                kept += 1;
            }
        }
        if q != 0.0 && kept < self.components.len() {
            self.components[kept] = q;
            kept += 1;
        }
        self.len = kept;
    }

    /// The sign of the sum: the sign of its largest component.
    fn sign(&self) -> i32 {
        match self.components[..self.len].last() {
            Some(&x) if x > 0.0 => 1,
            Some(&x) if x < 0.0 => -1,
            _ => 0,
        }
    }
}

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let b_virtual = sum - a;
    let a_virtual = sum - b_virtual;
    (sum, (a - a_virtual) + (b - b_virtual))
}

fn two_product(a: f64, b: f64) -> (f64, f64) {
    let product = a * b;
    (product, a.mul_add(b, -product))
}

/// An angle reduced to `[0, 2π]` as sphgeom's `NormalizedAngle(double)` does.
pub(super) fn normalize_angle(a: f64) -> f64 {
    if a < 0.0 {
        a % TWO_PI + TWO_PI
    } else if a > TWO_PI {
        a % TWO_PI
    } else {
        a
    }
}

/// The angle from `a` to `b`, counter-clockwise, both normalised (`NormalizedAngle::getAngleTo`).
fn angle_to(a: f64, b: f64) -> f64 {
    let d = b - a;
    if d < 0.0 {
        TWO_PI + d
    } else {
        d
    }
}

/// The angle between two vectors (sphgeom's `NormalizedAngle(Vector3d, Vector3d)`).
pub(super) fn angle_between(a: Vec3, b: Vec3) -> f64 {
    let s = a.cross(b).norm();
    let c = a.dot(b);
    if s == 0.0 && c == 0.0 {
        0.0
    } else {
        s.atan2(c)
    }
}

/// The longitude of a vector in `[0, 2π]` (sphgeom's `LonLat::longitudeOf`).
pub(super) fn longitude_of(v: Vec3) -> f64 {
    let d2 = v.x * v.x + v.y * v.y;
    let mut lon = 0.0;
    if d2 != 0.0 {
        lon = v.y.atan2(v.x);
        if lon < 0.0 {
            lon += TWO_PI;
        }
    }
    normalize_angle(lon)
}

/// The latitude of a vector in `[-π/2, π/2]` (sphgeom's `LonLat::latitudeOf`).
pub(super) fn latitude_of(v: Vec3) -> f64 {
    let d2 = v.x * v.x + v.y * v.y;
    let mut lat = 0.0;
    if v.z != 0.0 {
        lat = v.z.atan2(d2.sqrt());
        if lat.abs() > HALF_PI {
            lat = HALF_PI.copysign(lat);
        }
    }
    lat
}

/// The longitude and latitude of a vector, NaN in both when either is NaN (sphgeom's
/// `LonLat(Vector3d)`).
pub(super) fn lon_lat_of(v: Vec3) -> (f64, f64) {
    let (lon, lat) = (longitude_of(v), latitude_of(v));
    if lon.is_nan() || lat.is_nan() {
        (f64::NAN, f64::NAN)
    } else {
        (lon, lat)
    }
}

/// The squared chord length of a circle with the given opening angle, -1 for empty circles
/// (`Circle::squaredChordLengthFor`).
pub(super) fn squared_chord_length_for(angle: f64) -> f64 {
    if angle < 0.0 {
        return -1.0;
    }
    if angle >= PI {
        return 4.0;
    }
    let s = (0.5 * angle).sin();
    4.0 * s * s
}

/// `std::min` for doubles: the first argument unless the second is smaller.
pub(super) fn min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// `std::max` for doubles: the first argument unless the second is larger.
pub(super) fn max(a: f64, b: f64) -> f64 {
    if a < b {
        b
    } else {
        a
    }
}

/// The corners of a box as unit vectors, in sphgeom's order: (lon a, lat a), (lon a, lat b),
/// (lon b, lat a), (lon b, lat b).
pub(super) fn box_vertices(lon: LonInterval, lat: LatInterval) -> [Vec3; 4] {
    [
        Vec3::from_lon_lat(lon.a, lat.a),
        Vec3::from_lon_lat(lon.a, lat.b),
        Vec3::from_lon_lat(lon.b, lat.a),
        Vec3::from_lon_lat(lon.b, lat.b),
    ]
}

/// An interval of longitudes `[a, b]` in `[0, 2π]` that wraps through 0 when `a > b`; empty when
/// either end is NaN (sphgeom's `NormalizedAngleInterval`).
#[derive(Debug, Clone, Copy)]
pub(super) struct LonInterval {
    pub(super) a: f64,
    pub(super) b: f64,
}

impl LonInterval {
    pub(super) const EMPTY: LonInterval = LonInterval {
        a: f64::NAN,
        b: f64::NAN,
    };
    pub(super) const FULL: LonInterval = LonInterval { a: 0.0, b: TWO_PI };

    /// The interval holding one normalised angle.
    pub(super) fn point(x: f64) -> LonInterval {
        LonInterval { a: x, b: x }
    }

    /// The interval between two angles in radians, normalising them when needed; `None` when they
    /// are not normalised and `x > y` (sphgeom's `NormalizedAngleInterval(Angle, Angle)`).
    pub(super) fn from_angles(x: f64, y: f64) -> Option<LonInterval> {
        if x.is_nan() || y.is_nan() {
            return Some(LonInterval::EMPTY);
        }
        let normalized = |t: f64| (0.0..=TWO_PI).contains(&t);
        if !normalized(x) || !normalized(y) {
            if x > y {
                return None;
            }
            if y - x >= TWO_PI {
                return Some(LonInterval::FULL);
            }
        }
        Some(LonInterval {
            a: normalize_angle(x),
            b: normalize_angle(y),
        })
    }

    pub(super) fn is_empty(self) -> bool {
        self.a.is_nan() || self.b.is_nan()
    }

    pub(super) fn is_full(self) -> bool {
        self.a == 0.0 && self.b == TWO_PI
    }

    fn wraps(self) -> bool {
        self.a > self.b
    }

    /// Whether the interval contains a normalised angle; NaN is in every interval.
    pub(super) fn contains(self, x: f64) -> bool {
        if x.is_nan() {
            return true;
        }
        self.intersects_angle(x)
    }

    fn intersects_angle(self, x: f64) -> bool {
        if self.wraps() {
            x <= self.b || self.a <= x
        } else {
            self.a <= x && x <= self.b
        }
    }

    pub(super) fn is_disjoint_from(self, x: LonInterval) -> bool {
        if x.is_empty() || self.is_empty() {
            return true;
        }
        if x.wraps() {
            return !self.wraps() && x.a > self.b && x.b < self.a;
        }
        if self.wraps() {
            return self.a > x.b && self.b < x.a;
        }
        x.b < self.a || x.a > self.b
    }

    /// The smallest interval containing both (`NormalizedAngleInterval::expandTo`).
    pub(super) fn expand_to(&mut self, x: LonInterval) {
        if x.is_empty() {
            return;
        }
        if self.contains(x.a) {
            if self.contains(x.b) {
                if self.wraps() != x.wraps() {
                    *self = LonInterval::FULL;
                }
            } else {
                self.b = x.b;
            }
        } else if self.contains(x.b) {
            self.a = x.a;
        } else if self.is_empty() || x.contains(self.a) {
            *self = x;
        } else if angle_to(self.b, x.a) < angle_to(x.b, self.a) {
            self.b = x.b;
        } else {
            self.a = x.a;
        }
    }

    /// This interval widened by `x >= 0` on both sides (`NormalizedAngleInterval::dilatedBy`).
    pub(super) fn dilated_by(self, x: f64) -> LonInterval {
        if self.is_empty() || self.is_full() || x == 0.0 || x.is_nan() {
            return self;
        }
        if x >= PI {
            return LonInterval::FULL;
        }
        let mut a = self.a - x;
        let mut b = self.b + x;
        if self.wraps() {
            // If the widened interval no longer wraps, its ends have crossed.
            if a <= b {
                return LonInterval::FULL;
            }
        } else {
            if a < 0.0 {
                a += TWO_PI;
                if a <= b {
                    return LonInterval::FULL;
                }
            }
            if b > TWO_PI {
                b -= TWO_PI;
                if a <= b {
                    return LonInterval::FULL;
                }
            }
        }
        // Both ends are normalised here, so the checked constructor cannot refuse them.
        LonInterval::from_angles(a, b).unwrap_or(LonInterval::FULL)
    }
}

/// A closed interval of latitudes; empty unless `a <= b` (sphgeom's `AngleInterval`).
#[derive(Debug, Clone, Copy)]
pub(super) struct LatInterval {
    pub(super) a: f64,
    pub(super) b: f64,
}

impl LatInterval {
    /// sphgeom's default (empty) interval, `[1, 0]`.
    pub(super) const EMPTY: LatInterval = LatInterval { a: 1.0, b: 0.0 };

    pub(super) fn point(x: f64) -> LatInterval {
        LatInterval { a: x, b: x }
    }

    pub(super) fn is_empty(self) -> bool {
        self.a.is_nan() || self.b.is_nan() || self.a > self.b
    }

    /// Whether the interval contains `x`; NaN is in every interval.
    pub(super) fn contains(self, x: f64) -> bool {
        (self.a <= x && x <= self.b) || x.is_nan()
    }

    pub(super) fn is_disjoint_from(self, x: LatInterval) -> bool {
        if self.is_empty() || x.is_empty() {
            return true;
        }
        self.a > x.b || self.b < x.a
    }

    pub(super) fn expand_to(&mut self, x: LatInterval) {
        if self.is_empty() {
            *self = x;
        } else if !x.is_empty() {
            self.a = min(self.a, x.a);
            self.b = max(self.b, x.b);
        }
    }

    pub(super) fn expand_to_angle(&mut self, x: f64) {
        if self.is_empty() {
            *self = LatInterval::point(x);
        } else if x < self.a {
            self.a = x;
        } else if x > self.b {
            self.b = x;
        }
    }

    pub(super) fn dilated_by(self, x: f64) -> LatInterval {
        if x.is_nan() || self.is_empty() {
            return self;
        }
        LatInterval {
            a: self.a - x,
            b: self.b + x,
        }
    }

    /// This interval clipped to `[-π/2, π/2]`.
    pub(super) fn clipped_to_latitudes(self) -> LatInterval {
        if self.is_empty() {
            return self;
        }
        LatInterval {
            a: max(self.a, -HALF_PI),
            b: min(self.b, HALF_PI),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_is_exact_for_nearly_coplanar_vectors() {
        let a = Vec3::new(1.0, 0.0, 0.0);
        let b = Vec3::new(0.0, 1.0, 0.0);
        // A vector a hair above the plane of a and b, far below the float filter's bound.
        let above = Vec3::new(0.6, 0.8, 1e-300);
        assert_eq!(orientation(a, b, above), 1);
        assert_eq!(orientation(a, b, -above), -1);
        assert_eq!(orientation(a, b, Vec3::new(0.6, 0.8, 0.0)), 0);
        let tiny = Vec3::new(1.0, 1e-17, 1e-17);
        assert_eq!(orientation(a, tiny, Vec3::new(1.0, 2e-17, 2e-17)), 0);
        assert_eq!(orientation(a, b, Vec3::new(f64::NAN, 0.0, 1.0)), 0);
    }

    #[test]
    fn normalisation_matches_sphgeom() {
        let v = Vec3::new(3.0, -4.0, 0.0).normalized();
        assert_eq!(v, Some(Vec3::new(0.6, -0.8, 0.0)));
        assert_eq!(Vec3::new(0.0, 0.0, 0.0).normalized(), None);
        assert_eq!(normalize_angle(-HALF_PI), 1.5 * PI);
        assert_eq!(normalize_angle(TWO_PI), TWO_PI);
    }
}
