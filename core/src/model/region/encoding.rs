//! lsst.sphgeom's binary region encoding (`Region.encode()`), and the hex text records hold.
//!
//! Every simple region is a type byte followed by little-endian doubles:
//!
//! | type byte | class | payload |
//! |---|---|---|
//! | `70` (`p`) | `ConvexPolygon` | x, y, z of each vertex (at least 3) |
//! | `63` (`c`) | `Circle` | centre x, y, z; squared chord length; opening angle (radians) |
//! | `62` (`b`) | `Box` | longitude a, b; latitude a, b (radians) |
//! | `65` (`e`) | `Ellipse` | 3×3 matrix (rows); a, b, γ; tan a, tan b (113 bytes in all) |
//!
//! Compound regions, `75` (`u`, `UnionRegion`) and `69` (`i`, `IntersectionRegion`), are the type
//! byte followed by, for each operand, its length as a little-endian u64 and its encoding.
//! Decoding flattens a union nested directly in a union (and likewise for intersections), as
//! sphgeom's constructors do.

use super::geometry::{LatInterval, LonInterval, Vec3};
use super::{Circle, ConvexPolygon, Ellipse, LonLatBox, Region, RegionError};

const POLYGON: u8 = b'p';
const CIRCLE: u8 = b'c';
const BOX: u8 = b'b';
const ELLIPSE: u8 = b'e';
const UNION: u8 = b'u';
const INTERSECTION: u8 = b'i';

/// How deeply compound regions may nest before decoding gives up (sphgeom has no limit, but no
/// real region comes near it, and the limit keeps hostile input from exhausting the stack).
const MAX_DEPTH: usize = 32;

/// The bytes spelled by a string of hex digits (either case).
pub(super) fn bytes_from_hex(hex: &str) -> Result<Vec<u8>, RegionError> {
    let digits = hex.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(RegionError::OddHexLength { len: digits.len() });
    }
    let value = |offset: usize| -> Result<u8, RegionError> {
        let digit = digits.get(offset).copied().unwrap_or(b'?');
        match digit {
            b'0'..=b'9' => Ok(digit - b'0'),
            b'a'..=b'f' => Ok(digit - b'a' + 10),
            b'A'..=b'F' => Ok(digit - b'A' + 10),
            _ => Err(RegionError::InvalidHexDigit {
                offset,
                found: hex
                    .get(offset..)
                    .and_then(|rest| rest.chars().next())
                    .unwrap_or('?'),
            }),
        }
    };
    (0..digits.len())
        .step_by(2)
        .map(|i| Ok(value(i)? << 4 | value(i + 1)?))
        .collect()
}

