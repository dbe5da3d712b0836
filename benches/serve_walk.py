#!/usr/bin/env python3
"""`stagebook serve` held open through an afternoon of edits: ten tabs (event streams) stay
connected through an idle spell, then a seeded random walk of user edits (cache_walk.py's edit
kinds, plus folders deleted and created again under the watcher) runs while serve watches. After
each edit settles, every file of a clean `build --no-cache` of the same state is fetched from the
server and must be the same bytes (pages less the live-reload script serve adds), files the
clean build no longer has must be 404, a failing state must have sent `errors` to the tabs, and
every tab must have seen the events.

    python3 benches/serve_walk.py --steps 120 --idle-seconds 130
    python3 benches/serve_walk.py --book cached --steps 60 --idle-seconds 0
    python3 benches/serve_walk.py --book cached --built --steps 60 --idle-seconds 0

With --built the handbook is built twice first (a body edit between), so `serve` starts, and
loads again after each structural edit, with the build cache's parse memo and highlights.

Exits 1 when any step failed. Requests go to 127.0.0.1 only and are bounded (one GET per output
file per step).
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time

from cache_walk import ROOT, Book

LIVERELOAD = b'<script src="/__stagebook/livereload.js"></script></body>'


class Tab:
    """One open tab: the live-reload event stream."""

    def __init__(self, addr):
        host, port = addr.split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(f"GET /__stagebook/events HTTP/1.1\r\nHost: {addr}\r\n\r\n".encode())
        self.buf = b""
        self.closed = False

    def events(self, timeout):
        """Every event that arrives within `timeout` seconds of quiet."""
        out = []
        self.sock.settimeout(timeout)
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                kinds = [l[7:] for l in block.decode(errors="replace").splitlines() if l.startswith("event: ")]
                if kinds:
                    out.append(kinds[0])
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return out
            if not chunk:
                self.closed = True
                return out
            self.buf += chunk


def get(addr, path):
    host, port = addr.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def quote(rel):
    from urllib.parse import quote as q
    return "/" + q(rel.replace(os.sep, "/"))


def site_files(folder):
    out = set()
    for dirpath, _, files in os.walk(folder):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), folder)
            if rel != ".stagebook-manifest":
                out.add(rel)
    return out


def compare(addr, clean, files, gone):
    problems = []
    for rel in sorted(files):
        status, body = get(addr, quote(rel))
        want = open(os.path.join(clean, rel), "rb").read()
        if rel.endswith(".html"):
            body = body.replace(LIVERELOAD, b"</body>", 1)
        if status != 200 or body != want:
            problems.append(f"{rel}: status {status}, {'same' if body == want else 'different'} bytes")
    for rel in sorted(gone):
        status, _ = get(addr, quote(rel))
        if status != 404:
            problems.append(f"{rel}: gone from the clean build but served with {status}")
    return problems


def recreate_folder(book):
    """rm -rf a folder of pages and put it back (a git stash / checkout does this)."""
    folders = book.folders()
    if not folders:
        return book.add_folder()
    d = book.rng.choice(folders)
    keep = d + ".keep~"
    shutil.copytree(d, keep)
    shutil.rmtree(d)
    time.sleep(book.rng.choice([0, 0.01, 0.1, 0.3]))
    shutil.copytree(keep, d)
    shutil.rmtree(keep)
    return f"folder deleted and created again {os.path.relpath(d, book.dir)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tabs", type=int, default=10)
    ap.add_argument("--idle-seconds", type=int, default=130)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "stagebook"))
    ap.add_argument("--book", choices=["bundled", "cached"], default="bundled")
    ap.add_argument("--workdir", default="/dev/shm/stagebook-serve-walk")
    ap.add_argument("--built", action="store_true", help="build twice first: serve reads the build cache")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    rng = random.Random(args.seed)
    if args.book == "bundled":
        book = Book("bundled", ROOT, ["content", "book.toml"], args.workdir, rng, "default")
    else:
        src = os.path.join(ROOT, "tests", "fixtures", "cached")
        book = Book("cached", src, sorted(os.listdir(src)), args.workdir, rng, "house")
    # serve runs with fixed flags: the flag kinds become body edits, and a folder is removed and
    # made again instead
    book.drafts_flag = book.edit_body
    book.links_flag = lambda: recreate_folder(book)
    clean = os.path.join(args.workdir, "clean")
    if args.built:
        site = os.path.join(args.workdir, "built")
        for n in range(2):
            subprocess.run([binary, "build", "--quiet", book.dir, "-o", site], check=True)
            book.edit_body()
        shutil.rmtree(site)
    proc = subprocess.Popen([binary, "serve", "--port", "0", book.dir], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    addr = None
    for line in proc.stdout:
        if line.startswith("Serving http://"):
            addr = line.split("http://")[1].split("/")[0]
            break
    if addr is None:
        sys.exit("serve did not start")
    log = []
    threading.Thread(target=lambda: [log.append(l) for l in proc.stdout], daemon=True).start()
    failures = []
    requests = 0
    try:
        tabs = [Tab(addr) for _ in range(args.tabs)]
        for t in tabs:
            t.events(0.5)  # hello
        if args.idle_seconds:
            time.sleep(args.idle_seconds)
            beats = [t.events(0.2) for t in tabs]
            print(f"idle {args.idle_seconds} s with {args.tabs} tabs: events meanwhile {beats[0]}; "
                  f"{sum(t.closed for t in tabs)} streams closed", flush=True)
        previous = set()
        fails_in_row = 0
        for n in range(1, args.steps + 1):
            what = book.next_edit(fails_in_row)
            if fails_in_row >= 3:
                fails_in_row = 0
            first = tabs[0].events(3.0)
            while True:  # settle: no event for 1.5 s
                more = tabs[0].events(1.5)
                if not more:
                    break
                first += more
            shutil.rmtree(clean, ignore_errors=True)
            p = subprocess.run([binary, "build", book.dir, "-o", clean, "--no-cache", "-q"], capture_output=True)
            problems = []
            fails_in_row = fails_in_row + 1 if p.returncode else 0
            if p.returncode == 0:
                files = site_files(clean)
                problems += compare(addr, clean, files, previous - files)
                requests += len(files) + len(previous - files)
                previous = files
                if first and first[-1] != "reload":
                    problems.append(f"the clean build succeeds but the tabs' last event is {first[-1]}")
            elif first and first[-1] != "errors":
                problems.append(f"the clean build fails but the tabs' last event is {first[-1]}")
            for i, t in enumerate(tabs[1:], 1):
                got = t.events(0.05)
                if t.closed:
                    problems.append(f"tab {i}: event stream closed")
                    tabs[i] = Tab(addr)
                elif [e for e in got if e != "ping"] != [e for e in first if e != "ping"]:
                    problems.append(f"tab {i} saw {got}, tab 0 saw {first}")
            if proc.poll() is not None:
                problems.append("serve exited")
            status = "ok" if not problems else "FAIL"
            print(f"step {n:3} [{status}] build exit {p.returncode}, events {first}: {what}", flush=True)
            for pr in problems[:8]:
                print(f"    {pr}", flush=True)
            if problems:
                failures.append((n, what, problems))
            if proc.poll() is not None:
                break
    finally:
        proc.terminate()
        proc.wait()
    panics = [l for l in log if "panic" in l]
    print(f"== serve walk ({args.book}, seed {args.seed}): {args.steps} steps, {len(failures)} failed, "
          f"{requests} page requests compared, {args.tabs} tabs; panics: {len(panics)}", flush=True)
    shutil.rmtree(args.workdir, ignore_errors=True)
    sys.exit(1 if failures or panics else 0)


if __name__ == "__main__":
    main()
