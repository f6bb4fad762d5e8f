//! The one error type of the server and its mapping to HTTP responses.
//!
//! Every failure a handler can meet is a variant of [`ApiError`]; a single `match` in
//! [`ApiError::status`] decides its status code, and every body has the shape
//! `{"error": {"code": "...", "message": "...", "hint": "..."}}` with a stable snake_case `code`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use satellite_core::api::{ErrorBody, ErrorDetail};
use satellite_core::registry::RegistryError;
use satellite_core::repository::RepoError;

/// A failed request, rendered as a JSON error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No route matches the request path.
    NotFound {
        /// The path that was asked for.
        path: String,
    },
    /// A `where` expression, bind value or order term was refused (the Python Butler's
    /// `InvalidQueryError`); the message carries the caret rendering.
    InvalidQuery {
        /// The rendered error.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A collection or dataset type that does not exist.
    Missing {
        /// The registry's message (with near names).
        message: String,
    },
    /// A malformed request: bad JSON, a bad name or value.
    BadRequest {
        /// What is wrong.
        message: String,
    },
    /// A request body over the server's limit.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Something failed inside the server; details are in its log.
    Internal {
        /// What failed (no secrets).
        message: String,
    },
}

impl ApiError {
    /// A 400 with `message`.
    pub fn bad_request(message: impl std::fmt::Display) -> Self {
        Self::BadRequest {
            message: message.to_string(),
        }
    }

    /// A 500, logged with its cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::Internal {
            message: cause.to_string(),
        }
    }

    /// The answer to a body that is not the JSON an endpoint takes (or is too large).
    pub fn from_json(e: axum::extract::rejection::JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::TooLarge {
                limit: crate::app::MAX_BODY_BYTES,
            };
        }
        Self::bad_request(format!("the request body is not valid: {}", e.body_text()))
    }

    /// The answer to a registry error.
    pub fn from_registry(e: RegistryError) -> Self {
        match e {
            RegistryError::Query { expression, error } => {
                let hint = error.hint.clone();
                let mut plain = (*error).clone();
                plain.hint = None;
                Self::InvalidQuery {
                    message: if expression.is_empty() || plain.span.is_none() {
                        plain.to_string()
                    } else {
                        plain.render(&expression)
                    },
                    hint,
                }
            }
            RegistryError::MissingCollection { .. } | RegistryError::MissingDatasetType { .. } => {
                Self::Missing {
                    message: e.to_string(),
                }
            }
            RegistryError::Model(m) => Self::bad_request(m),
            RegistryError::AmbiguousCalibration { .. } => Self::InvalidQuery {
                message: e.to_string(),
                hint: Some("add a time to the query (an exposure or visit in `where`)".into()),
            },
            other => Self::internal(other),
        }
    }

    /// The answer to a repository error.
    pub fn from_repo(e: RepoError) -> Self {
        match e {
            RepoError::Registry(r) => Self::from_registry(r),
            RepoError::Model(m) => Self::bad_request(m),
            other => Self::internal(other),
        }
    }

    /// The HTTP status of this error; the only place that maps errors to statuses.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound { .. } | Self::Missing { .. } => StatusCode::NOT_FOUND,
            Self::InvalidQuery { .. } | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable snake_case code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Missing { .. } => "missing",
            Self::InvalidQuery { .. } => "invalid_query",
            Self::BadRequest { .. } => "bad_request",
            Self::TooLarge { .. } => "payload_too_large",
            Self::Internal { .. } => "internal",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::NotFound { path } => format!("no route for `{path}`"),
            Self::InvalidQuery { message, .. }
            | Self::Missing { message }
            | Self::BadRequest { message } => message.clone(),
            Self::TooLarge { limit } => format!("the request body is larger than {limit} bytes"),
            Self::Internal { .. } => "the server failed to answer; its log has the details".into(),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Self::NotFound { .. } => Some("every endpoint lives under `/api/v1/`".into()),
            Self::InvalidQuery { hint, .. } => hint.clone(),
            Self::Missing { .. } => Some(
                "list what exists with `GET /api/v1/collections` or `/api/v1/dataset-types`".into(),
            ),
            Self::TooLarge { .. } => {
                Some("split the request (for example, fewer data IDs per upload)".into())
            }
            Self::BadRequest { .. } | Self::Internal { .. } => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.message(),
                hint: self.hint(),
            },
        };
        (self.status(), Json(body)).into_response()
    }
}
