//! One client connection as a non-blocking state machine: it reads a request head, sends the
//! answer, and then waits for the next request, streams events, or closes. Nothing here
//! blocks, so one thread can look after every connection.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::time::Instant;

use mio::net::TcpStream;

use super::head::MAX_HEAD;
use super::response::Chunk;

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for (the rest of) a request head.
    Reading,
    /// Sending an answer; then reading the next request, or closing.
    Writing { keep_alive: bool },
    /// A live-reload stream: `since` is the number of the last event it has been given.
    Stream { since: u64, next_ping: Instant },
    /// The answer is sent and the write side shut. What the client still sends is read and
    /// dropped until it closes (or `until`), so closing does not reset the connection before
    /// the client has read the answer.
    Closing { until: Instant },
}

/// What reading found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Input {
    /// New bytes (for a head: appended to the buffer).
    Data,
    /// Nothing more for now.
    Idle,
    /// The client closed its side.
    Closed,
}

pub(crate) struct Conn {
    pub(crate) stream: TcpStream,
    pub(crate) phase: Phase,
    /// Received bytes of the next request head(s).
    pub(crate) inbuf: Vec<u8>,
    out: VecDeque<Chunk>,
    /// Bytes of the first chunk of `out` already sent.
    sent: usize,
    queued: usize,
    /// When the first byte of the head being read arrived.
    pub(crate) head_started: Option<Instant>,
    /// When bytes last moved either way.
    pub(crate) last_active: Instant,
}

impl Conn {
    pub(crate) fn new(stream: TcpStream, now: Instant) -> Conn {
        Conn {
            stream,
            phase: Phase::Reading,
            inbuf: Vec::new(),
            out: VecDeque::new(),
            sent: 0,
            queued: 0,
            head_started: None,
            last_active: now,
        }
    }

    /// Idle between requests: nothing received, nothing to send.
    pub(crate) fn is_idle(&self) -> bool {
        self.phase == Phase::Reading && self.inbuf.is_empty() && self.queued == 0
    }

    /// Bytes waiting to be sent.
    pub(crate) fn queued(&self) -> usize {
        self.queued
    }

    pub(crate) fn queue(&mut self, chunk: Chunk) {
        self.queued += chunk.bytes().len();
        self.out.push_back(chunk);
    }

    /// Reads what has arrived into the head buffer, at most one buffer's worth per call, so a
    /// head that keeps growing is checked against the limit as it grows.
    pub(crate) fn read_head(&mut self, now: Instant) -> io::Result<Input> {
        let mut buf = [0u8; 16 * 1024];
        let room = (MAX_HEAD + 1).saturating_sub(self.inbuf.len()).clamp(1, buf.len());
        loop {
            return match self.stream.read(&mut buf[..room]) {
                Ok(0) => Ok(Input::Closed),
                Ok(n) => {
                    if self.inbuf.is_empty() {
                        self.head_started = Some(now);
                    }
                    self.inbuf.extend_from_slice(&buf[..n]);
                    self.last_active = now;
                    Ok(Input::Data)
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Input::Idle),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
        }
    }

    /// Reads and drops whatever the client sends (event streams, closing connections), up to
    /// `budget` bytes: a client that sends more than that is not a browser and is closed.
    pub(crate) fn drain_input(&mut self, budget: usize) -> io::Result<Input> {
        let mut buf = [0u8; 16 * 1024];
        let mut total = 0;
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return Ok(Input::Closed),
                Ok(n) => {
                    total += n;
                    if total > budget {
                        return Ok(Input::Closed);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Input::Idle),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends as much of the queue as the socket takes; true when all of it is sent.
    pub(crate) fn flush(&mut self, now: Instant) -> io::Result<bool> {
        while let Some(front) = self.out.front() {
            let bytes = &front.bytes()[self.sent..];
            if bytes.is_empty() {
                self.out.pop_front();
                self.sent = 0;
                continue;
            }
            match self.stream.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.sent += n;
                    self.queued -= n;
                    self.last_active = now;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// One attempt to send `bytes` (a last word before closing); failures are ignored.
    pub(crate) fn try_send(&mut self, bytes: &[u8]) {
        let _ = self.stream.write(bytes);
    }

    pub(crate) fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}
