//! The three queries of the Butler — datasets, data IDs, dimension records — with `where`,
//! bind values, data ID constraints, governor defaults, ordering and limits.
//!
//! Each parses and checks its filter ([`crate::query`]), builds the join its dimensions need
//! ([`super::relation`]), and runs one statement per (dataset type, collection) or one in all.

use rusqlite::types::{Value, ValueRef};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::relation::{DatasetSource, FieldSql, Translator};
use super::schema::{self, calibs_table, ident, render, tags_table};
use super::SqliteRegistry;
use crate::model::{
    CollectionType, DataCoordinate, DataIdValue, DatasetId, DatasetRef, DimensionRecord,
    ModelError, RunName, Timespan,
};
use crate::query::{
    check, check_order_by, parse, CheckedWhere, ColumnRef, DatasetField, OrderTerm, Predicate,
    QueryContext, Scalar,
};
use crate::registry::{DataIdQuery, DatasetQuery, DimensionRecordQuery, Filter, RegistryError};

/// A checked filter: the predicate with what it needs, and the sort terms.
struct Plan {
    checked: CheckedWhere,
    order: Vec<OrderTerm>,
}

fn query_error(expression: &str, error: crate::query::QueryError) -> RegistryError {
    RegistryError::Query {
        expression: expression.to_owned(),
        error: Box::new(error),
    }
}

