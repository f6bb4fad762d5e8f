//! File templates: where a dataset's artifact goes inside the datastore root.
//!
//! The syntax and the rules are the Python Butler's (`BUTLER_CONCEPTS.md` §6.2), so a
//! repository written by either program has the same layout:
//!
//! - `{field}` is a dimension name (from the full data ID), `element.field` (from an attached
//!   dimension record), `datasetType`, `component`, `run`, `id`, or `skypix` (the data ID's one
//!   skypix dimension, `htm7` or `healpix11`, whatever its level);
//! - `{a|b|c}` takes the first alternative the dataset has;
//! - `{field:?}` is optional: when absent, it and the literal text since the previous field are
//!   dropped, unless that text contains a `/`;
//! - `/` in a value becomes `_` unless the spec contains `/` (`{run:/}`), and the characters
//!   `` <>:"\|?*`` become `_`;
//! - in the last path component `.` becomes `_` and `#` becomes `HASH`; the result is
//!   normalised and relative. The caller appends the formatter's extension.
//!
//! The remainder of a format spec follows Python's mini-language (`{visit:08d}`, `{band:>3}`).

use std::fmt;
use std::str::FromStr;

use super::DatastoreError;
use crate::model::{
    DataIdValue, DatasetRef, DatasetType, DimensionGroup, DimensionUniverse, RecordValue,
};

/// The Python Butler's default template (`configs/datastores/fileDatastore.yaml`, `default`).
pub const DEFAULT_TEMPLATE: &str = "{run:/}/{datasetType}.{component:?}/{tract:?}/{patch:?}/{day_obs|visit.day_obs|exposure.day_obs:?}/{band:?}/{subfilter:?}/{physical_filter:?}/{visit:?}/{exposure.obs_id|group:?}/{datasetType}_{component:?}_{instrument:?}_{tract:?}_{patch:?}_{band:?}_{physical_filter:?}_{visit:?}_{exposure.obs_id|group:?}_{detector.full_name:?}_{skymap:?}_{skypix:?}_{ssp_hypothesis_table:?}_{ssp_hypothesis_bundle:?}_{ssp_balanced_index:?}_{run}";

/// The Python Butler's template for raw-like dataset types (key `physical_filter+detector+exposure`).
pub const RAW_TEMPLATE: &str = "{run:/}/{datasetType}.{component:?}/{day_obs|exposure.day_obs}/{exposure.obs_id}/{datasetType}_{component:?}_{instrument:?}_{physical_filter}_{exposure.obs_id}_{detector.full_name}_{run}";

/// The dimensions of [`RAW_TEMPLATE`]'s lookup key.
const RAW_KEY: [&str; 3] = ["physical_filter", "detector", "exposure"];

/// Fields that do not come from the data ID.
const SPECIAL_FIELDS: [&str; 4] = ["run", "id", "datasetType", "component"];

/// A parsed file template.
///
/// # Examples
///
/// ```
/// use satellite_core::datastore::FileTemplate;
///
/// let template: FileTemplate = "{run:/}/{datasetType}/{visit:08d}_{id}".parse()?;
/// assert_eq!(template.as_str(), "{run:/}/{datasetType}/{visit:08d}_{id}");
/// assert!("{datasetType}/{visit}".parse::<FileTemplate>().is_err()); // needs `run` or `id`
/// # Ok::<(), satellite_core::datastore::DatastoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTemplate {
    text: String,
    placeholders: Vec<Placeholder>,
    /// Literal text after the last placeholder.
    tail: String,
}

/// One `{...}` of a template and the literal text before it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placeholder {
    literal: String,
    alternatives: Vec<String>,
    optional: bool,
    keep_slash: bool,
    to_string: bool,
    spec: FormatSpec,
}

/// A value about to be formatted, typed as Python would see it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    /// Anything else (`None`, booleans, UUIDs, timespans): formatted only with an empty spec.
    Other(String),
}

