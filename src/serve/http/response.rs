//! Responses and the bytes that carry them. Bodies of site files are shared with the site
//! (no copy per request); the head is written by hand: the server only ever sends a status,
//! a few headers and a body of known length.

use std::sync::Arc;

use crate::output::Body;

/// Bytes queued on a connection.
#[derive(Debug, Clone)]
pub(crate) enum Chunk {
    Static(&'static [u8]),
    Shared(Body),
    Text(Arc<str>),
    Owned(Vec<u8>),
}

impl Chunk {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Chunk::Static(b) => b,
            Chunk::Shared(b) => b,
            Chunk::Text(s) => s.as_bytes(),
            Chunk::Owned(b) => b,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    headers: Vec<(&'static str, String)>,
    pub(crate) body: Chunk,
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &str, body: Chunk) -> Response {
        Response { status, headers: vec![("Content-Type", content_type.to_string())], body }
    }

    /// A one-line plain-text answer.
    pub(crate) fn text(status: u16, line: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", Chunk::Owned(format!("{line}\n").into_bytes()))
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Status line and headers. `keep_alive` says whether the connection stays open;
    /// `with_body` is false for HEAD (the length is still the body's).
    pub(crate) fn head(&self, keep_alive: bool) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n", self.body.bytes().len()));
        out.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
        out.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_states_length_and_connection() {
        let r = Response::text(404, "404 not found").header("Cache-Control", "no-store");
        let head = String::from_utf8(r.head(true)).unwrap();
        assert_eq!(
            head,
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n\
             Content-Length: 14\r\nConnection: keep-alive\r\n\r\n"
        );
        assert!(String::from_utf8(r.head(false)).unwrap().ends_with("Connection: close\r\n\r\n"));
    }
}
