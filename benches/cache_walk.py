#!/usr/bin/env python3
"""A handbook edited all afternoon: a seeded random walk of user edits, each followed by a cached
`stagebook build`, compared with a `--no-cache` build of the same state.

    python3 benches/cache_walk.py                          # 250 steps on each book, seed 1
    python3 benches/cache_walk.py --steps 400 --seed 7 --bin /work/ref/sb8-int

Books (copied to --workdir first, the originals are never touched): the bundled handbook (the
repo root's content/, book.toml and matrix) and tests/fixtures/cached (SUMMARY.md, an include, a
matrix, a theme override). Each step makes one edit of a random kind (page body, title, add /
delete / rename a page or folder, a case-only rename, SUMMARY.md order, the included file, a
matrix value, book.toml title / base_url / raw_html / language, a translation table, a theme
template or static file added or removed, `--drafts`, `--warn-links`, a link to an anchor that is
later removed, a touch, a same-size edit with the modification time put back, a save by rename).
After each step:
- the cached build's exit code and output (normalised: timings and output path) equal the
  `--no-cache` build's;
- when both succeed, `diff -r` of the two output folders is empty;
- a file the user put in the cached output folder (NOTES.txt) is still there, unchanged.
About every tenth step the cached build is first killed (SIGKILL) after a random delay; the
output folder must then be the old site or the new site, whole, and the next build right.
Exits 1 when any step failed; prints one line per failure and a summary.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTES = "NOTES.txt"
NOTES_TEXT = b"my own notes, not stagebook's\n"


def tree_digest(folder):
    """{relative path: sha1} of every file under folder (NOTES.txt left out), or None."""
    if not os.path.isdir(folder):
        return None
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, folder)
            if rel == NOTES:
                continue
            with open(path, "rb") as f:
                out[rel] = hashlib.sha1(f.read()).hexdigest()
    return out


def set_key(text, section, key, value):
    """Sets (value a TOML literal) or removes (value None) `key` in `[section]` of a TOML text."""
    lines = text.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == f"[{section}]"), None)
    if start is None:
        if value is not None:
            lines += ["", f"[{section}]", f"{key} = {value}"]
        return "\n".join(lines)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    at = next((i for i in range(start + 1, end) if re.match(rf"{re.escape(key)}\s*=", lines[i])), None)
    if at is not None:
        if value is None:
            del lines[at]
        else:
            lines[at] = f"{key} = {value}"
    elif value is not None:
        lines.insert(start + 1, f"{key} = {value}")
    return "\n".join(lines)


class Book:
    def __init__(self, name, src, parts, work, rng, theme_name):
        self.name = name
        self.dir = os.path.join(work, name)
        self.src = src
        self.parts = parts
        self.rng = rng
        self.theme = theme_name
        self.drafts = False
        self.warn_links = False
        self.anchor = None  # (a, b, n, state)
        self.counter = 0
        self.reset()

    def reset(self):
        """Puts the book back as it started (kept cache: a user reverting their working copy)."""
        for entry in os.listdir(self.dir) if os.path.isdir(self.dir) else []:
            if entry != ".stagebook-cache":
                p = os.path.join(self.dir, entry)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        os.makedirs(self.dir, exist_ok=True)
        for part in self.parts:
            s = os.path.join(self.src, part)
            d = os.path.join(self.dir, part)
            shutil.copytree(s, d) if os.path.isdir(s) else shutil.copy2(s, d)
        self.anchor = None

    @property
    def content(self):
        return os.path.join(self.dir, "src" if os.path.isdir(os.path.join(self.dir, "src")) else "content")

    def pages(self):
        out = []
        for dirpath, _, files in os.walk(self.content):
            for f in files:
                if f.endswith(".md") and f != "SUMMARY.md":
                    out.append(os.path.join(dirpath, f))
        return sorted(out)

    def folders(self):
        return sorted(d for d, _, _ in os.walk(self.content) if d != self.content)

    def pick(self, paths):
        """Mostly a page or folder the walk made (renaming an original breaks its many links)."""
        made = [p for p in paths if re.search(r"-\d+(\.md)?$", os.path.basename(p), re.I)]
        return self.rng.choice(made if made and self.rng.random() < 0.75 else paths)

    def word(self):
        self.counter += 1
        return f"{self.rng.choice(['ops', 'notes', 'Plan', 'zeta', 'alpha', 'review'])}-{self.counter}"

    # ---- edits: each returns a short description ----

    def edit_body(self):
        p = self.rng.choice(self.pages())
        with open(p, "a") as f:
            f.write(f"\nA line written at step {self.counter} with `code` and *emphasis*.\n")
        self.counter += 1
        return f"body {rel(p, self.dir)}"

    def edit_title(self):
        p = self.rng.choice(self.pages())
        text = open(p).read()
        new = f"Title {self.word()}"
        if re.search(r'^title = ".*"$', text, re.M):
            text = re.sub(r'^title = ".*"$', f'title = "{new}"', text, count=1, flags=re.M)
        elif re.search(r"^title: .*$", text, re.M):
            text = re.sub(r"^title: .*$", f"title: {new}", text, count=1, flags=re.M)
        elif text.startswith("+++\n"):
            text = f'+++\ntitle = "{new}"\n' + text[4:]
        else:
            text = f'+++\ntitle = "{new}"\ndescription = "d {self.counter}"\n+++\n\n' + text
        open(p, "w").write(text)
        return f"title {rel(p, self.dir)}"

    def front_matter(self):
        """A description, weight or draft flag: what section lists and navigation show."""
        p = self.rng.choice(self.pages())
        text = open(p).read()
        if not text.startswith("+++\n"):
            return self.edit_title()
        key, value = self.rng.choice([("description", f'"About {self.word()}"'), ("weight", str(self.rng.randint(-5, 50))),
                                      ("draft", self.rng.choice(["true", "false"]))])
        head, sep, body = text[4:].partition("\n+++")
        lines = [l for l in head.split("\n") if not l.startswith(f"{key} =")]
        at = next((i for i, l in enumerate(lines) if l.startswith("[")), len(lines))
        lines.insert(at, f"{key} = {value}")
        open(p, "w").write("+++\n" + "\n".join(lines) + sep + body)
        return f"front matter {key} = {value} in {rel(p, self.dir)}"

    def add_page(self):
        folder = self.rng.choice([self.content] + self.folders())
        p = os.path.join(folder, self.word() + ".md")
        open(p, "w").write(f'+++\ntitle = "New {self.counter}"\n+++\n\n# New page\n\nText.\n\n## Part\n')
        return f"add {rel(p, self.dir)}"

    def delete_page(self):
        pages = [p for p in self.pages() if os.path.dirname(p) != self.content or not is_index(p)]
        p = self.pick(pages)
        os.remove(p)
        return f"delete {rel(p, self.dir)}"

    def rename_page(self):
        p = self.pick(self.pages())
        q = os.path.join(os.path.dirname(p), self.word() + ".md")
        os.rename(p, q)
        return f"rename {rel(p, self.dir)} -> {os.path.basename(q)}"

    def case_rename(self):
        cands = self.pages() + self.folders()
        p = self.pick(cands)
        base = os.path.basename(p)
        flipped = base.swapcase() if self.rng.random() < 0.5 else base[:1].swapcase() + base[1:]
        if flipped.endswith(".MD"):
            flipped = flipped[:-3] + ".md"
        if flipped == base:
            return "case rename (no-op)"
        q = os.path.join(os.path.dirname(p), flipped)
        os.rename(p, q)
        return f"case rename {rel(p, self.dir)} -> {flipped}"

    def add_folder(self):
        parent = self.rng.choice([self.content] + self.folders())
        d = os.path.join(parent, self.word())
        os.makedirs(d)
        open(os.path.join(d, "_index.md"), "w").write(f'+++\ntitle = "Folder {self.counter}"\n+++\n\nA folder.\n')
        open(os.path.join(d, "inside.md"), "w").write("# Inside\n\nInside text.\n")
        return f"add folder {rel(d, self.dir)}"

    def delete_folder(self):
        folders = self.folders()
        if not folders:
            return self.add_folder()
        d = self.pick(folders)
        shutil.rmtree(d)
        return f"delete folder {rel(d, self.dir)}"

    def rename_folder(self):
        folders = self.folders()
        if not folders:
            return self.add_folder()
        d = self.pick(folders)
        q = os.path.join(os.path.dirname(d), self.word())
        os.rename(d, q)
        return f"rename folder {rel(d, self.dir)} -> {os.path.basename(q)}"

    def summary(self):
        s = os.path.join(self.content, "SUMMARY.md")
        if not os.path.exists(s):
            return self.edit_body()
        lines = open(s).read().split("\n")
        items = [i for i, l in enumerate(lines) if l.startswith("- [")]
        vals = [lines[i] for i in items]
        self.rng.shuffle(vals)
        for i, v in zip(items, vals):
            lines[i] = v
        open(s, "w").write("\n".join(lines))
        return "SUMMARY.md reorder"

    def include(self):
        inc = os.path.join(self.dir, "listings", "walk.txt")
        if not os.path.exists(inc):
            os.makedirs(os.path.dirname(inc), exist_ok=True)
            p = os.path.join(self.content, "_index.md")
            if not os.path.exists(p):
                p = self.rng.choice(self.pages())
            back = os.path.relpath(inc, os.path.dirname(p))
            with open(p, "a") as f:
                f.write(f"\n```text\n{{{{#include {back}}}}}\n```\n")
        hello = os.path.join(self.dir, "listings", "hello.rs")
        target = hello if os.path.exists(hello) and self.rng.random() < 0.5 else inc
        with open(target, "a") as f:
            f.write(f"// included line {self.counter}\n")
        self.counter += 1
        return f"include {rel(target, self.dir)}"

    def matrix(self):
        m = os.path.join(self.content, "matrix.toml")
        if not os.path.exists(m):
            return self.edit_body()
        lines = open(m).read().split("\n")
        cands = [i for i, l in enumerate(lines)
                 if re.match(r'(name|goal|question|text|detail|lesson|intro|title) = "[^"]*"$', l)]
        cands += [i for i, l in enumerate(lines) if l.startswith("cells = {")]
        i = self.rng.choice(cands)
        if lines[i].startswith("cells"):
            lines[i] = re.sub(r'= "([^"]*)"', lambda mm: f'= "{mm.group(1)} w{self.counter}"', lines[i], count=1)
        else:
            lines[i] = lines[i][:-1] + f' w{self.counter}"'
        self.counter += 1
        open(m, "w").write("\n".join(lines))
        return f"matrix line {i + 1}"

    def book_toml(self):
        p = os.path.join(self.dir, "book.toml")
        text = open(p).read()
        what = self.rng.choice(["title", "base_url", "raw_html", "language"])
        if what == "title":
            text = set_key(text, "book", "title", f'"Handbook {self.word()}"')
        elif what == "base_url":
            v = self.rng.choice([None, '"https://example.org/"', '"https://docs.example.com/sub/"'])
            text = set_key(text, "site", "base_url", v)
        elif what == "raw_html":
            text = set_key(text, "markdown", "raw_html", self.rng.choice([None, '"allow"', '"escape"']))
        else:
            text = set_key(text, "book", "language", self.rng.choice(['"en"', '"fr"', '"ja"', '"ar"', '"pt-BR"']))
        open(p, "w").write(text)
        return f"book.toml {what}"

    def language(self):
        m = re.search(r'^language = "([^"]+)"', open(os.path.join(self.dir, "book.toml")).read(), re.M)
        return m.group(1) if m else "en"

    def translation(self):
        lang = self.language() if self.rng.random() < 0.8 else "en"
        t = os.path.join(self.dir, "themes", self.theme, "i18n", f"{lang}.toml")
        if os.path.exists(t) and self.rng.random() < 0.3:
            os.remove(t)
            return f"translation {lang} removed"
        os.makedirs(os.path.dirname(t), exist_ok=True)
        open(t, "w").write(f'[ui]\nmenu = "Menu {self.counter}"\nnext = "Onward {self.counter}"\n')
        self.counter += 1
        return f"translation {lang}"

    def theme_file(self):
        base = os.path.join(self.dir, "themes", self.theme)
        stock = os.path.join(ROOT, "themes", "default")
        rel_path = self.rng.choice(["templates/page.html", "templates/section.html", "templates/base.html",
                                    "static/style.css", "static/walk-extra.css"])
        p = os.path.join(base, rel_path)
        if os.path.exists(p):
            os.remove(p)
            return f"theme {rel_path} removed"
        os.makedirs(os.path.dirname(p), exist_ok=True)
        s = os.path.join(stock, rel_path)
        body = open(s).read() if os.path.exists(s) else ""
        note = f"<!-- walk {self.counter} -->\n" if rel_path.endswith(".html") else f"/* walk {self.counter} */\n"
        open(p, "w").write(body + note)
        self.counter += 1
        return f"theme {rel_path} added"

    def drafts_flag(self):
        self.drafts = not self.drafts
        return f"--drafts {'on' if self.drafts else 'off'}"

    def links_flag(self):
        self.warn_links = not self.warn_links
        return f"--warn-links {'on' if self.warn_links else 'off'}"

    def anchor_step(self):
        if self.anchor is None or not (os.path.exists(self.anchor[0]) and os.path.exists(self.anchor[1])):
            pages = self.pages()
            if len(pages) < 2:
                return self.add_page()
            a, b = self.rng.sample(pages, 2)
            n = self.counter
            self.counter += 1
            with open(b, "a") as f:
                f.write(f"\n## Walk anchor {n}\n\nAnchored text.\n")
            link = os.path.relpath(b, os.path.dirname(a))
            with open(a, "a") as f:
                f.write(f"\nSee [the anchor]({link}#walk-anchor-{n}).\n")
            self.anchor = [a, b, n, 1]
            return f"anchor {rel(a, self.dir)} -> {rel(b, self.dir)}#walk-anchor-{n}"
        a, b, n, state = self.anchor
        if state == 1:
            text = open(b).read().replace(f"\n## Walk anchor {n}\n", "\n")
            open(b, "w").write(text)
            self.anchor[3] = 2
            return f"anchor walk-anchor-{n} removed from {rel(b, self.dir)}"
        text = open(a).read()
        text = re.sub(rf"\nSee \[the anchor\]\([^)]*#walk-anchor-{n}\)\.\n", "\n", text)
        open(a, "w").write(text)
        self.anchor = None
        return f"anchor link {n} removed"

    def touch(self):
        p = self.rng.choice(self.pages() + [os.path.join(self.dir, "book.toml")])
        now = time.time() + self.rng.choice([0, 1, 5])
        os.utime(p, (now, now))
        return f"touch {rel(p, self.dir)}"

    def same_size(self):
        """Changes one letter and puts size and modification time back, as some tools do."""
        for _ in range(10):
            p = self.rng.choice(self.pages())
            data = bytearray(open(p, "rb").read())
            idx = [i for i, c in enumerate(data) if 97 <= c <= 122 and i > len(data) // 2]
            if idx:
                break
        else:
            return self.edit_body()
        st = os.stat(p)
        i = self.rng.choice(idx)
        data[i] = 97 + (data[i] - 97 + 1) % 26
        open(p, "wb").write(bytes(data))
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        return f"same-size same-mtime {rel(p, self.dir)}@{i}"

    def save_by_rename(self):
        p = self.rng.choice(self.pages())
        text = open(p).read() + f"\nSaved by rename {self.counter}.\n"
        self.counter += 1
        tmp = p + ".swp~"
        open(tmp, "w").write(text)
        os.replace(tmp, p)
        return f"save by rename {rel(p, self.dir)}"

    KINDS = [("edit_body", 6), ("edit_title", 3), ("front_matter", 2), ("add_page", 2), ("delete_page", 1), ("rename_page", 1),
             ("case_rename", 1), ("add_folder", 1), ("delete_folder", 0.5), ("rename_folder", 0.5),
             ("summary", 1), ("include", 1.5), ("matrix", 1.5), ("book_toml", 2), ("translation", 1),
             ("theme_file", 1.5), ("drafts_flag", 1), ("links_flag", 1), ("anchor_step", 1.5), ("touch", 1.5),
             ("same_size", 2), ("save_by_rename", 1)]

    def next_edit(self, failed_in_row):
        """One more edit, or, after three failed builds in a row, the book put back as it started
        (a user reverting a working copy that no longer builds)."""
        if failed_in_row >= 3:
            self.reset()
            return "reset to the original book"
        return self.step()

    def step(self):
        names = [k for k, _ in self.KINDS]
        weights = [w for _, w in self.KINDS]
        return getattr(self, self.rng.choices(names, weights)[0])()

    def flags(self):
        return (["--drafts"] if self.drafts else []) + (["--warn-links"] if self.warn_links else [])


def rel(p, base):
    return os.path.relpath(p, base)


def is_index(p):
    return os.path.basename(p).lower() in ("_index.md", "readme.md", "index.md")


def normalise(text, outs):
    for o in outs:
        text = text.replace(o + "/", "OUT/").replace(o, "OUT")
    return re.sub(r"in \d+ ms", "in N ms", text)


def run(binary, book, out, flags, cached):
    cmd = [binary, "build", book.dir, "-o", out] + flags + ([] if cached else ["--no-cache"])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def diff(a, b):
    p = subprocess.run(["diff", "-r", "--no-dereference", "-x", NOTES, a, b], capture_output=True, text=True)
    return p.returncode, p.stdout[:1500]


def walk(binary, book, steps, work, rng, kill_every, log):
    cached_out = os.path.join(work, f"{book.name}-site")
    clean_out = os.path.join(work, f"{book.name}-clean")
    shutil.rmtree(cached_out, ignore_errors=True)
    failures = []
    kills = 0
    kill_outcomes = {"old": 0, "new": 0}
    code, _ = run(binary, book, cached_out, book.flags(), True)
    assert code == 0, f"{book.name}: the first build failed"
    with open(os.path.join(cached_out, NOTES), "wb") as f:
        f.write(NOTES_TEXT)
    fails_in_row = 0
    ok_steps = 0
    for n in range(1, steps + 1):
        old = tree_digest(cached_out)
        what = book.next_edit(fails_in_row)
        if fails_in_row >= 3:
            fails_in_row = 0
        flags = book.flags()
        shutil.rmtree(clean_out, ignore_errors=True)
        ccode, ctext = run(binary, book, clean_out, flags, False)
        new = tree_digest(clean_out) if ccode == 0 else None
        problems = []
        if kill_every and rng.random() < 1 / kill_every:
            kills += 1
            cmd = [binary, "build", book.dir, "-o", cached_out, "-q"] + flags
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, 0.15))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            after = tree_digest(cached_out)
            if after == old:
                kill_outcomes["old"] += 1
            elif new is not None and after == new:
                kill_outcomes["new"] += 1
            else:
                problems.append("after SIGKILL the output is neither the old site nor the new one")
        code, text = run(binary, book, cached_out, flags, True)
        outs = [cached_out, clean_out]
        if code != ccode:
            problems.append(f"exit {code} cached vs {ccode} --no-cache")
        if normalise(text, outs) != normalise(ctext, outs):
            problems.append(f"diagnostics differ:\n--- cached\n{normalise(text, outs)}\n--- no-cache\n"
                            f"{normalise(ctext, outs)}")
        if code == 0 and ccode == 0:
            dcode, dout = diff(cached_out, clean_out)
            if dcode != 0:
                problems.append(f"diff -r differs:\n{dout}")
        elif code != 0 and tree_digest(cached_out) != old:
            problems.append("a failed build changed the output folder")
        try:
            notes_ok = open(os.path.join(cached_out, NOTES), "rb").read() == NOTES_TEXT
        except OSError:
            notes_ok = False
        if not notes_ok:
            problems.append("NOTES.txt lost or changed")
        leftovers = sorted(e for e in os.listdir(work) if book.name in e and
                           e not in (f"{book.name}", f"{book.name}-site", f"{book.name}-clean"))
        if leftovers:
            problems.append(f"left beside the output: {leftovers}")
        fails_in_row = fails_in_row + 1 if code != 0 else 0
        status = "ok" if not problems else "FAIL"
        print(f"{book.name} step {n:3} [{status}] exit {code} {' '.join(flags) or '-'}: {what}", file=log, flush=True)
        if problems:
            failures.append((n, what, problems))
            for p in problems:
                print(f"    {p}", file=log, flush=True)
            # start the next step from agreement, so one bug is not reported at every later step
            shutil.rmtree(os.path.join(book.dir, ".stagebook-cache"), ignore_errors=True)
        else:
            ok_steps += 1
    return failures, kills, kill_outcomes, ok_steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=250, help="steps per book")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "stagebook"))
    ap.add_argument("--workdir", default="/dev/shm/stagebook-cache-walk")
    ap.add_argument("--kill-every", type=int, default=10, help="kill the cached build on about 1 step in N (0: never)")
    ap.add_argument("--book", action="append", choices=["bundled", "cached"], help="default: both")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    rng = random.Random(args.seed)
    books = []
    for which in args.book or ["bundled", "cached"]:
        if which == "bundled":
            books.append(Book("bundled", ROOT, ["content", "book.toml"], args.workdir, rng, "default"))
        else:
            src = os.path.join(ROOT, "tests", "fixtures", "cached")
            books.append(Book("cached", src, sorted(os.listdir(src)), args.workdir, rng, "house"))
    total_fail = 0
    for book in books:
        t0 = time.time()
        failures, kills, outcomes, ok = walk(binary, book, args.steps, args.workdir, rng, args.kill_every, sys.stdout)
        total_fail += len(failures)
        print(f"== {book.name}: {args.steps} steps (seed {args.seed}), {ok} ok, {len(failures)} failed; "
              f"{kills} builds killed (left the old site {outcomes['old']}, the new one {outcomes['new']}); "
              f"{time.time() - t0:.0f} s", flush=True)
    shutil.rmtree(args.workdir, ignore_errors=True)
    sys.exit(1 if total_fail else 0)


if __name__ == "__main__":
    main()
