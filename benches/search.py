#!/usr/bin/env python3
"""Search benchmark on the generated 10,000-page handbook (neutral layout, seed 42), or on
any handbook folder given with --book (only read: it is linked into --workdir).

    python3 benches/search.py --workdir /dev/shm/stagebook-bench
    python3 benches/search.py --workdir /dev/shm/stagebook-bench --book /path/to/handbook

Reports:
- build time and peak memory with and without the search index (medians of --runs paired
  builds, taken in turns) and the median ratio;
- index size on disk and number of index files;
- bytes a browser downloads for a first query (search.js + manifest + the term shards and
  typo dictionary files the query needs + the doc blocks of the 8 results the header box
  shows; the page itself excluded), raw and gzipped, over 20 two-word queries taken from page
  titles and 10 typo queries (a title word with one edit): median and max, as the site's own
  search.js loads them under node;
- time from the last keystroke to rendered results in headless Chromium, for the same
  queries typed into the search page (median and max).
"""
import argparse
import glob
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from corpus import BIN, ROOT, build_release, corpus, linked  # noqa: E402
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Results the header box shows for a query (static/search.js), whose metadata a first query loads.
RESULTS = 8
RUNNER = os.path.join(ROOT, "tests", "support", "search_run.js")



def timed_build(book):
    """Wall time (s) and peak resident memory (MiB) of one build, in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen([BIN, "build", "--quiet", book])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build of {book} failed")
    return wall, usage.ru_maxrss / 1024.0


def paired_builds(book, plain, runs):
    """Builds with and without search taken in turns, so machine noise hits both alike; the
    ratio is the median of the per-pair ratios."""
    pairs = []
    for _ in range(runs):
        pairs.append((timed_build(book), timed_build(plain)))
    med = statistics.median
    return (med(p[0][0] for p in pairs), med(p[1][0] for p in pairs), med(p[0][0] / p[1][0] for p in pairs),
            med(p[0][1] for p in pairs), med(p[1][1] for p in pairs))


def words(q):
    return [w for w in re.findall(r"\w+", q.lower()) if len(w) > 1 or w.isdigit()]


def first_queries(out, queries):
    """(raw bytes, gzipped bytes, results) a browser loads for each query typed into the header
    box: search.js, the manifest and whatever the site's own search.js then loads under node
    (tests/support/search_run.js: term shards, typo dictionary files, the doc blocks of the
    results shown)."""
    run = subprocess.run(["node", RUNNER, out, "--prefix", "--top", str(RESULTS), *queries],
                         capture_output=True, text=True, check=True).stdout
    runs = json.loads(run)
    sizes = []
    for q in queries:
        files = {os.path.join(out, "static/search.js")} | {os.path.join(out, f) for f in runs[q]["files"]}
        raw = sum(os.path.getsize(f) for f in files)
        gz = sum(len(gzip.compress(open(f, "rb").read(), 9)) for f in files)
        sizes.append((raw, gz, len(runs[q]["results"])))
    return sizes


def typo(word, rng):
    """The word with one letter dropped, doubled or swapped with the next, after the first."""
    i = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                       word[:i] + word[i + 1] + word[i] + word[i + 2:]])


def browser_latency(out, queries):
    """Keystroke-to-results time on the search page, measured inside headless Chromium."""
    if not os.path.exists(CHROMIUM):
        return None
    page = open(os.path.join(out, "search/index.html"), encoding="utf-8").read()
    probe = """<script>
