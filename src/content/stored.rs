//! A parsed page as the parse memo keeps it ([`crate::parse_memo`]): everything [`parse::parse`]
//! makes of a page's file, in a compact encoding, under a key of what it read. A build given
//! the last builds' pages reads each file (its bytes are part of the key) and parses it only
//! when no entry matches, or the entry's links or included files no longer hold.
//!
//! The key covers, besides the memo's context (the binary and the whole configuration), the
//! page's text and its slot (source, URL, folder, kind, SUMMARY.md title). The parse also
//! read the other pages' places, resolving links against them: the entry holds a digest of all
//! of them ([`Lookup::digest`]) and what each of its link destinations resolved to, by URL. Where
//! the digest is the same, the entry holds as it is; where pages were added, removed or moved,
//! each destination is resolved again and the entry holds if every one resolves the same (its
//! links then point at the pages' new ids). Included files are listed with a digest of their
//! bytes, checked on the way back.

use std::path::PathBuf;

use super::bodies::BodyRef;
use super::ids::{Id, PageId};
use super::links::{Lookup, PageLink};
use super::parse::{self, Parsed};
use super::plan::Slot;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Excerpt, Severity, SourcePlaces};
use crate::highlight_memo;
use crate::markdown::{Embed, Heading, Link};
use crate::parse_memo::{Key, Memo};
use crate::varint;
use crate::words::{self, Lexicon, SectionText, WordCounts};

/// What a build recalls pages with: the memo, the digest of the pages' places
/// ([`Lookup::digest`]), and the lexicon the sections' word ids are numbered in.
pub(crate) struct Recall<'a> {
    pub(crate) memo: &'a Memo,
    pub(crate) places: u128,
    pub(crate) lexicon: &'a Lexicon,
}

/// [`parse::read_and_parse`], through the memo when there is one: the page comes back from
/// an earlier build when its key and included files match (its HTML handed to `body` when
/// given), and is remembered when parsed without errors.
pub(crate) fn read_and_parse(
    config: &Config,
    lookup: &Lookup,
    recall: Option<&Recall>,
    me: PageId,
    slot: &Slot,
    mut collector: Option<&mut words::Collector>,
    body: Option<&dyn Fn(&str) -> BodyRef>,
) -> Result<Parsed, Vec<Diagnostic>> {
    let (Some(recall), Some(rel), None) = (recall, &slot.source, &slot.generated) else {
        return parse::read_and_parse(config, lookup, me, slot, collector);
    };
    let text = parse::read_source(config, rel)?;
    let key = key(recall.memo, slot, rel, &text);
    let memo = recall.memo;
    let source_dir = super::paths::parent_dir(rel);
    let resolution = |dest: &str| lookup.resolution(&slot.url, Some(me), source_dir, dest);
    let holds = |places: u128, links: &[(&str, &str)]| {
        places == recall.places || links.iter().all(|(dest, was)| resolution(dest) == *was)
    };
    let found = memo.recall(key, |bytes| {
        let mut id = |n: u32| match collector.as_deref_mut() {
            Some(c) => c.id_of(n, || memo.string(n)),
            None => Some(recall.lexicon.id(&memo.string(n)?)),
        };
        let (mut parsed, blocks, places) = decode(bytes, slot, &mut id, &holds, body)?;
        if places != recall.places {
            // The links resolve as they did: to the pages' ids now.
            for link in &mut parsed.page.links {
                match lookup.resolve(&slot.url, Some(me), source_dir, &link.dest) {
                    Link::Rewrite { check: Some((page, _)), .. } => link.target = page,
                    _ => return None,
                }
            }
        }
        Some((parsed, blocks))
    });
    if let Some((parsed, blocks)) = found {
        config.markdown.highlights.keep(&blocks);
        return Ok(parsed);
    }
    let noted = std::cell::RefCell::new(Vec::new());
    let note = |dest: &str, link: &Link<PageId>| noted.borrow_mut().push((dest.to_string(), lookup.describe(link)));
    let (parsed, blocks) = highlight_memo::recording(|| {
        parse::parse(config, lookup, me, slot, Some(&text), collector.as_deref_mut(), &note)
    });
    memo.count_parsed();
    if let Ok(p) = &parsed {
        if p.errors.is_empty() {
            let mut number = |id: u32| match collector.as_deref_mut() {
                Some(c) => c.number_of(id, |word| memo.string_number(word)),
                None => {
                    memo.string_number(recall.lexicon.with_words(|words| words.get(id as usize).cloned())?.as_ref())
                }
            };
            let mut links = noted.into_inner();
            links.sort_unstable();
            links.dedup();
            if let Some(bytes) = encode(p, recall.places, &links, &mut number, &blocks) {
                recall.memo.remember(key, &bytes);
            }
        }
    }
    parsed.map_err(|d| vec![d])
}

