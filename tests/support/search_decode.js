// Reads a built search index with the site's own static/search.js, run against a stub
// document, and prints what the script decoded as JSON:
//   {docs: [{title, url, anchor, heading, text, more, label, kind, stage, category}],
//    terms: {key: {postings: [[doc, impact], ...]} | {alias: stem} | null},
//    searches: {query: {all, pages, matrix, stage0: [doc ids]}}}
// Usage: node search_decode.js <site folder> [query...]
"use strict";
const path = require("path");

const [site, ...queries] = process.argv.slice(2);
const root = path.resolve(site) + path.sep;
const sb = require("./search_context.js").reader(root);

(async () => {
  const m = await sb.manifest();
  const out = { docs: [], terms: {}, searches: {} };
  for (let d = 0; d < m.docs; d++) {
    const doc = await sb.doc(d);
    delete doc.page; // the block-local page number
    doc.more = await sb.rest(doc, d); // the file's number, read as the text it holds
    out.docs.push(doc);
  }
  for (let i = 0; i < m.shards.length; i++) {
    for (const key of Object.keys(await sb.shard(i))) {
      // Found the way a query finds it: through the shard boundaries and the alias.
      const [hit] = await sb.lookup(key, false);
      if (!hit) out.terms[key] = null;
      else if (hit[1] !== key) out.terms[key] = { alias: hit[1] };
      else {
        const p = sb.decode(hit[2]), pairs = [];
        for (let j = 0; j < p.length; j += 2) pairs.push([p[j], p[j + 1]]);
        out.terms[key] = { postings: pairs };
      }
    }
  }
  for (const q of queries) {
    const ids = async (f) => (await sb.search(q, f)).ids;
    out.searches[q] = {
      all: await ids({}),
      pages: await ids({ kind: "pages", stage: -1, category: -1 }),
      matrix: await ids({ kind: "matrix", stage: -1, category: -1 }),
      stage0: await ids({ kind: "matrix", stage: 0, category: -1 }),
    };
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
