/* stagebook: full navigation tree from window.stagebookToc (static/toc.js),
   collapsible sections (children built lazily on first expand), phone menu.
   Titles are inserted with textContent only.
   Entries (written by context::toc_js): a page [title, url] or [title, url, [entries]];
   a draft, listed but not linked, [title, null] or [title, null, [entries]];
   a part title "title"; a separator null. */
"use strict";
(function () {
  var doc = document;
  var html = doc.documentElement;
  var root = html.getAttribute("data-root") || "";
  var here = html.getAttribute("data-page") || "";
  var sidebar = doc.getElementById("sb-sidebar");
  var tree = doc.getElementById("sb-nav-tree");
  var menu = doc.getElementById("sb-menu-toggle");
  var nodes = new WeakMap();
  var seq = 0;

  // On-page TOC: served collapsed (no layout shift above the content on small
  // screens); opened where it has its own column.
  var details = doc.querySelector(".page-toc details");
  if (details && window.matchMedia && window.matchMedia("(min-width: 75em)").matches) {
    details.open = true;
  }

  /* ----- tree ----- */

  // Path of nodes from the top level down to the current page, or [].
  function findPath(list, path) {
    for (var i = 0; i < list.length; i++) {
      var n = list[i];
      if (!Array.isArray(n)) continue;
      path.push(n);
      if (n[1] === here) return true;
      if (Array.isArray(n[2]) && findPath(n[2], path)) return true;
      path.pop();
    }
    return false;
  }

  function buildList(list, open) {
    var ul = doc.createElement("ul");
    var frag = doc.createDocumentFragment();
    for (var i = 0; i < list.length; i++) frag.appendChild(buildItem(list[i], open));
    ul.appendChild(frag);
    return ul;
  }

  function buildItem(n, open) {
    var li = doc.createElement("li");
    if (!Array.isArray(n)) {
      if (n === null) {
        li.className = "nav-item nav-separator";
        li.setAttribute("role", "separator");
      } else {
        li.className = "nav-item nav-part";
        li.textContent = String(n);
      }
      return li;
    }
    var row = doc.createElement("div");
    var draft = n[1] === null;
    var a = doc.createElement(draft ? "span" : "a");
    var kids = Array.isArray(n[2]) ? n[2] : null;
    li.className = (kids ? "nav-item nav-section" : "nav-item") + (draft ? " nav-draft" : "");
    row.className = "nav-row";
    if (!draft) a.href = root + n[1];
    a.textContent = String(n[0]);
    if (!draft && n[1] === here) {
      a.setAttribute("aria-current", "page");
      li.className += " is-current";
    }
    row.appendChild(a);
    li.appendChild(row);
    if (kids && kids.length) {
      var btn = doc.createElement("button");
      btn.type = "button";
      btn.className = "nav-toggle";
      btn.setAttribute("aria-label", window.stagebookT("nav_pages_in", { title: n[0] }));
      row.appendChild(btn);
      nodes.set(btn, kids);
      setOpen(btn, open.indexOf(n) !== -1, open);
    }
    return li;
  }

  function setOpen(btn, expand, open) {
    var li = btn.parentNode.parentNode;
    var ul = li.lastChild.nodeName === "UL" ? li.lastChild : null;
    if (expand && !ul) {
      ul = buildList(nodes.get(btn), open || []);
      ul.id = "sb-nav-" + (++seq);
      li.appendChild(ul);
    }
    if (ul) {
      ul.hidden = !expand;
      btn.setAttribute("aria-controls", ul.id);
    }
    btn.setAttribute("aria-expanded", expand ? "true" : "false");
  }

  function scrollToCurrent() {
    var cur = tree && tree.querySelector("[aria-current='page']");
    if (!cur || !sidebar) return;
    var r = cur.getBoundingClientRect();
    var s = sidebar.getBoundingClientRect();
    if (r.top < s.top || r.bottom > s.bottom) {
      sidebar.scrollTop += r.top - s.top - sidebar.clientHeight / 3;
    }
  }

  var toc = window.stagebookToc;
  if (tree && Array.isArray(toc)) {
    var path = [];
    findPath(toc, path);
    var fresh = buildList(toc, path);
    tree.textContent = "";
    tree.appendChild(fresh);
    tree.addEventListener("click", function (e) {
      var btn = e.target.closest ? e.target.closest(".nav-toggle") : null;
      if (btn && nodes.has(btn)) {
        setOpen(btn, btn.getAttribute("aria-expanded") !== "true", null);
      }
    });
  }
  scrollToCurrent();

  /* ----- search: search.js loads on first use of the header box ----- */

  var box = doc.getElementById("sb-search-q");
  function loadSearch() {
    if (window.stagebookSearch || doc.getElementById("sb-search-js")) return;
    var s = doc.createElement("script");
    s.id = "sb-search-js";
    s.src = root + "static/search.js";
    doc.head.appendChild(s);
  }
  if (box) {
    box.addEventListener("focus", loadSearch);
    box.addEventListener("pointerenter", loadSearch);
    // "/" or Ctrl/Cmd-K focuses the box (search.js takes over once loaded).
    doc.addEventListener("keydown", function (e) {
      var t = e.target, k = e.key;
      if (window.stagebookSearch || e.defaultPrevented || e.altKey || t.isContentEditable ||
          /^(TEXTAREA|SELECT)$/.test(t.tagName) || t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(t.type)) return;
      if (k === "/" && !e.ctrlKey && !e.metaKey || /^k$/i.test(k) && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        box.focus();
        box.select();
      }
    });
  }

  /* ----- phone menu ----- */

  if (!menu || !sidebar) return;
  var phone = window.matchMedia ? window.matchMedia("(max-width: 56.24em)") : null;
  var backdrop = doc.createElement("div");
  backdrop.className = "nav-backdrop";
  backdrop.hidden = true;
  sidebar.parentNode.insertBefore(backdrop, sidebar.nextSibling);

  function isOpen() { return menu.getAttribute("aria-expanded") === "true"; }

  function setMenu(open, returnFocus) {
    menu.setAttribute("aria-expanded", open ? "true" : "false");
    html.classList.toggle("nav-open", open);
    backdrop.hidden = !open;
    if (open) {
      scrollToCurrent();
      var target = tree && (tree.querySelector("[aria-current='page']") || tree.querySelector("a"));
      if (target) target.focus({ preventScroll: true });
    } else if (returnFocus) {
      menu.focus();
    }
  }

  menu.addEventListener("click", function () { setMenu(!isOpen(), true); });
  backdrop.addEventListener("click", function () { setMenu(false, true); });
  doc.addEventListener("keydown", function (e) {
    if ((e.key === "Escape" || e.key === "Esc") && isOpen()) setMenu(false, true);
  });
  sidebar.addEventListener("focusout", function (e) {
    var to = e.relatedTarget;
    if (isOpen() && to && to !== menu && !sidebar.contains(to)) setMenu(false, false);
  });
  if (phone) {
    var onChange = function () { if (!phone.matches && isOpen()) setMenu(false, false); };
    if (phone.addEventListener) phone.addEventListener("change", onChange);
    else if (phone.addListener) phone.addListener(onChange);
  }
})();
