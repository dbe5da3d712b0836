#!/usr/bin/env python3
"""Watch-mode benchmark: save-to-reload latency of `stagebook serve`, and concurrent load.

    python3 benches/serve.py                      # bundled handbook, 1,000 and 10,000 pages
    python3 benches/serve.py --pages 10000 --edits 20

For each handbook: start the server on a free port, connect to its event stream, then edit one
page's body 20 times (half a second apart) and time each edit from the file write to the
`reload` event. Reports the median and 95th percentile. Then 50 concurrent clients fetch
1,000 pages in all and every response must be 200.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from corpus import BIN, ROOT, build_release, corpus  # noqa: E402



def start(book):
    proc = subprocess.Popen([BIN, "serve", "--port", "0", book], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if line.startswith("Serving http://"):
            addr = line.split("http://")[1].split("/")[0]
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, addr
    sys.exit("server did not start")


class Events:
    def __init__(self, addr):
        host, port = addr.split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.sendall(f"GET /__stagebook/events HTTP/1.1\r\nHost: {addr}\r\n\r\n".encode())
        self.buf = b""
        self.next_event()  # hello

    def next_event(self, timeout=30):
        self.sock.settimeout(timeout)
        while b"\n\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        block, self.buf = self.buf.split(b"\n\n", 1)
        kind = [l[7:] for l in block.decode().splitlines() if l.startswith("event: ")]
        return kind[0] if kind else None


def pick_page(book):
    for dirpath, _, files in sorted(os.walk(os.path.join(book, "content"))):
        for f in sorted(files):
            if f.endswith(".md") and not f.startswith("_") and f != "README.md" and "matrix" not in f:
                return os.path.join(dirpath, f)
    raise SystemExit("no page to edit")


def latency(addr, page, edits):
    events = Events(addr)
    original = open(page, encoding="utf-8").read()
    times = []
    try:
        for i in range(edits):
            time.sleep(0.5)
            start = time.perf_counter()
            with open(page, "w", encoding="utf-8") as f:
                f.write(original + f"\n\nEdit number {i}.\n")
            while True:
                kind = events.next_event()
                if kind == "reload":
                    break
                if kind == "errors":
                    raise SystemExit("the edit produced build errors")
            times.append((time.perf_counter() - start) * 1000)
    finally:
        with open(page, "w", encoding="utf-8") as f:
            f.write(original)
    return times


def load(addr, urls, clients=50, total=1000):
    errors = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                with urllib.request.urlopen(f"http://{addr}/{urls[n % len(urls)]}", timeout=30) as r:
                    r.read()
                    if r.status != 200:
                        errors.append(r.status)
            except Exception as e:  # noqa: BLE001 - any failure counts
                errors.append(repr(e))

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors, time.perf_counter() - start


def page_urls(book):
    content = os.path.join(book, "content")
    urls = []
    for dirpath, _, files in os.walk(content):
        for f in files:
            if f.endswith(".md"):
                rel = os.path.relpath(os.path.join(dirpath, f), content).replace(os.sep, "/")
                stem = rel[:-3]
                if os.path.basename(stem) in ("_index", "index", "README"):
                    urls.append(os.path.dirname(stem) + "/" if os.path.dirname(stem) else "")
                else:
                    urls.append(stem + "/")
    return urls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, action="append", help="generated corpus size (repeatable)")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    args = ap.parse_args()
    build_release()
    books = [("bundled handbook", None)] + [(f"{n} pages", n) for n in (args.pages or [1000, 10000])]
    print(f"{'handbook':<18} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}   load: 1000 requests / 50 clients")
    for name, pages in books:
        if pages is None:
            work = tempfile.mkdtemp()
            book = os.path.join(work, "book")
            shutil.copytree(os.path.join(ROOT, "content"), os.path.join(book, "content"))
            shutil.copy(os.path.join(ROOT, "book.toml"), book)
        else:
            book = corpus(pages, args.workdir)
        print(f"  {name}: starting", file=sys.stderr)
        proc, addr = start(book)
        try:
            times = latency(addr, pick_page(book), args.edits)
            errors, secs = load(addr, page_urls(book))
        finally:
            proc.terminate()
            proc.wait()
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        status = "no errors" if not errors else f"{len(errors)} errors: {errors[:3]}"
        print(f"{name:<18} {statistics.median(times):>10.1f} {p95:>8.1f} {max(times):>8.1f}   {status} in {secs:.2f} s")


if __name__ == "__main__":
    main()
