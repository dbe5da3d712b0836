/* stagebook: on matrix and category pages, a matrix table that scrolls sideways (phones) says
   how many stage columns are out of view ("3 more stages →"). Loaded before filter.js, which
   calls the returned function again whenever filters hide or show columns. Kept out of
   filter.js so stage pages, which have no matrix table, do not load it. */
"use strict";
window.stagebookMoreCols = () => {
  const doc = document;
  const hints = [...doc.querySelectorAll(".matrix-wrap")].map((wrap) => {
    const hint = doc.createElement("p");
    hint.className = "more-cols";
    hint.setAttribute("aria-hidden", "true"); /* visual cue: the table itself is read cell by cell */
    hint.hidden = true;
    wrap.before(hint);
    /* The columns out of view are past the box's inline end: its right edge, or its left one
       in a right-to-left page (the language's table points the hint's arrow that way). */
    const rtl = getComputedStyle(wrap).direction === "rtl";
    const past = (th, box) => {
      const r = th.getBoundingClientRect();
      return rtl ? r.left < box.left - 2 : r.right > box.right + 2;
    };
    const update = () => {
      const box = wrap.getBoundingClientRect();
      const n = [...wrap.querySelectorAll("thead th[data-stage]:not([hidden])")].filter((th) => past(th, box)).length;
      hint.hidden = n === 0;
      hint.textContent = window.stagebookT("columns_more", { n });
    };
    wrap.addEventListener("scroll", update, { passive: true });
    return update;
  });
  const hint = () => hints.forEach((u) => u());
  window.addEventListener("resize", hint);
  return hint;
};
