//! Relational queries: which tables a query joins, and a checked `where` predicate as SQL.
//!
//! A query's rows are the natural join of its sources on shared dimension columns, as in the
//! Python Butler's query system: dataset tables (the required dimensions of a dataset type),
//! the tables of dimension elements that must be joined — those whose fields the query reads,
//! and those that define relationships (an element with implied dimensions, or a join element
//! marked `always_join`) — and, for any dimension still without a source, its own table.
//!
//! Only identifiers generated from the universe go into SQL text (through `schema::ident`);
//! every value from an expression, a bind or a data ID is a bound parameter.

use rusqlite::types::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::schema::{self, element_table, ident};
use super::SqliteRegistry;
use crate::model::{DimensionElement, DimensionGroup};
use crate::query::{
    ColumnRef, DatasetField, Literal, Predicate, QueryError, QueryErrorKind, RegionLiteral, Scalar,
};
use crate::registry::RegistryError;

/// The SQL function that tests whether two sphgeom-encoded regions (hex) overlap.
pub(super) const REGION_OVERLAPS_FUNCTION: &str = "satellite_region_overlaps";

/// A dataset table joined into a query.
#[derive(Debug, Clone)]
pub(super) struct DatasetSource {
    /// The dataset type (for `<type>.<field>` references).
    pub dataset_type: String,
    /// Alias of the `tags_`/`calibs_` table.
    pub alias: String,
    /// The table (quoted).
    pub table: String,
    /// The dataset type's required dimensions (columns of the table).
    pub required: Vec<String>,
    /// How each dataset field reads in SQL; fields absent here are refused.
    pub fields: HashMap<DatasetField, FieldSql>,
}

/// How a field reads in SQL.
#[derive(Debug, Clone)]
pub(super) enum FieldSql {
    /// An SQL expression of generated identifiers.
    Expr(String),
    /// A timespan as begin and end expressions (already made unbounded-safe).
    Pair(String, String),
    /// A constant for the whole statement (the collection being searched).
    Const(Value),
}

/// The FROM clause of a query and where each dimension and element can be read.
#[derive(Debug, Default)]
pub(super) struct Relation {
    /// `table AS a JOIN table AS b ON ...`.
    pub from: String,
    /// Dimension name → the SQL expression of its key value.
    pub dims: HashMap<String, String>,
    /// Element name → alias of its joined table.
    pub elements: HashMap<String, String>,
    /// Dataset sources by dataset type name.
    pub datasets: HashMap<String, DatasetSource>,
    next: usize,
}

impl Relation {
    fn add_table(&mut self, table: &str, alias: &str, conditions: &[String]) {
        if self.from.is_empty() {
            self.from = format!("{table} AS {alias}");
        } else if conditions.is_empty() {
            self.from
                .push_str(&format!(" CROSS JOIN {table} AS {alias}"));
        } else {
            self.from.push_str(&format!(
                " JOIN {table} AS {alias} ON {}",
                conditions.join(" AND ")
            ));
        }
    }

    /// The SQL of a dimension's key.
    pub fn dim(&self, name: &str) -> Result<&str, RegistryError> {
        self.dims
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| RegistryError::Corrupt(format!("the query has no source for `{name}`")))
    }
}

/// Which element tables a query must join, and the columns it reads from them.
pub(super) type FieldsNeeded = BTreeMap<String, BTreeSet<String>>;

impl SqliteRegistry {
    /// Builds the join of `sources` and the dimension tables `group` needs.
    ///
    /// # Errors
    /// [`RegistryError::Query`] for dimensions that have no table to come from (skypix).
    pub(super) fn relation(
        &self,
        group: &DimensionGroup,
        fields: &FieldsNeeded,
        sources: Vec<DatasetSource>,
    ) -> Result<Relation, RegistryError> {
        let universe = self.universe().clone();
        let mut rel = Relation::default();
        for s in sources {
            let mut conditions = Vec::new();
            for d in &s.required {
                let col = format!("{}.{}", s.alias, ident(d));
                match rel.dims.get(d) {
                    Some(e) => conditions.push(format!("{col} = {e}")),
                    None => {
                        rel.dims.insert(d.clone(), col);
                    }
                }
            }
            rel.add_table(&s.table, &s.alias, &conditions);
            rel.datasets.insert(s.dataset_type.clone(), s);
        }
        let source_dims: Vec<BTreeSet<String>> = rel
            .datasets
            .values()
            .map(|s| s.required.iter().cloned().collect())
            .collect();
        for name in group.elements() {
            let Some(e) = universe.element(name) else {
                continue;
            };
            if !e.has_table() {
                continue;
            }
            let relationship = !e.implies.is_empty() || e.always_join;
            let minimal: BTreeSet<String> = universe
                .required_closure(name)
                .into_iter()
                .chain(e.implies.iter().cloned())
                .collect();
            let provided = source_dims
                .iter()
                .any(|s| minimal.iter().all(|d| s.contains(d)));
            if fields.contains_key(name) || (relationship && !provided) {
                self.join_element(&mut rel, e);
            }
        }
        for d in group.names() {
            if rel.dims.contains_key(d) {
                continue;
            }
            let e = universe.get_dimension(d)?;
            if e.has_table() {
                self.join_element(&mut rel, e);
            } else if let Some(target) = e
                .implied_union_target
                .as_deref()
                .and_then(|t| universe.element(t))
            {
                self.join_element(&mut rel, target);
            }
            if !rel.dims.contains_key(d) {
                return Err(RegistryError::Query {
                    expression: String::new(),
                    error: Box::new(QueryError::new(
                        QueryErrorKind::Semantic,
                        format!(
                            "Queries over the `{d}` dimension are not supported yet (it has no \
                             table of its own)."
                        ),
                        None,
                    )),
                });
            }
        }
        // Elements whose fields are read but that are not in the group cannot occur: the
        // checker adds every element's dimensions to the query.
        Ok(rel)
    }

