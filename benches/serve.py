#!/usr/bin/env python3
"""Preview-server benchmark: save-to-reload latency of `stagebook serve`, concurrent load, and
the server's endurance (idle soak, connection load, a small open-file limit).

    python3 benches/serve.py                      # bundled handbook, 1,000 and 10,000 pages
    python3 benches/serve.py --pages 10000 --edits 20
    python3 benches/serve.py --book /work/corpus10k/neutral --pages 0 --runs soak,load,ulimit
    python3 benches/serve.py --pages 0 --runs soak --idle-seconds 600   # the 10-minute soak

Runs (--runs, comma-separated; default all):
- latency: time the start-up (from launch to the "Serving http://" line, the first build
  included; issue 18 asks for no more than a fresh build's time), connect to the event stream, edit one page's body 20 times (half a second apart)
  and time each edit from the file write to the `reload` event (median, p95, max); then 50
  concurrent clients fetch 1,000 pages in all and every response must be 200.
- soak: open an event stream and a keep-alive connection, stay idle --idle-seconds (default
  40), then time a GET on a new connection and a save until the stream's `reload`.
- load: 200 idle connections, 20 clients sending one header byte a second and 50 event
  streams; report the server's thread count and the latency of 20 GETs made meanwhile
  (median and max; goal under 1 s).
- ulimit: start the server under `ulimit -n 256` (soft and hard), open 300 connections;
  report how many were refused or closed, a GET meanwhile, a GET after they closed, and
  whether the server panicked.
- startup: issue 18's goal 3, start-up no slower than a fresh build. Each of --startup-runs
  rounds times, in alternating order, `serve` from launch until the site is complete and its
  first page served (the "Serving" line, then a GET of `/` answered 200) and a fresh
  `build --no-cache` of the same book into --workdir (put it on tmpfs: serve writes no files);
  it reports both medians, the median per-round ratio serve / build, CPU seconds and peak
  memory (the server's, stopped once the page is served). With --baseline, the baseline
  binary's serve and build join every round too, and the table adds this / baseline for
  serve. Handbooks are read in place for this run (neither command writes into them).

    python3 benches/serve.py --book /work/corpus10k/neutral --pages 0 --no-bundled --runs startup \
        --startup-runs 5 --workdir /dev/shm/stagebook-bench --baseline /work/ref/stagebook-s5start

Handbooks are copied to a temporary folder first (edits never touch the originals), except
for a startup-only run.
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

import corpus as _corpus
from build import remove_output, run_full  # noqa: E402
from corpus import ROOT, build_release, corpus  # noqa: E402

BIN = _corpus.BIN



def start(book, open_files=None, stderr=subprocess.DEVNULL):
    """The running server and its address; `start.seconds` is how long it took to start."""
    began = time.perf_counter()
    if open_files:
        cmd = ["sh", "-c", f'ulimit -Sn {open_files} && ulimit -Hn {open_files} && exec "$0" serve --port 0 "$1"',
               BIN, book]
    else:
        cmd = [BIN, "serve", "--port", "0", book]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
    for line in proc.stdout:
        if line.startswith("Serving http://"):
            addr = line.split("http://")[1].split("/")[0]
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            start.seconds = time.perf_counter() - began
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


def get(addr, path="/", timeout=30):
    """One GET on a new connection: (status, seconds)."""
    host, port = addr.split(":")
    start = time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, time.perf_counter() - start


def save_to_reload(events, page, marker):
    original = open(page, encoding="utf-8").read()
    start = time.perf_counter()
    try:
        with open(page, "w", encoding="utf-8") as f:
            f.write(original + f"\n\n{marker}\n")
        while True:
            kind = events.next_event(timeout=60)
            if kind == "reload":
                return (time.perf_counter() - start) * 1000
            if kind == "errors":
                raise SystemExit("the edit produced build errors")
    finally:
        with open(page, "w", encoding="utf-8") as f:
            f.write(original)


def threads(proc):
    with open(f"/proc/{proc.pid}/status") as f:
        return int(next(line.split()[1] for line in f if line.startswith("Threads:")))


def soak(book, idle_seconds):
    proc, addr = start(book)
    try:
        events = Events(addr)
        host, port = addr.split(":")
        kept = socket.create_connection((host, int(port)))
        kept.sendall(f"GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n".encode())
        kept.recv(65536)
        time.sleep(idle_seconds)
        status, secs = get(addr)
        try:
            ms = f"{save_to_reload(events, pick_page(book), 'Edit after the idle spell.'):.1f} ms"
        except (EOFError, OSError) as e:
            ms = f"NOT RECEIVED (the stream opened before the idle spell ended: {e!r})"
        alive = proc.poll() is None
    finally:
        proc.terminate()
        proc.wait()
    return f"idle {idle_seconds} s: GET {status} in {secs * 1000:.1f} ms, save -> reload {ms}, " \
           f"{'server alive' if alive else 'SERVER EXITED'}"


def connection_load(book):
    proc, addr = start(book)
    host, port = addr.split(":")
    held, stop = [], threading.Event()
    try:
        held = [socket.create_connection((host, int(port))) for _ in range(200)]
        slow = [socket.create_connection((host, int(port))) for _ in range(20)]
        head = f"GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: {'s' * 40}\r\n\r\n".encode()

        def drip():
            for i in range(len(head)):
                if stop.is_set():
                    return
                for s in slow:
                    try:
                        s.send(head[i:i + 1])
                    except OSError:
                        pass
                time.sleep(1)

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        streams = [Events(addr) for _ in range(50)]
        time.sleep(2)
        count = threads(proc)
        times, statuses = [], []
        for _ in range(20):
            status, secs = get(addr, "/", timeout=30)
            statuses.append(status)
            times.append(secs * 1000)
            time.sleep(0.1)
        stop.set()
        bad = [s for s in statuses if s != 200]
    finally:
        stop.set()
        for s in held:
            s.close()
        proc.terminate()
        proc.wait()
    return f"{len(streams)} streams + 200 idle + 20 slow: {count} threads, GET median " \
           f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms" + (f", {len(bad)} not 200: {bad[:3]}" if bad else "")


def ulimit_run(book):
    err = tempfile.TemporaryFile(mode="w+")
    proc, addr = start(book, open_files=256, stderr=err)
    host, port = addr.split(":")
    held, refused = [], 0
    try:
        for _ in range(300):
            try:
                held.append(socket.create_connection((host, int(port)), timeout=2))
            except OSError:
                refused += 1
        time.sleep(0.5)
        during, during_secs = get(addr, "/", timeout=10)
        closed = 0
        for s in held:
            s.settimeout(0.02)
            try:
                s.recv(256)
                closed += 1  # EOF or a 503 before closing
            except socket.timeout:
                pass
            except OSError:
                closed += 1
        for s in held:
            s.close()
        time.sleep(0.3)
        after, after_secs = get(addr, "/", timeout=10)
        alive = proc.poll() is None
    finally:
        proc.terminate()
        proc.wait()
    err.seek(0)
    panicked = "panicked" in err.read()
    return f"300 connections under ulimit -n 256: {refused} refused, {closed} closed by the server; " \
           f"GET meanwhile {during} in {during_secs * 1000:.1f} ms, after {after} in {after_secs * 1000:.1f} ms; " \
           f"{'PANIC' if panicked else 'no panic'}, {'alive' if alive else 'EXITED'}"


def startup_once(binary, book):
    """One serve start-up: seconds from launch until `/` is served (the site complete), then
    the server is stopped; (seconds, CPU seconds, peak MiB)."""
    began = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--port", "0", book], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    addr = None
    try:
        for line in proc.stdout:  # ends if the server exits
            if line.startswith("Serving http://"):
                addr = line.split("http://")[1].split("/")[0]
                break
        if addr is None:
            sys.exit(f"{binary} serve {book}: no server")
        status, _ = get(addr, "/", timeout=120)
        seconds = time.perf_counter() - began
        if status != 200:
            sys.exit(f"{binary} serve {book}: GET / answered {status}")
    finally:
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
        proc.stdout.close()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def build_once(binary, book, out):
    """One fresh build without the cache: (seconds, CPU seconds, peak MiB)."""
    remove_output(out)
    wall, mem, cpu, _ = run_full([binary, "build", "--quiet", "--no-cache", book, "-o", out])
    remove_output(out)
    return wall, cpu, mem


def startup(book, runs, workdir, baseline=None):
    """Lines comparing serve's start-up with a fresh build, per binary, paired in turns."""
    os.makedirs(workdir, exist_ok=True)
    bins = {"this": BIN} if not baseline else {"base": os.path.abspath(baseline), "this": BIN}
    jobs = [(who, kind) for who in bins for kind in ("serve", "build")]
    took = {job: [] for job in jobs}
    out = os.path.join(workdir, "startup-build-out")
    for i in range(runs):
        for who, kind in (jobs if i % 2 == 0 else jobs[::-1]):
            b = bins[who]
            took[(who, kind)].append(startup_once(b, book) if kind == "serve" else build_once(b, book, out))
    med = statistics.median
    lines = [f"{'binary':>6} {'serve s':>8} {'build s':>8} {'serve/build':>11} {'range':>11} "
             f"{'serve cpu':>9} {'build cpu':>9} {'serve MiB':>9} {'build MiB':>9}"]
    for who in bins:
        serve, build = took[(who, "serve")], took[(who, "build")]
        ratios = sorted(s[0] / b[0] for s, b in zip(serve, build))
        lines.append(f"{who:>6} {med(s[0] for s in serve):>8.2f} {med(b[0] for b in build):>8.2f} "
                     f"{med(ratios):>11.2f} {ratios[0]:>5.2f}-{ratios[-1]:<5.2f} "
                     f"{med(s[1] for s in serve):>9.2f} {med(b[1] for b in build):>9.2f} "
                     f"{med(s[2] for s in serve):>9.0f} {med(b[2] for b in build):>9.0f}")
    if baseline:
        pairs = sorted(t[0] / b[0] for t, b in zip(took[("this", "serve")], took[("base", "serve")]))
        cpu = [t[1] / b[1] for t, b in zip(took[("this", "serve")], took[("base", "serve")])]
        lines.append(f"serve this / base: wall {med(pairs):.2f} ({pairs[0]:.2f}-{pairs[-1]:.2f}), "
                     f"cpu {med(cpu):.2f}")
    return "\n".join(lines)


