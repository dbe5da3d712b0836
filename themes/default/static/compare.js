/* stagebook: what the comparison of two stages (filter.js, ?compare=a,b) says of an aspect:
   "new" (a requirement where none was: state e), "changed", "dropped" (none any more) or "same". */
"use strict";
window.stagebookCompare = (stages, name, cell, t = window.stagebookT) => ({
  // The aspect's change in row r, marked in its heading unless "same".
  mark: (r, [a, b]) => {
    const s = r.dataset.states || "", ra = s[stages.indexOf(a)] !== "e", rb = s[stages.indexOf(b)] !== "e";
    const k = ra && rb ? (cell(r, a) === cell(r, b) ? "same" : "changed") : ra ? "dropped" : rb ? "new" : "same";
    const head = r.querySelector(".aspect-col"), m = document.createElement("span");
    if (k !== "same" && head) {
      m.className = "compare-mark";
      m.dataset.change = k;
      m.textContent = k === "changed" ? t("compare_changed") : t(k === "new" ? "compare_new" : "compare_dropped", { stage: name(b) });
      head.append(" ", m);
    }
    return k;
  },
  count: (shown, all, [a, b], n) => t("compare_count", {
    shown, n: all, from: name(a), to: name(b), new: t("compare_new_n", { n: n.new, stage: name(b) }),
    changed: t("compare_changed_n", { n: n.changed }), dropped: t("compare_dropped_n", { n: n.dropped }), same: t("compare_same_n", { n: n.same }),
  }),
});
