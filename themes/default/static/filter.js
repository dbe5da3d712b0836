/* stagebook: filters for the aspects of matrix, category and stage pages: stages (columns),
   categories, free text (case- and accent-insensitive, matches highlighted) and a comparison
   of two stages that keeps the aspects that change (compare.js says how). The state lives in
   the URL (?stage=a,b&category=c&q=text or ?compare=a,b), so a view can be shared. Below 600px
   a stage picker offers the matrix one stage at a time (the stage filter with one stage). */
"use strict";
(() => {
  const doc = document, form = doc.getElementById("sb-filters"), t = window.stagebookT;
  if (!form) return;
  const rows = [...doc.querySelectorAll("[data-aspect]")], groups = doc.querySelectorAll("section[data-category]");
  const count = form.querySelector(".filter-count"), empty = doc.querySelector(".filter-empty");
  const el = form.elements, q = el.q, cmp = el.compare, one = el.one, picked = form.querySelector(".filter-picked");
  const boxes = (n) => [...form.querySelectorAll("input[name=" + n + "]")];
  const chosen = (n) => boxes(n).filter((b) => b.checked).map((b) => b.value);
  const stages = boxes("stage").map((b) => b.value);
  const name = (id) => { const b = boxes("stage").find((x) => x.value === id); return b ? b.parentNode.textContent.trim() : id; };
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const skip = "td[hidden], .where-mark, .compare-mark, .visually-hidden, .badge, .progress-count";
  const folds = [...doc.querySelectorAll("details.stage-more")];
  const texts = (row) => {
    const out = [], w = doc.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) if (!w.currentNode.parentNode.closest(skip)) out.push(w.currentNode);
    return out;
  };
  const cell = (row, id) => { const c = row.querySelector('td[data-stage="' + id + '"]'); return c ? fold(c.textContent).trim() : ""; };

  // Wraps every occurrence of the words in <mark>, mapping folded offsets back to the text.
  const highlight = (node, words) => {
    const s = node.data, map = [];
    let f = "", at = 0;
    for (const ch of s) { const k = fold(ch); for (let j = 0; j < k.length; j++) map.push(at); f += k; at += ch.length; }
    map.push(s.length);
    const spans = [];
    for (const w of words) for (let i = f.indexOf(w); i >= 0; i = f.indexOf(w, i + w.length)) spans.push([map[i], map[i + w.length]]);
    if (!spans.length) return;
    spans.sort((a, b) => a[0] - b[0]);
    const frag = doc.createDocumentFragment();
    let pos = 0;
    for (const [a, b] of spans) {
      if (b <= pos) continue;
      const start = Math.max(a, pos);
      frag.append(s.slice(pos, start));
      const m = doc.createElement("mark");
      m.className = "hit";
      m.textContent = s.slice(start, b);
      frag.append(m);
      pos = b;
    }
    frag.append(s.slice(pos));
    node.replaceWith(frag);
  };

  const C = window.stagebookCompare && window.stagebookCompare(stages, name, cell);

  // Matrix and category pages load columns.js, which counts the stage columns out of view.
  const hint = window.stagebookMoreCols ? window.stagebookMoreCols() : () => {};

  const apply = (write) => {
    const on = C && cmp && cmp.getAttribute("aria-pressed") === "true";
    const pair = on ? [el.from.value, el.to.value] : null;
    const st = pair || chosen("stage"), cats = chosen("category");
    const words = fold(q.value).split(/\s+/).filter(Boolean);
    doc.querySelectorAll("mark.hit").forEach((m) => { const p = m.parentNode; m.replaceWith(m.textContent); p.normalize(); });
    doc.querySelectorAll("th[data-stage], td[data-stage]").forEach((c) => { c.hidden = st.length > 0 && !st.includes(c.dataset.stage); });
    boxes("stage").forEach((b) => { b.disabled = on; });
    doc.querySelectorAll(".compare-mark").forEach((m) => m.remove());
    const kinds = { new: 0, changed: 0, dropped: 0, same: 0 };
    if (one) { one.disabled = on; one.value = !on && st.length === 1 ? st[0] : ""; }
    let shown = 0;
    for (const r of rows) {
      const g = r.closest("[data-category]"), states = r.dataset.states || "";
      let ok = !cats.length || !!g && cats.includes(g.dataset.category);
      if (ok && pair) {
        const k = C.mark(r, pair);
        kinds[k]++;
        ok = k !== "same";
      }
      else if (ok && st.length) ok = st.some((id) => states[stages.indexOf(id)] !== "e");
      const nodes = ok && words.length ? texts(r) : [];
      if (nodes.length) { const t = fold(nodes.map((n) => n.data).join(" ")); ok = words.every((w) => t.includes(w)); }
      r.hidden = !ok;
      if (ok) { shown++; nodes.forEach((n) => highlight(n, words)); }
    }
    groups.forEach((g) => { g.hidden = !g.querySelector("[data-aspect]:not([hidden])"); });
    // A stage page's folded aspects open while a filter is on, and close again after.
    const on2 = words.length > 0 || cats.length > 0;
    folds.forEach((d) => {
      if (on2 && !d.open) d.open = d.dataset.f = 1;
      else if (!on2 && d.dataset.f) { d.open = false; delete d.dataset.f; }
    });
    if (picked) picked.textContent = cats.length ? "(" + cats.length + ")" : "";
    count.textContent = pair ? C.count(shown, rows.length, pair, kinds) : t("filter_count", { shown, n: rows.length });
    const clear = [];
    if (words.length) clear.push(t("filter_text", { q: q.value.trim() }));
    if (cats.length) clear.push(t("filter_category"));
    if (st.length && !pair) clear.push(t("filter_stage"));
    if (empty) {
      empty.hidden = shown > 0;
      empty.textContent = pair && !clear.length
        ? t("filter_same", { from: name(pair[0]), to: name(pair[1]) })
        : t("filter_empty", { what: clear.length > 1 ? clear.slice(0, -1).join(t("list_comma")) + t("list_or") + clear.pop() : clear[0] || t("filter_comparison") });
    }
    hint();
    if (!write) return;
    const p = [];
    const add = (k, v) => { if (v) p.push(k + "=" + encodeURIComponent(v).replace(/%2C/g, ",")); };
    if (pair) add("compare", pair.join(",")); else add("stage", st.join(","));
    add("category", cats.join(","));
    add("q", q.value.trim());
    try { history.replaceState(history.state, "", (p.length ? "?" + p.join("&") : location.pathname) + location.hash); } catch (e) { /* opaque origin */ }
  };

  const params = new URLSearchParams(location.search);
  const list = (k) => (params.get(k) || "").split(",").filter(Boolean);
  const pick = (n, ids) => boxes(n).forEach((b) => { b.checked = ids.includes(b.value); });
  pick("stage", list("stage"));
  pick("category", list("category"));
  if (list("category").length) { const d = form.querySelector("details"); if (d) d.open = true; }
  q.value = params.get("q") || "";
  const c = list("compare");
  if (cmp && c.length === 2 && stages.includes(c[0]) && stages.includes(c[1])) {
    el.from.value = c[0];
    el.to.value = c[1];
    cmp.setAttribute("aria-pressed", "true");
  }
  form.addEventListener("input", (e) => {
    // The phone's one-stage view is the stage filter with a single stage.
    if (one && e.target === one) pick("stage", one.value ? [one.value] : []);
    apply(true);
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("click", (e) => {
    if (e.target === cmp) cmp.setAttribute("aria-pressed", cmp.getAttribute("aria-pressed") === "true" ? "false" : "true");
    else if (e.target === el.clear) {
      form.querySelectorAll("input[type=checkbox]").forEach((b) => { b.checked = false; });
      q.value = "";
      if (cmp) cmp.setAttribute("aria-pressed", "false");
    } else return;
    apply(true);
  });
  // Printing shows every aspect (browsers open a fold for a link or a find into it themselves).
  let shut = [];
  addEventListener("beforeprint", () => { shut = folds.filter((d) => !d.open); shut.forEach((d) => { d.open = true; }); });
  addEventListener("afterprint", () => shut.forEach((d) => { d.open = false; }));
  apply(false);
})();
