//! What a failing build prints: capped per file, clipped excerpts, paths from where the
//! command ran, every book.toml error at once, and warnings even when errors stop the build.

mod common;
use common::Book;

/// One line holding `n` links to pages that do not exist.
fn broken_line(n: usize) -> String {
    (0..n).map(|i| format!("[l{i}](gone-{i}.md)")).collect::<Vec<_>>().join(" ")
}

#[test]
fn thousands_of_errors_on_one_line_print_fifty_then_a_count() {
    let book = Book::fixture("diagnostics");
    book.write("content/p.md", format!("# P\n\n{}\n", broken_line(4000)));
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let shown = run.stderr.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(shown, 50, "{}", &run.stderr[..2000.min(run.stderr.len())]);
    assert!(run.stderr.contains("… and 3,950 more in content/p.md\n"), "{}", run.stderr);
    assert!(run.stderr.contains("4000 errors found; nothing was written"), "{}", run.stderr);
    // Excerpts are clipped around the column, so the output stays small.
    let longest = run.stderr.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 140, "a line of {longest} characters");
    assert!(run.stderr.len() < 40_000, "{} bytes printed", run.stderr.len());
    // Each caret still points at the start of a link, though far along the line.
    let lines: Vec<&str> = run.stderr.lines().collect();
    let mut checked = 0;
    for pair in lines.windows(2) {
        let (Some((num, text)), Some((_, caret))) = (pair[0].split_once(" | "), pair[1].split_once(" | ")) else {
            continue;
        };
        if num.trim().parse::<usize>().is_ok() && caret.trim_start() == "^" && text.contains("gone-") {
            let at = caret.len() - 1;
            assert_eq!(text.chars().nth(at), Some('['), "caret at {at} in {text}");
            checked += 1;
        }
    }
    assert_eq!(checked, 50);
}

#[test]
fn paths_are_shown_from_where_the_command_ran() {
    let outer = tempfile::tempdir().unwrap();
    let book = Book::fixture("diagnostics");
    let nested = outer.path().join("a3/x");
    std::fs::create_dir_all(outer.path().join("a3")).unwrap();
    common::copy_dir(book.dir.path(), &nested);
    std::fs::write(
        nested.join("book.toml"),
        "[book]\ntitle = 3\nauthors = \"me\"\n[markdown]\nsmart_punctuation = \"yes\"\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["build", "a3/x"])
        .current_dir(outer.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    // Three wrong types, three errors, each under the folder given on the command line.
    for place in ["a3/x/book.toml:2:9: error:", "a3/x/book.toml:3:11: error:", "a3/x/book.toml:5:21: error:"] {
        assert!(stderr.contains(place), "{place} missing from:\n{stderr}");
    }
    assert!(stderr.contains("3 errors found"), "{stderr}");

    // Page errors too.
    std::fs::write(nested.join("book.toml"), "[book]\ntitle = \"x\"\n").unwrap();
    std::fs::write(nested.join("content/p.md"), "# P\n\n[gone](gone.md)\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["check", "a3/x"])
        .current_dir(outer.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a3/x/content/p.md:3:1: error:"), "{stderr}");
}

#[test]
fn warnings_are_printed_when_page_errors_stop_the_build() {
    let book = Book::fixture("diagnostics");
    book.write("content/p.md", "# P\n\n[gone](gone.md)\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("content/_index.md:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: image has no alt text"), "{}", run.stderr);
    assert!(run.stderr.contains("content/p.md:3:1: error:"), "{}", run.stderr);
}

#[test]
fn warnings_are_printed_when_the_matrix_or_templates_fail() {
    let book = Book::fixture("diagnostics");
    book.write("content/matrix.toml", "[[stage]]\nid = 3\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("content/matrix.toml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: image has no alt text"), "{}", run.stderr);

    let book = Book::fixture("diagnostics");
    book.write("book.toml", "[book]\ntitle = \"x\"\n[theme]\nname = \"mine\"\n");
    book.write("themes/mine/templates/page.html", "{% if %}\n");
    let run = book.build();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("themes/mine/templates/page.html"), "{}", run.stderr);
    assert!(run.stderr.contains("warning: image has no alt text"), "{}", run.stderr);
}

#[test]
fn a_negative_cost_is_an_error_at_the_value() {
    let book = Book::fixture("matrix-generic");
    let matrix = book.read("content/matrix.toml");
    let line = matrix.lines().position(|l| l.starts_with("weeks = [2, 6]")).unwrap() + 1;
    book.write("content/matrix.toml", matrix.replacen("weeks = [2, 6]", "weeks = [-9223372036854775808, 6]", 1));
    let run = book.build();
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let place = format!("content/matrix.toml:{line}:10: error: cost.weeks: -9223372036854775808 is negative");
    assert!(run.stderr.contains(&place), "{place} missing from:\n{}", run.stderr);
}

/// Links and embeds are checked after the page text is dropped (only their places are kept):
/// the position and quoted line must still be those of the file, with CRLF, tabs, accents and
/// a long line clipped around the link.
#[test]
fn problems_found_after_parsing_quote_the_line_as_the_file_has_it() {
    let book = Book::fixture("matrix-generic");
    let long = format!("{} [y](../stages/serie-a/#nowhere) {}", "é".repeat(200), "z".repeat(200));
    let cases = [
        (
            // checked against the other pages' headings
            "# Late\r\n\r\nété\t[x](_index.md#gone) ü\r\n".to_string(),
            "content/guide/late.md:3:5: error: link `_index.md#gone`: no heading with id `gone` in `guide/_index.md` \
             (its headings: départ)\n  |\n3 | été [x](_index.md#gone) ü\n  |     ^\n"
                .to_string(),
        ),
        (
            // checked against the ids the generated pages render
            format!("# Late\r\n\r\nété\tü\r\n{long}\r\n"),
            format!(
                "content/guide/late.md:4:202: error: link `../stages/serie-a/#nowhere`: the generated page \
                 `stages/serie-a/` has no element with id `nowhere`\n  |\n4 | ...{} [y](../stages/serie-a/#nowhere) {}...\n  | {}^\n",
                "é".repeat(59),
                "z".repeat(28),
                " ".repeat(63)
            ),
        ),
        (
            // checked against the matrix
            "# Late\r\n\r\nété\tü\r\n\r\n{{ matrix(category=\"nope\") }}\r\n".to_string(),
            "content/guide/late.md:5:1: error: unknown category `nope` (categories: `ops`, `produit`)\n  |\n\
             5 | {{ matrix(category=\"nope\") }}\n  | ^\n"
                .to_string(),
        ),
    ];
    for (text, expected) in cases {
        book.write("content/guide/late.md", text);
        let run = book.build();
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(run.stderr.contains(&expected), "expected\n{expected}\ngot\n{}", run.stderr);
    }
}
