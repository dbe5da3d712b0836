/* stagebook serve: reloads the page after each successful rebuild (keeping the scroll
   position) and shows build errors in an overlay. Injected by `stagebook serve` only. */
"use strict";
(function () {
  var key = "stagebook-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
    }
  } catch (e) { /* storage unavailable */ }

  var overlay = null;
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function show(errors) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "stagebook-errors";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
    var title = document.createElement("h2");
    title.textContent = "Build failed: " + errors.length + " error" + (errors.length === 1 ? "" : "s");
    title.style.cssText = "margin:0 0 1rem;font:600 1.25rem system-ui,sans-serif;color:#ff8a8a";
    overlay.appendChild(title);
    var note = document.createElement("p");
    note.textContent = "The last good version of the site is still being served. Fix the file and save; this page reloads.";
    note.style.cssText = "margin:0 0 1.5rem;font:15px system-ui,sans-serif";
    overlay.appendChild(note);
    errors.forEach(function (text) {
      var pre = document.createElement("pre");
      pre.textContent = text;
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:1rem;background:#000;border-left:4px solid #ff6b6b";
      overlay.appendChild(pre);
    });
    document.body.appendChild(overlay);
  }

  function reload() {
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  var source = new EventSource("/__stagebook/events");
  var version = null;
  source.addEventListener("hello", function (e) {
    var state = JSON.parse(e.data);
    if (version !== null && state.version !== version && !state.errors.length) { reload(); return; }
    version = state.version;
    if (state.errors.length) show(state.errors); else hide();
  });
  source.addEventListener("reload", function () { reload(); });
  source.addEventListener("errors", function (e) { show(JSON.parse(e.data).errors); });
})();
