/* stagebook: checklist progress. Every checkbox with a data-key keeps its state in
   localStorage under "stagebook:<book id>:<key>", so ticks survive reloads and rebuilds and
   two handbooks on one host never share them. Checklists, category groups, the page and each
   stage show how many boxes are ticked. window.stagebookProgress serves the other modules. */
"use strict";
(() => {
  const doc = document, book = doc.documentElement.dataset.book || "handbook";
  const prefix = "stagebook:" + book + ":", boxes = doc.querySelectorAll("input[type=checkbox][data-key]");
  let store = null;
  try { store = localStorage; store.getItem(prefix); } catch (e) { store = null; }
  // Keys come from the page (data-key); which ones count is said by space-separated patterns
  // with one `*` (data-ticks), so this script never spells a key itself; `!pattern` excludes
  // (a tick saved for a box that is gone stays saved, uncounted).
  const matches = (patterns) => {
    const ps = (patterns || "").split(" ").filter(Boolean).map((p) => [p[0] === "!", ...p.slice(p[0] === "!").split("*")]);
    const hit = (k, o) => ps.some(([x, a, b = ""]) => x === o && k.length >= a.length + b.length && k.startsWith(a) && k.endsWith(b));
    return (k) => hit(k, false) && !hit(k, true);
  };
  // The saved tick keys of this handbook matching `patterns`, without the prefix.
  const ticks = (patterns) => {
    const out = [], ok = matches(patterns);
    for (let i = 0; store && i < store.length; i++) {
      const k = store.key(i);
      if (k && k.startsWith(prefix) && ok(k.slice(prefix.length))) out.push(k.slice(prefix.length));
    }
    return out.sort();
  };
  const set = (key, on) => {
    try { if (on) store.setItem(prefix + key, "1"); else store.removeItem(prefix + key); } catch (e) { /* blocked */ }
  };
  // Ticks saved for one stage (its patterns cover its aspects and the items of its checklists).
  const stageDone = (patterns) => ticks(patterns).length;
  // A "done / total" counter with a bar, appended to host; returns its update function.
  const N = window.stagebookNumbers, num = (n) => N ? N.integer(n) : String(n);
  const meter = (host) => {
    const out = doc.createElement("span"), bar = doc.createElement("progress"), label = doc.createElement("span");
    out.className = "progress-count";
    bar.setAttribute("aria-hidden", "true");
    out.append(bar, label);
    host.append(out);
    return (done, total) => { bar.max = total; bar.value = done; label.textContent = num(done) + " / " + num(total); };
  };
  const count = (list) => [...list].filter((b) => b.checked).length;
  const meters = [];
  doc.querySelectorAll(".checklist, .stage-group").forEach((g) => {
    const own = g.querySelectorAll("input[type=checkbox][data-key]");
    if (own.length) { const m = meter(g.querySelector("h2, h3") || g); meters.push(() => m(count(own), own.length)); }
  });
  const page = doc.getElementById("sb-page-progress");
  if (page && boxes.length) { const m = meter(page); meters.push(() => m(count(boxes), boxes.length)); }
  doc.querySelectorAll("[data-stage-progress]").forEach((el) => {
    const m = meter(el);
    meters.push(() => m(stageDone(el.dataset.ticks), +el.dataset.boxes));
  });
  const update = () => meters.forEach((m) => m());
  const mark = (box) => {
    const item = box.closest(".check-item");
    if (item) item.dataset.done = box.checked;
  };
  // Re-reads every box from storage (after an import, a reset or a change in another tab).
  const refresh = () => {
    boxes.forEach((b) => { b.checked = !!store && store.getItem(prefix + b.dataset.key) === "1"; mark(b); });
    update();
  };
  boxes.forEach((b) => b.addEventListener("change", () => {
    if (store) set(b.dataset.key, b.checked);
    mark(b);
    update();
  }));
  window.addEventListener("storage", (e) => { if (!e.key || e.key.startsWith(prefix)) refresh(); });
  window.stagebookProgress = { book, store, matches, ticks, set, stageDone, refresh };
  refresh();
})();
