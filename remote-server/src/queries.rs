//! The read-only query endpoints over the official repository: server info, the universe,
//! collections, dataset types, and the three queries with `where`, bind values, order, paging,
//! and NDJSON streaming for large answers.
//!
//! SQLite work runs on blocking threads ([`tokio::task::spawn_blocking`]); each request takes a
//! connection from a small pool of read-only registries, so concurrent requests never share a
//! connection and never wait on one another's queries.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use satellite_core::api::official::v1::{
    CollectionInfo, DatasetRefInfo, DatasetTypeInfo, QueryDataIdsRequest, QueryDataIdsResponse,
    QueryDatasetsRequest, QueryDatasetsResponse, QueryDimensionRecordsRequest,
    QueryDimensionRecordsResponse, QueryFilter, ServerInfo,
};
use satellite_core::model::{
    CollectionName, DataCoordinate, DataIdValue, DatasetTypeName, DimensionRecord, RecordValue,
};
use satellite_core::query::{data_id_from_json, BindValue};
use satellite_core::registry::{DataIdQuery, DatasetQuery, DimensionRecordQuery, Filter, Limit};
use satellite_core::repository::Repository;

use crate::error::ApiError;

/// The official repository, opened read-only, with a pool of connections.
#[derive(Debug)]
pub struct RepoPool {
    root: PathBuf,
    idle: Mutex<Vec<Repository>>,
}

impl RepoPool {
    /// Opens the repository at `root` read-only (one connection now, more on demand).
    ///
    /// # Errors
    /// When `root` is not a repository.
    pub fn open(root: PathBuf) -> anyhow::Result<Arc<Self>> {
        let first = Repository::open_read_only(&root)?;
        Ok(Arc::new(Self {
            root,
            idle: Mutex::new(vec![first]),
        }))
    }

    /// The repository directory.
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Runs `f` with a connection on a blocking thread.
    pub(crate) async fn with<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Repository) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let repo = match pool.idle.lock().map(|mut v| v.pop()) {
                Ok(Some(r)) => r,
                _ => Repository::open_read_only(&pool.root).map_err(ApiError::internal)?,
            };
            let out = f(&repo);
            if let Ok(mut idle) = pool.idle.lock() {
                idle.push(repo);
            }
            out
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// What the query handlers need.
#[derive(Debug, Clone)]
pub struct QueryState {
    /// The repository.
    pub repo: Arc<RepoPool>,
    /// The server's version.
    pub version: &'static str,
}

fn json_of(v: &DataIdValue) -> serde_json::Value {
    match v {
        DataIdValue::Int(i) => serde_json::Value::from(*i),
        DataIdValue::Str(s) => serde_json::Value::from(s.as_str()),
    }
}

fn data_id_json(d: &DataCoordinate) -> BTreeMap<String, serde_json::Value> {
    d.iter().map(|(k, v)| (k.to_owned(), json_of(v))).collect()
}

fn record_json(r: &DimensionRecord) -> BTreeMap<String, serde_json::Value> {
    r.values()
        .iter()
        .map(|(k, v)| {
            let j = match v {
                RecordValue::Null => serde_json::Value::Null,
                RecordValue::Bool(b) => serde_json::Value::from(*b),
                RecordValue::Int(i) => serde_json::Value::from(*i),
                RecordValue::Float(x) => serde_json::Value::from(*x),
                RecordValue::Str(s) => serde_json::Value::from(s.as_str()),
                RecordValue::Timespan(t) => serde_json::json!({"begin": t.begin, "end": t.end}),
            };
            (k.clone(), j)
        })
        .collect()
}

