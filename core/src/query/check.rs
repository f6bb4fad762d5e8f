//! The checker: resolves identifiers against the dimension universe and the dataset types in
//! play, gives every node a type, applies the governor rule, and produces a typed
//! [`Predicate`] that the registry translates to SQL.
//!
//! Resolution follows the Python Butler (`BUTLER_CONCEPTS.md` §4.3): a bind name, a dimension,
//! `element.field`, `dataset_type.field`, `timespan.begin|end` and their three-part forms; a
//! bare field name when exactly one element of the query (or one dataset type) has it.
//! Messages are the Python Butler's where it has one, and every error points at its span.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::ast::{BinaryOp, Expr, ExprKind, Span, UnaryOp};
use super::error::{QueryError, QueryErrorKind};
use crate::model::{
    suggest, ColumnType, DataIdValue, DimensionElement, DimensionUniverse, Timespan,
};

/// The fields every dataset has, usable as `<dataset type>.<field>` (or bare when one dataset
/// type is in the query).
pub const DATASET_FIELDS: [&str; 5] =
    ["dataset_id", "ingest_date", "run", "collection", "timespan"];

/// The functions of the language.
const FUNCTIONS: [&str; 7] = [
    "POINT", "CIRCLE", "BOX", "POLYGON", "REGION", "GLOB", "UUID",
];

/// A field of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatasetField {
    /// `dataset_id` (a UUID).
    DatasetId,
    /// `ingest_date` (a time).
    IngestDate,
    /// `run`: the name of the dataset's RUN collection.
    Run,
    /// `collection`: the name of the collection the dataset was found in.
    Collection,
    /// `timespan`: the validity range in a CALIBRATION collection.
    Timespan,
}

impl DatasetField {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "dataset_id" => Self::DatasetId,
            "ingest_date" => Self::IngestDate,
            "run" => Self::Run,
            "collection" => Self::Collection,
            "timespan" => Self::Timespan,
            _ => return None,
        })
    }

    /// The field's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::DatasetId => "dataset_id",
            Self::IngestDate => "ingest_date",
            Self::Run => "run",
            Self::Collection => "collection",
            Self::Timespan => "timespan",
        }
    }

    /// The field's type.
    pub fn column_type(self) -> ColumnType {
        match self {
            Self::DatasetId => ColumnType::Uuid,
            Self::IngestDate => ColumnType::Datetime,
            Self::Run | Self::Collection => ColumnType::String,
            Self::Timespan => ColumnType::Timespan,
        }
    }
}

/// A column a predicate reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ColumnRef {
    /// The key of a dimension (`visit`, `band`, `instrument`).
    DimensionKey(String),
    /// A non-key column of an element's record (`visit.day_obs` is a key; `visit.name`,
    /// `exposure.observation_type`, `visit.region`, `visit.timespan` are fields).
    DimensionField {
        /// The element.
        element: String,
        /// The column.
        field: String,
    },
    /// A field of a dataset type in the query.
    DatasetField {
        /// The dataset type.
        dataset_type: String,
        /// The field.
        field: DatasetField,
    },
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DimensionKey(d) => f.write_str(d),
            Self::DimensionField { element, field } => write!(f, "{element}.{field}"),
            Self::DatasetField {
                dataset_type,
                field,
            } => write!(f, "{dataset_type}.{}", field.name()),
        }
    }
}

/// A region written in the expression, kept as written; the registry builds the geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum RegionLiteral {
    /// `POINT(ra, dec)`, degrees.
    Point(f64, f64),
    /// `CIRCLE(ra, dec, radius)`, degrees.
    Circle(f64, f64, f64),
    /// `BOX(ra, dec, width, height)`, degrees.
    Box(f64, f64, f64, f64),
    /// `POLYGON(ra1, dec1, ...)`, degrees.
    Polygon(Vec<(f64, f64)>),
    /// `REGION('<IVOA POS string>')`.
    Pos(String),
}

impl RegionLiteral {
    /// The region, built as the Python Butler builds it (note that its `CIRCLE(ra, dec, r)`
    /// has radius `2 r`; `REGION('CIRCLE ra dec r')` has radius `r`).
    ///
    /// # Errors
    /// Arguments that make no region (a negative radius, a declination beyond ±90°, ...).
    pub fn to_region(&self) -> Result<crate::model::Region, crate::model::RegionError> {
        use crate::model::Region;
        match self {
            Self::Point(ra, dec) => Region::point(*ra, *dec),
            Self::Circle(ra, dec, r) => Region::circle(*ra, *dec, *r),
            Self::Box(ra, dec, w, h) => Region::box_(*ra, *dec, *w, *h),
            Self::Polygon(v) => Region::polygon(v),
            Self::Pos(pos) => Region::from_pos(pos),
        }
    }
}

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// An instant, TAI nanoseconds since 1970.
    Time(i64),
    /// A time range.
    Timespan(Timespan),
    /// A UUID.
    Uuid(uuid::Uuid),
    /// A region.
    Region(RegionLiteral),
}

impl Literal {
    /// The literal's type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Self::Int(_) => ColumnType::Int,
            Self::Float(_) => ColumnType::Float,
            Self::Str(_) => ColumnType::String,
            Self::Time(_) => ColumnType::Datetime,
            Self::Timespan(_) => ColumnType::Timespan,
            Self::Uuid(_) => ColumnType::Uuid,
            Self::Region(_) => ColumnType::Region,
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => write!(f, "{x:?}"),
            Self::Str(s) => write!(f, "'{s}'"),
            Self::Time(ns) => write!(f, "T'{}'", Timespan::format_tai_iso(*ns)),
            Self::Timespan(t) => write!(f, "{t}"),
            Self::Uuid(u) => write!(f, "UUID('{u}')"),
            Self::Region(r) => write!(f, "{r:?}"),
        }
    }
}

/// A typed value expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A column.
    Column(ColumnRef, ColumnType),
    /// A constant.
    Literal(Literal),
    /// `-x`.
    Neg(Box<Scalar>),
    /// `a op b` with `op` one of `+ - * / %` (both sides of type `ty`).
    Arith {
        /// The operator.
        op: BinaryOp,
        /// Left.
        a: Box<Scalar>,
        /// Right.
        b: Box<Scalar>,
        /// The type of both operands and the result.
        ty: ColumnType,
    },
    /// `x.begin` of a timespan.
    Begin(Box<Scalar>),
    /// `x.end` of a timespan.
    End(Box<Scalar>),
}

