//! The default theme's `page.html` and `section.html` (over its `base.html`, the section's
//! child list from `macros.html`) written out in Rust: the same bytes Tera makes from those
//! templates, without Tera.
//!
//! Every ordinary page of a handbook goes through that one template pair, and Tera spent most
//! of the render phase looking up its eighty-odd variables (each dotted lookup allocates) and
//! serialising the page's context into JSON to look them up in. This path is taken only when
//! the templates involved are byte for byte the built-in ones: a theme that overrides one, or
//! any page with another template, goes through Tera as before, so the templates stay the
//! contract users see. A test (`build::stock_page_tests`) renders pages both ways and compares
//! the bytes, so an edit to one of these templates that is not made here too fails it.

use std::collections::HashMap;
use std::sync::Arc;

use super::{PageContext, GENERATOR};
use crate::html::push_escaped;
use crate::i18n::{template::Lookup, Translations};
use crate::render::Renderer;

/// The built-in templates this module writes out.
const PAGE_TEMPLATE: &str = include_str!("../../themes/default/templates/page.html");
const BASE_TEMPLATE: &str = include_str!("../../themes/default/templates/base.html");
const SECTION_TEMPLATE: &str = include_str!("../../themes/default/templates/section.html");
const MACROS_TEMPLATE: &str = include_str!("../../themes/default/templates/macros.html");

/// The interface strings the template pair prints (`t(key=...)`), looked up once per build
/// the way the template's `t` function does.
pub(crate) struct StockPage {
    skip_to_content: String,
    menu: String,
    search_placeholder: String,
    search_label: String,
    dark_mode: String,
    sidebar_label: String,
    breadcrumb_label: String,
    on_this_page: String,
    edit_page: String,
    pager_label: String,
    previous: String,
    next: String,
    source_link: String,
    built_with: String,
    /// The section template's strings, when `section.html` and `macros.html` are the built-in
    /// ones too: its child list's heading (escaped again, as the macro prints its argument)
    /// and badge.
    section: Option<(String, String)>,
}

impl StockPage {
    /// The built-in templates written out, when `renderer`'s `page.html` and `base.html` are
    /// the built-in ones (and, for section pages, its `section.html` and `macros.html`);
    /// `strings` are what its `t(key=...)` reads, `book_title` the book's title. `None` when
    /// they are not, or one of the strings cannot be looked up (Tera then renders, and reports
    /// the error as it always has).
    pub(crate) fn new(renderer: &Renderer, strings: Arc<Translations>, book_title: &str) -> Option<StockPage> {
        let same = |name: &str, text: &str| renderer.source(name) == Some(text);
        if !(same("page.html", PAGE_TEMPLATE) && same("base.html", BASE_TEMPLATE)) {
            return None;
        }
        let sections = same("section.html", SECTION_TEMPLATE) && same("macros.html", MACROS_TEMPLATE);
        let generator = GENERATOR;
        let lookup = Lookup::new(strings);
        let t = |key: &str, extra: Option<(&str, &str)>| -> Option<String> {
            let mut args = HashMap::from([("key".to_string(), tera::Value::from(key))]);
            if let Some((name, value)) = extra {
                args.insert(name.to_string(), tera::Value::from(value));
            }
            match tera::Function::call(&lookup, &args).ok()? {
                tera::Value::String(s) => Some(s),
                _ => None,
            }
        };
        Some(StockPage {
            skip_to_content: t("skip_to_content", None)?,
            menu: t("menu", None)?,
            search_placeholder: t("search_placeholder", None)?,
            search_label: t("search_label", Some(("book", book_title)))?,
            dark_mode: t("dark_mode", None)?,
            sidebar_label: t("sidebar_label", None)?,
            breadcrumb_label: t("breadcrumb_label", None)?,
            on_this_page: t("on_this_page", None)?,
            edit_page: t("edit_page", None)?,
            pager_label: t("pager_label", None)?,
            previous: t("previous", None)?,
            next: t("next", None)?,
            source_link: t("source_link", None)?,
            built_with: t("built_with", Some(("generator", generator)))?,
            section: match sections {
                true => t("in_this_section", None).map(|h| crate::html::escape_html(&h)).zip(t("section_badge", None)),
                false => None,
            },
        })
    }

    /// Page `c` as the built-in `template` renders it, into a buffer of `capacity` bytes;
    /// `None` for a template not written out here.
    pub(crate) fn render(&self, template: &str, c: &PageContext<'_>, capacity: usize) -> Option<String> {
        match template {
            "page.html" => Some(self.frame(c, capacity, |o| {
                let page = &c.page;
                if !page.has_title_heading {
                    o.push_str("\n<h1>");
                    push_escaped(o, page.title);
                    o.push_str("</h1>");
                }
                o.push('\n');
                o.push_str(page.content);
                o.push('\n');
            })),
            "section.html" => {
                let (heading, badge) = self.section.as_ref()?;
                Some(self.frame(c, capacity, |o| section_content(o, c, heading, badge)))
            }
            _ => None,
        }
    }

