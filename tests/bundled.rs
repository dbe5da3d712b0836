//! The handbook that ships in content/ builds cleanly.

mod common;
use common::Book;

#[test]
fn bundled_handbook_builds_with_no_warnings_and_no_broken_links() {
    let book = Book::bundled();
    let run = book.build();
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "warnings or errors: {}", run.stderr);
    let pages = book.snapshot("book").into_iter().filter(|(p, _)| p.ends_with(".html")).count();
    assert!(pages > 25, "only {pages} pages");
    let home = book.read("book/index.html");
    for stage in ["POC", "MVP", "10k", "100k", "1M+"] {
        assert!(home.contains(stage), "home page mentions {stage}");
    }
}