impl FileTemplate {
    /// Parses and checks a template.
    ///
    /// # Errors
    /// [`DatastoreError::InvalidTemplate`] when the braces do not balance, a format spec is not
    /// understood, neither `run` nor `id` is used, no field names a dimension (or `id`), the
    /// text contains `../`, `id` is used outside the file name, or `collection` is used.
    pub fn parse(text: &str) -> Result<Self, DatastoreError> {
        let bad = |reason: String| DatastoreError::InvalidTemplate {
            template: text.to_owned(),
            reason,
        };
        let (raw, tail) = split_fields(text).map_err(bad)?;
        let mut placeholders = Vec::with_capacity(raw.len());
        for (literal, body) in raw {
            placeholders.push(Placeholder::parse(literal, &body).map_err(bad)?);
        }
        let template = Self {
            text: text.to_owned(),
            placeholders,
            tail,
        };
        template.validate().map_err(bad)?;
        Ok(template)
    }

    /// The Python Butler's default template, [`DEFAULT_TEMPLATE`].
    pub fn default_template() -> Self {
        Self::parse(DEFAULT_TEMPLATE).expect("the default template is valid")
    }

    /// The Python Butler's raw-like template, [`RAW_TEMPLATE`].
    pub fn raw_template() -> Self {
        Self::parse(RAW_TEMPLATE).expect("the raw template is valid")
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The relative path (without extension) of `dataset`'s artifact.
    ///
    /// # Errors
    /// - [`DatastoreError::TemplateFieldMissing`]: a non-optional field has no value;
    /// - [`DatastoreError::TemplateRecordMissing`]: an `element.field` needs a dimension record
    ///   the data ID does not carry;
    /// - [`DatastoreError::TemplateComponentUnused`]: a component dataset with a template
    ///   without `component`;
    /// - [`DatastoreError::TemplateFormat`]: a format spec does not suit the value;
    /// - [`DatastoreError::TemplatePath`]: the result is empty or contains a `..` part.
    pub fn format(&self, dataset: &DatasetRef) -> Result<String, DatastoreError> {
        let fields = Fields::new(dataset);
        let mut output = String::new();
        let mut used_component = false;
        for placeholder in &self.placeholders {
            let name = placeholder.choose_alternative(&fields);
            used_component |= name == "component";
            let value =
                fields
                    .value(name)
                    .map_err(|element| DatastoreError::TemplateRecordMissing {
                        field: name.to_owned(),
                        element,
                        dataset: dataset.to_string(),
                    })?;
            let Some(value) = value else {
                if !placeholder.optional {
                    return Err(DatastoreError::TemplateFieldMissing {
                        template: self.text.clone(),
                        field: name.to_owned(),
                        dataset: dataset.to_string(),
                    });
                }
                // The Python Butler keeps the literal only when it holds a directory separator.
                if placeholder.literal.contains('/') {
                    output.push_str(&placeholder.literal);
                }
                continue;
            };
            let value = match value {
                Value::Str(s) => {
                    let s = replace_special_characters(&s);
                    Value::Str(if placeholder.keep_slash {
                        s
                    } else {
                        s.replace('/', "_")
                    })
                }
                other => other,
            };
            let value = if placeholder.to_string {
                Value::Str(value.to_python_str())
            } else {
                value
            };
            let formatted = placeholder.spec.apply(&value).map_err(|reason| {
                DatastoreError::TemplateFormat {
                    template: self.text.clone(),
                    field: name.to_owned(),
                    reason,
                }
            })?;
            output.push_str(&placeholder.literal);
            output.push_str(&formatted);
        }
        output.push_str(&self.tail);
        if let Some(component) = &dataset.component {
            if !used_component {
                return Err(DatastoreError::TemplateComponentUnused {
                    template: self.text.clone(),
                    component: component.clone(),
                    dataset: dataset.to_string(),
                });
            }
        }
        // `.` and `#` in the file name would read as an extension or a URI fragment.
        let split = output.rfind('/').map_or(0, |i| i + 1);
        let tail = output[split..].replace('.', "_").replace('#', "HASH");
        output.truncate(split);
        output.push_str(&tail);
        normalise(&output).map_err(|reason| DatastoreError::TemplatePath {
            template: self.text.clone(),
            dataset: dataset.to_string(),
            reason,
        })
    }

    /// The basic checks of the Python Butler's `FileTemplate.validateTemplate(None)`.
    fn validate(&self) -> Result<(), String> {
        let primaries: Vec<&str> = self
            .placeholders
            .iter()
            .flat_map(|p| p.alternatives.iter())
            .map(|a| primary(a))
            .collect();
        if primaries.contains(&"collection") {
            return Err("`collection` is no longer a template field; use `run`".into());
        }
        if !primaries.iter().any(|p| matches!(*p, "run" | "id")) {
            return Err("it must use `run` or `id` so that every dataset gets its own path".into());
        }
        let uses_id = primaries.contains(&"id");
        if !uses_id && primaries.iter().all(|p| SPECIAL_FIELDS.contains(p)) {
            return Err("no field corresponds to a dimension (or to `id`)".into());
        }
        if self.text.contains("../") {
            return Err("it may not jump to a parent directory with `../`".into());
        }
        if uses_id {
            let file_part = self.text.rsplit('/').next().unwrap_or_default();
            if !file_part.contains("{id}") {
                return Err("`{id}` must be part of the file name, not only of a directory".into());
            }
        }
        Ok(())
    }
}

impl FromStr for FileTemplate {
    type Err = DatastoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for FileTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Placeholder {
    /// Parses the inside of `{...}`: `name|name2[!s][:spec]`.
    fn parse(literal: String, body: &str) -> Result<Self, String> {
        let (name_and_conversion, spec) = body.split_once(':').unwrap_or((body, ""));
        let (names, conversion) = match name_and_conversion.split_once('!') {
            Some((names, conversion)) => (names, Some(conversion)),
            None => (name_and_conversion, None),
        };
        let to_string = match conversion {
            None => false,
            Some("s") => true,
            Some(other) => {
                return Err(format!(
                    "conversion `!{other}` in `{{{body}}}` is not supported (only `!s`)"
                ))
            }
        };
        let alternatives: Vec<String> = names.split('|').map(str::to_owned).collect();
        if alternatives
            .iter()
            .any(|a| a.is_empty() || a.split('.').count() > 2 || a.split('.').any(str::is_empty))
        {
            return Err(format!("`{{{body}}}` has an empty or malformed field name"));
        }
        let optional = spec.contains('?');
        let keep_slash = spec.contains('/');
        let spec = FormatSpec::parse(&spec.replace(['?', '/'], ""))
            .map_err(|e| format!("in `{{{body}}}`: {e}"))?;
        Ok(Self {
            literal,
            alternatives,
            optional,
            keep_slash,
            to_string,
            spec,
        })
    }

    /// The first alternative whose primary name the dataset has, else the first one.
    fn choose_alternative(&self, fields: &Fields<'_>) -> &str {
        let first = self.alternatives.first().map_or("", String::as_str);
        if self.alternatives.len() == 1 {
            return first;
        }
        self.alternatives
            .iter()
            .map(String::as_str)
            .find(|a| fields.has(primary(a)))
            .unwrap_or(first)
    }
}

/// The part of a field name before the `.`.
fn primary(field: &str) -> &str {
    field.split_once('.').map_or(field, |(p, _)| p)
}

/// Splits Python format-string text into `(literal, field body)` pairs and the trailing literal.
fn split_fields(text: &str) -> Result<(Vec<(String, String)>, String), String> {
    let mut fields = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '}' => return Err("a single `}` must be written `}}`".into()),
            '{' => {
                let mut body = String::new();
                loop {
                    match chars.next() {
                        None => return Err("a `{` is not closed by `}`".into()),
                        Some('}') => break,
                        Some('{') => {
                            return Err("nested `{` inside a field is not supported".into())
                        }
                        Some(c) => body.push(c),
                    }
                }
                fields.push((std::mem::take(&mut literal), body));
            }
            c => literal.push(c),
        }
    }
    Ok((fields, literal))
}