fn key(memo: &Memo, slot: &Slot, rel: &str, text: &str) -> Key {
    let nav_title = slot.nav_title.as_deref().map(|t| format!("+{t}")).unwrap_or_default();
    memo.key(&[
        rel.as_bytes(),
        slot.url.as_bytes(),
        slot.dir.as_bytes(),
        slot.kind.as_str().as_bytes(),
        nav_title.as_bytes(),
        text.as_bytes(),
    ])
}

/// Digest of a file included by a page; `None` when it cannot be read.
fn file_digest(path: &std::path::Path) -> Option<u128> {
    std::fs::read(path).ok().map(|b| xxhash_rust::xxh3::xxh3_128(&b))
}

/// The page's entry: `None` when some part cannot be kept exactly (a path that is not UTF-8,
/// front matter `extra` that does not come back the same, an included file gone).
/// `number` gives a word's number in the memo from its lexicon id.
/// `places` and `links`: the digest of the pages' places the parse resolved its links against,
/// and what each destination resolved to.
fn encode(
    parsed: &Parsed,
    places: u128,
    links: &[(String, String)],
    number: &mut dyn FnMut(u32) -> Option<u32>,
    blocks: &[highlight_memo::Key],
) -> Option<Vec<u8>> {
    let page = &parsed.page;
    let mut w = Writer(Vec::with_capacity(page.html.len() * 5 / 4 + 1024));
    w.bytes(&places.to_le_bytes());
    w.list(links, |w, (dest, resolution)| {
        w.str(dest);
        w.str(resolution);
        Some(())
    })?;
    w.list(&parsed.warnings, Writer::diagnostic)?;
    w.str(&page.title);
    w.str(&page.description);
    match page.weight {
        Some(n) => w.num(1 + zigzag(n)),
        None => w.num(0),
    }
    w.flag(page.draft);
    w.flag(page.template.is_some());
    if let Some((name, at)) = &page.template {
        w.str(name);
        w.diagnostic(at)?;
    }
    let extra = if page.extra.is_empty() { String::new() } else { toml::to_string(&page.extra).ok()? };
    if !extra.is_empty() && toml::from_str::<toml::Table>(&extra).ok()? != page.extra {
        return None;
    }
    w.str(&extra);
    w.str(&page.html);
    w.list(&page.headings, |w, h| {
        w.num(u64::from(h.level));
        w.str(&h.id);
        w.str(&h.title);
        Some(())
    })?;
    let mut anchors: Vec<&String> = page.anchors.iter().collect();
    anchors.sort_unstable();
    w.list(&anchors, |w, a| {
        w.str(a);
        Some(())
    })?;
    w.flag(page.has_title_heading);
    w.opt_str(page.slug.as_deref());
    w.list(&page.redirect_from, |w, (path, at)| {
        w.str(path);
        w.num(*at as u64);
        Some(())
    })?;
    w.list(&page.embeds, |w, e| {
        w.num(e.offset as u64);
        w.str(&e.name);
        w.list(&e.args, |w, (k, v)| {
            w.str(k);
            w.str(v);
            Some(())
        })
    })?;
    w.list(&page.links, |w, l| {
        w.num(l.offset as u64);
        w.str(&l.dest);
        w.num(l.target.index() as u64);
        w.opt_str(l.anchor.as_deref());
        Some(())
    })?;
    // Words by their number in the memo (lexicon ids are this build's own numbering).
    w.list(&page.sections, |w, s| {
        w.opt_str(s.anchor.as_deref());
        w.str(&s.heading);
        w.str(&s.text);
        w.str(&s.code);
        w.str(&s.more);
        w.num(s.words.iter().count() as u64);
        s.words.iter().try_for_each(|(id, count)| {
            w.num(u64::from(number(id)?));
            w.num(u64::from(count));
            Some(())
        })
    })?;
    w.flag(page.file.is_some());
    if let Some(file) = &page.file {
        let (path, disk, digest, spots) = file.parts();
        w.str(path.to_str()?);
        w.str(disk.to_str()?);
        w.num(digest);
        w.list(spots, |w, &(offset, (line, col))| {
            w.num(offset as u64);
            w.num(line as u64);
            w.num(col as u64);
            Some(())
        })?;
    }
    w.list(&page.includes, |w, path| {
        w.str(path.to_str()?);
        w.bytes(&file_digest(path)?.to_le_bytes());
        Some(())
    })?;
    w.list(blocks, |w, key| {
        w.bytes(&key.to_le_bytes());
        Some(())
    })?;
    Some(w.0)
}

