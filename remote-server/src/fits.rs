//! A minimal FITS writer: primary images and one binary table, enough for the demo repository's
//! small real files (`demo-repo`).
//!
//! It follows the FITS Standard 4.0: a file is a sequence of header-data units (HDUs); a header
//! is 80-character ASCII cards ending with `END`, padded with spaces to a multiple of 2880
//! bytes; data are big-endian and padded with zero bytes to a multiple of 2880 bytes.
//! The writer emits the mandatory keywords itself (`SIMPLE`, `BITPIX`, `NAXISn`, `BZERO`,
//! `XTENSION`, `TFORMn`, ...), in the order the standard requires; callers add the rest with a
//! [`Header`], which refuses those reserved keywords, non-ASCII text and cards over 80
//! characters instead of writing a file other readers would reject.
//!
//! Output is a pure function of the input: the same image and header give the same bytes.
//!
//! # Examples
//!
//! ```
//! use butler_server::fits::{image_file, Header, Image};
//!
//! let mut header = Header::new();
//! header.set("INSTRUME", "DemoCam", "instrument name")?;
//! header.set("EXPTIME", 30.0, "exposure time [s]")?;
//! let image = Image::f32(2, 2, vec![1.0, 2.0, 3.0, 4.0])?;
//! let bytes = image_file(&header, &image)?;
//! assert_eq!(bytes.len(), 2 * 2880);
//! assert!(bytes.starts_with(b"SIMPLE  =                    T"));
//! # Ok::<(), butler_server::fits::FitsError>(())
//! ```

use std::fmt;

/// The FITS block size: headers and data are padded to a multiple of it.
pub const BLOCK: usize = 2880;

/// The length of one header card.
const CARD: usize = 80;

/// Keywords the writer sets itself; a [`Header`] refuses them.
const RESERVED: [&str; 12] = [
    "SIMPLE", "BITPIX", "NAXIS", "EXTEND", "BSCALE", "BZERO", "XTENSION", "PCOUNT", "GCOUNT",
    "TFIELDS", "EXTNAME", "END",
];

/// Indexed keywords (`NAXIS1`, `TFORM3`) the writer sets itself.
const RESERVED_PREFIXES: [&str; 4] = ["NAXIS", "TTYPE", "TFORM", "TUNIT"];

/// Why a FITS file could not be written.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FitsError {
    /// A keyword is empty, longer than 8 characters, or uses characters other than `A-Z`,
    /// `0-9`, `-` and `_`.
    InvalidKeyword(String),
    /// A keyword the writer sets itself (`NAXIS1`, `BZERO`, ...).
    ReservedKeyword(String),
    /// A value or comment holds a character outside printable ASCII.
    NotAscii {
        /// The card's keyword.
        keyword: String,
    },
    /// A floating-point value is NaN or infinite, which headers cannot hold.
    NotFinite {
        /// The card's keyword.
        keyword: String,
    },
    /// The card would be longer than 80 characters.
    CardTooLong {
        /// The card's keyword.
        keyword: String,
        /// The length it would have.
        length: usize,
    },
    /// The pixel or row count does not match the declared shape.
    ShapeMismatch(String),
}