/// The registry filter of a request, with the repository's defaults.
fn filter(repo: &Repository, f: &QueryFilter) -> Result<Filter, ApiError> {
    let mut data_id = BTreeMap::new();
    for (k, v) in &f.data_id {
        let value = data_id_from_json(v)
            .map_err(|e| ApiError::bad_request(format!("data ID `{k}`: {e}")))?;
        data_id.insert(k.clone(), value);
    }
    let mut bind = BTreeMap::new();
    for (k, v) in &f.bind {
        let value = BindValue::from_json(v)
            .map_err(|e| ApiError::bad_request(format!("bind `{k}`: {e}")))?;
        bind.insert(k.clone(), value);
    }
    Ok(Filter {
        expression: f.where_.clone(),
        bind,
        data_id,
        defaults: repo.query_defaults().map_err(ApiError::from_repo)?,
        order_by: f.order_by.clone(),
    })
}

/// Parses dataset type and collection names of a request.
fn names(
    dataset_types: &[String],
    collections: &[String],
) -> Result<(Vec<DatasetTypeName>, Vec<CollectionName>), ApiError> {
    let types = dataset_types
        .iter()
        .map(|t| DatasetTypeName::parse(t).map_err(ApiError::bad_request))
        .collect::<Result<_, _>>()?;
    let colls = collections
        .iter()
        .map(|c| CollectionName::parse(c).map_err(ApiError::bad_request))
        .collect::<Result<_, _>>()?;
    Ok((types, colls))
}

/// One page of rows as NDJSON (when asked for) or as the JSON body `wrap` makes.
fn respond<T: serde::Serialize + Send + 'static, B: serde::Serialize>(
    headers: &HeaderMap,
    (rows, more): (Vec<T>, bool),
    wrap: impl FnOnce(Vec<T>, bool) -> B,
) -> Response {
    if wants_ndjson(headers) {
        ndjson(rows)
    } else {
        Json(wrap(rows, more)).into_response()
    }
}

/// The registry limit that fetches one page (`offset + limit`, plus one row to know whether
/// more exist).
fn page_limit(f: &QueryFilter) -> Limit {
    match f.limit {
        None => Limit::Unlimited,
        Some(n) => Limit::WarnAt(usize::try_from(f.offset.saturating_add(n)).unwrap_or(usize::MAX)),
    }
}

fn page<T>(mut rows: Vec<T>, f: &QueryFilter, more: bool) -> (Vec<T>, bool) {
    let offset = usize::try_from(f.offset).unwrap_or(usize::MAX);
    if offset >= rows.len() {
        return (Vec::new(), more);
    }
    rows.drain(..offset);
    (rows, more)
}

/// Whether the client asked for NDJSON.
fn wants_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/x-ndjson"))
}

/// One JSON document per line, streamed: a task serialises the rows in 64 KiB chunks into a
/// pipe whose other end is the response body, so a 100k-row answer is never held as one
/// serialised buffer (the rows themselves are computed first).
fn ndjson<T: serde::Serialize + Send + 'static>(rows: Vec<T>) -> Response {
    let (mut writer, reader) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let mut buf = Vec::with_capacity(64 * 1024);
        for row in rows {
            if serde_json::to_writer(&mut buf, &row).is_err() {
                return;
            }
            buf.push(b'\n');
            if buf.len() >= 60 * 1024 {
                if writer.write_all(&buf).await.is_err() {
                    return; // the client went away
                }
                buf.clear();
            }
        }
        let _ = writer.write_all(&buf).await;
        let _ = writer.shutdown().await;
    });
    let mut resp = Body::from_stream(tokio_util::io::ReaderStream::new(reader)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    resp
}

/// `GET /api/v1/info`.
#[utoipa::path(get, path = "/api/v1/info", tag = "repository",
    responses((status = 200, body = ServerInfo), (status = 401, body = satellite_core::api::ErrorBody)))]
pub async fn info(
    State(state): State<QueryState>,
    principal: Option<axum::Extension<crate::auth::Principal>>,
) -> Result<Json<ServerInfo>, ApiError> {
    let version = state.version;
    let user = principal.map_or_else(String::new, |p| p.0.user.clone());
    state
        .repo
        .with(move |repo| {
            let defaults = repo.query_defaults().map_err(ApiError::from_repo)?;
            Ok(Json(ServerInfo {
                version: version.to_owned(),
                universe_namespace: repo.universe().namespace().to_owned(),
                universe_version: repo.universe().version(),
                user,
                default_data_id: defaults
                    .iter()
                    .map(|(k, v)| (k.clone(), json_of(v)))
                    .collect(),
            }))
        })
        .await
}

