//! A headless Chromium driven over the DevTools protocol (CDP): tabs in one profile, viewport
//! and colour scheme, real mouse clicks and key presses, script evaluation, waits, console
//! errors and an axe-core accessibility run.
//!
//! Chromium talks CDP over two pipes (`--remote-debugging-pipe`: commands on fd 3, replies
//! and events on fd 4, each message a JSON text ended by a NUL byte), so no debugging port is
//! opened and no new crate is needed (serde_json, base64). A shell `exec` moves the pipes to
//! fds 3 and 4 (no unsafe code). Every call and wait is bounded in time: a page that never
//! answers fails the test with what it was waiting for instead of hanging it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a protocol call or a wait may take unless told otherwise.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// How long a click waits for its element to hold still, in view and uncovered (within the
/// [`WAIT`] its script call has).
const CLICK_WAIT: Duration = Duration::from_secs(5);

/// The flags every test browser runs with: headless, and closed to the network except for the
/// pages a test opens (no background requests, updates, sync or QUIC).
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--allow-file-access-from-files",
    "--remote-debugging-pipe",
    "about:blank",
];

/// What the reader thread collected: replies by call id, and every event in arrival order.
#[derive(Default)]
struct Inbox {
    replies: HashMap<u64, Value>,
    events: Vec<Value>,
    closed: bool,
}

/// The pipe to the browser, shared by the test and the reader thread (which answers dialogs).
struct Connection {
    to_browser: Mutex<std::process::ChildStdin>,
    next_id: AtomicU64,
    inbox: Mutex<Inbox>,
    changed: Condvar,
    /// Per tab session: accept (`true`) or dismiss `alert`/`confirm`/`prompt` dialogs.
    dialogs: Mutex<HashMap<String, bool>>,
}

impl Connection {
    /// Sends one command and returns its id.
    fn send(&self, session: Option<&str>, method: &str, params: &Value) -> Result<u64> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        let mut pipe = self.to_browser.lock().unwrap();
        pipe.write_all(&bytes).map_err(|e| CdpError(format!("{method}: browser pipe closed: {e}")))?;
        Ok(id)
    }
}

/// One headless Chromium with its own temporary profile; closed (and the profile removed) on drop.
pub(crate) struct Browser {
    child: Child,
    conn: Arc<Connection>,
    _profile: tempfile::TempDir,
}

/// A protocol error or a wait that ran out, with what was asked.
#[derive(Debug)]
pub(crate) struct CdpError(pub String);

impl std::fmt::Display for CdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) type Result<T> = std::result::Result<T, CdpError>;

impl Browser {
    /// Starts Chromium (see [`super::chromium`]): `None` means skip, which only happens outside CI.
    pub(crate) fn launch() -> Option<Browser> {
        let path = super::chromium()?;
        Some(Browser::launch_at(&path))
    }

    pub(crate) fn launch_at(path: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        // The shell moves the stdin and stdout pipes to fds 3 and 4, where Chromium expects them.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(path)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(FLAGS)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", path.display()));
        let (cmd_write, reply_read) = (child.stdin.take().unwrap(), child.stdout.take().unwrap());
        let conn = Arc::new(Connection {
            to_browser: Mutex::new(cmd_write),
            next_id: AtomicU64::new(1),
            inbox: Mutex::new(Inbox::default()),
            changed: Condvar::new(),
            dialogs: Mutex::new(HashMap::new()),
        });
        let sink = conn.clone();
        std::thread::spawn(move || read_messages(reply_read, &sink));
        let browser = Browser { child, conn, _profile: profile };
        browser.call(None, "Browser.getVersion", json!({})).expect("chromium answers on its pipe");
        browser
    }

    /// Sends one command (to a tab's session, or to the browser) and waits for its reply.
    fn call(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        self.call_within(session, method, params, WAIT)
    }

