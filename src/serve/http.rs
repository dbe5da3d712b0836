//! The preview server: serves the site from memory, refuses anything that is not a plain path
//! inside it, and streams rebuild events to the open tabs.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response, Server};

pub use crate::output::Files;

/// Path of the live-reload event stream and script.
pub const EVENTS_PATH: &str = "/__stagebook/events";
pub const SCRIPT_PATH: &str = "/__stagebook/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");

/// Request-handling threads. Event streams get their own threads, at most [`MAX_STREAMS`].
const WORKERS: usize = 8;
const MAX_STREAMS: usize = 64;
/// A stream sends a comment this often, so dead clients are noticed, and ends after
/// [`STREAM_LIFETIME`] (browsers reconnect by themselves).
const HEARTBEAT: Duration = Duration::from_secs(15);
const STREAM_LIFETIME: Duration = Duration::from_secs(300);
/// Idle connections are closed after this long.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server shows: the last good site, and the errors of the last build if it failed.
pub struct Shared {
    files: RwLock<Arc<Files>>,
    state: Mutex<State>,
    streams: Mutex<Vec<SyncSender<Arc<str>>>>,
    open_streams: AtomicUsize,
}

#[derive(Default)]
struct State {
    version: u64,
    errors: Vec<String>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared {
            files: RwLock::new(Arc::new(Files::new())),
            state: Mutex::new(State::default()),
            streams: Mutex::new(Vec::new()),
            open_streams: AtomicUsize::new(0),
        })
    }

    pub fn files(&self) -> Arc<Files> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A successful build: serve `files` from now on and tell the tabs to reload.
    pub fn publish(&self, files: Arc<Files>, summary: &str) {
        *self.files.write().unwrap_or_else(|e| e.into_inner()) = files;
        let version = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.version += 1;
            state.errors.clear();
            state.version
        };
        let data = serde_json::json!({ "version": version, "rebuilt": summary });
        self.broadcast(&format!("event: reload\ndata: {data}\n\n"));
    }

    /// Replaces files without telling the tabs (an updated search index).
    pub fn update(&self, changed: Files) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let mut next = (**files).clone();
        next.extend(changed);
        *files = Arc::new(next);
    }

    /// A failed build: keep serving the last good site, show the errors.
    pub fn fail(&self, errors: Vec<String>) {
        let data = serde_json::json!({ "errors": errors });
        self.state.lock().unwrap_or_else(|e| e.into_inner()).errors = errors;
        self.broadcast(&format!("event: errors\ndata: {data}\n\n"));
    }

    fn hello(&self) -> String {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let data = serde_json::json!({ "version": state.version, "errors": state.errors });
        format!("retry: 1000\nevent: hello\ndata: {data}\n\n")
    }

    fn broadcast(&self, message: &str) {
        let message: Arc<str> = Arc::from(message);
        // Streams whose client went away (or fell far behind) are dropped.
        self.streams.lock().unwrap_or_else(|e| e.into_inner()).retain(|tx| tx.try_send(message.clone()).is_ok());
    }
}

/// Binds the listener: `port`, or the next free one of the following ten when it is taken
/// (port 0 lets the system choose). Returns the server and a note when it fell back.
pub fn bind(ip: IpAddr, port: u16) -> std::io::Result<(Server, SocketAddr, Option<String>)> {
    let mut last_error = None;
    let candidates: Vec<u16> = if port == 0 { vec![0] } else { (0..=10).filter_map(|i| port.checked_add(i)).collect() };
    for candidate in candidates {
        match listen(SocketAddr::new(ip, candidate)) {
            Ok(listener) => {
                let addr = listener.local_addr()?;
                let note = (candidate != port && port != 0)
                    .then(|| format!("port {port} is in use; serving on {} instead", addr.port()));
                let server = Server::from_listener(listener, None).map_err(|e| std::io::Error::other(e.to_string()))?;
                return Ok((server, addr, note));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free port")))
}

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    // Accepted connections inherit these, so a client that connects and sends nothing (or
    // stops reading) cannot hold a connection forever.
    socket.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    socket.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

/// Serves requests on a fixed pool of threads until the server is dropped.
pub fn run(server: Arc<Server>, shared: Arc<Shared>) -> Vec<std::thread::JoinHandle<()>> {
    (0..WORKERS)
        .map(|_| {
            let server = server.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &shared);
                }
            })
        })
        .collect()
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn handle(request: Request, shared: &Arc<Shared>) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(text(405, "405 method not allowed\n").with_header(header("Allow", "GET, HEAD")));
        return;
    }
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == EVENTS_PATH {
        return stream_events(request, shared);
    }
    if path == SCRIPT_PATH {
        let _ = request.respond(
            Response::from_string(SCRIPT).with_header(header("Content-Type", "text/javascript; charset=utf-8")),
        );
        return;
    }
    let key = match site_path(path) {
        Ok(key) => key,
        Err(status) => {
            let _ = request.respond(text(status, if status == 400 { "400 bad request\n" } else { "404 not found\n" }));
            return;
        }
    };
    let files = shared.files();
    let response = match lookup(&files, &key) {
        Lookup::Found(bytes) => file_response(&key, bytes, 200),
        Lookup::Folder => Response::from_string("")
            .with_status_code(301)
            .with_header(header("Location", &format!("{}/", path.trim_end_matches('/')))),
        Lookup::Missing => match files.get("404.html") {
            Some(page) => file_response("404.html", page.clone(), 404),
            None if files.is_empty() => file_response(
                "index.html",
                Arc::from(
                    &b"<!DOCTYPE html><title>Build failed</title><body><p>The site has not been built yet.</p></body>"
                        [..],
                ),
                503,
            ),
            None => text(404, "404 not found\n"),
        },
    };
    let _ = request.respond(response.with_header(header("Cache-Control", "no-store")));
}

