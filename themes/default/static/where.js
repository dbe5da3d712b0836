/* stagebook: "where are we?". The team's stage, kept in localStorage per handbook, marks each
   aspect from its data-states (per stage: n new or changed requirement, s same, e none): for the
   team's stage, or on a stage page for that page's stage as seen from the team's. */
"use strict";
(() => {
  const doc = document, sel = doc.getElementById("sb-where");
  if (!sel || sel.dataset.ready) return;
  sel.dataset.ready = "1";
  const key = "stagebook:" + (doc.documentElement.dataset.book || "handbook") + ":where";
  const opts = [...sel.options].slice(1), out = sel.parentNode.querySelector(".where-summary");
  const here = doc.querySelector(".stage-card[data-stage]"), t = window.stagebookT;
  const name = (i) => opts[i].dataset.name;
  const at = (id) => opts.findIndex((x) => x.value === id);
  const add = (parent, tag, text, cls) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = text;
    parent.append(e);
    return e;
  };
  // [data-when, text] or null, for states s, the team at stage c, on stage p's page.
  const markOf = (s, c, p) => {
    const next = (from, to) => [...s].findIndex((x, i) => i > from && i <= to && x === "n");
    if (p === c) {
      if (s[c] === "n") return ["now", t("where_now")];
      if (s[c] === "s") return ["done", t("where_done")];
      const later = next(c, s.length);
      return ["later", later < 0 ? t("where_never") : t("where_skip", { stage: name(later) })];
    }
    if (s[p] === "e") return null;
    if (p < c) return ["done", t("where_due")];
    const first = next(c, p);
    return first < 0 ? ["same", t("where_same", { stage: name(c) })] : ["later", t("where_from", { stage: name(first) })];
  };
  const apply = () => {
    const c = at(sel.value), o = opts[c], p = here ? at(here.dataset.stage) : c;
    doc.querySelectorAll(".where-mark").forEach((m) => m.remove());
    doc.querySelectorAll("[data-when]").forEach((e) => e.removeAttribute("data-when"));
    doc.querySelectorAll("[data-team]").forEach((e) => e.removeAttribute("data-team")); /* a11y: tinted column */
    out.textContent = "";
    if (!o) { out.textContent = t("where_pick"); return; }
    const tally = { now: 0, done: 0, later: 0, same: 0, none: 0 };
    for (const r of doc.querySelectorAll("[data-states]")) {
      const mark = markOf(r.dataset.states, c, p);
      tally[mark ? mark[0] : "none"]++;
      if (!mark) continue;
      r.dataset.when = mark[0];
      const n = r.querySelector(".check-name"), m = add(n ? n.parentNode : r.querySelector(".aspect-col"), "span", mark[1], "where-mark");
      if (n) n.after(" ", m); else m.before(" ");
    }
    for (const th of doc.querySelectorAll("th[data-stage]")) {
      const i = at(th.dataset.stage);
      th.dataset.when = i < c ? "done" : i === c ? "now" : "later";
      add(th, "span", t(i < c ? "where_col_done" : i === c ? "where_col_now" : "where_col_later"), "where-mark");
      if (i === c) [th, ...th.closest("table").querySelectorAll('td[data-stage="' + CSS.escape(o.value) + '"]')].forEach((e) => { e.dataset.team = ""; });
    }
    const d = o.dataset, P = window.stagebookProgress;
    add(out, "strong", name(c));
    const T = tally, none = T.none ? t("where_none_n", { n: T.none, stage: name(p) }) : "";
    out.append(t("where_position", { number: d.number, total: opts.length }));
    if (!here || p === c) {
      const [now, done, later] = (here ? [T.now, T.done, T.later] : [d.new, d.same, d.empty]).map(Number);
      out.append(t("where_summary", { now: t("where_now_n", { n: now }), done: t("where_done_n", { n: done }), later: t("where_later_n", { n: later }) }));
      if (here) out.append(t("where_own", { mark: t("where_now") }));
    } else if (p < c) {
      out.append(t("where_behind", { stage: name(p), due: t("where_behind_n", { n: T.done }), none }));
    } else {
      out.append(t("where_ahead", { stage: name(p), later: t("where_ahead_n", { n: T.later }), same: t("where_same_n", { n: T.same, stage: name(c) }), none }));
    }
    if (P && P.store) out.append(t("where_ticked", { stage: name(c), done: P.stageDone(d.ticks), total: d.boxes }));
    if (!here || p !== c) {
      out.append(" ");
      add(out, "a", t("where_open", { stage: name(c) })).href = d.url;
    }
  };
  const load = () => {
    let v = "";
    try { v = localStorage.getItem(key) || ""; } catch (e) { /* storage blocked */ }
    sel.value = opts.some((o) => o.value === v) ? v : "";
  };
  sel.addEventListener("change", () => {
    try { if (sel.value) localStorage.setItem(key, sel.value); else localStorage.removeItem(key); } catch (e) { /* blocked */ }
    apply();
  });
  window.addEventListener("storage", (e) => { if (e.key === key || e.key === null) { load(); apply(); } });
  load();
  apply();
})();
