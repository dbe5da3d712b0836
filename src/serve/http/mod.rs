//! The preview server's HTTP layer. Everything about how requests are received and answered
//! lives behind this module's few functions ([`bind`], [`start`]) and [`Shared`], so the rest
//! of `serve` does not depend on the implementation.
//!
//! The implementation: one thread runs a `mio` poll loop over the listener and all
//! connections, each a non-blocking state machine ([`conn`]); heads are parsed by `httparse`
//! and bounded ([`head`]); answers come from the in-memory site ([`routes`]). The process
//! thus has a fixed number of threads however many tabs, idle connections or slow clients
//! there are, and the connection count is capped below the open-file limit ([`limits`]).
//! tiny_http 0.12, used before, ended its accept loop on the first accept error, panicked
//! when out of descriptors, and started one thread per connection.

mod accept;
mod access;
mod conn;
mod head;
mod limits;
mod response;
mod routes;
mod server;
mod shared;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

pub(crate) use shared::Shared;

/// A bound listening socket, not yet serving.
pub(crate) struct Listener(TcpListener);

/// Binds the listener: `port`, or the next free one of the following ten when it is taken
/// (port 0 lets the system choose). Returns the listener and a note when it fell back.
pub(crate) fn bind(ip: IpAddr, port: u16) -> std::io::Result<(Listener, SocketAddr, Option<String>)> {
    let mut last_error = None;
    let candidates: Vec<u16> = if port == 0 { vec![0] } else { (0..=10).filter_map(|i| port.checked_add(i)).collect() };
    for candidate in candidates {
        match listen(SocketAddr::new(ip, candidate)) {
            Ok(listener) => {
                let addr = listener.local_addr()?;
                let note = (candidate != port && port != 0)
                    .then(|| format!("port {port} is in use; serving on {} instead", addr.port()));
                return Ok((Listener(listener), addr, note));
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
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Starts serving `shared` on its own thread. Requests must name this server in `Host`:
/// localhost, 127.0.0.1, [::1], the bind address, or one of `allow_hosts`.
pub(crate) fn start(
    listener: Listener,
    shared: Arc<Shared>,
    allow_hosts: &[String],
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let addr = listener.0.local_addr()?;
    let access = access::Access::new(addr.ip(), addr.port(), allow_hosts);
    let max_conns = limits::max_connections(limits::raise_open_files());
    let server = server::Server::new(listener.0, shared, access, max_conns)?;
    std::thread::Builder::new().name("stagebook-http".into()).spawn(move || server.run())
}