enum Lookup {
    Found(Arc<[u8]>),
    /// A folder asked for without its trailing slash: redirect, so relative links work.
    Folder,
    Missing,
}

fn lookup(files: &Files, key: &str) -> Lookup {
    if let Some(bytes) = files.get(key) {
        return Lookup::Found(bytes.clone());
    }
    if !key.is_empty() && !key.ends_with("index.html") && files.contains_key(&format!("{key}/index.html")) {
        return Lookup::Folder;
    }
    Lookup::Missing
}

/// Turns a request path into a key of the site, refusing anything that could name a file
/// outside it: `..` (plain or percent-encoded), encoded slashes or backslashes, NUL bytes,
/// backslashes, and anything that is not an absolute path. 400 for malformed, 404 otherwise.
pub fn site_path(path: &str) -> Result<String, u16> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(400);
    }
    let lower = path.to_ascii_lowercase();
    if path.contains('\\') || path.contains('\0') || ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return Err(400);
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().map_err(|_| 400u16)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(400);
    }
    let mut key = String::new();
    for segment in decoded.split('/').skip(1) {
        match segment {
            "." | ".." => return Err(400),
            s => {
                if !key.is_empty() {
                    key.push('/');
                }
                key.push_str(s);
            }
        }
    }
    if key.is_empty() || decoded.ends_with('/') {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key.replace("//", "/"))
}

fn file_response(key: &str, bytes: Arc<[u8]>, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", mime.essence_str()),
        _ if mime.essence_str() == "application/javascript" => "text/javascript; charset=utf-8".into(),
        _ => mime.essence_str().to_string(),
    };
    let body = if is_html { inject_script(&bytes) } else { bytes.to_vec() };
    Response::from_data(body).with_status_code(status).with_header(header("Content-Type", &content_type))
}

/// Adds the live-reload script to an HTML page (before `</body>`, else at the end).
pub fn inject_script(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Server-sent events: a `hello` with the current state, then `reload` / `errors` as builds
/// finish. Each stream runs on its own thread, at most [`MAX_STREAMS`] at once.
fn stream_events(request: Request, shared: &Arc<Shared>) {
    if shared.open_streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        shared.open_streams.fetch_sub(1, Ordering::SeqCst);
        let _ =
            request.respond(text(503, "too many live-reload connections\n").with_header(header("Retry-After", "5")));
        return;
    }
    let (tx, rx) = sync_channel::<Arc<str>>(16);
    let hello = shared.hello();
    shared.streams.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
    let shared = shared.clone();
    std::thread::spawn(move || {
        // Written by hand on the raw connection: tiny_http's response writer buffers chunked
        // bodies, which would hold events back.
        let mut out = request.into_writer();
        let _ = send_events(&mut out, &hello, &rx);
        shared.open_streams.fetch_sub(1, Ordering::SeqCst);
    });
}

fn send_events(out: &mut dyn Write, hello: &str, rx: &Receiver<Arc<str>>) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
    )?;
    out.write_all(hello.as_bytes())?;
    out.flush()?;
    let ends = Instant::now() + STREAM_LIFETIME;
    loop {
        let now = Instant::now();
        if now >= ends {
            return Ok(());
        }
        match rx.recv_timeout(HEARTBEAT.min(ends - now)) {
            Ok(message) => out.write_all(message.as_bytes())?,
            Err(RecvTimeoutError::Timeout) => out.write_all(b": ping\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_map_to_site_keys() {
        assert_eq!(site_path("/"), Ok("index.html".into()));
        assert_eq!(site_path("/guide/"), Ok("guide/index.html".into()));
        assert_eq!(site_path("/guide/setup/index.html"), Ok("guide/setup/index.html".into()));
        assert_eq!(site_path("/static/style.css"), Ok("static/style.css".into()));
        assert_eq!(site_path("/caf%C3%A9/"), Ok("café/index.html".into()));
        assert_eq!(site_path("/guide"), Ok("guide".into()));
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for bad in [
            "/../book.toml",
            "/guide/../../book.toml",
            "/%2e%2e/book.toml",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/guide%2f..%2f..%2fbook.toml",
            "/..%5cbook.toml",
            "/..\\book.toml",
            "/index.html%00.png",
            "//etc/passwd",
            "http://example.com/../x",
            "etc/passwd",
            "/./index.html",
            "/%ff%fe",
        ] {
            assert_eq!(site_path(bad), Err(400), "{bad}");
        }
    }

    #[test]
    fn folders_without_slash_redirect() {
        let mut files = Files::new();
        files.insert("guide/index.html".into(), Arc::from(&b"x"[..]));
        assert!(matches!(lookup(&files, "guide"), Lookup::Folder));
        assert!(matches!(lookup(&files, "guide/index.html"), Lookup::Found(_)));
        assert!(matches!(lookup(&files, "nope"), Lookup::Missing));
    }

    #[test]
    fn script_goes_before_the_body_end() {
        let out = inject_script(b"<html><body><p>x</p></BODY></html>");
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<p>x</p><script src=\"/__stagebook/livereload.js\"></script></BODY>"), "{out}");
    }
}
