#!/usr/bin/env python3
"""Rebuild benchmark for the build cache (.stagebook-cache/): what `stagebook build` costs when
nothing or one page changed, against the markdown floor measured in the same run, and what
writing the cache adds to a fresh build.

    python3 benches/rebuild.py --book /work/corpus10k/neutral --floor /path/to/mdfloor \\
        --workdir /dev/shm/stagebook-rebuild --runs 5

The handbook is copied into --workdir first (the cache folder is made beside its book.toml,
so the original is never written to) and the copy is removed at the end. Cases, each a
separate process, medians of --runs:

- floor: the markdown floor (../shared/bench/floor) over the copy's content/, paired with
  every other case's run (the ratios are per pair, so a noisy machine's drift hits both);
- unchanged: a rebuild with the cache over its own output, nothing changed;
- unchanged --no-cache: the same without the cache (what every rebuild cost before);
- body edit: one page's body changed (alternating between two texts), then a build;
- title edit: one page's title changed (other pages' navigation shows it), then a build;
- page added: a new page in the edited page's folder (later pages' ids move, the folder's page
  lists it), then a build;
  `reused` is how many code blocks the build took from the highlight cache (`STAGEBOOK_TIMINGS`
  line `code blocks: N reused, M highlighted`; `-` when it printed none, e.g. a skipped build),
  `parsed` how many pages it parsed rather than took from the parse memo (line `parse memo: N
  pages recalled, M parsed`); a build after the first writes the memo before these cases run;
- fresh --no-cache vs fresh writing the cache: no output folder and no cache folder, paired
  in alternating order; the ratio is what writing the cache costs a first build.

Wall time and CPU time (user + system, which a loaded machine disturbs less) are reported.
"""
import argparse
import os
import shutil
import statistics
import sys

from build import remove_output, run_full  # noqa: E402
from corpus import BIN, build_release


