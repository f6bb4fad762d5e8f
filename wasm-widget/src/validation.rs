//! Live validation of user input against the real `satellite-core` model.
//!
//! Functions here return plain serde values; [`crate::api`] only converts them for JavaScript.

use serde::Serialize;

/// The verdict on one piece of user input, as the widgets show it.
///
/// Serialised as `{"ok": bool, "message": string | null}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// Whether the input is acceptable.
    pub ok: bool,
    /// Why the input was rejected, worded for the user; `None` when `ok` is true.
    pub message: Option<String>,
}

impl Validation {
    fn accepted() -> Self {
        Self {
            ok: true,
            message: None,
        }
    }

    fn rejected(message: String) -> Self {
        Self {
            ok: false,
            message: Some(message),
        }
    }
}

/// Check `name` with [`satellite_core::model::DatasetTypeName::parse`].
///
/// # Examples
///
/// ```
/// use satellite_widget::validation::validate_dataset_type_name;
///
/// let verdict = validate_dataset_type_name("1bad");
/// assert!(!verdict.ok);
/// assert!(verdict.message.is_some());
/// ```
pub fn validate_dataset_type_name(name: &str) -> Validation {
    match satellite_core::model::DatasetTypeName::parse(name) {
        Ok(_) => Validation::accepted(),
        Err(error) => Validation::rejected(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expect` is `None` for an accepted name, or a fragment the rejection message must contain.
    fn check(name: &str, expect: Option<&str>) {
        let verdict = validate_dataset_type_name(name);
        match expect {
            None => assert_eq!(verdict, Validation::accepted(), "{name:?}"),
            Some(fragment) => {
                assert!(!verdict.ok, "{name:?} must be rejected");
                let message = verdict.message.unwrap_or_default();
                assert!(
                    message.contains(fragment),
                    "message for {name:?} is {message:?}, expected it to mention {fragment:?}"
                );
            }
        }
    }

    #[test]
    fn accepts_names_the_python_butler_accepts() {
        check("calexp", None);
        check("deepCoadd_calexp", None);
        check("calexp.wcs", None);
        check("_private", None);
    }

    #[test]
    fn rejects_names_with_the_reason_from_core() {
        check("1bad", Some("`1bad` is not a valid dataset type name"));
        check("1bad", Some("start with a letter"));
        check("", Some("empty"));
        check("cal-exp", Some("`cal-exp`"));
        check("calexp.", Some("empty part"));
    }

    #[test]
    fn serialises_to_the_documented_shape() {
        let accepted =
            serde_json::to_value(validate_dataset_type_name("calexp")).expect("serialises");
        assert_eq!(accepted, serde_json::json!({"ok": true, "message": null}));
        let rejected =
            serde_json::to_value(validate_dataset_type_name("1bad")).expect("serialises");
        assert_eq!(rejected["ok"], serde_json::json!(false));
        assert!(rejected["message"].is_string(), "{rejected}");
    }
}
