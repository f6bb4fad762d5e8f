//! The router factory shared by `main` and the tests.
//!
//! [`app`] builds every route of the server; handlers are thin and return
//! `Result<_, ApiError>` so that every failure becomes the one JSON error shape of
//! [`ApiError`].

use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;

/// The version reported by `GET /api/v1/health`: the workspace version this binary was built from.
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a handler may reach, shared by all requests.
///
/// It will hold the registry and the object store as `Arc`s; the server keeps no other state.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    version: &'static str,
}

impl AppState {
    /// The state of a server built from this crate.
    pub fn new() -> Self {
        Self {
            version: SERVER_VERSION,
        }
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
    Router::new()
        .route("/api/v1/health", get(health))
        .fallback(not_found)
        .with_state(state)
}

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