impl fmt::Display for FitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKeyword(k) => write!(
                f,
                "`{k}` is not a FITS keyword; use 1 to 8 characters of `A-Z`, `0-9`, `-` and `_`"
            ),
            Self::ReservedKeyword(k) => write!(
                f,
                "`{k}` is written by the FITS writer itself and cannot be set in a header"
            ),
            Self::NotAscii { keyword } => write!(
                f,
                "the card `{keyword}` holds a character outside printable ASCII, which FITS headers cannot store"
            ),
            Self::NotFinite { keyword } => write!(
                f,
                "the card `{keyword}` holds a NaN or infinite number, which FITS headers cannot store"
            ),
            Self::CardTooLong { keyword, length } => write!(
                f,
                "the card `{keyword}` would be {length} characters long; FITS cards hold 80, so shorten its value or comment"
            ),
            Self::ShapeMismatch(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for FitsError {}

/// The value of a header card.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `T` or `F`.
    Logical(bool),
    /// An integer.
    Int(i64),
    /// A real number (finite).
    Float(f64),
    /// A character string (printable ASCII, at most 68 characters).
    Str(String),
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Logical(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Self::Int(i64::from(v))
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Self::Int(i64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}

/// The cards a caller adds to a header, each already rendered and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    cards: Vec<String>,
}

impl Header {
    /// An empty header.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `KEYWORD = value / comment` (an empty comment writes none).
    ///
    /// # Errors
    /// [`FitsError::InvalidKeyword`], [`FitsError::ReservedKeyword`], [`FitsError::NotAscii`],
    /// [`FitsError::NotFinite`], [`FitsError::CardTooLong`].
    pub fn set(
        &mut self,
        keyword: &str,
        value: impl Into<Value>,
        comment: &str,
    ) -> Result<&mut Self, FitsError> {
        check_keyword(keyword)?;
        if is_reserved(keyword) {
            return Err(FitsError::ReservedKeyword(keyword.to_owned()));
        }
        self.cards
            .push(value_card(keyword, &value.into(), comment)?);
        Ok(self)
    }

    /// Appends a `COMMENT` card.
    ///
    /// # Errors
    /// [`FitsError::NotAscii`], [`FitsError::CardTooLong`] (the text holds at most 72 characters).
    pub fn comment(&mut self, text: &str) -> Result<&mut Self, FitsError> {
        check_ascii("COMMENT", text)?;
        let card = format!("COMMENT {text}");
        check_length("COMMENT", &card)?;
        self.cards.push(card);
        Ok(self)
    }

    /// The number of cards added.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// Whether no card was added.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }
}

/// The pixels of an image.
#[derive(Debug, Clone, PartialEq)]
pub enum Pixels {
    /// Unsigned 16-bit integers, stored as `BITPIX = 16` with `BZERO = 32768`, as cameras
    /// write raw counts.
    U16(Vec<u16>),
    /// IEEE 32-bit floats, `BITPIX = -32`.
    F32(Vec<f32>),
}

/// A two-dimensional image, stored row by row (`NAXIS1` is the row length).
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    width: usize,
    height: usize,
    pixels: Pixels,
}

impl Image {
    /// An unsigned 16-bit image.
    ///
    /// # Errors
    /// [`FitsError::ShapeMismatch`] unless `pixels.len() == width * height` and both are non-zero.
    pub fn u16(width: usize, height: usize, pixels: Vec<u16>) -> Result<Self, FitsError> {
        check_shape(width, height, pixels.len())?;
        Ok(Self {
            width,
            height,
            pixels: Pixels::U16(pixels),
        })
    }

    /// A 32-bit floating-point image.
    ///
    /// # Errors
    /// [`FitsError::ShapeMismatch`] unless `pixels.len() == width * height` and both are non-zero.
    pub fn f32(width: usize, height: usize, pixels: Vec<f32>) -> Result<Self, FitsError> {
        check_shape(width, height, pixels.len())?;
        Ok(Self {
            width,
            height,
            pixels: Pixels::F32(pixels),
        })
    }

    /// The pixels.
    pub fn pixels(&self) -> &Pixels {
        &self.pixels
    }
}

fn check_shape(width: usize, height: usize, len: usize) -> Result<(), FitsError> {
    if width == 0 || height == 0 || width.checked_mul(height) != Some(len) {
        return Err(FitsError::ShapeMismatch(format!(
            "an image of {width}×{height} pixels cannot be made of {len} values"
        )));
    }
    Ok(())
}