/// Replaces characters that cause trouble in file names, as the Python Butler does.
fn replace_special_characters(value: &str) -> String {
    value
        .chars()
        .map(|c| if " <>:\"\\|?*".contains(c) { '_' } else { c })
        .collect()
}

/// Collapses `//` and `.` parts and drops leading `/`; refuses `..` and an empty result.
fn normalise(path: &str) -> Result<String, String> {
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("it contains a `..` part".into()),
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err("it is empty".into());
    }
    Ok(parts.join("/"))
}

/// What a dataset offers to a template.
struct Fields<'a> {
    dataset: &'a DatasetRef,
    /// The name of the data ID's only skypix dimension, aliased as `skypix`.
    skypix: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn new(dataset: &'a DatasetRef) -> Self {
        let mut skypix = dataset.data_id.group().names().filter(|n| is_skypix(n));
        let skypix = match (skypix.next(), skypix.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        };
        Self { dataset, skypix }
    }

    /// The dimension a field name stands for (`skypix` resolves to the alias).
    fn dimension<'n>(&self, name: &'n str) -> &'n str
    where
        'a: 'n,
    {
        match (name, self.skypix) {
            ("skypix", Some(alias)) => alias,
            _ => name,
        }
    }

    /// Whether a plain (undotted) field has a value, as the Python Butler's `name in fields`.
    fn has(&self, name: &str) -> bool {
        match name {
            "run" | "id" | "datasetType" => true,
            "component" => self.dataset.component.is_some(),
            _ => self.dataset.data_id.get(self.dimension(name)).is_some(),
        }
    }

    /// The value of a field, `None` when the dataset lacks it.
    ///
    /// `Err(element)` when `element.field` needs a record that is not attached.
    fn value(&self, name: &str) -> Result<Option<Value>, String> {
        let d = self.dataset;
        if let Some((element, column)) = name.split_once('.') {
            if !self.has(element) {
                return Ok(None);
            }
            let element = self.dimension(element);
            let record = d
                .data_id
                .record(element)
                .ok_or_else(|| element.to_owned())?;
            // An unknown column is treated as absent: an error unless the field is optional.
            return Ok(record.get(column).map(Value::from_record));
        }
        Ok(match name {
            "run" => Some(Value::Str(d.run.to_string())),
            "id" => Some(Value::Other(d.id.to_string())),
            "datasetType" => Some(Value::Str(d.dataset_type.name.parent().to_owned())),
            "component" => d.component.clone().map(Value::Str),
            _ => d.data_id.get(self.dimension(name)).map(|v| match v {
                DataIdValue::Int(i) => Value::Int(*i),
                DataIdValue::Str(s) => Value::Str(s.clone()),
            }),
        })
    }
}

