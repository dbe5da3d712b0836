//! Routing a batch of changed paths: what is the least work that shows them? Pure over what
//! the caller found on disk, so every route is unit-tested without a file system.

use std::path::{Path, PathBuf};

use crate::abspath::absolute;
use crate::config::{Config, CONFIG_FILE};

/// Where things are (absolute paths): what routing needs from book.toml.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) root: PathBuf,
    config_file: PathBuf,
    matrix: PathBuf,
    themes: PathBuf,
    pub(crate) content: PathBuf,
    /// Folders and files outside the content that the site is built from besides themes and the
    /// matrix (`extra-watch-dirs`, `additional-css`...): a change there loads everything.
    others: Vec<PathBuf>,
}

impl Layout {
    pub(crate) fn of(config: &Config) -> Layout {
        let root = absolute(&config.root);
        Layout {
            config_file: root.join(CONFIG_FILE),
            themes: root.join("themes"),
            matrix: absolute(&config.matrix_path()),
            content: absolute(&config.content_dir()),
            others: config.extra_watched(),
            root,
        }
    }

    /// A path as the rebuild line shows it: content-relative for pages and files (as links
    /// are written), handbook-relative otherwise.
    pub(crate) fn shown(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.content).or_else(|_| path.strip_prefix(&self.root)).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }
}

/// What stands at a changed path now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDisk {
    File,
    /// A symbolic link: whether it may be followed is the loader's decision.
    Link,
    Folder,
    Missing,
}

impl OnDisk {
    pub(crate) fn of(path: &Path) -> OnDisk {
        match std::fs::symlink_metadata(path) {
            Err(_) => OnDisk::Missing,
            Ok(m) if m.file_type().is_symlink() => OnDisk::Link,
            Ok(m) if m.is_dir() => OnDisk::Folder,
            Ok(_) => OnDisk::File,
        }
    }
}

/// The loaded handbook, as far as routing is concerned.
pub(crate) trait Known {
    /// A markdown file (content-relative) that is a page now.
    fn has_page(&self, rel: &str) -> bool;
    /// A file (content-relative) that is copied into the site now.
    fn has_asset(&self, rel: &str) -> bool;
    /// The pages (content-relative sources) whose `{{#include}}`-family directives read the
    /// file at `path` (absolute).
    fn includers(&self, path: &Path) -> Vec<String>;
}

impl Known for crate::build::Project {
    fn has_page(&self, rel: &str) -> bool {
        self.site.page_by_source(rel).is_some()
    }

    fn has_asset(&self, rel: &str) -> bool {
        self.site.assets.iter().any(|a| a.url == rel)
    }

    fn includers(&self, path: &Path) -> Vec<String> {
        self.site
            .pages
            .iter()
            .filter(|p| p.includes.iter().any(|i| i == path))
            .filter_map(|p| p.source.clone())
            .collect()
    }
}

/// What a batch of changes needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Plan {
    Nothing,
    Full,
    /// Edited pages (content-relative), edited copied files, and whether theme static files
    /// changed.
    Some {
        pages: Vec<String>,
        assets: Vec<String>,
        statics: bool,
    },
}

