//! Regions on the celestial sphere, compatible with `lsst.sphgeom`, for `OVERLAPS` in `where`
//! expressions.
//!
//! Dimension records (`visit.region`, `patch.region`, …) hold the lowercase hex of sphgeom's
//! binary encoding (`Region.encode()`); [`Region::decode_hex`] reads it and
//! [`Region::encode_hex`] writes it back byte for byte. The `where`-language region functions
//! build regions exactly as daf_butler does (`lsst/daf/butler/queries/_expression_strings.py`,
//! `_ConversionVisitor.visitPointNode` and its siblings), and [`Region::overlaps`] answers what
//! daf_butler's row filter answers (`direct_query_driver/_postprocessing.py`,
//! `Postprocessing.apply`): a row is dropped only when sphgeom's `region.overlaps(other)` is
//! `False`, so sphgeom's "unknown" (`None`) counts as overlapping.
//!
//! That test is sphgeom's, tolerances and approximations included:
//!
//! - circles, boxes and polygons are compared exactly up to sphgeom's tolerances: two circles
//!   overlap when their gap is below 6e-8 rad (12 mas), and a circle (a `POINT` is a circle of
//!   radius 0) overlaps a polygon or box whose boundary comes within about 5e-8 rad of it;
//!   polygon–polygon and box–box tests have no tolerance;
//! - a polygon and a box overlap when the box meets the polygon's bounding box;
//! - an ellipse is replaced by its bounding circle;
//! - a union overlaps when any operand does; an intersection unless one of its operands is
//!   disjoint (sphgeom cannot prove that an intersection overlaps).
//!
//! ```
//! use satellite_core::model::Region;
//!
//! let visit = Region::polygon(&[(53.0, -33.0), (54.0, -33.0), (54.0, -32.0), (53.0, -32.0)])?;
//! let stored = visit.encode_hex();
//! assert!(stored.starts_with("70"));
//! let record = Region::decode_hex(&stored)?;
//! assert!(record.overlaps(&Region::point(53.6, -32.7)?));
//! assert!(!record.overlaps(&Region::circle(60.0, -32.7, 1.0)?));
//! # Ok::<(), satellite_core::model::RegionError>(())
//! ```

mod encoding;
mod geometry;
mod hull;
mod relate;

use geometry::{
    max, normalize_angle, squared_chord_length_for, LatInterval, LonInterval, Vec3, HALF_PI,
    MAX_ASIN_ERROR, RAD_PER_DEG,
};
use hull::HullError;

/// A region of the unit sphere, as `lsst.sphgeom` models it.
///
/// Two regions are equal when their sphgeom encodings are byte-identical.
#[derive(Debug, Clone)]
pub enum Region {
    /// A convex polygon with great-circle edges (`lsst.sphgeom.ConvexPolygon`).
    ConvexPolygon(ConvexPolygon),
    /// A circle: the points within an angle of a centre (`lsst.sphgeom.Circle`).
    Circle(Circle),
    /// A longitude/latitude box (`lsst.sphgeom.Box`).
    Box(LonLatBox),
    /// An ellipse (`lsst.sphgeom.Ellipse`); overlap tests use its bounding circle.
    Ellipse(Ellipse),
    /// The union of its operands (`lsst.sphgeom.UnionRegion`).
    Union(Vec<Region>),
    /// The intersection of its operands (`lsst.sphgeom.IntersectionRegion`).
    Intersection(Vec<Region>),
}

/// A convex polygon, its vertices counter-clockwise seen from outside the sphere.
#[derive(Debug, Clone)]
pub struct ConvexPolygon {
    vertices: Vec<Vec3>,
}

/// A circle on the sphere, with sphgeom's redundant radius pair (squared chord length and
/// opening angle); empty when the squared chord length is negative, full from 4.
#[derive(Debug, Clone)]
pub struct Circle {
    center: Vec3,
    squared_chord_length: f64,
    opening_angle: f64,
}

/// A box of longitudes (possibly wrapping through 0) and latitudes.
#[derive(Debug, Clone)]
pub struct LonLatBox {
    lon: LonInterval,
    lat: LatInterval,
}

/// An ellipse, kept as encoded; only its bounding circle takes part in overlap tests.
#[derive(Debug, Clone)]
pub struct Ellipse {
    /// The 14 encoded doubles: transform matrix (rows), a, b, γ, tan a, tan b.
    encoded: [f64; 14],
    bounding_circle: Circle,
}

