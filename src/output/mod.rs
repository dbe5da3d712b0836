//! Where a built site goes: memory (`serve`), nowhere (`check`) or an output folder on disk,
//! which stagebook owns only as far as its manifest says and replaces in one atomic step.
//!
//! - [`publish`]: the staging folder and the publish; [`swap`]: the atomic exchange and its
//!   fallback; [`lock`]: the state folder, its lock and leftovers of killed builds;
//!   [`manifest`]: which files of the output stagebook wrote; [`location`]: where the output
//!   may not be; [`collide`]: output paths that one file system would make one file;
//!   [`failpoint`]: test hooks that stop a publish at a named step; [`folder_fd`]: folders read
//!   through open folder descriptors.

pub(crate) mod collide;
mod failpoint;
#[cfg(unix)]
mod folder_fd;
pub(crate) mod location;
mod lock;
mod manifest;
pub(crate) mod publish;
mod swap;

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::abspath::absolute;

pub(crate) use lock::state_dir;
pub(crate) use manifest::{read as read_manifest, FILE as MANIFEST};
pub(crate) use publish::{Previous, Published, Staging};

/// Somewhere rendered files go. `Sync` so pages can be written from parallel workers.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// [`Sink::write`] for bytes the caller is done with: a sink that keeps them (`Memory`)
    /// takes them as they are instead of copying them (a 10,000-page site is some 300 MB).
    fn write_owned(&self, rel: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.write(rel, &bytes)
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()>;
    /// Keeps the file `rel` the output folder already holds, without its bytes: the caller
    /// knows it is what the last build wrote there and would write again. `false` when the
    /// sink cannot (it holds no earlier site, or not that file): then the caller writes it.
    fn reuse(&self, _rel: &str) -> bool {
        false
    }
}

/// The bytes of one file of a site held in memory, shared with the responses that send it.
/// An `Arc<Vec>` rather than an `Arc<[u8]>`: a rendered page moves in without a copy.
pub type Body = Arc<Vec<u8>>;

/// A built site held in memory: output path -> bytes. `serve` keeps one and swaps in a new
/// one after each successful rebuild.
pub type Files = std::collections::HashMap<String, Body>;

/// Collects the site in memory (for `serve`).
#[derive(Default)]
pub struct Memory {
    files: Mutex<Files>,
}

impl Memory {
    pub(crate) fn into_files(self) -> Files {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.write_owned(rel, bytes.to_vec())
    }
    fn write_owned(&self, rel: &str, mut bytes: Vec<u8>) -> io::Result<()> {
        // Kept until the next build: spare capacity (a page grows by doubling as it renders)
        // would be held as long. Shrinking in place frees the tail without moving the bytes.
        bytes.shrink_to_fit();
        let (key, body) = (rel.to_string(), Arc::new(bytes));
        // Everything is allocated before the lock: parallel writers wait only for the insert.
        self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(key, body);
        Ok(())
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        self.write_owned(rel, std::fs::read(from)?)
    }
}

/// For `check`: renders everything, keeps nothing.
pub(crate) struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, from: &Path) -> io::Result<()> {
        std::fs::metadata(from).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keeps_owned_bytes_without_a_copy_or_spare_room() {
        let memory = Memory::default();
        let page = b"<html>page</html>".to_vec();
        let at = page.as_ptr();
        memory.write_owned("a/index.html", page).unwrap();
        let mut roomy = Vec::with_capacity(4096);
        roomy.extend_from_slice(b"body");
        memory.write_owned("b.css", roomy).unwrap();
        memory.write("c.js", b"js").unwrap();
        let files = memory.into_files();
        assert_eq!(files.len(), 3);
        assert_eq!(files["a/index.html"].as_ptr(), at, "the page was copied");
        assert_eq!(files["a/index.html"].as_slice(), b"<html>page</html>");
        assert_eq!((files["b.css"].as_slice(), files["b.css"].capacity()), (&b"body"[..], 4));
        assert_eq!(files["c.js"].as_slice(), b"js");
    }

    #[test]
    fn a_sink_that_writes_copies_gets_owned_bytes_through_write() {
        struct Record(Mutex<Vec<(String, Vec<u8>)>>);
        impl Sink for Record {
            fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
                self.0.lock().unwrap().push((rel.to_string(), bytes.to_vec()));
                Ok(())
            }
            fn copy(&self, _: &str, _: &Path) -> io::Result<()> {
                unreachable!()
            }
        }
        let sink = Record(Mutex::new(Vec::new()));
        sink.write_owned("x.html", b"x".to_vec()).unwrap();
        assert_eq!(sink.0.into_inner().unwrap(), [("x.html".to_string(), b"x".to_vec())]);
    }

    #[test]
    fn memory_copies_files_and_reports_unreadable_ones() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("logo.svg");
        std::fs::write(&source, b"<svg/>").unwrap();
        let memory = Memory::default();
        memory.copy("img/logo.svg", &source).unwrap();
        assert!(memory.copy("img/gone.svg", &dir.path().join("gone.svg")).is_err());
        let files = memory.into_files();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["img/logo.svg"]);
        assert_eq!(files["img/logo.svg"].as_slice(), b"<svg/>");
    }
}