/// Whether a dimension is a skypix pixelization (`htm7`, `healpix11`).
fn is_skypix(name: &str) -> bool {
    ["htm", "healpix"].iter().any(|system| {
        name.strip_prefix(system)
            .is_some_and(|level| !level.is_empty() && level.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Value {
    fn from_record(value: &RecordValue) -> Self {
        match value {
            RecordValue::Null => Self::Other("None".into()),
            RecordValue::Bool(b) => Self::Other(if *b { "True" } else { "False" }.into()),
            RecordValue::Int(i) => Self::Int(*i),
            RecordValue::Float(x) => Self::Float(*x),
            RecordValue::Str(s) => Self::Str(s.clone()),
            RecordValue::Timespan(t) => Self::Other(t.to_string()),
        }
    }

    /// Python's `str(value)`.
    fn to_python_str(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Float(x) => python_float_repr(*x),
            Self::Str(s) | Self::Other(s) => s.clone(),
        }
    }
}

/// Python's `str(float)` for the common cases: `1.0`, `0.25`, `nan`, `inf`.
fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        x.to_string()
    }
}

/// The supported part of Python's format-spec mini-language:
/// `[[fill]align][sign][0][width][.precision][type]` with type `d`, `s` or `f`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct FormatSpec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    kind: Option<char>,
}