/// The values of one binary-table column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// 64-bit integers (`TFORM = 'K'`).
    I64(Vec<i64>),
    /// 32-bit floats (`E`).
    F32(Vec<f32>),
    /// 64-bit floats (`D`).
    F64(Vec<f64>),
    /// Fixed-width ASCII strings (`nA`), padded with spaces; longer values are refused.
    Str {
        /// The width in characters.
        width: usize,
        /// The values.
        values: Vec<String>,
    },
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            Self::I64(v) => v.len(),
            Self::F32(v) => v.len(),
            Self::F64(v) => v.len(),
            Self::Str { values, .. } => values.len(),
        }
    }

    fn tform(&self) -> String {
        match self {
            Self::I64(_) => "K".to_owned(),
            Self::F32(_) => "E".to_owned(),
            Self::F64(_) => "D".to_owned(),
            Self::Str { width, .. } => format!("{width}A"),
        }
    }

    fn width(&self) -> usize {
        match self {
            Self::I64(_) | Self::F64(_) => 8,
            Self::F32(_) => 4,
            Self::Str { width, .. } => *width,
        }
    }

    fn write_cell(&self, row: usize, out: &mut Vec<u8>) {
        match self {
            Self::I64(v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Self::F32(v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Self::F64(v) => out.extend_from_slice(&v[row].to_be_bytes()),
            Self::Str { width, values } => {
                let bytes = values[row].as_bytes();
                out.extend_from_slice(bytes);
                out.resize(out.len() + (width - bytes.len()), b' ');
            }
        }
    }
}

/// A named binary-table column with an optional unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// `TTYPEn`.
    pub name: String,
    /// `TUNITn`; empty writes none.
    pub unit: String,
    /// The values, one per row.
    pub data: ColumnData,
}

/// A binary table (`XTENSION = 'BINTABLE'`) of equally long columns.
#[derive(Debug, Clone, PartialEq)]
pub struct BinTable {
    /// `EXTNAME`.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
}