    /// Joins an element's table, equating its dimension columns with those already known.
    fn join_element(&self, rel: &mut Relation, e: &DimensionElement) {
        if rel.elements.contains_key(&e.name) {
            return;
        }
        let universe = self.universe();
        let alias = format!("e{}", rel.next);
        rel.next += 1;
        let keys = schema::element_key_columns(universe, e);
        let mut columns: Vec<(String, String)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let dim = if i + 1 == keys.len() && e.is_dimension() {
                    e.name.clone()
                } else {
                    k.clone()
                };
                (k.clone(), dim)
            })
            .collect();
        for d in &e.implies {
            columns.push((d.clone(), d.clone()));
        }
        let mut conditions = Vec::new();
        for (col, dim) in columns {
            let sql = format!("{alias}.{}", ident(&col));
            match rel.dims.get(&dim) {
                Some(known) => conditions.push(format!("{sql} = {known}")),
                None => {
                    rel.dims.insert(dim, sql);
                }
            }
        }
        rel.add_table(&element_table(&e.name), &alias, &conditions);
        rel.elements.insert(e.name.clone(), alias);
    }
}

/// A value in SQL: one expression, or a timespan's two bounds.
enum Sql {
    One(String),
    Pair(String, String),
}

/// Translates a checked predicate to SQL text, pushing every value onto `params` (numbered
/// placeholders `?N` continue from the parameters already there).
pub(super) struct Translator<'r> {
    rel: &'r Relation,
    params: Vec<Value>,
}

impl<'r> Translator<'r> {
    /// A translator; `params` are already bound (`?1`, `?2`, …) and new values follow them.
    pub fn new(rel: &'r Relation, params: Vec<Value>) -> Self {
        Self { rel, params }
    }

    /// The parameters bound so far (those given to [`Translator::new`] first).
    pub fn into_params(self) -> Vec<Value> {
        self.params
    }

    fn bind(&mut self, v: Value) -> String {
        self.params.push(v);
        format!("?{}", self.params.len())
    }

    /// Binds a value; returns its placeholder number.
    pub fn push_param(&mut self, v: Value) -> usize {
        self.params.push(v);
        self.params.len()
    }

    /// The SQL of a single value (sort terms).
    ///
    /// # Errors
    /// As [`Translator::predicate`].
    pub fn scalar_sql(&mut self, s: &Scalar) -> Result<String, RegistryError> {
        self.one(s)
    }

