//! The persistent build cache: `.stagebook-cache/` beside book.toml remembers, for the last
//! successful build (and, apart, the last check), every input file by its identity on disk
//! ([`inputs`]: size, times, inode; bytes where those could hide a change), the settings it ran with, each file it wrote by its identity on disk
//! ([`stamp`]) and the warnings it printed. A build whose inputs, settings and output are all
//! as recorded is not done again: the same warnings are printed and the output is left
//! alone. Anything else (one changed byte in any input, another stagebook binary, an output
//! file touched, a missing, damaged or foreign record) is a full build. The record is only
//! ever a reason to skip work, never a source of output, so a wrong record can cost time but
//! cannot publish stale pages; it is written after the output is in place, by rename
//! ([`folder`]), describing the inputs as they were *before* the build read them, so a file
//! saved during a build makes the next one build again.
//!
//! A build that is not skipped still reuses the code blocks the last one highlighted
//! ([`highlights`], [`Cache::highlights`]): it highlights only new or changed ones, and the
//! pages the last one rendered ([`rendered`], [`Cache::reusable`]): it renders only pages whose
//! render key changed or whose output file is not as that build left it.

mod folder;
mod highlights;
mod inputs;
mod look;
mod reader;
mod rendered;
mod stamp;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::abspath::absolute;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::highlight_memo::Memo;
use crate::output;
use crate::parse_memo;

pub(crate) use folder::NAME as FOLDER;
use inputs::{Entry, Sources};
pub(crate) use rendered::Reusable;
use stamp::Stamp;

/// Changes whenever the record's meaning changes, so an older stagebook's record is ignored.
const FORMAT: u32 = 1;

/// A hidden test hook: set, its value is part of the settings, as another stagebook version would be.
const VERSION_SALT: &str = "STAGEBOOK_CACHE_SALT";

/// Environment variables that change what a build does (test hooks of the output folder).
const BUILD_ENV: [&str; 3] = [VERSION_SALT, "STAGEBOOK_FAILPOINT", "STAGEBOOK_SWAP"];

/// xxh3-128 digests, written as hex.
pub(crate) fn hex(d: u128) -> String {
    format!("{d:032x}")
}

/// The records of the last build and of the last check.
const RECORD_FILES: [&str; 2] = ["build.json", "check.json"];

/// What is being done: the two keep separate records (a check writes no output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A build into this output folder (absolute), `--force` or not.
    Build {
        output: PathBuf,
        force: bool,
    },
    Check,
}

impl Mode {
    fn record_file(&self) -> &'static str {
        match self {
            Mode::Build { .. } => RECORD_FILES[0],
            Mode::Check => RECORD_FILES[1],
        }
    }
}

/// What a skipped build reports: the recorded build's figures and warnings.
#[derive(Debug)]
pub(crate) struct Hit {
    pub(crate) pages: usize,
    pub(crate) assets: usize,
    pub(crate) warnings: Vec<Diagnostic>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    format: u32,
    settings: String,
    /// Every input is among `inputs` (see [`Cache::store`]).
    complete: bool,
    inputs: Vec<Entry>,
    /// Files pages included: inputs next time even where the folder walk leaves them out.
    includes: Vec<PathBuf>,
    /// Every file the build wrote into the output folder (and its manifest), as it left them.
    output: Vec<(String, Stamp)>,
    pages: usize,
    assets: usize,
    warnings: Vec<Diagnostic>,
}

/// The cache as one build uses it: the inputs, stamped before the build reads them.
pub(crate) struct Cache {
    folder: folder::Folder,
    mode: Mode,
    settings: String,
    inputs: inputs::Table,
    previous: Option<Record>,
    /// Off until [`Cache::highlights`] reads the last build's blocks.
    highlights: Memo,
}

