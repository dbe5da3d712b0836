/* stagebook: "where are we?". The reader picks the team's stage, kept in localStorage per
   handbook. Aspects are then marked against it from their data-states (one letter per stage:
   n new or changed, s same as before, e nothing): build now, done by now, or not yet. */
"use strict";
(() => {
  const doc = document, sel = doc.getElementById("sb-where");
  if (!sel || sel.dataset.ready) return;
  sel.dataset.ready = "1";
  const key = "stagebook:" + (doc.documentElement.dataset.book || "handbook") + ":where";
  const opts = [...sel.options].slice(1), out = sel.parentNode.querySelector(".where-summary");
  const here = doc.querySelector(".stage-card[data-stage]");
  const name = (i) => opts[i].dataset.name;
  const add = (parent, tag, text, cls) => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = text;
    parent.append(e);
    return e;
  };
  const apply = () => {
    const c = opts.findIndex((o) => o.value === sel.value), o = opts[c];
    doc.querySelectorAll(".where-mark").forEach((m) => m.remove());
    doc.querySelectorAll("[data-when]").forEach((e) => e.removeAttribute("data-when"));
    doc.querySelectorAll("[data-team]").forEach((e) => e.removeAttribute("data-team")); /* a11y: tinted column */
    out.textContent = "";
    if (!o) { out.textContent = "Pick your team's stage to see what to build now, what should be done by now and what can wait."; return; }
    for (const r of doc.querySelectorAll("[data-states]")) {
      const s = r.dataset.states, later = [...s].findIndex((x, i) => i > c && x !== "e");
      const [when, text] = s[c] === "n" ? ["now", "Build now"] : s[c] === "s" ? ["done", "Done by now"]
        : ["later", later < 0 ? "Not needed" : "Not yet: skip until " + name(later)];
      r.dataset.when = when;
      const m = doc.createElement("span");
      m.className = "where-mark";
      m.textContent = text;
      const n = r.querySelector(".check-name");
      if (n) n.after(" ", m); else r.querySelector(".aspect-col").append(" ", m);
    }
    for (const th of doc.querySelectorAll("th[data-stage]")) {
      const i = opts.findIndex((x) => x.value === th.dataset.stage);
      th.dataset.when = i < c ? "done" : i === c ? "now" : "later";
      add(th, "span", i < c ? "done by now" : i === c ? "your stage" : "not yet", "where-mark");
      if (i === c) [th, ...th.closest("table").querySelectorAll('td[data-stage="' + CSS.escape(o.value) + '"]')].forEach((e) => { e.dataset.team = ""; });
    }
    const d = o.dataset, p = window.stagebookProgress;
    add(out, "strong", name(c));
    out.append(" (stage " + d.number + " of " + opts.length + "): " + d.new + " aspects to build now, " + d.same +
      " done by now, " + d.empty + " not yet.");
    if (p && p.store) out.append(" Ticked for this stage: " + p.stageDone(d.ticks) + " / " + d.boxes + ".");
    if (here) {
      const i = opts.findIndex((x) => x.value === here.dataset.stage);
      out.append(" " + (i < c ? "This stage is behind you: what it lists should be done by now."
        : i === c ? "This is your stage: work on the aspects marked Build now."
          : "This stage is ahead of you: skip it until you reach it."));
    }
    if (!here || here.dataset.stage !== o.value) {
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
