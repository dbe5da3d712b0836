//! Request heads: parsed by `httparse`, bounded in size. The server has no use for request
//! bodies (it answers GET and HEAD only), so a request carrying one is answered and the
//! connection closed rather than read further.

/// A head (request line and headers) larger than this gets 431.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

/// What the server needs of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) host: Option<String>,
    pub(crate) origin: Option<String>,
    /// The client may send another request on this connection.
    pub(crate) keep_alive: bool,
    /// The request has a body (Content-Length > 0 or Transfer-Encoding).
    pub(crate) has_body: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A complete head and the number of bytes it took.
    Complete(Head, usize),
    Partial,
    TooLarge,
    Malformed,
}

/// Parses the head at the start of `buf`.
pub(crate) fn parse(buf: &[u8]) -> Parsed {
    // Browsers may send an empty line after a request body; skip leading line ends.
    let skipped = buf.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(&buf[skipped..]) {
        Ok(httparse::Status::Complete(len)) if skipped + len > MAX_HEAD => Parsed::TooLarge,
        Ok(httparse::Status::Complete(len)) => Parsed::Complete(head(&request), skipped + len),
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => Parsed::TooLarge,
        Ok(httparse::Status::Partial) => Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => Parsed::TooLarge,
        Err(_) => Parsed::Malformed,
    }
}

fn head(request: &httparse::Request) -> Head {
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let http11 = request.version == Some(1);
    let connection = header("connection").unwrap_or_default().to_ascii_lowercase();
    let tokens = || connection.split(',').map(str::trim);
    let keep_alive = if http11 { !tokens().any(|t| t == "close") } else { tokens().any(|t| t == "keep-alive") };
    let has_body = header("transfer-encoding").is_some()
        || header("content-length").is_some_and(|v| v.parse::<u64>().map_or(true, |n| n > 0));
    Head {
        method: request.method.unwrap_or_default().to_string(),
        target: request.path.unwrap_or_default().to_string(),
        host: header("host"),
        origin: header("origin"),
        keep_alive,
        has_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(raw: &str) -> (Head, usize) {
        match parse(raw.as_bytes()) {
            Parsed::Complete(head, n) => (head, n),
            other => panic!("{raw:?}: {other:?}"),
        }
    }

    #[test]
    fn a_browser_request_is_read_with_its_host_and_origin() {
        let raw = "GET /guide/?x=1 HTTP/1.1\r\nHost: localhost:3000\r\nOrigin: http://localhost:3000\r\n\r\nGET /next";
        let (head, n) = complete(raw);
        assert_eq!(n, raw.len() - "GET /next".len());
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/guide/?x=1");
        assert_eq!(head.host.as_deref(), Some("localhost:3000"));
        assert_eq!(head.origin.as_deref(), Some("http://localhost:3000"));
        assert!(head.keep_alive && !head.has_body);
    }

    #[test]
    fn connection_and_body_headers_decide_what_follows() {
        assert!(!complete("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").0.keep_alive);
        assert!(!complete("GET / HTTP/1.0\r\n\r\n").0.keep_alive);
        assert!(complete("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").0.keep_alive);
        assert!(complete("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").0.has_body);
        assert!(!complete("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").0.has_body);
        assert!(complete("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").0.has_body);
    }

    #[test]
    fn heads_are_bounded() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: x\r\n"), Parsed::Partial);
        let long = format!("GET / HTTP/1.1\r\nX-Long: {}", "a".repeat(MAX_HEAD));
        assert_eq!(parse(long.as_bytes()), Parsed::TooLarge);
        let complete_but_long = format!("{long}\r\n\r\n");
        assert_eq!(parse(complete_but_long.as_bytes()), Parsed::TooLarge);
        let many: String = (0..MAX_HEADERS + 1).map(|i| format!("X-{i}: y\r\n")).collect();
        assert_eq!(parse(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()), Parsed::TooLarge);
        assert_eq!(parse(b"\x16\x03\x01 garbage\r\n\r\n"), Parsed::Malformed);
    }
}
