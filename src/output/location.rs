//! Where the output folder may not be. The output is replaced as a whole on every build, so it
//! may not be, contain, or lie inside any of the handbook's inputs: the handbook folder, the
//! content folder, the themes, the matrix file's folder. (Inside the handbook folder is fine:
//! `book/` is the default; with `content = "."` the content walk skips it.)

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// An error when the output folder overlaps an input.
pub(crate) fn check(config: &Config, shown_output: &Path) -> Result<(), Diagnostic> {
    let output = super::absolute(&config.output_dir());
    let root = super::absolute(&config.root);
    let shown = |p: &Path| -> PathBuf {
        match p.strip_prefix(&root) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => p.to_path_buf(),
        }
    };
    let mut inputs: Vec<(&str, PathBuf)> = vec![("handbook folder", root.clone())];
    let content = super::absolute(&config.content_dir());
    if content != root {
        inputs.push(("content folder", content));
    }
    inputs.push(("themes folder", super::absolute(&config.root.join("themes"))));
    if config.build.matrix.is_some() {
        if let Some(dir) = super::absolute(&config.matrix_path()).parent().filter(|d| *d != root) {
            inputs.push(("matrix file's folder", dir.to_path_buf()));
        }
    }
    for (what, input) in inputs {
        let relation = if output == input {
            "is"
        } else if input.starts_with(&output) {
            "contains"
        } else if output.starts_with(&input) && what != "handbook folder" {
            "lies inside"
        } else {
            continue;
        };
        return Err(Diagnostic::error(
            shown_output,
            format!(
                "the output folder {relation} the {what} ({}); every build replaces what it wrote there, so \
                 choose another output folder, apart from the handbook's sources (e.g. `-o book`)",
                shown(&input).display()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_with(toml: &str, output: &str) -> Result<(), String> {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("content/guide")).unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::create_dir_all(root.join("themes/mine")).unwrap();
        let mut config = Config::parse(root, toml.to_string()).unwrap();
        config.build.output = root.join(output);
        check(&config, Path::new(output)).map_err(|d| d.message)
    }

    #[test]
    fn inputs_are_refused_as_outputs() {
        let matrix = "[build]\nmatrix = \"data/matrix.toml\"\n";
        for (toml, output, expect) in [
            ("", ".", "is the handbook folder"),
            ("", "content", "is the content folder"),
            ("", "content/guide", "lies inside the content folder"),
            ("", "themes/mine", "lies inside the themes folder"),
            ("", "themes", "is the themes folder"),
            (matrix, "data", "is the matrix file's folder"),
            (matrix, "data/site", "lies inside the matrix file's folder"),
            ("", "..", "contains the handbook folder"),
        ] {
            let message = check_with(toml, output).unwrap_err();
            assert!(message.contains(expect), "{output}: {message}");
        }
    }

    #[test]
    fn a_folder_of_its_own_is_fine() {
        assert_eq!(check_with("", "book"), Ok(()));
        assert_eq!(check_with("[build]\ncontent = \".\"\n", "book"), Ok(()));
        assert_eq!(check_with("[build]\nmatrix = \"matrix.toml\"\n", "site"), Ok(()));
    }
}