    fn call_within(&self, session: Option<&str>, method: &str, params: Value, limit: Duration) -> Result<Value> {
        let id = self.conn.send(session, method, &params)?;
        let start = Instant::now();
        let mut inbox = self.conn.inbox.lock().unwrap();
        loop {
            if let Some(reply) = inbox.replies.remove(&id) {
                return match reply.get("error") {
                    Some(e) => Err(CdpError(format!("{method}: {e}"))),
                    None => Ok(reply.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            if inbox.closed {
                return Err(CdpError(format!("{method}: the browser went away")));
            }
            let left = limit
                .checked_sub(start.elapsed())
                .ok_or_else(|| CdpError(format!("{method}: no reply within {limit:?} ({params})")))?;
            inbox = self.conn.changed.wait_timeout(inbox, left).unwrap().0;
        }
    }

    /// The number of events received so far: a mark to wait for later ones from.
    fn event_mark(&self) -> usize {
        self.conn.inbox.lock().unwrap().events.len()
    }

    /// Waits for an event after `mark` that `pred` accepts.
    fn wait_event(&self, mark: usize, limit: Duration, what: &str, pred: impl Fn(&Value) -> bool) -> Result<Value> {
        let start = Instant::now();
        let mut inbox = self.conn.inbox.lock().unwrap();
        let mut seen = mark;
        loop {
            if let Some(e) = inbox.events[seen..].iter().find(|e| pred(e)) {
                return Ok(e.clone());
            }
            seen = inbox.events.len();
            if inbox.closed {
                return Err(CdpError(format!("{what}: the browser went away")));
            }
            let left =
                limit.checked_sub(start.elapsed()).ok_or_else(|| CdpError(format!("{what}: not within {limit:?}")))?;
            inbox = self.conn.changed.wait_timeout(inbox, left).unwrap().0;
        }
    }

    /// Lets pages download files into `dir` (each saved under its download id); see
    /// [`Browser::download`].
    pub(crate) fn allow_downloads(&self, dir: &Path) {
        self.call(
            None,
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allowAndName", "downloadPath": dir, "eventsEnabled": true }),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Runs `action` (a click, say) and returns the file name the page suggested and the bytes
    /// of the download it started. Needs [`Browser::allow_downloads`] first.
    pub(crate) fn download(&self, dir: &Path, action: impl FnOnce()) -> (String, Vec<u8>) {
        let mark = self.event_mark();
        action();
        let begin = self
            .wait_event(mark, WAIT, "a download", |e| e["method"] == "Browser.downloadWillBegin")
            .unwrap_or_else(|e| panic!("{e}"));
        let guid = begin["params"]["guid"].clone();
        let done = self
            .wait_event(mark, WAIT, "the download to finish", |e| {
                e["method"] == "Browser.downloadProgress"
                    && e["params"]["guid"] == guid
                    && e["params"]["state"] != "inProgress"
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done["params"]["state"], "completed", "download: {done}");
        let name = begin["params"]["suggestedFilename"].as_str().unwrap_or_default().to_string();
        let bytes = std::fs::read(dir.join(guid.as_str().unwrap())).expect("downloaded file");
        (name, bytes)
    }

    /// Opens a new tab (in this browser's one profile) on `about:blank`.
    pub(crate) fn new_tab(&self) -> Tab<'_> {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" })).expect("new tab");
        let target = target["targetId"].as_str().expect("targetId").to_string();
        let attached = self
            .call(None, "Target.attachToTarget", json!({ "targetId": target, "flatten": true }))
            .expect("attach to tab");
        let session = attached["sessionId"].as_str().expect("sessionId").to_string();
        let tab = Tab { browser: self, session, target };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            tab.call(domain, json!({})).unwrap_or_else(|e| panic!("{e}"));
        }
        tab
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call_within(None, "Browser.close", json!({}), Duration::from_secs(2));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_messages(pipe: std::process::ChildStdout, conn: &Connection) {
    // Ids of replies nobody waits for (dialog answers), dropped when they arrive.
    let mut ignored = Vec::new();
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(0, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if buf.last() == Some(&0) {
                    buf.pop();
                }
                let Ok(message) = serde_json::from_slice::<Value>(&buf) else { continue };
                // A page waiting on a dialog waits for nothing else: answer it at once.
                if message["method"] == "Page.javascriptDialogOpening" {
                    let session = message["sessionId"].as_str().unwrap_or_default();
                    let accept = conn.dialogs.lock().unwrap().get(session).copied().unwrap_or(false);
                    if let Ok(id) =
                        conn.send(Some(session), "Page.handleJavaScriptDialog", &json!({ "accept": accept }))
                    {
                        ignored.push(id);
                    }
                }
                let mut inbox = conn.inbox.lock().unwrap();
                match message.get("id").and_then(Value::as_u64) {
                    Some(id) if ignored.contains(&id) => ignored.retain(|i| *i != id),
                    Some(id) => {
                        inbox.replies.insert(id, message);
                    }
                    None => inbox.events.push(message),
                }
                drop(inbox);
                conn.changed.notify_all();
            }
        }
    }
    conn.inbox.lock().unwrap().closed = true;
    conn.changed.notify_all();
}

/// `prefers-color-scheme` as the page sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Light,
    Dark,
}

/// One tab, attached through its own protocol session.
pub(crate) struct Tab<'b> {
    browser: &'b Browser,
    session: String,
    target: String,
}

impl Tab<'_> {
    /// A raw protocol call in this tab's session, for anything the helpers below do not cover.
    pub(crate) fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.browser.call(Some(&self.session), method, params)
    }