/// A single-HDU FITS file holding `image` in its primary HDU, with `header`'s cards after the
/// mandatory ones.
///
/// # Errors
/// [`FitsError::ShapeMismatch`] if the image is too large for FITS.
pub fn image_file(header: &Header, image: &Image) -> Result<Vec<u8>, FitsError> {
    let (bitpix, scaled) = match image.pixels {
        Pixels::U16(_) => (16, true),
        Pixels::F32(_) => (-32, false),
    };
    let mut cards = vec![
        value_card("SIMPLE", &Value::Logical(true), "conforms to FITS standard")?,
        value_card("BITPIX", &Value::Int(bitpix), "array data type")?,
        value_card("NAXIS", &Value::Int(2), "number of array dimensions")?,
        value_card("NAXIS1", &Value::Int(to_i64(image.width)?), "")?,
        value_card("NAXIS2", &Value::Int(to_i64(image.height)?), "")?,
    ];
    if scaled {
        cards.push(value_card(
            "BZERO",
            &Value::Float(32768.0),
            "unsigned 16-bit data",
        )?);
        cards.push(value_card("BSCALE", &Value::Float(1.0), "")?);
    }
    let mut out = header_bytes(&cards, header);
    match &image.pixels {
        Pixels::U16(values) => {
            out.reserve(values.len() * 2 + BLOCK);
            for v in values {
                // Stored value = physical value - BZERO: flipping the top bit subtracts 32768.
                out.extend_from_slice(&(v ^ 0x8000).to_be_bytes());
            }
        }
        Pixels::F32(values) => {
            out.reserve(values.len() * 4 + BLOCK);
            for v in values {
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
    }
    pad(&mut out, 0);
    Ok(out)
}

/// A two-HDU FITS file: an empty primary HDU carrying `primary`'s cards, then `table` as a
/// binary-table extension carrying `table_header`'s cards.
///
/// # Errors
/// [`FitsError::ShapeMismatch`] for columns of different lengths, no columns, or a string longer
/// than its column; card errors as in [`Header::set`] for column names and units.
pub fn table_file(
    primary: &Header,
    table: &BinTable,
    table_header: &Header,
) -> Result<Vec<u8>, FitsError> {
    let rows = table.columns.first().map_or(0, |c| c.data.len());
    if table.columns.is_empty() {
        return Err(FitsError::ShapeMismatch(format!(
            "the table `{}` has no columns",
            table.name
        )));
    }
    for c in &table.columns {
        if c.data.len() != rows {
            return Err(FitsError::ShapeMismatch(format!(
                "column `{}` of table `{}` has {} rows, the first column {rows}",
                c.name,
                table.name,
                c.data.len()
            )));
        }
        if let ColumnData::Str { width, values } = &c.data {
            if *width == 0 {
                return Err(FitsError::ShapeMismatch(format!(
                    "string column `{}` needs a width of at least 1",
                    c.name
                )));
            }
            if let Some(v) = values.iter().find(|v| v.len() > *width) {
                return Err(FitsError::ShapeMismatch(format!(
                    "`{v}` does not fit the {width} characters of column `{}`",
                    c.name
                )));
            }
            for v in values {
                check_ascii(&c.name, v)?;
            }
        }
    }
    let primary_cards = [
        value_card("SIMPLE", &Value::Logical(true), "conforms to FITS standard")?,
        value_card("BITPIX", &Value::Int(8), "array data type")?,
        value_card("NAXIS", &Value::Int(0), "no primary data")?,
        value_card("EXTEND", &Value::Logical(true), "extensions follow")?,
    ];
    let mut out = header_bytes(&primary_cards, primary);
    let row_width: usize = table.columns.iter().map(|c| c.data.width()).sum();
    let mut cards = vec![
        value_card(
            "XTENSION",
            &Value::from("BINTABLE"),
            "binary table extension",
        )?,
        value_card("BITPIX", &Value::Int(8), "8-bit bytes")?,
        value_card("NAXIS", &Value::Int(2), "2-dimensional table")?,
        value_card("NAXIS1", &Value::Int(to_i64(row_width)?), "bytes per row")?,
        value_card("NAXIS2", &Value::Int(to_i64(rows)?), "number of rows")?,
        value_card("PCOUNT", &Value::Int(0), "no heap")?,
        value_card("GCOUNT", &Value::Int(1), "one table")?,
        value_card(
            "TFIELDS",
            &Value::Int(to_i64(table.columns.len())?),
            "number of columns",
        )?,
    ];
    for (i, c) in table.columns.iter().enumerate() {
        let n = i + 1;
        cards.push(value_card(
            &format!("TTYPE{n}"),
            &Value::from(c.name.as_str()),
            "",
        )?);
        cards.push(value_card(
            &format!("TFORM{n}"),
            &Value::from(c.data.tform()),
            "",
        )?);
        if !c.unit.is_empty() {
            cards.push(value_card(
                &format!("TUNIT{n}"),
                &Value::from(c.unit.as_str()),
                "",
            )?);
        }
    }
    cards.push(value_card(
        "EXTNAME",
        &Value::from(table.name.as_str()),
        "",
    )?);
    out.extend(header_bytes(&cards, table_header));
    let start = out.len();
    out.reserve(row_width * rows + BLOCK);
    for row in 0..rows {
        for c in &table.columns {
            c.data.write_cell(row, &mut out);
        }
    }
    debug_assert_eq!(out.len() - start, row_width * rows);
    pad(&mut out, 0);
    Ok(out)
}

/// The mandatory cards, the caller's cards and `END`, padded with spaces to a block.
fn header_bytes(mandatory: &[String], header: &Header) -> Vec<u8> {
    let mut out = Vec::with_capacity(BLOCK);
    for card in mandatory.iter().chain(&header.cards) {
        out.extend_from_slice(card.as_bytes());
        out.resize(out.len() + (CARD - card.len()), b' ');
    }
    out.extend_from_slice(b"END");
    out.resize(out.len() + (CARD - 3), b' ');
    pad(&mut out, b' ');
    out
}

fn pad(out: &mut Vec<u8>, fill: u8) {
    let rem = out.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + (BLOCK - rem), fill);
    }
}

fn to_i64(n: usize) -> Result<i64, FitsError> {
    i64::try_from(n)
        .map_err(|_| FitsError::ShapeMismatch(format!("{n} is too large for a FITS header")))
}

fn check_keyword(keyword: &str) -> Result<(), FitsError> {
    let ok = !keyword.is_empty()
        && keyword.len() <= 8
        && keyword
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(FitsError::InvalidKeyword(keyword.to_owned()))
    }
}

fn is_reserved(keyword: &str) -> bool {
    RESERVED.contains(&keyword)
        || RESERVED_PREFIXES.iter().any(|p| {
            keyword
                .strip_prefix(p)
                .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        })
        || keyword == "COMMENT"
        || keyword == "HISTORY"
}

fn check_ascii(keyword: &str, text: &str) -> Result<(), FitsError> {
    if text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Ok(())
    } else {
        Err(FitsError::NotAscii {
            keyword: keyword.to_owned(),
        })
    }
}