def copy_book(src):
    work = tempfile.mkdtemp(prefix="stagebook-serve-bench-")
    book = os.path.join(work, "book")
    os.makedirs(book)
    shutil.copytree(os.path.join(src, "content"), os.path.join(book, "content"))
    shutil.copy(os.path.join(src, "book.toml"), book)
    if os.path.isdir(os.path.join(src, "themes")):
        shutil.copytree(os.path.join(src, "themes"), os.path.join(book, "themes"))
    return book


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, action="append",
                    help="generated corpus size (repeatable; 0 for none; default 1000 and 10000)")
    ap.add_argument("--book", action="append", default=[], help="also run on this handbook folder (copied first)")
    ap.add_argument("--no-bundled", action="store_true", help="skip the bundled handbook")
    ap.add_argument("--runs", default="latency,soak,load,ulimit,startup")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--idle-seconds", type=int, default=40)
    ap.add_argument("--startup-runs", type=int, default=5, help="rounds of the startup run")
    ap.add_argument("--bin", help="stagebook binary to measure (default: this checkout's release build)")
    ap.add_argument("--baseline", help="startup run: another binary to pair every round with")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "stagebook-bench"))
    args = ap.parse_args()
    runs = set(args.runs.split(","))
    global BIN
    if args.bin:
        BIN = os.path.abspath(args.bin)
    else:
        build_release()
    books = [] if args.no_bundled else [("bundled handbook", lambda: copy_book(ROOT))]
    books += [(f"{n} pages", lambda n=n: corpus(n, args.workdir)) for n in (args.pages or [1000, 10000]) if n]
    in_place = runs <= {"startup"}  # nothing written into the handbook: no copy needed
    books += [(os.path.basename(os.path.normpath(b)) or b, lambda b=b: b if in_place else copy_book(b))
              for b in args.book]
    for name, make in books:
        book = make()
        print(f"== {name} ({book})", flush=True)
        if "latency" in runs:
            proc, addr = start(book)
            print(f"  start-up (first build included): {start.seconds:.2f} s", flush=True)
            try:
                times = latency(addr, pick_page(book), args.edits)
                errors, secs = load(addr, page_urls(book))
            finally:
                proc.terminate()
                proc.wait()
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            status = "no errors" if not errors else f"{len(errors)} errors: {errors[:3]}"
            print(f"  save -> reload: median {statistics.median(times):.1f} ms, p95 {p95:.1f}, max {max(times):.1f}; "
                  f"1000 requests / 50 clients: {status} in {secs:.2f} s", flush=True)
        if "soak" in runs:
            print(f"  soak: {soak(book, args.idle_seconds)}", flush=True)
        if "load" in runs:
            print(f"  load: {connection_load(book)}", flush=True)
        if "ulimit" in runs:
            print(f"  ulimit: {ulimit_run(book)}", flush=True)
        if "startup" in runs:
            print("  startup (serve until / is served, vs build --no-cache fresh):", flush=True)
            for line in startup(book, args.startup_runs, args.workdir, args.baseline).splitlines():
                print(f"    {line}", flush=True)
        if os.path.basename(os.path.dirname(book)).startswith("stagebook-serve-bench-"):
            shutil.rmtree(os.path.dirname(book))  # a copy made by copy_book


if __name__ == "__main__":
    main()
