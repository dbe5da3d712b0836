// Runs queries against a built site with the site's own static/search.js under node (a stub
// document whose <script> tags read the index files from disk) and prints, per query, the
// ranked results and the index files the query loaded.
//   node tests/support/search_run.js <site folder> [--prefix] [--top N] query...
// Output: JSON {query: {results: [{id, url, anchor, title, heading, kind, text, shown}], total, files: [path...]}}.
// `shown` is the snippet line the result shows (search.js's own choice of text and window).
// Used by search_eval.py (ranking quality) and search.py (first-query bytes).
"use strict";
const path = require("path");

const args = process.argv.slice(2);
const site = args.shift();
let prefix = false, top = 10;
const queries = [];
while (args.length) {
  const a = args.shift();
  if (a === "--prefix") prefix = true;
  else if (a === "--top") top = Number(args.shift());
  else queries.push(a);
}
const root = path.resolve(site) + path.sep;
const { reader } = require("./search_context.js");

(async () => {
  const out = {};
  for (const q of queries) {
    // A fresh script context per query, so each query's loads are those of a first query.
    const loaded = new Set();
    const sb = reader(root, loaded);
    await sb.manifest();
    const r = await sb.search(q, {}, prefix);
    const results = [];
    // As the header box (its budget of files of more text) or the results page shows them.
    const ids = r.ids.slice(0, top), docs = await sb.rows(ids, r.hit, prefix ? sb.BOX_MORE : Infinity);
    docs.forEach((doc, i) => results.push({ id: ids[i], url: doc.url, anchor: doc.anchor, title: doc.title, heading: doc.heading,
      kind: doc.kind, text: doc.text, shown: sb.reason(doc, r.hit) }));
    out[q] = { results, total: r.ids.length, files: [...loaded].map((f) => path.relative(root, f)) };
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
