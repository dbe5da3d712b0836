//! Which pages the site has before any file is read: one slot per output page, from the
//! markdown files found, the pages the build generates and the folders that need a page.
//! Pure: it works on paths only.

use std::collections::HashMap;

use super::ids::{IdVec, PageId};
use super::{paths, Asset, Generated, PageKind, Reserved};

/// One output page to be: where it comes from and where it goes.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    /// Content-relative markdown file; `None` for generated pages and made-up folder pages.
    pub(crate) source: Option<String>,
    pub(crate) dir: String,
    pub(crate) url: String,
    pub(crate) kind: PageKind,
    pub(crate) generated: Option<Generated>,
    /// The title SUMMARY.md gives the page (used when its front matter gives none).
    pub(crate) nav_title: Option<String>,
}

/// What decides the navigation, and so which pages exist besides the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout<'a> {
    /// Folders: every folder with pages has a page, made up where it has no index file.
    Folders,
    /// SUMMARY.md: no folder pages are made up (mdBook has none), and the first chapter is
    /// the front page, written at `index.html` unless a listed file already is.
    Summary { first: Option<&'a str> },
}

/// A problem with a file's place in the site (not its content), reported at the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlaceProblem {
    /// Content-relative path of the file to blame.
    pub(crate) rel: String,
    pub(crate) message: String,
}

/// The site's pages, as slots.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Markdown files first (in the order given), then generated pages, then made-up folder pages.
    pub(crate) slots: IdVec<PageId, Slot>,
    /// The page of each folder (index file, generated section or made-up page).
    pub(crate) index_of_dir: HashMap<String, PageId>,
    /// Sources left out as duplicates still resolve (to the page that won), so one clash does
    /// not cascade into broken-link errors.
    pub(crate) aliases: Vec<(String, PageId)>,
    pub(crate) problems: Vec<PlaceProblem>,
}

/// Gives every markdown file (content-relative, sorted), generated page and folder its slot;
/// `slugs` (file -> front matter `slug`) rename the last segment of some pages' URLs.
pub(crate) fn plan(
    markdown: &[String],
    slugs: &HashMap<String, String>,
    generated: Vec<Generated>,
    reserved: &Reserved,
    layout: Layout,
) -> Plan {
    let mut plan = Plan::default();
    let mut by_url: HashMap<String, PageId> = HashMap::new();
    let front = match layout {
        Layout::Summary { first: Some(first) } if !markdown.iter().any(|r| paths::page_url(r) == "index.html") => {
            Some(first)
        }
        _ => None,
    };
    for rel in markdown {
        let is_front = front == Some(rel.as_str());
        let url =
            if is_front { paths::section_url("") } else { paths::slugged_url(rel, slugs.get(rel).map(String::as_str)) };
        if reserved.owns(&url) {
            plan.problems.push(PlaceProblem {
                rel: rel.clone(),
                message: format!(
                    "this page would be written to `{url}`, which stagebook generates itself; rename or move the file"
                ),
            });
            continue;
        }
        if let Some(&other) = by_url.get(&url) {
            let other_rel = plan.slots[other].source.clone().unwrap_or_default();
            let both_index = paths::is_index_name(file_name(rel)) && paths::is_index_name(file_name(&other_rel));
            let (first, second) = if other_rel < *rel { (&other_rel, rel) } else { (rel, &other_rel) };
            let message = if both_index {
                format!("`{first}` and `{second}` both give the folder its page; keep only one of them")
            } else {
                format!("`{first}` and `{second}` would both be written to `{url}`; rename one of them")
            };
            plan.problems.push(PlaceProblem { rel: rel.clone(), message });
            plan.aliases.push((rel.clone(), other));
            continue;
        }
        let is_index = is_front || paths::is_index_name(file_name(rel));
        let dir = if is_front { String::new() } else { paths::parent_dir(rel).to_string() };
        let kind = match (is_index, dir.is_empty()) {
            (true, true) => PageKind::Home,
            (true, false) => PageKind::Section,
            _ => PageKind::Page,
        };
        let id = plan.slots.push(Slot {
            source: Some(rel.clone()),
            dir: dir.clone(),
            url: url.clone(),
            kind,
            generated: None,
            nav_title: None,
        });
        by_url.insert(url, id);
        if is_index {
            plan.index_of_dir.insert(dir, id);
        }
    }
    for g in generated {
        let slot = Slot {
            source: None,
            dir: g.dir.clone(),
            url: g.url.clone(),
            kind: g.kind,
            generated: None,
            nav_title: None,
        };
        let (dir, url, kind) = (slot.dir.clone(), slot.url.clone(), slot.kind);
        let id = plan.slots.push(Slot { generated: Some(g), ..slot });
        if kind != PageKind::Page {
            plan.index_of_dir.insert(dir, id);
        }
        by_url.insert(url, id);
    }
    // Folders that hold pages but no index file still get a page listing their children.
    let mut dirs_with_pages: Vec<String> = Vec::new();
    for slot in plan.slots.iter() {
        let mut d = slot.dir.as_str();
        loop {
            dirs_with_pages.push(d.to_string());
            if d.is_empty() {
                break;
            }
            d = paths::parent_dir(d);
        }
    }
    dirs_with_pages.push(String::new());
    dirs_with_pages.sort();
    dirs_with_pages.dedup();
    for dir in dirs_with_pages {
        if plan.index_of_dir.contains_key(&dir) {
            continue;
        }
        if layout != Layout::Folders && !dir.is_empty() {
            continue;
        }
        let url = paths::section_url(&dir);
        if by_url.contains_key(&url) {
            continue; // e.g. `guide.md` next to a `guide/` folder: already reported or it is the page
        }
        let kind = if dir.is_empty() { PageKind::Home } else { PageKind::Section };
        let id = plan.slots.push(Slot {
            source: None,
            dir: dir.clone(),
            url: url.clone(),
            kind,
            generated: None,
            nav_title: None,
        });
        plan.index_of_dir.insert(dir, id);
        by_url.insert(url, id);
    }
    plan
}