/// Why a region could not be decoded or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// The hex text has an odd number of digits.
    #[error("an encoded region must have an even number of hex digits, found {len}")]
    OddHexLength {
        /// The number of characters.
        len: usize,
    },
    /// The hex text has a character that is not a hex digit.
    #[error("an encoded region must be hex digits, found `{found}` at offset {offset}")]
    InvalidHexDigit {
        /// Byte offset of the character.
        offset: usize,
        /// The character.
        found: char,
    },
    /// The encoding has no bytes.
    #[error("an encoded region is empty; sphgeom encodings start with a type byte")]
    EmptyEncoding,
    /// The first byte names no sphgeom region class.
    #[error(
        "unknown region type byte `{type_byte:02x}`; sphgeom encodings start with `70` \
         (ConvexPolygon), `63` (Circle), `62` (Box), `65` (Ellipse), `75` (UnionRegion) or `69` \
         (IntersectionRegion)"
    )]
    UnknownType {
        /// The first byte.
        type_byte: u8,
    },
    /// A simple region's encoding has the wrong length.
    #[error("an encoded {class} must be {expected} bytes long, found {found}")]
    WrongLength {
        /// The sphgeom class.
        class: &'static str,
        /// The required length.
        expected: &'static str,
        /// The actual length.
        found: usize,
    },
    /// A compound region's operand runs past the end of the encoding.
    #[error(
        "an encoded {class} is truncated: an operand needs {claimed} bytes but {available} remain"
    )]
    Truncated {
        /// `UnionRegion` or `IntersectionRegion`.
        class: &'static str,
        /// The bytes the operand needs.
        claimed: u64,
        /// The bytes left.
        available: usize,
    },
    /// Compound regions nest too deeply.
    #[error("compound regions are nested more than {max} levels deep")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// An encoded box has a longitude interval sphgeom refuses (not normalised and reversed).
    #[error("an encoded Box has an invalid longitude interval (not normalised and reversed)")]
    InvalidBoxLongitude,
    /// A coordinate or size is NaN or infinite.
    #[error("`{function}` needs a finite {argument}, found {value}")]
    NotFinite {
        /// The `where`-language function (`POINT`, `CIRCLE`, `BOX`, `POLYGON`, `REGION`).
        function: &'static str,
        /// Which argument.
        argument: &'static str,
        /// The value as written by Rust.
        value: String,
    },
    /// A declination beyond ±90°.
    #[error("`{function}` declination must be within [-90, 90] degrees, found {value}")]
    LatitudeOutOfRange {
        /// The `where`-language function.
        function: &'static str,
        /// The value in degrees.
        value: String,
    },
    /// A negative radius, width or height.
    #[error("`{function}` {argument} must not be negative, found {value}")]
    Negative {
        /// The `where`-language function.
        function: &'static str,
        /// Which argument.
        argument: &'static str,
        /// The value in degrees.
        value: String,
    },
    /// A polygon with fewer than 3 vertices.
    #[error("`{function}` needs at least 3 vertices, found {found}")]
    TooFewVertices {
        /// The `where`-language function.
        function: &'static str,
        /// The number of vertices given.
        found: usize,
    },
    /// The vertices do not span a polygon.
    #[error(
        "`{function}` needs at least 3 distinct vertices that are not on one great circle; \
         the convex hull of the vertices given is not a polygon"
    )]
    DegeneratePolygon {
        /// The `where`-language function.
        function: &'static str,
    },
    /// The convex hull of the vertices is the whole sphere.
    #[error(
        "the convex hull of the `{function}` vertices is the whole sphere (they surround a pair \
         of antipodal points); give the vertices of a polygon smaller than a hemisphere"
    )]
    HullIsSphere {
        /// The `where`-language function.
        function: &'static str,
    },
    /// A `REGION` string that is not an IVOA SIAv2 `POS` value.
    #[error("invalid IVOA POS string `{pos}`: {reason}")]
    InvalidPos {
        /// The string.
        pos: String,
        /// What is wrong.
        reason: String,
    },
}

