/* stagebook: cost calculator on the stages page. Adds up the build cost and duration of the
   stages from one to another (both included) and spans their monthly cost. A stage whose figure
   is missing or given in words ("nearly zero") is named, never counted as zero. Durations stay
   in the unit the data gives them in; when the stages mix units the sum is in weeks (a month
   being 52/12 weeks) and marked "≈". */
"use strict";
(() => {
  const doc = document, from = doc.getElementById("sb-calc-from"), to = doc.getElementById("sb-calc-to");
  if (!from || !to) return;
  const opts = [...from.options], $ = (id) => doc.getElementById("sb-calc-" + id), t = window.stagebookT;
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
      ["build", t("calc_build"), true],
      ["duration", t("calc_duration"), true],
      ["monthly", t("calc_monthly"), false],
    ]) {
      const have = span.filter((o) => o.dataset[k]);
      const words = span.filter((o) => o.dataset[k + "Text"]).map((o) => t("calc_quoted", { stage: o.textContent, text: o.dataset[k + "Text"] }));
      const none = span.filter((o) => !o.dataset[k] && !o.dataset[k + "Text"]).map((o) => o.textContent);
      // Durations: one unit if the stages agree on it, else weeks and an approximate sum.
      const units = new Set(have.map((o) => o.dataset.durationUnit || "weeks"));
      const mixed = k === "duration" && units.size > 1, unit = mixed ? "weeks" : [...units][0];
      const scale = (o) => mixed ? WEEKS[o.dataset.durationUnit] || 1 : 1;
      const r = have.map((o) => o.dataset[k].split(" ").map((v) => Number(v) * scale(o)));
      let lo = sum ? 0 : Infinity, hi = sum ? 0 : -Infinity;
      for (const [x, y] of r) if (sum) { lo += x; hi += y; } else { lo = Math.min(lo, x); hi = Math.max(hi, y); }
      if (mixed) { lo = Math.round(lo); hi = Math.round(hi); }
      const show = k === "duration" ? t(unit === "months" ? "calc_months" : "calc_weeks", { n: hi, range: range(lo, hi, num) })
        : k === "monthly" ? t("calc_month", { range: range(lo, hi, money) }) : range(lo, hi, money);
      const comma = t("list_comma"), shown = mixed ? t("calc_about", { range: show }) : sum ? show : t("calc_from", { range: show });
      $(k).textContent = !r.length ? (words.length ? words.join(comma) : t("calc_none"))
        : currencies.size > 1 && k !== "duration" ? t("calc_currencies") : shown;
      if (r.length) {
        if (words.length) left.push(t("calc_of", { what: label, stages: words.join(comma) }));
        if (none.length) left.push(t("calc_of_none", { what: label, stages: none.join(comma) }));
      }
    }
    $("missing").textContent = left.length ? t("calc_missing", { list: left.join(t("list_semicolon")) }) : "";
    doc.querySelectorAll(".calc-sources a").forEach((a) => { a.hidden = !ids.includes(a.dataset.stage); });
  };
  from.addEventListener("change", run);
  to.addEventListener("change", run);
  run();
})();
