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
  const here = doc.querySelector(".stage-card[data-stage]");
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
      if (s[c] === "n") return ["now", "Build now"];
      if (s[c] === "s") return ["done", "Done by now"];
      const later = next(c, s.length);
      return ["later", later < 0 ? "Not needed" : `Not yet: skip until ${name(later)}`];
    }
    if (s[p] === "e") return null;
    if (p < c) return ["done", "Should be done by now"];
    const first = next(c, p);
    return first < 0 ? ["same", `Same as at ${name(c)}`] : ["later", `Not yet: from ${name(first)}`];
  };
  const apply = () => {
    const c = at(sel.value), o = opts[c], p = here ? at(here.dataset.stage) : c;
    doc.querySelectorAll(".where-mark").forEach((m) => m.remove());
    doc.querySelectorAll("[data-when]").forEach((e) => e.removeAttribute("data-when"));
    doc.querySelectorAll("[data-team]").forEach((e) => e.removeAttribute("data-team")); /* a11y: tinted column */
    out.textContent = "";
    if (!o) { out.textContent = "Pick your team's stage to see what to build now, what should be done by now and what can wait."; return; }
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
      add(th, "span", i < c ? "done by now" : i === c ? "your stage" : "not yet", "where-mark");
      if (i === c) [th, ...th.closest("table").querySelectorAll('td[data-stage="' + CSS.escape(o.value) + '"]')].forEach((e) => { e.dataset.team = ""; });
    }
    const d = o.dataset, P = window.stagebookProgress;
    add(out, "strong", name(c));
    const t = tally, none = t.none ? `${t.none} aspects ask nothing at ${name(p)}` : "";
    out.append(` (stage ${d.number} of ${opts.length})`);
    if (!here || p === c) {
      const [now, done, later] = here ? [t.now, t.done, t.later] : [d.new, d.same, d.empty];
      out.append(`: ${now} aspects to build now, ${done} done by now, ${later} not yet.`);
      if (here) out.append(" This is your stage: work on the aspects marked Build now.");
    } else if (p < c) {
      out.append(`. ${name(p)} is behind you: its ${t.done} requirements should be done by now${none && "; " + none}.`);
    } else {
      out.append(`. ${name(p)} is ahead of you: ${t.later} aspects not yet, ${t.same} the same as at ${name(c)}${none && "; " + none}. Skip it until you reach it.`);
    }
    if (P && P.store) out.append(` Ticked for ${name(c)}: ${P.stageDone(d.ticks)} / ${d.boxes}.`);
    if (!here || p !== c) {
      out.append(" ");
      add(out, "a", "Open the " + name(c) + " checklist").href = d.url;
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