impl Region {
    /// Decodes the hex of a sphgeom encoding, as dimension records store regions.
    ///
    /// Upper-case digits are accepted too. A union nested directly in a union (or an
    /// intersection in an intersection) is flattened, as sphgeom does.
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// let hex = "6361b46c3a039ded3f3b46fac0f2e2c43ff50b8a74a8e3d53f00000000000000000000000000000000";
    /// assert_eq!(Region::decode_hex(hex)?, Region::point(10.0, 20.0)?);
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the text is not hex, or the bytes are not a sphgeom encoding: unknown type byte,
    /// wrong length, truncated compound region, or a box longitude sphgeom would refuse.
    pub fn decode_hex(hex: &str) -> Result<Region, RegionError> {
        Region::decode(&encoding::bytes_from_hex(hex)?)
    }

    /// Decodes a sphgeom encoding (`lsst.sphgeom.Region.decode`).
    ///
    /// # Errors
    ///
    /// As [`Region::decode_hex`], for the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Region, RegionError> {
        encoding::decode(bytes)
    }

    /// The lowercase hex of this region's sphgeom encoding.
    pub fn encode_hex(&self) -> String {
        encoding::hex_from_bytes(&self.encode())
    }

    /// This region's sphgeom encoding (`lsst.sphgeom.Region.encode()`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        encoding::encode(self, &mut out);
        out
    }

    /// `POINT(ra, dec)`: a circle of zero radius, as daf_butler turns a point into a region.
    ///
    /// Overlap with a point is containment with sphgeom's tolerance: a point within about
    /// 5e-8 rad (10 mas) outside a polygon edge still overlaps the polygon.
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// let visit = Region::box_(53.6, -32.7, 0.5, 0.5)?;
    /// assert!(visit.overlaps(&Region::point(53.7, -32.6)?));
    /// assert!(!visit.overlaps(&Region::point(53.0, -32.7)?));
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When a coordinate is not finite or `dec` is outside [-90, 90].
    pub fn point(ra: f64, dec: f64) -> Result<Region, RegionError> {
        let center = unit_vector("POINT", ra, dec)?;
        Ok(Region::Circle(Circle {
            center,
            squared_chord_length: 0.0,
            opening_angle: 0.0,
        }))
    }

    /// `CIRCLE(ra, dec, radius)`, with daf_butler's meaning: the circle's opening angle is
    /// **twice** `radius`.
    ///
    /// daf_butler 30.2026.4300 builds `Circle(center, Angle.fromDegrees(radius * 2))`, and
    /// sphgeom's circle angle is the angular radius, so `CIRCLE(ra, dec, 1)` covers everything
    /// within 2° of the centre. We reproduce that so queries return the same rows. (The `POS`
    /// form, `REGION('CIRCLE ra dec r')`, uses `r` as given; see [`Region::from_pos`].)
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// // Everything within 2° of (10, 20), not 1°.
    /// let circle = Region::circle(10.0, 20.0, 1.0)?;
    /// assert!(circle.overlaps(&Region::point(10.0, 21.5)?));
    /// assert!(!circle.overlaps(&Region::point(10.0, 22.5)?));
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When an argument is not finite, `dec` is outside [-90, 90] or `radius` is negative.
    /// (daf_butler accepts a negative radius and builds an empty circle that matches nothing.)
    pub fn circle(ra: f64, dec: f64, radius: f64) -> Result<Region, RegionError> {
        let center = unit_vector("CIRCLE", ra, dec)?;
        let radius = size("CIRCLE", "radius", radius)?;
        Ok(Region::Circle(Circle::new(
            center,
            (radius * 2.0) * RAD_PER_DEG,
        )))
    }

    /// `BOX(ra, dec, width, height)`: the longitudes within `width / 2` of `ra` and the
    /// latitudes within `height / 2` of `dec` (clipped at the poles), all in degrees of the
    /// coordinates (not on-sky distances), as daf_butler builds `Box(center, w / 2, h / 2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// // From RA 359° to 1°, across RA = 0.
    /// let across = Region::box_(0.0, 0.0, 2.0, 2.0)?;
    /// assert!(across.overlaps(&Region::point(359.5, 0.5)?));
    /// assert_eq!(across, Region::from_pos("RANGE 359 1 -1 1")?);
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When an argument is not finite, `dec` is outside [-90, 90] or a size is negative.
    /// (daf_butler accepts negative sizes and builds an empty box.)
    pub fn box_(ra: f64, dec: f64, width: f64, height: f64) -> Result<Region, RegionError> {
        let (lon, lat) = lon_lat("BOX", ra, dec)?;
        let half_width = (size("BOX", "width", width)? / 2.0) * RAD_PER_DEG;
        let half_height = (size("BOX", "height", height)? / 2.0) * RAD_PER_DEG;
        Ok(Region::Box(LonLatBox::new(
            LonInterval::point(lon).dilated_by(half_width),
            LatInterval::point(lat).dilated_by(half_height),
        )))
    }

    /// `POLYGON(ra1, dec1, ra2, dec2, ...)`: the convex hull of the vertices, with sphgeom's
    /// vertex order.
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// // The interior point (5, 1) is not a vertex of the hull.
    /// let triangle = Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0), (5.0, 1.0)])?;
    /// assert_eq!(triangle, Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0)])?);
    /// assert!(Region::polygon(&[(0.0, 0.0), (10.0, 0.0)]).is_err());
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When there are fewer than 3 vertices, a coordinate is not finite or a `dec` is outside
    /// [-90, 90], fewer than 3 vertices are distinct and off one great circle, or the hull would
    /// be the whole sphere.
    pub fn polygon(vertices: &[(f64, f64)]) -> Result<Region, RegionError> {
        polygon_from("POLYGON", vertices)
    }

    /// `REGION('<pos>')`: an IVOA SIAv2 `POS` string, as `lsst.sphgeom.Region.from_ivoa_pos`
    /// reads it.
    ///
    /// - `CIRCLE ra dec radius`: a circle of angular radius `radius` (not doubled, unlike the
    ///   `CIRCLE()` function);
    /// - `RANGE ra1 ra2 dec1 dec2`: a box from `ra1` to `ra2` (wrapping through 0 when
    ///   `ra1 > ra2`) and `dec1` to `dec2`; `-inf`/`+inf` mean 0/360 for right ascension and
    ///   -90/90 for declination; `dec1 > dec2` gives an empty box, as in sphgeom;
    /// - `POLYGON ra1 dec1 ra2 dec2 ra3 dec3 ...`: the convex hull of the vertices.
    ///
    /// The shape name is case-sensitive; numbers are read as Python's `float()` reads them.
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// let circle = Region::from_pos("CIRCLE 10 20 1")?;
    /// assert_eq!(circle, Region::circle(10.0, 20.0, 0.5)?);
    /// let band = Region::from_pos("RANGE -inf +inf -10 10")?;
    /// assert!(band.overlaps(&Region::point(123.0, 9.9)?));
    /// assert!(Region::from_pos("ELLIPSE 0 0 1 1 0").is_err());
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the shape is unknown, the count of numbers is wrong, a word is not a number, or the
    /// values are invalid as for [`Region::circle`] and [`Region::polygon`].
    pub fn from_pos(pos: &str) -> Result<Region, RegionError> {
        let invalid = |reason: String| RegionError::InvalidPos {
            pos: pos.to_owned(),
            reason,
        };
        let mut words = pos.split_whitespace();
        let shape = words.next().ok_or_else(|| {
            invalid(
                "it is empty; expected `CIRCLE`, `RANGE` or `POLYGON` followed by numbers".into(),
            )
        })?;
        let numbers = words
            .map(|word| {
                parse_python_float(word).ok_or_else(|| invalid(format!("`{word}` is not a number")))
            })
            .collect::<Result<Vec<f64>, RegionError>>()?;
        let n = numbers.len();
        match (shape, numbers.as_slice()) {
            ("CIRCLE", &[ra, dec, radius]) => {
                let center = unit_vector("REGION", ra, dec)?;
                let radius = size("REGION", "radius", radius)?;
                Ok(Region::Circle(Circle::new(center, radius * RAD_PER_DEG)))
            }
            ("CIRCLE", _) => Err(invalid(format!("`CIRCLE` needs 3 numbers, found {n}"))),
            ("RANGE", &[ra1, ra2, dec1, dec2]) => {
                // POS allows infinite bounds; sphgeom's boxes do not.
                let ra = |x: f64| infinity_to(x, 0.0, 360.0);
                let dec = |x: f64| infinity_to(x, -90.0, 90.0);
                let (lon1, lat1) = lon_lat("REGION", ra(ra1), dec(dec1))?;
                let (lon2, lat2) = lon_lat("REGION", ra(ra2), dec(dec2))?;
                Ok(Region::Box(LonLatBox::new(
                    LonInterval { a: lon1, b: lon2 },
                    LatInterval { a: lat1, b: lat2 },
                )))
            }
            ("RANGE", _) => Err(invalid(format!("`RANGE` needs 4 numbers, found {n}"))),
            ("POLYGON", _) if n % 2 != 0 => Err(invalid(format!(
                "`POLYGON` needs an even count of numbers (ra dec pairs), found {n}"
            ))),
            ("POLYGON", _) if n < 6 => Err(invalid(format!(
                "`POLYGON` needs at least 3 vertices, found {}",
                n / 2
            ))),
            ("POLYGON", _) => {
                let vertices: Vec<(f64, f64)> =
                    numbers.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                polygon_from("REGION", &vertices)
            }
            _ => Err(invalid(format!(
                "unknown shape `{shape}`; expected `CIRCLE`, `RANGE` or `POLYGON`"
            ))),
        }
    }

    /// Whether the two regions overlap as daf_butler decides it for `a OVERLAPS b`: unless
    /// sphgeom's `a.overlaps(b)` is `False` (see the module documentation).
    ///
    /// # Examples
    ///
    /// ```
    /// use satellite_core::model::Region;
    ///
    /// let triangle = Region::polygon(&[(0.0, 0.0), (10.0, 0.0), (5.0, 5.0)])?;
    /// assert!(triangle.overlaps(&Region::circle(5.0, -1.0, 1.0)?));
    /// assert!(!triangle.overlaps(&Region::circle(5.0, -3.0, 1.0)?));
    /// // sphgeom compares a box with the bounding box of a polygon: this box misses the
    /// // triangle but is inside its bounding box, so the answer is "unknown", kept as overlapping.
    /// assert!(triangle.overlaps(&Region::box_(9.0, 4.0, 1.0, 1.0)?));
    /// # Ok::<(), satellite_core::model::RegionError>(())
    /// ```
    pub fn overlaps(&self, other: &Region) -> bool {
        !relate::known_disjoint(self, other)
    }

    /// sphgeom's `isEmpty()`, quirks included: it is `true` for every `ConvexPolygon`. It only
    /// matters for an intersection without operands, which overlaps every non-empty region.
    fn is_empty_as_sphgeom(&self) -> bool {
        match self {
            Region::ConvexPolygon(_) => true,
            Region::Circle(c) => c.is_empty(),
            Region::Box(b) => b.is_empty(),
            Region::Ellipse(e) => e.is_empty(),
            Region::Union(operands) => operands.iter().all(Region::is_empty_as_sphgeom),
            Region::Intersection(operands) => {
                if operands.is_empty() {
                    return false;
                }
                if operands.iter().all(Region::is_empty_as_sphgeom) {
                    return true;
                }
                operands.iter().enumerate().any(|(i, a)| {
                    operands[i + 1..]
                        .iter()
                        .any(|b| relate::known_disjoint(a, b))
                })
            }
        }
    }
}

