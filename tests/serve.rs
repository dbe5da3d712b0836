//! `stagebook serve` end to end: a real server on an ephemeral port in a temp copy of a
//! fixture book, driven over plain TCP.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::serve::{Preview, DEFAULT_WAIT as WAIT};
use common::Book;

#[test]
fn serves_pages_and_reloads_with_new_content_after_an_edit() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let page = serve.get("/guide/setup/");
    assert_eq!(page.status, 200);
    assert!(page.head.contains("Content-Type: text/html; charset=utf-8"), "{}", page.head);
    assert!(page.body.contains("<title>Setup"));
    assert!(
        page.body.contains("<script src=\"/__stagebook/livereload.js\"></script></body>"),
        "reload script injected"
    );
    let css = serve.get("/static/style.css");
    assert!(css.head.contains("Content-Type: text/css"), "{}", css.head);
    assert!(!css.body.contains("livereload"));
    assert_eq!(serve.get("/guide").status, 301);
    let missing = serve.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found") || missing.body.contains("not found"), "the book's 404 page");
    // Nothing was written to disk.
    assert!(!book.exists("book"));

    let mut events = serve.events();
    let text = book.read("content/guide/setup.md").replace("Run the installer.", "Run the NEW installer.");
    book.write("content/guide/setup.md", text);
    let (event, data) = events.next(WAIT).expect("an event after the edit");
    assert_eq!(event, "reload", "{data}");
    assert!(data.contains("\"rebuilt\":\"1 page\""), "only the edited page: {data}");
    assert!(serve.get("/guide/setup/").body.contains("Run the NEW installer."));
}

#[test]
fn a_template_edit_changes_every_page() {
    let book = Book::fixture("themed");
    let serve = Preview::start(&book);
    let mut events = serve.events();
    book.write(
        "themes/house/templates/base.html",
        "<!DOCTYPE html><html><head><title>{{ page.title }}</title></head><body>HOUSE-BASE {% block content %}{% endblock content %}</body></html>",
    );
    let (event, _) = events.next(WAIT).expect("reload after the template edit");
    assert_eq!(event, "reload");
    for page in ["/", "/page/", "/404.html"] {
        assert!(serve.get(page).body.contains("HOUSE-BASE"), "{page} uses the new base template");
    }
}

#[test]
fn the_error_overlay_shows_fifty_errors_per_file_then_a_count() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let mut events = serve.events();
    let line: Vec<String> = (0..4000).map(|i| format!("[l{i}](gone-{i}.md)")).collect();
    book.write("content/p.md", format!("# P\n\n{}\n", line.join(" ")));
    let (event, data) = events.next(WAIT).expect("errors event");
    assert_eq!(event, "errors");
    assert_eq!(data.matches(": error: link").count(), 50, "{}", &data[..2000.min(data.len())]);
    assert!(data.contains("… and 3,950 more in content/p.md"), "{}", &data[data.len().saturating_sub(2000)..]);
    assert!(data.len() < 40_000, "{} bytes sent", data.len());
}

#[test]
fn a_broken_page_shows_errors_while_the_old_site_stays_up_until_fixed() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let mut events = serve.events();
    let good = book.read("content/guide/setup.md");
    book.write("content/guide/setup.md", "+++\ntitle = \"Setup\"\nweight = \"ten\"\n+++\nBroken.\n");
    let (event, data) = events.next(WAIT).expect("errors event");
    assert_eq!(event, "errors");
    assert!(data.contains("content/guide/setup.md:3:10: error: front matter:"), "{data}");
    let page = serve.get("/guide/setup/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Run the installer.") && !page.body.contains("Broken."), "the last good page is served");
    // A new tab learns about the errors as soon as it connects.
    let mut late = serve.events();
    assert!(late.hello.contains("errors"), "{}", late.hello);
    book.write("content/guide/setup.md", good.replace("Run the installer.", "Fixed."));
    assert_eq!(events.next(WAIT).expect("reload after the fix").0, "reload");
    assert_eq!(late.next(WAIT).expect("reload on the late tab").0, "reload");
    assert!(serve.get("/guide/setup/").body.contains("Fixed."));
}