impl Scalar {
    /// The value's type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Self::Column(_, t) | Self::Arith { ty: t, .. } => *t,
            Self::Literal(l) => l.column_type(),
            Self::Neg(x) => x.column_type(),
            Self::Begin(_) | Self::End(_) => ColumnType::Datetime,
        }
    }

    fn is_column(&self) -> bool {
        matches!(self, Self::Column(..))
    }

    fn is_simple(&self) -> bool {
        matches!(self, Self::Column(..) | Self::Literal(_))
    }

    /// Every column the value reads.
    pub fn columns<'a>(&'a self, out: &mut Vec<&'a ColumnRef>) {
        match self {
            Self::Column(c, _) => out.push(c),
            Self::Literal(_) => {}
            Self::Neg(x) | Self::Begin(x) | Self::End(x) => x.columns(out),
            Self::Arith { a, b, .. } => {
                a.columns(out);
                b.columns(out);
            }
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wrap = |s: &Scalar| {
            if s.is_simple() {
                s.to_string()
            } else {
                format!("({s})")
            }
        };
        match self {
            Self::Column(c, _) => write!(f, "{c}"),
            Self::Literal(l) => write!(f, "{l}"),
            Self::Neg(x) => write!(f, "-{}", wrap(x)),
            Self::Arith { op, a, b, .. } => write!(f, "{} {op} {}", wrap(a), wrap(b)),
            Self::Begin(x) => write!(f, "{}.begin", wrap(x)),
            Self::End(x) => write!(f, "{}.end", wrap(x)),
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as the Python Butler prints it in messages (`==` for `=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }
}

/// A typed boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// Always true (an empty expression) or always false.
    Const(bool),
    /// All of these.
    And(Vec<Predicate>),
    /// Any of these.
    Or(Vec<Predicate>),
    /// Not this.
    Not(Box<Predicate>),
    /// `a op b`.
    Compare {
        /// Left.
        a: Scalar,
        /// Operator.
        op: CmpOp,
        /// Right.
        b: Scalar,
    },
    /// `a OVERLAPS b`: two timespans, a timespan and a time (containment), or two regions.
    Overlaps {
        /// Left.
        a: Scalar,
        /// Right.
        b: Scalar,
    },
    /// `x = NULL`.
    IsNull(Scalar),
    /// `x IN (items)`.
    InList {
        /// The tested value.
        member: Scalar,
        /// The values.
        items: Vec<Scalar>,
    },
    /// `x IN (start..stop:step)`, both ends inclusive.
    InRange {
        /// The tested integer.
        member: Scalar,
        /// First value.
        start: i64,
        /// Last value (inclusive).
        stop: i64,
        /// Step (≥ 1).
        step: i64,
    },
    /// `GLOB(column, 'pattern')`: whole-string, case-sensitive, `*` and `?`.
    Glob {
        /// The string column.
        column: Scalar,
        /// The pattern.
        pattern: String,
    },
    /// A boolean column used as a condition.
    Bool(Scalar),
}

impl Predicate {
    /// `self AND other`, flattening.
    #[must_use]
    pub fn and(self, other: Predicate) -> Predicate {
        match (self, other) {
            (Self::Const(true), p) | (p, Self::Const(true)) => p,
            (Self::And(mut a), Self::And(b)) => {
                a.extend(b);
                Self::And(a)
            }
            (Self::And(mut a), p) => {
                a.push(p);
                Self::And(a)
            }
            (p, Self::And(mut b)) => {
                b.insert(0, p);
                Self::And(b)
            }
            (a, b) => Self::And(vec![a, b]),
        }
    }

    /// Every column the predicate reads.
    pub fn columns<'a>(&'a self, out: &mut Vec<&'a ColumnRef>) {
        match self {
            Self::Const(_) => {}
            Self::And(ps) | Self::Or(ps) => ps.iter().for_each(|p| p.columns(out)),
            Self::Not(p) => p.columns(out),
            Self::Compare { a, b, .. } | Self::Overlaps { a, b } => {
                a.columns(out);
                b.columns(out);
            }
            Self::IsNull(x)
            | Self::InRange { member: x, .. }
            | Self::Glob { column: x, .. }
            | Self::Bool(x) => x.columns(out),
            Self::InList { member, items } => {
                member.columns(out);
                items.iter().for_each(|i| i.columns(out));
            }
        }
    }
}

/// A value supplied for a bind parameter (`:name`).
#[derive(Debug, Clone, PartialEq)]
pub enum BindValue {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// An instant, TAI nanoseconds since 1970.
    Time(i64),
    /// A time range.
    Timespan(Timespan),
    /// A UUID.
    Uuid(uuid::Uuid),
    /// A region (`visit.region OVERLAPS :r`).
    Region(RegionLiteral),
    /// A list, for `x IN (:name)`.
    List(Vec<BindValue>),
}

impl BindValue {
    /// Reads `--bind NAME=VALUE` text: an integer, else a float, else a time literal
    /// `T'...'`, else a UUID, else a string; a comma-separated value is a list of those.
    pub fn parse_cli(text: &str) -> Result<Self, String> {
        let time_literal = text.starts_with("T'") || text.starts_with("t'");
        if text.contains(',') && !time_literal {
            return text
                .split(',')
                .map(|p| Self::parse_scalar(p.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map(Self::List);
        }
        Self::parse_scalar(text)
    }

    /// Reads a bind value given as JSON (the HTTP APIs and the widget): integers and floats,
    /// strings (`"T'2025-01-01'"` is a time; any other string stays a string, commas
    /// included), and arrays of those for `x IN (:name)`.
    ///
    /// # Errors
    /// Objects, booleans and `null`, with the value in the message.
    pub fn from_json(v: &serde_json::Value) -> Result<Self, String> {
        use serde_json::Value as J;
        Ok(match v {
            J::Number(n) => match n.as_i64() {
                Some(i) => Self::Int(i),
                None => Self::Float(n.as_f64().ok_or_else(|| format!("{n} is not a number"))?),
            },
            J::String(s) if s.starts_with("T'") || s.starts_with("t'") => Self::parse_scalar(s)?,
            J::String(s) => Self::Str(s.clone()),
            J::Array(items) => Self::List(
                items
                    .iter()
                    .map(Self::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(format!("{other} is not a number, a string or a list")),
        })
    }

    fn parse_scalar(text: &str) -> Result<Self, String> {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Self::Int(i));
        }
        if let Ok(x) = text.parse::<f64>() {
            if x.is_finite() {
                return Ok(Self::Float(x));
            }
        }
        if let Some(inner) = text
            .strip_prefix(['T', 't'])
            .and_then(|r| r.strip_prefix('\''))
            .and_then(|r| r.strip_suffix('\''))
        {
            return super::time::parse_time_literal(inner).map(Self::Time);
        }
        if let Ok(u) = uuid::Uuid::parse_str(text) {
            return Ok(Self::Uuid(u));
        }
        Ok(Self::Str(text.to_owned()))
    }

    fn to_literal(&self) -> Option<Literal> {
        Some(match self {
            Self::Int(i) => Literal::Int(*i),
            Self::Float(x) => Literal::Float(*x),
            Self::Str(s) => Literal::Str(s.clone()),
            Self::Time(t) => Literal::Time(*t),
            Self::Timespan(t) => Literal::Timespan(*t),
            Self::Uuid(u) => Literal::Uuid(*u),
            Self::Region(r) => Literal::Region(r.clone()),
            Self::List(_) => return None,
        })
    }
}

/// Reads a data ID value given as JSON: an integer or a string.
///
/// # Errors
/// Anything else, with the value in the message.
pub fn data_id_from_json(v: &serde_json::Value) -> Result<DataIdValue, String> {
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(DataIdValue::Int)
            .ok_or_else(|| format!("{n} is not an integer")),
        serde_json::Value::String(s) => Ok(DataIdValue::Str(s.clone())),
        other => Err(format!("{other} is not an integer or a string")),
    }
}

/// What the checker needs to know about the query an expression filters.
#[derive(Debug, Clone)]
pub struct QueryContext<'a> {
    /// The universe.
    pub universe: &'a DimensionUniverse,
    /// The query's dimensions before the expression adds any (a dataset type's dimensions,
    /// the requested data ID dimensions, an element's dimensions).
    pub dimensions: Vec<String>,
    /// The dataset types the query searches.
    pub dataset_types: Vec<String>,
    /// Bind values.
    pub bind: BTreeMap<String, BindValue>,
    /// `dimension = value` constraints given beside the expression (a data ID): AND-ed in,
    /// and they constrain governors.
    pub data_id: BTreeMap<String, DataIdValue>,
    /// Default data ID values (a repository default, `--instrument`, the only instrument
    /// registered): used for governors the query needs that nothing else constrains.
    pub defaults: BTreeMap<String, DataIdValue>,
}

impl<'a> QueryContext<'a> {
    /// A context with just the universe and the query's dimensions.
    pub fn new(universe: &'a DimensionUniverse, dimensions: Vec<String>) -> Self {
        Self {
            universe,
            dimensions,
            dataset_types: Vec::new(),
            bind: BTreeMap::new(),
            data_id: BTreeMap::new(),
            defaults: BTreeMap::new(),
        }
    }
}

/// A checked expression and what the query needs to evaluate it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedWhere {
    /// The condition (data ID and default governor constraints included).
    pub predicate: Predicate,
    /// The query's dimensions: the context's plus every dimension the condition reads.
    pub dimensions: BTreeSet<String>,
    /// Fields of dimension records the condition reads, per element.
    pub fields: BTreeMap<String, BTreeSet<String>>,
    /// Dataset types whose fields the condition reads.
    pub datasets: BTreeSet<String>,
}

/// Checks an expression (`None` = no expression) in a query's context.
///
/// # Errors
/// A [`QueryError`] of kind `Semantic`, `Governor` or `Bind`, with the span it is about.
pub fn check(expr: Option<&Expr>, ctx: &QueryContext<'_>) -> Result<CheckedWhere, QueryError> {
    let checker = Checker::new(ctx)?;
    let mut predicate = match expr {
        None => Predicate::Const(true),
        Some(e) => checker.predicate(e)?,
    };
    for (dim, value) in &ctx.data_id {
        predicate = predicate.and(checker.data_id_constraint(dim, value)?);
    }
    let mut where_governors = BTreeSet::new();
    let mut referenced = BTreeSet::new();
    if expr.is_some() {
        checker.governors(&predicate, &mut where_governors, &mut referenced);
    }
    for dim in ctx.data_id.keys() {
        referenced.insert(dim.clone());
    }
    let mut cols = Vec::new();
    predicate.columns(&mut cols);
    let mut checked = CheckedWhere {
        predicate: Predicate::Const(true),
        dimensions: ctx.dimensions.iter().cloned().collect(),
        fields: BTreeMap::new(),
        datasets: BTreeSet::new(),
    };
    checked.require(&checker, &cols);
    // Governors of the query's dimensions take a default; governors the expression needs
    // must be constrained by it, the data ID, or a default.
    let mut needed: BTreeSet<String> = where_governors.clone();
    for d in &checked.dimensions {
        if let Some(g) = checker.governor_of(d) {
            needed.insert(g);
        }
    }
    for g in needed {
        if referenced.contains(&g) {
            continue;
        }
        if let Some(v) = ctx.defaults.get(&g) {
            predicate = predicate.and(checker.data_id_constraint(&g, v)?);
        } else if where_governors.contains(&g) {
            let example = if g == "skymap" {
                "'my_skymap'"
            } else {
                "'LSSTCam'"
            };
            return Err(QueryError::new(
                QueryErrorKind::Governor,
                format!(
                    "Query 'where' expression references a dimension dependent on {g} without \
                     constraining it directly."
                ),
                expr.map(|e| e.span),
            )
            .with_hint(format!(
                "add `{g} = {example}` to the expression, or give it as a data ID \
                 (`--data-id {g}=...`{}), or set a default data ID for the repository",
                if g == "instrument" {
                    " or `--instrument`"
                } else {
                    ""
                }
            )));
        }
    }
    checked.predicate = predicate;
    Ok(checked)
}

/// A node's checked value: a condition, a value, or one of the forms only some contexts
/// accept.
enum Checked {
    Pred(Predicate),
    Value(Scalar),
    Null,
    List(Vec<Scalar>),
    Range(i64, i64, i64),
}

impl Checked {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Pred(_) => "bool",
            Self::Value(v) => python_type(v.column_type()),
            Self::Null => "null",
            Self::List(_) => "sequence",
            Self::Range(..) => "range",
        }
    }
}

/// The Python Butler's name of a column type (used in its messages).
pub fn python_type(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Int => "int",
        ColumnType::Float => "float",
        ColumnType::String => "string",
        ColumnType::Hash => "hash",
        ColumnType::Bool => "bool",
        ColumnType::Uuid => "uuid",
        ColumnType::Region => "region",
        ColumnType::Timespan => "timespan",
        ColumnType::Datetime => "datetime",
    }
}

struct Checker<'c, 'a> {
    ctx: &'c QueryContext<'a>,
    /// Elements of the query's dimensions (for bare field names), in universe order.
    elements: Vec<&'c DimensionElement>,
}

fn semantic(message: impl Into<String>, span: Span) -> QueryError {
    QueryError::new(QueryErrorKind::Semantic, message, Some(span))
}

impl<'c, 'a> Checker<'c, 'a> {
    fn new(ctx: &'c QueryContext<'a>) -> Result<Self, QueryError> {
        let group = ctx
            .universe
            .group(&ctx.dimensions)
            .map_err(|e| QueryError::new(QueryErrorKind::Semantic, e.to_string(), None))?;
        let elements = group
            .elements()
            .filter_map(|e| ctx.universe.element(e))
            .collect();
        Ok(Self { ctx, elements })
    }

    fn universe(&self) -> &'c DimensionUniverse {
        self.ctx.universe
    }

    /// The dimensions (required and implied) of an element's records.
    fn element_dimensions(&self, element: &str) -> Vec<String> {
        let u = self.universe();
        let mut out = u.required_closure(element);
        if let Some(e) = u.element(element) {
            out.extend(e.implies.iter().cloned());
        }
        out
    }

    /// The governor a dimension depends on (not itself).
    fn governor_of(&self, dimension: &str) -> Option<String> {
        fn search<'u>(u: &'u DimensionUniverse, e: &'u DimensionElement) -> Option<&'u str> {
            e.requires.iter().find_map(|r| {
                let x = u.element(r)?;
                if x.governor {
                    Some(x.name.as_str())
                } else {
                    search(u, x)
                }
            })
        }
        let u = self.universe();
        search(u, u.element(dimension)?).map(str::to_owned)
    }

    /// Whether `e` requires dimension `name`, directly or through its requirements.
    fn requires(&self, e: &DimensionElement, name: &str) -> bool {
        let u = self.universe();
        e.requires
            .iter()
            .any(|r| r == name || u.element(r).is_some_and(|x| self.requires(x, name)))
    }

    /// What `element.<name>` means, without building the element's column list (the hot path
    /// of every qualified identifier); [`Checker::element_names`] lists the same names.
    fn element_field(&self, e: &DimensionElement, name: &str) -> Option<(ColumnRef, ColumnType)> {
        let u = self.universe();
        if let Some(pk) = e.primary_key().filter(|pk| pk.name == name) {
            return Some((ColumnRef::DimensionKey(e.name.clone()), pk.column_type));
        }
        if let Some(d) = u
            .element(name)
            .filter(|d| d.is_dimension() && d.name != e.name)
        {
            if e.implies.iter().any(|i| i == name) || self.requires(e, name) {
                let t = d
                    .primary_key()
                    .map_or(ColumnType::String, |k| k.column_type);
                return Some((ColumnRef::DimensionKey(name.to_owned()), t));
            }
        }
        let field = |t| {
            Some((
                ColumnRef::DimensionField {
                    element: e.name.clone(),
                    field: name.to_owned(),
                },
                t,
            ))
        };
        if let Some(c) = e
            .keys
            .iter()
            .skip(1)
            .chain(&e.metadata)
            .find(|c| c.name == name)
        {
            return field(c.column_type);
        }
        match name {
            "region" if e.spatial_family.is_some() => field(ColumnType::Region),
            "timespan" if e.temporal_family.is_some() => field(ColumnType::Timespan),
            _ => None,
        }
    }

    /// The names an element's record offers as `element.<name>`: its dimensions (its own key
    /// under the key's name) and the other columns, with their meaning.
    fn element_names(&self, e: &DimensionElement) -> Vec<(String, ColumnRef, ColumnType)> {
        let u = self.universe();
        let mut out = Vec::new();
        for c in e.record_columns(u) {
            let is_own_key = e.primary_key().is_some_and(|pk| pk.name == c.name);
            let r = if is_own_key {
                ColumnRef::DimensionKey(e.name.clone())
            } else if u
                .element(&c.name)
                .is_some_and(DimensionElement::is_dimension)
                && (u.required_closure(&e.name).contains(&c.name) || e.implies.contains(&c.name))
            {
                ColumnRef::DimensionKey(c.name.clone())
            } else {
                ColumnRef::DimensionField {
                    element: e.name.clone(),
                    field: c.name.clone(),
                }
            };
            out.push((c.name, r, c.column_type));
        }
        out
    }

    fn dimension_key(&self, name: &str) -> Option<Scalar> {
        let e = self.universe().element(name).filter(|e| e.is_dimension())?;
        let t = e
            .primary_key()
            .map_or(ColumnType::String, |k| k.column_type);
        Some(Scalar::Column(ColumnRef::DimensionKey(name.to_owned()), t))
    }

    fn data_id_constraint(&self, dim: &str, value: &DataIdValue) -> Result<Predicate, QueryError> {
        let Some(key) = self.dimension_key(dim) else {
            return Err(QueryError::new(
                QueryErrorKind::Semantic,
                format!("Unrecognized data ID key '{dim}'."),
                None,
            )
            .with_suggestions(suggest(
                dim,
                self.universe().dimensions().map(|d| d.name.as_str()),
            )));
        };
        let lit = match value {
            DataIdValue::Int(i) => Literal::Int(*i),
            DataIdValue::Str(s) => Literal::Str(s.clone()),
        };
        if key.column_type() != lit.column_type() {
            return Err(QueryError::new(
                QueryErrorKind::Semantic,
                format!(
                    "Data ID value {lit} for {dim} must be {}.",
                    key.column_type().describe()
                ),
                None,
            ));
        }
        Ok(Predicate::Compare {
            a: key,
            op: CmpOp::Eq,
            b: Scalar::Literal(lit),
        })
    }

    // ----- identifiers -------------------------------------------------------------------

    fn identifier(&self, parts: &[String], span: Span) -> Result<Checked, QueryError> {
        let full = parts.join(".");
        if let Some(v) = self.ctx.bind.get(&full) {
            return Ok(bind_checked(v));
        }
        if parts.len() == 1 && parts[0].eq_ignore_ascii_case("null") {
            return Ok(Checked::Null);
        }
        let scalar = self.resolve(parts, span)?;
        if scalar.column_type() == ColumnType::Bool {
            return Ok(Checked::Pred(Predicate::Bool(scalar)));
        }
        Ok(Checked::Value(scalar))
    }

    fn unrecognized(&self, name: &str, span: Span) -> QueryError {
        let u = self.universe();
        let mut candidates: Vec<String> = u.dimensions().map(|d| d.name.clone()).collect();
        for e in u.elements() {
            for (n, _, _) in self.element_names(e) {
                candidates.push(format!("{}.{n}", e.name));
            }
        }
        for e in &self.elements {
            for (n, _, _) in self.element_names(e) {
                candidates.push(n);
            }
        }
        for d in &self.ctx.dataset_types {
            for f in DATASET_FIELDS {
                candidates.push(format!("{d}.{f}"));
            }
        }
        candidates.sort();
        candidates.dedup();
        semantic(format!("Unrecognized identifier '{name}'."), span)
            .with_suggestions(suggest(name, candidates.iter().map(String::as_str)))
    }

    fn resolve(&self, parts: &[String], span: Span) -> Result<Scalar, QueryError> {
        let u = self.universe();
        let full = parts.join(".");
        match parts {
            [one] => {
                if let Some(k) = self.dimension_key(one) {
                    return Ok(k);
                }
                let mut matches: Vec<(String, Scalar)> = Vec::new();
                for e in &self.elements {
                    if let Some((r, t)) = self.element_field(e, one) {
                        matches.push((e.name.clone(), Scalar::Column(r, t)));
                    }
                }
                if let Some(field) = DatasetField::parse(one) {
                    for d in &self.ctx.dataset_types {
                        matches.push((d.clone(), dataset_column(d, field)));
                    }
                }
                if matches.len() > 1 {
                    let mut names: Vec<String> = matches
                        .iter()
                        .map(|(e, _)| format!("'{e}.{one}'"))
                        .collect();
                    names.sort();
                    return Err(semantic(
                        format!(
                            "Ambiguous identifier '{one}' matches multiple fields: {}.",
                            names.join(", ")
                        ),
                        span,
                    ));
                }
                matches
                    .pop()
                    .map(|(_, s)| s)
                    .ok_or_else(|| self.unrecognized(&full, span))
            }
            [first, second] => {
                if let Some(e) = u.element(first) {
                    if let Some((r, t)) = self.element_field(e, second) {
                        return Ok(Scalar::Column(r, t));
                    }
                    let names = self.element_names(e);
                    return Err(semantic(
                        format!("Unrecognized field '{second}' for {first}."),
                        span,
                    )
                    .with_suggestions(
                        suggest(second, names.iter().map(|(n, _, _)| n.as_str()))
                            .into_iter()
                            .map(|s| format!("{first}.{s}"))
                            .collect(),
                    ));
                }
                if let Some(field) = DatasetField::parse(second) {
                    return Ok(dataset_column(first, field));
                }
                if first == "timespan" {
                    let base = self.resolve(&parts[..1], span)?;
                    return self.bound_of(base, second, span);
                }
                if self.ctx.dataset_types.iter().any(|d| d == first) {
                    return Err(semantic(
                        format!(
                            "Identifier '{full}' references dataset type '{first}' but field \
                             '{second}' is not valid for datasets."
                        ),
                        span,
                    )
                    .with_suggestions(
                        suggest(second, DATASET_FIELDS)
                            .into_iter()
                            .map(|s| format!("{first}.{s}"))
                            .collect(),
                    ));
                }
                let elements = u.elements().map(|e| e.name.as_str());
                Err(
                    semantic(format!("Unrecognized identifier '{full}'."), span).with_suggestions(
                        suggest(first, elements)
                            .into_iter()
                            .map(|s| format!("{s}.{second}"))
                            .collect(),
                    ),
                )
            }
            [_, _, third] => {
                let base = self.resolve(&parts[..2], span)?;
                self.bound_of(base, third, span)
            }
            _ => Err(self.unrecognized(&full, span)),
        }
    }

    fn bound_of(&self, base: Scalar, which: &str, span: Span) -> Result<Scalar, QueryError> {
        if base.column_type() != ColumnType::Timespan {
            return Err(semantic(
                format!(
                    "Invalid column type {} for operator '{which}_of'.",
                    python_type(base.column_type())
                ),
                span,
            ));
        }
        match which {
            "begin" => Ok(Scalar::Begin(Box::new(base))),
            "end" => Ok(Scalar::End(Box::new(base))),
            other => Err(
                semantic(format!("Unrecognized field '{other}' for {base}."), span)
                    .with_suggestions(suggest(other, ["begin", "end"])),
            ),
        }
    }

    // ----- expressions -------------------------------------------------------------------

    fn predicate(&self, e: &Expr) -> Result<Predicate, QueryError> {
        match self.node(e)? {
            Checked::Pred(p) => Ok(p),
            other => Err(semantic(
                format!(
                    "Expression '{e}' is of type {}, not a condition; compare it with something \
                     (for example `{e} = ...`).",
                    other.type_name()
                ),
                e.span,
            )),
        }
    }

    fn value(&self, e: &Expr) -> Result<Scalar, QueryError> {
        match self.node(e)? {
            Checked::Value(v) => Ok(v),
            other => Err(semantic(
                format!(
                    "Expression '{e}' of type {} is not a value here.",
                    other.type_name()
                ),
                e.span,
            )),
        }
    }

    fn node(&self, e: &Expr) -> Result<Checked, QueryError> {
        let span = e.span;
        Ok(match &e.kind {
            ExprKind::Int(i) => Checked::Value(Scalar::Literal(Literal::Int(*i))),
            ExprKind::Float(x) => Checked::Value(Scalar::Literal(Literal::Float(*x))),
            ExprKind::Str(s) => Checked::Value(Scalar::Literal(Literal::Str(s.clone()))),
            ExprKind::Time(t) => Checked::Value(Scalar::Literal(Literal::Time(t.tai_ns))),
            ExprKind::Range {
                start,
                stop,
                stride,
            } => Checked::Range(*start, *stop, stride.unwrap_or(1)),
            ExprKind::Ident(parts) => self.identifier(parts, span)?,
            ExprKind::Bind(name) => match self.ctx.bind.get(name) {
                Some(v) => bind_checked(v),
                None => {
                    return Err(QueryError::new(
                        QueryErrorKind::Bind,
                        format!("Name '{name}' is not in the bind map."),
                        Some(span),
                    )
                    .with_suggestions(suggest(name, self.ctx.bind.keys().map(String::as_str)))
                    .with_hint(format!("give its value with `--bind {name}=VALUE`")))
                }
            },
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e)?,
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e)?,
            ExprKind::In {
                lhs,
                items,
                negated,
            } => {
                let member = self.value(lhs)?;
                let mut preds = Vec::with_capacity(items.len());
                let mut list: Vec<Scalar> = Vec::new();
                for item in items {
                    match self.node(item)? {
                        Checked::Value(v) => list.push(v),
                        Checked::List(vs) => {
                            if vs.is_empty() {
                                continue;
                            }
                            preds.push(self.in_list(&member, vs, e)?);
                        }
                        Checked::Null => preds.push(Predicate::IsNull(member.clone())),
                        Checked::Range(start, stop, step) => {
                            preds.push(self.in_range(&member, start, stop, step, item.span)?);
                        }
                        Checked::Pred(_) => {
                            return Err(semantic(
                                format!("Invalid IN expression: '{e}'"),
                                item.span,
                            ))
                        }
                    }
                }
                // Single values compare one by one in the Python Butler; a list of them is
                // the same condition.
                if !list.is_empty() {
                    for v in &list {
                        self.comparison(&member, CmpOp::Eq, v, e)?;
                    }
                    preds.insert(0, self.in_list(&member, list, e)?);
                }
                let p = match preds.len() {
                    0 => Predicate::Const(false),
                    1 => preds.remove(0),
                    _ => Predicate::Or(preds),
                };
                if *negated {
                    Predicate::Not(Box::new(p))
                } else {
                    p
                }
                .into()
            }
            ExprKind::Tuple(a, b) => {
                let begin = self.timespan_bound(a, e)?;
                let end = self.timespan_bound(b, e)?;
                Checked::Value(Scalar::Literal(Literal::Timespan(Timespan::new(
                    begin, end,
                ))))
            }
            ExprKind::Call { name, args } => self.call(name, args, e)?,
        })
    }

    fn in_list(
        &self,
        member: &Scalar,
        items: Vec<Scalar>,
        e: &Expr,
    ) -> Result<Predicate, QueryError> {
        let t = member.column_type();
        if matches!(t, ColumnType::Timespan | ColumnType::Region) {
            return Err(semantic(
                format!("Timespan or region column {member} may not be used in IN expressions."),
                e.span,
            ));
        }
        if items.iter().any(|i| !types_agree(t, i.column_type())) {
            let shown: Vec<String> = items.iter().map(ToString::to_string).collect();
            return Err(semantic(
                format!(
                    "Column types for membership test {member} IN [{}] do not agree.",
                    shown.join(", ")
                ),
                e.span,
            ));
        }
        Ok(Predicate::InList {
            member: member.clone(),
            items,
        })
    }

    fn in_range(
        &self,
        member: &Scalar,
        start: i64,
        stop: i64,
        step: i64,
        span: Span,
    ) -> Result<Predicate, QueryError> {
        if member.column_type() != ColumnType::Int {
            return Err(semantic(
                format!("Column {member} is not an integer."),
                span,
            ));
        }
        if step < 1 {
            return Err(semantic("Range step must be >= 1.", span));
        }
        if stop < start {
            return Err(semantic("Range stop must be >= start.", span));
        }
        Ok(Predicate::InRange {
            member: member.clone(),
            start,
            stop,
            step,
        })
    }

    fn timespan_bound(&self, item: &Expr, tuple: &Expr) -> Result<Option<i64>, QueryError> {
        match self.node(item)? {
            Checked::Value(Scalar::Literal(Literal::Time(t))) => Ok(Some(t)),
            Checked::Null => Ok(None),
            _ => Err(semantic(
                format!(
                    "Invalid type in timespan tuple \"{tuple}\" (Note that date/time strings must \
                     be preceded by \"T\" to be recognized)."
                ),
                item.span,
            )),
        }
    }

    fn unary(&self, op: UnaryOp, operand: &Expr, e: &Expr) -> Result<Checked, QueryError> {
        let inner = self.node(operand)?;
        match (op, inner) {
            (UnaryOp::Not, Checked::Pred(p)) => Ok(Checked::Pred(Predicate::Not(Box::new(p)))),
            (UnaryOp::Plus, Checked::Value(v))
                if matches!(v.column_type(), ColumnType::Int | ColumnType::Float) =>
            {
                Ok(Checked::Value(v))
            }
            (UnaryOp::Minus, Checked::Value(v))
                if matches!(v.column_type(), ColumnType::Int | ColumnType::Float) =>
            {
                Ok(Checked::Value(match v {
                    Scalar::Literal(Literal::Int(i)) if i != i64::MIN => {
                        Scalar::Literal(Literal::Int(-i))
                    }
                    Scalar::Literal(Literal::Float(x)) => Scalar::Literal(Literal::Float(-x)),
                    v => Scalar::Neg(Box::new(v)),
                }))
            }
            (op, other) => Err(semantic(
                format!(
                    "Unary operator '{op}' is not valid for operand of type {} in {e}.",
                    other.type_name()
                ),
                e.span,
            )),
        }
    }

    fn binary(
        &self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        e: &Expr,
    ) -> Result<Checked, QueryError> {
        let a = self.node(lhs)?;
        let b = self.node(rhs)?;
        let invalid = |a: &Checked, b: &Checked| {
            semantic(
                format!(
                    "Invalid types {}, {} for binary operator '{}' in expression {e}.",
                    a.type_name(),
                    b.type_name(),
                    op.symbol()
                ),
                e.span,
            )
        };
        Ok(match (op, a, b) {
            (BinaryOp::Or, Checked::Pred(a), Checked::Pred(b)) => Checked::Pred(match a {
                Predicate::Or(mut v) => {
                    v.push(b);
                    Predicate::Or(v)
                }
                a => Predicate::Or(vec![a, b]),
            }),
            (BinaryOp::And, Checked::Pred(a), Checked::Pred(b)) => Checked::Pred(a.and(b)),
            (BinaryOp::Overlaps, Checked::Value(a), Checked::Value(b)) => {
                Checked::Pred(self.overlaps(a, b, e)?)
            }
            (op, Checked::Value(a), Checked::Value(b)) if op.is_comparison() => {
                let cmp = cmp_op(op);
                self.comparison(&a, cmp, &b, e)?;
                Checked::Pred(Predicate::Compare { a, op: cmp, b })
            }
            (BinaryOp::Eq, Checked::Value(v), Checked::Null)
            | (BinaryOp::Eq, Checked::Null, Checked::Value(v)) => {
                Checked::Pred(Predicate::IsNull(v))
            }
            (BinaryOp::Ne, Checked::Value(v), Checked::Null)
            | (BinaryOp::Ne, Checked::Null, Checked::Value(v)) => {
                Checked::Pred(Predicate::Not(Box::new(Predicate::IsNull(v))))
            }
            (BinaryOp::Eq | BinaryOp::Ne, Checked::Pred(Predicate::Bool(v)), Checked::Null)
            | (BinaryOp::Eq | BinaryOp::Ne, Checked::Null, Checked::Pred(Predicate::Bool(v))) => {
                let p = Predicate::IsNull(v);
                Checked::Pred(if op == BinaryOp::Ne {
                    Predicate::Not(Box::new(p))
                } else {
                    p
                })
            }
            (op, Checked::Value(a), Checked::Value(b)) if op.is_arithmetic() => {
                let (ta, tb) = (a.column_type(), b.column_type());
                if ta != tb {
                    return Err(semantic(
                        format!(
                            "Column types for operator {} do not agree ({}, {}).",
                            op.symbol(),
                            python_type(ta),
                            python_type(tb)
                        ),
                        e.span,
                    ));
                }
                let ok = match op {
                    BinaryOp::Mod => ta == ColumnType::Int,
                    _ => matches!(ta, ColumnType::Int | ColumnType::Float),
                };
                if !ok {
                    return Err(semantic(
                        format!(
                            "Invalid column type {} for operator '{}'.",
                            python_type(ta),
                            op.symbol()
                        ),
                        e.span,
                    ));
                }
                Checked::Value(Scalar::Arith {
                    op,
                    a: Box::new(a),
                    b: Box::new(b),
                    ty: ta,
                })
            }
            (_, a, b) => return Err(invalid(&a, &b)),
        })
    }

    /// Checks the operand types of `a op b` the way the Python Butler does.
    fn comparison(&self, a: &Scalar, op: CmpOp, b: &Scalar, e: &Expr) -> Result<(), QueryError> {
        let (ta, tb) = (a.column_type(), b.column_type());
        if types_agree(ta, tb) {
            let ordered = matches!(
                ta,
                ColumnType::Int | ColumnType::String | ColumnType::Float | ColumnType::Datetime
            );
            if matches!(op, CmpOp::Eq | CmpOp::Ne) || ordered {
                return Ok(());
            }
            return Err(semantic(
                format!(
                    "Invalid column type {} for operator '{}'.",
                    python_type(ta),
                    op.symbol()
                ),
                e.span,
            ));
        }
        Err(semantic(
            format!(
                "Column types for comparison {a} {} {b} do not agree ({}, {}).",
                op.symbol(),
                python_type(ta),
                python_type(tb)
            ),
            e.span,
        ))
    }

    fn overlaps(&self, a: Scalar, b: Scalar, e: &Expr) -> Result<Predicate, QueryError> {
        use ColumnType::{Datetime, Region, Timespan as Ts};
        // Two elements of one spatial or temporal family are already related by their keys.
        if let (
            Scalar::Column(ColumnRef::DimensionField { element: x, .. }, t),
            Scalar::Column(ColumnRef::DimensionField { element: y, .. }, _),
        ) = (&a, &b)
        {
            let u = self.universe();
            let (ex, ey) = (u.element(x), u.element(y));
            let family = |el: Option<&DimensionElement>| {
                el.and_then(|el| {
                    if *t == Region {
                        el.spatial_family.clone()
                    } else {
                        el.temporal_family.clone()
                    }
                })
            };
            if family(ex).is_some() && family(ex) == family(ey) {
                let kind = if *t == Region { "Spatial" } else { "Temporal" };
                return Err(semantic(
                    format!("{kind} join between {x} and {y} is not necessary."),
                    e.span,
                ));
            }
        }
        match (a.column_type(), b.column_type()) {
            (Ts, Ts) | (Ts, Datetime) | (Datetime, Ts) => Ok(Predicate::Overlaps { a, b }),
            (Region, Region) => {
                if !(a.is_column() || b.is_column()) {
                    return Err(semantic(
                        "Spatial overlap comparison requires at least one dimension region column.",
                        e.span,
                    ));
                }
                Ok(Predicate::Overlaps { a, b })
            }
            (ta, tb) if ta == tb => Err(semantic(
                format!(
                    "Invalid column type {} for operator 'overlaps'.",
                    python_type(ta)
                ),
                e.span,
            )
            .with_hint("OVERLAPS compares two timespans, a timespan and a time, or two regions")),
            (ta, tb) => Err(semantic(
                format!(
                    "Column types for comparison {a} OVERLAPS {b} do not agree ({}, {}).",
                    python_type(ta),
                    python_type(tb)
                ),
                e.span,
            )),
        }
    }

    // ----- functions ---------------------------------------------------------------------

    fn call(&self, name: &str, args: &[Expr], e: &Expr) -> Result<Checked, QueryError> {
        let upper = name.to_ascii_uppercase();
        let arity = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(semantic(format!("{upper} requires {what}."), e.span))
            }
        };
        let region = |r: RegionLiteral| match r.to_region() {
            Ok(_) => Ok(Checked::Value(Scalar::Literal(Literal::Region(r)))),
            Err(err) => Err(semantic(err.to_string(), e.span)),
        };
        match upper.as_str() {
            "POINT" => {
                arity(args.len() == 2, "two arguments (ra, dec)")?;
                region(RegionLiteral::Point(
                    self.number(&args[0], "POINT")?,
                    self.number(&args[1], "POINT")?,
                ))
            }
            "CIRCLE" => {
                arity(args.len() == 3, "three arguments (ra, dec, radius)")?;
                region(RegionLiteral::Circle(
                    self.number(&args[0], "CIRCLE")?,
                    self.number(&args[1], "CIRCLE")?,
                    self.number(&args[2], "CIRCLE")?,
                ))
            }
            "BOX" => {
                arity(args.len() == 4, "four arguments (ra, dec, width, height)")?;
                region(RegionLiteral::Box(
                    self.number(&args[0], "BOX")?,
                    self.number(&args[1], "BOX")?,
                    self.number(&args[2], "BOX")?,
                    self.number(&args[3], "BOX")?,
                ))
            }
            "POLYGON" => {
                arity(args.len().is_multiple_of(2), "an even number of arguments")?;
                arity(args.len() >= 6, "at least three vertices")?;
                let mut vertices = Vec::with_capacity(args.len() / 2);
                for pair in args.chunks(2) {
                    vertices.push((
                        self.number(&pair[0], "POLYGON")?,
                        self.number(&pair[1], "POLYGON")?,
                    ));
                }
                region(RegionLiteral::Polygon(vertices))
            }
            "REGION" => {
                arity(args.len() == 1, "a single string argument")?;
                match self.node(&args[0])? {
                    Checked::Value(Scalar::Literal(Literal::Str(s))) => {
                        region(RegionLiteral::Pos(s))
                    }
                    _ => Err(semantic(
                        format!(
                            "Expression '{}' in REGION() is not a literal string.",
                            args[0]
                        ),
                        args[0].span,
                    )),
                }
            }
            "GLOB" => {
                arity(args.len() == 2, "two arguments (expression, pattern)")?;
                let column = self.value(&args[0])?;
                if !column.is_column() || column.column_type() != ColumnType::String {
                    return Err(semantic(
                        format!("glob() first argument must be a string column (in node {e})"),
                        args[0].span,
                    ));
                }
                match self.node(&args[1])? {
                    Checked::Value(Scalar::Literal(Literal::Str(pattern))) => {
                        Ok(Checked::Pred(Predicate::Glob { column, pattern }))
                    }
                    _ => Err(semantic(
                        format!("glob() second argument must be a string (in node {e})"),
                        args[1].span,
                    )),
                }
            }
            "UUID" => {
                arity(args.len() == 1, "a single argument (uuid-string)")?;
                let ExprKind::Str(s) = &args[0].kind else {
                    return Err(semantic(
                        "UUID() argument must be a string literal",
                        args[0].span,
                    ));
                };
                let u = uuid::Uuid::parse_str(s)
                    .map_err(|err| semantic(format!("'{s}' is not a UUID: {err}"), args[0].span))?;
                Ok(Checked::Value(Scalar::Literal(Literal::Uuid(u))))
            }
            _ => Err(semantic(format!("Unknown function '{name}'."), e.span)
                .with_suggestions(suggest(&upper, FUNCTIONS))
                .with_hint(format!("the functions are {}", FUNCTIONS.join(", ")))),
        }
    }

    /// A literal number (or a bind of one, or `-` of one) as a function argument.
    fn number(&self, e: &Expr, function: &str) -> Result<f64, QueryError> {
        let not_number = || {
            semantic(
                format!("Expression '{e}' in {function}() is not a literal number."),
                e.span,
            )
        };
        match self.node(e)? {
            Checked::Value(v) => literal_number(&v).ok_or_else(not_number),
            _ => Err(not_number()),
        }
    }

    // ----- governors ---------------------------------------------------------------------

    /// Collects the governors the expression needs (`where_governors`) and those it
    /// references directly (anywhere, even under OR).
    fn governors(
        &self,
        checked: &Predicate,
        needed: &mut BTreeSet<String>,
        referenced: &mut BTreeSet<String>,
    ) {
        let mut cols = Vec::new();
        checked.columns(&mut cols);
        let u = self.universe();
        for c in cols {
            match c {
                ColumnRef::DimensionKey(d) => {
                    if u.element(d).is_some_and(|x| x.governor) {
                        referenced.insert(d.clone());
                    } else if let Some(g) = self.governor_of(d) {
                        needed.insert(g);
                    }
                }
                ColumnRef::DimensionField { element, field } => {
                    let Some(el) = u.element(element) else {
                        continue;
                    };
                    let alternate = el.keys.iter().skip(1).any(|k| &k.name == field);
                    if alternate && el.governor {
                        referenced.insert(element.clone());
                    } else if alternate {
                        if let Some(g) = self.governor_of(element) {
                            needed.insert(g);
                        }
                    }
                }
                ColumnRef::DatasetField { .. } => {}
            }
        }
    }
}

impl From<Predicate> for Checked {
    fn from(p: Predicate) -> Self {
        Checked::Pred(p)
    }
}

fn bind_checked(v: &BindValue) -> Checked {
    match v {
        BindValue::List(items) => Checked::List(
            items
                .iter()
                .filter_map(|i| i.to_literal().map(Scalar::Literal))
                .collect(),
        ),
        other => other
            .to_literal()
            .map_or(Checked::Null, |l| Checked::Value(Scalar::Literal(l))),
    }
}

fn dataset_column(dataset_type: &str, field: DatasetField) -> Scalar {
    Scalar::Column(
        ColumnRef::DatasetField {
            dataset_type: dataset_type.to_owned(),
            field,
        },
        field.column_type(),
    )
}

/// Numbers compare with numbers; otherwise types must be equal.
fn types_agree(a: ColumnType, b: ColumnType) -> bool {
    let numeric = |t| matches!(t, ColumnType::Int | ColumnType::Float);
    a == b || (numeric(a) && numeric(b))
}

fn cmp_op(op: BinaryOp) -> CmpOp {
    match op {
        BinaryOp::Ne => CmpOp::Ne,
        BinaryOp::Lt => CmpOp::Lt,
        BinaryOp::Le => CmpOp::Le,
        BinaryOp::Gt => CmpOp::Gt,
        BinaryOp::Ge => CmpOp::Ge,
        _ => CmpOp::Eq,
    }
}

#[allow(clippy::cast_precision_loss, reason = "function arguments are degrees")]
fn literal_number(v: &Scalar) -> Option<f64> {
    match v {
        Scalar::Literal(Literal::Int(i)) => Some(*i as f64),
        Scalar::Literal(Literal::Float(x)) => Some(*x),
        Scalar::Neg(x) => literal_number(x).map(|x| -x),
        _ => None,
    }
}

/// A sort term of a query: a value and its direction.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTerm {
    /// What to sort by.
    pub value: Scalar,
    /// Descending (`-` written before the identifier).
    pub descending: bool,
}

/// Checks `order_by` terms (`visit`, `-visit.timespan.begin`, a bare field when unambiguous)
/// in a query's context, and adds what they read to `checked`.
///
/// # Errors
/// The term's text and a [`QueryError`] whose span is within it.
pub fn check_order_by(
    terms: &[String],
    ctx: &QueryContext<'_>,
    checked: &mut CheckedWhere,
) -> Result<Vec<OrderTerm>, Box<(String, QueryError)>> {
    let checker = Checker::new(ctx).map_err(|e| Box::new((String::new(), e)))?;
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        let text = term.trim();
        let (descending, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let offset = text.len() - rest.len();
        let fail = |e: QueryError| Box::new((text.to_owned(), e));
        let expr = super::parse(rest)
            .map_err(|mut e| {
                e.span = e.span.map(|s| Span::new(s.start + offset, s.end + offset));
                fail(e)
            })?
            .ok_or_else(|| {
                fail(QueryError::new(
                    QueryErrorKind::Syntax,
                    "An order_by term is empty.",
                    Some(Span::new(0, text.len())),
                ))
            })?;
        let span = Span::new(expr.span.start + offset, expr.span.end + offset);
        let ExprKind::Ident(parts) = &expr.kind else {
            return Err(fail(semantic(
                format!("Order term '{text}' must be an identifier, optionally preceded by '-'."),
                span,
            )));
        };
        let value = checker.resolve(parts, span).map_err(fail)?;
        if matches!(
            value.column_type(),
            ColumnType::Region | ColumnType::Timespan
        ) {
            return Err(fail(
                semantic(
                    format!(
                        "Cannot order by {value} of type {}.",
                        python_type(value.column_type())
                    ),
                    span,
                )
                .with_hint("order by `timespan.begin` or `timespan.end` instead"),
            ));
        }
        let mut cols = Vec::new();
        value.columns(&mut cols);
        checked.require(&checker, &cols);
        out.push(OrderTerm { value, descending });
    }
    Ok(out)
}

impl CheckedWhere {
    /// Adds the dimensions, fields and dataset types that `cols` read.
    fn require(&mut self, checker: &Checker<'_, '_>, cols: &[&ColumnRef]) {
        for c in cols {
            match c {
                ColumnRef::DimensionKey(d) => {
                    self.dimensions.insert(d.clone());
                }
                ColumnRef::DimensionField { element, field } => {
                    self.dimensions.extend(checker.element_dimensions(element));
                    self.fields
                        .entry(element.clone())
                        .or_default()
                        .insert(field.clone());
                }
                ColumnRef::DatasetField { dataset_type, .. } => {
                    self.datasets.insert(dataset_type.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod bind_tests {
    use super::*;

    #[test]
    fn cli_and_json_bind_values() {
        assert_eq!(
            BindValue::parse_cli("1,2,3"),
            Ok(BindValue::List(vec![
                BindValue::Int(1),
                BindValue::Int(2),
                BindValue::Int(3)
            ]))
        );
        // A string starting with `T` is still split; only a `T'...'` literal is a time.
        assert_eq!(
            BindValue::parse_cli("Tokyo,Paris"),
            Ok(BindValue::List(vec![
                BindValue::Str("Tokyo".into()),
                BindValue::Str("Paris".into())
            ]))
        );
        assert!(matches!(
            BindValue::parse_cli("T'2025-01-01'"),
            Ok(BindValue::Time(_))
        ));
        // JSON strings are never split: lists are JSON arrays.
        assert_eq!(
            BindValue::from_json(&serde_json::json!("a,b")),
            Ok(BindValue::Str("a,b".into()))
        );
        assert_eq!(
            BindValue::from_json(&serde_json::json!([1, 2.5])),
            Ok(BindValue::List(vec![
                BindValue::Int(1),
                BindValue::Float(2.5)
            ]))
        );
        assert!(matches!(
            BindValue::from_json(&serde_json::json!("T'2025-01-01'")),
            Ok(BindValue::Time(_))
        ));
        assert!(BindValue::from_json(&serde_json::json!({"a": 1})).is_err());
        assert_eq!(
            data_id_from_json(&serde_json::json!(3)),
            Ok(DataIdValue::Int(3))
        );
        assert!(data_id_from_json(&serde_json::json!(1.5)).is_err());
    }
}