impl Cache {
    /// The cache of the handbook `config` describes (command-line options applied), with its
    /// inputs stamped; a warning instead when the folder is not stagebook's.
    pub(crate) fn open(config: &Config, mode: Mode) -> Result<Cache, Diagnostic> {
        let root = absolute(&config.root);
        let folder = folder::Folder::open(&root)
            .map_err(|e| Diagnostic::error(config.root.join(FOLDER), e.to_string()).warning())?;
        let previous = folder
            .read(mode.record_file())
            .and_then(|bytes| serde_json::from_slice::<Record>(&bytes).ok())
            .filter(|r| r.format == FORMAT);
        let settings = settings(config, &mode);
        let previous = previous.filter(|r| r.settings == settings);
        let sources = sources(config, &root, &mode, previous.as_ref().map_or(&[][..], |r| &r.includes));
        let inputs = inputs::scan(&sources, previous.as_ref().map_or(&[][..], |r| &r.inputs));
        Ok(Cache { folder, mode, settings, inputs, previous, highlights: Memo::default() })
    }

    /// The code blocks the last build highlighted, for this build to reuse (read only when
    /// it is not skipped: the file is megabytes on a large handbook). A missing, damaged or
    /// foreign file gives an empty memo; so does a binary that cannot name itself.
    pub(crate) fn highlights(&mut self) -> Memo {
        let Some(identity) = binary_identity() else { return Memo::default() };
        let previous =
            self.folder.read(highlights::FILE).and_then(|b| highlights::decode(&b, identity)).unwrap_or_default();
        self.highlights = Memo::with_previous(identity, previous);
        self.highlights.clone()
    }

    /// The pages earlier builds parsed, for this one to reuse and add to ([`crate::parse_memo`]),
    /// for builds configured as `config` is (command-line options applied; the keys' context
    /// is [`parse_context`]). Off when the binary cannot name itself.
    ///
    /// A first build (the folder holds no record of an earlier one) writes no memo: the memo
    /// is as large as the site, and most first builds are the only build of their folder (a
    /// fresh clone, a CI job). The next build writes it, and the ones after parse what changed.
    pub(crate) fn parse_memo(&self, config: &Config) -> parse_memo::Memo {
        let Some(identity) = binary_identity() else { return parse_memo::Memo::default() };
        let dir = self.folder.path();
        if ![parse_memo::FILE].iter().chain(&RECORD_FILES).any(|f| dir.join(f).exists()) {
            // A first build: nothing to recall, nothing written (the folder is made by the
            // first successful build).
            return parse_memo::Memo::default();
        }
        parse_memo::Memo::open(dir.join(parse_memo::FILE), parse_context(config, identity), true)
    }

    /// The recorded build, when it ran with these settings over these exact inputs and (for a
    /// build) its output folder still holds exactly the files it wrote.
    pub(crate) fn hit(&self) -> Option<Hit> {
        let r = self.previous.as_ref()?;
        if !r.complete || !inputs::unchanged(&r.inputs, &self.inputs.entries) {
            return None;
        }
        if let Mode::Build { output, .. } = &self.mode {
            // The state folder beside the output is there while a build publishes and after a
            // killed one (its staging or old site): build, so that it is waited for or removed.
            if output::state_dir(output).exists() {
                return None;
            }
            let paths: Vec<PathBuf> = r.output.iter().map(|(rel, _)| output.join(rel)).collect();
            let intact = !r.output.is_empty()
                && look::look_all(output, &paths, false)
                    .iter()
                    .zip(&r.output)
                    .all(|(looked, (_, stamp))| looked.is_some_and(|l| l.file && l.stamp.output() == *stamp));
            if !intact {
                return None;
            }
        }
        Some(Hit { pages: r.pages, assets: r.assets, warnings: r.warnings.clone() })
    }

    /// The pages the last build rendered into this output folder, for this build to reuse
    /// ([`rendered`]); `None` for a check, and when there is no usable file.
    pub(crate) fn reusable(&self) -> Option<Reusable> {
        let Mode::Build { output, .. } = &self.mode else { return None };
        rendered::decode(&self.folder.read(rendered::FILE)?, output)
    }

