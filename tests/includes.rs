//! mdBook's `{{#include}}` family, hidden Rust lines, console sessions and the extended syntax
//! set, over the `mdbook-includes` fixture (and a broken twin): what the built pages hold, the
//! errors' `path:line:col`, and `serve` re-reading a page when a file it includes changes.

mod common;

use std::time::Duration;

use common::serve::Preview;
use common::{text_of, Book};

/// The HTML inside `<main>` of a built page.
fn main_of(book: &Book, rel: &str) -> String {
    let html = book.read(rel);
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page closes <main>");
    html[start..end].to_string()
}

/// The text of the code blocks of `html`, in order (tags dropped, entities decoded).
fn code_texts(html: &str) -> Vec<String> {
    html.split("<code class=\"language-")
        .skip(1)
        .map(|part| text_of(&part[part.find('>').unwrap() + 1..part.find("</code>").unwrap()]))
        .collect()
}

#[test]
fn include_directives_expand_as_in_mdbook() {
    let book = Book::fixture("mdbook-includes");
    book.build_ok();
    let main = main_of(&book, "book/chapter/index.html");
    let codes = code_texts(&main);
    let greet = "fn greet(name: &str) -> String {\n    format!(\"Hello, {name}!\")\n}\n";
    assert_eq!(
        codes,
        vec![
            "alpha\nbravo\ncharlie\ndelta\necho\n".to_string(),
            format!("use std::fmt;\n\n{greet}\nfn main() {{\n    println!(\"{{}}\", greet(\"reader\"));\n}}\n"),
            "bravo\ncharlie\n".to_string(),
            "delta\necho\n".to_string(),
            "alpha\nbravo\n".to_string(),
            "charlie\n".to_string(),
            greet.to_string(),
            // In a list item: the indentation before the directive continues every line.
            "alpha\nbravo\n".to_string(),
        ]
    );
    // An escape prints the directive; a markdown fragment becomes part of the page, its
    // links resolved from the including page; includes nest.
    assert!(main.contains("The escape prints the directive: {{#include ../listings/lines.txt}}"), "{main}");
    assert!(main.contains("<strong>Note:</strong> this paragraph lives in"), "{main}");
    assert!(main.contains("<a href=\"../index.html\">link home</a>"), "{main}");
    assert!(main.contains("Nested: Outer fragment, then the inner one: inner text"), "{main}");
    assert!(!main.contains("ANCHOR"), "{main}");
    // `{{#title}}` names the page and leaves nothing behind.
    let html = book.read("book/chapter/index.html");
    assert!(html.contains("<title>Custom chapter title · Include Fixture</title>"), "{html}");
    assert!(!main.contains("#title"), "{main}");
    // Files under listings/ are read, never published.
    assert!(!book.exists("book/listings"));
}

