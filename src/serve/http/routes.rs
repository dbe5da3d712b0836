//! What each request gets: a file of the site from memory, a redirect, a 404 page, the
//! live-reload script, or the start of an event stream. Anything that is not a plain path
//! inside the site is refused, and so is every request not from the developer's own browser.

use std::sync::Arc;

use super::access::Access;
use super::head::Head;
use super::response::{Chunk, Response};
use super::shared::Shared;
use crate::output::{Body, Files};

/// Path of the live-reload event stream and script.
pub(crate) const EVENTS_PATH: &str = "/__stagebook/events";
pub(crate) const SCRIPT_PATH: &str = "/__stagebook/livereload.js";
/// Paths under this prefix belong to the server, not the site; only same-origin pages may use them.
const OWN_PREFIX: &str = "/__stagebook/";
const SCRIPT: &str = include_str!("../livereload.js");

pub(crate) enum Route {
    Respond(Response),
    /// Start a live-reload event stream.
    Events,
}

pub(crate) fn route(head: &Head, shared: &Shared, access: &Access) -> Route {
    let host = head.host.as_deref().unwrap_or("");
    if !access.host_allowed(host) {
        let shown: String = host.chars().filter(|c| !c.is_control()).take(100).collect();
        return Route::Respond(Response::text(
            403,
            &format!(
                "403 forbidden: this preview server answers only to localhost; Host `{shown}` is not allowed \
                 (start it with --allow-host NAME to add a name)"
            ),
        ));
    }
    if head.method != "GET" && head.method != "HEAD" {
        return Route::Respond(Response::text(405, "405 method not allowed").header("Allow", "GET, HEAD"));
    }
    let path = head.target.split(['?', '#']).next().unwrap_or("");
    if path.starts_with(OWN_PREFIX) {
        if let Some(origin) = head.origin.as_deref().filter(|o| !access.origin_allowed(o)) {
            let shown: String = origin.chars().filter(|c| !c.is_control()).take(100).collect();
            return Route::Respond(Response::text(
                403,
                &format!("403 forbidden: the live-reload channel answers only to pages of this server, not `{shown}`"),
            ));
        }
        if path == EVENTS_PATH {
            return Route::Events;
        }
        if path == SCRIPT_PATH {
            return Route::Respond(
                Response::new(200, "text/javascript; charset=utf-8", Chunk::Owned(script(shared)))
                    .header("Cache-Control", "no-store"),
            );
        }
    }
    Route::Respond(site_file(path, shared).header("Cache-Control", "no-store"))
}

/// The live-reload script after the strings its overlay shows: the served site's own
/// `static/strings.js` (the book's language), or English while no build has succeeded yet.
fn script(shared: &Shared) -> Vec<u8> {
    let files = shared.files();
    let mut out = match files.get(&format!("static/{}", crate::i18n::script::STRINGS_JS)) {
        Some(strings) => strings.to_vec(),
        None => crate::i18n::script::for_book(&crate::i18n::Translations::english()).into_bytes(),
    };
    out.extend_from_slice(SCRIPT.as_bytes());
    out
}

fn site_file(path: &str, shared: &Shared) -> Response {
    let key = match site_path(path) {
        Ok(key) => key,
        Err(400) => return Response::text(400, "400 bad request"),
        Err(_) => return Response::text(404, "404 not found"),
    };
    let files = shared.files();
    match lookup(&files, &key) {
        Lookup::Found(bytes) => file_response(&key, bytes, 200),
        Lookup::Folder => Response::new(301, "text/plain; charset=utf-8", Chunk::Static(b""))
            .header("Location", format!("{}/", path.trim_end_matches('/'))),
        Lookup::Missing => match files.get("404.html") {
            Some(page) => file_response("404.html", page.clone(), 404),
            None if files.is_empty() => file_response(
                "index.html",
                Arc::new(
                    b"<!DOCTYPE html><title>Build failed</title><body><p>The site has not been built yet.</p></body>"
                        .to_vec(),
                ),
                503,
            ),
            None => Response::text(404, "404 not found"),
        },
    }
}

enum Lookup {
    Found(Body),
    /// A folder asked for without its trailing slash: redirect, so relative links work.
    Folder,
    Missing,
}

fn lookup(files: &Files, key: &str) -> Lookup {
    if let Some(bytes) = files.get(key) {
        return Lookup::Found(bytes.clone());
    }
    if !key.is_empty() && !key.ends_with("index.html") && files.contains_key(&format!("{key}/index.html")) {
        return Lookup::Folder;
    }
    Lookup::Missing
}

/// Turns a request path into a key of the site, refusing anything that could name a file
/// outside it: `..` (plain or percent-encoded), encoded slashes or backslashes, NUL bytes,
/// backslashes, and anything that is not an absolute path. 400 for malformed, 404 otherwise.
pub(crate) fn site_path(path: &str) -> Result<String, u16> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(400);
    }
    let lower = path.to_ascii_lowercase();
    if path.contains('\\') || path.contains('\0') || ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return Err(400);
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().map_err(|_| 400u16)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(400);
    }
    let mut key = String::new();
    for segment in decoded.split('/').skip(1) {
        match segment {
            "." | ".." => return Err(400),
            s => {
                if !key.is_empty() {
                    key.push('/');
                }
                key.push_str(s);
            }
        }
    }
    if key.is_empty() || decoded.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key.replace("//", "/"))
}

