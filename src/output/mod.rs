//! Where a built site goes: memory (`serve`), nowhere (`check`) or an output folder on disk,
//! which stagebook owns only as far as its manifest says and replaces in one atomic step.
//!
//! - [`publish`]: the staging folder and the publish; [`swap`]: the atomic exchange and its
//!   fallback; [`lock`]: the state folder, its lock and leftovers of killed builds;
//!   [`manifest`]: which files of the output stagebook wrote; [`location`]: where the output
//!   may not be; [`collide`]: output paths that one file system would make one file;
//!   [`failpoint`]: test hooks that stop a publish at a named step.

pub(crate) mod collide;
mod failpoint;
pub(crate) mod location;
mod lock;
mod manifest;
pub(crate) mod publish;
mod swap;

use std::io;
use std::path::Path;
use std::sync::Mutex;

use crate::abspath::absolute;

pub(crate) use lock::state_dir;
pub(crate) use manifest::{read as read_manifest, FILE as MANIFEST};
pub(crate) use publish::{Published, Staging};

/// Somewhere rendered files go. `Sync` so pages can be written from parallel workers.
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()>;
}

/// A built site held in memory: output path -> bytes. `serve` keeps one and swaps in a new
/// one after each successful rebuild.
pub type Files = std::collections::HashMap<String, std::sync::Arc<[u8]>>;

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
        self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(rel.to_string(), std::sync::Arc::from(bytes));
        Ok(())
    }
    fn copy(&self, rel: &str, from: &Path) -> io::Result<()> {
        let bytes = std::fs::read(from)?;
        self.write(rel, &bytes)
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
