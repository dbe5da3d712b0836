// A built site's static/strings.js and static/i18n.js loaded as a page loads them (one after
// the other, sharing one global), then stagebookT called for each [key, vars] of the JSON list
// in argv[3]. Prints {strings, out}. With argv[4] = "no-intl" the browser has no Intl.
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");
const [site, calls, mode] = process.argv.slice(2);
const ctx = {};
ctx.window = ctx;
vm.createContext(ctx);
if (mode === "no-intl") vm.runInContext("delete globalThis.Intl", ctx);
for (const name of ["strings.js", "i18n.js"]) {
  const file = path.join(site, "static", name);
  vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
}
const out = JSON.parse(calls).map(([key, vars]) => ctx.stagebookT(key, vars));
process.stdout.write(JSON.stringify({ strings: ctx.stagebookStrings, out }));
