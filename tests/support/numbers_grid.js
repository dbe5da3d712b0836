/* The grid of (locale, currency, amount) that the Rust formatter (src/numbers), node's Intl and
   Chromium's Intl must all print alike. Under node, `node numbers_grid.js` loads the theme's
   static/numbers.js and prints the grid as JSON; in a page, the same function runs against the
   page's window.stagebookNumbers. `short` is Intl's compact notation (the chart's labels). */
"use strict";
function stagebookNumbersGrid(make) {
  const locales = ["en", "fr", "de", "es", "pt", "ja", "ar-u-nu-latn"];
  // [currency as the data gives it, how Intl is told to show it]
  const currencies = [
    ["USD", "symbol"], ["EUR", "symbol"], ["GBP", "symbol"], ["JPY", "symbol"], ["CHF", "symbol"],
    ["CAD", "symbol"], ["AUD", "symbol"], ["CNY", "symbol"], ["INR", "symbol"], ["BRL", "symbol"],
    ["usd", "symbol"], ["KRW", "code"], ["XYZ", "code"], ["credits", ""], ["", ""],
  ];
  const amounts = [0, 1, 7, 42, 999, 1000, 1049, 1050, 1234, 3000, 3040, 3500, 5000, 9999, 10000, 12500, 50000,
    99950, 103000, 150000, 999499, 999500, 999999, 1000000, 1250000, 1350000, 1500000, 12345678, 999999999,
    1000000000, 11000000000, 1000000000000, 1100000000000, 100000000000000, 1000000000000000, -1234, -12500,
    -1500000];
  const rows = [];
  for (const locale of locales) {
    const f = make(locale), compactNumber = new Intl.NumberFormat(locale, { notation: "compact" });
    for (const [currency, display] of currencies) {
      const compact = display
        ? new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: display, notation: "compact" })
        : null;
      for (const amount of amounts) {
        const short = compact ? compact.format(amount)
          : compactNumber.format(amount) + (currency ? "\u00a0" + currency : "");
        rows.push({ locale, currency, display, amount, integer: f.integer(amount), money: f.money(amount, currency, display), short });
      }
    }
  }
  return rows;
}

if (typeof module !== "undefined" && require.main === module) {
  const fs = require("fs"), path = require("path"), vm = require("vm");
  globalThis.window = globalThis;
  globalThis.document = { documentElement: { dataset: { locale: "en" } } };
  const helper = path.join(__dirname, "../../themes/default/static/numbers.js");
  vm.runInThisContext(fs.readFileSync(helper, "utf8"), { filename: helper });
  process.stdout.write(JSON.stringify({ icu: process.versions.icu, rows: stagebookNumbersGrid(window.stagebookNumbers.make) }));
}
