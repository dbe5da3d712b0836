//! The real `stagebook serve --port 0` on an ephemeral loopback port, for every test of the
//! preview server: its output collected, raw HTTP over TCP, and its live-reload event stream.
//!
//! `STAGEBOOK_TEST_BIN=/path/to/stagebook cargo test --test serve_watch` (or any serve test)
//! runs the server from another build, for example the last release, to see which tests it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Book;

/// How long a wait for something that must happen lasts unless a test sets its own.
pub(crate) const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// The binary under test: `$STAGEBOOK_TEST_BIN`, else this crate's own build.
pub(crate) fn binary() -> String {
    std::env::var("STAGEBOOK_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_stagebook").to_string())
}

/// Whether a line of the server's output reports a rebuild (successful or not).
pub(crate) fn is_rebuild(line: &str) -> bool {
    line.starts_with("Rebuilt") || line.starts_with("Build failed")
}

/// How to start a [`Preview`]: built by [`Preview::launch`], run by [`Launch::start`].
pub(crate) struct Launch<'b> {
    book: &'b Book,
    args: Vec<String>,
    shell_prefix: Option<String>,
    wait: Duration,
}

impl Launch<'_> {
    /// Extra arguments after `serve --port 0`.
    pub(crate) fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    /// Runs the server through `sh -c '<prefix> && exec "$0" "$@"'`, for example to set ulimits.
    pub(crate) fn shell_prefix(mut self, prefix: &str) -> Self {
        self.shell_prefix = Some(prefix.to_string());
        self
    }

    /// The longest wait for the address line, a reply, an event or an output line.
    pub(crate) fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Starts the server and waits for the line that announces its address.
    pub(crate) fn start(self) -> Preview {
        let mut command = match &self.shell_prefix {
            None => Command::new(binary()),
            Some(prefix) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("{prefix} && exec \"$0\" \"$@\""), &binary()]);
                sh
            }
        };
        let mut child = command
            .args(["serve", "--port", "0"])
            .args(&self.args)
            .current_dir(self.book.dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start stagebook serve");
        let out = collect(child.stdout.take().unwrap());
        let err = collect(child.stderr.take().unwrap());
        let wait = self.wait;
        let mut preview =
            Preview { child, addr: SocketAddr::from(([127, 0, 0, 1], 0)), origin: String::new(), out, err, wait };
        let line = preview
            .wait_for(0, |l| l.starts_with("Serving http://"))
            .unwrap_or_else(|| panic!("the server did not announce its address: {}", preview.stderr()));
        let url = line.trim_start_matches("Serving ").split_whitespace().next().unwrap();
        preview.origin = url.trim_end_matches('/').to_string();
        preview.addr = preview.origin.trim_start_matches("http://").parse().expect("address in the Serving line");
        preview
    }
}

/// A running `stagebook serve --port 0` in a book folder; killed on drop.
pub(crate) struct Preview {
    child: Child,
    /// The address the server listens on.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub origin: String,
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<String>>>,
    wait: Duration,
}

fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

