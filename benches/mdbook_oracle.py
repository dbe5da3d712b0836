#!/usr/bin/env python3
"""What `mdbook build` makes of a book's navigation: the sidebar (parts, separators, drafts,
nesting, titles) and, page by page in reading order, the title and the previous/next page.

tests/summary.rs holds this for tests/fixtures/mdbook-guide and checks that stagebook builds the
same; this script derives it again from mdBook itself, so the expectation can be re-checked
whenever mdBook or the fixture changes:

    python3 benches/mdbook_oracle.py                      # print it for the fixture
    python3 benches/mdbook_oracle.py --check              # compare with tests/summary.rs
    python3 benches/mdbook_oracle.py path/to/book         # any mdBook book
    python3 benches/mdbook_oracle.py path/to/book --compare  # and diff stagebook's build of it

Needs `mdbook` on PATH or in ~/.cargo/bin (`cargo install mdbook`). Pages are named by their
URL without `.html` / `/index.html` ("." for the front page), which is the same for mdBook's
`cli/new.html` and stagebook's `cli/new/index.html`.
"""

import argparse
import html
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "mdbook-guide")
TEST_FILE = os.path.join(ROOT, "tests", "summary.rs")


def key(url):
    """`cli/index.html` -> `cli`, `ci.html` -> `ci`, `index.html` -> `.`"""
    url = url.split("#")[0]
    for suffix in ("/index.html", "index.html", ".html"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
            break
    return url.strip("/") or "."


class Toc(HTMLParser):
    """Reads mdBook's toc.html: `<ol class="chapter">` with `li.part-title`, `li.spacer`,
    chapter links (numbered with a `<strong>`), drafts (a `<span>` without a link) and nested
    `<ol class="section">`."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.depth = -1
        self.item = None  # [kind, href, text] being read
        self.in_strong = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "ol":
            self.depth += 1
        elif tag == "li" and "part-title" in classes:
            self.item = ["part", None, ""]
        elif tag == "li" and "spacer" in classes:
            self.lines.append("  " * self.depth + "separator")
        elif tag == "span" and "chapter-link-wrapper" in classes:
            self.item = ["draft", None, ""]
        elif tag == "a" and self.item is not None and self.item[0] == "draft":
            self.item = ["page", a.get("href"), ""]
        elif tag == "strong":
            self.in_strong = True

    def handle_endtag(self, tag):
        if tag == "ol":
            self.depth -= 1
        elif tag == "strong":
            self.in_strong = False
        elif (tag == "li" and self.item and self.item[0] == "part") or (
            tag in ("a", "span") and self.item and self.item[0] in ("page", "draft") and self.item[2].strip()
        ):
            kind, href, text = self.item
            text = " ".join(text.split())
            label = f"page {key(href)}" if kind == "page" else kind
            self.lines.append("  " * self.depth + f"{label}: {text}")
            self.item = None

    def handle_data(self, data):
        if self.item is not None and not self.in_strong:
            self.item[2] += data


def page_facts(out, page_key, book_title):
    path = os.path.join(out, "index.html" if page_key == "." else page_key + ".html")
    if not os.path.exists(path):
        path = os.path.join(out, page_key, "index.html")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1)).strip()
    title = title.removesuffix(f" - {book_title}")
    rel = os.path.relpath(path, out).replace(os.sep, "/")
    found = {}
    for direction in ("prev", "next"):
        m = re.search(r'<a rel="%s[^"]*" href="([^"]*)"' % direction, text)
        found[direction] = key(posixpath.normpath(posixpath.join(posixpath.dirname(rel), m.group(1)))) if m else "-"
    return title, found["prev"], found["next"]


def derive(book):
    mdbook = shutil.which("mdbook") or os.path.expanduser("~/.cargo/bin/mdbook")
    if not os.path.exists(mdbook):
        sys.exit("mdbook not found: `cargo install mdbook`")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([mdbook, "build", book, "-d", out], check=True, capture_output=True)
        with open(os.path.join(out, "toc.html"), encoding="utf-8") as f:
            toc = Toc()
            toc.feed(f.read())
        with open(os.path.join(book, "book.toml"), encoding="utf-8") as f:
            m = re.search(r'^title\s*=\s*"(.*)"', f.read(), re.M)
            book_title = m.group(1) if m else ""
        lines = ["nav"] + toc.lines + ["order"]
        pages = [l.strip().split(":")[0].split(" ", 1)[1] for l in toc.lines if l.strip().startswith("page ")]
        for p in pages:
            title, prev, nxt = page_facts(out, p, book_title)
            lines.append(f"{p}: {title} (prev {prev}, next {nxt})")
    return "\n".join(lines) + "\n"


def pager(text, direction):
    """stagebook's Previous / Next link: (href, title) or None."""
    m = re.search(
        r'class="pager-link pager-%s" href="([^"]*)".*?<span class="pager-title">(.*?)</span>' % direction, text, re.S
    )
    return (m.group(1), html.unescape(m.group(2))) if m else None


def describe_stagebook(out):
    """The same description of a stagebook build in `out`: the sidebar from static/toc.js, a
    page's title as its neighbours' Previous / Next links show it."""
    import json

    with open(os.path.join(out, "static", "toc.js"), encoding="utf-8") as f:
        toc = json.loads(f.read().strip().removeprefix("window.stagebookToc = ").rstrip(";"))
    lines, pages = ["nav"], []

    def walk(entries, depth):
        for e in entries:
            indent = "  " * depth
            if e is None:
                lines.append(indent + "separator")
            elif isinstance(e, str):
                lines.append(indent + "part: " + e)
            else:
                if e[1] is None:
                    lines.append(indent + "draft: " + e[0])
                else:
                    lines.append(indent + f"page {key(e[1])}: {e[0]}")
                    pages.append(e[1])
                if len(e) > 2:
                    walk(e[2], depth + 1)

    walk(toc, 0)
    lines.append("order")

    def read(url):
        with open(os.path.join(out, url), encoding="utf-8") as f:
            return f.read()

    for i, url in enumerate(pages):
        text = read(url)
        near = {}
        for direction in ("prev", "next"):
            p = pager(text, direction)
            near[direction] = key(posixpath.normpath(posixpath.join(posixpath.dirname(url), p[0]))) if p else "-"
        title = ""
        if i + 1 < len(pages):
            title = (pager(read(pages[i + 1]), "prev") or ("", ""))[1]
        elif i > 0:
            title = (pager(read(pages[i - 1]), "next") or ("", ""))[1]
        lines.append(f"{key(url)}: {title} (prev {near['prev']}, next {near['next']})")
    return "\n".join(lines) + "\n"


def compare(book, got):
    # The most recently built binary, release or debug.
    built = [b for b in (os.path.join(ROOT, "target", d, "stagebook") for d in ("release", "debug")) if os.path.exists(b)]
    binary = max(built, key=os.path.getmtime, default=None)
    if binary is None:
        sys.exit("build stagebook first (cargo build --release)")
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([binary, "build", book, "-o", out], capture_output=True, text=True)
        sys.stderr.write(run.stdout + "".join(l + "\n" for l in run.stderr.splitlines()[-5:]))
        if run.returncode != 0:
            sys.exit("stagebook build failed")
        mine = describe_stagebook(out)
    want, have = got.splitlines(), mine.splitlines()
    same_nav = want[: want.index("order")] == have[: have.index("order")]
    order = [l for l in want if ": " in l and " (prev " in l]
    steps = sum(1 for l in order if l in have)
    print(f"sidebar {'identical' if same_nav else 'differs'}; {steps} of {len(order)} pages with the same title, prev and next")
    if want != have:
        import difflib

        sys.stdout.writelines(difflib.unified_diff(got.splitlines(True), mine.splitlines(True), "mdbook", "stagebook"))
        sys.exit(1)


def stored():
    with open(TEST_FILE, encoding="utf-8") as f:
        m = re.search(r'MDBOOK_GUIDE: &str = r#"\n?(.*?)"#;', f.read(), re.S)
    return m.group(1) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("book", nargs="?", default=FIXTURE)
    ap.add_argument("--check", action="store_true", help="compare with the expectation in tests/summary.rs")
    ap.add_argument("--compare", action="store_true", help="build the book with stagebook too and compare")
    args = ap.parse_args()
    got = derive(os.path.abspath(args.book))
    if args.compare:
        compare(os.path.abspath(args.book), got)
        return
    if not args.check:
        sys.stdout.write(got)
        return
    want = stored()
    if want == got:
        print(f"tests/summary.rs agrees with mdbook build ({got.count(chr(10))} lines)")
        return
    import difflib

    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "tests/summary.rs", "mdbook"))
    sys.exit(1)


if __name__ == "__main__":
    main()