/// Compares two SQL values the way SQLite orders them (NULL, numbers, text, blobs).
fn cmp_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "mixed int/float ordering, as SQLite"
    )]
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn cmp_terms(order: &[OrderTerm], a: &[Value], b: &[Value]) -> Ordering {
    for (i, t) in order.iter().enumerate() {
        let (Some(x), Some(y)) = (a.get(i), b.get(i)) else {
            break;
        };
        let o = cmp_values(x, y);
        let o = if t.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Appends a data ID value's bytes to a probe key (tagged, length-prefixed: unambiguous).
fn key_bytes(v: ValueRef<'_>, key: &mut Vec<u8>) {
    match v {
        ValueRef::Integer(i) => {
            key.push(b'i');
            key.extend_from_slice(&i.to_le_bytes());
        }
        ValueRef::Text(t) => {
            key.push(b's');
            key.extend_from_slice(&u32::try_from(t.len()).unwrap_or(u32::MAX).to_le_bytes());
            key.extend_from_slice(t);
        }
        other => key.push(match other {
            ValueRef::Null => b'n',
            _ => b'?',
        }),
    }
}

/// Whether a predicate reads a field of a dataset.
fn reads_dataset_field(p: &Predicate, order: &[OrderTerm], field: DatasetField) -> bool {
    let mut cols = Vec::new();
    p.columns(&mut cols);
    for t in order {
        t.value.columns(&mut cols);
    }
    cols.iter()
        .any(|c| matches!(c, ColumnRef::DatasetField { field: f, .. } if *f == field))
}

impl SqliteRegistry {
    /// Parses and checks a filter for a query over `dimensions` searching `dataset_types`.
    fn plan(
        &self,
        filter: &Filter,
        dimensions: Vec<String>,
        dataset_types: Vec<String>,
        data_id: BTreeMap<String, DataIdValue>,
    ) -> Result<Plan, RegistryError> {
        let universe = self.universe().clone();
        let ctx = QueryContext {
            universe: &universe,
            dimensions,
            dataset_types,
            bind: filter.bind.clone(),
            data_id,
            defaults: filter.defaults.clone(),
        };
        let expr = parse(&filter.expression).map_err(|e| query_error(&filter.expression, e))?;
        let mut checked = match check(expr.as_ref(), &ctx) {
            Ok(c) => c,
            Err(mut e) => {
                if e.kind == crate::query::QueryErrorKind::Governor {
                    self.name_governor_values(&mut e);
                }
                return Err(query_error(&filter.expression, e));
            }
        };
        let order = check_order_by(&filter.order_by, &ctx, &mut checked)
            .map_err(|b| query_error(&b.0, b.1))?;
        self.add_spatial_join(&mut checked)
            .map_err(|e| query_error(&filter.expression, e))?;
        Ok(Plan { checked, order })
    }

    /// Rewrites a governor error's hint with the values this repository has
    /// (`add \`instrument = 'DemoCam'\` ...; the instruments are 'DemoCam', 'OtherCam'`).
    fn name_governor_values(&self, e: &mut crate::query::QueryError) {
        let universe = self.universe().clone();
        let Some(g) = universe
            .dimensions()
            .filter(|d| d.governor)
            .find(|d| e.message.contains(&format!("dependent on {} ", d.name)))
        else {
            return;
        };
        let Ok(records) = self.element_records(&g.name) else {
            return;
        };
        let mut values: Vec<String> = records
            .keys()
            .filter_map(|k| k.last())
            .map(|v| format!("'{v}'"))
            .collect();
        values.sort();
        let Some(first) = values.first() else {
            e.hint = Some(format!(
                "no {} is registered in this repository yet",
                g.name
            ));
            return;
        };
        let flag = if g.name == "instrument" {
            " or `--instrument`"
        } else {
            ""
        };
        e.hint = Some(format!(
            "add `{name} = {first}` to the expression, or give it with `--data-id {name}=...`{flag}; \
             this repository has {name} {}",
            values.join(", "),
            name = g.name
        ));
    }

    /// The Python Butler's automatic spatial join: when the query's dimensions reach two
    /// spatial families (a visit and a patch), rows must have overlapping regions, compared
    /// on the most specific element of each family in the query (`visit_detector_region`
    /// before `visit`, `patch` before `tract`).
    fn add_spatial_join(&self, checked: &mut CheckedWhere) -> Result<(), crate::query::QueryError> {
        let universe = self.universe().clone();
        let group = universe.group(&checked.dimensions).map_err(|e| {
            crate::query::QueryError::new(
                crate::query::QueryErrorKind::Semantic,
                e.to_string(),
                None,
            )
        })?;
        let chosen: Vec<String> = universe
            .families(true)
            .filter_map(|(_, members)| {
                members
                    .iter()
                    .find(|m| group.elements().any(|e| e == m.as_str()))
                    .cloned()
            })
            .collect();
        match chosen.as_slice() {
            [a, b] => {
                let region = |e: &String| {
                    Scalar::Column(
                        ColumnRef::DimensionField {
                            element: e.clone(),
                            field: "region".to_owned(),
                        },
                        crate::model::ColumnType::Region,
                    )
                };
                let join = Predicate::Overlaps {
                    a: region(a),
                    b: region(b),
                };
                for e in [a, b] {
                    checked
                        .fields
                        .entry(e.clone())
                        .or_default()
                        .insert("region".to_owned());
                }
                let p = std::mem::replace(&mut checked.predicate, Predicate::Const(true));
                checked.predicate = p.and(join);
                Ok(())
            }
            [_, _, _, ..] => Err(crate::query::QueryError::new(
                crate::query::QueryErrorKind::Semantic,
                format!(
                    "Too many disconnected sets of spatial families for an automatic join: {chosen:?}."
                ),
                None,
            )),
            _ => Ok(()),
        }
    }

    /// Queries datasets; returns the refs (data IDs with implied values) and whether the limit
    /// cut the result short. Without `order_by`, refs are sorted by dataset type, data ID and
    /// search order.
    ///
    /// # Errors
    /// [`RegistryError::MissingDatasetType`], [`RegistryError::MissingCollection`],
    /// [`RegistryError::Query`] for a refused expression.
    pub fn query_datasets(
        &self,
        q: &DatasetQuery,
    ) -> Result<(Vec<DatasetRef>, bool), RegistryError> {
        let path = self.flatten(&q.collections)?;
        let universe = self.universe().clone();
        let mut out = Vec::new();
        for type_name in &q.dataset_types {
            let parent = type_name.parent();
            let (type_id, dt, group_id) = self.dataset_type_entry(parent)?;
            let group = self.group_by_id(group_id)?;
            let names: Vec<String> = group.names().map(str::to_owned).collect();
            let required: Vec<String> = group.required().map(str::to_owned).collect();
            let plan = self.plan(
                &q.filter,
                names.clone(),
                vec![parent.to_owned()],
                q.filter.data_id.clone(),
            )?;
            // Find-first in a CALIBRATION collection without a lookup time picks the validity
            // range that overlaps the query's own temporal element (an exposure named in the
            // expression), as the Python Butler does.
            let mut plan = plan;
            let query_group = universe.group(&plan.checked.dimensions)?;
            let lookup: Option<String> = if q.find_first
                && q.timespan.is_none()
                && path
                    .iter()
                    .any(|(_, _, t)| *t == CollectionType::Calibration)
            {
                universe.families(false).find_map(|(_, members)| {
                    members
                        .iter()
                        .find(|m| query_group.elements().any(|e| e == m.as_str()))
                        .cloned()
                })
            } else {
                None
            };
            if let Some(el) = &lookup {
                plan.checked
                    .fields
                    .entry(el.clone())
                    .or_default()
                    .insert("timespan".to_owned());
            }
            let wants_ingest = reads_dataset_field(
                &plan.checked.predicate,
                &plan.order,
                DatasetField::IngestDate,
            );
            let wants_run =
                reads_dataset_field(&plan.checked.predicate, &plan.order, DatasetField::Run);
            struct Row {
                rank: usize,
                values: Vec<DataIdValue>,
                id: [u8; 16],
                run_id: i64,
                order: Vec<Value>,
            }
            let mut first: HashMap<Vec<u8>, usize> = HashMap::new();
            let mut all: Vec<Row> = Vec::new();
            let mut key: Vec<u8> = Vec::with_capacity(64);
            for (rank, (collection_id, collection, ctype)) in path.iter().enumerate() {
                let calibration = *ctype == CollectionType::Calibration;
                let is_run = *ctype == CollectionType::Run;
                let mut fields = HashMap::new();
                fields.insert(
                    DatasetField::DatasetId,
                    FieldSql::Expr("t.dataset_id".into()),
                );
                fields.insert(
                    DatasetField::Collection,
                    FieldSql::Const(Value::Text(collection.clone())),
                );
                fields.insert(
                    DatasetField::IngestDate,
                    FieldSql::Expr("d.ingest_date".into()),
                );
                fields.insert(
                    DatasetField::Run,
                    if is_run {
                        FieldSql::Const(Value::Text(collection.clone()))
                    } else {
                        FieldSql::Expr("r.name".into())
                    },
                );
                if calibration {
                    fields.insert(
                        DatasetField::Timespan,
                        FieldSql::Pair(
                            format!("COALESCE(t.timespan_begin, {})", i64::MIN),
                            format!("COALESCE(t.timespan_end, {})", i64::MAX),
                        ),
                    );
                }
                let source = DatasetSource {
                    dataset_type: parent.to_owned(),
                    alias: "t".into(),
                    table: if calibration {
                        calibs_table(group_id)
                    } else {
                        tags_table(group_id)
                    },
                    required: required.clone(),
                    fields,
                };
                let rel = self.relation(&query_group, &plan.checked.fields, vec![source])?;
                let mut tr = Translator::new(
                    &rel,
                    vec![Value::Integer(type_id), Value::Integer(*collection_id)],
                );
                let mut condition = tr
                    .predicate(&plan.checked.predicate)
                    .map_err(|e| with_expression(e, &q.filter.expression))?;
                if let (true, Some(el)) = (calibration, &lookup) {
                    if let Some(a) = rel.elements.get(el) {
                        condition = format!(
                            "{condition} AND COALESCE(t.timespan_begin, {min}) < {a}.timespan_end \
                             AND {a}.timespan_begin < COALESCE(t.timespan_end, {max})",
                            min = i64::MIN,
                            max = i64::MAX
                        );
                    }
                }
                let mut selected = String::new();
                for n in &names {
                    selected.push_str(", ");
                    selected.push_str(rel.dim(n)?);
                }
                for t in &plan.order {
                    selected.push_str(", ");
                    selected.push_str(&order_sql(&mut tr, &t.value)?);
                }
                let mut joins = String::new();
                if !is_run || wants_ingest || wants_run {
                    joins.push_str(" JOIN dataset AS d ON d.dataset_id = t.dataset_id");
                }
                if !is_run && wants_run {
                    joins.push_str(" JOIN collection AS r ON r.collection_id = d.run_id");
                }
                let run_sql = if is_run {
                    "t.collection_id"
                } else {
                    "d.run_id"
                };
                let times = if calibration {
                    "t.timespan_begin, t.timespan_end"
                } else {
                    "NULL, NULL"
                };
                let sql = render(
                    "SELECT t.dataset_id, {run}, {times}{values} FROM {from}{joins}
                     WHERE t.dataset_type_id = ?1 AND t.collection_id = ?2 AND {condition}",
                    &[
                        ("run", run_sql),
                        ("times", times),
                        ("values", &selected),
                        ("from", &rel.from),
                        ("joins", &joins),
                        ("condition", &condition),
                    ],
                );
                let params = tr.into_params();
                let mut stmt = self.conn().prepare_cached(&sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
                let dims = required.len();
                // Masking by earlier collections (and the ambiguity check within a CALIBRATION
                // collection) probes a byte key of the required values, built in a reused
                // buffer, so masked rows cost no allocation.
                let masks = q.find_first && (path.len() > 1 || calibration);
                while let Some(r) = rows.next()? {
                    if calibration {
                        if let Some(ts) = q.timespan {
                            if !Timespan::new(r.get(2)?, r.get(3)?).overlaps(&ts) {
                                continue;
                            }
                        }
                    }
                    if masks {
                        key.clear();
                        for i in 0..dims {
                            key_bytes(r.get_ref(i + 4)?, &mut key);
                        }
                        if let Some(&earlier) = first.get(key.as_slice()) {
                            let earlier: &Row = &all[earlier];
                            if calibration && earlier.rank == rank && q.timespan.is_none() {
                                return Err(RegistryError::AmbiguousCalibration {
                                    dataset_type: parent.to_owned(),
                                    collection: collection.clone(),
                                });
                            }
                            continue;
                        }
                        first.insert(key.clone(), all.len());
                    }
                    let mut values: Vec<DataIdValue> = Vec::with_capacity(names.len());
                    for i in 0..names.len() {
                        values.push(schema::data_id_from_sql(r.get_ref(i + 4)?)?);
                    }
                    let mut order = Vec::with_capacity(plan.order.len());
                    for i in 0..plan.order.len() {
                        order.push(Value::from(r.get_ref(4 + names.len() + i)?));
                    }
                    let id: [u8; 16] = r
                        .get_ref(0)?
                        .as_blob()
                        .ok()
                        .and_then(|b| b.try_into().ok())
                        .ok_or_else(|| {
                            RegistryError::Corrupt("a dataset ID is not 16 bytes".into())
                        })?;
                    all.push(Row {
                        rank,
                        values,
                        id,
                        run_id: r.get(1)?,
                        order,
                    });
                }
            }
            all.sort_by(|a, b| {
                cmp_terms(&plan.order, &a.order, &b.order)
                    .then_with(|| a.values.cmp(&b.values))
                    .then(a.rank.cmp(&b.rank))
            });
            // A dataset in several collections of the path (or matched through several rows
            // of extra dimensions) is listed once, where first found.
            if path.len() > 1 || query_group.names().count() > names.len() {
                let mut seen: HashSet<[u8; 16]> = HashSet::with_capacity(all.len());
                all.retain(|row| seen.insert(row.id));
            }
            let mut runs: HashMap<i64, RunName> = HashMap::new();
            for mut row in all {
                let implied = row.values.split_off(required.len());
                let data_id = DataCoordinate::from_required(Arc::clone(&group), row.values)?
                    .with_implied(implied)?;
                let run = match runs.get(&row.run_id) {
                    Some(r) => r.clone(),
                    None => {
                        let r = RunName::parse(&self.collection_name(row.run_id)?.0)?;
                        runs.insert(row.run_id, r.clone());
                        r
                    }
                };
                out.push(DatasetRef {
                    id: DatasetId::from_bytes(row.id),
                    dataset_type: Arc::clone(&dt),
                    data_id,
                    run,
                    component: type_name.component().map(str::to_owned),
                });
                if q.limit.fetch().is_some_and(|n| out.len() >= n) {
                    break;
                }
            }
        }
        let more = q.limit.cap().is_some_and(|cap| out.len() > cap);
        if let Some(cap) = q.limit.cap() {
            out.truncate(cap);
        }
        Ok((out, more))
    }

    /// Queries data IDs over `q.dimensions` (with implied values), optionally only those for
    /// which the given dataset types have datasets in the given collections. Sorted by
    /// `order_by`, then by the required values.
    ///
    /// # Errors
    /// [`ModelError::UnknownDimension`], [`RegistryError::MissingDatasetType`],
    /// [`RegistryError::MissingCollection`], [`RegistryError::Query`].
    pub fn query_data_ids(
        &self,
        q: &DataIdQuery,
    ) -> Result<(Vec<DataCoordinate>, bool), RegistryError> {
        let universe = self.universe().clone();
        let group = Arc::new(universe.group(&q.dimensions)?);
        let names: Vec<String> = group.names().map(str::to_owned).collect();
        let path = if q.datasets.is_empty() {
            Vec::new()
        } else {
            self.flatten(&q.collections)?
        };
        let mut searches = Vec::new();
        for t in &q.datasets {
            let (type_id, dt, group_id) = self.dataset_type_entry(t.parent())?;
            searches.push((type_id, dt, group_id));
        }
        let plan = self.plan(
            &q.filter,
            names.clone(),
            q.datasets.iter().map(|t| t.parent().to_owned()).collect(),
            q.filter.data_id.clone(),
        )?;
        // Dataset types whose fields the expression reads are joined (their rows, from every
        // collection searched, RUN/TAGGED and CALIBRATION alike); the others are existence
        // constraints below.
        let mut sources = Vec::new();
        let mut joined_conditions: Vec<(String, i64, Vec<i64>)> = Vec::new();
        for (i, (type_id, dt, group_id)) in searches.iter().enumerate() {
            let name = dt.name.as_str().to_owned();
            if !plan.checked.datasets.contains(&name) {
                continue;
            }
            let alias = format!("t{i}");
            let dims: Vec<String> = dt.dimensions.required().map(str::to_owned).collect();
            let cols =
                schema::column_list(&dims.iter().map(String::as_str).collect::<Vec<_>>(), "");
            let table = render(
                "(SELECT dataset_type_id, collection_id, dataset_id{cols}, timespan_begin, timespan_end FROM {calibs}
                  UNION ALL SELECT dataset_type_id, collection_id, dataset_id{cols}, NULL, NULL FROM {tags})",
                &[("cols", &cols), ("calibs", &calibs_table(*group_id)), ("tags", &tags_table(*group_id))],
            );
            let mut fields = HashMap::new();
            fields.insert(
                DatasetField::DatasetId,
                FieldSql::Expr(format!("{alias}.dataset_id")),
            );
            fields.insert(
                DatasetField::Collection,
                FieldSql::Expr(render(
                    "(SELECT c.name FROM collection AS c WHERE c.collection_id = {a}.collection_id)",
                    &[("a", &alias)],
                )),
            );
            fields.insert(
                DatasetField::Run,
                FieldSql::Expr(render(
                    "(SELECT c.name FROM dataset AS d JOIN collection AS c ON c.collection_id = d.run_id WHERE d.dataset_id = {a}.dataset_id)",
                    &[("a", &alias)],
                )),
            );
            fields.insert(
                DatasetField::IngestDate,
                FieldSql::Expr(render(
                    "(SELECT d.ingest_date FROM dataset AS d WHERE d.dataset_id = {a}.dataset_id)",
                    &[("a", &alias)],
                )),
            );
            fields.insert(
                DatasetField::Timespan,
                FieldSql::Pair(
                    format!("COALESCE({alias}.timespan_begin, {})", i64::MIN),
                    format!("COALESCE({alias}.timespan_end, {})", i64::MAX),
                ),
            );
            sources.push(DatasetSource {
                dataset_type: name,
                alias: alias.clone(),
                table,
                required: dims,
                fields,
            });
            joined_conditions.push((alias, *type_id, path.iter().map(|(id, _, _)| *id).collect()));
        }
        let query_group = universe.group(&plan.checked.dimensions)?;
        let rel = self.relation(&query_group, &plan.checked.fields, sources)?;
        let mut tr = Translator::new(&rel, Vec::new());
        let mut condition = tr
            .predicate(&plan.checked.predicate)
            .map_err(|e| with_expression(e, &q.filter.expression))?;
        for (alias, type_id, ids) in &joined_conditions {
            let type_param = tr.push_param(Value::Integer(*type_id));
            let mut list = Vec::with_capacity(ids.len());
            for id in ids {
                list.push(format!("?{}", tr.push_param(Value::Integer(*id))));
            }
            if list.is_empty() {
                condition = "0".to_owned();
                continue;
            }
            condition = format!(
                "{condition} AND {alias}.dataset_type_id = ?{type_param} AND {alias}.collection_id IN ({})",
                list.join(", ")
            );
        }
        // Existence of a dataset of each other type in the collections, matching on the
        // dimensions the query and the dataset type share.
        for (type_id, dt, group_id) in &searches {
            if plan.checked.datasets.contains(dt.name.as_str()) {
                continue;
            }
            let mut alternatives = Vec::new();
            for (tables, kind) in [
                (tags_table(*group_id), false),
                (calibs_table(*group_id), true),
            ] {
                let ids: Vec<i64> = path
                    .iter()
                    .filter(|(_, _, t)| (*t == CollectionType::Calibration) == kind)
                    .map(|(id, _, _)| *id)
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                let mut on = String::new();
                for d in dt.dimensions.required() {
                    if let Some(e) = rel.dims.get(d) {
                        on.push_str(&format!(" AND x.{} = {e}", ident(d)));
                    }
                }
                let type_param = format!("?{}", push(&mut tr, Value::Integer(*type_id)));
                let mut list = Vec::with_capacity(ids.len());
                for id in ids {
                    list.push(format!("?{}", push(&mut tr, Value::Integer(id))));
                }
                alternatives.push(render(
                    "EXISTS (SELECT 1 FROM {table} AS x WHERE x.dataset_type_id = {type} AND x.collection_id IN ({ids}){on})",
                    &[
                        ("table", &tables),
                        ("type", &type_param),
                        ("ids", &list.join(", ")),
                        ("on", &on),
                    ],
                ));
            }
            if alternatives.is_empty() {
                condition = "0".to_owned();
            } else {
                condition = format!("{condition} AND ({})", alternatives.join(" OR "));
            }
        }
        let mut selected: Vec<String> = Vec::new();
        for n in &names {
            selected.push(rel.dim(n)?.to_owned());
        }
        let mut order_cols = Vec::new();
        for t in &plan.order {
            order_cols.push(order_sql(&mut tr, &t.value)?);
        }
        let (sql, params) = finish_select(
            &rel.from,
            &condition,
            &selected,
            &order_cols,
            &plan.order,
            group.required().len(),
            q.limit.fetch(),
            tr,
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        let required = group.required().len();
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(names.len());
            for i in 0..names.len() {
                values.push(schema::data_id_from_sql(r.get_ref(i)?)?);
            }
            let implied = values.split_off(required);
            out.push(
                DataCoordinate::from_required(Arc::clone(&group), values)?.with_implied(implied)?,
            );
        }
        let more = q.limit.cap().is_some_and(|cap| out.len() > cap);
        if let Some(cap) = q.limit.cap() {
            out.truncate(cap);
        }
        Ok((out, more))
    }

    /// Records of an element matching a filter, sorted by `order_by` then primary key.
    ///
    /// Returns the records and whether more existed than the limit allowed.
    ///
    /// # Errors
    /// [`ModelError::UnknownElement`], [`ModelError::UnknownField`], [`RegistryError::Query`].
    pub fn query_dimension_records(
        &self,
        q: &DimensionRecordQuery,
    ) -> Result<(Vec<DimensionRecord>, bool), RegistryError> {
        let universe = self.universe().clone();
        let e = universe.get_element(&q.element)?.clone();
        if e.implied_union_target.is_some() {
            return self.query_derived_records(q);
        }
        DimensionRecord::require_table(&e)?;
        let cols = schema::element_sql_columns(&universe, &e);
        let mut dims: Vec<String> = universe.required_closure(&e.name);
        dims.extend(e.implies.iter().cloned());
        // Data ID keys that are dimensions constrain the query; others name the element's own
        // columns (`visit=3` on the visit element is its primary key).
        let mut data_id = BTreeMap::new();
        let mut own: Vec<(String, DataIdValue)> = Vec::new();
        for (k, v) in &q.filter.data_id {
            if universe.element(k).is_some_and(|x| x.is_dimension()) {
                data_id.insert(k.clone(), v.clone());
                continue;
            }
            let Some((_, t, _)) = cols.iter().find(|(n, _, _)| n == k) else {
                return Err(ModelError::UnknownField {
                    element: e.name.clone(),
                    field: k.clone(),
                    suggestions: crate::model::suggest(k, cols.iter().map(|(n, _, _)| n.as_str())),
                }
                .into());
            };
            let v = match (t, v) {
                (crate::model::ColumnType::Int, DataIdValue::Str(s)) => {
                    DataIdValue::parse_for(k, crate::model::ColumnType::Int, s)?
                }
                _ => v.clone(),
            };
            own.push((k.clone(), v));
        }
        let mut plan = self.plan(&q.filter, dims, Vec::new(), data_id)?;
        plan.checked
            .fields
            .entry(e.name.clone())
            .or_default()
            .extend(cols.iter().map(|(n, _, _)| n.clone()));
        let query_group = universe.group(&plan.checked.dimensions)?;
        let rel = self.relation(&query_group, &plan.checked.fields, Vec::new())?;
        let alias = rel
            .elements
            .get(&e.name)
            .cloned()
            .ok_or_else(|| RegistryError::Corrupt("the element was not joined".into()))?;
        let mut tr = Translator::new(&rel, Vec::new());
        let mut condition = tr
            .predicate(&plan.checked.predicate)
            .map_err(|x| with_expression(x, &q.filter.expression))?;
        for (k, v) in own {
            let p = push(
                &mut tr,
                match v {
                    DataIdValue::Int(i) => Value::Integer(i),
                    DataIdValue::Str(s) => Value::Text(s),
                },
            );
            condition.push_str(&format!(" AND {alias}.{} = ?{p}", ident(&k)));
        }
        let selected: Vec<String> = cols
            .iter()
            .map(|(n, _, _)| format!("{alias}.{}", ident(n)))
            .collect();
        let mut order_cols = Vec::new();
        for t in &plan.order {
            order_cols.push(order_sql(&mut tr, &t.value)?);
        }
        let keys = schema::element_key_columns(&universe, &e);
        // Sort by the key columns after the order terms: put them first in the select list's
        // tie-break by naming them explicitly.
        let key_positions: Vec<usize> = keys
            .iter()
            .filter_map(|k| cols.iter().position(|(n, _, _)| n == k))
            .collect();
        let mut reordered = Vec::with_capacity(selected.len());
        for &i in &key_positions {
            reordered.push(selected[i].clone());
        }
        for (i, s) in selected.iter().enumerate() {
            if !key_positions.contains(&i) {
                reordered.push(s.clone());
            }
        }
        let (sql, params) = finish_select(
            &rel.from,
            &condition,
            &reordered,
            &order_cols,
            &plan.order,
            key_positions.len(),
            q.limit.fetch(),
            tr,
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        let position_in_row = |col: usize| -> usize {
            match key_positions.iter().position(|&k| k == col) {
                Some(p) => p,
                None => {
                    key_positions.len() + (0..col).filter(|i| !key_positions.contains(i)).count()
                }
            }
        };
        while let Some(r) = rows.next()? {
            let mut values = BTreeMap::new();
            let mut ts: (Option<i64>, Option<i64>) = (None, None);
            for (i, (name, t, _)) in cols.iter().enumerate() {
                let v = r.get_ref(position_in_row(i))?;
                match name.as_str() {
                    "timespan_begin" => ts.0 = opt_int(v),
                    "timespan_end" => ts.1 = opt_int(v),
                    _ => {
                        values.insert(name.clone(), schema::record_from_sql(*t, v));
                    }
                }
            }
            if e.temporal_family.is_some() {
                values.insert("timespan".to_owned(), schema::timespan_from_sql(ts.0, ts.1));
            }
            out.push(DimensionRecord::new(&universe, &e.name, values)?);
        }
        let more = q.limit.cap().is_some_and(|cap| out.len() > cap);
        if let Some(cap) = q.limit.cap() {
            out.truncate(cap);
        }
        Ok((out, more))
    }
}

impl SqliteRegistry {
    /// Records of an element whose values come from another element's records (`band`):
    /// the distinct values found there.
    fn query_derived_records(
        &self,
        q: &DimensionRecordQuery,
    ) -> Result<(Vec<DimensionRecord>, bool), RegistryError> {
        let universe = self.universe().clone();
        let e = universe.get_element(&q.element)?.clone();
        let key = e
            .primary_key()
            .map_or_else(|| "name".to_owned(), |k| k.name.clone());
        let mut data_id = BTreeMap::new();
        for (k, v) in &q.filter.data_id {
            let k = if *k == key { e.name.clone() } else { k.clone() };
            data_id.insert(k, v.clone());
        }
        let plan = self.plan(&q.filter, vec![e.name.clone()], Vec::new(), data_id)?;
        let query_group = universe.group(&plan.checked.dimensions)?;
        let rel = self.relation(&query_group, &plan.checked.fields, Vec::new())?;
        let mut tr = Translator::new(&rel, Vec::new());
        let condition = tr
            .predicate(&plan.checked.predicate)
            .map_err(|x| with_expression(x, &q.filter.expression))?;
        let mut order_cols = Vec::new();
        for t in &plan.order {
            order_cols.push(order_sql(&mut tr, &t.value)?);
        }
        let (sql, params) = finish_select(
            &rel.from,
            &condition,
            &[rel.dim(&e.name)?.to_owned()],
            &order_cols,
            &plan.order,
            1,
            q.limit.fetch(),
            tr,
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let v = schema::record_from_sql(
                e.primary_key()
                    .map_or(crate::model::ColumnType::String, |k| k.column_type),
                r.get_ref(0)?,
            );
            out.push(DimensionRecord::derived(
                &universe,
                &e.name,
                BTreeMap::from([(key.clone(), v)]),
            )?);
        }
        let more = q.limit.cap().is_some_and(|cap| out.len() > cap);
        if let Some(cap) = q.limit.cap() {
            out.truncate(cap);
        }
        Ok((out, more))
    }
}

fn opt_int(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        _ => None,
    }
}

fn push(tr: &mut Translator<'_>, v: Value) -> usize {
    tr.push_param(v)
}

/// The SQL of a sort term.
fn order_sql(tr: &mut Translator<'_>, s: &Scalar) -> Result<String, RegistryError> {
    tr.scalar_sql(s)
}

/// Sets the expression text on a query error raised during translation.
fn with_expression(e: RegistryError, expression: &str) -> RegistryError {
    match e {
        RegistryError::Query { error, .. } => query_error(expression, *error),
        other => other,
    }
}

/// `SELECT DISTINCT cols, order FROM from WHERE condition ORDER BY order, first keys LIMIT n`.
#[allow(clippy::too_many_arguments, reason = "one statement's parts")]
fn finish_select(
    from: &str,
    condition: &str,
    selected: &[String],
    order_cols: &[String],
    order: &[OrderTerm],
    sort_keys: usize,
    limit: Option<usize>,
    tr: Translator<'_>,
) -> (String, Vec<Value>) {
    let mut cols = selected.to_vec();
    let mut sort: Vec<String> = Vec::new();
    for (i, (c, t)) in order_cols.iter().zip(order).enumerate() {
        cols.push(c.clone());
        let n = selected.len() + i + 1;
        sort.push(format!("{n}{}", if t.descending { " DESC" } else { "" }));
    }
    for i in 0..sort_keys.min(selected.len()) {
        sort.push(format!("{}", i + 1));
    }
    let mut params = tr.into_params();
    let limit_sql = match limit {
        Some(n) => {
            params.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
            format!(" LIMIT ?{}", params.len())
        }
        None => String::new(),
    };
    let order_by = if sort.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", sort.join(", "))
    };
    let cols = if cols.is_empty() {
        "1".to_owned()
    } else {
        cols.join(", ")
    };
    let from = if from.is_empty() { "(SELECT 1)" } else { from };
    let sql = render(
        "SELECT DISTINCT {cols} FROM {from} WHERE {condition}{order}{limit}",
        &[
            ("cols", &cols),
            ("from", from),
            ("condition", condition),
            ("order", &order_by),
            ("limit", &limit_sql),
        ],
    );
    (sql, params)
}