impl PartialEq for Region {
    fn eq(&self, other: &Region) -> bool {
        self.encode() == other.encode()
    }
}

impl Circle {
    /// sphgeom's `Circle(center, angle)`.
    fn new(center: Vec3, opening_angle: f64) -> Circle {
        Circle {
            center,
            squared_chord_length: squared_chord_length_for(opening_angle),
            opening_angle,
        }
    }

    fn is_empty(&self) -> bool {
        self.squared_chord_length.is_nan() || self.squared_chord_length < 0.0
    }

    fn is_full(&self) -> bool {
        self.squared_chord_length >= 4.0
    }
}

impl LonLatBox {
    const EMPTY: LonLatBox = LonLatBox {
        lon: LonInterval::EMPTY,
        lat: LatInterval::EMPTY,
    };

    /// sphgeom's `Box(lon, lat)`: latitudes clipped to the poles, and both intervals empty if
    /// either is.
    fn new(lon: LonInterval, lat: LatInterval) -> LonLatBox {
        let lat = lat.clipped_to_latitudes();
        if lat.is_empty() {
            LonLatBox {
                lon: LonInterval::EMPTY,
                lat,
            }
        } else if lon.is_empty() {
            LonLatBox {
                lon,
                lat: LatInterval::EMPTY,
            }
        } else {
            LonLatBox { lon, lat }
        }
    }

