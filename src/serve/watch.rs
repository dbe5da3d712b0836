//! Watching the handbook folder: file events gathered into batches once the folder has been
//! quiet for a moment, minus the noise (the output folder, hidden files, editor swap and
//! backup files, and the builder's own reads).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{ErrorKind, RecursiveMode, Watcher as _};

/// How long the folder must be quiet before a batch of changes is handed over. Short, so a
/// save shows up at once; long enough that an editor's write-then-rename arrives as one batch.
pub(crate) const QUIET: Duration = Duration::from_millis(20);
/// How often `--poll` looks at every file again.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// However busy the folder stays, a batch is handed over after this long.
const MAX_GATHER: Duration = Duration::from_secs(5);

/// How changes are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    /// The system's notifications (inotify on Linux): instant, but one watch per folder.
    Native,
    /// Reading every file once a second: no limit on folders, but slower and busier.
    Poll,
}

/// What the watcher thread hands over, one at a time.
#[derive(Debug)]
enum Message {
    Changed(PathBuf),
    /// Events were lost (the system's event queue overflowed): look at everything again.
    Rescan,
    Failed(String),
}

/// Changes gathered while the folder was busy.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Changed paths (files and folders), sorted, each once.
    pub(crate) paths: Vec<PathBuf>,
    /// Some events were lost: only loading everything again is safe.
    pub(crate) rescan: bool,
    /// What went wrong with watching, for the developer.
    pub(crate) problems: Vec<String>,
}

impl Batch {
    fn add(&mut self, message: Message) {
        match message {
            Message::Changed(path) => self.paths.push(path),
            Message::Rescan => self.rescan = true,
            Message::Failed(problem) => self.problems.push(problem),
        }
    }

    fn tidy(&mut self) {
        self.paths.sort();
        self.paths.dedup();
    }

    /// The changed files: paths that are not a folder holding other changed paths (a
    /// deleted folder reports itself and every file in it).
    pub(crate) fn files(&self) -> Vec<&Path> {
        let mut files = Vec::with_capacity(self.paths.len());
        for (i, path) in self.paths.iter().enumerate() {
            let holds_next = self.paths.get(i + 1).is_some_and(|next| next != path && next.starts_with(path));
            if !holds_next {
                files.push(path.as_path());
            }
        }
        files
    }
}

/// Keeps the watcher alive and hands over batches of changes.
pub(crate) struct Watcher {
    inner: Box<dyn notify::Watcher + Send>,
    /// Watched recursively (when they exist): content, themes, the matrix file's folder, each
    /// with the identity of the folder the watch is on.
    trees: Vec<(PathBuf, Option<Identity>)>,
    /// Folders watched on their own (not recursively): those holding files that pages include
    /// from outside the trees (`listings/` beside `src/`), with the identity of the folder
    /// the watch is on.
    folders: Vec<(PathBuf, Option<Identity>)>,
    changes: Receiver<Message>,
}

/// The watcher thread has gone: no change can arrive any more.
#[derive(Debug)]
pub(crate) struct Stopped;

