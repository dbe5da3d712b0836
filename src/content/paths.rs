//! Where each source file lands in the output, and relative links between output files.
//!
//! Every URL stagebook writes is relative to the page it appears on and names `index.html`
//! explicitly, so a built site works from `file://` and under any subpath of a host.

/// Why `name` (one file or folder name under content/) cannot be published, or `None`. A site
/// must deploy to Windows and macOS hosts and every name becomes a URL segment: `:` `\\` `*`
/// `?` `"` `<` `>` `|` and control characters are not allowed in Windows file names (and `:`
/// would read as a URL scheme), and Windows drops a trailing dot or space.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let why = "cannot be part of a file name on every host or of a portable URL; rename it";
    if let Some(c) =
        name.chars().find(|c| matches!(c, ':' | '\\' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control())
    {
        let shown = if c.is_control() { format!("the control character U+{:04X}", c as u32) } else { format!("`{c}`") };
        return Some(format!("the name contains {shown}, which {why}"));
    }
    match name.chars().next_back() {
        Some('.') => Some(format!("the name ends with a dot, which {why}")),
        Some(' ') => Some(format!("the name ends with a space, which {why}")),
        _ => None,
    }
}

/// Is this file name the page of its folder?
pub(crate) fn is_index_name(name: &str) -> bool {
    name == "_index.md" || name == "index.md" || name.eq_ignore_ascii_case("readme.md")
}

/// The folder part of a content-relative path ("" at the top).
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Output path of a folder's page: "guide" -> "guide/index.html", "" -> "index.html".
pub(crate) fn section_url(dir: &str) -> String {
    if dir.is_empty() {
        "index.html".to_string()
    } else {
        format!("{dir}/index.html")
    }
}

/// Output path of a markdown file: "guide/auth.md" -> "guide/auth/index.html";
/// an index file stands for its folder.
pub(crate) fn page_url(source: &str) -> String {
    let name = source.rsplit('/').next().unwrap_or(source);
    if is_index_name(name) {
        return section_url(parent_dir(source));
    }
    let stem = source.strip_suffix(".md").unwrap_or(source);
    format!("{stem}/index.html")
}

/// Output path of a markdown file whose front matter sets `slug`: the slug replaces the file's
/// name ("guide/setup.md", "install" -> "guide/install/index.html"). A folder's page keeps its
/// folder's URL.
pub(crate) fn slugged_url(source: &str, slug: Option<&str>) -> String {
    match slug {
        Some(slug) if !is_index_name(source.rsplit('/').next().unwrap_or(source)) => {
            let dir = parent_dir(source);
            if dir.is_empty() {
                format!("{slug}/index.html")
            } else {
                format!("{dir}/{slug}/index.html")
            }
        }
        _ => page_url(source),
    }
}

/// The output file a redirect from the URL path `written` goes in, for a page in the content
/// folder `base_dir`: `/old/` and `old` -> `old/index.html` (from the top, or from `base_dir`),
/// `ch01.html` -> `ch01.html`. Percent-escapes are decoded. `Err` says why the path cannot be
/// one: it leaves the site, names the home page, or has a segment that is not a portable file
/// name (a hidden one included).
pub(crate) fn redirect_path(base_dir: &str, written: &str) -> Result<String, String> {
    let decoded = percent_encoding::percent_decode_str(written)
        .decode_utf8()
        .map_err(|_| "its escapes (`%..`) are not UTF-8".to_string())?;
    if decoded.trim().is_empty() {
        return Err("it is empty".into());
    }
    if decoded.contains(['#', '?']) {
        return Err("it has a `#` or `?` part, which never reaches the server".into());
    }
    let Some(joined) = join(base_dir, &decoded) else {
        return Err("it climbs out of the site with `..`".into());
    };
    if joined.is_empty() {
        return Err("it is the home page".into());
    }
    for seg in joined.split('/') {
        if seg.starts_with('.') {
            return Err(format!("its part `{seg}` is hidden (starts with a dot)"));
        }
        if let Some(p) = name_problem(seg) {
            return Err(format!("its part `{seg}`: {p}"));
        }
    }
    let last = joined.rsplit('/').next().unwrap_or(&joined);
    let is_dir = decoded.ends_with('/') || !last.contains('.');
    if is_dir {
        return Ok(format!("{joined}/index.html"));
    }
    let lower = last.to_ascii_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") {
        Ok(joined)
    } else {
        Err("a redirect page is HTML: end the path with `/` or `.html`".into())
    }
}

