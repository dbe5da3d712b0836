/* stagebook: cost calculator on the stages page. Adds up the build cost and duration ranges of
   the stages from one to another (both included) and spans their monthly cost. Stages without
   a range are named, never counted as zero. */
"use strict";
(() => {
  const doc = document, from = doc.getElementById("sb-calc-from"), to = doc.getElementById("sb-calc-to");
  if (!from || !to) return;
  const opts = [...from.options], $ = (id) => doc.getElementById("sb-calc-" + id);
  const num = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const run = () => {
    let a = from.selectedIndex, b = to.selectedIndex;
    if (a > b) [a, b] = [b, a];
    const span = opts.slice(a, b + 1), ids = span.map((o) => o.value), missing = [];
    const prefixes = new Set(span.filter((o) => o.dataset.prefix).map((o) => o.dataset.prefix));
    const p = [...prefixes][0] || "", range = (lo, hi, f) => lo === hi ? f(lo) : f(lo) + "–" + f(hi);
    const money = (v) => p + num(v);
    for (const [k, label, sum, show] of [
      ["build", "build cost", true, (lo, hi) => range(lo, hi, money)],
      ["weeks", "duration", true, (lo, hi) => range(lo, hi, num) + " weeks"],
      ["monthly", "monthly infrastructure", false, (lo, hi) => range(lo, hi, money) + " a month"],
    ]) {
      const have = span.filter((o) => o.dataset[k]), none = span.filter((o) => !o.dataset[k]).map((o) => o.textContent);
      const r = have.map((o) => o.dataset[k].split(" ").map(Number));
      let lo = sum ? 0 : Infinity, hi = sum ? 0 : -Infinity;
      for (const [x, y] of r) if (sum) { lo += x; hi += y; } else { lo = Math.min(lo, x); hi = Math.max(hi, y); }
      $(k).textContent = !r.length ? "no range given for these stages"
        : prefixes.size > 1 && k !== "weeks" ? "not added up: the stages use different currencies"
          : (sum ? "" : "from ") + show(lo, hi);
      if (none.length && r.length) missing.push(label + " leaves out " + none.join(", "));
    }
    $("missing").textContent = missing.length ? "No range given, so not counted: " + missing.join("; ") + "." : "";
    doc.querySelectorAll(".calc-sources a").forEach((a) => { a.hidden = !ids.includes(a.dataset.stage); });
  };
  from.addEventListener("change", run);
  to.addEventListener("change", run);
  run();
})();
