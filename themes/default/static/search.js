/* stagebook search: header box and search page. Index files are <script>s calling
   window.stagebookSearch (works from file://); rows are read by the schema's field names
   (src/search/format.rs); index text enters the page as textContent only. */
"use strict";
(() => {
  const doc = document, root = doc.documentElement.dataset.root || "";
  const files = {}, waiting = {}, keys = {}, posts = {};
  let M, S, stop, cols, dotless;
  const got = (name) => (i, o) => {
    const k = o ? name + i : name, ok = waiting[k];
    delete waiting[k];
    if (ok) ok(o || i);
  };
  window.stagebookSearch = { manifest: got("manifest"), terms: got("t/"), docs: got("d/"), words: got("w/"), typo: got("typo"), more: got("m/") };

  // A promise per file, rejected if missing or silent.
  const load = (name, path) => files[name] || (files[name] = new Promise((ok, fail) => {
    const s = doc.createElement("script");
    waiting[name] = ok;
    s.onload = s.onerror = () => {
      s.remove();
      if (waiting[name]) { delete waiting[name]; fail(Error(name)); }
    };
    s.src = root + (path || "search/" + name) + ".js";
    doc.head.append(s);
  }));
  // A column from runs [value, count, ...].
  const expand = (runs) => {
    const out = [];
    for (let i = 0; i < runs.length; i += 2) for (let n = runs[i + 1]; n--;) out.push(runs[i]);
    return out;
  };
  const manifest = () => load("manifest").then((m) => {
    if (!M) {
      M = m; S = m.schema; stop = new Set(m.stopWords); cols = {};
      dotless = /^(tr|az)\b/i.test(m.lang || "");
      for (const c in m.columns) cols[c] = expand(m.columns[c]);
    }
    return m;
  });
  // A written row as an object, by the schema's field names.
  const row = (names, r) => { const o = {}; names.forEach((n, i) => { o[n] = r[i]; }); return o; };
  // Sorted array: index of the first item >= v (first), of the last <= v (find).
  const first = (a, v) => {
    let lo = 0, hi = a.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const find = (a, v) => { const i = first(a, v); return a[i] === v ? i : Math.max(i - 1, 0); };
  const shard = (i) => load("t/" + i).then((o) => { keys[i] = keys[i] || Object.keys(o).sort(); return o; });

  // [surface, stem, postings] of key t or (prefix) of up to 30 keys starting with t.
  const lookup = (t, prefix) => {
    const found = [];
    const scan = (i) => shard(i).then((o) => {
      const ks = keys[i], next = M.shards[i + 1];
      let j = first(ks, t);
      for (; j < ks.length && found.length < 30 && (ks[j] === t || prefix && ks[j].startsWith(t)); j++) found.push([ks[j], o[ks[j]]]);
      if (prefix && j === ks.length && found.length < 30 && next !== undefined && next.startsWith(t)) return scan(i + 1);
    });
    return scan(find(M.shards, t)).then(() => Promise.all(found.map(([key, v]) => {
      if (!v.startsWith(S.alias)) return [key, key, v];
      const stem = v.slice(S.alias.length);
      return shard(find(M.shards, stem)).then((o) => o[stem] && !o[stem].startsWith(S.alias) ? [key, stem, o[stem]] : null);
    })));
  };

  // Postings (format.rs) decoded once per key to [id, impact, ...].
  const decode = (b64) => {
    const s = atob(b64), out = [];
    let i = 0;
    const num = () => {
      let v = 0, sh = 0, c = 128;
      for (; c & 128; sh += 7) { c = s.charCodeAt(i++); v += (c & 127) * 2 ** sh; }
      return v;
    };
    while (i < s.length) {
      const imp = s.charCodeAt(i++);
      for (let n = num(), d = 0; n--;) out.push(d += num(), imp);
    }
    return out;
  };

  // Keys near t (typo dictionary, static/search-typo.js).
  const typos = (t) => {
    const T = S.typo, cs = [...t], n = cs.length, k = n >= T.two ? 2 : n >= T.one ? 1 : 0, ts = M.typos || [];
    if (!k || !ts.length) return Promise.resolve([]);
    const key = (len) => cs[0] + String.fromCodePoint(T.lengthBase + Math.max(len, 0)), hi = key(n + k + 1), want = [];
    for (let i = find(ts, key(n - k)); i < ts.length && (!want.length || ts[i] < hi); i++) want.push(i);
    return Promise.all([load("typo", "static/search-typo"), ...want.map((i) => load("w/" + i))])
      .then(([near, ...lists]) => near(t, [].concat(...lists), k));
  };
  // Completion, typo weights.
  const EXPANDED = 0.5, TYPO = [1, 0.7, 0.5];

  /* Query words as the index keys them (src/words: fold.rs, Collector; a test runs both on the
     same text): runs of letters, digits and marks, lowercased a character at a time (Turkish
     I to ı by the index's lang), stop words and single letters dropped, accents folded; runs
     of Han, kana or Hangul cut into overlapping pairs. Not Intl.Segmenter: its words differ
     between browsers, and the query must split exactly as the index did. */
  const CJK = "\\u1100-\\u11ff\\u3005-\\u3007\\u3040-\\u30ff\\u3130-\\u318f\\u31f0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff" +
    "\\uac00-\\ud7af\\uf900-\\ufaff\\uff66-\\uff9f\\u{20000}-\\u{3ffff}";
  const isCjk = RegExp("[" + CJK + "]", "u"), WORD = /[\p{Alphabetic}\p{N}\p{M}]+/gu, MARKS = /[\u0300-\u036f\u0640\u064b-\u065f\u0670]/g;
  const lower = (w) => [...w].map((c) => dotless && c === "I" ? "ı" : dotless && c === "İ" ? "i" : c.toLowerCase()).join("");
  const fold = (w) => /^[\0-\x7f]*$/.test(w) ? w : [...w].map((c) => c === "й" ? c : c === "ß" ? "ss" : c === "ς" ? "σ" : c === "ı" ? "i" :
    c >= "\uff01" && c <= "\uff5e" ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c.normalize("NFD").replace(MARKS, "")).join("").normalize("NFC");
  // [piece, cjk] of a lowercase word: CJK runs as pairs (a lone character alone), others whole.
  const pieces = (w) => {
    const out = [];
    for (const r of w.match(RegExp("[" + CJK + "]+|[^" + CJK + "]+", "gu")) || []) {
      const cs = [...r];
      if (!isCjk.test(r)) out.push([r, false]);
      else if (cs.length === 1) out.push([r, true]);
      else for (let i = 1; i < cs.length; i++) out.push([cs[i - 1] + cs[i], true]);
    }
    return out;
  };
  const terms = (q) => {
    const out = [];
    for (const run of q.match(WORD) || []) {
      for (const [p, cjk] of pieces(lower(run))) {
        const t = fold(p);
        if ((cjk || [...p].length > 1 || /^[0-9]$/.test(p)) && !stop.has(p) && !out.includes(t)) out.push(t);
      }
    }
    return out;
  };
  // A form of a word the text does not have ("donnee" for "données"): keys that share all but
  // its last three characters (at least four) whose stem starts it, the longest shared first.
  const stemmed = (t) => {
    const cs = [...t], least = Math.max(4, cs.length - 3);
    const at = (n) => n < least ? Promise.resolve([]) : lookup(cs.slice(0, n).join(""), true).then((hits) => {
      const ok = hits.filter((h) => h && h[1].length < t.length && t.startsWith(h[1]));
      return ok.length ? ok.map((h) => [h, 1]) : at(n - 1);
    });
    return at(cs.length - 1);
  };

  // Ranked ids: most words, whole title, impacts (exact > completion, typo). Last word a
  // prefix only with `prefix`. f: {kind, stage, category}.
  const search = (q, f, prefix) => manifest().then(() => {
    const toks = terms(q);
    // A lone CJK character: the pairs that start with it.
    const each = (t, n) => lookup(t, prefix && n === toks.length - 1 || isCjk.test(t) && [...t].length === 1).then((hits) => {
      hits = hits.filter(Boolean);
      const own = hits.find((h) => h[0] === t), stem = own ? own[1] : null;
      const weighed = hits.map((h) => [h, h[0] === t || h[1] === stem ? 1 : EXPANDED]);
      if (hits.length) return weighed;
      return stemmed(t).then((found) => found.length ? found : typos(t).then((near) => Promise.all(near.map(([d, w]) => lookup(w, false).then((hs) =>
        hs.filter(Boolean).map((h) => [h, TYPO[d]])))).then((l) => [].concat(...l))));
    });
    return Promise.all(toks.map(each)).then((all) => {
      const acc = new Map(), words = new Set(), stems = toks.slice();
      for (const hits of all) {
        const best = new Map(), titled = new Set();
        for (const [h, w] of hits) {
          words.add(h[0]);
          if (!stems.includes(h[1])) stems.push(h[1]);
          const p = posts[h[1]] = posts[h[1]] || decode(h[2]);
          for (let j = 0; j < p.length; j += 2) {
            if (!(best.get(p[j]) >= p[j + 1] * w)) best.set(p[j], p[j + 1] * w);
            // Even impact: in title or heading.
            if (p[j + 1] % 2 === 0) titled.add(p[j]);
          }
        }
        best.forEach((v, d) => {
          const s = acc.get(d) || [0, 0, d, 0];
          acc.set(d, [s[0] + 1, s[1] + v, d, s[3] + titled.has(d)]);
        });
      }
      const res = [...acc.values()].filter(([, , d]) => (!f.kind || S.kinds[cols.kind[d]].filter === f.kind) &&
        !(f.stage >= 0 && cols.stage[d] >= 0 && cols.stage[d] !== f.stage || f.category >= 0 && cols.category[d] !== f.category))
        .sort((a, b) => b[0] - a[0] || (b[3] === b[0]) - (a[3] === a[0]) || b[1] - a[1] || a[2] - b[2]);
      // A matched key, or starts with a query word or stem; CJK text: holds a query pair.
      const pairs = toks.filter((t) => isCjk.test(t));
      const hit = (w) => isCjk.test(w) ? pairs.some((t) => w.includes(t)) : (w = fold(lower(w)), words.has(w) || stems.some((t) => w.startsWith(t)));
      // [start, end] of the query's pairs in a CJK run, overlaps merged.
      hit.spans = (w) => {
        const at = [];
        for (const t of pairs) for (let i = w.indexOf(t); i >= 0; i = w.indexOf(t, i + 1)) at.push([i, i + t.length]);
        at.sort((a, b) => a[0] - b[0]);
        return at.reduce((o, a) => (o.length && a[0] <= o[o.length - 1][1] ? o[o.length - 1][1] = Math.max(o[o.length - 1][1], a[1]) : o.push(a), o), []);
      };
      return { ids: res.map((r) => r[2]), toks, hit };
    });
  });

  // Doc d: its page row and doc row, kind, stage and category.
  const getDoc = (d) => {
    const b = find(M.blocks, d);
    return load("d/" + b).then((o) => {
      const r = row(S.doc, o.docs[d - M.blocks[b]]);
      return Object.assign(row(S.page, o.pages[r.page]), r,
        { kind: S.kinds[cols.kind[d]].name, stage: cols.stage[d], category: cols.category[d] });
    });
  };
  const hasHit = (text, hit) => (text.match(/[\p{L}\p{N}]+/gu) || []).some(hit);
  // The rest of doc d's text beyond its row's (o), "" if none.
  const rest = (o, d) => o.more < 0 ? Promise.resolve("") : load("m/" + o.more).then((m) => m[d] || "");
  // Whether result o shows none of the words found (title, heading, label, text, description)
  // but has more text, which may.
  const lacks = (o, hit) => o.more >= 0 && ![o.title, o.heading, o.label, o.text, o.description].some((t) => t && hasHit(t, hit));
  // The results ids as rows, each that lacks a word found with `passage`, the rest of its text,
  // if that holds one; from at most `files` files of such text (the header box's budget: each is
  // a download), best results first.
  const rows = (ids, hit, files = Infinity) => Promise.all(ids.map(getDoc)).then((os) => {
    const want = new Set();
    return Promise.all(os.map((o, i) => {
      if (!lacks(o, hit) || !want.has(o.more) && want.size >= files) return o;
      want.add(o.more);
      return rest(o, ids[i]).then((t) => { if (hasHit(t, hit)) o.passage = t.replace(/\s+/g, " "); return o; }, () => o);
    }));
  });
  // Files of more text the header box loads for one list of results.
  const BOX_MORE = 2;
  // For tests.
  window.stagebookSearch.read = { manifest, shard, lookup, decode, doc: getDoc, search, typos, terms, rest, rows, BOX_MORE };

  /* ----- results ----- */

  const el = (tag, cls, text) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = text || "";
    return e;
  };
  const attrs = (e, a) => { for (const k in a) e.setAttribute(k, a[k]); };
  // Adds text to parent with the matched words (in CJK text, the query's pairs) in <mark>.
  const mark = (parent, text, hit) => {
    const re = RegExp("[" + CJK + "]+|(?:(?![" + CJK + "])[\\p{Alphabetic}\\p{N}\\p{M}])+", "gu");
    let at = 0, m;
    const put = (s, e) => { parent.append(text.slice(at, s), el("mark", "", text.slice(s, e))); at = e; };
    while ((m = re.exec(text))) {
      if (!isCjk.test(m[0])) { if (hit(m[0])) put(m.index, re.lastIndex); } else if (hit.spans) for (const [s, e] of hit.spans(m[0])) put(m.index + s, m.index + e);
    }
    parent.append(text.slice(at));
    return parent;
  };
  // ~160 characters around the first matched word, cut at spaces.
  const snippet = (text, hit) => {
    const re = /[\p{L}\p{N}]+/gu, n = text.length;
    let at = 0, m, start, end;
    while ((m = re.exec(text))) if (hit(m[0])) { at = m.index; break; }
    start = Math.max(0, Math.min(at - 50, n - 160));
    if (start) {
      const sp = text.indexOf(" ", start - 1);
      start = sp < 0 || sp >= at ? at : sp + 1;
    }
    end = start + 160 < n ? text.lastIndexOf(" ", start + 160) : n;
    if (end <= at) end = Math.min(start + 160, n);
    return (start ? "…" : "") + text.slice(start, end) + (end < n ? "…" : "");
  };
  // "Page — Heading — snippet" for screen readers.
  const sep = () => el("span", "visually-hidden", " — ");
  // Why a result matched: its text around a word found, else the rest of its text (passage)
  // around one, else a matching description.
  const reason = ({ text, passage, description }, hit) => {
    if (text && hasHit(text, hit)) return snippet(text, hit);
    if (passage) return ((s) => s[0] === "…" ? s : "…" + s)(snippet(passage, hit));
    if (description && hasHit(description, hit)) return snippet(description, hit);
    return text ? snippet(text, hit) : "";
  };
  window.stagebookSearch.read.reason = reason;
  // A result and why it matched; in the header box an option holds the address, not a link.
  const item = (d, hit, option) => {
    const { title, url, anchor, heading, label } = d;
    const li = el("li", "search-result"), a = li.appendChild(el(option ? "div" : "a", "search-link"));
    const t = a.appendChild(el("span", "search-title")), href = root + url + (anchor ? "#" + anchor : "");
    if (option) li.dataset.href = href;
    else a.href = href;
    mark(t.appendChild(el("span", "search-page")), title, hit);
    if (heading) {
      t.append(sep());
      mark(t.appendChild(el("span", "search-heading")), heading, hit);
    }
    if (label) a.append(sep(), el("span", "badge search-label", label));
    const why = reason(d, hit);
    if (why) a.append(sep(), mark(el("span", "search-snippet"), why, hit));
    return li;
  };
  const t = (k, v) => window.stagebookT(k, v), quoted = (q) => t("search_quoted", { q: q.trim() });

  const says = (r, q, n = r.ids.length) => !r.toks.length ? "" : n ? t("search_results", { n }) : t("search_none", { q: quoted(q) });
  const NOT_FOUND = () => t("search_missing");

  const form = doc.getElementById("sb-search"), input = form && form.elements.q;
  const pageForm = doc.getElementById("sb-sp"), box = pageForm ? pageForm.elements.q : input;

  // "/" or Ctrl/Cmd-K focuses the search box, unless typing in another field.
  doc.addEventListener("keydown", (e) => {
    const t = e.target, k = e.key;
    if (!box || e.altKey || e.defaultPrevented || t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
        t.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|range|color|file|image)$/.test(t.type)) return;
    if (k === "/" && !e.ctrlKey && !e.metaKey || /^k$/i.test(k) && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  /* ----- header box: a combobox with a listbox of results ----- */

  if (input) {
    const panel = el("div", "search-panel"), list = panel.appendChild(el("ul", "search-list"));
    const msg = panel.appendChild(el("p", "search-msg")), all = panel.appendChild(el("a", "search-all")), live = el("p", "visually-hidden");
    let opts = [], active = -1, timer = 0, seq = 0, busy;
    list.id = "sb-search-list";
    attrs(list, { role: "listbox", "aria-label": t("search_label") });
    attrs(live, { role: "status", "aria-live": "polite" });
    attrs(input, { role: "combobox", "aria-autocomplete": "list", "aria-controls": list.id, "aria-expanded": "false" });
    panel.hidden = true;
    form.append(panel, live);

    const select = (n) => {
      if (opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = n;
      if (!opts[n]) return input.removeAttribute("aria-activedescendant");
      attrs(input, { "aria-activedescendant": opts[n].id });
      opts[n].setAttribute("aria-selected", "true");
      opts[n].scrollIntoView({ block: "nearest" });
    };
    const show = (open) => {
      panel.hidden = !open;
      input.setAttribute("aria-expanded", open && opts.length > 0);
      if (!open) select(-1);
    };
    const render = (items, text, total) => {
      select(-1);
      list.replaceChildren(...(opts = items));
      msg.textContent = live.textContent = text;
      msg.hidden = total || !text;
      all.hidden = !total;
      all.textContent = t("search_all", { results: text });
      all.href = root + "search/index.html?q=" + encodeURIComponent(input.value);
      show(!!text && doc.activeElement === input);
    };
    const run = () => {
      clearTimeout(timer);
      timer = 0;
      const n = ++seq, q = input.value;
      busy = search(q, {}, true).then((r) => rows(r.ids.slice(0, 8), r.hit, BOX_MORE).then((ds) => {
        if (n === seq) render(ds.map((d, i) => {
          const li = item(d, r.hit, true);
          attrs(li, { id: "sb-search-opt-" + i, role: "option", "aria-selected": "false" });
          return li;
        }), says(r, q), r.ids.length);
      })).catch(() => { if (n === seq) render([], NOT_FOUND(), 0); });
    };

    input.addEventListener("focus", () => {
      manifest().catch(Boolean); // preload
      if (input.value.trim()) run();
    });
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 20); });
    input.addEventListener("keydown", (e) => {
      const k = e.key, n = opts.length;
      if (e.isComposing) return;
      if (/^(ArrowDown|ArrowUp|Enter|Escape|Esc)$/.test(k)) e.preventDefault();
      if (k === "ArrowDown" || k === "ArrowUp") {
        if (panel.hidden) run();
        else if (n) select(k === "ArrowDown" ? (active + 1) % n : (active < 1 ? n : active) - 1);
      } else if (k === "Enter") {
        if (timer || !busy) run();
        busy.then(() => {
          const o = opts[Math.max(active, 0)];
          show(false);
          if (o) location.href = o.dataset.href;
          else form.submit();
        });
      } else if (/^Esc/.test(k)) {
        if (panel.hidden) input.blur();
        else show(false);
      }
    });
    // Focus stays in the box on click; close when it leaves the form.
    panel.addEventListener("mousedown", (e) => e.preventDefault());
    panel.addEventListener("click", (e) => {
      const o = e.target.closest && e.target.closest("[role=option]");
      show(false);
      if (o) location.href = o.dataset.href;
    });
    form.addEventListener("focusout", (e) => { if (!form.contains(e.relatedTarget)) show(false); });
    // Loaded on first focus (nav.js): catch up.
    if (doc.activeElement === input) { manifest().catch(Boolean); if (input.value.trim()) run(); }
  }

  /* ----- search page: ?q=&kind=&stage=&category=, kept in the URL as they change ----- */

  if (pageForm) {
    const P = new URLSearchParams(location.search), byId = (id) => doc.getElementById(id), els = pageForm.elements;
    const status = byId("sb-sp-status"), results = byId("sb-sp-results"), more = byId("sb-sp-more"), facets = ["stage", "category"];
    let pseq = 0, timer = 0, res, shown;
    const page = (n, focus) => {
      const ids = res.ids.slice(shown, shown += 10);
      return rows(ids, res.hit).then((ds) => {
        if (n !== pseq) return;
        ds.forEach((d, i) => {
          const li = results.appendChild(item(d, res.hit));
          if (focus && !i) li.firstChild.focus();
        });
        more.hidden = shown >= res.ids.length;
      });
    };
    const run = (write) => {
      clearTimeout(timer);
      const q = box.value, kind = els.kind.value, f = { kind }, u = new URLSearchParams(), n = ++pseq;
      if (q) u.set("q", q);
      if (kind) u.set("kind", kind);
      byId("sb-sp-facets").hidden = kind !== "matrix";
      for (const name of facets) {
        f[name] = kind === "matrix" ? els[name].selectedIndex - 1 : -1;
        if (f[name] >= 0) u.set(name, els[name].value);
      }
      if (write) {
        try { history.replaceState(null, "", location.pathname + (q || kind ? "?" + u : "")); } catch (e) { /* not allowed here */ }
      }
      return search(q, f).then((r) => {
        if (n !== pseq) return;
        res = r;
        shown = 0;
        results.replaceChildren();
        more.hidden = true;
        status.textContent = r.ids.length ? t("search_for", { results: says(r, q), q: quoted(q) }) : says(r, q);
        return page(n);
      }).catch(() => { if (n === pseq) status.textContent = NOT_FOUND(); });
    };

    box.value = P.get("q") || "";
    const setKind = (k) => { pageForm.querySelector(`[name=kind][value="${k}"]`).checked = true; };
    setKind(/^(pages|matrix)$/.test(P.get("kind")) ? P.get("kind") : "");
    manifest().then((m) => {
      // No matrix results: no filters.
      if (!m.schema.kinds.some((k, i) => k.filter === "matrix" && cols.kind.includes(i))) return setKind("");
      for (const name of facets) {
        for (const [id, label] of m[name === "stage" ? "stages" : "categories"]) {
          const o = els[name].appendChild(el("option", "", label));
          o.value = id;
          o.selected = id === P.get(name);
        }
      }
      byId("sb-sp-filters").hidden = false;
    }).catch(Boolean).then(() => run());
    if (!box.value) box.focus();

    pageForm.addEventListener("input", (e) => {
      if (e.target === box) { clearTimeout(timer); timer = setTimeout(run, 20, 1); }
    });
    pageForm.addEventListener("change", (e) => { if (e.target !== box) run(1); });
    pageForm.addEventListener("submit", (e) => { e.preventDefault(); run(1); });
    more.addEventListener("click", () => page(pseq, 1));
  }
})();
