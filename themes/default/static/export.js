/* stagebook: export, import and reset of saved ticks, and printing. Markdown (a task list) and
   CSV list the boxes of this page; JSON carries every tick of the handbook, and importing it
   elsewhere adds its ticks (after a confirmation) without removing any. */
"use strict";
(() => {
  const doc = document, tools = doc.querySelector(".progress-tools"), P = window.stagebookProgress, t = window.stagebookT;
  if (!tools || !P) return;
  // A stage page's sticky bar has some of the same buttons.
  const bar = doc.getElementById("sb-stage-bar"), file = tools.querySelector("input[type=file]");
  let status = tools.querySelector(".tool-status");
  const say = (t) => { status.textContent = t; };
  // Which saved keys are ticks, as patterns the page gives (progress.js matches them).
  const all = tools.dataset.ticks;
  // Visible text of an element, without the counters and marks scripts added to it.
  const text = (e) => {
    if (!e) return "";
    const c = e.cloneNode(true);
    c.querySelectorAll(".progress-count, .where-mark, .visually-hidden, .badge, .cell-label").forEach((x) => x.remove());
    return c.textContent.replace(/\s+/g, " ").trim();
  };
  const items = () => [...doc.querySelectorAll("input[type=checkbox][data-key]")].map((b) => {
    const li = b.closest(".check-item"), g = b.closest(".stage-group, .checklist"), cell = text(li.querySelector(".cell-now"));
    return {
      group: g ? text(g.querySelector("h2, h3")) : "",
      item: text(li.querySelector(".check-name, .check-text")) + (cell ? ": " + cell : ""),
      key: b.dataset.key,
      done: b.checked,
    };
  });
  const title = text(doc.querySelector("main h1"));
  const csv = (v) => {
    v = /^[=+\-@]/.test(v) ? "'" + v : v;
    return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  };
  const formats = {
    md: ["text/markdown", () => {
      let s = "# " + title + "\n", last = null;
      for (const i of items()) {
        if (i.group !== last) { s += "\n## " + i.group + "\n\n"; last = i.group; }
        s += "- [" + (i.done ? "x" : " ") + "] " + i.item + "\n";
      }
      return s;
    }],
    csv: ["text/csv", () => [t("export_group"), t("export_item"), t("export_key"), t("export_done")].map(csv).join(",") + "\n" +
      items().map((i) => [i.group, i.item, i.key, t(i.done ? "export_yes" : "export_no")].map(csv).join(",") + "\n").join("")],
    json: ["application/json", () => JSON.stringify({
      stagebook: 1, book: P.book, exported: new Date().toISOString(), ticks: P.ticks(all),
    }, null, 2) + "\n"],
  };
  const save = (kind) => {
    const [type, make] = formats[kind], a = doc.createElement("a");
    a.href = URL.createObjectURL(new Blob([make()], { type }));
    a.download = P.book + "-" + (kind === "json" ? t("export_progress") : title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-")) + "." + kind;
    doc.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 5000);
    say(t("export_saved", { file: a.download }));
  };
  const load = (name, body) => {
    let data = null;
    try { data = JSON.parse(body); } catch (e) { /* reported below */ }
    const isTick = P.matches(all);
    const ticks = data && Array.isArray(data.ticks) ? data.ticks.filter((k) => typeof k === "string" && isTick(k)) : null;
    if (!ticks) return say(t("export_invalid", { file: name }));
    const have = new Set(P.ticks(all)), add = ticks.filter((k) => !have.has(k));
    if (!add.length) return say(t("export_nothing", { file: name }));
    const other = data.book && data.book !== P.book ? t("export_other", { book: data.book }) : "";
    if (!confirm(t("export_ask", { n: add.length, file: name, saved: have.size, other }))) return say(t("export_cancelled"));
    add.forEach((k) => P.set(k, true));
    P.refresh();
    say(t("export_imported", { n: add.length, file: name }));
  };
  const click = (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    status = e.currentTarget.querySelector("[role=status]");
    if (b.dataset.export) save(b.dataset.export);
    else if (b.dataset.act === "import") file.click();
    else if (b.dataset.act === "print") window.print();
    else if (b.dataset.act === "reset") {
      const saved = P.ticks(all);
      if (!saved.length) return say(t("export_reset_none"));
      if (!confirm(t("export_reset_ask", { n: saved.length }))) return;
      saved.forEach((k) => P.set(k, false));
      P.refresh();
      say(t("export_reset_done", { n: saved.length }));
    }
  };
  tools.addEventListener("click", click);
  if (bar) bar.addEventListener("click", click);
  file.addEventListener("change", () => {
    const f = file.files[0];
    if (f) f.text().then((body) => load(f.name, body));
    file.value = "";
  });
})();