impl Preview {
    /// A server with default settings; see [`Launch`] for the others.
    pub(crate) fn launch(book: &Book) -> Launch<'_> {
        Launch { book, args: Vec::new(), shell_prefix: None, wait: DEFAULT_WAIT }
    }

    /// Starts a server with default settings.
    pub(crate) fn start(book: &Book) -> Preview {
        Preview::launch(book).start()
    }

    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `origin` + `path` (`path` starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Every stdout line printed so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.out.lock().unwrap().clone()
    }

    /// Everything printed on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.err.lock().unwrap().join("\n")
    }

    /// The first stdout line from index `from` on that `pred` accepts, waiting for it at most
    /// the launch's wait.
    pub(crate) fn wait_for(&self, from: usize, pred: impl Fn(&str) -> bool) -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < self.wait {
            if let Some(l) = self.out.lock().unwrap().iter().skip(from).find(|l| pred(l)) {
                return Some(l.clone());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// How many rebuild lines the server has printed so far.
    pub(crate) fn rebuilds(&self) -> usize {
        self.out.lock().unwrap().iter().filter(|l| is_rebuild(l)).count()
    }

    /// Waits for a first rebuild line after line `from`, then until the server has printed
    /// nothing for `settle`; returns the rebuild lines printed since `from`.
    pub(crate) fn rebuilds_after(&self, from: usize, settle: Duration) -> Vec<String> {
        self.wait_for(from, is_rebuild).unwrap_or_else(|| panic!("no rebuild: {:?}", self.lines()));
        let mut seen = self.lines().len();
        let mut quiet_since = Instant::now();
        let start = Instant::now();
        while quiet_since.elapsed() < settle && start.elapsed() < self.wait {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.lines().len();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
        self.lines().into_iter().skip(from).filter(|l| is_rebuild(l)).collect()
    }

    /// The server process's thread count, from /proc.
    pub(crate) fn threads(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    pub(crate) fn assert_alive_without_panic(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "the server exited");
        let errors = self.stderr();
        assert!(!errors.contains("panicked"), "{errors}");
    }

    /// A new connection, with the launch's wait as read timeout.
    pub(crate) fn connect(&self) -> TcpStream {
        let s = TcpStream::connect_timeout(&self.addr, self.wait).expect("connect");
        s.set_read_timeout(Some(self.wait)).unwrap();
        s
    }

    /// Sends `head` (request line and headers, without the final blank line) with
    /// `Connection: close` and reads the whole reply.
    pub(crate) fn request(&self, head: &str) -> Reply {
        let mut s = self.connect();
        write!(s, "{head}\r\nConnection: close\r\n\r\n").unwrap();
        read_reply(&mut s)
    }

    /// A request with the given method and target (as sent, unchecked) and this server's Host.
    pub(crate) fn raw(&self, method: &str, target: &str) -> Reply {
        self.request(&format!("{method} {target} HTTP/1.1\r\nHost: {}", self.addr))
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.raw("GET", path)
    }

    /// Opens an event stream with the given extra headers (each ending in `\r\n`); returns the
    /// status and, when it is 200, the stream after its hello event.
    pub(crate) fn open_events(&self, extra: &str) -> (u16, Option<Events>) {
        let mut s = self.connect();
        write!(s, "GET /__stagebook/events HTTP/1.1\r\nHost: {}\r\n{extra}\r\n", self.addr).unwrap();
        let mut reader = BufReader::new(s);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status = status_code(&status_line);
        if status != 200 {
            return (status, None);
        }
        reader.get_ref().set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut events = Events { reader, hello: String::new() };
        let (event, data) = events.next(self.wait).expect("hello event");
        assert_eq!(event, "hello");
        events.hello = data;
        (status, Some(events))
    }

    /// An event stream without extra headers, after its hello event.
    pub(crate) fn events(&self) -> Events {
        let (status, events) = self.open_events("");
        events.unwrap_or_else(|| panic!("event stream refused with {status}"))
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A whole HTTP reply, split at the blank line.
pub(crate) struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

fn status_code(line: &str) -> u16 {
    line.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// Reads until the server closes `s` (a reset counts as the end) and splits the reply.
pub(crate) fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Reply { status: status_code(head), head: head.to_string(), body: body.to_string() }
}

/// The live-reload event stream of one client.
pub(crate) struct Events {
    reader: BufReader<TcpStream>,
    /// The data of the hello event the server sent first.
    pub hello: String,
}

impl Events {
    /// The next `(event, data)`, or None after `timeout` or at the end of the stream.
    /// Comments (heartbeats) are skipped.
    pub(crate) fn next(&mut self, timeout: Duration) -> Option<(String, String)> {
        let start = Instant::now();
        let (mut event, mut data) = (String::new(), String::new());
        let mut line = String::new();
        while start.elapsed() < timeout {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {
                    let l = line.trim_end_matches(['\r', '\n']);
                    if let Some(e) = l.strip_prefix("event: ") {
                        event = e.to_string();
                    } else if let Some(d) = l.strip_prefix("data: ") {
                        data = d.to_string();
                    } else if l.is_empty() && !event.is_empty() {
                        return Some((event, data));
                    }
                }
                Err(_) => continue, // read timeout: keep waiting
            }
        }
        None
    }
}
