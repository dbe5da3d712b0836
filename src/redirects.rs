//! Redirect pages: tiny HTML files at old URLs that send the reader on to where a page is now.
//! They keep bookmarks working after a migration: front matter `aliases` / `redirect_from`
//! (Hugo, Jekyll), the `chapter.html` URLs mdBook publishes, and book.toml's
//! `[output.html.redirect]` table.
//!
//! A redirect page is written like any other output file (through the sink, so it is in the
//! manifest and checked for case collisions) but is listed nowhere: not in the navigation,
//! the search index or the sitemap. Its links are relative, so it works from `file://` and
//! under any subpath; its target never carries a scheme that could run script.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::Config;
use crate::content::{paths, PageId, Site};
use crate::diagnostics::Diagnostic;
use crate::html::escape_html;

/// One redirect page to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// Its output path, e.g. `old/index.html` or `ch01.html`.
    pub(crate) from: String,
    /// Where it sends the reader: an output path of this site (with `#anchor` if any), or an
    /// `http(s)` URL of another site.
    pub(crate) to: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An output path of this site and maybe an anchor.
    Site { path: String, anchor: Option<String> },
    /// Another site's URL (http or https only).
    External(String),
}

/// Who asked for a redirect, for messages and for what happens when its path is taken.
#[derive(Debug, Clone)]
enum Origin {
    /// Front matter of a page: an error at the alias, when its path is taken.
    Page(PageId, usize),
    /// `[output.html.redirect]`: an error at book.toml.
    Config,
    /// The URL mdBook gave a page: silently left out when a real file is there.
    MdBook,
}

/// Every redirect page of the site: front matter aliases, mdBook's `chapter.html` URLs (when
/// `mdbook`) and `extra` (`(from, to)` pairs as book.toml's `[output.html.redirect]` writes
/// them: `from` a path from the site's top, `to` a URL relative to `from` or an http(s) URL).
/// `taken` says what else is written at an output path (pages, copied files, generated files),
/// or `None`. A redirect the handbook asked for that would replace a real file, or another
/// redirect, is an error naming both.
pub(crate) fn collect(
    config: &Config,
    site: &Site,
    mdbook: bool,
    extra: &[(String, String)],
    taken: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Redirect>, Vec<Diagnostic>> {
    let mut wanted: Vec<(Redirect, Origin)> = Vec::new();
    let mut errors = Vec::new();
    // mdBook URLs first: others (`[output.html.redirect]`) may point at them.
    let mut mdbook_urls: HashMap<String, String> = HashMap::new();
    if mdbook {
        for page in &site.pages {
            let Some(source) = &page.source else { continue };
            let name = source.rsplit('/').next().unwrap_or(source);
            if paths::is_index_name(name) || source == "SUMMARY.md" {
                continue; // mdBook writes README.md as the folder's index.html too, and no SUMMARY.html
            }
            let Some(stem) = source.strip_suffix(".md") else { continue };
            let from = format!("{stem}.html");
            mdbook_urls.insert(from.clone(), page.url.clone());
            let to = Target::Site { path: page.url.clone(), anchor: None };
            wanted.push((Redirect { from, to }, Origin::MdBook));
        }
    }
    for (id, page) in site.pages.iter_ids() {
        for (from, at) in &page.redirect_from {
            let to = Target::Site { path: page.url.clone(), anchor: None };
            wanted.push((Redirect { from: from.clone(), to }, Origin::Page(id, *at)));
        }
    }
    let book_toml = config.root.join("book.toml");
    let book_toml = book_toml.strip_prefix(".").map(PathBuf::from).unwrap_or(book_toml);
    for (from, to) in extra {
        let problem = |why: String| Diagnostic::error(book_toml.clone(), format!("redirect `{from}` -> `{to}`: {why}"));
        let from_path = match paths::redirect_path("", from) {
            Ok(p) => p,
            Err(why) => {
                errors.push(problem(format!("`{from}` cannot be a redirect page: {why}")));
                continue;
            }
        };
        let page_of = |source: &str| site.page_by_source(source).map(|p| site.pages[p].url.clone());
        match target_of(&from_path, to, &page_of, &mdbook_urls) {
            Ok(to) => wanted.push((Redirect { from: from_path, to }, Origin::Config)),
            Err(why) => errors.push(problem(why)),
        }
    }

    let mut kept: Vec<(Redirect, Origin)> = Vec::new();
    let mut by_from: HashMap<String, usize> = HashMap::new();
    for (redirect, origin) in wanted {
        let asked = !matches!(origin, Origin::MdBook);
        if matches!(&redirect.to, Target::Site { path, .. } if *path == redirect.from) {
            continue; // an alias naming the page's own URL: nothing to redirect
        }
        if let Some(what) = taken(&redirect.from) {
            if asked {
                let message =
                    format!("a redirect from `{}` would replace {what}; remove one of them", shown(&redirect.from));
                errors.push(diagnostic(config, site, &origin, &book_toml, message));
            }
            continue;
        }
        match by_from.get(&redirect.from) {
            None => {
                by_from.insert(redirect.from.clone(), kept.len());
                kept.push((redirect, origin));
            }
            Some(&i) => {
                let (first, first_origin) = &kept[i];
                if !asked || first.to == redirect.to {
                    continue; // mdBook's own URL loses to one the handbook asked for; the same twice is one
                }
                if matches!(first_origin, Origin::MdBook) {
                    kept[i] = (redirect, origin);
                    continue;
                }
                let message = format!(
                    "`{}` is already a redirect to {} (asked for by {}); it cannot also go to {}",
                    shown(&redirect.from),
                    describe(&first.to),
                    origin_name(config, site, first_origin, &book_toml),
                    describe(&redirect.to),
                );
                errors.push(diagnostic(config, site, &origin, &book_toml, message));
            }
        }
    }
    if errors.is_empty() {
        Ok(kept.into_iter().map(|(r, _)| r).collect())
    } else {
        Err(errors)
    }
}

/// A `[output.html.redirect]` target: an http(s) URL, or a path relative to the redirect's own
/// place (`../bar.html`) or to the site's top (`/overview.html`). A target that is itself
/// one of mdBook's old URLs goes straight to the page.
pub(crate) fn target_of(
    from: &str,
    to: &str,
    page_of: &dyn Fn(&str) -> Option<String>,
    mdbook_urls: &HashMap<String, String>,
) -> Result<Target, String> {
    let trimmed = to.trim();
    if let Some(scheme) = crate::url::scheme(trimmed) {
        return if matches!(scheme.as_str(), "http" | "https") && !trimmed.contains(char::is_whitespace) {
            Ok(Target::External(trimmed.to_string()))
        } else {
            Err(format!("a redirect may go to a path of this site or an http(s) URL, not a `{scheme}:` URL"))
        };
    }
    if trimmed.starts_with("//") || trimmed.is_empty() {
        return Err("the target must be a path of this site or an http(s) URL".into());
    }
    let (path, anchor) = match trimmed.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
        None => (trimmed, None),
    };
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(mut joined) = paths::join(paths::parent_dir(from), &decoded) else {
        return Err("the target climbs out of the site with `..`".into());
    };
    if joined.is_empty() || decoded.ends_with('/') {
        joined = paths::section_url(&joined);
    } else if let Some(page_url) = page_of(&joined) {
        joined = page_url;
    } else if let Some(page_url) = mdbook_urls.get(&joined) {
        joined = page_url.clone();
    }
    Ok(Target::Site { path: joined, anchor })
}

