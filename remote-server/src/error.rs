//! The one error type of the server and its mapping to HTTP responses.
//!
//! Every failure a handler can meet is a variant of [`ApiError`]; a single `match` in
//! [`ApiError::status`] decides its status code, and every body has the shape
//! `{"error": {"code": "...", "message": "...", "hint": "..."}}` with a stable snake_case `code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use satellite_core::api::{ErrorBody, ErrorDetail};

/// A failed request, rendered as a JSON error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No route matches the request path.
    NotFound {
        /// The path that was asked for.
        path: String,
    },
}

impl ApiError {
    /// The HTTP status of this error; the only place that maps errors to statuses.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
        }
    }

    /// The stable snake_case code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::NotFound { path } => format!("no route for `{path}`"),
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            Self::NotFound { .. } => Some("every endpoint lives under `/api/v1/`"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.message(),
                hint: self.hint().map(str::to_owned),
            },
        };
        (self.status(), Json(body)).into_response()
    }
}
