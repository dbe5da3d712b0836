//! `sitemap.xml` for search engines; written only when `[site] base_url` is set, since a sitemap
//! needs absolute URLs.

use crate::content::Site;
use crate::context::absolute_url;
use crate::html::escape_html;

pub(crate) fn sitemap(base_url: &str, site: &Site) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for &i in site.nav.reading_order() {
        let url = absolute_url(base_url, &site.pages[i].url);
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&url)));
    }
    xml.push_str("</urlset>\n");
    xml
}
