//! The preview server's HTTP layer under a working day's conditions: long idle spells, many
//! idle and slow connections, oversized heads, a small open-file limit, and requests from
//! pages that are not the developer's own. Each test runs the real binary over plain TCP.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::serve::{read_reply, Events, Preview, DEFAULT_WAIT as WAIT};
use common::Book;

/// Starts the server with both open-file limits set to `limit`.
fn start_with_open_files(book: &Book, limit: u32) -> Preview {
    Preview::launch(book).shell_prefix(&format!("ulimit -Sn {limit} && ulimit -Hn {limit}")).start()
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
    let mut serve = Preview::start(&book);
    let (_, events) = serve.open_events("");
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
    let from = serve.lines().len();
    book.write("content/guide/setup.md", text);
    let (event, data) = events.next(WAIT).expect("the save reaches the stream opened before the idle spell");
    assert_eq!(event, "reload", "{data}");
    assert!(serve.get("/guide/setup/").body.contains("Run the RESTED installer."));
    // The server says "Rebuilt" after it tells the tabs, and the line reaches this process
    // through a pipe and a reader thread: under load it can come after the reload, so wait for it.
    let rebuilt = serve.wait_for(from, |l| l.starts_with("Rebuilt 1 page"));
    assert!(rebuilt.is_some(), "no \"Rebuilt 1 page\" line: {:?}", serve.lines());
    serve.assert_alive_without_panic();
}

#[test]
fn idle_and_slow_clients_and_fifty_streams_leave_threads_bounded_and_pages_answered() {
    let book = Book::fixture("basic");
    let mut serve = Preview::start(&book);
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
    let streams: Vec<Events> = (0..50).map(|_| serve.open_events("").1.expect("stream opened")).collect();
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
    let mut serve = Preview::start(&book);
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
    let mut serve = Preview::start(&book);
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
    let mut serve = start_with_open_files(&book, 256);
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
    let serve = Preview::start(&book);
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
    let allowing =
        Preview::launch(&book).args(&["--allow-host", "preview.test", "--allow-host", "Docs.Example"]).start();
    let port = allowing.port();
    for host in [format!("Preview.Test.:{port}"), "docs.example".to_string(), format!("localhost:{port}")] {
        assert_eq!(allowing.request(&format!("GET / HTTP/1.1\r\nHost: {host}")).status, 200, "{host}");
    }
    assert_eq!(allowing.request("GET / HTTP/1.1\r\nHost: evil.example").status, 403);
}

#[test]
fn foreign_origins_cannot_use_the_live_reload_channel() {
    let book = Book::fixture("basic");
    let serve = Preview::start(&book);
    let port = serve.port();
    assert_eq!(serve.open_events("Origin: null\r\n").0, 403);
    assert_eq!(serve.open_events("Origin: http://evil.example\r\n").0, 403);
    assert_eq!(serve.open_events(&format!("Origin: http://evil.example:{port}\r\n")).0, 403);
    let script = serve.request(&format!(
        "GET /__stagebook/livereload.js HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example"
    ));
    assert_eq!(script.status, 403);
    assert!(!script.body.contains("EventSource"));
    // The server's own pages, and requests without Origin, are served.
    assert_eq!(serve.open_events(&format!("Origin: http://127.0.0.1:{port}\r\n")).0, 200);
    assert_eq!(serve.open_events(&format!("Origin: http://localhost:{port}\r\n")).0, 200);
    assert_eq!(serve.open_events("").0, 200);
    let script = serve.get("/__stagebook/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("EventSource"));
    // Site pages themselves are not origin-checked (a link from elsewhere may open them).
    assert_eq!(serve.request(&format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: null")).status, 200);
}
