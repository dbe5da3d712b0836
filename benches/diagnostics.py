#!/usr/bin/env python3
"""Diagnostics benchmark: `stagebook check` on a page whose one line holds N broken links, for
N = 2,000 and 4,000, to show the cost of reporting errors grows linearly (a 4,000 / 2,000 time
ratio near 2, not 4) and the printed output stays small (50 errors per file, clipped excerpts).

    python3 benches/diagnostics.py                      # 7 paired runs
    python3 benches/diagnostics.py --baseline /work/ref/stagebook-base --runs 5

Runs alternate between the two sizes (and binaries, with --baseline) so a noisy machine's
drift hits all alike; the table gives median wall time, the median of the per-pair ratios
4,000 / 2,000, and the bytes written to stderr.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from corpus import BIN, build_release  # noqa: E402

SIZES = (2000, 4000)


def make_book(root, n):
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Bench"\n')
    line = " ".join(f"[l{i}](gone-{i}.md)" for i in range(n))
    with open(os.path.join(root, "content", "p.md"), "w") as f:
        f.write(f"# P\n\n{line}\n")


def run(binary, book):
    start = time.perf_counter()
    proc = subprocess.run([binary, "check", book], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    assert proc.returncode == 1, f"{binary} {book}: expected errors, got exit {proc.returncode}"
    return wall, len(proc.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--baseline", help="another stagebook binary to measure the same way")
    ap.add_argument("--binary", default=None, help="binary to measure (default: a fresh release build)")
    args = ap.parse_args()
    if not args.binary:
        build_release()
    binary = args.binary or BIN
    binaries = [("this", binary)] + ([("baseline", args.baseline)] if args.baseline else [])
    work = tempfile.mkdtemp(prefix="stagebook-diag-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        books = {}
        for n in SIZES:
            books[n] = os.path.join(work, str(n))
            make_book(books[n], n)
        times = {(name, n): [] for name, _ in binaries for n in SIZES}
        sizes = {}
        for r in range(args.runs):
            order = binaries if r % 2 == 0 else list(reversed(binaries))
            for name, b in order:
                for n in (SIZES if r % 2 == 0 else tuple(reversed(SIZES))):
                    wall, out = run(b, books[n])
                    times[(name, n)].append(wall)
                    sizes[(name, n)] = out
        print(f"{'binary':<9} {'links':>6} {'median s':>9} {'stderr bytes':>13}")
        for name, _ in binaries:
            for n in SIZES:
                print(f"{name:<9} {n:>6} {statistics.median(times[(name, n)]):>9.3f} {sizes[(name, n)]:>13,}")
            ratios = [b / a for a, b in zip(times[(name, SIZES[0])], times[(name, SIZES[1])])]
            print(f"{name:<9} 4000/2000 time ratio (median of pairs): {statistics.median(ratios):.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