fn check_length(keyword: &str, card: &str) -> Result<(), FitsError> {
    if card.len() <= CARD {
        Ok(())
    } else {
        Err(FitsError::CardTooLong {
            keyword: keyword.to_owned(),
            length: card.len(),
        })
    }
}

/// `KEYWORD = value / comment` in the fixed format: numbers and logicals right-justified to
/// column 30, strings quoted from column 11 and at least 8 characters between the quotes.
fn value_card(keyword: &str, value: &Value, comment: &str) -> Result<String, FitsError> {
    check_keyword(keyword)?;
    check_ascii(keyword, comment)?;
    let text = match value {
        Value::Logical(b) => format!("{:>20}", if *b { "T" } else { "F" }),
        Value::Int(i) => format!("{i:>20}"),
        Value::Float(x) => format!("{:>20}", float_text(keyword, *x)?),
        Value::Str(s) => {
            check_ascii(keyword, s)?;
            // Trailing spaces are not significant in FITS strings; quotes are doubled.
            format!("'{:<8}'", s.replace('\'', "''"))
        }
    };
    let mut card = format!("{keyword:<8}= {text}");
    if !comment.is_empty() {
        // Strings are left-justified, so pad them to where numbers end for aligned comments.
        if card.len() < 30 {
            card = format!("{card:<30}");
        }
        card.push_str(" / ");
        card.push_str(comment);
    }
    check_length(keyword, &card)?;
    Ok(card)
}

