//! The functions JavaScript calls: the whole exported surface of the wasm module.
//!
//! Each function converts between JavaScript values and the plain Rust of the other modules and
//! does nothing else; errors come back as thrown `Error`s (`JsError`), never as panics.

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The version of `satellite-core` compiled into this module.
#[wasm_bindgen]
pub fn core_version() -> String {
    satellite_core::VERSION.to_owned()
}

/// Validate a dataset type name as the user types it.
///
/// Returns `{ok: boolean, message: string | null}`.
///
/// # Errors
///
/// Throws if the verdict cannot be converted to a JavaScript object.
#[wasm_bindgen]
pub fn validate_dataset_type_name(name: &str) -> Result<JsValue, JsError> {
    to_js(&crate::validation::validate_dataset_type_name(name))
}

/// Validate a `where` expression as the user types it, with the real parser and checker.
///
/// `universe_json` is the dimension universe as the servers give it; `context_json`
/// (optional) describes the query: `{dimensions, dataset_types, bind, data_id, defaults}`.
/// Returns `{ok, diagnostics: [{severity, kind, message, start, end, line, column,
/// suggestions, hint, rendered}]}` with `start`/`end` in UTF-16 code units, ready to underline.
///
/// # Errors
///
/// Throws if the verdict cannot be converted to a JavaScript object.
#[wasm_bindgen]
pub fn validate_expression(
    expression: &str,
    universe_json: &str,
    context_json: Option<String>,
) -> Result<JsValue, JsError> {
    to_js(&crate::expression::validate_expression(
        expression,
        universe_json,
        context_json.as_deref(),
    ))
}

/// The default dimension universe (`daf_butler` version 8) as JSON, for pages that have no
/// server to ask.
#[wasm_bindgen]
pub fn default_universe_json() -> String {
    satellite_core::model::DimensionUniverse::default_universe().to_json()
}

/// Convert with JSON semantics, so `None` becomes `null` rather than `undefined`.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}
