//! stagebook: a static site generator for engineering playbooks.
//!
//! The pipeline lives in [`build`]: it reads `book.toml` (`config`), loads the theme
//! (`theme`, `render`), loads and checks the pages (`content`, `markdown`, `highlight`,
//! `words`), renders each page's template (`context`) and writes the site ([`output`]),
//! swapping it in only when everything succeeded. Modules are layered (`layers.rs`, the
//! README's Architecture section) and crate-private unless `main.rs` or the tests need them.

mod abspath;
pub mod build;
mod cache;
mod chunks;
mod config;
mod content;
mod context;
pub mod diagnostics;
mod highlight;
mod highlight_memo;
mod html;
mod i18n;
pub mod init;
mod lang;
#[cfg(test)]
mod layers;
mod markdown;
pub mod matrix;
mod numbers;
pub mod output;
mod parse_memo;
mod redirects;
mod render;
mod search;
pub mod serve;
mod sitemap;
mod slug;
mod theme;
mod timings;
mod url;
mod varint;
mod words;

#[cfg(test)]
mod properties;