    /// `base.html` around the content block `content` writes.
    fn frame(&self, c: &PageContext<'_>, capacity: usize, content: impl FnOnce(&mut String)) -> String {
        let mut o = String::with_capacity(capacity);
        let (book, page, root) = (c.book, &c.page, c.root.as_str());
        let o = &mut o;
        let esc = push_escaped;
        o.push_str("<!DOCTYPE html>\n<html lang=\"");
        esc(o, &book.language);
        o.push_str("\" dir=\"");
        esc(o, book.direction);
        o.push_str("\" data-root=\"");
        esc(o, root);
        o.push_str("\" data-page=\"");
        esc(o, &page.url);
        o.push_str("\" data-book=\"");
        esc(o, &book.id);
        o.push_str("\" data-locale=\"");
        esc(o, book.locale);
        o.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n\n");
        o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
        if page.kind == "home" || page.title == book.title {
            esc(o, &book.title);
        } else {
            esc(o, page.title);
            o.push_str(" · ");
            esc(o, &book.title);
        }
        o.push_str("</title>\n");
        if !page.description.is_empty() {
            o.push_str("<meta name=\"description\" content=\"");
            esc(o, page.description);
            o.push_str("\">\n");
        } else if !book.description.is_empty() {
            o.push_str("<meta name=\"description\" content=\"");
            esc(o, &book.description);
            o.push_str("\">\n");
        }
        if !book.authors.is_empty() {
            o.push_str("<meta name=\"author\" content=\"");
            esc(o, &book.authors.join(", "));
            o.push_str("\">\n");
        }
        if !c.canonical_url.is_empty() {
            o.push_str("<link rel=\"canonical\" href=\"");
            esc(o, &c.canonical_url);
            o.push_str("\">\n");
        }
        o.push_str("<meta name=\"generator\" content=\"");
        esc(o, c.generator);
        o.push_str("\">\n<meta name=\"color-scheme\" content=\"light dark\">\n");
        o.push_str(concat!(
            "<script>(function(){var d=document.documentElement;d.classList.add(\"js\");",
            "try{var t=localStorage.getItem(\"stagebook-theme\")"
        ));
        if !book.default_theme.is_empty() {
            o.push_str("||\"");
            esc(o, book.default_theme);
            o.push('"');
        }
        o.push_str(";if(t===\"light\"||t===\"dark\")d.setAttribute(\"data-theme\",t)}catch(e){}})();</script>\n");
        let href = |o: &mut String, before: &str, path: &str, after: &str| {
            o.push_str(before);
            esc(o, root);
            o.push_str(path);
            o.push_str(after);
        };
        href(o, "<link rel=\"stylesheet\" href=\"", "static/style.css", "\">\n");
        href(o, "<link rel=\"stylesheet\" href=\"", "static/highlight.css", "\">\n");
        for css in &book.additional_css {
            o.push_str("<link rel=\"stylesheet\" href=\"");
            esc(o, root);
            esc(o, css);
            o.push_str("\">\n");
        }
        href(o, "<link rel=\"icon\" href=\"", "static/favicon.svg", "\" type=\"image/svg+xml\">\n");
        for script in ["strings", "i18n", "theme", "toc", "nav", "numbers", "progress"] {
            o.push_str("<script src=\"");
            esc(o, root);
            o.push_str("static/");
            o.push_str(script);
            o.push_str(".js\" defer></script>\n");
        }
        if page.content.contains("class=\"code-toggle\"") {
            href(o, "<script src=\"", "static/code.js", "\" defer></script>\n");
        }
        for js in &book.additional_js {
            o.push_str("<script src=\"");
            esc(o, root);
            esc(o, js);
            o.push_str("\" defer></script>\n");
        }
        o.push_str("\n</head>\n<body class=\"kind-");
        esc(o, page.kind);
        o.push_str("\">\n<a class=\"skip-link\" href=\"#content\">");
        o.push_str(&self.skip_to_content);
        o.push_str("</a>\n<header class=\"site-header\">\n");
        o.push_str("  <button class=\"icon-button menu-toggle\" id=\"sb-menu-toggle\" type=\"button\" aria-label=\"");
        o.push_str(&self.menu);
        o.push_str("\" aria-expanded=\"false\" aria-controls=\"sb-sidebar\">\n");
        o.push_str(concat!(
            "    <svg class=\"icon icon-open\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
            "<path d=\"M4 6h16M4 12h16M4 18h16\"/></svg>\n",
            "    <svg class=\"icon icon-close\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
            "<path d=\"M6 6l12 12M18 6L6 18\"/></svg>\n",
            "  </button>\n",
        ));
        href(o, "  <a class=\"site-title\" href=\"", "index.html", "\">");
        esc(o, &book.title);
        o.push_str("</a>\n  <div class=\"header-extra\">\n");
        href(
            o,
            "    <form class=\"search\" id=\"sb-search\" role=\"search\" action=\"",
            "search/index.html",
            "\" method=\"get\">\n",
        );
        o.push_str(concat!(
            "      <svg class=\"icon search-icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
            "<circle cx=\"10.5\" cy=\"10.5\" r=\"6.5\"/><path d=\"M15.5 15.5L20 20\"/></svg>\n",
            "      <input class=\"search-input\" id=\"sb-search-q\" type=\"search\" name=\"q\" placeholder=\""
        ));
        o.push_str(&self.search_placeholder);
        o.push_str("\" aria-label=\"");
        o.push_str(&self.search_label);
        o.push_str(concat!(
            "\" aria-keyshortcuts=\"/ Control+K Meta+K\" autocomplete=\"off\" autocapitalize=\"off\" ",
            "spellcheck=\"false\" enterkeyhint=\"search\">\n",
            "      <kbd class=\"search-key\" aria-hidden=\"true\">/</kbd>\n",
            "    </form>\n",
            "  </div>\n",
            "  <button class=\"icon-button theme-toggle\" id=\"sb-theme-toggle\" type=\"button\" aria-label=\""
        ));
        o.push_str(&self.dark_mode);
        o.push_str("\" aria-pressed=\"false\" title=\"");
        o.push_str(&self.dark_mode);
        o.push_str(concat!(
            "\">\n",
            "    <svg class=\"icon icon-moon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
            "<path d=\"M20.5 14.1A8.5 8.5 0 1 1 9.9 3.5a6.6 6.6 0 0 0 10.6 10.6z\"/></svg>\n",
            "    <svg class=\"icon icon-sun\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
            "<circle cx=\"12\" cy=\"12\" r=\"4\"/><path d=\"M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 ",
            "1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4\"/></svg>\n",
            "  </button>\n",
            "</header>\n",
            "<div class=\"layout\">\n",
            "  <nav class=\"sidebar\" id=\"sb-sidebar\" aria-label=\""
        ));
        o.push_str(&self.sidebar_label);
        o.push_str("\">\n    <div class=\"nav-tree\" id=\"sb-nav-tree\">\n      ");
        o.push_str(&c.nav_html);
        o.push_str("\n    </div>\n  </nav>\n  <div class=\"main-col\">\n    <div class=\"doc");
        if !page.toc.is_empty() {
            o.push_str(" has-toc");
        }
        o.push_str("\">\n      ");
        if !c.breadcrumbs.is_empty() {
            o.push_str("\n      <nav class=\"breadcrumbs\" aria-label=\"");
            o.push_str(&self.breadcrumb_label);
            o.push_str("\">\n        <ol>\n          ");
            for crumb in &c.breadcrumbs {
                o.push_str("<li><a href=\"");
                esc(o, &crumb.url);
                o.push_str("\">");
                esc(o, &crumb.title);
                o.push_str("</a></li>\n          ");
            }
            o.push_str("<li><span aria-current=\"page\">");
            esc(o, page.title);
            o.push_str("</span></li>\n        </ol>\n      </nav>\n      ");
        }
        o.push_str("\n      ");
        if !page.toc.is_empty() {
            o.push_str(concat!(
                "\n      <aside class=\"page-toc\" aria-labelledby=\"sb-toc-title\">\n",
                "        <details>\n",
                "          <summary><h2 id=\"sb-toc-title\">"
            ));
            o.push_str(&self.on_this_page);
            o.push_str("</h2></summary>\n          <ul>\n            ");
            for h in &page.toc {
                o.push_str("<li class=\"toc-h");
                push_number(o, h.level);
                o.push_str("\"><a href=\"#");
                esc(o, &h.id);
                o.push_str("\">");
                esc(o, &h.title);
                o.push_str("</a></li>\n            ");
            }
            o.push_str("\n          </ul>\n        </details>\n      </aside>\n      ");
        }
        o.push_str("\n      <main id=\"content\" class=\"prose\">\n        ");
        content(o);
        if !c.edit_url.is_empty() {
            o.push_str("\n        <p class=\"edit-link\"><a href=\"");
            esc(o, &c.edit_url);
            o.push_str("\">");
            o.push_str(&self.edit_page);
            o.push_str("</a></p>");
        }
        o.push_str("\n      </main>\n      ");
        if c.prev.is_some() || c.next.is_some() {
            o.push_str("\n      <nav class=\"pager\" aria-label=\"");
            o.push_str(&self.pager_label);
            o.push_str("\">\n        ");
            if let Some(prev) = &c.prev {
                o.push_str("<a class=\"pager-link pager-prev\" href=\"");
                esc(o, &prev.url);
                o.push_str("\" rel=\"prev\"><span class=\"pager-label\"><span aria-hidden=\"true\">← </span>");
                o.push_str(&self.previous);
                o.push_str("</span><span class=\"pager-title\">");
                esc(o, &prev.title);
                o.push_str("</span></a>");
            }
            o.push_str("\n        ");
            if let Some(next) = &c.next {
                o.push_str("<a class=\"pager-link pager-next\" href=\"");
                esc(o, &next.url);
                o.push_str("\" rel=\"next\"><span class=\"pager-label\">");
                o.push_str(&self.next);
                o.push_str("<span aria-hidden=\"true\"> →</span></span><span class=\"pager-title\">");
                esc(o, &next.title);
                o.push_str("</span></a>");
            }
            o.push_str("\n      </nav>\n      ");
        }
        o.push_str("\n    </div>\n    <footer class=\"site-footer\">\n      ");
        href(o, "<p><a href=\"", "index.html", "\">");
        esc(o, &book.title);
        o.push_str("</a>");
        if !book.authors.is_empty() {
            o.push_str(" · ");
            esc(o, &book.authors.join(", "));
        }
        if !book.repository.is_empty() {
            o.push_str(" · <a href=\"");
            esc(o, &book.repository);
            o.push_str("\">");
            o.push_str(&self.source_link);
            o.push_str("</a>");
        }
        o.push_str(" · ");
        o.push_str(&self.built_with);
        o.push_str("</p>\n    </footer>\n  </div>\n</div>\n\n</body>\n</html>\n");
        std::mem::take(o)
    }
}