fn shown(from: &str) -> String {
    format!("/{}", from.strip_suffix("index.html").unwrap_or(from))
}

fn describe(to: &Target) -> String {
    match to {
        Target::Site { path, .. } => format!("`{}`", shown(path)),
        Target::External(url) => format!("`{url}`"),
    }
}

fn origin_name(config: &Config, site: &Site, origin: &Origin, book_toml: &std::path::Path) -> String {
    match origin {
        Origin::Page(id, _) => {
            let source = site.pages[*id].source.as_deref().unwrap_or("");
            format!("`{}`", crate::content::shown_path(config, source).display())
        }
        Origin::Config => format!("`{}` [output.html.redirect]", book_toml.display()),
        Origin::MdBook => "mdBook's URL of a page".into(),
    }
}

fn diagnostic(
    config: &Config,
    site: &Site,
    origin: &Origin,
    book_toml: &std::path::Path,
    message: String,
) -> Diagnostic {
    match origin {
        Origin::Page(id, at) => site.error_in(config, *id, *at, message),
        _ => Diagnostic::error(book_toml, message),
    }
}

/// The redirect page at `from`: a refresh, a canonical link and a visible link, all relative
/// to `from` for a page of this site. A script keeps the `#anchor` of the old URL (a
/// bookmarked `chapter.html#section`) where the target has none of its own.
pub(crate) fn page(redirect: &Redirect, strings: &crate::i18n::Translations) -> String {
    let (href, keep_hash) = match &redirect.to {
        Target::Site { path, anchor } => {
            let mut href = paths::relative_href(&redirect.from, path);
            if let Some(a) = anchor {
                href.push('#');
                href.push_str(&crate::url::encode_segment(a));
            }
            (href, anchor.is_none())
        }
        Target::External(url) => (encode_url(url), !url.contains('#')),
    };
    let attr = escape_html(&href);
    // JSON is a JavaScript string literal; `<` is escaped so no `</script>` can close the tag.
    let script = if keep_hash {
        let js = serde_json::to_string(&href).unwrap_or_default().replace('<', "\\u003c");
        format!("<script>location.replace({js} + location.hash);</script>\n")
    } else {
        String::new()
    };
    let link = format!("<a href=\"{attr}\">{attr}</a>");
    let moved = crate::i18n::template::fill_html(strings.ui("moved_to", None).unwrap_or("{link}"), |name| {
        (name == "link").then(|| crate::i18n::template::Arg::Html(link.as_str().into()))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={attr}\">\n\
         <link rel=\"canonical\" href=\"{attr}\">\n{script}</head>\n<body>\n\
         <p>{moved}</p>\n</body>\n</html>\n",
        lang = escape_html(strings.language()),
        dir = strings.direction().as_str(),
        title = escape_html(strings.ui("redirecting", None).unwrap_or_default()),
    )
}

/// An author's URL with the characters that could end a `refresh` value or an attribute early
/// (quotes, `;`, spaces, `<`, `>`, backslash, controls) percent-encoded.
fn encode_url(url: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const UNSAFE: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'\'').add(b'<').add(b'>').add(b'\\').add(b';').add(b'`');
    utf8_percent_encode(url, UNSAFE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Translations;

    fn english() -> Translations {
        Translations::english()
    }

    fn site(page: &str, to: &str) -> Redirect {
        Redirect { from: page.into(), to: Target::Site { path: to.into(), anchor: None } }
    }

    #[test]
    fn pages_are_relative_and_keep_the_anchor() {
        let html = page(&site("ch01.html", "ch01/index.html"), &english());
        assert!(html.contains("content=\"0; url=ch01/index.html\""), "{html}");
        assert!(html.contains("<link rel=\"canonical\" href=\"ch01/index.html\">"));
        assert!(html.contains("<a href=\"ch01/index.html\">"));
        assert!(html.contains("location.replace(\"ch01/index.html\" + location.hash)"));
        let html = page(&site("a/b/index.html", "c d/index.html"), &english());
        assert!(html.contains("url=../../c%20d/index.html\""), "{html}");
        let to = Target::Site { path: "x/index.html".into(), anchor: Some("sec".into()) };
        let html = page(&Redirect { from: "old.html".into(), to }, &english());
        assert!(html.contains("url=x/index.html#sec\""));
        assert!(!html.contains("<script>"));
        assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
        // An Arabic handbook's redirect pages read right to left like its other pages.
        let arabic = Translations::load("ar", &crate::theme::Theme::built_in()).unwrap().0;
        assert!(page(&site("ch01.html", "ch01/index.html"), &arabic).contains("<html lang=\"ar\" dir=\"rtl\">"));
    }

    #[test]
    fn external_targets_are_encoded_and_escaped() {
        let r =
            Redirect { from: "x.html".into(), to: Target::External("https://e.com/a b?\"q\"=1&x=<script>'".into()) };
        let html = page(&r, &Translations::load("en\"><script>", &crate::theme::Theme::built_in()).unwrap().0);
        assert!(!html.contains("<script>'"), "{html}");
        assert!(html.contains("url=https://e.com/a%20b?%22q%22=1&amp;x=%3Cscript%3E%27\""), "{html}");
        assert!(html.contains("lang=\"en&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn targets_never_carry_a_script_scheme() {
        let s = |_: &str| None;
        let none = HashMap::new();
        for bad in ["javascript:alert(1)", " JavaScript:x", "data:text/html,x", "vbscript:x", "//evil.com/x", ""] {
            assert!(target_of("x.html", bad, &s, &none).is_err(), "{bad}");
        }
        assert_eq!(
            target_of("a/old.html", "../new.html#top", &s, &none),
            Ok(Target::Site { path: "new.html".into(), anchor: Some("top".into()) })
        );
        assert_eq!(
            target_of("a/old.html", "/guide/", &s, &none),
            Ok(Target::Site { path: "guide/index.html".into(), anchor: None })
        );
        let mdbook = [("ch1.html".to_string(), "ch1/index.html".to_string())].into();
        assert_eq!(
            target_of("old.html", "ch1.html", &s, &mdbook),
            Ok(Target::Site { path: "ch1/index.html".into(), anchor: None })
        );
        assert_eq!(target_of("o.html", "https://e.com/", &s, &none), Ok(Target::External("https://e.com/".into())));
    }
}
