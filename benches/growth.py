#!/usr/bin/env python3
"""Growth benchmark: how a fresh build's time and peak memory grow with the number of pages
(issue 18: 1,000 -> 10,000 -> 50,000 pages should grow linearly, at most 5.5x from 10k to 50k).

    python3 benches/growth.py --workdir /dev/shm/stagebook-growth               # 1k, 10k, 50k
    python3 benches/growth.py --sizes 1000,10000 --runs 5 --bin /path/to/stagebook
    python3 benches/growth.py --floor /tmp/floor/target/release/mdfloor --delete

Each size's handbook is generated with benches/make_corpus.py (neutral layout, seed 42) into
--workdir (put it on a memory filesystem: the 50,000-page handbook is about 350 MB of markdown
and its site about 1.5 GB). Each build is a separate process writing a fresh output folder;
memory is the peak resident set size the kernel reports (os.wait4). Sizes above 10,000 pages
run once (--large-runs) since one such build takes tens of seconds. The table gives each size's
median wall time, CPU time (user + system, which a loaded machine disturbs less than wall time)
and peak memory, then the ratio of each to the size before it; with --floor, the markdown
floor's wall time over the same content and the build / floor ratio. --delete removes each
generated handbook and output once measured. Builds run with `--no-cache` (see build.py): a
second run would otherwise take its code blocks from the first one's highlight cache.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from build import no_cache, remove_output, run  # noqa: E402
from corpus import BIN, build_release, corpus  # noqa: E402


def measure(args, pages):
    book = corpus(pages, args.workdir)
    out = os.path.join(args.workdir, f"out-{pages}")
    runs = args.runs if pages <= 10000 else args.large_runs
    walls, mems, cpus, floors = [], [], [], []
    for _ in range(runs):
        remove_output(out)
        wall, mem, cpu = run([args.bin, "build", "--quiet", book, "-o", out] + no_cache(args.bin))
        walls.append(wall)
        mems.append(mem)
        cpus.append(cpu)
        if args.floor:
            floors.append(run([args.floor, os.path.join(book, "content")])[0])
    remove_output(out)
    if args.delete:
        shutil.rmtree(os.path.dirname(book), ignore_errors=True)
    med = statistics.median
    floor = (med(floors), med([w / f for w, f in zip(walls, floors)])) if floors else None
    return med(walls), med(cpus), med(mems), floor


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000", help="page counts, comma-separated")
    ap.add_argument("--runs", type=int, default=3, help="builds per size up to 10,000 pages")
    ap.add_argument("--large-runs", type=int, default=1, help="builds per size above 10,000 pages")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-growth"))
    ap.add_argument("--bin", default=BIN, help="binary to measure (default: this repository's release build)")
    ap.add_argument("--floor", help="the markdown floor's binary (mdfloor): adds the ratio to it")
    ap.add_argument("--delete", action="store_true", help="remove each generated handbook once measured")
    args = ap.parse_args()
    if args.bin == BIN:
        build_release()
    os.makedirs(args.workdir, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    extra = f" {'floor s':>8} {'x floor':>8}" if args.floor else ""
    print(f"{'pages':>7} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9} {'wall x':>7} {'cpu x':>6} {'mem x':>6} "
          f"{'pages x':>7}{extra}", flush=True)
    before = None
    for pages in sizes:
        wall, cpu, mem, floor = measure(args, pages)
        if before:
            bp, bw, bc, bm = before
            growth = f"{wall / bw:>7.2f} {cpu / bc:>6.2f} {mem / bm:>6.2f} {pages / bp:>7.1f}"
        else:
            growth = f"{'':>7} {'':>6} {'':>6} {'':>7}"
        tail = f" {floor[0]:>8.2f} {floor[1]:>7.1f}x" if floor else ""
        print(f"{pages:>7} {wall:>7.2f} {cpu:>7.2f} {mem:>9.0f} {growth}{tail}", flush=True)
        before = (pages, wall, cpu, mem)


if __name__ == "__main__":
    sys.exit(main())
