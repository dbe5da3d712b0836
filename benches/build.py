#!/usr/bin/env python3
"""Build-time benchmark: median wall time and peak memory of `stagebook build` on generated
handbooks of 1,000 and 10,000 pages (benches/make_corpus.py, `neutral` layout).

    python3 benches/build.py                 # both sizes, 5 runs each
    python3 benches/build.py --pages 1000 --runs 9
    python3 benches/build.py --book /work/corpus10k/neutral --baseline /work/ref/stagebook-base \\
        --workdir /dev/shm/stagebook-bench --runs 7      # paired against another binary

Put --workdir on a memory filesystem (e.g. /dev/shm) to measure stagebook rather than the
disk: creating tens of thousands of files is slow and erratic on some virtual disks.

Two cases per handbook: a fresh build (no previous output folder) and an unchanged rebuild
(over the output of the previous run, nothing changed). Each run is a separate process;
memory is the peak resident set size the kernel reports for it (os.wait4).

With --baseline, every run of this build is paired with a run of the baseline binary, in
alternating order (so drift in a noisy machine's load hits both alike), each writing its own
output folder in --workdir; the table gives both medians and the median of the per-pair
ratios (this / baseline), for wall time and for CPU time (user + system), which a loaded
machine disturbs less.

With --floor PATH_TO_MDFLOOR (the markdown floor, ../shared/bench/floor: pulldown-cmark alone
over the same `content/`, in memory, on all cores), a floor run follows every fresh build and
the table adds the floor's median wall time and the median per-pair ratio build / floor, the
figure issue 18's goal is stated in (a noisy machine moves both alike).

    python3 benches/build.py --book /work/corpus10k/neutral --workdir /dev/shm/stagebook-bench \
        --floor /tmp/floor/target/release/mdfloor --runs 5

Every build runs with `--no-cache` when the binary knows it (its `--help` says so; older
binaries do not): the build cache would skip the unchanged rebuild and write
`.stagebook-cache/` into the measured handbook. `rebuild.py` measures the cache itself.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from corpus import BIN, build_release, corpus  # noqa: E402


def run_full(cmd, env=None):
    """One process: wall s, peak RSS MiB, CPU s (user + system) and its stderr; exits on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    status = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.returncode = status
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, err


def run(cmd, env=None):
    wall, rss, cpu, _ = run_full(cmd, env)
    return wall, rss, cpu  # MiB, CPU s


def remove_output(out):
    """The output folder and anything a build keeps beside it (state folder, old staging)."""
    shutil.rmtree(out, ignore_errors=True)
    parent, name = os.path.split(out)
    for entry in os.listdir(parent):
        if entry.startswith(f".{name}.stagebook"):
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


_NO_CACHE = {}


def no_cache(binary):
    """`["--no-cache"]` for a binary that has a build cache, else nothing."""
    if binary not in _NO_CACHE:
        shown = subprocess.run([binary, "build", "--help"], capture_output=True, text=True, check=False)
        _NO_CACHE[binary] = ["--no-cache"] if "--no-cache" in shown.stdout + shown.stderr else []
    return _NO_CACHE[binary]


def one(binary, book, out, case):
    """One timed build of `case` ("fresh" or "unchanged") into `out`, without the build cache."""
    cmd = [binary, "build", "--quiet", book, "-o", out] + no_cache(binary)
    if case == "fresh":
        remove_output(out)
    elif not os.path.isdir(out):
        run(cmd)
    return run(cmd)


def floor_wall(args, book):
    """Wall time of one run of the markdown floor over `book`'s content folder."""
    wall, _, _ = run([args.floor, os.path.join(book, "content")])
    return wall


def floor_columns(args, floors, walls):
    """The floor's median and the median per-pair ratio, or blanks without --floor."""
    if not floors:
        return f"{'':>8} {'':>8}" if args.floor else ""
    ratios = [w / f for w, f in zip(walls, floors)]
    return f"{statistics.median(floors):>8.2f} {statistics.median(ratios):>7.1f}x"