    /// Records a successful build (after its output is in place): a warning when the record
    /// cannot be written (a read-only handbook), and the next build simply builds. `rendered`:
    /// the render key of each page this build wrote (output path, key), recorded with the stamp
    /// its file has now ([`rendered`]); a file that cannot be written is left as it was, since
    /// each of its entries is still true of the file it stamps.
    pub(crate) fn store(
        self,
        includes: Vec<PathBuf>,
        pages: usize,
        assets: usize,
        warnings: &[Diagnostic],
        rendered: Option<&[(String, u128)]>,
        parsed: &parse_memo::Memo,
    ) -> Option<Diagnostic> {
        parsed.compact(|bytes| {
            let _ = self.folder.write(parse_memo::FILE, bytes);
        });
        let output = match &self.mode {
            // An output folder without a readable manifest: nothing to record it by.
            Mode::Build { output, .. } => output_stamps(output)?,
            Mode::Check => Vec::new(),
        };
        if let (Mode::Build { output: dir, .. }, Some(keys)) = (&self.mode, rendered) {
            if let Some(bytes) = rendered::encode(dir, keys, &output) {
                let _ = self.folder.write(rendered::FILE, &bytes);
            }
        }
        let mut includes: Vec<PathBuf> = includes.into_iter().map(|p| absolute(&p)).collect();
        includes.sort();
        includes.dedup();
        // An included file the walk left out was not stamped before this build: the record
        // cannot prove it unchanged, so it only names it, for the next build to stamp.
        let known: rustc_hash::FxHashSet<&std::ffi::OsStr> =
            self.inputs.entries.iter().map(|e| e.path.as_os_str()).collect();
        let complete = includes.iter().all(|i| known.contains(i.as_os_str()));
        let mut record = self.record(includes, pages, assets, warnings);
        record.output = output;
        record.complete = complete;
        // Only the blocks this build used: what no page shows any more is dropped.
        let blocks = self.highlights.identity().zip(self.highlights.used());
        let kept = blocks.and_then(|(identity, blocks)| {
            let bytes = highlights::encode(identity, &blocks)?;
            self.folder.write(highlights::FILE, &bytes).err()
        });
        // One warning when the folder cannot be written at all.
        self.write(record).or_else(|| kept.map(|e| Diagnostic::error(self.folder.path(), e.to_string()).warning()))
    }

    fn record(&self, includes: Vec<PathBuf>, pages: usize, assets: usize, warnings: &[Diagnostic]) -> Record {
        Record {
            format: FORMAT,
            settings: self.settings.clone(),
            complete: true,
            inputs: self.inputs.entries.clone(),
            includes,
            output: Vec::new(),
            pages,
            assets,
            warnings: warnings.to_vec(),
        }
    }

    fn write(&self, record: Record) -> Option<Diagnostic> {
        let bytes = serde_json::to_vec(&record).expect("a record serialises");
        let file = self.mode.record_file();
        self.folder.write(file, &bytes).err().map(|e| Diagnostic::error(self.folder.path(), e.to_string()).warning())
    }
}