#[test]
fn requests_can_never_read_outside_the_site() {
    let book = Book::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), book.path("content/secret.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), book.path("content/linked-dir")).unwrap();
    let serve = Preview::start(&book);
    for target in [
        "/../book.toml",
        "/guide/../../book.toml",
        "/%2e%2e/book.toml",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/guide%2f..%2f..%2fbook.toml",
        "/..%5cbook.toml",
        "/..\\book.toml",
        "/index.html%00.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/book.toml",
        "/content/about.md",
        "/secret.txt",
        "/linked-dir/secret.txt",
    ] {
        let reply = serve.get(target);
        assert!(reply.status == 400 || reply.status == 404, "{target}: {}", reply.status);
        assert!(
            !reply.body.contains("[book]") && !reply.body.contains("TOP-SECRET") && !reply.body.contains("root:"),
            "{target} leaked"
        );
    }
    // Other methods are refused; HEAD has headers and no body.
    let post = serve.raw("POST", "/");
    assert_eq!(post.status, 405);
    assert!(post.head.contains("Allow: GET, HEAD"));
    let head = serve.raw("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[test]
fn saving_by_rename_triggers_exactly_one_rebuild() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let mut events = serve.events();
    let from = serve.lines().len();
    let text = book.read("content/guide/deploy.md").replace("Roll back", "Roll BACK");
    // What many editors do: write a temporary file next to it, then rename it over the original.
    book.write("content/guide/.deploy.md.tmp1234", text);
    std::fs::rename(book.path("content/guide/.deploy.md.tmp1234"), book.path("content/guide/deploy.md")).unwrap();
    assert_eq!(events.next(WAIT).expect("reload").0, "reload");
    // The "Rebuilt" line is printed after the reload event and read through a pipe: wait for
    // it, then for 600 ms without another line.
    let rebuilt = serve.rebuilds_after(from, Duration::from_millis(600));
    assert_eq!(rebuilt.len(), 1, "{:?}", serve.lines());
    assert!(events.next(Duration::from_millis(300)).is_none(), "no second reload");
    assert!(serve.get("/guide/deploy/").body.contains("Roll BACK"));
}

#[test]
fn a_burst_of_changes_is_one_rebuild_and_many_streams_do_not_exhaust_the_server() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let before = serve.rebuilds();
    for i in 0..200 {
        book.write(&format!("content/burst/page-{i}.md"), format!("# Burst {i}\n"));
    }
    serve
        .wait_for(0, |l| l.starts_with("Rebuilt 209 pages"))
        .unwrap_or_else(|| panic!("the burst is built: {:?}", serve.lines()));
    std::thread::sleep(Duration::from_millis(500));
    let rebuilds = serve.rebuilds() - before;
    assert!(rebuilds <= 2, "{rebuilds} rebuilds for one burst: {:?}", serve.lines());
    assert_eq!(serve.get("/burst/page-199/").status, 200);

    // Open (and hold) more event streams than the server allows.
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..80 {
        let mut s = TcpStream::connect(serve.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET /__stagebook/events HTTP/1.1\r\nHost: {}\r\n\r\n", serve.addr).unwrap();
        let mut first = [0u8; 12];
        s.read_exact(&mut first).unwrap();
        if first.starts_with(b"HTTP/1.1 503") {
            refused += 1;
        }
        held.push(s);
    }
    assert!(refused >= 16, "streams beyond the limit are refused ({refused})");
    assert_eq!(serve.get("/").status, 200, "pages are still served");
    // Clients that disconnect free their slots.
    held.clear();
    std::thread::sleep(Duration::from_millis(300));
    book.write("content/about.md", "# About again\n");
    serve.wait_for(0, |l| l.contains("about.md")).expect("rebuilt after the clients left");
    let _fresh = serve.events();
}

#[test]
fn a_folder_deleted_and_created_again_is_still_watched() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let mut events = serve.events();
    let saved = book.read("content/guide/deploy.md");
    std::fs::remove_dir_all(book.path("content/guide")).unwrap();
    // Links into the deleted folder break the build: errors, old site still served.
    assert_eq!(events.next(WAIT).expect("event after deleting").0, "errors");
    assert_eq!(serve.get("/guide/deploy/").status, 200);
    book.write("content/guide/setup.md", "+++\ntitle = \"Setup\"\n+++\n## Install steps\n\n## Install steps\n");
    book.write("content/guide/deploy.md", &saved);
    book.write("content/guide/advanced/_index.md", "# Advanced\n");
    loop {
        let (event, data) = events.next(WAIT).expect("event after recreating");
        if event == "reload" {
            break;
        }
        assert_eq!(event, "errors", "{data}");
    }
    book.write("content/guide/deploy.md", saved.replace("Roll back", "Roll back AGAIN"));
    assert_eq!(events.next(WAIT).expect("reload after editing the new folder").0, "reload");
    assert!(serve.get("/guide/deploy/").body.contains("Roll back AGAIN"));
}

#[test]
fn the_search_index_follows_page_edits() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    assert!(!serve.get("/search/d/0.js").body.contains("zanzibar"));
    let mut events = serve.events();
    let text = book.read("content/guide/deploy.md") + "\nShips to zanzibar too.\n";
    book.write("content/guide/deploy.md", text);
    assert_eq!(events.next(WAIT).expect("reload").0, "reload");
    serve.wait_for(0, |l| l.starts_with("Updated the search index")).expect("index updated after the edits settle");
    assert!(serve.get("/search/d/0.js").body.contains("zanzibar"));
    assert!(serve.get("/search/").body.contains("id=\"sb-sp-results\""), "the search page is served");
}
