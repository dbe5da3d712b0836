/* stagebook: numbers and money in the handbook's language. The page names the locale the
   server formatted its own figures with (<html data-locale>, already resolved: "pt-BR" reads
   "pt", a language stagebook has no conventions for reads "en"), so a sum made here looks like
   the figures beside it. `display` comes from the page too: "symbol" or "code" as Intl
   takes it, "" when the data's currency is free text (then written after the number). */
"use strict";
(() => {
  const make = (locale) => {
    const whole = { minimumFractionDigits: 0, maximumFractionDigits: 0 };
    const plain = new Intl.NumberFormat(locale, whole), money = new Map();
    return {
      locale,
      integer: (n) => plain.format(n),
      money: (n, currency, display) => {
        if (!display) return currency ? plain.format(n) + "\u00a0" + currency : plain.format(n);
        const key = currency + " " + display;
        if (!money.has(key)) {
          money.set(key, new Intl.NumberFormat(locale, { ...whole, style: "currency", currency, currencyDisplay: display }));
        }
        return money.get(key).format(n);
      },
    };
  };
  window.stagebookNumbers = Object.assign(make(document.documentElement.dataset.locale || "en"), { make });
})();
