#!/usr/bin/env python3
"""Search benchmark on the generated 10,000-page handbook (neutral layout, seed 42), or on
any handbook folder given with --book (only read: it is linked into --workdir).

    python3 benches/search.py --workdir /dev/shm/stagebook-bench
    python3 benches/search.py --workdir /dev/shm/stagebook-bench --book /path/to/handbook

Reports:
- build time and peak memory with and without the search index (medians of --runs paired
  builds, taken in turns) and the median ratio;
- index size on disk and number of index files;
- bytes a browser downloads for a first query (search.js + manifest + the term shards the
  query needs + the doc blocks of the 8 results the header box shows; the page itself
  excluded), raw and
  gzipped, over 20 two-word queries taken from page titles: median and max;
- time from the last keystroke to rendered results in headless Chromium, for the same
  queries typed into the search page (median and max).
"""
import argparse
import base64
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


def load_js(path):
    """The JSON argument of a search file's callback."""
    text = open(path, encoding="utf-8").read()
    inner = text[text.index("(", text.index("stagebookSearch.")) + 1:text.rindex(")")]
    if "manifest(" in text:
        return json.loads(inner)
    return json.loads(inner.split(",", 1)[1])


def words(q):
    return [w for w in re.findall(r"\w+", q.lower()) if len(w) > 1 or w.isdigit()]


def decode(postings):
    """(doc, impact) pairs: runs of equal impact, [impact][count][doc id gaps], LEB128 numbers."""
    data = base64.b64decode(postings)
    out, i = [], 0

    def number():
        nonlocal i
        v, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    while i < len(data):
        impact = data[i]
        i += 1
        doc = 0
        for _ in range(number()):
            doc += number()
            out.append((doc, impact))
    return out


def first_query(out, manifest, query):
    """Files a browser loads for `query` (last word as a prefix), like static/search.js."""
    shards = manifest["shards"]
    files = {os.path.join(ROOT, "themes/default/static/search.js"), os.path.join(out, "search/manifest.js")}
    cache = {}

    def shard_of(key):
        i = max(j for j, s in enumerate(shards) if s <= key)
        path = os.path.join(out, f"search/t/{i}.js")
        files.add(path)
        if i not in cache:
            cache[i] = load_js(path)
        return i, cache[i]

    alias = manifest["schema"]["alias"]

    def resolve(key):
        _, shard = shard_of(key)
        value = shard.get(key)
        if value and value.startswith(alias):
            return resolve(value[len(alias):])
        return value

    stop = set(manifest["stopWords"])
    terms = [w for w in words(query) if w not in stop]
    scores = {}
    for n, w in enumerate(terms):
        keys = [w]
        if n == len(terms) - 1:
            i, shard = shard_of(w)
            keys = [k for k in sorted(shard) if k.startswith(w)][:30]
            if i + 1 < len(shards) and shards[i + 1].startswith(w):
                _, nxt = shard_of(shards[i + 1])
                keys += [k for k in sorted(nxt) if k.startswith(w)][:30 - len(keys)]
        best = {}
        for k in keys:
            value = resolve(k)
            if value:
                for doc, impact in decode(value):
                    best[doc] = max(best.get(doc, 0), impact)
        for doc, impact in best.items():
            scores[doc] = scores.get(doc, 0) + impact + 1000
    top = sorted(scores, key=lambda d: -scores[d])[:RESULTS]
    blocks = manifest["blocks"]
    for doc in top:
        b = max(j for j, s in enumerate(blocks) if s <= doc)
        files.add(os.path.join(out, f"search/d/{b}.js"))
    raw = sum(os.path.getsize(f) for f in files)
    gz = sum(len(gzip.compress(open(f, "rb").read(), 9)) for f in files)
    return raw, gz, len(top)


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
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    args = ap.parse_args()
    build_release()
    if args.book:
        book = linked(args.book, os.path.join(args.workdir, "given-" + os.path.basename(os.path.abspath(args.book))))
    else:
        book = corpus(args.pages, args.workdir)
    plain = linked(book, book + "-nosearch", "\n[search]\nenabled = false\n")
    timed_build(book)  # warm up and leave an output folder, as every timed run has
    timed_build(plain)
    with_search, without, ratio, mem, mem_plain = paired_builds(book, plain, args.runs)
    out = os.path.join(book, "book")
    index_files = glob.glob(os.path.join(out, "search", "**", "*.js"), recursive=True)
    size = sum(os.path.getsize(f) for f in index_files)
    print(f"{book}: {args.runs} paired runs: build {with_search:.2f} s with search, "
          f"{without:.2f} s without (median ratio +{100 * (ratio - 1):.0f}%); "
          f"peak {mem:.0f} MiB with, {mem_plain:.0f} MiB without")
    print(f"index: {len(index_files)} files, {size / 1e6:.1f} MB")
    manifest = load_js(os.path.join(out, "search/manifest.js"))
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
    results = [first_query(out, manifest, q) for q in queries]
    raws = [r[0] for r in results]
    gzs = [r[1] for r in results]
    print(f"first query ({len(queries)} two-word queries, last word as a prefix): "
          f"median {statistics.median(raws) / 1024:.0f} KB raw, {statistics.median(gzs) / 1024:.0f} KB gzipped; "
          f"max {max(raws) / 1024:.0f} KB raw, {max(gzs) / 1024:.0f} KB gzipped; "
          f"{min(r[2] for r in results)}-{max(r[2] for r in results)} results")
    latency = browser_latency(out, queries)
    if latency:
        ok = [x for x in latency if x >= 0]
        print(f"keystroke to results in headless Chromium: median {statistics.median(ok):.1f} ms, "
              f"max {max(ok):.1f} ms ({len(latency) - len(ok)} timed out)")


if __name__ == "__main__":
    main()