/// `GET /api/v1/universe`: the dimension universe, in the Python Butler's configuration
/// schema (JSON).
#[utoipa::path(get, path = "/api/v1/universe", tag = "repository",
    responses((status = 200, description = "the universe configuration", content_type = "application/json")))]
pub async fn universe(State(state): State<QueryState>) -> Result<Response, ApiError> {
    state
        .repo
        .with(|repo| {
            let mut resp = repo.universe().to_json().into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(resp)
        })
        .await
}

/// `?glob=` of `GET /api/v1/collections` and `GET /api/v1/dataset-types`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NameFilter {
    /// Only names matching this glob (`DemoCam/*`); all when absent.
    pub glob: Option<String>,
}

/// A matcher for `?glob=` (all names when absent).
fn matcher(glob: Option<&str>) -> Result<Option<globset::GlobMatcher>, ApiError> {
    glob.map(|g| {
        globset::Glob::new(g)
            .map(|g| g.compile_matcher())
            .map_err(|e| ApiError::bad_request(format!("`{g}` is not a glob: {e}")))
    })
    .transpose()
}

fn matches(m: Option<&globset::GlobMatcher>, name: &str) -> bool {
    m.is_none_or(|m| m.is_match(name))
}

/// `GET /api/v1/collections`: every collection (or those matching `?glob=`), with chain
/// children and documentation.
#[utoipa::path(get, path = "/api/v1/collections", tag = "repository", params(NameFilter),
    responses((status = 200, body = Vec<CollectionInfo>)))]
pub async fn collections(
    State(state): State<QueryState>,
    Query(q): Query<NameFilter>,
) -> Result<Json<Vec<CollectionInfo>>, ApiError> {
    let m = matcher(q.glob.as_deref())?;
    state
        .repo
        .with(move |repo| {
            let all = repo
                .registry()
                .all_collections()
                .map_err(ApiError::from_registry)?;
            Ok(Json(
                all.into_iter()
                    .filter(|c| matches(m.as_ref(), c.name.as_str()))
                    .map(|c| CollectionInfo {
                        name: c.name.to_string(),
                        collection_type: c.collection_type.to_string(),
                        doc: c.doc,
                        children: c.children.iter().map(ToString::to_string).collect(),
                    })
                    .collect(),
            ))
        })
        .await
}

/// `GET /api/v1/dataset-types`.
#[utoipa::path(get, path = "/api/v1/dataset-types", tag = "repository", params(NameFilter),
    responses((status = 200, body = Vec<DatasetTypeInfo>)))]
pub async fn dataset_types(
    State(state): State<QueryState>,
    Query(q): Query<NameFilter>,
) -> Result<Json<Vec<DatasetTypeInfo>>, ApiError> {
    let m = matcher(q.glob.as_deref())?;
    state
        .repo
        .with(move |repo| {
            let all = repo
                .registry()
                .dataset_types()
                .map_err(ApiError::from_registry)?;
            Ok(Json(
                all.iter()
                    .filter(|t| matches(m.as_ref(), t.name.as_str()))
                    .map(|t| DatasetTypeInfo {
                        name: t.name.to_string(),
                        dimensions: t.dimensions.names().map(str::to_owned).collect(),
                        storage_class: t.storage_class.to_string(),
                        is_calibration: t.is_calibration,
                    })
                    .collect(),
            ))
        })
        .await
}

/// `POST /api/v1/query/datasets`: JSON, or NDJSON with `Accept: application/x-ndjson`.
#[utoipa::path(post, path = "/api/v1/query/datasets", tag = "queries",
    request_body = QueryDatasetsRequest,
    responses((status = 200, body = QueryDatasetsResponse),
              (status = 400, description = "a bad expression (`invalid_query`, with a caret rendering), bad bind values", body = satellite_core::api::ErrorBody),
              (status = 404, description = "unknown collection or dataset type", body = satellite_core::api::ErrorBody)))]