#[test]
fn rustdoc_include_and_playground_hide_and_wrap_lines() {
    let book = Book::fixture("mdbook-includes");
    book.build_ok();
    let main = main_of(&book, "book/code/index.html");
    let blocks: Vec<&str> = main.split("<pre").skip(1).collect();
    // rustdoc_include: the whole file, the lines outside the anchor hidden.
    let rustdoc = blocks[0];
    assert_eq!(
        code_texts(&format!("<pre{rustdoc}"))[0],
        "use std::fmt;\n\nfn greet(name: &str) -> String {\n    format!(\"Hello, {name}!\")\n}\n\nfn main() {\n    println!(\"{}\", greet(\"reader\"));\n}\n"
    );
    let hidden: Vec<String> =
        rustdoc.split("<span class=\"code-hidden\">").skip(1).map(|p| text_of(&p[..p.find('\n').unwrap()])).collect();
    assert_eq!(hidden, ["use std::fmt;", "", "", "fn main() {", "    println!(\"{}\", greet(\"reader\"));", "}"]);
    assert!(main.contains("<button type=\"button\" class=\"code-toggle\" aria-pressed=\"false\" hidden>Show hidden lines</button><pre class=\"code hl-code has-hidden\" tabindex=\"0\" data-lang=\"rust\">"), "{main}");
    // Hidden lines written by hand: `# ` hides, `#[derive]` does not, `##` is a `#`.
    let manual = code_texts(&format!("<pre{}", blocks[1]))[0].clone();
    assert_eq!(
        manual,
        "use std::collections::HashMap;\n#[derive(Debug)]\nstruct Shown;\n# a line that starts with one hash\n"
    );
    assert_eq!(blocks[1].matches("<span class=\"code-hidden\">").count(), 1, "{}", blocks[1]);
    // playground: a rust block of the file, its attributes kept (the language is `rust`).
    assert!(blocks[2].starts_with(" class=\"code hl-code\" tabindex=\"0\" data-lang=\"rust\">"), "{}", blocks[2]);
    assert_eq!(code_texts(&format!("<pre{}", blocks[2]))[0], "fn main() {\n    println!(\"played\");\n}\n");
    // The toggle's script is loaded on this page only, and shipped.
    assert!(book.read("book/code/index.html").contains("static/code.js"));
    assert!(!book.read("book/chapter/index.html").contains("static/code.js"));
    assert!(book.read("book/static/code.js").contains("code-toggle"));
    assert!(book.read("book/static/highlight.css").contains(".code-hidden { display: none; }"));
}

#[test]
fn console_prompts_are_unselectable_spans_and_output_is_marked() {
    let book = Book::fixture("mdbook-includes");
    book.build_ok();
    let main = main_of(&book, "book/code/index.html");
    let console = &main[main.find("data-lang=\"console\"").unwrap()..];
    let prompts: Vec<&str> =
        console.split("<span class=\"code-prompt\">").skip(1).map(|p| &p[..p.find("</span>").unwrap()]).collect();
    assert_eq!(prompts, ["$ ", "# ", "PS&gt; "]);
    assert!(console.contains("<span class=\"code-output\">   Compiling hello v0.1.0</span>"), "{console}");
    // The continued command line is a command, not output.
    assert!(!console.contains("code-output\">    --release"), "{console}");
    assert!(console.contains("<span class=\"hl-"), "the commands are highlighted as shell: {console}");
    let css = book.read("book/static/highlight.css");
    assert!(css.contains(".code-prompt { -webkit-user-select: none; user-select: none;"), "{css}");
}

#[test]
fn every_listed_fence_name_is_highlighted() {
    let book = Book::fixture("mdbook-includes");
    book.build_ok();
    let main = main_of(&book, "book/languages/index.html");
    let names = [
        "toml",
        "sh",
        "bash",
        "shell",
        "console",
        "shell-session",
        "dockerfile",
        "ts",
        "tsx",
        "typescript",
        "graphql",
        "hcl",
        "terraform",
        "tf",
        "yaml",
        "yml",
        "diff",
        "ini",
        "makefile",
        "make",
        "nginx",
        "proto",
        "protobuf",
    ];
    let mut seen = Vec::new();
    for block in main.split("<pre class=\"code hl-code\" tabindex=\"0\" data-lang=\"").skip(1) {
        let lang = &block[..block.find('"').unwrap()];
        let code = &block[..block.find("</code>").unwrap()];
        assert!(code.contains("<span class=\"hl-"), "`{lang}` is not highlighted: {code}");
        seen.push(lang.to_string());
    }
    assert_eq!(seen, names);
}

#[test]
fn broken_includes_are_errors_at_path_line_col() {
    let book = Book::fixture("mdbook-includes-broken");
    let run = book.build();
    assert!(!run.ok && run.code == Some(1), "{}\n{}", run.stdout, run.stderr);
    let err = &run.stderr;
    assert!(
        err.contains(
            "content/_index.md:4:1: error: cannot include `../listings/missing.rs`: no such file (looked for listings/missing.rs)"
        ),
        "{err}"
    );
    assert!(err.contains("content/_index.md:7:13: error: no anchor `absent` in `../listings/anchored.rs`"), "{err}");
    // The link after a three-line fragment is still placed on its own line of the file.
    assert!(err.contains("content/_index.md:11:21: error: link to missing page `nowhere.md`"), "{err}");
    assert!(err.contains("3 errors found; nothing was written"), "{err}");
    // A problem inside included text is reported at the directive, naming the file.
    assert!(
        err.contains(
            "content/_index.md:9:1: warning: image has no alt text: describe it for screen readers (`![what it shows](...)`) (in the text included from listings/frag.md)"
        ),
        "{err}"
    );
    assert!(!book.exists("book"));
}

