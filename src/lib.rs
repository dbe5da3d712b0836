//! stagebook: a static site generator for engineering playbooks.
//!
//! The pipeline lives in [`build`]: it reads `book.toml` ([`config`]), loads the theme
//! ([`theme`], [`render`]), loads and checks the pages ([`content`], [`markdown`],
//! [`highlight`]), renders each page's template ([`context`]) and writes the site
//! ([`output`]) — swapping it in only when everything succeeded.

pub mod build;
pub mod config;
pub mod content;
pub mod context;
pub mod diagnostics;
pub mod highlight;
pub mod init;
pub mod markdown;
pub mod matrix;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod sitemap;
pub mod slug;
pub mod theme;
pub(crate) mod url;

#[cfg(test)]
mod properties;
