//! Numbers and money in the handbook's language, end to end: the server's figures (cost facts,
//! chart), the page's `data-locale`, the calculator's sums made in the browser with `Intl`, and
//! Chromium's `Intl` against node's over the grid that src/numbers checks node against.

mod common;

use std::path::Path;
use std::process::Command;

use common::browser::Browser;
use common::{file_url, text_of, Book};
use serde_json::Value;

/// The French fixture with `language` and the matrix currency replaced.
fn book_in(language: &str, currency: &str) -> Book {
    let book = Book::fixture("matrix-generic");
    let config = book.read("book.toml").replace("language = \"fr\"", &format!("language = \"{language}\""));
    book.write("book.toml", config);
    let matrix = book.read("content/matrix.toml").replace("currency = \"EUR\"", &format!("currency = \"{currency}\""));
    book.write("content/matrix.toml", matrix);
    book.build_ok();
    book
}

/// The text of the `n`th `<dd>` of the first cost facts list on a page (0 build, 1 duration,
/// 2 monthly).
fn fact(page: &str, n: usize) -> String {
    let facts = &page[page.find("<dl class=\"cost-facts\">").expect("cost facts")..];
    let dd = facts.split("<dd>").nth(n + 1).expect("dd");
    text_of(&dd[..dd.find("</dd>").unwrap()])
}

#[test]
fn pages_name_the_locale_they_fell_back_to_and_write_money_in_it() {
    for (language, locale, build) in [
        ("fr", "fr", "80\u{202f}000\u{a0}€–200\u{202f}000\u{a0}€"),
        ("pt-BR", "pt", "€\u{a0}80.000–€\u{a0}200.000"),
        ("ar", "ar-u-nu-latn", "\u{200f}80,000\u{a0}€–\u{200f}200,000\u{a0}€"),
        // No conventions for Italian: English ones, and the browser is told so.
        ("it", "en", "€80,000–€200,000"),
    ] {
        let book = book_in(language, "EUR");
        let page = book.read("book/stages/serie-a/index.html");
        assert!(page.contains(&format!("lang=\"{language}\"")), "{language}");
        assert!(page.contains(&format!("data-locale=\"{locale}\"")), "{language}");
        assert_eq!(fact(&page, 0), build, "{language}");
    }
}

/// The calculator adds up in the browser; for one stage its sum must read exactly like the
/// figure the server wrote on that stage's page, in every language and currency display.
#[test]
fn calculator_sums_read_like_the_server_figures() {
    let Some(browser) = Browser::launch() else { return };
    for (language, currency) in
        [("fr", "USD"), ("de-CH", "CHF"), ("es", "KRW"), ("ar", "usd"), ("ja", "JPY"), ("it", "EUR")]
    {
        let book = book_in(language, currency);
        let tab = browser.new_tab();
        tab.goto(&file_url(&book.path("book/stages/index.html")));
        for stage in ["seed", "serie-a"] {
            let page = book.read(&format!("book/stages/{stage}/index.html"));
            tab.select("#sb-calc-from", stage).select("#sb-calc-to", stage);
            let got = |id: &str| tab.eval(&format!("document.getElementById('{id}').textContent"));
            assert_eq!(got("sb-calc-build"), Value::String(fact(&page, 0)), "{language} {currency} {stage}");
            if stage == "seed" {
                assert_eq!(got("sb-calc-duration"), Value::String(fact(&page, 1)), "{language} {stage}");
            } else {
                // A monthly figure is a least, in the language's words around the same figure.
                let from = tab.eval(&format!("stagebookT('calc_from', {{range: {}}})", Value::String(fact(&page, 2))));
                assert_eq!(got("sb-calc-monthly"), from, "{language}");
            }
        }
        tab.close();
    }
}

/// What `tests/support/numbers_grid.js` prints under node: the rows src/numbers is checked against.
fn node_grid() -> Option<Value> {
    let node = std::env::var("NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "node".into());
    let grid = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/numbers_grid.js");
    let out = match Command::new(&node).arg(&grid).output() {
        Ok(out) => out,
        Err(_) if !common::in_ci() => {
            eprintln!("skipping: no node found (set NODE=/path/to/node)");
            return None;
        }
        Err(e) => panic!("CI is set but node did not run: {e}"),
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("JSON"))
}

/// Readers see Chromium's `Intl`, the tests check node's: both must print the grid alike
/// through the theme's own static/numbers.js.
#[test]
fn chromium_intl_agrees_with_node_on_the_grid() {
    let Some(browser) = Browser::launch() else { return };
    let Some(node) = node_grid() else { return };
    let book = Book::fixture("matrix-generic");
    book.build_ok();
    let tab = browser.new_tab();
    tab.goto(&file_url(&book.path("book/stages/index.html")));
    let grid = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/numbers_grid.js"))
        .expect("grid script");
    let rows = tab.eval(&format!(
        "(function () {{ var module; {grid}\n return JSON.stringify(stagebookNumbersGrid(window.stagebookNumbers.make)); }})()"
    ));
    let rows: Value = serde_json::from_str(rows.as_str().expect("a JSON string")).expect("JSON");
    let (ours, theirs) = (rows.as_array().unwrap(), node["rows"].as_array().unwrap());
    assert!(ours.len() > 3000, "{}", ours.len());
    assert_eq!(ours.len(), theirs.len());
    let wrong: Vec<String> =
        ours.iter().zip(theirs).filter(|(a, b)| a != b).map(|(a, b)| format!("Chromium {a}\nnode     {b}")).collect();
    assert!(wrong.is_empty(), "node ICU {}: {} rows differ:\n{}", node["icu"], wrong.len(), wrong.join("\n"));
}