pub async fn query_datasets(
    State(state): State<QueryState>,
    headers: HeaderMap,
    body: Result<Json<QueryDatasetsRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(ApiError::from_json)?;
    let answer = state
        .repo
        .with(move |repo| {
            let (dataset_types, collections) = names(&req.dataset_types, &req.collections)?;
            let q = DatasetQuery {
                dataset_types,
                collections,
                filter: filter(repo, &req.filter)?,
                find_first: req.find_first,
                timespan: None,
                limit: page_limit(&req.filter),
            };
            let (refs, more) = repo
                .registry()
                .query_datasets(&q)
                .map_err(ApiError::from_registry)?;
            let rows: Vec<DatasetRefInfo> = refs
                .iter()
                .map(|r| DatasetRefInfo {
                    id: uuid::Uuid::from_bytes(*r.id.as_bytes()),
                    dataset_type: match &r.component {
                        Some(c) => format!("{}.{c}", r.dataset_type.name),
                        None => r.dataset_type.name.to_string(),
                    },
                    run: r.run.to_string(),
                    data_id: data_id_json(&r.data_id),
                })
                .collect();
            Ok(page(rows, &req.filter, more))
        })
        .await?;
    Ok(respond(&headers, answer, |datasets, more| {
        QueryDatasetsResponse { datasets, more }
    }))
}

/// `POST /api/v1/query/data-ids`: JSON, or NDJSON with `Accept: application/x-ndjson`.
#[utoipa::path(post, path = "/api/v1/query/data-ids", tag = "queries",
    request_body = QueryDataIdsRequest,
    responses((status = 200, body = QueryDataIdsResponse),
              (status = 400, body = satellite_core::api::ErrorBody)))]
pub async fn query_data_ids(
    State(state): State<QueryState>,
    headers: HeaderMap,
    body: Result<Json<QueryDataIdsRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(ApiError::from_json)?;
    let answer = state
        .repo
        .with(move |repo| {
            let (datasets, collections) = names(&req.datasets, &req.collections)?;
            let q = DataIdQuery {
                dimensions: req.dimensions.clone(),
                filter: filter(repo, &req.filter)?,
                datasets,
                collections,
                limit: page_limit(&req.filter),
            };
            let (ids, more) = repo
                .registry()
                .query_data_ids(&q)
                .map_err(ApiError::from_registry)?;
            let rows: Vec<_> = ids.iter().map(data_id_json).collect();
            Ok(page(rows, &req.filter, more))
        })
        .await?;
    Ok(respond(&headers, answer, |data_ids, more| {
        QueryDataIdsResponse { data_ids, more }
    }))
}

/// `POST /api/v1/query/dimension-records`: JSON, or NDJSON with `Accept: application/x-ndjson`.
#[utoipa::path(post, path = "/api/v1/query/dimension-records", tag = "queries",
    request_body = QueryDimensionRecordsRequest,
    responses((status = 200, body = QueryDimensionRecordsResponse),
              (status = 400, body = satellite_core::api::ErrorBody)))]
pub async fn query_dimension_records(
    State(state): State<QueryState>,
    headers: HeaderMap,
    body: Result<Json<QueryDimensionRecordsRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(ApiError::from_json)?;
    let answer = state
        .repo
        .with(move |repo| {
            let q = DimensionRecordQuery {
                element: req.element.clone(),
                filter: filter(repo, &req.filter)?,
                limit: page_limit(&req.filter),
            };
            let (records, more) = repo
                .registry()
                .query_dimension_records(&q)
                .map_err(ApiError::from_registry)?;
            let rows: Vec<_> = records.iter().map(record_json).collect();
            Ok(page(rows, &req.filter, more))
        })
        .await?;
    Ok(respond(&headers, answer, |records, more| {
        QueryDimensionRecordsResponse { records, more }
    }))
}
