/* stagebook: the interface's words. static/strings.js (written by the build from the
   language's table, [js] in themes/<name>/i18n/<lang>.toml) holds them; stagebookT(key, vars)
   gives one with its `{name}`s filled in from vars. A plural ({one, other, ...}) is picked by
   vars.n with the language's CLDR rules (Intl.PluralRules), `other` when the browser or the
   table lacks the category; a number is grouped as the language writes it. A key without a string shows as itself, so a gap is seen. */
"use strict";
(() => {
  const S = window.stagebookStrings || {}, all = S.strings || {};
  let rules = null;
  // Counts are written as the server writes numbers in this language (static/numbers.js).
  const show = (v) => typeof v === "number" && window.stagebookNumbers ? window.stagebookNumbers.integer(v) : String(v);
  try { rules = new Intl.PluralRules(S.lang); } catch (e) { /* no Intl or an unknown language */ }
  window.stagebookT = (key, vars = {}) => {
    let s = all[key];
    if (s && typeof s === "object") s = s[rules && typeof vars.n === "number" ? rules.select(vars.n) : "other"] || s.other;
    return typeof s !== "string" ? key : s.replace(/\{(\w+)\}/g, (m, k) => ({}.hasOwnProperty.call(vars, k) ? show(vars[k]) : m));
  };
})();
