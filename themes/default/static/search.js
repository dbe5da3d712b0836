/* stagebook: client-side search, for the header box and the search page. The index is plain
   JS files (search/manifest.js, t/<i>.js, d/<i>.js) loaded with <script> tags that call back
   into window.stagebookSearch, so it works from file://. Index text is inserted with
   textContent only. */
"use strict";
(function () {
  var doc = document;
  var root = doc.documentElement.dataset.root || "";
  var files = {}, waiting = {}, keys = {}, posts = {}, M = null, stop;

  function got(name, data) {
    var ok = waiting[name];
    delete waiting[name];
    if (ok) ok(data);
  }
  window.stagebookSearch = {
    manifest: function (m) { got("manifest", m); },
    terms: function (i, o) { got("t/" + i, o); },
    docs: function (i, o) { got("d/" + i, o); }
  };

  // One promise per file; rejected when the file is missing or did not call back.
  function load(name) {
    return files[name] || (files[name] = new Promise(function (ok, fail) {
      var s = doc.createElement("script");
      waiting[name] = ok;
      s.onload = s.onerror = function () {
        s.remove();
        if (waiting[name]) { delete waiting[name]; fail(new Error(name)); }
      };
      s.src = root + "search/" + name + ".js";
      doc.head.appendChild(s);
    }));
  }
  function manifest() {
    return load("manifest").then(function (m) {
      if (!M) { M = m; stop = new Set(m.stopWords || []); }
      return m;
    });
  }
  // Index of the last item <= v, and of the first item >= v, in a sorted array.
  function last(a, v) {
    var lo = 0, hi = a.length - 1, mid;
    while (lo < hi) { mid = (lo + hi + 1) >> 1; if (a[mid] <= v) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function first(a, v) {
    var lo = 0, hi = a.length, mid;
    while (lo < hi) { mid = (lo + hi) >> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function shard(i) {
    return load("t/" + i).then(function (o) {
      if (!keys[i]) keys[i] = Object.keys(o).sort();
      return o;
    });
  }

  // [surface, stem, postings] for the key t, or (prefix) up to 30 keys starting with t.
  function lookup(t, prefix) {
    var found = [];
    function scan(i) {
      return shard(i).then(function (o) {
        var ks = keys[i], j = first(ks, t);
        for (; j < ks.length && found.length < 30 && (ks[j] === t || prefix && ks[j].startsWith(t)); j++) found.push([ks[j], o[ks[j]]]);
        var next = M.shards[i + 1];
        if (prefix && j === ks.length && found.length < 30 && next !== undefined && next.startsWith(t)) return scan(i + 1);
      });
    }
    return scan(last(M.shards, t)).then(function () {
      return Promise.all(found.map(function (f) {
        var v = f[1], stem = v.slice(1);
        if (v[0] !== "=") return [f[0], f[0], v];
        return shard(last(M.shards, stem)).then(function (o) {
          var p = o[stem];
          return p && p[0] !== "=" ? [f[0], stem, p] : null;
        });
      }));
    });
  }

  // Postings: base64 of [LEB128 doc id][impact byte]..., decoded once per key to [id, impact, ...].
  function decode(b64) {
    var s = atob(b64), out = [], i = 0, v, sh, c;
    while (i < s.length) {
      v = 0; sh = 0;
      do { c = s.charCodeAt(i++); v += (c & 127) * Math.pow(2, sh); sh += 7; } while (c & 128);
      out.push(v, s.charCodeAt(i++));
    }
    return out;
  }

  function tokens(q) {
    var out = [];
    (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).forEach(function (t) {
      if ((Array.from(t).length > 1 || /^[0-9]$/.test(t)) && !stop.has(t) && out.indexOf(t) < 0) out.push(t);
    });
    return out;
  }

  // Ranked doc ids for q: most distinct query words first, then summed impacts.
  // f = {kind: "" | "pages" | "matrix", stage: index | -1, category: index | -1}.
  function search(q, f) {
    return manifest().then(function () {
      var toks = tokens(q);
      return Promise.all(toks.map(function (t, n) { return lookup(t, n === toks.length - 1); })).then(function (all) {
        var acc = new Map(), words = new Set(), mr = M.matrix || [0, 0], res = [];
        all.forEach(function (hits) {
          var best = new Map();
          hits.forEach(function (h) {
            if (!h) return;
            words.add(h[0]);
            words.add(h[1]);
            var p = posts[h[1]] || (posts[h[1]] = decode(h[2]));
            for (var j = 0; j < p.length; j += 2) if (!(best.get(p[j]) >= p[j + 1])) best.set(p[j], p[j + 1]);
          });
          best.forEach(function (v, d) {
            var s = acc.get(d);
            if (s) { s[0] += v; s[1]++; } else acc.set(d, [v, 1]);
          });
        });
        acc.forEach(function (s, d) {
          var m = d >= mr[0] && d < mr[1], x = d - mr[0];
          if (f.kind === "pages" ? m : f.kind === "matrix" &&
              (!m || f.stage >= 0 && M.matrixStage[x] !== f.stage || f.category >= 0 && M.matrixCategory[x] !== f.category)) return;
          res.push([d, s[0], s[1]]);
        });
        res.sort(function (a, b) { return b[2] - a[2] || b[1] - a[1] || a[0] - b[0]; });
        return {
          ids: res.map(function (r) { return r[0]; }),
          toks: toks,
          hit: function (w) {
            w = w.toLowerCase();
            return words.has(w) || toks.some(function (t) { return w.startsWith(t); });
          }
        };
      });
    });
  }

  function getDoc(d) {
    var b = last(M.blocks, d);
    return load("d/" + b).then(function (o) {
      var r = o.docs[d - M.blocks[b]], p = o.pages[r[0]];
      return { title: p[0], url: p[1], anchor: r[1], heading: r[2], text: r[3], label: r[4] };
    });
  }

  /* ----- results ----- */

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  // Appends text to parent with the matched words in <mark>.
  function mark(parent, text, hit) {
    var re = /[\p{L}\p{N}]+/gu, at = 0, m;
    while ((m = re.exec(text))) {
      if (!hit(m[0])) continue;
      if (m.index > at) parent.append(text.slice(at, m.index));
      parent.append(el("mark", "", m[0]));
      at = re.lastIndex;
    }
    if (at < text.length) parent.append(text.slice(at));
    return parent;
  }
  // About 160 characters around the first matched word.
  function snippet(text, hit) {
    var re = /[\p{L}\p{N}]+/gu, at = 0, m, start, end = text.length;
    while ((m = re.exec(text))) if (hit(m[0])) { at = m.index; break; }
    start = text.lastIndexOf(" ", at - 50) + 1;
    if (at - start > 80) start = at - 50;
    if (start + 160 < end) {
      end = text.lastIndexOf(" ", start + 160);
      if (end <= at) end = start + 160;
    }
    return (start ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }
  function item(r, hit) {
    var li = el("li", "search-result"), a = li.appendChild(el("a", "search-link")), t = a.appendChild(el("span", "search-title"));
    a.href = root + r.url + (r.anchor ? "#" + r.anchor : "");
    mark(t.appendChild(el("span", "search-page")), r.title, hit);
    if (r.heading) mark(t.appendChild(el("span", "search-heading")), r.heading, hit);
    if (r.label) a.appendChild(el("span", "badge search-label", r.label));
    if (r.text) mark(a.appendChild(el("span", "search-snippet")), snippet(r.text, hit), hit);
    return li;
  }
  function count(n) { return n + (n === 1 ? " result" : " results"); }
  function quoted(q) { return "“" + q.trim() + "”"; }
  var NOT_FOUND = "Search index not found";

  /* ----- header box: a combobox with a listbox of results ----- */

  var form = doc.getElementById("sb-search"), input = form && form.elements.q;
  var pageForm = doc.getElementById("sb-sp"), box = pageForm ? pageForm.elements.q : input;

  // "/" or Ctrl/Cmd-K focuses the search box, unless typing in another field.
  doc.addEventListener("keydown", function (e) {
    var t = e.target, k = e.key;
    if (!box || e.altKey || e.defaultPrevented || t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
        t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(t.type)) return;
    if (k === "/" && !e.ctrlKey && !e.metaKey || (k === "k" || k === "K") && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  if (input) {
    var panel = el("div", "search-panel"), list = panel.appendChild(el("ul", "search-list"));
    var msg = panel.appendChild(el("p", "search-msg")), all = panel.appendChild(el("a", "search-all"));
    var live = el("p", "visually-hidden"), opts = [], active = -1, timer = 0, seq = 0, busy = Promise.resolve();
    list.id = "sb-search-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Search results");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    panel.hidden = true;
    form.append(panel, live);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var show = function (open) {
      panel.hidden = !open;
      input.setAttribute("aria-expanded", open && opts.length ? "true" : "false");
      if (!open) select(-1);
    };
    var select = function (n) {
      if (opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = n;
      if (opts[n]) {
        opts[n].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", opts[n].id);
        opts[n].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    };
    var render = function (items, text, total) {
      opts = items;
      list.replaceChildren.apply(list, items);
      msg.textContent = text;
      msg.hidden = !text;
      all.hidden = !total;
      all.textContent = "All " + count(total);
      all.href = root + "search/index.html?q=" + encodeURIComponent(input.value);
      select(-1);
      show(!!(text || total) && doc.activeElement === input);
    };
    var run = function () {
      clearTimeout(timer);
      timer = 0;
      var n = ++seq, q = input.value;
      busy = search(q, {}).then(function (r) {
        return Promise.all(r.ids.slice(0, 8).map(getDoc)).then(function (ds) {
          if (n !== seq) return;
          render(ds.map(function (d, i) {
            var li = item(d, r.hit);
            li.id = "sb-search-opt-" + i;
            li.setAttribute("role", "option");
            li.setAttribute("aria-selected", "false");
            li.firstChild.tabIndex = -1;
            return li;
          }), r.toks.length && !r.ids.length ? "No results for " + quoted(q) : "", r.ids.length);
          live.textContent = r.toks.length ? count(r.ids.length) : "";
        });
      }).catch(function () {
        if (n !== seq) return;
        render([], NOT_FOUND, 0);
        live.textContent = NOT_FOUND;
      });
    };

    input.addEventListener("focus", function () {
      manifest().catch(function () {});
      if (input.value.trim()) run();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 20);
    });
    input.addEventListener("keydown", function (e) {
      var k = e.key, n = opts.length;
      if (e.isComposing) return;
      if (k === "ArrowDown" || k === "ArrowUp") {
        e.preventDefault();
        if (panel.hidden) run();
        else if (n) select(k === "ArrowDown" ? (active + 1) % n : (active < 1 ? n : active) - 1);
      } else if (k === "Enter") {
        e.preventDefault();
        if (timer) run();
        busy.then(function () {
          var o = opts[Math.max(active, 0)];
          show(false);
          if (o) location.href = o.firstChild.href;
          else form.submit();
        });
      } else if (k === "Escape" || k === "Esc") {
        e.preventDefault();
        if (!panel.hidden) show(false);
        else input.blur();
      }
    });
    // Keep the focus in the box while clicking a result; close when it leaves the form.
    panel.addEventListener("mousedown", function (e) { e.preventDefault(); });
    panel.addEventListener("click", function () { show(false); });
    form.addEventListener("focusout", function (e) {
      if (!form.contains(e.relatedTarget)) show(false);
    });
  }

  /* ----- search page: results from ?q=&kind=&stage=&category=, kept in the URL ----- */

  if (pageForm) {
    var P = new URLSearchParams(location.search), byId = doc.getElementById.bind(doc);
    var status = byId("sb-sp-status"), results = byId("sb-sp-results"), more = byId("sb-sp-more");
    var matrixOnly = byId("sb-sp-facets"), stageSel = pageForm.elements.stage, catSel = pageForm.elements.category;
    var pseq = 0, ptimer = 0, res = null, shown = 0;
    var kind = function () {
      var r = pageForm.querySelector("[name=kind]:checked");
      return r ? r.value : "";
    };
    var fill = function (sel, pairs, want) {
      pairs.forEach(function (p) {
        var o = sel.appendChild(el("option", "", p[1]));
        o.value = p[0];
        if (p[0] === want) o.selected = true;
      });
    };
    var page = function (n, focus) {
      var ids = res.ids.slice(shown, shown + 20);
      shown += ids.length;
      return Promise.all(ids.map(getDoc)).then(function (ds) {
        if (n !== pseq) return;
        ds.forEach(function (d, i) {
          var li = results.appendChild(item(d, res.hit));
          if (focus && !i) li.firstChild.focus();
        });
        more.hidden = shown >= res.ids.length;
      });
    };
    var prun = function (write) {
      clearTimeout(ptimer);
      var q = pageForm.elements.q.value, k = kind(), f = { kind: k, stage: -1, category: -1 }, u = new URLSearchParams(), n = ++pseq;
      if (q) u.set("q", q);
      if (k) u.set("kind", k);
      matrixOnly.hidden = k !== "matrix";
      if (k === "matrix") {
        if (stageSel.value) { u.set("stage", stageSel.value); f.stage = stageSel.selectedIndex - 1; }
        if (catSel.value) { u.set("category", catSel.value); f.category = catSel.selectedIndex - 1; }
      }
      if (write) {
        try { history.replaceState(null, "", location.pathname + (u.toString() ? "?" + u : "")); } catch (e) { /* file:// in some browsers */ }
      }
      return search(q, f).then(function (r) {
        if (n !== pseq) return;
        res = r;
        shown = 0;
        results.replaceChildren();
        more.hidden = true;
        status.textContent = !r.toks.length ? "" : r.ids.length ? count(r.ids.length) + " for " + quoted(q) : "No results for " + quoted(q);
        return page(n, false);
      }).catch(function () {
        if (n === pseq) status.textContent = NOT_FOUND;
      });
    };

    pageForm.elements.q.value = P.get("q") || "";
    var k0 = pageForm.querySelector("[name=kind][value='" + (/^(pages|matrix)$/.test(P.get("kind")) ? P.get("kind") : "") + "']");
    if (k0) k0.checked = true;
    manifest().then(function (m) {
      if (m.matrix) {
        fill(stageSel, m.stages, P.get("stage"));
        fill(catSel, m.categories, P.get("category"));
        byId("sb-sp-filters").hidden = false;
      }
    }).catch(function () {}).then(function () { prun(false); });
    if (!box.value) box.focus();

    pageForm.addEventListener("input", function (e) {
      if (e.target !== box) return;
      clearTimeout(ptimer);
      ptimer = setTimeout(prun, 20, true);
    });
    pageForm.addEventListener("change", function (e) { if (e.target !== box) prun(true); });
    pageForm.addEventListener("submit", function (e) { e.preventDefault(); prun(true); });
    more.addEventListener("click", function () { page(pseq, true); });
  }
})();
