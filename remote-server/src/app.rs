//! The router factory shared by `main` and the tests.
//!
//! [`app`] builds every route of the server; handlers are thin and return
//! `Result<_, ApiError>` so that every failure becomes the one JSON error shape of
//! [`ApiError`].

use axum::extract::{DefaultBodyLimit, State};
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::middleware;

use crate::auth::{require_principal, Auth};
use crate::error::ApiError;
use crate::files::{files_router, FilesState};
use crate::queries::{self, QueryState};
use crate::signing::UrlSigner;
use crate::urls::{self, UrlState};

/// The largest request body accepted (a query, or an uploaded table of data IDs): 16 MiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The OpenAPI document of `/api/v1/`, generated from the handlers and the wire types of
/// `satellite_core::api::official::v1`.
#[derive(OpenApi)]
#[openapi(
    info(title = "butler-server", description = "The official repository server of Satellite Butler (read-only queries over an official Butler repository)."),
    paths(health, queries::info, queries::universe, queries::collections, queries::dataset_types,
          queries::query_datasets, queries::query_data_ids, queries::query_dimension_records,
          urls::file_urls),
    tags((name = "repository", description = "What the repository holds"),
         (name = "queries", description = "The Butler's queries with the `where` language"),
         (name = "files", description = "Signed URLs for dataset files (`GET /files/...` needs no token, only the signature)"))
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The version reported by `GET /api/v1/health`: the workspace version this binary was built from.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a handler may reach, shared by all requests: the repository (a pool of
/// read-only connections), who may call, and how file URLs are signed; the server keeps no
/// other state.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    version: &'static str,
    served: Option<Served>,
}

/// A repository being served, with its authentication and URL signing.
#[derive(Clone, Debug)]
struct Served {
    repo: Arc<queries::RepoPool>,
    auth: Arc<Auth>,
    signer: Arc<dyn UrlSigner>,
    url_lifetime: Duration,
    public_url: Option<String>,
}

impl AppState {
    /// The state of a server without a repository (health only).
    pub fn new() -> Self {
        Self {
            version: SERVER_VERSION,
            served: None,
        }
    }

    /// The state of a server over the repository at `root`, opened read-only: every route but
    /// `/api/v1/health` requires `auth`; file URLs are signed by `signer` for `url_lifetime`,
    /// absolute under `public_url` when given.
    ///
    /// # Errors
    /// When `root` is not a repository.
    pub fn serving(
        root: PathBuf,
        auth: Arc<Auth>,
        signer: Arc<dyn UrlSigner>,
        url_lifetime: Duration,
        public_url: Option<String>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            version: SERVER_VERSION,
            served: Some(Served {
                repo: queries::RepoPool::open(root)?,
                auth,
                signer,
                url_lifetime,
                public_url,
            }),
        })
    }
}

/// The body of `GET /api/v1/health`, shared with clients through `satellite-core::api`.
pub use satellite_core::api::official::v1::Health as HealthResponse;

/// Build the whole router of `butler-server`.
///
/// Routes:
///
/// | method | path | answer |
/// |---|---|---|
/// | `GET` | `/api/v1/health` | [`HealthResponse`] |
/// | any | anything else | `404` with an [`ApiError::NotFound`] body |
pub fn app(state: AppState) -> Router {
    let mut router = Router::new().route("/api/v1/health", get(health));
    if let Some(served) = &state.served {
        let q = QueryState {
            repo: Arc::clone(&served.repo),
            version: state.version,
        };
        let urls = UrlState {
            repo: Arc::clone(&served.repo),
            signer: Arc::clone(&served.signer),
            lifetime: served.url_lifetime,
            public_url: served.public_url.clone(),
        };
        let files = FilesState::new(served.repo.root(), Arc::clone(&served.signer))
            .map(|f| f.with_auth(Arc::clone(&served.auth)));
        let api = Router::new()
            .route("/api/v1/openapi.json", get(openapi))
            .route("/api/v1/info", get(queries::info))
            .route("/api/v1/universe", get(queries::universe))
            .route("/api/v1/collections", get(queries::collections))
            .route("/api/v1/dataset-types", get(queries::dataset_types))
            .route("/api/v1/query/datasets", post(queries::query_datasets))
            .route("/api/v1/query/data-ids", post(queries::query_data_ids))
            .route(
                "/api/v1/query/dimension-records",
                post(queries::query_dimension_records),
            )
            .with_state(q)
            .merge(
                Router::new()
                    .route("/api/v1/file-urls", post(urls::file_urls))
                    .with_state(urls),
            )
            // `route_layer`: unknown paths stay 404 instead of 401.
            .route_layer(middleware::from_fn_with_state(
                Arc::clone(&served.auth),
                require_principal,
            ));
        router = router.merge(api);
        match files {
            Ok(f) => router = router.merge(files_router(f)),
            Err(e) => tracing::error!(%e, "cannot serve files: the repository root is unusable"),
        }
    } else {
        router = router.route("/api/v1/openapi.json", get(openapi));
    }
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// `GET /api/v1/health`: no authentication.
#[utoipa::path(get, path = "/api/v1/health", tag = "repository",
    responses((status = 200, body = HealthResponse)))]
async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".to_owned(),
        version: state.version.to_owned(),
    })
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound {
        path: uri.path().to_owned(),
    }
}