/// A real number as FITS writes it: always with a decimal point, exponent letter `E`, and the
/// shortest digits that read back as the same `f64`.
fn float_text(keyword: &str, x: f64) -> Result<String, FitsError> {
    if !x.is_finite() {
        return Err(FitsError::NotFinite {
            keyword: keyword.to_owned(),
        });
    }
    // `Debug` prints the shortest round-tripping digits, switching to `1e-7` style for very
    // small and very large magnitudes.
    let s = format!("{x:?}");
    Ok(match s.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!("{mantissa}E{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
        None => s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(bytes: &[u8]) -> Vec<String> {
        bytes
            .chunks(CARD)
            .map(|c| String::from_utf8(c.to_vec()).unwrap().trim_end().to_owned())
            .take_while(|c| c != "END")
            .collect()
    }

    fn check_card(keyword: &str, value: impl Into<Value>, comment: &str, expect: &str) {
        let card = value_card(keyword, &value.into(), comment).unwrap();
        assert_eq!(card, expect);
        assert!(card.len() <= CARD);
    }

    #[test]
    fn cards_use_the_fixed_format() {
        check_card("SIMPLE", true, "", "SIMPLE  =                    T");
        check_card("NAXIS1", 32_i64, "", "NAXIS1  =                   32");
        check_card("BITPIX", -32_i64, "", "BITPIX  =                  -32");
        check_card("EXPTIME", 30.0, "", "EXPTIME =                 30.0");
        check_card("TINY", 1e-7, "", "TINY    =               1.0E-7");
        check_card("HUGE", -2.5e20, "", "HUGE    =              -2.5E20");
        check_card("OBJECT", "x", "", "OBJECT  = 'x       '");
        check_card("OBSERVER", "O'Hara", "", "OBSERVER= 'O''Hara '");
        check_card(
            "FILTER",
            "DemoCam-r",
            "physical filter",
            "FILTER  = 'DemoCam-r'          / physical filter",
        );
        check_card(
            "VISIT",
            7_i64,
            "visit ID",
            "VISIT   =                    7 / visit ID",
        );
    }

    #[test]
    fn bad_cards_are_refused() {
        let mut h = Header::new();
        assert_eq!(
            h.set("naxis", 1_i64, "").unwrap_err(),
            FitsError::InvalidKeyword("naxis".into())
        );
        assert_eq!(
            h.set("TOOLONGKEY", 1_i64, "").unwrap_err(),
            FitsError::InvalidKeyword("TOOLONGKEY".into())
        );
        for reserved in ["NAXIS2", "BZERO", "TFORM1", "END", "COMMENT"] {
            assert_eq!(
                h.set(reserved, 1_i64, "").unwrap_err(),
                FitsError::ReservedKeyword(reserved.into())
            );
        }
        assert!(
            h.set("TFORMX", 1_i64, "").is_ok(),
            "only indexed forms are reserved"
        );
        assert!(matches!(
            h.set("OBJECT", "é", "").unwrap_err(),
            FitsError::NotAscii { .. }
        ));
        assert!(matches!(
            h.set("MEAN", f64::NAN, "").unwrap_err(),
            FitsError::NotFinite { .. }
        ));
        let long = "x".repeat(69);
        assert!(matches!(
            h.set("OBJECT", long.as_str(), "").unwrap_err(),
            FitsError::CardTooLong { length: 81, .. }
        ));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn images_are_blocked_and_big_endian() {
        let mut h = Header::new();
        h.set("OBJECT", "demo", "").unwrap();
        h.comment("synthetic").unwrap();
        let bytes = image_file(&h, &Image::u16(2, 1, vec![0, 40000]).unwrap()).unwrap();
        assert_eq!(bytes.len(), 2 * BLOCK);
        assert_eq!(
            cards(&bytes[..BLOCK]),
            [
                "SIMPLE  =                    T / conforms to FITS standard",
                "BITPIX  =                   16 / array data type",
                "NAXIS   =                    2 / number of array dimensions",
                "NAXIS1  =                    2",
                "NAXIS2  =                    1",
                "BZERO   =              32768.0 / unsigned 16-bit data",
                "BSCALE  =                  1.0",
                "OBJECT  = 'demo    '",
                "COMMENT synthetic",
            ]
        );
        // 0 - 32768 = -32768 = 0x8000; 40000 - 32768 = 7232 = 0x1c40.
        assert_eq!(&bytes[BLOCK..BLOCK + 4], &[0x80, 0x00, 0x1c, 0x40]);
        assert!(bytes[BLOCK + 4..].iter().all(|b| *b == 0));

        let f = image_file(&Header::new(), &Image::f32(1, 1, vec![1.0]).unwrap()).unwrap();
        assert_eq!(&f[BLOCK..BLOCK + 4], &1.0_f32.to_be_bytes());
        assert_eq!(
            image_file(&Header::new(), &Image::f32(1, 1, vec![1.0]).unwrap()).unwrap(),
            f,
            "the same input gives the same bytes"
        );
    }

    #[test]
    fn image_shapes_must_match() {
        assert!(Image::f32(2, 2, vec![0.0; 3]).is_err());
        assert!(Image::u16(0, 0, vec![]).is_err());
    }

    #[test]
    fn tables_have_an_empty_primary_and_a_bintable() {
        let table = BinTable {
            name: "SUMMARY".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    unit: String::new(),
                    data: ColumnData::I64(vec![1, 2]),
                },
                Column {
                    name: "band".into(),
                    unit: String::new(),
                    data: ColumnData::Str {
                        width: 3,
                        values: vec!["r".into(), "g".into()],
                    },
                },
                Column {
                    name: "psfSigma".into(),
                    unit: "pixel".into(),
                    data: ColumnData::F32(vec![1.5, 2.0]),
                },
            ],
        };
        let bytes = table_file(&Header::new(), &table, &Header::new()).unwrap();
        assert_eq!(bytes.len(), 3 * BLOCK);
        let ext = cards(&bytes[BLOCK..2 * BLOCK]);
        assert_eq!(
            ext[0],
            "XTENSION= 'BINTABLE'           / binary table extension"
        );
        assert!(ext.contains(&"NAXIS1  =                   15 / bytes per row".to_owned()));
        assert!(ext.contains(&"TFORM2  = '3A      '".to_owned()));
        assert!(ext.contains(&"TUNIT3  = 'pixel   '".to_owned()));
        let data = &bytes[2 * BLOCK..];
        assert_eq!(&data[..8], &1_i64.to_be_bytes());
        assert_eq!(&data[8..11], b"r  ");
        assert_eq!(&data[11..15], &1.5_f32.to_be_bytes());

        let mut ragged = table.clone();
        ragged.columns[0].data = ColumnData::I64(vec![1]);
        assert!(table_file(&Header::new(), &ragged, &Header::new()).is_err());
        let mut too_wide = table;
        too_wide.columns[1].data = ColumnData::Str {
            width: 3,
            values: vec!["long".into(), "g".into()],
        };
        assert!(table_file(&Header::new(), &too_wide, &Header::new()).is_err());
    }
}
