#!/usr/bin/env python3
"""Ranking quality of the search on a built handbook, against the graded queries of
benches/search_eval.json: top-3 precision and nDCG@5, computed from the results the site's
own static/search.js returns under node (tests/support/search_run.js, the search page's mode: the
last word matched whole).

    python3 benches/search_eval.py SITE [SITE...]        # e.g. a build of the bundled handbook
    python3 benches/search_eval.py SITE --show           # per-query top 5 and gains

Gains: a result gains the grade of its most specific judged key (a matrix row and a checklist
item are judged whatever page shows them), else of its page; each judged key
gains once (the same aspect or page five times is one answer). nDCG@5 divides by the ideal
ordering of the judged grades.
"""
import argparse
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def key_of(r):
    """(page key, most specific key) of a result."""
    url, anchor = r["url"], r["anchor"]
    page = url[:-len("index.html")].rstrip("/") if url.endswith("index.html") else url
    if r["kind"] == "cell":
        return page, f"aspect:{anchor}"
    if r["kind"] == "checklist-item":
        return page, f"item:{anchor}"
    return page, f"{page}#{anchor}" if anchor else page


def evaluate(site, queries, show):
    out = subprocess.run(["node", os.path.join(HERE, "..", "tests", "support", "search_run.js"), site, "--top", "5", *queries],
                         capture_output=True, text=True, check=True).stdout
    runs = json.loads(out)
    p3s, ndcgs = [], []
    for q, judged in queries.items():
        seen, gains = set(), []
        for r in runs[q]["results"][:5]:
            page, full = key_of(r)
            key = full if full in judged else page if page in judged else None
            gain = judged[key] if key and key not in seen else 0
            if key:
                seen.add(key)
            gains.append(gain)
        gains += [0] * (5 - len(gains))
        p3 = sum(1 for g in gains[:3] if g > 0) / 3
        dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted(judged.values(), reverse=True)[:5]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        p3s.append(p3)
        ndcgs.append(dcg / idcg)
        if show:
            print(f"{q!r}: P@3 {p3:.2f} nDCG@5 {dcg / idcg:.2f}")
            for r, g in zip(runs[q]["results"], gains):
                print(f"   {g}  {key_of(r)[1]}  ({r['kind']})")
    return sum(p3s) / len(p3s), sum(ndcgs) / len(ndcgs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sites", nargs="+")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    queries = json.load(open(os.path.join(HERE, "search_eval.json"), encoding="utf-8"))["queries"]
    if len(queries) != 30:
        sys.exit(f"the evaluation set has {len(queries)} queries, not 30")
    for site in args.sites:
        p3, ndcg = evaluate(site, queries, args.show)
        print(f"{site}: {len(queries)} queries: top-3 precision {p3:.2f}, nDCG@5 {ndcg:.2f}")


if __name__ == "__main__":
    main()