def single(args, books):
    extra = f" {'floor s':>8} {'x floor':>8}" if args.floor else ""
    print(f"{'book':>10}  {'case':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'peak MiB':>9}{extra}")
    for label, book in books:
        out = os.path.join(args.workdir, f"out-{label}")
        for case in args.cases.split(","):
            walls, mems, cpus, floors = [], [], [], []
            for _ in range(args.runs):
                wall, mem, cpu = one(args.bin, book, out, case)
                walls.append(wall)
                mems.append(mem)
                cpus.append(cpu)
                if args.floor and case == "fresh":
                    floors.append(floor_wall(args, book))
            print(f"{label:>10}  {case:<10} {statistics.median(walls):>9.2f} {min(walls):>7.2f} "
                  f"{max(walls):>7.2f} {statistics.median(cpus):>7.2f} {statistics.median(mems):>9.0f} "
                  f"{floor_columns(args, floors, walls)}", flush=True)


def paired(args, books):
    extra = f" {'floor s':>8} {'x floor':>8}" if args.floor else ""
    print(f"{'book':>10}  {'case':<10} {'base s':>7} {'this s':>7} {'ratio':>6} {'ratio range':>13} "
          f"{'base cpu':>8} {'this cpu':>8} {'cpu ratio':>9} {'base MiB':>9} {'this MiB':>9}{extra}")
    for label, book in books:
        outs = {"base": os.path.join(args.workdir, f"out-{label}-base"),
                "this": os.path.join(args.workdir, f"out-{label}-this")}
        bins = {"base": args.baseline, "this": args.bin}
        for case in args.cases.split(","):
            walls = {"base": [], "this": []}
            cpus = {"base": [], "this": []}
            mems = {"base": [], "this": []}
            floors = []
            for i in range(args.runs):
                order = ("base", "this") if i % 2 == 0 else ("this", "base")
                for who in order:
                    wall, mem, cpu = one(bins[who], book, outs[who], case)
                    walls[who].append(wall)
                    cpus[who].append(cpu)
                    mems[who].append(mem)
                if args.floor and case == "fresh":
                    floors.append(floor_wall(args, book))
            ratios = sorted(t / b for t, b in zip(walls["this"], walls["base"]))
            cpu_ratios = [t / b for t, b in zip(cpus["this"], cpus["base"])]
            med = statistics.median
            print(f"{label:>10}  {case:<10} {med(walls['base']):>7.2f} {med(walls['this']):>7.2f} "
                  f"{med(ratios):>6.2f} {ratios[0]:>6.2f}-{ratios[-1]:<6.2f} {med(cpus['base']):>8.2f} "
                  f"{med(cpus['this']):>8.2f} {med(cpu_ratios):>9.2f} {med(mems['base']):>9.0f} "
                  f"{med(mems['this']):>9.0f} {floor_columns(args, floors, walls['this'])}", flush=True)
        for out in outs.values():
            remove_output(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, action="append", help="generated corpus size (repeatable)")
    ap.add_argument("--book", action="append", help="an existing handbook folder instead (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    ap.add_argument("--bin", default=BIN, help="binary to measure (default: this repository's release build)")
    ap.add_argument("--baseline", help="another binary to pair every run with")
    ap.add_argument("--cases", default="fresh,unchanged", help="which of fresh,unchanged to run")
    ap.add_argument("--floor", help="the markdown floor's binary (mdfloor): adds the ratio to it")
    args = ap.parse_args()
    if args.bin == BIN:
        build_release()
    os.makedirs(args.workdir, exist_ok=True)
    books = [(os.path.basename(os.path.dirname(b.rstrip("/"))) or b, b) for b in args.book or []]
    if not books:
        books = [(f"{p} pages", corpus(p, args.workdir)) for p in args.pages or [1000, 10000]]
    if args.baseline:
        paired(args, books)
    else:
        single(args, books)


if __name__ == "__main__":
    main()