    fn is_empty(&self) -> bool {
        self.lat.is_empty()
    }

    fn is_full(&self) -> bool {
        self.lon.is_full() && self.lat.a == -HALF_PI && self.lat.b == HALF_PI
    }

    fn contains(&self, lon: f64, lat: f64) -> bool {
        self.lat.contains(lat) && self.lon.contains(lon)
    }

    /// Grows this box to cover `other` (sphgeom's `Box::expandTo`, without re-clipping).
    fn expand_to(&mut self, other: &LonLatBox) {
        self.lon.expand_to(other.lon);
        self.lat.expand_to(other.lat);
    }
}

impl Ellipse {
    fn from_encoded(encoded: [f64; 14]) -> Ellipse {
        // The centre is the last row of the transform matrix; the semi-axis angles are a and b
        // shifted by π/2 (sphgeom's `getAlpha`, `getBeta` and `getBoundingCircle`).
        let center = Vec3::new(encoded[6], encoded[7], encoded[8]);
        let (alpha, beta) = (HALF_PI + encoded[9], HALF_PI + encoded[10]);
        let radius = max(alpha, beta) + 2.0 * MAX_ASIN_ERROR;
        Ellipse {
            encoded,
            bounding_circle: Circle::new(center, radius),
        }
    }

    fn bounding_circle(&self) -> &Circle {
        &self.bounding_circle
    }

