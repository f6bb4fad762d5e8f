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

/// Convert with JSON semantics, so `None` becomes `null` rather than `undefined`.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}