class Bench:
    def __init__(self, args):
        self.bin = args.bin
        self.floor = args.floor
        self.book = os.path.join(args.workdir, "book")
        self.out = os.path.join(args.workdir, "out")
        self.cache = os.path.join(self.book, ".stagebook-cache")
        self.runs = args.runs
        env = dict(os.environ)
        env["STAGEBOOK_TIMINGS"] = "1"
        self.env = env

    def build(self, *extra):
        wall, _, cpu, err = run_full([self.bin, "build", "--quiet", self.book, "-o", self.out, *extra], env=self.env)
        self.reused = next((line.split()[2] for line in err.splitlines() if "code blocks:" in line), "-")
        self.parsed = next((line.split()[5] for line in err.splitlines() if "parse memo:" in line), "-")
        return wall, cpu, "cache hit" in err

    def floor_run(self):
        wall, _, cpu, _ = run_full([self.floor, os.path.join(self.book, "content")])
        return wall, cpu

    def page(self):
        """A page of the copy to edit: the first page (not a section index) in name order."""
        content = os.path.join(self.book, "content")
        for dirpath, dirs, files in sorted(os.walk(content)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".md") and not f.startswith("_"):
                    return os.path.join(dirpath, f)
        sys.exit("no page to edit")

    def edit_body(self, path, n):
        text = open(path).read().rstrip("\n").rsplit("\n\n<!-- edit", 1)[0]
        with open(path, "w") as f:
            f.write(f"{text}\n\n<!-- edit {n} -->\nEdited paragraph number {n}.\n")

    def edit_title(self, path, n):
        lines = open(path).read().split("\n")
        for i, line in enumerate(lines):
            if line.startswith("title = "):
                lines[i] = f'title = "Edited title {n}"'
                break
        else:
            sys.exit(f"{path} has no title line")
        with open(path, "w") as f:
            f.write("\n".join(lines))

    def add_page(self, n):
        """A new page beside the edited one (every later page's id moves; its folder lists it)."""
        folder = os.path.dirname(self.page())
        with open(os.path.join(folder, f"added-page-{n}.md"), "w") as f:
            f.write(f'+++\ntitle = "Added page {n}"\n+++\n\nA page added by the benchmark, number {n}.\n')

    def case(self, name, prepare, measure):
        """`measure` paired with a floor run each time (in alternating order)."""
        walls, cpus, ratios, cpu_ratios, floors, hits, reused, parsed = [], [], [], [], [], 0, set(), set()
        for i in range(self.runs):
            prepare(i)
            pair = [("floor", self.floor_run), ("this", measure)]
            if i % 2:
                pair.reverse()
            got = {}
            for who, fn in pair:
                got[who] = fn()
            wall, cpu = got["this"][:2]
            hits += bool(got["this"][2:] and got["this"][2])
            reused.add(getattr(self, "reused", "-"))
            parsed.add(getattr(self, "parsed", "-"))
            walls.append(wall)
            cpus.append(cpu)
            floors.append(got["floor"][0])
            ratios.append(wall / got["floor"][0])
            cpu_ratios.append(cpu / got["floor"][1])
        med = statistics.median
        print(f"{name:<24} {med(walls):>7.3f} {min(walls):>7.3f} {med(cpus):>7.3f} {med(floors):>7.3f} "
              f"{med(ratios):>8.2f} {med(cpu_ratios):>8.2f} {hits:>4}/{self.runs} {'/'.join(sorted(reused)):>8} "
              f"{'/'.join(sorted(parsed)):>7}",
              flush=True)

    def fresh_pair(self):
        """Fresh builds without and with the cache, alternating, paired."""
        walls = {"no-cache": [], "cache": []}
        cpus = {"no-cache": [], "cache": []}
        for i in range(self.runs):
            order = ["no-cache", "cache"] if i % 2 == 0 else ["cache", "no-cache"]
            for who in order:
                remove_output(self.out)
                shutil.rmtree(self.cache, ignore_errors=True)
                extra = ["--no-cache"] if who == "no-cache" else []
                wall, cpu, _ = self.build(*extra)
                walls[who].append(wall)
                cpus[who].append(cpu)
        med = statistics.median
        ratios = [c / n for c, n in zip(walls["cache"], walls["no-cache"])]
        cpu_ratios = [c / n for c, n in zip(cpus["cache"], cpus["no-cache"])]
        print(f"\nfresh build, paired ({self.runs} pairs):")
        print(f"  --no-cache      wall {med(walls['no-cache']):.3f} s  cpu {med(cpus['no-cache']):.3f} s")
        print(f"  writing cache   wall {med(walls['cache']):.3f} s  cpu {med(cpus['cache']):.3f} s")
        print(f"  ratio (cache / no-cache): wall {med(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}), "
              f"cpu {med(cpu_ratios):.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--book", required=True, help="handbook to copy and measure (e.g. /work/corpus10k/neutral)")
    ap.add_argument("--floor", required=True, help="the markdown floor binary (../shared/bench/floor)")
    ap.add_argument("--workdir", default="/dev/shm/stagebook-rebuild")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--skip-fresh", action="store_true", help="leave out the paired fresh builds")
    args = ap.parse_args()
    if args.bin == BIN:
        build_release()
    os.makedirs(args.workdir, exist_ok=True)
    b = Bench(args)
    shutil.rmtree(b.book, ignore_errors=True)
    shutil.copytree(args.book, b.book, symlinks=True)
    try:
        remove_output(b.out)
        b.build()  # the output and the cache, once
        page = b.page()
        # A first build writes no parse memo; the next one does (see the README's build cache).
        b.edit_body(page, -1)
        b.build()
        print(f"book {args.book} (copied to {b.book}); edited page {os.path.relpath(page, b.book)}")
        print(f"{'case':<24} {'median':>7} {'min':>7} {'cpu':>7} {'floor':>7} {'/floor':>8} {'cpu/fl':>8} {'hits':>6} {'reused':>8} {'parsed':>7}")
        nothing = lambda i: None  # noqa: E731
        b.case("unchanged (cache)", nothing, b.build)
        b.case("unchanged --no-cache", nothing, lambda: b.build("--no-cache"))
        b.case("body edit + build", lambda i: b.edit_body(page, i), b.build)
        b.case("title edit + build", lambda i: b.edit_title(page, i), b.build)
        b.case("page added + build", b.add_page, b.build)
        if not args.skip_fresh:
            b.fresh_pair()
    finally:
        remove_output(b.out)
        shutil.rmtree(b.book, ignore_errors=True)


if __name__ == "__main__":
    main()