window.addEventListener("load", function () {
  var qs = %s, out = [], input = document.getElementById("sb-sp-q"), list = document.getElementById("sb-sp-results");
  function one(i) {
    if (i >= qs.length) { document.body.setAttribute("data-latency", JSON.stringify(out)); return; }
    list.textContent = "";
    var t0, done = false;
    var obs = new MutationObserver(function () {
      if (!done && list.children.length) { done = true; obs.disconnect(); out.push(performance.now() - t0); setTimeout(function () { one(i + 1); }, 50); }
    });
    obs.observe(list, { childList: true });
    input.focus();
    input.value = qs[i];
    t0 = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () { if (!done) { done = true; obs.disconnect(); out.push(-1); one(i + 1); } }, 3000);
  }
  setTimeout(function () { one(0); }, 300);
});
</script></body>""" % json.dumps(queries)
    probe_path = os.path.join(out, "search/latency.html")
    open(probe_path, "w", encoding="utf-8").write(page.replace("</body>", probe))
    profile = tempfile.mkdtemp()
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={profile}", "--allow-file-access-from-files",
                          "--virtual-time-budget=60000", "--dump-dom", "file://" + probe_path],
                         capture_output=True, text=True, timeout=300).stdout
    os.remove(probe_path)
    shutil.rmtree(profile, ignore_errors=True)
    m = re.search(r'data-latency="([^"]*)"', dom)
    return json.loads(m.group(1).replace("&quot;", '"')) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--book", help="measure this handbook folder instead of a generated one")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-builds", action="store_true", help="skip the paired build timings")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    args = ap.parse_args()
    build_release()
    if args.book:
        book = linked(args.book, os.path.join(args.workdir, "given-" + os.path.basename(os.path.abspath(args.book))))
    else:
        book = corpus(args.pages, args.workdir)
    plain = linked(book, book + "-nosearch", "\n[search]\nenabled = false\n")
    timed_build(book)  # warm up and leave an output folder, as every timed run has
    if not args.no_builds:
        timed_build(plain)
        with_search, without, ratio, mem, mem_plain = paired_builds(book, plain, args.runs)
        print(f"{book}: {args.runs} paired runs: build {with_search:.2f} s with search, "
              f"{without:.2f} s without (median ratio +{100 * (ratio - 1):.0f}%); "
              f"peak {mem:.0f} MiB with, {mem_plain:.0f} MiB without")
    out = os.path.join(book, "book")
    index_files = glob.glob(os.path.join(out, "search", "**", "*.js"), recursive=True)
    size = sum(os.path.getsize(f) for f in index_files)
    print(f"index: {len(index_files)} files, {size / 1e6:.1f} MB")
    rng = random.Random(42)
    titles = []
    for path in glob.glob(os.path.join(book, "content", "**", "*.md"), recursive=True):
        m = re.search(r'^title = "(.*)"', open(path, encoding="utf-8").read(), re.M)
        if m:
            titles.append(m.group(1))
    queries = []
    for t in rng.sample(sorted(titles), 20):
        w = words(t)
        if len(w) >= 2:
            queries.append(f"{w[0]} {w[1][:max(3, len(w[1]) - 2)]}")
    # Typo queries: a title word of 5+ letters with one edit, alone or after a correct word.
    typos = []
    for t in rng.sample(sorted(titles), 40):
        long = [x for x in words(t) if len(x) >= 5]
        if long and len(typos) < 10:
            bad = typo(long[0], rng)
            typos.append(bad if len(typos) % 2 else f"{words(t)[0]} {bad}" if words(t)[0] != long[0] else bad)
    results = first_queries(out, queries + typos)
    for name, part in (("two-word queries, last word as a prefix", results[:len(queries)]),
                       ("typo queries", results[len(queries):]), ("all", results)):
        raws = [r[0] for r in part]
        gzs = [r[1] for r in part]
        print(f"first query ({len(part)} {name}): "
              f"median {statistics.median(raws) / 1024:.0f} KB raw, {statistics.median(gzs) / 1024:.0f} KB gzipped; "
              f"max {max(raws) / 1024:.0f} KB raw, {max(gzs) / 1024:.0f} KB gzipped; "
              f"{min(r[2] for r in part)}-{max(r[2] for r in part)} results")
    print("typo queries:", ", ".join(typos))
    latency = browser_latency(out, queries + typos)
    if latency:
        ok = [x for x in latency if x >= 0]
        print(f"keystroke to results in headless Chromium: median {statistics.median(ok):.1f} ms, "
              f"max {max(ok):.1f} ms ({len(latency) - len(ok)} timed out)")


if __name__ == "__main__":
    main()