impl FormatSpec {
    fn parse(spec: &str) -> Result<Self, String> {
        let chars: Vec<char> = spec.chars().collect();
        let mut out = Self::default();
        let mut i = 0;
        let is_align = |c: Option<&char>| c.is_some_and(|c| "<>^=".contains(*c));
        if is_align(chars.get(1)) {
            out.fill = chars.first().copied();
            out.align = chars.get(1).copied();
            i = 2;
        } else if is_align(chars.first()) {
            out.align = chars.first().copied();
            i = 1;
        }
        if let Some(c @ ('+' | '-' | ' ')) = chars.get(i) {
            out.sign = Some(*c);
            i += 1;
        }
        if chars.get(i) == Some(&'0') {
            out.zero = true;
            i += 1;
        }
        let digits = |i: &mut usize| -> Option<usize> {
            let start = *i;
            while chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            chars[start..*i].iter().collect::<String>().parse().ok()
        };
        out.width = digits(&mut i).unwrap_or(0);
        if chars.get(i) == Some(&'.') {
            i += 1;
            out.precision = Some(digits(&mut i).ok_or("`.` must be followed by a precision")?);
        }
        match &chars[i..] {
            [] => {}
            [c @ ('d' | 's' | 'f')] => out.kind = Some(*c),
            rest => {
                return Err(format!(
                    "format spec `{spec}` is not supported at `{}` (use fill/align, sign, `0`, width, precision and type `d`, `s` or `f`)",
                    rest.iter().collect::<String>()
                ))
            }
        }
        Ok(out)
    }

    fn apply(&self, value: &Value) -> Result<String, String> {
        if *self == Self::default() {
            return Ok(value.to_python_str());
        }
        let (sign, body, numeric) = match (value, self.kind) {
            (Value::Int(i), None | Some('d')) => {
                if self.precision.is_some() {
                    return Err("a precision is not allowed for an integer".into());
                }
                (self.sign_of(*i < 0), i.unsigned_abs().to_string(), true)
            }
            (Value::Int(i), Some('f')) => self.float_parts(*i as f64),
            (Value::Float(x), None | Some('f')) => self.float_parts(*x),
            (Value::Str(s), None | Some('s')) => {
                if self.sign.is_some() {
                    return Err("a sign is not allowed for a string".into());
                }
                let body = match self.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s.clone(),
                };
                (String::new(), body, false)
            }
            (Value::Other(_), _) => {
                return Err("only an empty format spec can format this value".into())
            }
            (v, kind) => {
                let kind = kind.map_or(String::new(), String::from);
                return Err(format!(
                    "type `{kind}` cannot format `{}`",
                    v.to_python_str()
                ));
            }
        };
        let (fill, align) = match (self.fill, self.align, self.zero) {
            (fill, Some(align), _) => (fill.unwrap_or(' '), align),
            (_, None, true) if numeric => ('0', '='),
            (_, None, true) => ('0', '<'),
            (_, None, false) => (' ', if numeric { '>' } else { '<' }),
        };
        let len = sign.chars().count() + body.chars().count();
        let pad = self.width.saturating_sub(len);
        let fill_n = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
        Ok(match align {
            '<' => format!("{sign}{body}{}", fill_n(pad)),
            '^' => format!("{}{sign}{body}{}", fill_n(pad / 2), fill_n(pad - pad / 2)),
            '=' => format!("{sign}{}{body}", fill_n(pad)),
            _ => format!("{}{sign}{body}", fill_n(pad)),
        })
    }

    fn sign_of(&self, negative: bool) -> String {
        match (negative, self.sign) {
            (true, _) => "-".into(),
            (false, Some('+')) => "+".into(),
            (false, Some(' ')) => " ".into(),
            _ => String::new(),
        }
    }

    fn float_parts(&self, x: f64) -> (String, String, bool) {
        let body = match (self.kind, self.precision) {
            (None, None) => python_float_repr(x.abs()),
            (_, p) => format!("{:.*}", p.unwrap_or(6), x.abs()),
        };
        (self.sign_of(x.is_sign_negative() && x != 0.0), body, true)
    }
}

/// How an override in [`FileTemplates`] is matched, in the Python Butler's lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateKey {
    /// A dataset type name (with or without component) or a storage class name.
    Name(String),
    /// Exactly this set of dimensions (the Python key `dim1+dim2+...`, conformed).
    Dimensions(DimensionGroup),
}

impl TemplateKey {
    /// Parses a configuration key: `a+b+c` is a dimension set, anything else a name.
    ///
    /// # Errors
    /// [`DatastoreError::InvalidTemplate`] when a dimension of `a+b+c` is unknown.
    pub fn parse(universe: &DimensionUniverse, key: &str) -> Result<Self, DatastoreError> {
        if !key.contains('+') {
            return Ok(Self::Name(key.to_owned()));
        }
        universe
            .group(key.split('+'))
            .map(Self::Dimensions)
            .map_err(|e| DatastoreError::InvalidTemplate {
                template: key.to_owned(),
                reason: format!("the lookup key names an unknown dimension: {e}"),
            })
    }
}

