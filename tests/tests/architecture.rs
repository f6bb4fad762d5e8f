//! Keeps `ARCHITECTURE.md` true: every top-level folder and every `core/src` module is named,
//! and every workspace dependency has a line saying why it is there.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a panic with the value is the clearest failure"
)]

use std::path::Path;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

fn architecture() -> String {
    std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md exists")
}

#[test]
fn every_top_level_folder_is_in_the_code_map() {
    let text = architecture();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(workspace()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ignored =
            name.starts_with('.') || ["target", "node_modules", "demo"].contains(&name.as_str());
        if entry.file_type().unwrap().is_dir() && !ignored && !text.contains(&format!("`{name}/")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not mention {missing:?}"
    );
}

#[test]
fn every_core_module_is_in_the_code_map() {
    let text = architecture();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(workspace().join("core/src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "lib.rs" {
            continue;
        }
        let module = name.trim_end_matches(".rs");
        if !text.contains(&format!("core/src/{module}")) {
            missing.push(module.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not mention core modules {missing:?}"
    );
}

#[test]
fn every_workspace_dependency_says_why() {
    let text = architecture();
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[workspace.dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    let mut missing = Vec::new();
    for line in deps.lines() {
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.starts_with('#') || name == "satellite-core" {
            continue;
        }
        if !text.contains(&format!("`{name}`")) {
            missing.push(name.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's dependency table lacks {missing:?}"
    );
}

#[test]
fn no_member_manifest_names_a_version() {
    for member in [
        "core",
        "native-server",
        "remote-server",
        "wasm-widget",
        "tests",
    ] {
        let text = std::fs::read_to_string(workspace().join(member).join("Cargo.toml")).unwrap();
        for line in text.lines() {
            let l = line.trim();
            let is_dep_with_version = (l.contains("version = \"") || l.contains("= \""))
                && !l.starts_with('#')
                && !l.starts_with('[')
                && !l.starts_with("name")
                && !l.starts_with("description")
                && !l.starts_with("path")
                && !l.starts_with("crate-type");
            assert!(
                !is_dep_with_version,
                "{member}/Cargo.toml names a version: {l}"
            );
        }
    }
}

#[test]
fn no_sql_is_built_with_format() {
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new(workspace().join("core/src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for verb in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
                if compact.contains(&format!("format!(\"{verb}")) {
                    offenders.push(format!("{}: format!(\"{verb}", entry.path().display()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL must be a literal with bound values; values never formatted in: {offenders:?}"
    );
}
