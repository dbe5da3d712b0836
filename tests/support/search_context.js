// The site's own static/search.js loaded under node against a stub document: only what the
// script touches when the page has no search box, with <script> tags that read the index
// files from disk. Shared by search_decode.js and search_run.js.
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");

// search.js's reader for the site in folder `root` (ending in a separator); every index file
// it loads is added to `loaded` when given.
exports.reader = (root, loaded) => {
  const noop = () => {};
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
        if (loaded) loaded.add(s.src);
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
