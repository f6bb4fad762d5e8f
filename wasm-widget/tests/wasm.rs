//! The widget's exported functions, compiled to wasm32 and run by `wasm-bindgen-test-runner`
//! in Node (`scripts/test`, stage "wasm32: wasm-bindgen-test"): the real parser and checker,
//! called through the JavaScript boundary. Natively this file is empty.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on any unexpected error"
)]

use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

use satellite_widget::api::{default_universe_json, validate_expression};

fn verdict(expression: &str, context: Option<&str>) -> Value {
    let js = validate_expression(
        expression,
        &default_universe_json(),
        context.map(str::to_owned),
    )
    .unwrap();
    serde_wasm_bindgen::from_value(js).unwrap()
}

#[wasm_bindgen_test]
fn a_valid_expression_has_no_diagnostics() {
    let ctx = r#"{"dimensions": ["visit", "detector"], "defaults": {"instrument": "DemoCam"}}"#;
    assert_eq!(
        verdict(
            "visit > 100 AND band = 'r' AND visit.region OVERLAPS POINT(53, -28)",
            Some(ctx)
        ),
        json!({"ok": true, "diagnostics": []})
    );
}

#[wasm_bindgen_test]
fn an_unknown_field_is_underlined_with_a_suggestion() {
    let v = verdict("band = 'r' AND visit.day = 3", Some("{}"));
    assert_eq!(v["ok"], json!(false));
    let d = &v["diagnostics"][0];
    assert_eq!(d["message"], json!("Unrecognized field 'day' for visit."));
    assert_eq!(d["suggestions"], json!(["visit.day_obs"]));
    assert_eq!(
        (d["start"].as_u64(), d["end"].as_u64()),
        (Some(15), Some(24))
    );
}

#[wasm_bindgen_test]
fn syntax_errors_carry_the_python_butlers_message() {
    let v = verdict("visit > AND band = 'r'", None);
    assert_eq!(
        v["diagnostics"][0]["message"],
        json!("Syntax error at or near 'AND' (line: 1, pos: 9)")
    );
}

#[wasm_bindgen_test]
fn hostile_input_never_panics() {
    for text in [
        "(((((",
        "T'",
        "\u{0}",
        "'\u{1F600}",
        &"(".repeat(3000),
        &"a OR ".repeat(2000),
    ] {
        assert!(verdict(text, None)["ok"].is_boolean());
    }
}
