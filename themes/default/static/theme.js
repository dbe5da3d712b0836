/* stagebook: colour-scheme toggle. The stored choice is applied before first paint
   by the inline script in base.html; this file wires up the button. */
"use strict";
(function () {
  var KEY = "stagebook-theme";
  var html = document.documentElement;
  var mq = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var button = document.getElementById("sb-theme-toggle");

  function isDark() {
    var t = html.getAttribute("data-theme");
    if (t === "dark" || t === "light") return t === "dark";
    return !!(mq && mq.matches);
  }

  function sync() {
    if (button) button.setAttribute("aria-pressed", isDark() ? "true" : "false");
  }

  function apply(theme, store) {
    if (theme === "dark" || theme === "light") html.setAttribute("data-theme", theme);
    else html.removeAttribute("data-theme");
    if (store) {
      try { localStorage.setItem(KEY, theme); } catch (e) { /* storage disabled */ }
    }
    sync();
  }

  if (button) {
    button.addEventListener("click", function () {
      apply(isDark() ? "light" : "dark", true);
    });
  }

  // Follow the system setting while the reader has not chosen.
  if (mq) {
    var onChange = function () { sync(); };
    if (mq.addEventListener) mq.addEventListener("change", onChange);
    else if (mq.addListener) mq.addListener(onChange);
  }

  // Keep other open tabs of the handbook in step.
  window.addEventListener("storage", function (e) {
    if (e.key === KEY) apply(e.newValue, false);
  });

  // Print with the light syntax colours even when reading in dark mode.
  var printed = null;
  window.addEventListener("beforeprint", function () {
    printed = html.getAttribute("data-theme");
    html.setAttribute("data-theme", "light");
  });
  window.addEventListener("afterprint", function () {
    if (printed === null) html.removeAttribute("data-theme");
    else html.setAttribute("data-theme", printed);
    printed = null;
  });

  // A <base href> (404 page) would send in-page "#id" links to the base URL:
  // handle them here so the skip link and heading anchors stay on this page.
  if (document.querySelector("base[href]")) {
    document.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("a[href^='#']") : null;
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var target = id && document.getElementById(id);
      if (!target) return;
      e.preventDefault();
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      target.scrollIntoView();
    });
  }

  sync();
})();