    /// The SQL of a predicate.
    ///
    /// # Errors
    /// [`RegistryError::Query`] for references the query cannot read (a field of a dataset
    /// type it does not search) and regions that cannot be built.
    pub fn predicate(&mut self, p: &Predicate) -> Result<String, RegistryError> {
        Ok(match p {
            Predicate::Const(true) => "1".to_owned(),
            Predicate::Const(false) => "0".to_owned(),
            Predicate::And(ps) => self.join(ps, " AND ")?,
            Predicate::Or(ps) => self.join(ps, " OR ")?,
            Predicate::Not(p) => format!("NOT ({})", self.predicate(p)?),
            Predicate::Compare { a, op, b } => {
                let (a, b) = (self.scalar(a)?, self.scalar(b)?);
                let sym = match op {
                    crate::query::CmpOp::Eq => "=",
                    crate::query::CmpOp::Ne => "!=",
                    crate::query::CmpOp::Lt => "<",
                    crate::query::CmpOp::Le => "<=",
                    crate::query::CmpOp::Gt => ">",
                    crate::query::CmpOp::Ge => ">=",
                };
                match (a, b) {
                    (Sql::One(a), Sql::One(b)) => format!("({a} {sym} {b})"),
                    (Sql::Pair(a0, a1), Sql::Pair(b0, b1)) if sym == "=" => {
                        format!("({a0} = {b0} AND {a1} = {b1})")
                    }
                    (Sql::Pair(a0, a1), Sql::Pair(b0, b1)) if sym == "!=" => {
                        format!("NOT ({a0} = {b0} AND {a1} = {b1})")
                    }
                    _ => return Err(internal("timespans only compare with = and !=")),
                }
            }
            Predicate::Overlaps { a, b } => self.overlaps(a, b)?,
            Predicate::IsNull(x) => match self.scalar(x)? {
                Sql::One(s) => format!("({s} IS NULL)"),
                Sql::Pair(b, e) => format!("({b} IS NULL AND {e} IS NULL)"),
            },
            Predicate::InList { member, items } => {
                let m = self.one(member)?;
                let mut list = Vec::with_capacity(items.len());
                for i in items {
                    list.push(self.one(i)?);
                }
                format!("({m} IN ({}))", list.join(", "))
            }
            Predicate::InRange {
                member,
                start,
                stop,
                step,
            } => {
                let m = self.one(member)?;
                let s = self.bind(Value::Integer(*start));
                let e = self.bind(Value::Integer(*stop));
                if *step == 1 {
                    format!("({m} BETWEEN {s} AND {e})")
                } else {
                    let st = self.bind(Value::Integer(*step));
                    format!("({m} BETWEEN {s} AND {e} AND ({m} - {s}) % {st} = 0)")
                }
            }
            Predicate::Glob { column, pattern } => {
                let c = self.one(column)?;
                // SQLite's GLOB also reads `[...]` as a set; the language has only `*` and `?`.
                let p = self.bind(Value::Text(pattern.replace('[', "[[]")));
                format!("({c} GLOB {p})")
            }
            Predicate::Bool(x) => format!("({} != 0)", self.one(x)?),
        })
    }

    fn join(&mut self, ps: &[Predicate], sep: &str) -> Result<String, RegistryError> {
        let mut parts = Vec::with_capacity(ps.len());
        for p in ps {
            parts.push(self.predicate(p)?);
        }
        Ok(format!("({})", parts.join(sep)))
    }

    fn one(&mut self, s: &Scalar) -> Result<String, RegistryError> {
        match self.scalar(s)? {
            Sql::One(x) => Ok(x),
            Sql::Pair(..) => Err(internal("a timespan where a single value was expected")),
        }
    }

    fn overlaps(&mut self, a: &Scalar, b: &Scalar) -> Result<String, RegistryError> {
        use crate::model::ColumnType::{Datetime, Region, Timespan};
        Ok(match (a.column_type(), b.column_type()) {
            (Region, Region) => {
                let (x, y) = (self.one(a)?, self.one(b)?);
                format!("({REGION_OVERLAPS_FUNCTION}({x}, {y}) = 1)")
            }
            (Timespan, Timespan) => {
                if [a, b]
                    .iter()
                    .any(|s| matches!(s, Scalar::Literal(Literal::Timespan(t)) if t.is_empty()))
                {
                    return Ok("0".to_owned());
                }
                let (Sql::Pair(a0, a1), Sql::Pair(b0, b1)) = (self.scalar(a)?, self.scalar(b)?)
                else {
                    return Err(internal("a timespan without bounds"));
                };
                format!("({a0} < {b1} AND {b0} < {a1})")
            }
            (Timespan, Datetime) | (Datetime, Timespan) => {
                let (ts, t) = if a.column_type() == Timespan {
                    (a, b)
                } else {
                    (b, a)
                };
                let Sql::Pair(b0, b1) = self.scalar(ts)? else {
                    return Err(internal("a timespan without bounds"));
                };
                let t = self.one(t)?;
                format!("({b0} <= {t} AND {t} < {b1})")
            }
            _ => return Err(internal("OVERLAPS of types the checker refuses")),
        })
    }

    fn scalar(&mut self, s: &Scalar) -> Result<Sql, RegistryError> {
        Ok(match s {
            Scalar::Literal(l) => self.literal(l)?,
            Scalar::Column(c, t) => self.column(c, *t)?,
            Scalar::Neg(x) => Sql::One(format!("(-{})", self.one(x)?)),
            Scalar::Arith { op, a, b, ty } => {
                let (a, b) = (self.one(a)?, self.one(b)?);
                // The Python Butler's SQL divides integers exactly (`visit / 2 = 3` matches
                // only visit 6), so integer division is done in floating point.
                if *op == crate::query::BinaryOp::Div && *ty == crate::model::ColumnType::Int {
                    Sql::One(format!("(CAST({a} AS REAL) / {b})"))
                } else {
                    Sql::One(format!("({a} {} {b})", op.symbol()))
                }
            }
            Scalar::Begin(x) => match self.scalar(x)? {
                Sql::Pair(b, _) => Sql::One(b),
                Sql::One(_) => return Err(internal("begin of a non-timespan")),
            },
            Scalar::End(x) => match self.scalar(x)? {
                Sql::Pair(_, e) => Sql::One(e),
                Sql::One(_) => return Err(internal("end of a non-timespan")),
            },
        })
    }

