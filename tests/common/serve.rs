//! The real `stagebook serve` on an ephemeral loopback port, for browser tests of the preview.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Book;

/// A running `stagebook serve --port 0` in a book folder; killed on drop.
pub(crate) struct Preview {
    child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub origin: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Preview {
    /// Starts the server and waits (at most 20 s) for the line that announces its address.
    pub(crate) fn start(book: &Book) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .args(["serve", "--port", "0"])
            .current_dir(book.dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start stagebook serve");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut preview = Preview { child, origin: String::new(), lines };
        let line = preview
            .wait_for_line(Duration::from_secs(20), |l| l.starts_with("Serving http://"))
            .expect("the server announced its address");
        let url = line.trim_start_matches("Serving ").split_whitespace().next().unwrap();
        preview.origin = url.trim_end_matches('/').to_string();
        preview
    }

    /// `origin` + `path` (`path` starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The first line printed so far (or within `limit`) that `pred` accepts.
    pub(crate) fn wait_for_line(&self, limit: Duration, pred: impl Fn(&str) -> bool) -> Option<String> {
        let start = Instant::now();
        loop {
            if let Some(l) = self.lines.lock().unwrap().iter().find(|l| pred(l)) {
                return Some(l.clone());
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every line printed so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
