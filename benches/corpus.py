"""Shared by the benchmark scripts: where the binary and the corpus generator are."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
BIN = os.path.join(ROOT, "target", "release", "stagebook")


def corpus(pages, workdir):
    """The neutral layout of the generated handbook of `pages` pages (seed 42), made once."""
    out = os.path.join(workdir, f"corpus-{pages}")
    if not os.path.isdir(os.path.join(out, "neutral")):
        subprocess.run([sys.executable, GEN, "--pages", str(pages), "--out", out, "--seed", "42"],
                       check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "neutral")


def build_release():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
