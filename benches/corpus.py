"""Shared by the benchmark scripts: where the binary and the corpus generator (make_corpus.py) are."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "benches", "make_corpus.py")
BIN = os.path.join(ROOT, "target", "release", "stagebook")


def corpus(pages, workdir):
    """The neutral layout of the generated handbook of `pages` pages (seed 42), made once."""
    out = os.path.join(workdir, f"made-corpus-{pages}")
    if not os.path.isdir(os.path.join(out, "neutral")):
        subprocess.run([sys.executable, GEN, "--pages", str(pages), "--out", out, "--seed", "42"],
                       check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "neutral")


def build_release():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def linked(book, dest, extra_config=""):
    """A handbook at `dest` that reads `book`'s content through a symbolic link, with `book`'s
    book.toml plus `extra_config`: builds write under `dest`, never into `book`."""
    if not os.path.isdir(dest):
        os.makedirs(dest)
        os.symlink(os.path.join(os.path.abspath(book), "content"), os.path.join(dest, "content"))
        with open(os.path.join(dest, "book.toml"), "w") as f:
            f.write(open(os.path.join(book, "book.toml")).read() + extra_config)
    return dest
