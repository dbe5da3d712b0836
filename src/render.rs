//! The Tera environment: the theme's templates, compiled once, and rendering with errors that
//! name the template file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::diagnostics::Diagnostic;
use crate::i18n::{template::Lookup, Translations};
use crate::theme::Theme;

/// Compiled templates, ready to render any number of pages in parallel.
pub(crate) struct Renderer {
    tera: tera::Tera,
    /// Template name -> (path shown in messages, source text).
    sources: BTreeMap<String, (PathBuf, String)>,
}

impl Renderer {
    /// Templates with the built-in English strings (for tests).
    #[cfg(test)]
    pub(crate) fn new(theme: &Theme) -> Result<Renderer, Vec<Diagnostic>> {
        Renderer::with_strings(theme, std::sync::Arc::new(Translations::english()))
    }

    /// Templates whose `t(key=...)` reads `strings`.
    pub(crate) fn with_strings(
        theme: &Theme,
        strings: std::sync::Arc<Translations>,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        let mut sources = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, file) in &theme.templates {
            match file.source.read().map(|b| String::from_utf8(b.into_owned())) {
                Ok(Ok(text)) => {
                    sources.insert(name.clone(), (file.shown.clone(), text));
                }
                Ok(Err(_)) => errors.push(Diagnostic::error(file.shown.clone(), "template is not valid UTF-8")),
                Err(e) => errors.push(Diagnostic::error(file.shown.clone(), format!("cannot read template: {e}"))),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        // Tera's default also escapes `/`, which is safe but turns every URL into `&#x2F;` soup.
        tera.set_escape_fn(crate::html::escape_html);
        tera.register_function("t", Lookup::new(strings));
        // The same escaping as printed values get, for HTML a template builds to pass to `t`.
        tera.register_filter("html", |v: &tera::Value, _: &HashMap<String, tera::Value>| {
            Ok(tera::Value::String(crate::html::escape_html(v.as_str().unwrap_or_default())))
        });
        let all: Vec<(&str, &str)> = sources.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        if let Err(e) = tera.add_raw_templates(all) {
            return Err(vec![template_error(&sources, None, &e)]);
        }
        Ok(Renderer { tera, sources })
    }

    /// Template `name`'s source text, if the theme has it.
    pub(crate) fn source(&self, name: &str) -> Option<&str> {
        self.sources.get(name).map(|(_, text)| text.as_str())
    }

    pub(crate) fn has_template(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    pub(crate) fn template_names(&self) -> Vec<&str> {
        self.sources.keys().map(String::as_str).collect()
    }

    /// Every template, by name, with its source text: what a page rendered with them
    /// depends on (the build's render keys digest them).
    pub(crate) fn templates(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.iter().map(|(name, (_, text))| (name.as_str(), text.as_str()))
    }

    /// Renders `template` with `context`.
    pub(crate) fn render(&self, template: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.render_sized(template, context, 0)
    }

    /// [`Renderer::render`] into a buffer of `capacity` bytes to start with: a page is mostly
    /// its content and sidebar, known beforehand, and Tera's small first buffer would be
    /// copied over again as it doubles.
    pub(crate) fn render_sized(
        &self,
        template: &str,
        context: &tera::Context,
        capacity: usize,
    ) -> Result<String, Diagnostic> {
        let mut out = Vec::with_capacity(capacity.max(2048));
        let fail = |e: tera::Error| template_error(&self.sources, Some(template), &e);
        self.tera.render_to(template, context, &mut out).map_err(fail)?;
        String::from_utf8(out).map_err(|e| fail(tera::Error::utf8_conversion_error(e, "rendered page".into())))
    }
}

/// Turns a Tera error into a diagnostic at the template file, with a line when one is known.
fn template_error(
    sources: &BTreeMap<String, (PathBuf, String)>,
    rendering: Option<&str>,
    error: &tera::Error,
) -> Diagnostic {
    let mut chain = vec![error.to_string()];
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        chain.push(c.to_string());
        cause = c.source();
    }
    let full = chain.join("\n");
    // Which template: a quoted name Tera mentions, else the one being rendered.
    let named =
        sources.keys().find(|n| full.contains(&format!("'{n}'")) || full.contains(&format!("\"{n}\""))).cloned();
    let name = named.or_else(|| rendering.map(str::to_string));
    let message = chain
        .iter()
        .rev()
        .find(|m| !m.starts_with("Failed to render") && !m.starts_with("Failed to parse"))
        .cloned()
        .unwrap_or_else(|| full.clone());
    let message = message.lines().filter(|l| !l.trim().is_empty()).map(str::trim).collect::<Vec<_>>().join(" ");
    let Some((path, text)) = name.as_ref().and_then(|n| sources.get(n)) else {
        return Diagnostic::error("themes", format!("template error: {message}"));
    };
    // Parse errors carry "--> line:col"; for render errors, point at the first use of the
    // variable or filter Tera names.
    if let Some((line, col)) = arrow_position(&full) {
        let excerpt = text.lines().nth(line.saturating_sub(1)).map(str::to_string);
        // Tera repeats the source excerpt in its message; keep only the explanation after `= `.
        let message = message.rsplit(" = ").next().unwrap_or(&message);
        let mut d = Diagnostic::at_line(path.clone(), line, col, format!("template syntax error: {message}"));
        d.excerpt = excerpt.map(|l| crate::diagnostics::Excerpt::at_column(&l, col));
        return d;
    }
    // Tera quotes the culprit as `name` or 'name' (template names are quoted the same way).
    let mentioned = ['`', '\'']
        .iter()
        .flat_map(|q| full.split(*q).skip(1).step_by(2))
        .find(|w| !w.is_empty() && !w.contains(char::is_whitespace) && !sources.contains_key(*w))
        .map(str::to_string);
    let found = mentioned.and_then(|word| {
        // Search the template being rendered and the ones it extends or includes.
        std::iter::once(name.clone().unwrap_or_default())
            .chain(sources.keys().cloned())
            .filter_map(|n| sources.get(&n))
            .find_map(|(p, t)| t.find(&word).map(|off| (p.clone(), t.clone(), off)))
    });
    match found {
        Some((p, t, off)) => Diagnostic::at(p, &t, off, format!("template error: {message}")),
        None => Diagnostic::error(path.clone(), format!("template error: {message}")),
    }
}

fn arrow_position(text: &str) -> Option<(usize, usize)> {
    let rest = &text[text.find("--> ")? + 4..];
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(rest.len());
    let (line, col) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::{Source, ThemeFile};

    fn theme(files: &[(&str, &'static str)]) -> Theme {
        let mut t = Theme::default();
        for (name, text) in files {
            t.templates.insert(
                name.to_string(),
                ThemeFile {
                    source: Source::BuiltIn(text.as_bytes()),
                    shown: PathBuf::from(format!("themes/x/templates/{name}")),
                },
            );
        }
        t
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let e = Renderer::new(&theme(&[("page.html", "ok\n{{ page.title | }}\n")])).err().unwrap();
        assert_eq!(e[0].path, PathBuf::from("themes/x/templates/page.html"));
        assert_eq!(e[0].position.map(|p| p.0), Some(2));
    }

    #[test]
    fn render_errors_point_at_the_variable() {
        let r = Renderer::new(&theme(&[("page.html", "<p>\n{{ nope.deep }}\n")])).unwrap();
        let e = r.render("page.html", &tera::Context::new()).unwrap_err();
        assert_eq!(e.path, PathBuf::from("themes/x/templates/page.html"));
        assert_eq!(e.position, Some((2, 4)), "{e}");
    }

    #[test]
    fn output_is_escaped() {
        let r = Renderer::new(&theme(&[("page.html", "{{ t }}")])).unwrap();
        let mut c = tera::Context::new();
        c.insert("t", "<script>");
        assert_eq!(r.render("page.html", &c).unwrap(), "&lt;script&gt;");
    }
}