/// The page an entry holds, with the highlighted blocks it showed; `None` when the entry does
/// not read back whole, or an included file is not as it was. `id` gives the lexicon id of the
/// word the memo numbers so (`None`: no such word; `Some(None)`: a stop word).
/// `body` takes the page's HTML where it is kept (a one-shot build's chunks); otherwise it
/// goes into the page.
/// Whether an entry's links, resolved under a digest of places to what it lists as (destination,
/// resolution), still resolve so.
type Holds<'a> = dyn Fn(u128, &[(&str, &str)]) -> bool + 'a;

/// `holds` says whether the links, as resolved under the digest of places given, still resolve
/// so; the body is kept only then. Returns that digest with the page.
fn decode(
    bytes: &[u8],
    slot: &Slot,
    id: &mut dyn FnMut(u32) -> Option<Option<u32>>,
    holds: &Holds,
    body: Option<&dyn Fn(&str) -> BodyRef>,
) -> Option<(Parsed, Vec<highlight_memo::Key>, u128)> {
    let mut r = Reader(bytes);
    let places = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
    let resolved = r.list(|r| Some((r.str()?, r.str()?)))?;
    if !holds(places, &resolved) {
        return None;
    }
    let warnings = r.list(Reader::diagnostic)?;
    let mut page = parse::placeholder(slot);
    page.title = r.string()?;
    page.description = r.string()?;
    page.weight = match r.num()? {
        0 => None,
        n => Some(unzigzag(n - 1)),
    };
    page.draft = r.flag()?;
    if r.flag()? {
        page.template = Some((r.string()?, r.diagnostic()?));
    }
    let extra = r.str()?;
    if !extra.is_empty() {
        page.extra = toml::from_str(extra).ok()?;
    }
    let html = r.str()?;
    page.headings =
        r.list(|r| Some(Heading { level: u8::try_from(r.num()?).ok()?, id: r.string()?, title: r.string()? }))?;
    page.anchors = r.list(Reader::string)?.into_iter().collect();
    page.has_title_heading = r.flag()?;
    page.slug = r.opt_string()?;
    page.redirect_from = r.list(|r| Some((r.string()?, r.num()? as usize)))?;
    page.embeds = r.list(|r| {
        Some(Embed {
            offset: r.num()? as usize,
            name: r.string()?,
            args: r.list(|r| Some((r.string()?, r.string()?)))?,
        })
    })?;
    page.links = r.list(|r| {
        Some(PageLink {
            offset: r.num()? as usize,
            dest: r.string()?,
            target: PageId::from_index(r.num()? as usize),
            anchor: r.opt_string()?,
        })
    })?;
    page.sections = r.list(|r| {
        let (anchor, heading, text, code, more) = (r.opt_string()?, r.string()?, r.string()?, r.string()?, r.string()?);
        let pairs = r.list(|r| Some((id(u32::try_from(r.num()?).ok()?)?, u32::try_from(r.num()?).ok()?)))?;
        let words: WordCounts = pairs.into_iter().filter_map(|(id, count)| Some((id?, count))).collect();
        Some(SectionText { anchor, heading, text, code, more, passage: None, words })
    })?;
    if r.flag()? {
        let (path, disk, digest) = (PathBuf::from(r.str()?), PathBuf::from(r.str()?), r.num()?);
        let spots = r.list(|r| Some((r.num()? as usize, (r.num()? as usize, r.num()? as usize))))?;
        page.file = Some(SourcePlaces::new(path, disk, digest, spots.into_iter()));
    }
    page.includes = r.list(|r| {
        let path = PathBuf::from(r.str()?);
        let digest = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
        (file_digest(&path)? == digest).then_some(path)
    })?;
    let blocks = r.list(|r| Some(u128::from_le_bytes(r.take(16)?.try_into().ok()?)))?;
    if !r.0.is_empty() {
        return None;
    }
    match body {
        Some(keep) => page.body = Some(keep(html)),
        None => page.html = html.to_string(),
    }
    Some((Parsed { page, errors: Vec::new(), warnings }, blocks, places))
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// Numbers as varints ([`varint`]), texts and lists length first.
struct Writer(Vec<u8>);

impl Writer {
    fn num(&mut self, n: u64) {
        varint::push(&mut self.0, n);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.num(s.len() as u64);
        self.bytes(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.num(s.len() as u64 + 1);
                self.bytes(s.as_bytes());
            }
            None => self.num(0),
        }
    }

    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Writer, &T) -> Option<()>) -> Option<()> {
        self.num(items.len() as u64);
        items.iter().try_for_each(|item| each(self, item))
    }

    fn diagnostic(&mut self, d: &Diagnostic) -> Option<()> {
        self.flag(d.severity == Severity::Error);
        self.str(d.path.to_str()?);
        self.flag(d.position.is_some());
        if let Some((line, col)) = d.position {
            self.num(line as u64);
            self.num(col as u64);
        }
        self.str(&d.message);
        self.flag(d.excerpt.is_some());
        if let Some(e) = &d.excerpt {
            self.str(&e.text);
            self.num(e.caret as u64);
        }
        self.flag(d.link);
        Some(())
    }
}

