//! The interface in the book's language: translation tables (themes/<name>/i18n/<lang>.toml).

pub(crate) mod script;
