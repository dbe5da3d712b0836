/* stagebook: cost calculator on the stages page. Adds up the build cost and duration of the
   stages from one to another (both included) and spans their monthly cost. A stage whose figure
   is missing or given in words ("nearly zero") is named, never counted as zero. Durations stay
   in the unit the data gives them in; when the stages mix units the sum is in weeks (a month
   being 52/12 weeks) and marked "≈". */
"use strict";
(() => {
  const doc = document, from = doc.getElementById("sb-calc-from"), to = doc.getElementById("sb-calc-to");
  if (!from || !to) return;
  const opts = [...from.options], $ = (id) => doc.getElementById("sb-calc-" + id);
  const WEEKS = { weeks: 1, months: 52 / 12 };
  // Numbers and money as the server wrote the figures beside them (static/numbers.js).
  const N = window.stagebookNumbers, num = (n) => N ? N.integer(n) : String(n);
  const run = () => {
    let a = from.selectedIndex, b = to.selectedIndex;
    if (a > b) [a, b] = [b, a];
    const span = opts.slice(a, b + 1), ids = span.map((o) => o.value), left = [];
    const currencies = new Set(span.filter((o) => o.dataset.currency !== undefined).map((o) => o.dataset.currency.toUpperCase()));
    const priced = span.find((o) => o.dataset.currency !== undefined), range = (lo, hi, f) => lo === hi ? f(lo) : f(lo) + "–" + f(hi);
    const money = (v) => N && priced ? N.money(v, priced.dataset.currency, priced.dataset.display) : num(v);
    for (const [k, label, sum] of [
      ["build", "build cost", true],
      ["duration", "duration", true],
      ["monthly", "monthly infrastructure", false],
    ]) {
      const have = span.filter((o) => o.dataset[k]);
      const words = span.filter((o) => o.dataset[k + "Text"]).map((o) => o.textContent + " (“" + o.dataset[k + "Text"] + "”)");
      const none = span.filter((o) => !o.dataset[k] && !o.dataset[k + "Text"]).map((o) => o.textContent);
      // Durations: one unit if the stages agree on it, else weeks and an approximate sum.
      const units = new Set(have.map((o) => o.dataset.durationUnit || "weeks"));
      const mixed = k === "duration" && units.size > 1, unit = mixed ? "weeks" : [...units][0];
      const scale = (o) => mixed ? WEEKS[o.dataset.durationUnit] || 1 : 1;
      const r = have.map((o) => o.dataset[k].split(" ").map((v) => Number(v) * scale(o)));
      let lo = sum ? 0 : Infinity, hi = sum ? 0 : -Infinity;
      for (const [x, y] of r) if (sum) { lo += x; hi += y; } else { lo = Math.min(lo, x); hi = Math.max(hi, y); }
      if (mixed) { lo = Math.round(lo); hi = Math.round(hi); }
      const show = k === "duration" ? range(lo, hi, num) + " " + unit
        : k === "monthly" ? range(lo, hi, money) + " a month" : range(lo, hi, money);
      $(k).textContent = !r.length ? (words.length ? words.join(", ") : "no range given for these stages")
        : currencies.size > 1 && k !== "duration" ? "not added up: the stages use different currencies"
          : (mixed ? "≈ " : "") + (sum ? "" : "from ") + show;
      if (r.length) {
        if (words.length) left.push(label + " of " + words.join(", "));
        if (none.length) left.push(label + " of " + none.join(", ") + " (no range given)");
      }
    }
    $("missing").textContent = left.length ? "Not counted: " + left.join("; ") + "." : "";
    doc.querySelectorAll(".calc-sources a").forEach((a) => { a.hidden = !ids.includes(a.dataset.stage); });
  };
  from.addEventListener("change", run);
  to.addEventListener("change", run);
  run();
})();
