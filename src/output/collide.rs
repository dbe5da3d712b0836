//! Output paths that differ only by letter case (`Guide/`, `guide/`) or by Unicode
//! normalisation (`café` written with one code point or two) are distinct on Linux, but one
//! file on case-insensitive or normalising file systems and hosts (macOS, Windows, some object
//! stores): one page would silently replace the other where the site is deployed.
//!
//! Only the detection can be tested on Linux; it compares paths, not file systems.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// What a case-insensitive, normalising file system sees: NFC, lowercased (then NFC again, as
/// lowercasing can undo a composition).
fn key(path: &str) -> String {
    if path.is_ascii() {
        return path.to_ascii_lowercase(); // most paths: no need for the Unicode tables
    }
    path.nfc().collect::<String>().to_lowercase().nfc().collect()
}

/// One output file and where it comes from (as shown to the user).
pub(crate) struct Output<'a> {
    pub path: &'a str,
    pub source: String,
    /// Where an error about it points.
    pub at: std::path::PathBuf,
}

/// Pairs of outputs `(earlier, later)` that would be one file (or a file and a folder) on such
/// a file system. Outputs with exactly the same path are left to the caller.
pub(crate) fn clashes<'a>(outputs: &'a [Output<'a>]) -> Vec<(&'a Output<'a>, &'a Output<'a>)> {
    let mut files: HashMap<String, usize> = HashMap::new();
    let mut dirs: HashMap<String, (&str, usize)> = HashMap::new();
    let mut found = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        let k = key(out.path);
        match files.get(&k) {
            Some(&j) if outputs[j].path != out.path => found.push((&outputs[j], out)),
            Some(_) => {}
            None => {
                files.insert(k.clone(), i);
            }
        }
        if let Some(&(dir, j)) = dirs.get(&k) {
            if dir != out.path {
                found.push((&outputs[j], out));
            }
        }
        let mut end = 0;
        while let Some(at) = out.path[end..].find('/') {
            end += at;
            let dir = &out.path[..end];
            let dk = key(dir);
            if let Some(&j) = files.get(&dk) {
                if outputs[j].path != dir {
                    found.push((&outputs[j], out));
                }
            }
            dirs.entry(dk).or_insert((dir, i));
            end += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs<'a>(paths: &[&'a str]) -> Vec<Output<'a>> {
        paths.iter().map(|p| Output { path: p, source: format!("src:{p}"), at: p.into() }).collect()
    }

    fn pairs(paths: &[&str]) -> Vec<(String, String)> {
        let outs = outputs(paths);
        clashes(&outs).into_iter().map(|(a, b)| (a.path.to_string(), b.path.to_string())).collect()
    }

    #[test]
    fn case_and_normalisation_variants_clash() {
        assert_eq!(
            pairs(&["Guide/index.html", "guide/index.html"]),
            [("Guide/index.html".into(), "guide/index.html".into())]
        );
        let (nfc, nfd) = ("caf\u{e9}/index.html", "cafe\u{301}/index.html");
        assert_eq!(pairs(&[nfc, nfd]), [(nfc.to_string(), nfd.to_string())]);
        assert_eq!(pairs(&["CAF\u{c9}.png", "cafe\u{301}.png"]).len(), 1);
    }

    #[test]
    fn a_file_and_a_folder_of_the_same_name_clash() {
        assert_eq!(pairs(&["Notes", "notes/a.png"]).len(), 1);
        assert_eq!(pairs(&["notes/a.png", "NOTES"]).len(), 1);
    }

    #[test]
    fn distinct_paths_and_merged_folders_do_not() {
        assert!(pairs(&["Guide/a.png", "guide/b.png", "a/index.html", "b/index.html"]).is_empty());
        assert!(pairs(&["same.html", "same.html"]).is_empty(), "exact duplicates are reported elsewhere");
    }
}
