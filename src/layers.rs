//! The module layers, top to bottom: a module may use only modules of layers below its own
//! (never its own layer, never one above), so the modules form no cycle and each can be read,
//! tested and changed knowing only what lies below it. The README's Architecture section shows
//! the same table; the tests below keep both true: they read every `crate::…` path under src/.

/// From the top (the server) to the bottom (leaf helpers that import nothing of the crate).
pub(crate) const LAYERS: &[&[&str]] = &[
    &["serve"],
    &["build"],
    &["search", "sitemap", "redirects", "cache"],
    &["context", "matrix"],
    &["content"],
    &["markdown"],
    &["words", "highlight", "render", "output", "init"],
    &["i18n"],
    &["theme"],
    &["config"],
    &["html", "slug", "url", "abspath", "diagnostics", "numbers", "highlight_memo", "parse_memo", "timings", "chunks"],
    &["lang", "varint"],
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use super::LAYERS;

    fn layer(module: &str) -> Option<usize> {
        LAYERS.iter().position(|l| l.contains(&module))
    }

    /// The top-level modules a file's code names through `crate::` (or `$crate::` in macros):
    /// `crate::a::b`, and each head of a group `crate::{a::x, b::{y, z}}`. Comment lines are
    /// skipped (doc links may point anywhere).
    fn imports(source: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for line in source.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                let preceded = rest[..at].chars().next_back();
                rest = after;
                if preceded.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `mycrate::` is not `crate::`
                }
                if let Some(group) = after.strip_prefix('{') {
                    let mut depth = 1;
                    let mut head = true;
                    let mut word = String::new();
                    for c in group.chars() {
                        if c.is_alphanumeric() || c == '_' {
                            word.push(c);
                            continue;
                        }
                        if head && depth == 1 && !word.is_empty() {
                            found.insert(std::mem::take(&mut word));
                        }
                        word.clear();
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            ',' if depth == 1 => head = true,
                            ' ' | '\t' => continue,
                            _ => {}
                        }
                        if depth == 0 {
                            break;
                        }
                        if c != ',' {
                            head = false;
                        }
                    }
                } else {
                    let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            }
        }
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn imports_are_read_from_paths_and_groups() {
        let code = "use crate::a::B;\nuse crate::{c::D, e::{F, G}, h};\n// crate::i in a comment\nlet x = $crate::j::k(mycrate::l);\n";
        let got: Vec<String> = imports(code).into_iter().collect();
        assert_eq!(got, ["a", "c", "e", "h", "j"]);
    }

    #[test]
    fn every_module_has_a_layer_and_imports_only_layers_below() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut problems = Vec::new();
        let mut modules = BTreeSet::new();
        for file in &files {
            let rel = file.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
            let module = first.trim_end_matches(".rs");
            if matches!(module, "main" | "lib" | "layers" | "properties") {
                // The binary sits on top; lib.rs only declares the modules; `layers` and
                // `properties` are test-only and may reach any layer.
                continue;
            }
            modules.insert(module.to_string());
            let Some(own) = layer(module) else {
                problems.push(format!("module `{module}` has no layer in src/layers.rs"));
                continue;
            };
            for used in imports(&std::fs::read_to_string(file).unwrap()) {
                if used == module {
                    continue;
                }
                match layer(&used) {
                    None => problems.push(format!("{}: uses `crate::{used}`, which has no layer", rel.display())),
                    Some(l) if l <= own => problems.push(format!(
                        "{}: `{module}` (layer {own}) uses `{used}` (layer {l}): only layers below may be used",
                        rel.display()
                    )),
                    Some(_) => {}
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let listed: BTreeSet<String> = LAYERS.iter().flat_map(|l| l.iter().map(|m| m.to_string())).collect();
        assert_eq!(listed, modules, "the table lists exactly the modules under src/");
    }

    /// The README draws the same table (one line a layer, `·` between modules).
    #[test]
    fn the_readme_shows_this_table() {
        let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let table: Vec<String> = LAYERS.iter().map(|l| l.join(" · ")).collect();
        let drawn = table.join("\n      ↓\n");
        assert!(readme.contains(&drawn), "README.md should contain the layer table:\n{drawn}");
    }
}
