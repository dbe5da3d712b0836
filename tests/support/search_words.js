// What the site's own static/search.js makes of query text, for tests/search_i18n.rs:
//   node search_words.js <site> terms TEXT...        -> {TEXT: [key looked up, ...]}
//   node search_words.js <site> hit QUERY WORD...    -> {WORD: [matched?, [[start, end], ...]]}
// (the second: whether the results of QUERY highlight WORD, and the spans marked in CJK text).
"use strict";
const path = require("path");

const [site, mode, first, ...rest] = process.argv.slice(2);
const sb = require("./search_context.js").reader(path.resolve(site) + path.sep);

(async () => {
  await sb.manifest();
  const out = {};
  if (mode === "terms") {
    for (const text of [first, ...rest]) out[text] = sb.terms(text);
  } else if (mode === "hit") {
    const r = await sb.search(first, {});
    for (const w of rest) out[w] = [r.hit(w), r.hit.spans(w)];
  } else throw Error("mode: terms or hit");
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