/// A default template plus overrides, looked up as the Python Butler does:
/// dataset type name (with component, then parent), dimensions, storage class.
///
/// # Examples
///
/// ```
/// use satellite_core::datastore::{FileTemplates, RAW_TEMPLATE, DEFAULT_TEMPLATE};
/// use satellite_core::model::{DatasetType, DatasetTypeName, DimensionUniverse, StorageClassName};
///
/// let universe = DimensionUniverse::default_universe();
/// let templates = FileTemplates::defaults();
/// let raw = DatasetType {
///     name: DatasetTypeName::parse("raw")?,
///     dimensions: universe.group(["exposure", "detector"])?,
///     storage_class: StorageClassName::parse("Exposure")?,
///     is_calibration: false,
/// };
/// assert_eq!(templates.template_for_dataset_type(&raw, None).as_str(), RAW_TEMPLATE);
/// let calexp = DatasetType { dimensions: universe.group(["visit", "detector"])?, ..raw };
/// assert_eq!(templates.template_for_dataset_type(&calexp, None).as_str(), DEFAULT_TEMPLATE);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTemplates {
    default: FileTemplate,
    overrides: Vec<(TemplateKey, FileTemplate)>,
}

impl FileTemplates {
    /// Only `default`, no overrides.
    pub fn new(default: FileTemplate) -> Self {
        Self {
            default,
            overrides: Vec::new(),
        }
    }

    /// The Python Butler's defaults: [`DEFAULT_TEMPLATE`], and [`RAW_TEMPLATE`] for dataset
    /// types whose dimensions are exactly those of `physical_filter+detector+exposure`.
    pub fn defaults() -> Self {
        let universe = DimensionUniverse::default_universe();
        let raw_group = universe
            .group(RAW_KEY)
            .expect("the raw template's key names default dimensions");
        Self::new(FileTemplate::default_template()).with_override(
            TemplateKey::Dimensions(raw_group),
            FileTemplate::raw_template(),
        )
    }

    /// These templates with one more override (later overrides of the same key lose).
    pub fn with_override(mut self, key: TemplateKey, template: FileTemplate) -> Self {
        self.overrides.push((key, template));
        self
    }

    /// The template used when no override matches.
    pub fn default_template(&self) -> &FileTemplate {
        &self.default
    }

    /// The template for a dataset type (and component, if any).
    pub fn template_for_dataset_type(
        &self,
        dataset_type: &DatasetType,
        component: Option<&str>,
    ) -> &FileTemplate {
        let by_name =
            |name: &str| self.find(|key| matches!(key, TemplateKey::Name(n) if n == name));
        let full_name = component.map(|c| format!("{}.{c}", dataset_type.name.parent()));
        if let Some(template) = full_name.as_deref().and_then(by_name) {
            return template;
        }
        by_name(dataset_type.name.parent())
            .or_else(|| self.find(|key| matches!(key, TemplateKey::Dimensions(g) if *g == dataset_type.dimensions)))
            .or_else(|| by_name(dataset_type.storage_class.as_str()))
            .unwrap_or(&self.default)
    }

    /// The template for a dataset.
    pub fn template_for(&self, dataset: &DatasetRef) -> &FileTemplate {
        self.template_for_dataset_type(&dataset.dataset_type, dataset.component.as_deref())
    }

    /// Formats `dataset`'s path with its template.
    ///
    /// # Errors
    /// As [`FileTemplate::format`].
    pub fn format(&self, dataset: &DatasetRef) -> Result<String, DatastoreError> {
        self.template_for(dataset).format(dataset)
    }

    fn find(&self, matches: impl Fn(&TemplateKey) -> bool) -> Option<&FileTemplate> {
        self.overrides
            .iter()
            .find(|(key, _)| matches(key))
            .map(|(_, t)| t)
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
#[allow(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]
mod tests;
