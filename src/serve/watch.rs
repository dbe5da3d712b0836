//! Watching the handbook folder: debounced file events, minus the noise (the output folder,
//! hidden files, editor swap and backup files).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

/// How long the folder must be quiet before a batch of changes is handed over. Short, so a
/// save shows up at once; long enough that a burst of events (a `git checkout`, an editor's
/// write-then-rename) arrives as one batch.
pub const QUIET: Duration = Duration::from_millis(20);

/// Keeps the watcher alive; batches of changed paths arrive on `changes`.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    /// Watched recursively (when they exist): content, themes, the matrix file's folder, each
    /// with the identity of the folder the watch is on.
    trees: Vec<(PathBuf, Option<(u64, u64)>)>,
    pub changes: Receiver<Vec<PathBuf>>,
}

impl Watcher {
    /// Watches a folder again if it was deleted and created anew (its watch went with the old
    /// folder). Folders created inside a watched one are picked up by the watcher itself.
    pub fn refresh(&mut self) {
        for (tree, id) in &mut self.trees {
            let now = identity(tree);
            if now.is_some() && now != *id && self.debouncer.watch(tree.as_path(), RecursiveMode::Recursive).is_ok() {
                *id = now;
            }
        }
    }
}

/// Watches the handbook folder itself (for book.toml and folders appearing), and `trees`
/// recursively. The rest of the folder (the output, `.git`, `target/`...) is never watched:
/// it can hold far more folders than the system allows watches for.
pub fn watch(root: &Path, trees: Vec<PathBuf>, output: &Path) -> Result<Watcher, String> {
    let (tx, rx) = channel();
    let root_owned = root.to_path_buf();
    let output = output.to_path_buf();
    let mut debouncer = new_debouncer(QUIET, Some(Duration::from_millis(5)), move |result: DebounceEventResult| {
        if let Ok(events) = result {
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .filter(|e| !e.kind.is_access())
                .flat_map(|e| e.event.paths)
                .filter(|p| !is_ignored(&root_owned, &output, p))
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        }
    })
    .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    debouncer.watch(root, RecursiveMode::NonRecursive).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let mut watched = Vec::new();
    for tree in trees {
        let id = identity(&tree);
        if id.is_some() {
            debouncer
                .watch(&tree, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", tree.display()))?;
        }
        watched.push((tree, id));
    }
    Ok(Watcher { debouncer, trees: watched, changes: rx })
}

/// Device and inode of a folder: tells a folder from one created anew at the same path.
fn identity(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().filter(|m| m.is_dir()).map(|m| (m.dev(), m.ino()))
}

/// Paths whose changes never need a rebuild: the output folder, hidden files and folders
/// (`.git`, staging folders), and the temporary files editors write next to the real one.
pub fn is_ignored(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return true;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    for part in rel.components() {
        let name = part.as_os_str().to_string_lossy();
        if name.starts_with('.') && name != "." && name != ".." {
            return true;
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.ends_with('~')
        || name.starts_with('#')
        || name == "4913"
        || [".swp", ".swo", ".swx", ".tmp", ".bak", ".kate-swp"].iter().any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_noise_is_ignored() {
        let root = Path::new("/b");
        let out = Path::new("/b/book");
        for ignored in [
            "/b/book/index.html",
            "/b/.git/HEAD",
            "/b/content/.a.md.swp",
            "/b/content/a.md~",
            "/b/content/.#a.md",
            "/b/content/4913",
            "/b/content/#a.md#",
            "/b/.book.stagebook-x/a",
        ] {
            assert!(is_ignored(root, out, Path::new(ignored)), "{ignored}");
        }
        for kept in ["/b/content/a.md", "/b/book.toml", "/b/themes/default/templates/page.html", "/b/content/img.png"] {
            assert!(!is_ignored(root, out, Path::new(kept)), "{kept}");
        }
    }
}