impl Watcher {
    /// Waits for a first change (at most `first`, or for ever), then gathers changes until the
    /// folder has been quiet for `quiet`. `Ok(None)`: nothing changed within `first`.
    pub(crate) fn next(&self, first: Option<Duration>, quiet: Duration) -> Result<Option<Batch>, Stopped> {
        let message = match first {
            Some(wait) => match self.changes.recv_timeout(wait) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => return Ok(None),
                Err(RecvTimeoutError::Disconnected) => return Err(Stopped),
            },
            None => self.changes.recv().map_err(|_| Stopped)?,
        };
        let mut batch = Batch::default();
        batch.add(message);
        self.settle(&mut batch, quiet);
        Ok(Some(batch))
    }

    /// Adds changes to `batch` until the folder has been quiet for `quiet` (or `MAX_GATHER`
    /// has passed); true when any arrived.
    pub(crate) fn settle(&self, batch: &mut Batch, quiet: Duration) -> bool {
        let started = Instant::now();
        let mut any = false;
        while started.elapsed() < MAX_GATHER {
            match self.changes.recv_timeout(quiet) {
                Ok(m) => {
                    batch.add(m);
                    any = true;
                }
                Err(_) => break,
            }
        }
        batch.tidy();
        any
    }

    /// Adds the changes that have already arrived, without waiting; true when there were any.
    pub(crate) fn pending(&self, batch: &mut Batch) -> bool {
        let mut any = false;
        while let Ok(m) = self.changes.try_recv() {
            batch.add(m);
            any = true;
        }
        batch.tidy();
        any
    }

    /// Also watches the folders holding `files` that no watch covers yet, or whose watch went
    /// with a folder deleted and created anew (a checkout, a stash). A folder that cannot be
    /// watched is left out: the file's pages are then rebuilt by the next full build only.
    pub(crate) fn watch_files(&mut self, files: impl IntoIterator<Item = PathBuf>) {
        for file in files {
            let Some(folder) = file.parent() else { continue };
            if self.trees.iter().any(|(t, _)| folder.starts_with(t)) {
                continue;
            }
            let now = identity(folder);
            let known = self.folders.iter().position(|(f, _)| f == folder);
            if known.is_some_and(|i| self.folders[i].1 == now) {
                continue;
            }
            if self.inner.watch(folder, RecursiveMode::NonRecursive).is_ok() {
                match known {
                    Some(i) => self.folders[i].1 = now,
                    None => self.folders.push((folder.to_path_buf(), now)),
                }
            }
        }
    }

    /// Watches a folder again if it was deleted and created anew (its watch went with the old
    /// folder). Folders created inside a watched one are picked up by the watcher itself.
    pub(crate) fn refresh(&mut self) {
        for (tree, id) in &mut self.trees {
            let now = identity(tree);
            if now.is_some() && now != *id && self.inner.watch(tree.as_path(), RecursiveMode::Recursive).is_ok() {
                *id = now;
            }
        }
    }
}

/// Watches the handbook folder itself (for book.toml and folders appearing), and `trees`
/// recursively. The rest of the folder (the output, `.git`, `target/`...) is never watched:
/// it can hold far more folders than the system allows watches for.
pub(crate) fn watch(root: &Path, trees: Vec<PathBuf>, output: &Path, backend: Backend) -> Result<Watcher, String> {
    watch_with(root, trees, output, backend, |handler, backend| match backend {
        Backend::Native => notify::RecommendedWatcher::new(handler, notify::Config::default())
            .map(|w| Box::new(w) as Box<dyn notify::Watcher + Send>),
        // Contents are compared, not only modification times: the poller keeps those to the
        // second, and a second save within the same second would be missed.
        Backend::Poll => notify::PollWatcher::new(
            handler,
            notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true),
        )
        .map(|w| Box::new(w) as Box<dyn notify::Watcher + Send>),
    })
}

/// The event handler a watcher is built with.
type Handler = Box<dyn FnMut(notify::Result<notify::Event>) + Send>;

/// `watch` with the watcher made by `make` (the seam the tests use to inject failures).
fn watch_with(
    root: &Path,
    trees: Vec<PathBuf>,
    output: &Path,
    backend: Backend,
    make: impl FnOnce(Handler, Backend) -> notify::Result<Box<dyn notify::Watcher + Send>>,
) -> Result<Watcher, String> {
    let (tx, rx) = channel();
    let handler = handler(tx, root.to_path_buf(), output.to_path_buf(), backend);
    let cannot = |dir: &Path, e: &notify::Error| format!("cannot watch {}: {}", dir.display(), describe(e, backend));
    let mut inner = make(handler, backend).map_err(|e| cannot(root, &e))?;
    inner.watch(root, RecursiveMode::NonRecursive).map_err(|e| cannot(root, &e))?;
    let mut watched = Vec::new();
    for tree in trees {
        let id = identity(&tree);
        if id.is_some() {
            inner.watch(&tree, RecursiveMode::Recursive).map_err(|e| cannot(&tree, &e))?;
        }
        watched.push((tree, id));
    }
    Ok(Watcher { inner, trees: watched, folders: Vec::new(), changes: rx })
}