/// `section.html`'s content block: title, lead, content and the `child_list` macro's list.
fn section_content(o: &mut String, c: &PageContext<'_>, heading: &str, badge: &str) {
    let page = &c.page;
    if !page.has_title_heading {
        o.push_str("\n<h1>");
        push_escaped(o, page.title);
        o.push_str("</h1>");
        if !page.description.is_empty() && page.content.is_empty() {
            o.push_str("\n<p class=\"lead\">");
            push_escaped(o, page.description);
            o.push_str("</p>");
        }
    }
    o.push('\n');
    o.push_str(page.content);
    o.push('\n');
    if !page.children.is_empty() {
        o.push_str(concat!(
            "\n<section class=\"children\" aria-labelledby=\"sb-children-title\">\n",
            "<h2 id=\"sb-children-title\" class=\"children-title\">"
        ));
        o.push_str(heading);
        o.push_str("</h2>\n<ul class=\"child-list\">");
        for child in &page.children {
            o.push_str(if child.is_section {
                "\n<li class=\"child child-section\">"
            } else {
                "\n<li class=\"child\">"
            });
            o.push_str("\n<a class=\"child-link\" href=\"");
            push_escaped(o, &child.url);
            o.push_str("\">");
            o.push_str(if child.is_section { FOLDER_ICON } else { FILE_ICON });
            o.push_str("<span class=\"child-title\">");
            push_escaped(o, &child.title);
            o.push_str("</span>");
            if child.is_section {
                o.push_str("<span class=\"badge\">");
                o.push_str(badge);
                o.push_str("</span>");
            }
            o.push_str("</a>");
            if !child.description.is_empty() {
                o.push_str("\n<p class=\"child-desc\">");
                push_escaped(o, &child.description);
                o.push_str("</p>");
            }
            o.push_str("\n</li>");
        }
        o.push_str("\n</ul>\n</section>");
    }
    o.push('\n');
}

const FOLDER_ICON: &str = concat!(
    "<svg class=\"icon child-icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
    "<path d=\"M3 7.5A1.5 1.5 0 0 1 4.5 6H9l2 2h8.5A1.5 1.5 0 0 1 21 9.5v8a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 ",
    "3 17.5z\"/></svg>"
);

const FILE_ICON: &str = concat!(
    "<svg class=\"icon child-icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">",
    "<path d=\"M6.5 3h7l4.5 4.5v12a1.5 1.5 0 0 1-1.5 1.5h-10A1.5 1.5 0 0 1 5 19.5v-15A1.5 1.5 0 0 1 6.5 3zM13 ",
    "3v5h5\"/></svg>"
);

/// Appends a heading level as Tera prints a number.
fn push_number(o: &mut String, n: u8) {
    if n < 10 {
        o.push(char::from(b'0' + n));
    } else {
        o.push_str(&n.to_string());
    }
}