/// Routes changed paths (absolute, with what stands there now). Only plain files the site
/// already has are updated on their own: anything new, gone, turned into a folder or a
/// symbolic link changes the site's structure and loads everything again.
pub(crate) fn plan(layout: &Layout, known: &impl Known, changes: &[(PathBuf, OnDisk)]) -> Plan {
    let (mut pages, mut assets, mut statics) = (Vec::new(), Vec::new(), false);
    for (path, now) in changes {
        if *path == layout.config_file || *path == layout.matrix {
            return Plan::Full;
        }
        if !path.starts_with(&layout.content) && layout.others.iter().any(|o| path.starts_with(o)) {
            return Plan::Full;
        }
        if let Ok(rel) = path.strip_prefix(&layout.themes) {
            // themes/<name>/static/... only changes static files; templates change every page.
            let mut parts = rel.components();
            let _name = parts.next();
            if parts.next().is_some_and(|c| c.as_os_str() == "static") && *now == OnDisk::File {
                statics = true;
                continue;
            }
            return Plan::Full;
        }
        // A file pages include (a listing, a fragment; in content/ or elsewhere in the
        // handbook): those pages are read again.
        let includers = known.includers(path);
        if !includers.is_empty() && *now != OnDisk::File {
            return Plan::Full;
        }
        let included = !includers.is_empty();
        pages.extend(includers);
        let Ok(rel) = path.strip_prefix(&layout.content) else { continue };
        if *now != OnDisk::File {
            return Plan::Full;
        }
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.ends_with(".md") && known.has_page(&rel) {
            pages.push(rel);
        } else if !rel.ends_with(".md") && known.has_asset(&rel) {
            assets.push(rel);
        } else if !included {
            return Plan::Full;
        }
    }
    pages.sort();
    pages.dedup();
    if pages.is_empty() && assets.is_empty() && !statics {
        return Plan::Nothing;
    }
    Plan::Some { pages, assets, statics }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loaded handbook in memory: /b with content/, themes/ and the matrix in data/.
    struct Site {
        pages: Vec<&'static str>,
        assets: Vec<&'static str>,
        /// (included file, the page including it)
        includes: Vec<(&'static str, &'static str)>,
    }

    impl Known for Site {
        fn has_page(&self, rel: &str) -> bool {
            self.pages.contains(&rel)
        }
        fn has_asset(&self, rel: &str) -> bool {
            self.assets.contains(&rel)
        }
        fn includers(&self, path: &Path) -> Vec<String> {
            self.includes.iter().filter(|(f, _)| Path::new(f) == path).map(|(_, p)| p.to_string()).collect()
        }
    }

    fn layout() -> Layout {
        Layout {
            root: "/b".into(),
            config_file: "/b/book.toml".into(),
            matrix: "/b/data/matrix.toml".into(),
            themes: "/b/themes".into(),
            content: "/b/content".into(),
            others: vec!["/b/shared".into(), "/b/theme/custom.css".into()],
        }
    }

    fn route(changes: &[(&str, OnDisk)]) -> Plan {
        let site = Site {
            pages: vec!["index.md", "guide/setup.md", "guide/frag.md"],
            assets: vec!["img/logo.png"],
            includes: vec![
                ("/b/listings/a.rs", "guide/setup.md"),
                ("/b/listings/a.rs", "index.md"),
                ("/b/content/guide/frag.md", "guide/setup.md"),
                ("/b/content/guide/code.rs", "index.md"),
            ],
        };
        let changes: Vec<(PathBuf, OnDisk)> = changes.iter().map(|(p, d)| (PathBuf::from(p), *d)).collect();
        plan(&layout(), &site, &changes)
    }

    fn some(pages: &[&str], assets: &[&str], statics: bool) -> Plan {
        Plan::Some {
            pages: pages.iter().map(|s| s.to_string()).collect(),
            assets: assets.iter().map(|s| s.to_string()).collect(),
            statics,
        }
    }

    use OnDisk::{File, Folder, Link, Missing};

    #[test]
    fn edited_pages_files_and_static_files_are_updated_on_their_own() {
        assert_eq!(route(&[("/b/content/guide/setup.md", File)]), some(&["guide/setup.md"], &[], false));
        assert_eq!(
            route(&[("/b/content/index.md", File), ("/b/content/img/logo.png", File)]),
            some(&["index.md"], &["img/logo.png"], false)
        );
        assert_eq!(route(&[("/b/themes/house/static/style.css", File)]), some(&[], &[], true));
    }

    #[test]
    fn an_included_file_reloads_the_pages_that_include_it() {
        // Outside content/ (a listings folder), inside it (a fragment that is a page too, a
        // file that is neither page nor asset).
        assert_eq!(route(&[("/b/listings/a.rs", File)]), some(&["guide/setup.md", "index.md"], &[], false));
        assert_eq!(
            route(&[("/b/content/guide/frag.md", File)]),
            some(&["guide/frag.md", "guide/setup.md"], &[], false)
        );
        assert_eq!(route(&[("/b/content/guide/code.rs", File)]), some(&["index.md"], &[], false));
        // Gone or replaced: everything is loaded again (and the missing file is reported).
        assert_eq!(route(&[("/b/listings/a.rs", Missing)]), Plan::Full);
        assert_eq!(route(&[("/b/listings/a.rs", Link)]), Plan::Full);
        // Other files next to it still need nothing.
        assert_eq!(route(&[("/b/listings/b.rs", File)]), Plan::Nothing);
    }

    #[test]
    fn structure_config_templates_and_the_matrix_load_everything() {
        for change in [
            ("/b/book.toml", File),
            ("/b/data/matrix.toml", File),
            ("/b/themes/house/templates/page.html", File),
            ("/b/themes/house/static", Folder),
            ("/b/themes", Missing),
            ("/b/content/new.md", File),
            // SUMMARY.md is no page: editing it rebuilds the navigation with everything else.
            ("/b/content/SUMMARY.md", File),
            ("/b/content/img/new.png", File),
            ("/b/content/guide/setup.md", Missing),
            ("/b/content/guide", Folder),
            ("/b/content", Missing),
            // A page or file replaced by a symbolic link: the loader decides whether it may
            // be followed (never outside the handbook).
            ("/b/content/guide/setup.md", Link),
            ("/b/content/img/logo.png", Link),
            // A known name of the other kind is not that kind.
            ("/b/content/img/logo.png.md", File),
        ] {
            assert_eq!(route(&[("/b/content/index.md", File), change]), Plan::Full, "{change:?}");
        }
    }

    #[test]
    fn extra_watched_folders_and_files_load_everything() {
        assert_eq!(route(&[("/b/shared/listing.rs", File)]), Plan::Full);
        assert_eq!(route(&[("/b/theme/custom.css", File)]), Plan::Full);
        assert_eq!(route(&[("/b/theme/other.css", File)]), Plan::Nothing);
    }

    #[test]
    fn changes_outside_what_is_built_need_nothing() {
        assert_eq!(route(&[("/b/README.md", File), ("/b/notes/todo.txt", Missing)]), Plan::Nothing);
        assert_eq!(route(&[]), Plan::Nothing);
    }

    #[test]
    fn shown_paths_are_content_relative_for_content() {
        let l = layout();
        assert_eq!(l.shown(Path::new("/b/content/guide/setup.md")), "guide/setup.md");
        assert_eq!(l.shown(Path::new("/b/book.toml")), "book.toml");
        assert_eq!(l.shown(Path::new("/elsewhere/x")), "/elsewhere/x");
    }
}
