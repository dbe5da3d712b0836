//! The preview server's HTTP layer under a working day's conditions: long idle spells, many
//! idle and slow connections, oversized heads, a small open-file limit, and requests from
//! pages that are not the developer's own. Each test runs the real binary over plain TCP.

mod common;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Book;

const WAIT: Duration = Duration::from_secs(10);

/// A running `stagebook serve --port 0`, with its output collected.
struct Serve {
    child: Child,
    addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
    errors: Arc<Mutex<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    fn start(book: &Book, extra: &[&str]) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stagebook"));
        command.args(["serve", "--port", "0"]).args(extra);
        Serve::spawn(book, command)
    }

    /// Starts the server with both open-file limits set to `limit`.
    fn start_with_open_files(book: &Book, limit: u32) -> Serve {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            &format!("ulimit -Sn {limit} && ulimit -Hn {limit} && exec \"$0\" serve --port 0"),
            env!("CARGO_BIN_EXE_stagebook"),
        ]);
        Serve::spawn(book, command)
    }

    fn spawn(book: &Book, mut command: Command) -> Serve {
        let mut child = command
            .current_dir(book.dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start stagebook serve");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(String::new()));
        let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let sink = errors.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let started = Instant::now();
        let url = loop {
            if let Some(l) = lines.lock().unwrap().iter().find(|l| l.starts_with("Serving http://")) {
                break l.clone();
            }
            assert!(started.elapsed() < WAIT, "server did not announce its URL");
            std::thread::sleep(Duration::from_millis(20));
        };
        let addr = url.trim_start_matches("Serving http://").split('/').next().unwrap().parse().unwrap();
        Serve { child, addr, lines, errors }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn threads(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn assert_alive_without_panic(&mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "the server exited");
        let errors = self.errors.lock().unwrap();
        assert!(!errors.contains("panicked"), "{errors}");
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect_timeout(&self.addr, WAIT).expect("connect");
        s.set_read_timeout(Some(WAIT)).unwrap();
        s
    }

    /// Sends `head` (request line and headers, without the final blank line) with
    /// `Connection: close` and reads the whole reply.
    fn request(&self, head: &str) -> Reply {
        let mut s = self.connect();
        write!(s, "{head}\r\nConnection: close\r\n\r\n").unwrap();
        read_reply(&mut s)
    }

    fn get(&self, path: &str) -> Reply {
        self.request(&format!("GET {path} HTTP/1.1\r\nHost: {}", self.addr))
    }

    /// Opens an event stream with the given extra headers; returns the status and, when it is
    /// 200, the stream (after its hello).
    fn events(&self, extra: &str) -> (u16, Option<Events>) {
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
        let mut events = Events { reader };
        assert_eq!(events.next(WAIT).expect("hello").0, "hello");
        (status, Some(events))
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

fn status_code(line: &str) -> u16 {
    line.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

fn read_reply(s: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Reply { status: status_code(head), head: head.to_string(), body: body.to_string() }
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The next `(event, data)`, or None after `timeout`. Comments (heartbeats) are skipped.
    fn next(&mut self, timeout: Duration) -> Option<(String, String)> {
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
                Err(_) => continue,
            }
        }
        None
    }
}

/// Whether the server has closed `s` (or answered it and closed): reads without waiting long.
fn closed_by_server(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let mut buf = [0u8; 256];
    match s.read(&mut buf) {
        Ok(_n) => true, // EOF, or an answer (503/408) before closing
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

#[test]
fn after_35_idle_seconds_pages_are_served_and_a_save_reaches_the_open_tab() {
    let book = Book::fixture("basic");
    let mut serve = Serve::start(&book, &[]);
    let (_, events) = serve.events("");
    let mut events = events.unwrap();
    // A browser's keep-alive connection, used once and then left idle.
    let mut kept = serve.connect();
    write!(kept, "GET /guide/setup/ HTTP/1.1\r\nHost: {}\r\n\r\n", serve.addr).unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    std::thread::sleep(Duration::from_secs(35));

    assert_eq!(serve.get("/").status, 200, "a new connection after the idle spell");
    let text = book.read("content/guide/setup.md").replace("Run the installer.", "Run the RESTED installer.");
    book.write("content/guide/setup.md", text);
    let (event, data) = events.next(WAIT).expect("the save reaches the stream opened before the idle spell");
    assert_eq!(event, "reload", "{data}");
    assert!(serve.get("/guide/setup/").body.contains("Run the RESTED installer."));
    assert!(serve.lines.lock().unwrap().iter().any(|l| l.starts_with("Rebuilt 1 page")));
    serve.assert_alive_without_panic();
}

#[test]
fn idle_and_slow_clients_and_fifty_streams_leave_threads_bounded_and_pages_answered() {
    let book = Book::fixture("basic");
    let mut serve = Serve::start(&book, &[]);
    let idle: Vec<TcpStream> = (0..200).map(|_| serve.connect()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    // Twenty clients sending one header byte a second, all from one thread.
    let slow = {
        let mut clients: Vec<TcpStream> = (0..20).map(|_| serve.connect()).collect();
        let stop = stop.clone();
        let head = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: {}\r\n\r\n", serve.addr, "s".repeat(40));
        std::thread::spawn(move || {
            for byte in head.bytes() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                for c in &mut clients {
                    let _ = c.write_all(&[byte]);
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let streams: Vec<Events> = (0..50).map(|_| serve.events("").1.expect("stream opened")).collect();
    std::thread::sleep(Duration::from_secs(2));

    let threads = serve.threads();
    let started = Instant::now();
    let page = serve.get("/guide/setup/");
    let took = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    slow.join().unwrap();
    assert!(threads <= 64, "{threads} threads with 270 open connections");
    assert_eq!(page.status, 200);
    assert!(took < Duration::from_secs(10), "GET took {took:?} under load");
    assert_eq!(streams.len(), 50);
    drop(idle);
    serve.assert_alive_without_panic();
}

#[test]
fn a_head_over_64_kb_gets_431() {
    let book = Book::fixture("basic");
    let mut serve = Serve::start(&book, &[]);
    let mut s = serve.connect();
    let head = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Big: {}\r\n\r\n", serve.addr, "a".repeat(70 * 1024));
    let _ = s.write_all(head.as_bytes());
    let reply = read_reply(&mut s);
    assert_eq!(reply.status, 431, "{}", reply.head);
    // Just under the limit is fine.
    let ok = serve.request(&format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Big: {}", serve.addr, "a".repeat(60 * 1024)));
    assert_eq!(ok.status, 200);
    serve.assert_alive_without_panic();
}

#[test]
fn a_head_not_completed_within_10_seconds_is_closed() {
    let book = Book::fixture("basic");
    let mut serve = Serve::start(&book, &[]);
    let mut s = serve.connect();
    let head = format!("GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: {}\r\n\r\n", serve.addr, "s".repeat(40));
    let started = Instant::now();
    let mut closed_at = None;
    for byte in head.bytes() {
        if s.write_all(&[byte]).is_err() || closed_by_server(&mut s) {
            closed_at = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let closed_at = closed_at.expect("the slow head was never cut off");
    assert!(closed_at >= Duration::from_secs(9) && closed_at <= Duration::from_secs(13), "closed after {closed_at:?}");
    assert_eq!(serve.get("/").status, 200);
    serve.assert_alive_without_panic();
}

#[test]
fn three_hundred_connections_under_256_open_files_do_not_break_the_server() {
    let book = Book::fixture("basic");
    let mut serve = Serve::start_with_open_files(&book, 256);
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..300 {
        match TcpStream::connect_timeout(&serve.addr, Duration::from_secs(2)) {
            Ok(s) => held.push(s),
            Err(_) => refused += 1,
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    // While they are held, a new request still gets an answer (idle connections make room).
    assert_eq!(serve.get("/").status, 200);
    let closed = held.iter_mut().map(closed_by_server).filter(|c| *c).count();
    assert!(refused + closed >= 300 - 256, "{refused} refused and {closed} closed of 300");
    serve.assert_alive_without_panic();
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(serve.get("/guide/setup/").status, 200);
    serve.assert_alive_without_panic();
}

#[test]
fn hosts_other_than_the_servers_own_names_get_403() {
    let book = Book::fixture("basic");
    let serve = Serve::start(&book, &[]);
    let port = serve.port();
    let evil = serve.request("GET / HTTP/1.1\r\nHost: evil.example");
    assert_eq!(evil.status, 403);
    assert_eq!(evil.body.trim_end().lines().count(), 1, "one line: {}", evil.body);
    assert!(evil.body.contains("evil.example") && evil.body.contains("--allow-host"), "{}", evil.body);
    assert_eq!(serve.request(&format!("GET / HTTP/1.1\r\nHost: evil.example:{port}")).status, 403);
    assert_eq!(serve.request("GET / HTTP/1.1\r\nHost: preview.test").status, 403);
    assert_eq!(serve.request("GET / HTTP/1.1").status, 403, "no Host at all");
    for host in
        [format!("LOCALHOST.:{port}"), "localhost".to_string(), format!("127.0.0.1:{port}"), format!("[::1]:{port}")]
    {
        assert_eq!(serve.request(&format!("GET / HTTP/1.1\r\nHost: {host}")).status, 200, "{host}");
    }
    // --allow-host adds names (any case, trailing dot, with or without port).
    let allowing = Serve::start(&book, &["--allow-host", "preview.test", "--allow-host", "Docs.Example"]);
    let port = allowing.port();
    for host in [format!("Preview.Test.:{port}"), "docs.example".to_string(), format!("localhost:{port}")] {
        assert_eq!(allowing.request(&format!("GET / HTTP/1.1\r\nHost: {host}")).status, 200, "{host}");
    }
    assert_eq!(allowing.request("GET / HTTP/1.1\r\nHost: evil.example").status, 403);
}

#[test]
fn foreign_origins_cannot_use_the_live_reload_channel() {
    let book = Book::fixture("basic");
    let serve = Serve::start(&book, &[]);
    let port = serve.port();
    assert_eq!(serve.events("Origin: null\r\n").0, 403);
    assert_eq!(serve.events("Origin: http://evil.example\r\n").0, 403);
    assert_eq!(serve.events(&format!("Origin: http://evil.example:{port}\r\n")).0, 403);
    let script = serve.request(&format!(
        "GET /__stagebook/livereload.js HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example"
    ));
    assert_eq!(script.status, 403);
    assert!(!script.body.contains("EventSource"));
    // The server's own pages, and requests without Origin, are served.
    assert_eq!(serve.events(&format!("Origin: http://127.0.0.1:{port}\r\n")).0, 200);
    assert_eq!(serve.events(&format!("Origin: http://localhost:{port}\r\n")).0, 200);
    assert_eq!(serve.events("").0, 200);
    let script = serve.get("/__stagebook/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("EventSource"));
    // Site pages themselves are not origin-checked (a link from elsewhere may open them).
    assert_eq!(serve.request(&format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: null")).status, 200);
}
