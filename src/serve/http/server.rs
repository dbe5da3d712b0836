//! The server thread: one `mio` poll loop owns the listener and every connection (idle
//! keep-alive connections, slow clients, event streams alike), so the thread count does not
//! grow with the number of tabs or clients. Answers come from memory, so no request waits on
//! disk and one thread keeps up with a browser's bursts.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::accept::{accept_round, Stop};
use super::access::Access;
use super::conn::{Conn, Input, Phase};
use super::head::{self, Head, Parsed};
use super::response::{Chunk, Response};
use super::routes::{route, Route};
use super::shared::Shared;

const LISTENER: Token = Token(0);
const WAKE: Token = Token(1);
const FIRST_CONN: usize = 2;

/// A request head must be complete this long after its first byte.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection with no request under way is closed after this long (browsers reconnect).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A client that takes nothing of its answer for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing connection waits for the client to read the answer and close.
const LINGER: Duration = Duration::from_secs(2);
/// Open event streams at most; more get 503 (each tab holds one).
const MAX_STREAMS: usize = 64;
/// A stream sends a comment this often, so a client that went away is noticed. Streams have
/// no lifetime: a tab left open all day gets the next save's reload on the stream it opened.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A stream whose client reads nothing is closed once this much waits for it.
const MAX_STREAM_BACKLOG: usize = 1 << 20;
/// Bytes a client may send on an event stream or a closing connection.
const MAX_DISCARD: usize = 1 << 20;
/// Timers are checked this often.
const TICK: Duration = Duration::from_millis(250);
/// Connections taken per round before other work gets a turn.
const ACCEPT_BUDGET: usize = 64;

const STREAM_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
const REFUSED: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
const TIMED_OUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

pub(crate) struct Server {
    poll: Poll,
    listener: TcpListener,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    open: usize,
    max_conns: usize,
    streams: usize,
    shared: Arc<Shared>,
    access: Access,
    /// When to accept again after a full round or an accept error.
    accept_at: Option<Instant>,
    /// The last accept error was reported (once per spell of errors).
    accept_failing: bool,
}

impl Server {
    pub(crate) fn new(
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
        access: Access,
        max_conns: usize,
    ) -> io::Result<Server> {
        listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(listener);
        let poll = Poll::new()?;
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
        shared.set_waker(Waker::new(poll.registry(), WAKE)?);
        Ok(Server {
            poll,
            listener,
            conns: Vec::new(),
            free: Vec::new(),
            open: 0,
            max_conns,
            streams: 0,
            shared,
            access,
            accept_at: None,
            accept_failing: false,
        })
    }

    /// Serves until the process ends.
    pub(crate) fn run(mut self) {
        let mut events = Events::with_capacity(256);
        let mut last_tick = Instant::now();
        loop {
            let now = Instant::now();
            let timeout = match self.accept_at {
                Some(at) => at.saturating_duration_since(now).min(TICK),
                None => TICK,
            };
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() != io::ErrorKind::Interrupted {
                    // Nothing sensible is left to do but try again a moment later.
                    std::thread::sleep(TICK);
                }
                continue;
            }
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKE => self.deliver(),
                    Token(t) => self.drive(t - FIRST_CONN),
                }
            }
            let now = Instant::now();
            if self.accept_at.is_some_and(|at| at <= now) {
                self.accept();
            }
            if now.duration_since(last_tick) >= TICK {
                last_tick = now;
                self.deliver();
                self.tick(now);
            }
        }
    }

    fn accept(&mut self) {
        self.accept_at = None;
        let mut taken = Vec::new();
        let listener = &self.listener;
        let stop = accept_round(ACCEPT_BUDGET, || listener.accept().map(|(s, _)| s), |s| taken.push(s));
        for stream in taken {
            self.admit(stream);
        }
        match stop {
            Stop::Drained => self.accept_failing = false,
            Stop::Budget => self.accept_at = Some(Instant::now()),
            Stop::Backoff(delay, _, message) => {
                if !self.accept_failing {
                    eprintln!("warning: cannot accept connections ({message}); trying again");
                    self.accept_failing = true;
                }
                self.accept_at = Some(Instant::now() + delay);
            }
        }
    }

    /// Takes a new connection. At the limit, the longest-idle connection makes room; when none
    /// is idle the newcomer is told to come back.
    fn admit(&mut self, stream: TcpStream) {
        if self.open >= self.max_conns && !self.evict_idle() {
            let mut conn = Conn::new(stream, Instant::now());
            conn.try_send(REFUSED);
            return;
        }
        let _ = stream.set_nodelay(true);
        let index = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        let mut conn = Conn::new(stream, Instant::now());
        let registered = self.poll.registry().register(
            &mut conn.stream,
            Token(index + FIRST_CONN),
            Interest::READABLE | Interest::WRITABLE,
        );
        if registered.is_err() {
            self.free.push(index);
            return;
        }
        self.conns[index] = Some(conn);
        self.open += 1;
        self.drive(index);
    }

    fn evict_idle(&mut self) -> bool {
        let oldest = self
            .conns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().filter(|c| c.is_idle()).map(|c| (c.last_active, i)))
            .min();
        match oldest {
            Some((_, index)) => {
                self.close(index);
                true
            }
            None => false,
        }
    }

    fn close(&mut self, index: usize) {
        if let Some(mut conn) = self.conns.get_mut(index).and_then(Option::take) {
            if matches!(conn.phase, Phase::Stream { .. }) {
                self.streams -= 1;
            }
            let _ = self.poll.registry().deregister(&mut conn.stream);
            self.free.push(index);
            self.open -= 1;
        }
    }

    /// Moves a connection on as far as it can go without waiting; closes it when it is done.
    fn drive(&mut self, index: usize) {
        let now = Instant::now();
        let keep = match self.conns.get_mut(index).and_then(Option::as_mut) {
            Some(conn) => step(conn, now, &self.shared, &self.access, &mut self.streams),
            None => return,
        };
        if !keep {
            self.close(index);
        }
    }

    /// Hands waiting events to the open streams.
    fn deliver(&mut self) {
        let pending = self.shared.take_pending();
        if pending.is_empty() {
            return;
        }
        for index in 0..self.conns.len() {
            let Some(conn) = self.conns[index].as_mut() else { continue };
            if let Phase::Stream { since, next_ping } = conn.phase {
                let mut last = since;
                for (seq, message) in pending.iter().filter(|(seq, _)| *seq > since) {
                    conn.queue(Chunk::Text(message.clone()));
                    last = *seq;
                }
                conn.phase = Phase::Stream { since: last, next_ping };
                self.drive(index);
            }
        }
    }

    /// Timers: heads too slow, idle connections, stalled clients, heartbeats.
    fn tick(&mut self, now: Instant) {
        for index in 0..self.conns.len() {
            let Some(conn) = self.conns[index].as_mut() else { continue };
            let keep = match conn.phase {
                Phase::Reading => match conn.head_started {
                    Some(started) if now.duration_since(started) > HEAD_TIMEOUT => {
                        conn.try_send(TIMED_OUT);
                        false
                    }
                    Some(_) => true,
                    None => now.duration_since(conn.last_active) <= IDLE_TIMEOUT,
                },
                Phase::Writing { .. } => now.duration_since(conn.last_active) <= WRITE_TIMEOUT,
                Phase::Stream { since, next_ping } => {
                    if conn.queued() > MAX_STREAM_BACKLOG {
                        false
                    } else if now >= next_ping {
                        conn.queue(Chunk::Static(b": ping\n\n"));
                        conn.phase = Phase::Stream { since, next_ping: now + HEARTBEAT };
                        self.drive(index);
                        continue;
                    } else {
                        true
                    }
                }
                Phase::Closing { until } => now < until,
            };
            if !keep {
                self.close(index);
            }
        }
    }
}

