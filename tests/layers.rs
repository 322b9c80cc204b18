//! The crate's layers: every module may use the ones below it and never one above, so there is
//! no import circle between them. Read from the sources (code, not comments): a `crate::x` path
//! in a module of a lower layer than `x` fails this test.

use std::path::{Path, PathBuf};

/// The top-level modules, lowest first.
const LAYERS: [&str; 17] = [
    "data",
    "model",
    "zoo",
    "weights",
    "train",
    "eval",
    "experiment",
    "lab",
    "backend",
    "protocol",
    "link",
    "tour",
    "pointing",
    "web",
    "worker",
    "page",
    "app",
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules `source` names with `crate::`, outside comments.
fn used_modules(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.push(name);
            }
        }
    }
    used
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let module = top.trim_end_matches(".rs");
        let Some(own) = layer(module) else {
            continue; // lib.rs, and the commands in bin/, which sit on top
        };
        checked += 1;
        let source = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&source) {
            if layer(&used).is_some_and(|theirs| theirs > own) {
                wrong.push(format!("{} ({module}) uses crate::{used}", relative.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} files read");
    assert!(wrong.is_empty(), "imports from a higher layer:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_an_upward_import() {
    assert_eq!(used_modules("use crate::app::Runtime; // crate::worker"), vec!["app"]);
    assert!(used_modules("/// see [`crate::worker`]").is_empty());
}
