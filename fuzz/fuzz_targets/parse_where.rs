//! Fuzzes the `where` parser: any UTF-8 text is parsed or refused without a panic, an error
//! points inside the text, and a parsed tree prints as text that parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use satellite_core::query::parse;

fuzz_target!(|text: &str| {
    match parse(text) {
        Ok(None) => assert!(text.trim_matches([' ', '\t', '\n']).is_empty()),
        Ok(Some(expr)) => {
            let printed = expr.to_string();
            let reparsed = match parse(&printed) {
                Ok(Some(reparsed)) => reparsed,
                other => panic!("{text:?} printed as {printed:?}, which gives {other:?}"),
            };
            assert_eq!(reparsed, expr, "{text:?} printed as {printed:?}");
            assert_eq!(reparsed.to_string(), printed);
        }
        Err(err) => {
            let span = err.span.expect("a parse error has a span");
            assert!(span.start <= span.end && span.end <= text.len(), "{err:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let _ = err.render(text);
        }
    }
});