    fn literal(&mut self, l: &Literal) -> Result<Sql, RegistryError> {
        Ok(Sql::One(match l {
            Literal::Int(i) => self.bind(Value::Integer(*i)),
            Literal::Float(x) => self.bind(Value::Real(*x)),
            Literal::Str(s) => self.bind(Value::Text(s.clone())),
            Literal::Time(t) => self.bind(Value::Integer(*t)),
            Literal::Uuid(u) => self.bind(Value::Blob(u.as_bytes().to_vec())),
            Literal::Timespan(t) => {
                let b = self.bind(Value::Integer(t.begin.unwrap_or(i64::MIN)));
                let e = self.bind(Value::Integer(t.end.unwrap_or(i64::MAX)));
                return Ok(Sql::Pair(b, e));
            }
            Literal::Region(r) => {
                let hex = region_hex(r)?;
                self.bind(Value::Text(hex))
            }
        }))
    }

    fn column(&mut self, c: &ColumnRef, t: crate::model::ColumnType) -> Result<Sql, RegistryError> {
        Ok(match c {
            ColumnRef::DimensionKey(d) => Sql::One(self.rel.dim(d)?.to_owned()),
            ColumnRef::DimensionField { element, field } => {
                let alias = self
                    .rel
                    .elements
                    .get(element)
                    .ok_or_else(|| internal("a field of an element the query did not join"))?;
                if t == crate::model::ColumnType::Timespan {
                    // A record without a timespan has both bounds NULL: it overlaps nothing.
                    Sql::Pair(
                        format!("{alias}.\"timespan_begin\""),
                        format!("{alias}.\"timespan_end\""),
                    )
                } else {
                    Sql::One(format!("{alias}.{}", ident(field)))
                }
            }
            ColumnRef::DatasetField {
                dataset_type,
                field,
            } => {
                let Some(src) = self.rel.datasets.get(dataset_type) else {
                    return Err(RegistryError::Query {
                        expression: String::new(),
                        error: Box::new(QueryError::new(
                            QueryErrorKind::Semantic,
                            format!(
                                "Dataset type '{dataset_type}' is not part of this query; \
                                 '{dataset_type}.{}' can only be used when searching it.",
                                field.name()
                            ),
                            None,
                        )),
                    });
                };
                match src.fields.get(field) {
                    Some(FieldSql::Expr(e)) => Sql::One(e.clone()),
                    Some(FieldSql::Pair(b, e)) => Sql::Pair(b.clone(), e.clone()),
                    Some(FieldSql::Const(v)) => Sql::One(self.bind(v.clone())),
                    None => Sql::One("NULL".to_owned()),
                }
            }
        })
    }
}

fn internal(what: &str) -> RegistryError {
    RegistryError::Corrupt(format!("query translation: {what}"))
}

/// The sphgeom encoding (hex) of a region written in an expression.
fn region_hex(r: &RegionLiteral) -> Result<String, RegistryError> {
    r.to_region()
        .map(|r| r.encode_hex())
        .map_err(|e| RegistryError::Query {
            expression: String::new(),
            error: Box::new(QueryError::new(
                QueryErrorKind::Semantic,
                e.to_string(),
                None,
            )),
        })
}

/// Registers [`REGION_OVERLAPS_FUNCTION`] on a connection: `f(a, b)` is 1 when the regions
/// (sphgeom encodings in hex) overlap as the Python Butler decides it (sphgeom does not say
/// they are disjoint), 0 when not, NULL when either is NULL. A constant argument (the region
/// of the expression) is decoded once per statement.
pub(super) fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use std::sync::Arc;
    conn.create_scalar_function(
        REGION_OVERLAPS_FUNCTION,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            if ctx.get_raw(0) == rusqlite::types::ValueRef::Null
                || ctx.get_raw(1) == rusqlite::types::ValueRef::Null
            {
                return Ok(None);
            }
            let decode =
                |v: rusqlite::types::ValueRef<'_>| -> Result<crate::model::Region, String> {
                    let text = v.as_str().map_err(|e| e.to_string())?;
                    crate::model::Region::decode_hex(text)
                        .map_err(|e| format!("a stored region: {e}"))
                };
            let a: Arc<crate::model::Region> = ctx.get_or_create_aux(0, decode)?;
            let b: Arc<crate::model::Region> = ctx.get_or_create_aux(1, decode)?;
            Ok(Some(i64::from(a.overlaps(&b))))
        },
    )
}
