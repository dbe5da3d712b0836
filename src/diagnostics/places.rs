//! The few places of a source file that diagnostics found later may point at: a page keeps
//! these instead of its whole text (71 MB for 10,000 pages, kept for the life of `serve`).
//! Lines and columns are worked out while the text is at hand; the quoted line is not, as
//! almost no link turns out broken: the file is read again for it when one does, and only if
//! it still is the text the places were worked out in.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::source::{digest, SourceFile};
use super::{Diagnostic, Excerpt, Severity};

/// A byte offset of the file and its (line, column).
pub(crate) type Spot = (usize, (usize, usize));

/// A file's path and, for each byte offset chosen when it was read, the line and column
/// [`SourceFile::error_at`] gives there; the excerpt it gives comes from the file read again.
#[derive(Debug, Clone)]
pub(crate) struct SourcePlaces {
    /// As shown in diagnostics.
    path: PathBuf,
    /// Where the file is read again from.
    disk: PathBuf,
    /// [`digest`] of the text the places were worked out in.
    digest: u64,
    /// Sorted by offset, one per offset.
    spots: Box<[Spot]>,
    /// The file read again, once a diagnostic needed it; `None` when it could not be read or
    /// is no longer the same text (its diagnostics then have no quoted line).
    reread: OnceLock<Option<Box<SourceFile<'static>>>>,
}

impl SourcePlaces {
    /// Built by [`SourceFile::keep`], or from [`SourcePlaces::parts`] kept by the parse memo,
    /// with `spots` sorted by offset.
    pub(crate) fn new(
        path: PathBuf,
        disk: PathBuf,
        digest: u64,
        spots: impl Iterator<Item = (usize, (usize, usize))>,
    ) -> SourcePlaces {
        SourcePlaces { path, disk, digest, spots: spots.collect(), reread: OnceLock::new() }
    }

    /// What [`SourcePlaces::new`] takes: shown path, disk path, digest of the text, spots.
    pub(crate) fn parts(&self) -> (&Path, &Path, u64, &[Spot]) {
        (&self.path, &self.disk, self.digest, &self.spots)
    }

    /// An error at byte `offset`, as the whole file would have placed it. An offset that was
    /// not kept (a caller bug, not a user's) still names the file, without a position.
    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        match self.spots.binary_search_by_key(&offset, |s| s.0) {
            Ok(i) => Diagnostic {
                severity: Severity::Error,
                path: self.path.clone(),
                position: Some(self.spots[i].1),
                message: message.into(),
                excerpt: self.excerpt(offset),
                link: false,
            },
            Err(_) => {
                debug_assert!(false, "offset {offset} of {} was not kept", self.path.display());
                Diagnostic::error(self.path.clone(), message)
            }
        }
    }

    /// The quoted line at `offset`, from the file read again (once for all its diagnostics).
    fn excerpt(&self, offset: usize) -> Option<Excerpt> {
        let file = self.reread.get_or_init(|| {
            let text = std::fs::read_to_string(&self.disk).ok()?;
            (digest(&text) == self.digest).then(|| Box::new(SourceFile::new(self.path.clone(), text)))
        });
        file.as_ref().map(|f| f.place(offset).1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::SourceFile;
    use std::path::{Path, PathBuf};

    /// `text` written to a file in `dir`, and the file over it.
    fn on_disk<'a>(dir: &Path, text: &'a str) -> (PathBuf, SourceFile<'a>) {
        let disk = dir.join("page.md");
        std::fs::write(&disk, text).unwrap();
        (disk, SourceFile::new("dir/page.md", text))
    }

    /// Every offset of `text`, kept, gives the very diagnostic the whole file gives.
    fn agrees_everywhere(text: &str) {
        let dir = tempfile::tempdir().unwrap();
        let (disk, file) = on_disk(dir.path(), text);
        let kept = file.keep(disk, (0..=text.len() + 2).rev());
        for offset in 0..=text.len() + 2 {
            assert_eq!(kept.error_at(offset, "m"), file.error_at(offset, "m"), "offset {offset} of {text:?}");
        }
    }

    #[test]
    fn agrees_with_the_whole_file_on_ascii_lines() {
        agrees_everywhere("one\ntwo [link](x.md) three\n\nfour");
    }

    #[test]
    fn agrees_with_the_whole_file_on_multibyte_characters() {
        agrees_everywhere("é日本\n[ß](ü.md) 🦀 [x](y.md)\n€");
    }

    #[test]
    fn agrees_with_the_whole_file_on_tabs_and_crlf() {
        agrees_everywhere("a\tb\r\n\t[l](t.md)\r\n\r\nend\r\n");
    }

    #[test]
    fn agrees_with_the_whole_file_on_long_clipped_lines() {
        let long = format!("{}[a](b.md){}\n{}é[c](d.md)", "x".repeat(300), "y".repeat(300), "ü".repeat(200));
        agrees_everywhere(&long);
    }

    #[test]
    fn keeps_only_the_chosen_offsets_and_no_text() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("{}[a](b.md)\n", "z".repeat(10_000));
        let (disk, file) = on_disk(dir.path(), &text);
        let kept = file.keep(disk, [10_000, 10_000]);
        assert_eq!(kept.spots.len(), 1);
        assert!(kept.reread.get().is_none(), "nothing is read again before a diagnostic needs it");
        let d = kept.error_at(10_000, "broken");
        assert_eq!(d.position, Some((1, 10_001)));
        assert!(d.excerpt.unwrap().text.len() < 200, "the quoted line is clipped");
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# T\n\nsee [a](a.md)\n";
        let (disk, file) = on_disk(dir.path(), text);
        let kept = file.keep(disk.clone(), [10]);
        std::fs::write(&disk, "# T\n\nsomething else entirely [b](b.md)\n").unwrap();
        let d = kept.error_at(10, "broken");
        assert_eq!(d.position, file.error_at(10, "m").position, "the place is the one the build saw");
        assert_eq!(d.excerpt, None, "another text's line is never quoted under it");
        std::fs::remove_file(&disk).unwrap();
        let gone = file.keep(disk, [10]).error_at(10, "broken");
        assert_eq!((gone.position, gone.excerpt), (file.error_at(10, "m").position, None));
    }

    #[test]
    #[should_panic(expected = "was not kept")]
    fn an_offset_not_kept_is_a_bug_caught_in_tests() {
        SourceFile::new("p.md", "abc").keep("p.md".into(), [1]).error_at(2, "m");
    }
}