/// Lowercase hex digits for `bytes`.
pub(super) fn hex_from_bytes(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Decodes one region occupying all of `bytes`.
pub(super) fn decode(bytes: &[u8]) -> Result<Region, RegionError> {
    decode_at_depth(bytes, 0)
}

fn decode_at_depth(bytes: &[u8], depth: usize) -> Result<Region, RegionError> {
    let (&type_byte, payload) = bytes.split_first().ok_or(RegionError::EmptyEncoding)?;
    match type_byte {
        POLYGON => {
            if bytes.len() < 1 + 24 * 3 || payload.len() % 24 != 0 {
                return Err(wrong_length(
                    "ConvexPolygon",
                    "1 + 24 × n (n ≥ 3)",
                    bytes.len(),
                ));
            }
            let vertices = payload
                .chunks_exact(24)
                .map(|v| Vec3::new(read_f64(&v[..8]), read_f64(&v[8..16]), read_f64(&v[16..])))
                .collect();
            Ok(Region::ConvexPolygon(ConvexPolygon { vertices }))
        }
        CIRCLE => {
            let d = doubles::<5>("Circle", bytes, "41")?;
            Ok(Region::Circle(Circle {
                center: Vec3::new(d[0], d[1], d[2]),
                squared_chord_length: d[3],
                opening_angle: d[4],
            }))
        }
        BOX => {
            let d = doubles::<4>("Box", bytes, "33")?;
            let lon =
                LonInterval::from_angles(d[0], d[1]).ok_or(RegionError::InvalidBoxLongitude)?;
            let lat = LatInterval { a: d[2], b: d[3] };
            Ok(Region::Box(LonLatBox::new(lon, lat)))
        }
        ELLIPSE => {
            let d = doubles::<14>("Ellipse", bytes, "113")?;
            Ok(Region::Ellipse(Ellipse::from_encoded(d)))
        }
        UNION | INTERSECTION => {
            if depth >= MAX_DEPTH {
                return Err(RegionError::TooDeep { max: MAX_DEPTH });
            }
            let operands = decode_operands(type_byte, payload, depth)?;
            Ok(if type_byte == UNION {
                Region::Union(operands)
            } else {
                Region::Intersection(operands)
            })
        }
        _ => Err(RegionError::UnknownType { type_byte }),
    }
}

fn decode_operands(
    type_byte: u8,
    mut payload: &[u8],
    depth: usize,
) -> Result<Vec<Region>, RegionError> {
    let class = if type_byte == UNION {
        "UnionRegion"
    } else {
        "IntersectionRegion"
    };
    let mut operands = Vec::new();
    while !payload.is_empty() {
        let truncated = |claimed: u64, available: usize| RegionError::Truncated {
            class,
            claimed,
            available,
        };
        if payload.len() < 8 {
            return Err(truncated(8, payload.len()));
        }
        let (length, rest) = payload.split_at(8);
        let mut le = [0_u8; 8];
        le.iter_mut().zip(length).for_each(|(d, s)| *d = *s);
        let claimed = u64::from_le_bytes(le);
        let size = usize::try_from(claimed)
            .ok()
            .filter(|&size| size <= rest.len())
            .ok_or_else(|| truncated(claimed, rest.len()))?;
        let (operand, rest) = rest.split_at(size);
        match decode_at_depth(operand, depth + 1)? {
            // sphgeom's compound constructors splice in operands of the same kind.
            Region::Union(inner) if type_byte == UNION => operands.extend(inner),
            Region::Intersection(inner) if type_byte == INTERSECTION => operands.extend(inner),
            other => operands.push(other),
        }
        payload = rest;
    }
    Ok(operands)
}

fn wrong_length(class: &'static str, expected: &'static str, found: usize) -> RegionError {
    RegionError::WrongLength {
        class,
        expected,
        found,
    }
}

/// The `N` doubles after the type byte of an encoding that must hold exactly those
/// (`expected` spells its length for the error message).
fn doubles<const N: usize>(
    class: &'static str,
    bytes: &[u8],
    expected: &'static str,
) -> Result<[f64; N], RegionError> {
    if bytes.len() != 1 + 8 * N {
        return Err(wrong_length(class, expected, bytes.len()));
    }
    let mut out = [0.0; N];
    for (value, chunk) in out.iter_mut().zip(bytes[1..].chunks_exact(8)) {
        *value = read_f64(chunk);
    }
    Ok(out)
}

fn read_f64(chunk: &[u8]) -> f64 {
    let mut le = [0_u8; 8];
    le.iter_mut().zip(chunk).for_each(|(d, s)| *d = *s);
    f64::from_le_bytes(le)
}

/// Appends the sphgeom encoding of `region` to `out`.
pub(super) fn encode(region: &Region, out: &mut Vec<u8>) {
    let doubles = |type_byte: u8, values: &[f64], out: &mut Vec<u8>| {
        out.push(type_byte);
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    };
    match region {
        Region::ConvexPolygon(p) => {
            let values: Vec<f64> = p.vertices.iter().flat_map(|v| [v.x, v.y, v.z]).collect();
            doubles(POLYGON, &values, out);
        }
        Region::Circle(c) => doubles(
            CIRCLE,
            &[
                c.center.x,
                c.center.y,
                c.center.z,
                c.squared_chord_length,
                c.opening_angle,
            ],
            out,
        ),
        Region::Box(b) => doubles(BOX, &[b.lon.a, b.lon.b, b.lat.a, b.lat.b], out),
        Region::Ellipse(e) => doubles(ELLIPSE, &e.encoded, out),
        Region::Union(operands) => encode_compound(UNION, operands, out),
        Region::Intersection(operands) => encode_compound(INTERSECTION, operands, out),
    }
}

fn encode_compound(type_byte: u8, operands: &[Region], out: &mut Vec<u8>) {
    out.push(type_byte);
    for operand in operands {
        let mut inner = Vec::new();
        encode(operand, &mut inner);
        out.extend_from_slice(&(inner.len() as u64).to_le_bytes());
        out.extend_from_slice(&inner);
    }
}
