//! Who may talk to the preview: only the developer's own browser. A page on another site can
//! point its own domain at 127.0.0.1 (DNS rebinding) and read the preview; its requests carry
//! that domain in `Host`, so the Host must name this server. Cross-origin pages could also
//! listen to the live-reload stream, so `/__stagebook/` requests with a foreign `Origin` are
//! refused too.

use std::net::IpAddr;

/// The names this server answers to, and its port.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    names: Vec<String>,
    port: u16,
}

impl Access {
    /// `localhost`, `127.0.0.1`, `[::1]`, the bind address and the `--allow-host` names.
    pub(crate) fn new(bind: IpAddr, port: u16, allow_hosts: &[String]) -> Access {
        let bind = match bind {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]", &bind].iter().map(|s| s.to_string()).collect();
        names.extend(allow_hosts.iter().filter_map(|h| split_host(h.trim()).map(|(name, _)| name)));
        names.sort();
        names.dedup();
        Access { names, port }
    }

    /// A `Host` header naming this server (any case, trailing dot ignored, with or without port).
    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        split_host(host).is_some_and(|(name, _)| self.names.contains(&name))
    }

    /// An `Origin` header equal to this server's own origin: `http://<allowed name>:<port>`.
    /// `null` (sandboxed frames, file:// pages) and every other origin are refused.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        let Some(authority) = origin.strip_prefix("http://") else { return false };
        match split_host(authority) {
            Some((name, port)) => self.names.contains(&name) && port.unwrap_or(80) == self.port,
            None => false,
        }
    }
}

/// `name[:port]` -> lower-case name without a trailing dot, and the port if one was given.
/// IPv6 addresses keep their brackets. None for anything malformed.
fn split_host(value: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = if value.starts_with('[') {
        let end = value.find(']')?;
        let rest = &value[end + 1..];
        let port = if rest.is_empty() { None } else { Some(rest.strip_prefix(':')?) };
        (&value[..=end], port)
    } else {
        match value.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (value, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'[' | b']' | b':'));
    valid.then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        Access::new("127.0.0.1".parse().unwrap(), 3000, &["Preview.Test.".to_string()])
    }

    #[test]
    fn local_names_pass_in_any_case_with_or_without_port_or_trailing_dot() {
        let a = access();
        for host in [
            "localhost",
            "LOCALHOST.:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "[::1]",
            "preview.test",
            "PREVIEW.test.:81",
        ] {
            assert!(a.host_allowed(host), "{host}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        let a = access();
        for host in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.2",
            "",
            ":3000",
            "::1",
            "[::1",
            "local host",
        ] {
            assert!(!a.host_allowed(host), "{host}");
        }
    }

    #[test]
    fn the_bind_address_is_a_name_of_the_server() {
        let a = Access::new("::1".parse().unwrap(), 8000, &[]);
        assert!(a.host_allowed("[::1]:8000"));
        let a = Access::new("192.168.1.5".parse().unwrap(), 8000, &[]);
        assert!(a.host_allowed("192.168.1.5:8000"));
        assert!(!a.host_allowed("192.168.1.6:8000"));
    }

    #[test]
    fn only_the_servers_own_origin_passes() {
        let a = access();
        for ok in ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000", "http://preview.test:3000"] {
            assert!(a.origin_allowed(ok), "{ok}");
        }
        for bad in [
            "null",
            "http://evil.example",
            "http://evil.example:3000",
            "https://localhost:3000",
            "http://localhost:3001",
            "http://localhost",
            "file://",
            "",
        ] {
            assert!(!a.origin_allowed(bad), "{bad}");
        }
    }
}