/// One connection's state machine; false when the connection is finished.
fn step(conn: &mut Conn, now: Instant, shared: &Shared, access: &Access, streams: &mut usize) -> bool {
    loop {
        match conn.phase {
            Phase::Reading => match head::parse(&conn.inbuf) {
                Parsed::Complete(head, len) => {
                    conn.inbuf.drain(..len);
                    conn.head_started = (!conn.inbuf.is_empty()).then_some(now);
                    answer(conn, &head, now, shared, access, streams);
                }
                Parsed::Partial => match conn.read_head(now) {
                    Ok(Input::Data) => continue,
                    Ok(Input::Idle) => return true,
                    Ok(Input::Closed) | Err(_) => return false,
                },
                Parsed::TooLarge => {
                    conn.inbuf.clear();
                    respond(conn, Response::text(431, "431 request head larger than 64 KB"), false, true);
                }
                Parsed::Malformed => {
                    conn.inbuf.clear();
                    respond(conn, Response::text(400, "400 bad request"), false, true);
                }
            },
            Phase::Writing { keep_alive } => match conn.flush(now) {
                Ok(true) if keep_alive => conn.phase = Phase::Reading,
                Ok(true) => {
                    conn.shutdown_write();
                    conn.phase = Phase::Closing { until: now + LINGER };
                }
                Ok(false) => return true,
                Err(_) => return false,
            },
            Phase::Stream { .. } => {
                if conn.flush(now).is_err() {
                    return false;
                }
                return matches!(conn.drain_input(MAX_DISCARD), Ok(Input::Idle | Input::Data));
            }
            Phase::Closing { .. } => return matches!(conn.drain_input(MAX_DISCARD), Ok(Input::Idle | Input::Data)),
        }
    }
}

fn answer(conn: &mut Conn, head: &Head, now: Instant, shared: &Shared, access: &Access, streams: &mut usize) {
    // Request bodies are not read: after the answer the connection closes.
    let keep_alive = head.keep_alive && !head.has_body;
    let with_body = head.method != "HEAD";
    match route(head, shared, access) {
        Route::Respond(response) => respond(conn, response, keep_alive, with_body),
        Route::Events if *streams >= MAX_STREAMS => respond(
            conn,
            Response::text(503, "503 too many live-reload connections").header("Retry-After", "5"),
            false,
            true,
        ),
        Route::Events => {
            *streams += 1;
            let (since, hello) = shared.hello();
            conn.queue(Chunk::Static(STREAM_HEAD));
            conn.queue(Chunk::Owned(hello.into_bytes()));
            conn.phase = Phase::Stream { since, next_ping: now + HEARTBEAT };
        }
    }
}

fn respond(conn: &mut Conn, response: Response, keep_alive: bool, with_body: bool) {
    conn.queue(Chunk::Owned(response.head(keep_alive)));
    if with_body {
        conn.queue(response.body);
    }
    conn.phase = Phase::Writing { keep_alive };
}
