#!/usr/bin/env python3
"""Build-time benchmark: median wall time and peak memory of `stagebook build` on generated
handbooks of 1,000 and 10,000 pages (benches/make_corpus.py, `neutral` layout).

    python3 benches/build.py                 # both sizes, 5 runs each
    python3 benches/build.py --pages 1000 --runs 9

Put --workdir on a memory filesystem (e.g. /dev/shm) to measure stagebook rather than the
disk: creating tens of thousands of files is slow and erratic on some virtual disks.

Two cases per size: a fresh build (no previous output folder) and a rebuild over the output
of the previous run with nothing changed. Each run is a separate process; memory is the peak
resident set size the kernel reports for it (os.wait4).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from corpus import BIN, ROOT, build_release, corpus  # noqa: E402


def run(cmd, env=None):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    status = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.returncode = status
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime  # MiB, CPU s



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, action="append", help="corpus size (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    args = ap.parse_args()
    sizes = args.pages or [1000, 10000]
    build_release()
    os.makedirs(args.workdir, exist_ok=True)
    print(f"{'pages':>6}  {'case':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'cpu s':>7} {'peak MiB':>9}")
    for pages in sizes:
        book = corpus(pages, args.workdir)
        out = os.path.join(book, "book")
        for case in ("fresh", "rebuild"):
            walls, mems, cpus = [], [], []
            for _ in range(args.runs):
                if case == "fresh":
                    shutil.rmtree(out, ignore_errors=True)
                elif not os.path.isdir(out):
                    run([BIN, "build", "--quiet", book])
                wall, mem, cpu = run([BIN, "build", "--quiet", book])
                walls.append(wall)
                mems.append(mem)
                cpus.append(cpu)
            print(f"{pages:>6}  {case:<10} {statistics.median(walls):>9.2f} {min(walls):>7.2f} "
                  f"{max(walls):>7.2f} {statistics.median(cpus):>7.2f} {statistics.median(mems):>9.0f}")


if __name__ == "__main__":
    main()