#[test]
fn includes_from_outside_the_handbook_folder_are_errors() {
    // The handbook in dir/book, a secret beside it, and a symbolic link pointing at it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "do not publish").unwrap();
    let root = dir.path().join("book");
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("listings")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Outside\"\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("listings/link.txt")).unwrap();
    std::fs::write(
        root.join("content/_index.md"),
        "# Outside\n\n```text\n{{#include ../../secret.txt}}\n```\n\n{{#include ../listings/link.txt}}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["build", "book"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "book/content/_index.md:4:1: error: cannot include `../../secret.txt`: it is outside the handbook folder"
        ),
        "{err}"
    );
    assert!(err.contains("book/content/_index.md:7:1: error: cannot include `../listings/link.txt`: it is outside the handbook folder"), "{err}");
    assert!(!err.contains("do not publish"));
    assert!(!root.join("book").exists());
}

#[test]
fn serve_rebuilds_the_pages_that_include_an_edited_file() {
    let book = Book::fixture("mdbook-includes");
    let serve = Preview::launch(&book).wait(Duration::from_secs(30)).start();
    assert!(serve.get("/chapter/").body.contains("charlie"));
    let from = serve.lines().len();
    // listings/ is outside content/: it is watched because a page includes from it.
    book.write("listings/lines.txt", "alpha\nbravo\nCHANGED\ndelta\necho\n");
    let line = serve.wait_for(from, common::serve::is_rebuild).expect("a rebuild after editing an included file");
    assert!(line.starts_with("Rebuilt 1 page in ") && line.ends_with("(listings/lines.txt)"), "{line}");
    let body = serve.get("/chapter/").body;
    assert!(body.contains("CHANGED") && !body.contains("charlie"), "{body}");
    // A fragment included by the page, edited: the page shows the new text.
    let from = serve.lines().len();
    book.write("listings/nested/inner.txt", "inner text, edited\n");
    serve.wait_for(from, common::serve::is_rebuild).expect("a rebuild after editing a nested include");
    assert!(serve.get("/chapter/").body.contains("inner text, edited"));
}

#[test]
fn the_toggle_shows_hidden_lines_and_prompts_stay_out_of_a_selection() {
    let Some(browser) = common::browser::Browser::launch() else { return };
    let book = Book::fixture("mdbook-includes");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&common::file_url(&book.path("book/code/index.html")));
    let display = "getComputedStyle(document.querySelector('pre.has-hidden .code-hidden')).display";
    assert_eq!(tab.eval(display), "none");
    assert_eq!(tab.eval("document.querySelector('.code-toggle').hidden"), false, "code.js shows the button");
    tab.click(".code-toggle");
    assert_eq!(tab.eval(display), "inline");
    assert_eq!(tab.eval("document.querySelector('.code-toggle').getAttribute('aria-pressed')"), "true");
    // Selecting the whole console block copies commands and output, not the prompts.
    let selected = tab.eval(
        "(() => { const c = document.querySelector('code.language-console'); \
         getSelection().selectAllChildren(c); return getSelection().toString(); })()",
    );
    let selected = selected.as_str().unwrap_or_default().to_string();
    assert!(selected.starts_with("cargo run \\\n    --release\n   Compiling"), "{selected:?}");
    assert!(!selected.contains("$ ") && !selected.contains("PS>"), "{selected:?}");
    assert!(tab.console_errors().is_empty(), "{:?}", tab.console_errors());
}