/// Copied files may not land where a page or a generated file goes.
pub(crate) fn asset_collisions(
    slots: &IdVec<PageId, Slot>,
    assets: &[Asset],
    reserved: &Reserved,
) -> Vec<PlaceProblem> {
    let by_url: HashMap<&str, PageId> = slots.iter_ids().map(|(id, s)| (s.url.as_str(), id)).collect();
    let mut problems = Vec::new();
    for asset in assets {
        if let Some(&slot) = by_url.get(asset.url.as_str()) {
            problems.push(PlaceProblem {
                rel: asset.url.clone(),
                message: format!(
                    "this file collides with the page made from `{}`",
                    slots[slot].source.as_deref().unwrap_or("a folder")
                ),
            });
        } else if reserved.owns(&asset.url) {
            problems.push(PlaceProblem {
                rel: asset.url.clone(),
                message: "this file collides with a file stagebook generates; rename or move it".into(),
            });
        }
    }
    problems
}

pub(super) fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ids::Id;

    fn md(files: &[&str]) -> Vec<String> {
        files.iter().map(|s| s.to_string()).collect()
    }

    fn reserved() -> Reserved {
        Reserved { urls: ["404.html".to_string()].into(), dirs: vec!["static".into()] }
    }

    fn urls(plan: &Plan) -> Vec<(&str, PageKind, bool)> {
        plan.slots.iter().map(|s| (s.url.as_str(), s.kind, s.source.is_some())).collect()
    }

    #[test]
    fn files_then_made_up_folder_pages() {
        let plan = plan(
            &md(&["a/b/deep.md", "guide/README.md", "guide/setup.md"]),
            &HashMap::new(),
            Vec::new(),
            &reserved(),
            Layout::Folders,
        );
        assert_eq!(
            urls(&plan),
            vec![
                ("a/b/deep/index.html", PageKind::Page, true),
                ("guide/index.html", PageKind::Section, true),
                ("guide/setup/index.html", PageKind::Page, true),
                // Made up, sorted by folder: the home page and every folder on the way down.
                ("index.html", PageKind::Home, false),
                ("a/index.html", PageKind::Section, false),
                ("a/b/index.html", PageKind::Section, false),
            ]
        );
        assert_eq!(plan.index_of_dir["guide"], PageId::from_index(1));
        assert_eq!(plan.index_of_dir[""], PageId::from_index(3));
        assert!(plan.problems.is_empty());
    }

    #[test]
    fn two_index_files_clash_and_the_loser_resolves_to_the_winner() {
        let plan = plan(
            &md(&["_index.md", "guide/README.md", "guide/index.md"]),
            &HashMap::new(),
            Vec::new(),
            &reserved(),
            Layout::Folders,
        );
        assert_eq!(plan.problems.len(), 1);
        assert_eq!(plan.problems[0].rel, "guide/index.md");
        assert!(plan.problems[0].message.contains("both give the folder its page"));
        assert_eq!(plan.aliases, vec![("guide/index.md".to_string(), PageId::from_index(1))]);
        assert_eq!(plan.slots.len(), 2);
    }

    #[test]
    fn a_page_where_stagebook_writes_is_refused() {
        let plan = plan(&md(&["static.md", "ok.md"]), &HashMap::new(), Vec::new(), &reserved(), Layout::Folders);
        assert_eq!(plan.problems.len(), 1);
        assert!(plan.problems[0].message.contains("which stagebook generates itself"));
        assert_eq!(urls(&plan)[0].0, "ok/index.html");
    }

    #[test]
    fn slugs_move_pages_and_clash_like_file_names() {
        let slugs = [("guide/setup.md".to_string(), "install".to_string())].into();
        let plan = plan(
            &md(&["guide/install.md", "guide/setup.md", "guide/x.md"]),
            &slugs,
            Vec::new(),
            &reserved(),
            Layout::Folders,
        );
        assert_eq!(plan.problems.len(), 1);
        assert!(plan.problems[0].message.contains("would both be written to `guide/install/index.html`"));
        assert_eq!(urls(&plan)[1].0, "guide/x/index.html");
    }

    #[test]
    fn generated_sections_are_their_folders_pages() {
        let generated = vec![Generated {
            url: "stages/index.html".into(),
            dir: "stages".into(),
            kind: PageKind::Section,
            title: "Stages".into(),
            description: String::new(),
            weight: None,
            payload: crate::content::Payload::new(()),
        }];
        let plan = plan(&md(&["_index.md"]), &HashMap::new(), generated, &reserved(), Layout::Folders);
        assert_eq!(plan.slots.len(), 2);
        assert_eq!(plan.index_of_dir["stages"], PageId::from_index(1));
        assert!(plan.slots[PageId::from_index(1)].generated.is_some());
    }

    #[test]
    fn with_a_summary_no_folder_pages_are_made_up_and_the_first_chapter_is_the_front_page() {
        let summary = Layout::Summary { first: Some("guide/intro.md") };
        let plan = plan(
            &md(&["a/b/deep.md", "guide/intro.md", "guide/README.md"]),
            &HashMap::new(),
            Vec::new(),
            &reserved(),
            summary,
        );
        assert_eq!(
            urls(&plan),
            vec![
                ("a/b/deep/index.html", PageKind::Page, true),
                ("index.html", PageKind::Home, true),
                ("guide/index.html", PageKind::Section, true),
            ]
        );
        assert_eq!(plan.slots[PageId::from_index(1)].dir, "");
        // A listed top-level README keeps `index.html`; the first chapter keeps its own URL.
        let plan = plan_of(&["README.md", "intro.md"], Layout::Summary { first: Some("intro.md") });
        assert_eq!(urls(&plan), vec![("index.html", PageKind::Home, true), ("intro/index.html", PageKind::Page, true)]);
        // Nothing listed: the front page is made up, as without a summary.
        let plan = plan_of(&[], Layout::Summary { first: None });
        assert_eq!(urls(&plan), vec![("index.html", PageKind::Home, false)]);
    }

    fn plan_of(files: &[&str], layout: Layout) -> Plan {
        plan(&md(files), &HashMap::new(), Vec::new(), &reserved(), layout)
    }

    #[test]
    fn files_may_not_collide_with_pages_or_generated_files() {
        let plan = plan(&md(&["_index.md"]), &HashMap::new(), Vec::new(), &reserved(), Layout::Folders);
        let asset = |url: &str| Asset { source: url.into(), url: url.into() };
        let problems = asset_collisions(
            &plan.slots,
            &[asset("index.html"), asset("static/x.css"), asset("img/ok.png")],
            &reserved(),
        );
        assert_eq!(problems.len(), 2);
        assert!(problems[0].message.contains("the page made from `_index.md`"));
        assert_eq!(problems[1].rel, "static/x.css");
    }
}