fn file_response(key: &str, bytes: Body, status: u16) -> Response {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", mime.essence_str()),
        _ if mime.essence_str() == "application/javascript" => "text/javascript; charset=utf-8".into(),
        _ => mime.essence_str().to_string(),
    };
    let body = if is_html { Chunk::Owned(inject_script(&bytes)) } else { Chunk::Shared(bytes) };
    Response::new(status, &content_type, body)
}

/// Adds the live-reload script to an HTML page (before `</body>`, else at the end).
pub(crate) fn inject_script(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(method: &str, target: &str, host: &str, origin: Option<&str>) -> Option<u16> {
        let shared = Shared::new();
        let mut files = Files::new();
        files.insert("index.html".into(), Arc::new(b"<body>home</body>".to_vec()));
        shared.publish(Arc::new(files), "1 page");
        let access = Access::new("127.0.0.1".parse().unwrap(), 3000, &[]);
        let head = Head {
            method: method.into(),
            target: target.into(),
            host: Some(host.into()),
            origin: origin.map(Into::into),
            keep_alive: true,
            has_body: false,
        };
        match route(&head, &shared, &access) {
            Route::Respond(r) => Some(r.status),
            Route::Events => None,
        }
    }

    #[test]
    fn the_host_is_checked_before_anything_else_and_the_origin_on_own_paths() {
        assert_eq!(status("GET", "/", "localhost:3000", None), Some(200));
        assert_eq!(status("POST", "/", "evil.example", None), Some(403));
        assert_eq!(status("POST", "/", "localhost", None), Some(405));
        assert_eq!(status("GET", "/../x", "localhost", None), Some(400));
        assert_eq!(status("GET", "/", "localhost", Some("null")), Some(200), "pages may be opened from anywhere");
        assert_eq!(status("GET", EVENTS_PATH, "localhost", None), None);
        assert_eq!(status("GET", EVENTS_PATH, "localhost", Some("http://localhost:3000")), None);
        assert_eq!(status("GET", EVENTS_PATH, "localhost", Some("null")), Some(403));
        assert_eq!(status("GET", SCRIPT_PATH, "localhost", Some("http://evil.example")), Some(403));
        assert_eq!(status("GET", SCRIPT_PATH, "localhost", None), Some(200));
    }

    #[test]
    fn plain_paths_map_to_site_keys() {
        assert_eq!(site_path("/"), Ok("index.html".into()));
        assert_eq!(site_path("/guide/"), Ok("guide/index.html".into()));
        assert_eq!(site_path("/guide/setup/index.html"), Ok("guide/setup/index.html".into()));
        assert_eq!(site_path("/static/style.css"), Ok("static/style.css".into()));
        assert_eq!(site_path("/caf%C3%A9/"), Ok("café/index.html".into()));
        assert_eq!(site_path("/guide"), Ok("guide".into()));
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for bad in [
            "/../book.toml",
            "/guide/../../book.toml",
            "/%2e%2e/book.toml",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/guide%2f..%2f..%2fbook.toml",
            "/..%5cbook.toml",
            "/..\\book.toml",
            "/index.html%00.png",
            "//etc/passwd",
            "http://example.com/../x",
            "etc/passwd",
            "/./index.html",
            "/%ff%fe",
        ] {
            assert_eq!(site_path(bad), Err(400), "{bad}");
        }
    }

    #[test]
    fn folders_without_slash_redirect() {
        let mut files = Files::new();
        files.insert("guide/index.html".into(), Arc::new(b"x".to_vec()));
        assert!(matches!(lookup(&files, "guide"), Lookup::Folder));
        assert!(matches!(lookup(&files, "guide/index.html"), Lookup::Found(_)));
        assert!(matches!(lookup(&files, "nope"), Lookup::Missing));
    }

    #[test]
    fn the_overlay_script_comes_after_the_served_sites_strings() {
        let shared = Shared::new();
        let before = String::from_utf8(script(&shared)).unwrap();
        assert!(
            before.starts_with("window.stagebookStrings = {\"dir\":\"ltr\",\"lang\":\"en\""),
            "English until a build succeeds"
        );
        assert!(before.contains("serve_failed") && before.ends_with(SCRIPT), "{before}");
        let mut files = Files::new();
        files.insert("static/strings.js".into(), Arc::new(b"window.stagebookStrings = {\"lang\":\"fr\"};\n".to_vec()));
        shared.publish(Arc::new(files), "");
        let after = String::from_utf8(script(&shared)).unwrap();
        assert_eq!(after, format!("window.stagebookStrings = {{\"lang\":\"fr\"}};\n{SCRIPT}"));
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let out = inject_script(b"<html><body><p>x</p></BODY></html>");
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<p>x</p><script src=\"/__stagebook/livereload.js\"></script></BODY>"), "{out}");
    }
}