    fn is_mine(&self, event: &Value, method: &str) -> bool {
        event["method"] == method && event["sessionId"] == self.session.as_str()
    }

    /// Loads `url` and waits for its `load` event (at most [`WAIT`]).
    pub(crate) fn goto(&self, url: &str) -> &Self {
        self.try_goto(url, WAIT).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Loads `url`, waiting at most `limit` for the page's `load` event; returns how long it took.
    pub(crate) fn try_goto(&self, url: &str, limit: Duration) -> Result<Duration> {
        let start = Instant::now();
        let mark = self.browser.event_mark();
        let nav = self
            .browser
            .call_within(Some(&self.session), "Page.navigate", json!({ "url": url }), limit)
            .map_err(|e| CdpError(format!("open {url}: {e}")))?;
        if let Some(err) = nav.get("errorText").and_then(Value::as_str) {
            return Err(CdpError(format!("open {url}: {err}")));
        }
        let left = limit.saturating_sub(start.elapsed());
        if let Err(e) = self
            .browser
            .wait_event(mark, left, &format!("load event of {url}"), |e| self.is_mine(e, "Page.loadEventFired"))
        {
            return Err(CdpError(format!("{e}; {}", self.loading_state())));
        }
        Ok(start.elapsed())
    }

    /// What a page that did not finish loading is still waiting for: its ready state and the
    /// scripts, styles and images that have not arrived.
    fn loading_state(&self) -> String {
        let state = self.try_eval(
            "(function () { var done = {}; performance.getEntriesByType('resource').forEach(function (r) { \
             if (r.responseEnd > 0) done[r.name] = true; }); \
             var wanted = Array.from(document.querySelectorAll('script[src], link[rel=stylesheet][href], img[src]')) \
             .map(function (e) { return e.src || e.href; }).filter(function (u) { return !done[u]; }); \
             return 'document ' + document.readyState + ', not arrived: ' + (wanted.join(' ') || 'nothing'); })()",
        );
        match state {
            Ok(v) => v.as_str().unwrap_or_default().to_string(),
            Err(e) => format!("page state unknown ({e})"),
        }
    }

    /// Reloads the page and waits for its `load` event.
    pub(crate) fn reload(&self) -> &Self {
        let mark = self.browser.event_mark();
        self.call("Page.reload", json!({})).unwrap_or_else(|e| panic!("{e}"));
        self.browser
            .wait_event(mark, WAIT, "load event after reload", |e| self.is_mine(e, "Page.loadEventFired"))
            .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Evaluates `script` (an expression; a promise is awaited) and returns its JSON value.
    pub(crate) fn try_eval(&self, script: &str) -> Result<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": script, "returnByValue": true, "awaitPromise": true, "userGesture": true }),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            let text = ex["exception"]["description"].as_str().or(ex["text"].as_str()).unwrap_or("exception");
            return Err(CdpError(format!("script failed: {text}\n{script}")));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// [`Tab::try_eval`] that panics on an exception.
    pub(crate) fn eval(&self, script: &str) -> Value {
        self.try_eval(script).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits until `condition` (a script expression) is truthy and returns its value; a script
    /// that throws (for instance while the page is being replaced) counts as not yet.
    pub(crate) fn wait_for(&self, condition: &str) -> Value {
        self.try_wait_for(condition, WAIT).unwrap_or_else(|e| panic!("{e}"))
    }

    pub(crate) fn try_wait_for(&self, condition: &str, limit: Duration) -> Result<Value> {
        let start = Instant::now();
        loop {
            let last = match self.try_eval(condition) {
                Ok(v) if truthy(&v) => return Ok(v),
                Ok(v) => v.to_string(),
                Err(e) => e.0,
            };
            if start.elapsed() >= limit {
                return Err(CdpError(format!("waited {limit:?} for `{condition}`; last: {last}")));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The document as HTML, after the page's scripts ran (like `--dump-dom`).
    pub(crate) fn dom(&self) -> String {
        self.eval("document.documentElement.outerHTML").as_str().unwrap_or_default().to_string()
    }

    /// Sets the layout viewport (CSS pixels); `mobile` also emulates a phone's meta-viewport handling.
    pub(crate) fn viewport(&self, width: u32, height: u32, mobile: bool) -> &Self {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// A PNG of what the tab shows (the viewport), for looking at a layout a test rejected.
    pub(crate) fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" })).unwrap_or_else(|e| panic!("{e}"));
        base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap_or_default()).expect("base64 PNG")
    }

    /// Emulates `prefers-color-scheme`.
    pub(crate) fn color_scheme(&self, scheme: Scheme) -> &Self {
        let value = match scheme {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        };
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Clicks the middle of the first element matching `selector` with the mouse, as a reader
    /// would (after scrolling it into view). Panics if there is no such element, if it has no
    /// box, or if something else covers its middle (the reader would click that instead).
    pub(crate) fn click(&self, selector: &str) -> &Self {
        let sel = serde_json::to_string(selector).unwrap();
        // The element's box must hold still for a few frames before it is measured, and it is
        // scrolled into view only once the page holds still: a smooth scroll under way (the
        // theme scrolls smoothly, and focusing a control below the fold starts one) runs on
        // after an instant scroll and carries the element off screen or under the sticky
        // header. So: wait until still; if the middle is not the element's, scroll it to the
        // centre and wait again, until `CLICK_WAIT` has passed.
        let at = self.eval(&format!(
            "new Promise(function (done) {{ var e = document.querySelector({sel}); \
             if (!e) return done('nothing matches'); \
             var last = '', same = 0, scrolls = 0, t0 = performance.now(); \
             var next = document.hidden ? function (f) {{ setTimeout(f, 16); }} : requestAnimationFrame; \
             (function check() {{ var r = e.getBoundingClientRect(), now = [r.left, r.top, r.width, r.height].join(); \
               same = now === last ? same + 1 : 0; last = now; \
               var late = performance.now() - t0 >= {limit}; \
               if (same < 3 && !late) return next(check); \
               if (!r.width || !r.height) return done('it has no box'); \
               var x = r.left + r.width / 2, y = r.top + r.height / 2, top = document.elementFromPoint(x, y); \
               var mine = top && (e.contains(top) || top.contains(e) && top.tagName === 'LABEL' || \
                 Array.from(e.labels || []).some(function (l) {{ return l.contains(top); }})); \
               if (mine) return done([x, y]); \
               if (late) return done('it is covered by ' + (top ? top.outerHTML.slice(0, 160) : 'nothing (outside the viewport)') + \
                 ' (its box ' + [r.left, r.top, r.width, r.height].map(Math.round) + ' in a ' + [innerWidth, innerHeight] + \
                 ' viewport scrolled to ' + [scrollX, scrollY].map(Math.round) + ', after ' + scrolls + ' scrolls)'); \
               scrolls++; e.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }}); \
               same = 0; last = ''; next(check); }})(); }})",
            limit = CLICK_WAIT.as_millis()
        ));
        let Some([x, y]) = at.as_array().and_then(|a| Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])) else {
            panic!("click {selector}: {}", at.as_str().unwrap_or_default())
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1 }),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        self
    }

    /// Puts `files` into the file input matching `selector`, as choosing them in the file
    /// dialog would (the page gets its `input` and `change` events).
    pub(crate) fn set_files(&self, selector: &str, files: &[&Path]) -> &Self {
        let root = self.call("DOM.getDocument", json!({ "depth": 0 })).unwrap_or_else(|e| panic!("{e}"));
        let node = self
            .call("DOM.querySelector", json!({ "nodeId": root["root"]["nodeId"], "selector": selector }))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(node["nodeId"], json!(0), "set_files: nothing matches {selector}");
        self.call("DOM.setFileInputFiles", json!({ "files": files, "nodeId": node["nodeId"] }))
            .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Chooses the option with `value` in the `<select>` matching `selector` and fires its
    /// `input` and `change` events, as picking it from the list does (the list itself is
    /// drawn by the browser, outside the page, so it cannot be clicked).
    pub(crate) fn select(&self, selector: &str, value: &str) -> &Self {
        let (sel, val) = (serde_json::to_string(selector).unwrap(), serde_json::to_string(value).unwrap());
        let ok = self.eval(&format!(
            "(function () {{ var s = document.querySelector({sel}); if (!s) return 'no element'; \
             if (!Array.from(s.options).some(function (o) {{ return o.value === {val}; }})) return 'no option'; \
             s.focus(); s.value = {val}; s.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             s.dispatchEvent(new Event('change', {{ bubbles: true }})); return 'ok'; }})()"
        ));
        assert_eq!(ok, json!("ok"), "select {value:?} in {selector}");
        self
    }

    /// Focuses the first element matching `selector`.
    pub(crate) fn focus(&self, selector: &str) -> &Self {
        let sel = serde_json::to_string(selector).unwrap();
        let found = self.eval(&format!(
            "(function () {{ var e = document.querySelector({sel}); if (e) e.focus(); return !!e; }})()"
        ));
        assert_eq!(found, json!(true), "focus: nothing matches {selector}");
        self
    }

    /// Types `text` into the focused element, one key press per character (keydown, keypress,
    /// input, keyup), as a keyboard would.
    pub(crate) fn type_text(&self, text: &str) -> &Self {
        for c in text.chars() {
            let s = c.to_string();
            self.key_event("keyDown", &json!({ "key": s, "text": s, "unmodifiedText": s }));
            self.key_event("keyUp", &json!({ "key": s }));
        }
        self
    }

    /// Presses a named key: `Enter`, `Escape`, `Tab`, `Backspace`, `ArrowUp`/`Down`/`Left`/`Right`,
    /// `Home`, `End`, or one character.
    pub(crate) fn press(&self, key: &str) -> &Self {
        let (code, text) = match key {
            "Enter" => (13, Some("\r")),
            "Escape" => (27, None),
            "Tab" => (9, None),
            "Backspace" => (8, None),
            "ArrowLeft" => (37, None),
            "ArrowUp" => (38, None),
            "ArrowRight" => (39, None),
            "ArrowDown" => (40, None),
            "Home" => (36, None),
            "End" => (35, None),
            k if k.chars().count() == 1 => return self.type_text(k),
            k => panic!("press: unknown key {k}"),
        };
        let mut down = json!({ "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code });
        if let Some(t) = text {
            down["text"] = json!(t);
        }
        self.key_event(if text.is_some() { "keyDown" } else { "rawKeyDown" }, &down);
        self.key_event("keyUp", &json!({ "key": key, "code": key, "windowsVirtualKeyCode": code }));
        self
    }

    fn key_event(&self, kind: &str, fields: &Value) {
        let mut params = fields.clone();
        params["type"] = json!(kind);
        self.call("Input.dispatchKeyEvent", params).unwrap_or_else(|e| panic!("{e}"));
    }

    /// How this tab answers `alert`, `confirm` and `prompt` from now on: OK (`true`) or Cancel
    /// (`false`, the default). The browser answers at once, so a dialog never blocks a test.
    pub(crate) fn answer_dialogs(&self, accept: bool) -> &Self {
        self.browser.conn.dialogs.lock().unwrap().insert(self.session.clone(), accept);
        self
    }

    /// The messages of the dialogs this tab opened so far.
    pub(crate) fn dialogs(&self) -> Vec<String> {
        let inbox = self.browser.conn.inbox.lock().unwrap();
        inbox
            .events
            .iter()
            .filter(|e| self.is_mine(e, "Page.javascriptDialogOpening"))
            .map(|e| e["params"]["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Runs `script` in every document this tab loads from now on, before the page's own scripts.
    pub(crate) fn add_init_script(&self, script: &str) -> &Self {
        self.call("Page.addScriptToEvaluateOnNewDocument", json!({ "source": script }))
            .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Freezes the page (`true`) as a browser does with tabs long in the background, or thaws it.
    pub(crate) fn freeze(&self, frozen: bool) -> &Self {
        self.call("Page.setWebLifecycleState", json!({ "state": if frozen { "frozen" } else { "active" } }))
            .unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Makes this the tab being looked at.
    pub(crate) fn bring_to_front(&self) -> &Self {
        self.call("Page.bringToFront", json!({})).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// Errors the page reported so far: `console.error` calls, uncaught exceptions and the
    /// browser's own error log entries (failed loads, refused scripts).
    pub(crate) fn console_errors(&self) -> Vec<String> {
        let inbox = self.browser.conn.inbox.lock().unwrap();
        inbox
            .events
            .iter()
            .filter(|e| e["sessionId"] == self.session.as_str())
            .filter_map(|e| {
                let p = &e["params"];
                match e["method"].as_str()? {
                    "Runtime.consoleAPICalled" if p["type"] == "error" || p["type"] == "assert" => Some(
                        p["args"]
                            .as_array()?
                            .iter()
                            .map(|a| match (&a["value"], a["description"].as_str()) {
                                (Value::String(s), _) => s.clone(),
                                (_, Some(d)) => d.to_string(),
                                (v, None) => v.to_string(),
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    "Runtime.exceptionThrown" => {
                        let d = &p["exceptionDetails"];
                        Some(
                            d["exception"]["description"].as_str().or(d["text"].as_str()).unwrap_or("exception").into(),
                        )
                    }
                    "Log.entryAdded" if p["entry"]["level"] == "error" => {
                        Some(format!("{} {}", p["entry"]["text"].as_str()?, p["entry"]["url"].as_str().unwrap_or("")))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Closes the tab.
    pub(crate) fn close(self) {
        let _ = self.browser.call(None, "Target.closeTarget", json!({ "targetId": self.target }));
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// One rule axe-core found broken, with the elements (CSS selectors) that break it.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

/// Whether axe-core is installed (`npm ci`, see `.ci/run`). `false` means skip, which only
/// happens outside CI, like a missing browser.
pub(crate) fn axe_installed() -> bool {
    match axe_script() {
        Ok(_) => true,
        Err(e) if super::in_ci() => panic!("CI is set but {e}"),
        Err(e) => {
            eprintln!("skipping accessibility check: {e}");
            false
        }
    }
}

fn axe_script() -> std::result::Result<&'static str, String> {
    static SCRIPT: std::sync::OnceLock<std::result::Result<String, String>> = std::sync::OnceLock::new();
    SCRIPT
        .get_or_init(|| {
            let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).map_err(|e| format!("{} is missing ({e}): run `npm ci`", path.display()))
        })
        .as_ref()
        .map(String::as_str)
        .map_err(Clone::clone)
}

/// Runs axe-core on the tab's current document, limited to rules with any of `tags`
/// (e.g. `wcag2a`, `wcag2aa`; empty: every rule), and returns what it found broken.
/// The script is injected through the protocol, so page CSP and `file://` do not matter.
pub(crate) fn axe(tab: &Tab<'_>, tags: &[&str]) -> Vec<Violation> {
    run_axe(tab, "document", tags)
}

/// [`axe`] limited to the elements matching `selector` (and what they contain).
pub(crate) fn axe_in(tab: &Tab<'_>, selector: &str, tags: &[&str]) -> Vec<Violation> {
    let context = format!("{{ include: [{}] }}", serde_json::to_string(selector).unwrap());
    run_axe(tab, &context, tags)
}

fn run_axe(tab: &Tab<'_>, context: &str, tags: &[&str]) -> Vec<Violation> {
    let script = axe_script().unwrap_or_else(|e| panic!("{e}"));
    if tab.eval("typeof window.axe === 'object'") != json!(true) {
        tab.eval(&format!("{script}\n;true"));
    }
    let options = if tags.is_empty() { json!({}) } else { json!({ "runOnly": { "type": "tag", "values": tags } }) };
    let found = tab.eval(&format!(
        "axe.run({context}, {options}).then(function (r) {{ return r.violations.map(function (v) {{ return {{ \
         id: v.id, impact: v.impact || '', help: v.help, \
         targets: v.nodes.map(function (n) {{ return n.target.join(' '); }}) }}; }}); }})"
    ));
    found
        .as_array()
        .unwrap_or_else(|| panic!("axe returned no list: {found}"))
        .iter()
        .map(|v| Violation {
            id: v["id"].as_str().unwrap_or_default().into(),
            impact: v["impact"].as_str().unwrap_or_default().into(),
            help: v["help"].as_str().unwrap_or_default().into(),
            targets: v["targets"]
                .as_array()
                .map(|t| t.iter().filter_map(|s| s.as_str().map(Into::into)).collect())
                .unwrap_or_default(),
        })
        .collect()
}
