//! The error body every endpoint of both servers returns.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "...", "hint": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, with a stable snake_case `code` clients can match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, snake_case (`not_found`, `invalid_query`).
    pub code: String,
    /// One sentence for people.
    pub message: String,
    /// What to do about it, when there is advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_have_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: "not_found".into(),
                message: "no route `/x`".into(),
                hint: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"no route `/x`"}}"#
        );
        let back: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"c","message":"m","hint":"h"}}"#).unwrap();
        assert_eq!(back.error.hint.as_deref(), Some("h"));
    }
}