/// "../../" for "a/b/index.html": the way from a page back to the site root.
pub(crate) fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// An href from the page at `from` to the output file `to` (both site-root relative).
pub(crate) fn relative_href(from: &str, to: &str) -> String {
    let (ups, rest) = relative_route(from, to);
    let mut href = String::with_capacity(3 * ups + to.len() - rest + 8);
    for _ in 0..ups {
        href.push_str("../");
    }
    href.push_str(&crate::url::encode_path(&to[rest..]));
    href
}

/// The way from the page at `from` to the file at `to`: how many `../` climb out of `from`'s
/// folders, and where in `to` the part to append starts (the leading folders both share are
/// dropped, `to`'s file name always kept). The same on raw paths as on paths percent-encoded
/// and HTML-escaped, which change no `/` and map each segment one to one: the sidebar walks
/// its once-prepared URLs with it ([`crate::context`]).
pub(crate) fn relative_route(from: &str, to: &str) -> (usize, usize) {
    relative_route_from(folders(from), to)
}

/// `path`'s folders: everything before its last `/`.
pub(crate) fn folders(path: &str) -> &str {
    &path[..path.bytes().rposition(|b| b == b'/').unwrap_or(0)]
}

/// [`relative_route`] from a page in the folders `from_dir` ([`folders`] of its path), for a
/// caller that makes many links from one page.
pub(crate) fn relative_route_from(from_dir: &str, to: &str) -> (usize, usize) {
    // Bytes, not `str` patterns: a `char` search per segment was a twentieth of a build.
    let (from_dir, to_bytes) = (from_dir.as_bytes(), to.as_bytes());
    if from_dir.is_empty() {
        return (0, 0);
    }
    // Folders shared from the top: `shared` bytes of `to`. A folder of `from` is shared when
    // `to` starts with the same bytes up to its end and has a `/` there: all of them, or those
    // ending before the first byte that differs.
    let same = common_prefix(from_dir, to_bytes);
    let shared = if same == from_dir.len() && to_bytes.get(same) == Some(&b'/') {
        same + 1
    } else {
        from_dir[..same].iter().rposition(|&b| b == b'/').map_or(0, |slash| slash + 1)
    };
    // One `../` for each folder of `from` past the shared ones.
    let ups = if shared <= from_dir.len() { from_dir[shared..].iter().filter(|&&b| b == b'/').count() + 1 } else { 0 };
    (ups, shared)
}

/// How many leading bytes `a` and `b` share, compared eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().expect("eight bytes"));
        let y = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        if x != y {
            return i + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + a[i..n].iter().zip(&b[i..n]).take_while(|(x, y)| x == y).count()
}

/// Resolves `link` (a path written in the page at content-relative `base_dir`) to a
/// content-relative path, handling `.` and `..`; `None` when it climbs out of the content folder.
/// A leading `/` means the content folder's top.
pub(crate) fn join(base_dir: &str, link: &str) -> Option<String> {
    // The segments joined by `/` as they are built, and how many there are: one string, no
    // list of segments (every link of every page comes through here).
    let mut out = String::with_capacity(base_dir.len() + link.len() + 1);
    let mut segments = 0;
    if !link.starts_with('/') && !base_dir.is_empty() {
        out.push_str(base_dir);
        segments = base_dir.matches('/').count() + 1;
    }
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments = usize::checked_sub(segments, 1)?;
                out.truncate(if segments == 0 { 0 } else { out.rfind('/').unwrap_or(0) });
            }
            s => {
                if segments > 0 {
                    out.push('/');
                }
                out.push_str(s);
                segments += 1;
            }
        }
    }
    Some(out)
}

/// Where a link that [`join`] found to climb out of the content folder points: how many
/// folders above the content folder, and the path from there (`("", "../std/index.html")` is
/// `(1, "std/index.html")`).
pub(crate) fn climb(base_dir: &str, link: &str) -> (usize, String) {
    let mut parts: Vec<&str> =
        if link.starts_with('/') || base_dir.is_empty() { Vec::new() } else { base_dir.split('/').collect() };
    let mut above = 0;
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    above += 1;
                }
            }
            s => parts.push(s),
        }
    }
    (above, parts.join("/"))
}