/// Turns the watcher's events into messages, dropping noise before it can delay a batch:
/// reading a file is an event too, and every build reads every page.
fn handler(tx: Sender<Message>, root: PathBuf, output: PathBuf, backend: Backend) -> Handler {
    Box::new(move |result| {
        let event = match result {
            Ok(event) => event,
            Err(e) => {
                let _ = tx.send(Message::Failed(describe(&e, backend)));
                return;
            }
        };
        if event.need_rescan() {
            let _ = tx.send(Message::Rescan);
            return;
        }
        if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)) {
            return;
        }
        for path in event.paths {
            if !is_ignored(&root, &output, &path) {
                let _ = tx.send(Message::Changed(path));
            }
        }
    })
}

/// A watcher error in words, with the way out when a system limit is the cause.
fn describe(e: &notify::Error, backend: Backend) -> String {
    let limit = |name: &str| {
        format!(
            "the system's limit on watched folders is reached (raise it with `sudo sysctl {name}=524288`, \
             or run `stagebook serve --poll`, which needs no watches)"
        )
    };
    match &e.kind {
        ErrorKind::MaxFilesWatch => limit("fs.inotify.max_user_watches"),
        // inotify_init: too many watchers already (EMFILE), counted per user.
        ErrorKind::Io(io) if backend == Backend::Native && io.raw_os_error() == Some(EMFILE) => {
            limit("fs.inotify.max_user_instances")
        }
        _ => e.to_string(),
    }
}

/// "Too many open files", the same number on every Unix.
const EMFILE: i32 = 24;

/// Tells a folder from one created anew at the same path.
type Identity = (u64, u64);

