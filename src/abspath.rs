//! Paths made comparable: config, output and serve all ask "is this folder inside that one?"
//! of paths that may be relative, go through symlinks or not exist yet.

use std::path::{Path, PathBuf};

/// An absolute path with symlinks and `..` resolved, for comparing paths; parts that do not
/// exist (yet, or any more) are resolved through their nearest existing folder.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()),
    }
}