/// Everything besides the input files that decides what a build produces or reports.
fn settings(config: &Config, mode: &Mode) -> String {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()).map(|m| Stamp::of(&m));
    let env: Vec<String> =
        BUILD_ENV.iter().map(|k| format!("{k}={:?}", std::env::var_os(k).unwrap_or_default())).collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let text = format!(
        "stagebook {} exe {:?} env {:?} cwd {:?} root {:?} drafts {} links {:?} mode {:?}",
        env!("CARGO_PKG_VERSION"),
        exe,
        env,
        cwd,
        config.root,
        config.build.drafts,
        config.build.broken_links,
        mode
    );
    hex(xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// The context of the parse memo's keys for builds configured as `config` is: this binary,
/// the folder the command runs in (paths are shown from there) and every setting but those
/// that do not change how a page parses: where the site goes (an output folder inside the
/// content hides files from the walk, and the pages' places, which the entries hold, show
/// that), `--drafts` (drafts are left out after parsing) and link strictness (a page with a
/// broken link is never kept), the highlight memo, and whether the build is `serve`'s. So
/// builds, checks and `serve` share the entries.
fn parse_context(config: &Config, identity: u128) -> u128 {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut config = config.clone();
    config.build.output = PathBuf::new();
    config.build.drafts = false;
    config.build.broken_links = crate::config::BrokenLinks::default();
    config.markdown.highlights = Memo::default();
    config.one_shot = false;
    let text = format!("parsed {identity:032x} cwd {cwd:?} {config:?}");
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

/// The pages the last builds or checks of the handbook in `root` parsed, for `serve` configured
/// as `config` is to reuse. Read only, like [`previous_highlights`]; off when there is no memo.
pub(crate) fn previous_parsed(root: &Path, config: &Config) -> parse_memo::Memo {
    let Some(identity) = binary_identity() else { return parse_memo::Memo::default() };
    let Some(folder) = folder::Folder::existing(&absolute(root)) else { return parse_memo::Memo::default() };
    parse_memo::Memo::open(folder.path().join(parse_memo::FILE), parse_context(config, identity), false)
}

/// The code blocks the last build or check of the handbook in `root` highlighted, for `serve`
/// to reuse. Read only: `serve` never writes the cache. Off (every block highlighted, none
/// kept) when there is no such file, or it is damaged or another binary's.
pub(crate) fn previous_highlights(root: &Path) -> Memo {
    let Some(identity) = binary_identity() else { return Memo::default() };
    let previous = folder::Folder::existing(&absolute(root))
        .and_then(|f| f.read(highlights::FILE))
        .and_then(|b| highlights::decode(&b, identity));
    match previous {
        Some(blocks) if !blocks.is_empty() => Memo::with_previous(identity, blocks),
        _ => Memo::default(),
    }
}

/// This binary's identity: its version, and its syntax definitions, highlighting and rendering
/// code, which are compiled in (the executable's identity on disk changes with them), plus the
/// test hook standing for another version. What highlighted blocks and rendered pages depend on
/// besides their own inputs; `None` when the executable cannot be found: then nothing is reused.
pub(crate) fn binary_identity() -> Option<u128> {
    let exe = std::env::current_exe().ok().and_then(|p| std::fs::metadata(p).ok()).map(|m| Stamp::of(&m))?;
    let text = format!(
        "highlights stagebook {} exe {:?} salt {:?}",
        env!("CARGO_PKG_VERSION"),
        exe,
        std::env::var_os(VERSION_SALT).unwrap_or_default()
    );
    Some(xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// Where a build's inputs are (all absolute).
fn sources(config: &Config, root: &Path, mode: &Mode, includes: &[PathBuf]) -> Sources {
    let mut walked = vec![root.to_path_buf()];
    let content = absolute(&config.content_dir());
    if !content.starts_with(root) {
        walked.push(content);
    }
    // Read by path, so inputs even where a `.gitignore` hides them from the walk.
    let mut files = vec![root.join("book.toml"), absolute(&config.matrix_path())];
    files.extend(config.additional_files().into_iter().flatten().map(|(path, _, _)| absolute(&path)));
    files.extend(includes.iter().cloned());
    let mut skipped = vec![root.join(FOLDER)];
    let out = match mode {
        Mode::Build { output, .. } => output.clone(),
        Mode::Check => absolute(&config.output_dir()),
    };
    skipped.push(output::state_dir(&out));
    skipped.push(out);
    Sources { walked, whole: vec![root.join("themes")], files, skipped, base: root.to_path_buf() }
}

/// The stamps of every file the output folder's manifest lists, and of the manifest (as
/// [`Stamp::output`]: taken while the previous site may still be being removed).
fn output_stamps(dir: &Path) -> Option<Vec<(String, Stamp)>> {
    let owned = output::read_manifest(dir).ok()??;
    let mut rels: Vec<String> = owned.into_iter().collect();
    rels.push(output::MANIFEST.to_string());
    rels.sort_unstable();
    let paths: Vec<PathBuf> = rels.iter().map(|rel| dir.join(rel)).collect();
    let looked = look::look_all(dir, &paths, false);
    rels.into_iter().zip(looked).map(|(rel, looked)| Some((rel, looked?.stamp.output()))).collect()
}