/// Device and inode of a folder.
#[cfg(unix)]
fn identity(dir: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().filter(|m| m.is_dir()).map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
use identity_by_time as identity;

/// Where there are no inode numbers: the folder's creation time (or, where the file system
/// keeps none, its modification time), which a folder made anew does not share.
#[cfg(any(not(unix), test))]
fn identity_by_time(dir: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    let time = meta.created().or_else(|_| meta.modified()).ok()?;
    let since = time.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Some((since.as_secs(), u64::from(since.subsec_nanos())))
}

/// Paths whose changes never need a rebuild: the output folder, hidden files and folders
/// (`.git`, staging folders), and the temporary files editors write next to the real one.
pub(crate) fn is_ignored(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return true;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    for part in rel.components() {
        let name = part.as_os_str().to_string_lossy();
        if name.starts_with('.') && name != "." && name != ".." {
            return true;
        }
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.ends_with('~')
        || name.starts_with('#')
        || name == "4913"
        || [".swp", ".swo", ".swx", ".tmp", ".bak", ".kate-swp", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_noise_is_ignored() {
        let root = Path::new("/b");
        let out = Path::new("/b/book");
        for ignored in [
            "/b/book/index.html",
            "/b/.git/HEAD",
            "/b/content/.a.md.swp",
            "/b/content/a.md~",
            "/b/content/.#a.md",
            "/b/content/4913",
            "/b/content/#a.md#",
            "/b/.book.stagebook-x/a",
            "/b/content/a.md___jb_tmp___",
        ] {
            assert!(is_ignored(root, out, Path::new(ignored)), "{ignored}");
        }
        for kept in ["/b/content/a.md", "/b/book.toml", "/b/themes/default/templates/page.html", "/b/content/img.png"] {
            assert!(!is_ignored(root, out, Path::new(kept)), "{kept}");
        }
    }

    /// A watcher that fails to watch as an exhausted inotify does.
    struct Exhausted;

    impl notify::Watcher for Exhausted {
        fn new<F: notify::EventHandler>(_: F, _: notify::Config) -> notify::Result<Self> {
            Ok(Exhausted)
        }
        fn watch(&mut self, path: &Path, _: RecursiveMode) -> notify::Result<()> {
            Err(notify::Error::new(ErrorKind::MaxFilesWatch).add_path(path.to_path_buf()))
        }
        fn unwatch(&mut self, _: &Path) -> notify::Result<()> {
            Ok(())
        }
        fn kind() -> notify::WatcherKind {
            notify::WatcherKind::NullWatcher
        }
    }

    #[test]
    fn the_inotify_limit_names_the_setting_and_the_poll_option() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let err = watch_with(root, vec![root.join("content")], &root.join("book"), Backend::Native, |_, _| {
            Ok(Box::new(Exhausted))
        })
        .err()
        .expect("watching fails");
        assert!(err.starts_with(&format!("cannot watch {}: ", root.display())), "{err}");
        assert!(err.contains("fs.inotify.max_user_watches") && err.contains("--poll"), "{err}");

        // The same limit reached later (a new folder): reported in the next batch.
        let (tx, rx) = channel();
        let watcher = Watcher { inner: Box::new(Exhausted), trees: Vec::new(), folders: Vec::new(), changes: rx };
        let mut handle = handler(tx, root.to_path_buf(), root.join("book"), Backend::Native);
        handle(Err(notify::Error::new(ErrorKind::MaxFilesWatch)));
        let batch = watcher.next(Some(Duration::from_secs(5)), QUIET).unwrap().expect("a batch");
        assert!(batch.paths.is_empty());
        assert_eq!(batch.problems.len(), 1);
        assert!(batch.problems[0].contains("fs.inotify.max_user_watches") && batch.problems[0].contains("--poll"));
        // Too many inotify instances names its own setting; other errors are passed on as they are.
        let instances = notify::Error::io(std::io::Error::from_raw_os_error(EMFILE));
        assert!(describe(&instances, Backend::Native).contains("fs.inotify.max_user_instances"));
        assert_eq!(describe(&notify::Error::generic("odd"), Backend::Native), "odd");
    }

    #[test]
    fn events_become_one_batch_without_reads_noise_or_duplicates() {
        let root = PathBuf::from("/b");
        let (tx, rx) = channel();
        let watcher = Watcher { inner: Box::new(Exhausted), trees: Vec::new(), folders: Vec::new(), changes: rx };
        let mut handle = handler(tx, root.clone(), root.join("book"), Backend::Native);
        let event = |kind, path: &str| Ok(notify::Event::new(kind).add_path(PathBuf::from(path)));
        handle(event(EventKind::Access(AccessKind::Open(AccessMode::Any)), "/b/content/read.md"));
        handle(event(EventKind::Remove(notify::event::RemoveKind::File), "/b/content/a.md"));
        handle(event(EventKind::Create(notify::event::CreateKind::File), "/b/content/a.md"));
        handle(event(EventKind::Access(AccessKind::Close(AccessMode::Write)), "/b/content/a.md"));
        handle(event(EventKind::Create(notify::event::CreateKind::File), "/b/content/.a.md.swp"));
        handle(event(EventKind::Remove(notify::event::RemoveKind::Folder), "/b/content/old"));
        handle(event(EventKind::Remove(notify::event::RemoveKind::File), "/b/content/old/x.md"));
        let batch = watcher.next(None, QUIET).unwrap().unwrap();
        let paths: Vec<&str> = batch.paths.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(paths, ["/b/content/a.md", "/b/content/old", "/b/content/old/x.md"]);
        assert_eq!(batch.files(), [Path::new("/b/content/a.md"), Path::new("/b/content/old/x.md")]);
        assert!(!batch.rescan);
        // Nothing more: waiting with a limit says so; a lost-events notice asks for a rescan.
        assert!(watcher.next(Some(Duration::from_millis(30)), QUIET).unwrap().is_none());
        handle(Ok(notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan)));
        assert!(watcher.next(None, QUIET).unwrap().unwrap().rescan);
        drop(handle);
        assert!(watcher.next(None, QUIET).is_err(), "the watcher has stopped");
    }

    #[test]
    fn a_folder_made_anew_has_another_identity_by_inode_and_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("content");
        std::fs::create_dir(&tree).unwrap();
        let (inode, time) = (identity(&tree), identity_by_time(&tree));
        assert!(inode.is_some() && time.is_some());
        assert_eq!(identity(&tree), inode, "stable while the folder stays");
        assert_eq!(identity_by_time(&tree), time);
        std::fs::remove_dir(&tree).unwrap();
        assert_eq!((identity(&tree), identity_by_time(&tree)), (None, None), "gone");
        // File times come from a clock that ticks every few milliseconds.
        std::thread::sleep(Duration::from_millis(30));
        std::fs::create_dir(&tree).unwrap();
        assert_ne!(identity_by_time(&tree), time);
        assert!(identity(&tree).is_some());
        std::fs::write(dir.path().join("file"), "x").unwrap();
        assert_eq!(identity_by_time(&dir.path().join("file")), None, "only folders");
    }
}
