// Runs queries against a built site with the site's own static/search.js under node (a stub
// document whose <script> tags read the index files from disk) and prints, per query, the
// ranked results and the index files the query loaded.
//   node tests/support/search_run.js <site folder> [--prefix] [--top N] query...
// Output: JSON {query: {results: [{id, url, anchor, title, heading, kind, text}], total, files: [path...]}}.
// Used by search_eval.py (ranking quality) and search.py (first-query bytes).
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");

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
const noop = () => {};

// A fresh script context per query, so each query's loads are those of a first query.
const context = (loaded) => {
  const ctx = { atob, console, setTimeout, clearTimeout };
  ctx.window = ctx;
  ctx.document = {
    documentElement: { dataset: { root } },
    getElementById: () => null,
    addEventListener: noop,
    activeElement: null,
    createElement: () => ({ remove: noop }),
    head: {
      append: (s) => setImmediate(() => {
        let code;
        try { code = fs.readFileSync(s.src, "utf8"); } catch (e) { s.onerror(); return; }
        loaded.add(s.src);
        vm.runInContext(code, ctx, { filename: s.src });
        s.onload();
      }),
    },
  };
  vm.createContext(ctx);
  const script = path.join(root, "static", "search.js");
  vm.runInContext(fs.readFileSync(script, "utf8"), ctx, { filename: script });
  return ctx.stagebookSearch.read;
};

(async () => {
  const out = {};
  for (const q of queries) {
    const loaded = new Set();
    const sb = context(loaded);
    await sb.manifest();
    const r = await sb.search(q, {}, prefix);
    const results = [];
    for (const d of r.ids.slice(0, top)) {
      const doc = await sb.doc(d);
      results.push({ id: d, url: doc.url, anchor: doc.anchor, title: doc.title, heading: doc.heading, kind: doc.kind, text: doc.text });
    }
    out[q] = { results, total: r.ids.length, files: [...loaded].map((f) => path.relative(root, f)) };
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