    fn is_empty(&self) -> bool {
        HALF_PI + self.encoded[9] < self.encoded[11]
    }
}

/// A finite right ascension and a declination within ±90°, in radians, with the right ascension
/// normalised (sphgeom's `LonLat.fromDegrees`).
fn lon_lat(function: &'static str, ra: f64, dec: f64) -> Result<(f64, f64), RegionError> {
    let not_finite = |argument, value: f64| RegionError::NotFinite {
        function,
        argument,
        value: value.to_string(),
    };
    if !ra.is_finite() {
        return Err(not_finite("right ascension", ra));
    }
    if !dec.is_finite() {
        return Err(not_finite("declination", dec));
    }
    let lat = dec * RAD_PER_DEG;
    if lat.abs() > HALF_PI {
        return Err(RegionError::LatitudeOutOfRange {
            function,
            value: dec.to_string(),
        });
    }
    Ok((normalize_angle(ra * RAD_PER_DEG), lat))
}

/// sphgeom's `UnitVector3d(LonLat.fromDegrees(ra, dec))`.
fn unit_vector(function: &'static str, ra: f64, dec: f64) -> Result<Vec3, RegionError> {
    let (lon, lat) = lon_lat(function, ra, dec)?;
    Ok(Vec3::from_lon_lat(lon, lat))
}

/// A finite, non-negative size in degrees.
fn size(function: &'static str, argument: &'static str, value: f64) -> Result<f64, RegionError> {
    if !value.is_finite() {
        return Err(RegionError::NotFinite {
            function,
            argument,
            value: value.to_string(),
        });
    }
    if value < 0.0 {
        return Err(RegionError::Negative {
            function,
            argument,
            value: value.to_string(),
        });
    }
    Ok(value)
}

fn polygon_from(function: &'static str, vertices: &[(f64, f64)]) -> Result<Region, RegionError> {
    if vertices.len() < 3 {
        return Err(RegionError::TooFewVertices {
            function,
            found: vertices.len(),
        });
    }
    let points = vertices
        .iter()
        .map(|&(ra, dec)| unit_vector(function, ra, dec))
        .collect::<Result<Vec<Vec3>, RegionError>>()?;
    match hull::convex_hull(&points) {
        Ok(vertices) => Ok(Region::ConvexPolygon(ConvexPolygon { vertices })),
        Err(HullError::NotEnoughPoints) => Err(RegionError::DegeneratePolygon { function }),
        Err(HullError::AntipodalPoints) => Err(RegionError::HullIsSphere { function }),
    }
}

/// `x`, or `low`/`high` for -∞/+∞ (sphgeom's `_inf_to_limit`).
fn infinity_to(x: f64, low: f64, high: f64) -> f64 {
    if x == f64::INFINITY {
        high
    } else if x == f64::NEG_INFINITY {
        low
    } else {
        x
    }
}

/// A number as Python's `float()` reads it: Rust's syntax plus `_` between digits.
fn parse_python_float(word: &str) -> Option<f64> {
    if !word.contains('_') {
        return word.parse().ok();
    }
    let bytes = word.as_bytes();
    let digits_around = |i: usize| {
        i > 0
            && bytes.get(i - 1).is_some_and(u8::is_ascii_digit)
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
    };
    let underscores_valid = bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b != b'_' || digits_around(i));
    if !underscores_valid {
        return None;
    }
    word.replace('_', "").parse().ok()
}

#[cfg(test)]
mod tests;