/// Reads what [`Writer`] wrote; every step is `None` past the end or on a bad value.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn num(&mut self) -> Option<u64> {
        varint::read(&mut self.0)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if self.0.len() < len {
            return None;
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head)
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.num()?).ok()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match usize::try_from(self.num()?).ok()? {
            0 => Some(None),
            n => Some(Some(std::str::from_utf8(self.take(n - 1)?).ok()?.to_string())),
        }
    }

    fn flag(&mut self) -> Option<bool> {
        match self.take(1)? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }

    fn list<T>(&mut self, mut each: impl FnMut(&mut Reader<'a>) -> Option<T>) -> Option<Vec<T>> {
        let len = usize::try_from(self.num()?).ok()?;
        // Each item takes a byte at least: a damaged length cannot ask for more room than that.
        let mut items = Vec::with_capacity(len.min(self.0.len()));
        for _ in 0..len {
            items.push(each(self)?);
        }
        Some(items)
    }

    fn diagnostic(&mut self) -> Option<Diagnostic> {
        let severity = if self.flag()? { Severity::Error } else { Severity::Warning };
        let path = PathBuf::from(self.str()?);
        let position = if self.flag()? { Some((self.num()? as usize, self.num()? as usize)) } else { None };
        let message = self.string()?;
        let excerpt =
            if self.flag()? { Some(Excerpt { text: self.string()?, caret: self.num()? as usize }) } else { None };
        Some(Diagnostic { severity, path, position, message, excerpt, link: self.flag()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::PageKind;

    fn config() -> Config {
        Config::parse(std::path::Path::new("book"), "[book]\ntitle = \"Handbook\"\n".into()).expect("config parses")
    }

    /// Where a one-shot build would keep bodies: here, a string the test reads.
    fn keeper(kept: &std::cell::RefCell<String>) -> impl Fn(&str) -> BodyRef + '_ {
        |html| {
            kept.borrow_mut().push_str(html);
            crate::chunks::TextChunks::new(64).push("x")
        }
    }

    fn links() -> Vec<(String, String)> {
        vec![("../index.md#start".to_string(), "page ../#start".to_string())]
    }

    fn slot() -> Slot {
        Slot {
            source: Some("guide/deploy.md".into()),
            dir: "guide".into(),
            url: "guide/deploy.html".into(),
            kind: PageKind::Page,
            generated: None,
            nav_title: None,
        }
    }

    const PAGE: &str = "+++\ntitle = \"Deploy\"\nweight = -3\naliases = [\"old/deploy.html\"]\n[extra]\nowner = \"ops\"\nsize = 2.5\n+++\n# Deploying\n\nSee [the guide](../index.md#start) and <a id=\"raw\"></a>.\n\n## Steps Ünïcode\n\nRun the deploy script twice, and the deploy script again.\n\n```rust\nfn main() {}\n```\n\n{{ matrix(category=\"ops\") }}\n";

    fn parsed(config: &Config, collector: Option<&mut words::Collector>) -> Parsed {
        let lookup = Lookup::new(
            [(Some("index.md"), "index.html"), (Some("guide/deploy.md"), "guide/deploy.html")].into_iter(),
            &[],
            String::new(),
        );
        parse::parse(config, &lookup, PageId::from_index(1), &slot(), Some(PAGE), collector, &|_, _| {}).unwrap()
    }

    /// A memo's word numbering seen through a lexicon: encode with one, decode with another.
    fn numbering<'a>(memo: &'a Memo, lexicon: &'a Lexicon) -> impl FnMut(u32) -> Option<u32> + 'a {
        let mut c = words::Collector::new(lexicon, true);
        move |id| c.number_of(id, |w| memo.string_number(w))
    }

    /// The test page parsed with search on, encoded with a new memo's word numbers.
    struct Encoded {
        _dir: tempfile::TempDir,
        memo: Memo,
        lexicon: Lexicon,
        p: Parsed,
        bytes: Vec<u8>,
    }

    fn encoded(links: &[(String, String)], blocks: &[highlight_memo::Key]) -> Encoded {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::open(dir.path().join("memo"), 1, true);
        let lexicon = Lexicon::new(&words::analyzer(&config()));
        let p = parsed(&config(), Some(&mut words::Collector::new(&lexicon, true)));
        let bytes = encode(&p, 7, links, &mut numbering(&memo, &lexicon), blocks).unwrap();
        Encoded { _dir: dir, memo, lexicon, p, bytes }
    }

    #[test]
    fn a_parsed_page_reads_back_as_it_was() {
        let Encoded { memo, lexicon, p, bytes, .. } = encoded(&[], &[42]);
        assert!(!p.page.sections.is_empty() && !p.page.links.is_empty() && !p.page.extra.is_empty());
        // Another build: another lexicon, its words numbered in another order.
        let other = Lexicon::new(&words::analyzer(&config()));
        other.id("zebra");
        let mut next = words::Collector::new(&other, true);
        let (back, blocks, places) =
            decode(&bytes, &slot(), &mut |n| next.id_of(n, || memo.string(n)), &|_, _| true, None).unwrap();
        assert_eq!((blocks, places), (vec![42], 7));
        let mut page = p.page.clone();
        let named = |l: &Lexicon, s: &SectionText| -> Vec<(String, u32)> {
            l.with_words(|w| s.words.iter().map(|(id, n)| (w[id as usize].to_string(), n)).collect())
        };
        assert!(page.sections.iter().any(|s| s.words.iter().count() > 0));
        for (a, b) in page.sections.iter().zip(&back.page.sections) {
            assert_eq!(named(&lexicon, a), named(&other, b));
        }
        let clear = |s: &mut Vec<SectionText>| s.iter_mut().for_each(|s| s.words = WordCounts::default());
        clear(&mut page.sections);
        let mut got = back.page;
        clear(&mut got.sections);
        assert_eq!(format!("{page:?}"), format!("{got:?}"));
        assert_eq!(format!("{:?}", p.warnings), format!("{:?}", back.warnings));
        // The body goes where it is kept when a keeper is given.
        let kept = std::cell::RefCell::new(String::new());
        let keep = keeper(&kept);
        let (into_chunks, ..) =
            decode(&bytes, &slot(), &mut |n| next.id_of(n, || memo.string(n)), &|_, _| true, Some(&keep)).unwrap();
        assert!(into_chunks.page.html.is_empty() && into_chunks.page.body.is_some());
        assert_eq!(*kept.borrow(), p.page.html);
    }

    #[test]
    fn a_damaged_entry_or_an_unknown_word_reads_as_none() {
        let Encoded { p, bytes, .. } = encoded(&links(), &[]);
        let mut any = |_: u32| Some(Some(0));
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut], &slot(), &mut any, &|_, _| true, None).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, &slot(), &mut any, &|_, _| true, None).is_none(), "trailing bytes");
        assert!(decode(&bytes, &slot(), &mut any, &|_, _| true, None).is_some());
        assert!(
            decode(&bytes, &slot(), &mut |_| None, &|_, _| true, None).is_none(),
            "a word the memo does not number"
        );
        // Links that no longer resolve as they did: not used, and its body not kept.
        let kept = std::cell::RefCell::new(String::new());
        let keep = keeper(&kept);
        let holds = |places: u128, links: &[(&str, &str)]| {
            assert_eq!((places, links), (7, &[("../index.md#start", "page ../#start")][..]));
            false
        };
        assert!(decode(&bytes, &slot(), &mut any, &holds, Some(&keep)).is_none());
        assert!(kept.borrow().is_empty());
        // Nothing can be numbered (a memo that cannot write): not encoded.
        assert!(encode(&p, 7, &[], &mut |_| None, &[]).is_none());
    }

    #[test]
    fn an_entry_whose_included_file_changed_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("part.md");
        std::fs::write(&part, "one").unwrap();
        let config = config();
        let mut p = parsed(&config, None);
        p.page.includes = vec![part.clone()];
        let bytes = encode(&p, 7, &[], &mut |_| None, &[]).unwrap();
        let mut none = |_: u32| None;
        assert!(decode(&bytes, &slot(), &mut none, &|_, _| true, None).is_some());
        std::fs::write(&part, "two").unwrap();
        assert!(decode(&bytes, &slot(), &mut none, &|_, _| true, None).is_none());
        std::fs::remove_file(&part).unwrap();
        assert!(decode(&bytes, &slot(), &mut none, &|_, _| true, None).is_none());
        assert_eq!(zigzag(-3), 5);
        for n in [0, 1, -1, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
    }
}
