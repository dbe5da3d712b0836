/* stagebook search: typo matching, loaded by search.js only when a query word finds nothing,
   so no page loads it up front. */
"use strict";
(() => {
  // Edit distance of a and b (arrays of characters), an adjacent swap counting one; k + 1
  // once it must exceed k.
  const distance = (a, b, k) => {
    if (Math.abs(a.length - b.length) > k) return k + 1;
    let prev2 = [], prev = [], cur;
    for (let j = 0; j <= b.length; j++) prev[j] = j;
    for (let i = 1; i <= a.length; i++) {
      cur = [i];
      let low = i;
      for (let j = 1; j <= b.length; j++) {
        let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < low) low = v;
      }
      if (low > k) return k + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  };
  // [distance, word] of the words within k edits of t, the closest only (a word one edit away
  // hides those two away), at most 12.
  const near = (t, words, k) => {
    const cs = [...t], found = [];
    for (const w of words) {
      const d = distance(cs, [...w], k);
      if (d <= k && w !== t) found.push([d, w]);
    }
    const best = Math.min(...found.map((f) => f[0]));
    return found.filter((f) => f[0] === best).sort((a, b) => (a[1] < b[1] ? -1 : 1)).slice(0, 12);
  };
  if (window.stagebookSearch) window.stagebookSearch.typo(near);
})();