/// An href from the page at `from` to a place `above` folders over the site root, then down
/// `path` (see [`climb`]): it goes where the link went from its source file when the site root
/// stands where the content folder did, as mdBook books on one host link to each other.
pub(crate) fn href_above(from: &str, above: usize, path: &str) -> String {
    let mut href = root_prefix(from);
    href.push_str(&"../".repeat(above));
    href.push_str(&crate::url::encode_path(path));
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths() {
        assert_eq!(page_url("guide/auth.md"), "guide/auth/index.html");
        assert_eq!(page_url("guide/_index.md"), "guide/index.html");
        assert_eq!(page_url("guide/README.md"), "guide/index.html");
        assert_eq!(page_url("_index.md"), "index.html");
        assert_eq!(page_url("intro.md"), "intro/index.html");
    }

    #[test]
    fn relative_hrefs() {
        assert_eq!(relative_href("guide/auth/index.html", "guide/db/index.html"), "../db/index.html");
        assert_eq!(relative_href("index.html", "guide/index.html"), "guide/index.html");
        assert_eq!(relative_href("guide/auth/index.html", "index.html"), "../../index.html");
        assert_eq!(relative_href("guide/auth/index.html", "guide/auth/index.html"), "index.html");
        assert_eq!(relative_href("a/b/index.html", "a/img/x y.png"), "../img/x%20y.png");
        assert_eq!(relative_href("a/index.html", "a/b/index.html"), "b/index.html");
        assert_eq!(relative_href("index.html", "a:b/c d#/index.html"), "a%3Ab/c%20d%23/index.html");
    }

    /// The href read segment by segment with `str` splits: what the byte walk must equal.
    fn href_by_segments(from: &str, to: &str) -> String {
        let from_dir = from.rsplit_once('/').map_or("", |(dir, _)| dir);
        let from_parts: Vec<&str> = if from_dir.is_empty() { Vec::new() } else { from_dir.split('/').collect() };
        let to_parts: Vec<&str> = to.split('/').collect();
        let common = from_parts.iter().zip(&to_parts[..to_parts.len() - 1]).take_while(|(a, b)| a == b).count();
        let ups = "../".repeat(from_parts.len() - common);
        let rest: Vec<String> = to_parts[common..].iter().map(|p| crate::url::encode_segment(p).into_owned()).collect();
        format!("{ups}{}", rest.join("/"))
    }

    #[test]
    fn the_byte_walk_agrees_with_a_segment_by_segment_reading() {
        let parts = ["", "a", "b", "x y", "é:", "index.html"];
        let mut paths = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| parts.iter().map(move |s| if p.is_empty() { s.to_string() } else { format!("{p}/{s}") }))
                .collect();
            paths.extend(longer);
        }
        paths.extend(["/", "/a", "//a", "a/", "/a/index.html"].map(String::from));
        paths.sort();
        paths.dedup();
        for from in &paths {
            for to in &paths {
                assert_eq!(relative_href(from, to), href_by_segments(from, to), "from {from:?} to {to:?}");
            }
        }
    }

    #[test]
    fn common_prefixes_are_counted_across_word_boundaries() {
        for (a, b, n) in
            [("", "x", 0), ("abc", "abd", 2), ("abcdefghij", "abcdefghij", 10), ("abcdefghij", "abcdefgXij", 7)]
        {
            assert_eq!(common_prefix(a.as_bytes(), b.as_bytes()), n, "{a} {b}");
        }
        assert_eq!(common_prefix(b"abcdefghijklmnopq", b"abcdefghijklmnopQ"), 16);
        assert_eq!(common_prefix(b"abcdefghij", b"abcdefgh"), 8);
    }

    #[test]
    fn hrefs_climb_only_out_of_unshared_folders() {
        assert_eq!(relative_href("a/b/c/index.html", "a/x/index.html"), "../../x/index.html");
        assert_eq!(relative_href("index.html", "index.html"), "index.html");
        assert_eq!(relative_route("a/b/c/index.html", "a/x/index.html"), (2, 2));
        // A page deeper than its target, and a target deeper than the page.
        assert_eq!(relative_href("a/b/c/d/index.html", "a/b/index.html"), "../../index.html");
        assert_eq!(relative_href("a/index.html", "a/b/c/d/index.html"), "b/c/d/index.html");
        // Same folder names at different depths are not shared.
        assert_eq!(relative_href("x/a/index.html", "a/index.html"), "../../a/index.html");
    }

    #[test]
    fn names_that_cannot_be_published_everywhere() {
        for ok in ["setup.md", "a b.png", "caf\u{e9}.md", "100%.md", "x#y", ".md"] {
            assert_eq!(name_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("javascript:alert(document.domain).md", "`:`"),
            ("a\\b.md", "`\\`"),
            ("a*.md", "`*`"),
            ("what?.md", "`?`"),
            ("say \"hi\".md", "`\"`"),
            ("<b>.md", "`<`"),
            ("a>b", "`>`"),
            ("a|b", "`|`"),
            ("tab\there.md", "U+0009"),
            ("del\u{7f}.md", "U+007F"),
            ("notes.", "ends with a dot"),
            ("folder ", "ends with a space"),
        ] {
            let message = name_problem(bad).unwrap_or_default();
            assert!(message.contains(says), "{bad}: {message}");
        }
    }

    #[test]
    fn joining_links() {
        assert_eq!(join("guide", "../ops/run.md").as_deref(), Some("ops/run.md"));
        assert_eq!(join("guide", "./auth.md").as_deref(), Some("guide/auth.md"));
        assert_eq!(join("guide", "/top.md").as_deref(), Some("top.md"));
        assert_eq!(join("", "../x.md"), None);
        assert_eq!(join("a", "sub/").as_deref(), Some("a/sub"));
        // As joining a list of segments would: base folders with empty segments, climbs to the
        // top and past it.
        let by_list = |base: &str, link: &str| -> Option<String> {
            let mut parts: Vec<&str> =
                if link.starts_with('/') || base.is_empty() { Vec::new() } else { base.split('/').collect() };
            for seg in link.split('/') {
                match seg {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    s => parts.push(s),
                }
            }
            Some(parts.join("/"))
        };
        for base in ["", "a", "a/b", "a//b", "a/b/", "x/y/z"] {
            for link in
                ["p.md", "../p.md", "../../p.md", "../../../p.md", "./q/../r.md", "/t.md", "s/", "..", "a/../..", ""]
            {
                assert_eq!(join(base, link), by_list(base, link), "{base:?} + {link:?}");
            }
        }
    }

    #[test]
    fn links_that_leave_the_content_folder() {
        assert_eq!(climb("", "../std/index.html"), (1, "std/index.html".into()));
        assert_eq!(climb("guide", "../../../README.md"), (2, "README.md".into()));
        assert_eq!(climb("a", "/../x y.md"), (1, "x y.md".into()));
        assert_eq!(href_above("ch01/index.html", 1, "std/index.html"), "../../std/index.html");
        assert_eq!(href_above("index.html", 2, "a:b/c d.md"), "../../a%3Ab/c%20d.md");
    }

    #[test]
    fn slugs_rename_the_last_segment() {
        assert_eq!(slugged_url("guide/setup.md", Some("install")), "guide/install/index.html");
        assert_eq!(slugged_url("setup.md", Some("install")), "install/index.html");
        assert_eq!(slugged_url("guide/README.md", Some("x")), "guide/index.html");
        assert_eq!(slugged_url("guide/setup.md", None), "guide/setup/index.html");
    }

    #[test]
    fn redirect_paths() {
        assert_eq!(redirect_path("guide", "/old/").as_deref(), Ok("old/index.html"));
        assert_eq!(redirect_path("guide", "old").as_deref(), Ok("guide/old/index.html"));
        assert_eq!(redirect_path("guide", "../ch01.html").as_deref(), Ok("ch01.html"));
        assert_eq!(redirect_path("", "/a%20b/").as_deref(), Ok("a b/index.html"));
        assert_eq!(redirect_path("", "/v1.2/").as_deref(), Ok("v1.2/index.html"));
        for bad in ["/", "", "../../x/", "/.git/", "/a/../../b", "/x.php", "/a:b/", "/a#b", "/%2e%2e/x/", "/%ff/"] {
            assert!(redirect_path("guide", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn root_prefixes() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("a/b/index.html"), "../../");
    }
}
