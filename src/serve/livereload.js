/* stagebook serve: reloads the page after each successful rebuild (keeping the scroll
   position) and shows build errors in an overlay. Injected by `stagebook serve` only.

   Browsers open at most 6 connections to one host, and an event stream holds one for as long
   as the page is open, so the tabs of one preview share a single stream: the tab holding a
   Web Lock (one per origin) opens it and relays its events to the other tabs on a
   BroadcastChannel. When that tab closes or reloads, the lock passes to a waiting tab, which
   opens the stream again; its `hello` event carries the current version, so a tab that missed
   a rebuild during the handover still reloads. Where Web Locks are missing (a page served to
   another machine over plain HTTP is not a secure context), each tab opens its own stream.

   The overlay's words come from the book's language: the server sends this script after the
   site's static/strings.js (window.stagebookStrings), so they are there even on a page whose
   theme does not load that file, and before the page's own scripts have run. */
"use strict";
(function () {
  var EVENTS = "/__stagebook/events";
  var key = "stagebook-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      // Instant: the theme's smooth scrolling would otherwise glide down from the top.
      window.addEventListener("load", function () { window.scrollTo({ top: Number(saved), behavior: "instant" }); });
    }
  } catch (e) { /* storage unavailable */ }

  // The string `key` of static/strings.js with `{n}` filled in (a plural picked by n).
  function say(key, n) {
    var S = window.stagebookStrings || {}, s = (S.strings || {})[key];
    if (s && typeof s === "object") {
      var form = "other";
      try { form = new Intl.PluralRules(S.lang).select(n); } catch (e) { /* no Intl or an unknown language */ }
      s = s[form] || s.other;
    }
    return typeof s === "string" ? s.replace(/\{n\}/g, String(n)) : key;
  }

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
    title.textContent = say("serve_failed", errors.length);
    title.style.cssText = "margin:0 0 1rem;font:600 1.25rem system-ui,sans-serif;color:#ff8a8a";
    overlay.appendChild(title);
    var note = document.createElement("p");
    note.textContent = say("serve_note", 0);
    note.style.cssText = "margin:0 0 1.5rem;font:15px system-ui,sans-serif";
    overlay.appendChild(note);
    errors.forEach(function (text) {
      var pre = document.createElement("pre");
      pre.textContent = text;
      pre.dir = "ltr"; /* paths and messages read left to right in any language */
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1rem;padding:1rem;background:#000;border-left:4px solid #ff6b6b";
      overlay.appendChild(pre);
    });
    document.body.appendChild(overlay);
  }

  // A tab in the background reloads when it is shown again, so a save reloads the tab being
  // looked at at once instead of every open tab together.
  var reloading = false, deferred = false;
  function whenShown() {
    if (document.visibilityState === "hidden") return;
    document.removeEventListener("visibilitychange", whenShown);
    deferred = false;
    reload();
  }
  function reload() {
    if (reloading || deferred) return;
    if (document.visibilityState === "hidden") {
      deferred = true;
      document.addEventListener("visibilitychange", whenShown);
      return;
    }
    reloading = true;
    try { sessionStorage.setItem(key, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  // The version of the site this page was shown with (from the first `hello`).
  var version = null;
  function handle(type, data) {
    if (type === "hello") {
      if (version !== null && data.version !== version && !data.errors.length) { reload(); return; }
      version = data.version;
      if (data.errors.length) show(data.errors); else hide();
    } else if (type === "reload") {
      reload();
    } else if (type === "errors") {
      show(data.errors);
    }
  }

  // Opens the event stream and hands each event, parsed, to `relay` and to this page.
  function listen(relay) {
    var source = new EventSource(EVENTS);
    ["hello", "reload", "errors"].forEach(function (type) {
      source.addEventListener(type, function (e) {
        var data = JSON.parse(e.data);
        relay(type, data);
        handle(type, data);
      });
    });
    return source;
  }

  var shared = typeof BroadcastChannel === "function" && navigator.locks && typeof navigator.locks.request === "function" &&
    typeof AbortController === "function";
  if (!shared) { listen(function () {}); return; }

  // Web Locks and BroadcastChannel are both scoped to the origin, so each preview server (each
  // port) has its own; the origin in the names keeps them apart in logs too.
  var name = "stagebook-livereload " + location.origin;
  var channel = new BroadcastChannel(name);
  // Only in the tab holding the stream: the state a tab that opens later needs.
  var current = null;
  channel.onmessage = function (e) {
    var m = e.data || {};
    if (m.type === "join") {
      if (current) channel.postMessage({ type: "hello", data: current });
    } else {
      handle(m.type, m.data);
    }
  };
  channel.postMessage({ type: "join" });

  // Asks for the lock; once granted, holds the stream until `quit` (or until the page goes away,
  // which releases the lock by itself).
  var quit = null;
  function lead() {
    if (quit) return;
    var abort = new AbortController(), done = null, source = null;
    quit = function () {
      quit = null;
      abort.abort();
      if (source) source.close();
      current = null;
      if (done) done();
    };
    navigator.locks.request(name, { signal: abort.signal }, function () {
      source = listen(function (type, data) {
        if (type === "hello") current = { version: data.version, errors: data.errors };
        else if (type === "reload") current = { version: data.version, errors: [] };
        else if (type === "errors" && current) current = { version: current.version, errors: data.errors };
        channel.postMessage({ type: type, data: data });
      });
      return new Promise(function (resolve) { done = resolve; });
    }).catch(function () { /* aborted while waiting */ });
  }
  lead();
  // A page the browser freezes or keeps in its back/forward cache runs no script: it gives up
  // the stream (or its place in the queue) so another tab takes over, and asks again on return.
  document.addEventListener("freeze", function () { if (quit) quit(); });
  window.addEventListener("pagehide", function (e) { if (e.persisted && quit) quit(); });
  document.addEventListener("resume", lead);
  window.addEventListener("pageshow", function (e) { if (e.persisted) lead(); });
})();
