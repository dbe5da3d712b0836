//! Sidebar links, made from each page's URL prepared once per build.
//!
//! The sidebar repeats about a hundred links on every page, each relative to that page.
//! Encoding and escaping the target's URL for every one of them made the sidebar the costliest
//! step of rendering; here each page's URL is percent-encoded and HTML-escaped once, and a link
//! is the shared leading folders dropped, `../` for each folder left in the page's own path,
//! and the rest of the prepared URL copied as it is
//! ([`relative_route`](crate::content::paths::relative_route)).

use crate::content::paths::{folders, relative_route_from};
use crate::content::{IdVec, Page, PageId};
use crate::html::push_escaped;
use crate::url::encode_path;

/// Every page's output URL, percent-encoded then HTML-escaped: ready to go in an `href`.
#[derive(Debug, Default)]
pub(crate) struct PageHrefs {
    urls: IdVec<PageId, Prepared>,
}

impl PageHrefs {
    pub(crate) fn new(pages: &IdVec<PageId, Page>) -> PageHrefs {
        PageHrefs { urls: pages.iter().map(|p| Prepared::new(&p.url)).collect() }
    }

    /// Page `page`'s prepared URL.
    pub(crate) fn url(&self, page: PageId) -> &Prepared {
        &self.urls[page]
    }
}

/// An output path percent-encoded, then escaped for an HTML attribute; with the length of its
/// folders, found once rather than for every link from it.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    text: String,
    dirs: usize,
}

impl Prepared {
    pub(crate) fn new(url: &str) -> Prepared {
        let mut text = String::with_capacity(url.len() + 8);
        push_escaped(&mut text, &encode_path(url));
        let dirs = folders(&text).len();
        Prepared { text, dirs }
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

/// Appends the href from the page at `from` to the file at `to`: the same text as escaping
/// [`relative_href`](crate::content::paths::relative_href)'s link, since the way between two
/// paths is found alike on their prepared forms.
pub(crate) fn push_relative(out: &mut String, from: &Prepared, to: &Prepared) {
    let (ups, rest) = relative_route_from(&from.text[..from.dirs], &to.text);
    for _ in 0..ups {
        out.push_str("../");
    }
    out.push_str(&to.text[rest..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::paths::relative_href;
    use crate::content::Id;
    use crate::html::escape_html;

    fn pinned(from: &str, to: &str) {
        let mut fast = String::new();
        push_relative(&mut fast, &Prepared::new(from), &Prepared::new(to));
        assert_eq!(fast, escape_html(&relative_href(from, to)), "from {from} to {to}");
    }

    #[test]
    fn links_match_the_reference_href_escaped() {
        let urls = [
            "index.html",
            "404.html",
            "a/index.html",
            "a/b/index.html",
            "a/b/c/index.html",
            "a/bc/index.html",
            "ab/index.html",
            "ab/c/index.html",
            "b/index.html",
            "search/index.html",
            "a b/c:d/index.html",
            "a&b/it's/index.html",
            "a&b/index.html",
            "a&c/index.html",
            "é/ü/index.html",
            "a/b/page.html",
            "abcdefgh/ijklmnop/index.html",
            "abcdefgh/ijklmnoq/index.html",
            "abcdefgh/ijklmnop/qrstuvwxyz/index.html",
            "abcdefghijklmnop/index.html",
        ];
        for from in urls {
            for to in urls {
                pinned(from, to);
            }
        }
    }

    #[test]
    fn prepared_urls_are_encoded_then_escaped() {
        assert_eq!(Prepared::new("a b/x&y/index.html").as_str(), "a%20b/x&amp;y/index.html");
        let pages = ["a/index.html", "b's/index.html"]
            .iter()
            .map(|u| Page::empty(u, "", crate::content::PageKind::Page))
            .collect();
        let hrefs = PageHrefs::new(&pages);
        assert_eq!(hrefs.url(PageId::from_index(1)).as_str(), "b&#39;s/index.html");
    }
}
