"""SQS soak: many queues, parked long polls and steady senders for minutes, optionally beside a CPU/IO hog.

Starts gureum from this checkout (SQLite in a temporary data dir, or `--store postgresql://…` on loopback),
creates `--queues` queues (default 300) and parks one long poll (WaitTimeSeconds `--wait`, default 20) on each of
the first `--pollers` (default 50). Senders send at a steady `--rate` (messages/s, open loop: a stalled server
shows up as a falling rate, not as a slower client), mostly to the polled queues and `--cold-share` of them to the
others, which a janitor drains with short polls. Every request is a raw JSON-protocol request on a keep-alive
connection (no SDK), so the client stays light next to the server.

Reported: receive latency (send → the long poll that returned it), long-poll answer times (those later than
`--wait` + `--margin`, and those with no answer within 40 s), send rate and latency per 10 s window, probes of the
event loop (GET /_gureum/health) and the reader thread (GetQueueUrl) beside the writer (the sends), the client's own
event-loop lag, server CPU and RSS (growth in KB/min), the machine's CPU and IO pressure, idle CPU with the long
polls parked and nothing sent, errors, and lost or duplicated messages. `--hog` runs CPU burners on every core and
fsync-heavy writes on the data dir's filesystem for a window of the run; `--py-spy` dumps the server's threads
when a request stalls.

  python bench/soak.py [--seconds 600] [--queues 300] [--pollers 50] [--rate 5] [--hog] [--py-spy] [--json]
  python bench/soak.py --store postgresql://user@127.0.0.1:5432/db --seconds 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import request_bytes  # noqa: E402
from sqs_throughput import REPO_ROOT, free_port, healthy, require_loopback  # noqa: E402

WINDOW = 10.0  # seconds per row of the time series
HARD_LIMIT = 40.0  # a long poll not answered by then counts as unanswered (the yardstick)
MAX_SECONDS = 3600.0  # the longest run allowed
ANSWER_TIMEOUT = 90.0  # the client gives up on one answer after this long (and reconnects)
PAD = "p" * 200


# --- the server under test --------------------------------------------------------------------------------------


class Gureum:
    """One `python -m gureum start` of this checkout on a loopback port, in its own process group (so whatever it
    starts — Lambda environments — can be ended with it). Used by killnine.py too."""

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        store: str | None = None,
        extra: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.store = store
        self.extra = extra or []
        self.env = env or {}
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> Gureum:
        cmd = [sys.executable, "-m", "gureum", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data_dir), "--log-level", "warning", *self.extra]
        if self.store:
            cmd += ["--store", self.store]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            **self.env,
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while not healthy(self.endpoint):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise SystemExit(f"gureum did not become healthy (exit code {self.proc.poll()}):\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the server, then whatever is left of the process group it leads (its own children)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def require_loopback_store(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SystemExit(f"--store takes a postgresql:// URL, not {url!r}")
    if parts.hostname and not parts.hostname.startswith("/"):
        require_loopback(f"http://{parts.hostname}")


# --- the hog ------------------------------------------------------------------------------------------------------

_CPU_HOG = """
import sys, time
end = time.monotonic() + float(sys.argv[1])
n = 0
while time.monotonic() < end:
    for _ in range(10000):
        n += 1
"""

# small writes, each fsynced (a database or a package manager); the file is rewritten from the start at its cap
_FSYNC_HOG = """
import os, sys, time
end, path, cap = time.monotonic() + float(sys.argv[1]), sys.argv[2], int(sys.argv[3]) << 20
chunk = os.urandom(64 << 10)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
written = 0
while time.monotonic() < end:
    os.write(fd, chunk)
    os.fsync(fd)
    written += len(chunk)
    if written >= cap:
        os.lseek(fd, 0, 0)
        written = 0
os.close(fd)
os.unlink(path)
"""

# large buffered writes (a build, an image pull), flushed with one fsync per `cap`: bursts of writeback that the
# journal makes every other fsync on the filesystem wait for
_DIRTY_HOG = """
import os, sys, time
end, path, cap = time.monotonic() + float(sys.argv[1]), sys.argv[2], int(sys.argv[3]) << 20
chunk = os.urandom(8 << 20)
while time.monotonic() < end:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    written = 0
    while written < cap and time.monotonic() < end:
        os.write(fd, chunk)
        written += len(chunk)
    os.fsync(fd)
    os.close(fd)
os.unlink(path)
"""


# --slow-fsync: an LD_PRELOAD shim for the server that makes fsync/fdatasync of the data dir's files sleep first,
# as on a disk whose queue another job's writeback keeps full (seconds per fsync); each delayed call is logged
_SLOW_FSYNC_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static void maybe_slow(int fd, const char *what) {
    const char *match = getenv("SLOW_FSYNC_MATCH"), *secs = getenv("SLOW_FSYNC_SECONDS");
    char link[64], path[4096];
    if (!match || !secs) return;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = 0;
    if (!strstr(path, match)) return;
    double s = atof(secs);
    fprintf(stderr, "slowfsync: %s %s tid %ld: sleeping %.1fs\n", what, path, (long)syscall(SYS_gettid), s);
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    maybe_slow(fd, "fsync");
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    maybe_slow(fd, "fdatasync");
    return real(fd);
}
"""


def slow_fsync_env(work: Path, data_dir: Path, seconds: float) -> dict[str, str]:
    """Build the shim with the C compiler found on PATH; the server environment that loads it."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise SystemExit("--slow-fsync needs a C compiler (cc, gcc or clang) on PATH")
    source, library = work / "slowfsync.c", work / "slowfsync.so"
    source.write_text(_SLOW_FSYNC_C)
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source), "-ldl"], check=True)
    return {"LD_PRELOAD": str(library), "SLOW_FSYNC_MATCH": str(data_dir), "SLOW_FSYNC_SECONDS": str(seconds)}


def slowed_fsyncs(log: Path) -> dict[str, int]:
    """Delayed fsyncs in the server log, by thread id."""
    threads: dict[str, int] = {}
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return threads
    for line in text.splitlines():
        if line.startswith("slowfsync: ") and " tid " in line:
            tid = line.split(" tid ", 1)[1].split(":", 1)[0]
            threads[tid] = threads.get(tid, 0) + 1
    return threads


class Hog:
    """CPU burners (one per core by default) and two disk writers in a directory on the data dir's filesystem.
    Every process ends by itself after `seconds`; stop() ends the ones still running (by pid)."""

    def __init__(self, where: Path, seconds: float, cores: int, dirty_mb: int) -> None:
        self.where, self.seconds, self.cores, self.dirty_mb = where, seconds, cores, dirty_mb
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.where.mkdir(parents=True, exist_ok=True)
        secs = str(self.seconds)
        jobs = [["-c", _CPU_HOG, secs] for _ in range(self.cores)]
        jobs.append(["-c", _FSYNC_HOG, secs, str(self.where / "fsync.bin"), "64"])
        jobs.append(["-c", _DIRTY_HOG, secs, str(self.where / "dirty.bin"), str(self.dirty_mb)])
        for job in jobs:
            self.procs.append(
                subprocess.Popen([sys.executable, *job], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        self.procs = []
        shutil.rmtree(self.where, ignore_errors=True)


# --- measurements ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary(values: list[float], digits: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(values)}
    for name, p in (("p50", 50), ("p90", 90), ("p99", 99)):
        v = pct(values, p)
        out[name] = None if v is None else round(v, digits)
    out["max"] = round(max(values), digits) if values else None
    return out


@dataclass
class Window:
    sends: int = 0  # acknowledged
    send_ms: list[float] = field(default_factory=list)
    received: int = 0
    recv_ms: list[float] = field(default_factory=list)  # send → receive, by the receive's time
    polls: int = 0
    poll_max: float = 0.0  # the longest long-poll answer completed in the window (s)
    late_polls: int = 0
    health_ms: float = 0.0  # the slowest probe answers in the window
    read_ms: float = 0.0
    lag_ms: float = 0.0  # the client's own event-loop lag
    errors: int = 0
    cpu_pct: float | None = None  # the server's
    rss_kb: int | None = None
    machine_busy: float | None = None
    io_stall: float | None = None  # % of the window some task waited on IO (PSI)
    cpu_stall: float | None = None
    hog: bool = False


def read_proc_stat(pid: int) -> tuple[float, int] | None:
    """(utime + stime in seconds, RSS in KB) of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return cpu, rss


def machine_cpu() -> tuple[float, float]:
    """(busy jiffies, total jiffies) since boot."""
    parts = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0.0)
    return sum(parts) - idle, sum(parts)


def pressure(kind: str) -> float | None:
    """Total microseconds some task stalled on `kind` (cpu, io), or None without PSI."""
    try:
        line = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
    except OSError:
        return None
    return float(line.rsplit("total=", 1)[1])


# --- the client ---------------------------------------------------------------------------------------------------


async def read_answer(reader: asyncio.StreamReader, timeout: float) -> tuple[int, bytes]:
    async def read() -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == "content-length:":
                length = int(line[15:].strip())
        body = await reader.readexactly(length) if length else b""
        return status, body

    return await asyncio.wait_for(read(), timeout)


class Conn:
    """A keep-alive connection that reconnects after an error or a timeout."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, request: bytes, timeout: float) -> tuple[int, bytes]:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), timeout
                )
            assert self.reader is not None
            self.writer.write(request)
            return await read_answer(self.reader, timeout)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Soak:
    def __init__(self, args: argparse.Namespace, server: Gureum, out: Path) -> None:
        self.args = args
        self.server = server
        self.out = out
        parts = urlsplit(server.endpoint)
        self.addr = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.netloc = parts.netloc
        self.windows: dict[int, Window] = {}
        self.urls: list[str] = []
        self.seq = 0
        self.acked: set[int] = set()
        self.unacked: set[int] = set()  # sends whose answer never came (they may or may not have been stored)
        self.cold: set[int] = set()
        self.received: dict[int, int] = {}
        self.recv_ms_hot: list[float] = []
        self.recv_ms_hot_hog: list[float] = []
        self.recv_ms_cold: list[float] = []
        self.send_ms: list[float] = []
        self.send_ms_hog: list[float] = []
        self.poll_s: list[float] = []  # every long-poll answer time
        self.empty_poll_s: list[float] = []  # of polls that came back empty
        self.late: list[dict[str, Any]] = []  # polls answered later than wait + margin
        self.unanswered = 0  # polls without an answer within HARD_LIMIT
        self.missed_ticks = 0
        self.errors: dict[str, int] = {}
        self.outstanding_polls: dict[int, float] = {}
        self.outstanding_sends: dict[int, float] = {}
        self.probe_started: dict[str, float] = {}
        self.dumps: list[dict[str, Any]] = []
        self.samples: list[tuple[float, float, int]] = []  # (t, server cpu seconds, rss KB)
        self.phase = "load"
        self.t0 = 0.0
        self.load_end = 0.0
        self.stop_polls = False
        self.idle_span = (0.0, 0.0)
        self.hog_from = args.hog_start if args.hog else math.inf
        self.hog_to = args.hog_start + args.hog_seconds if args.hog else -math.inf

    # helpers

    def now(self) -> float:
        return time.monotonic() - self.t0

    def window(self, t: float | None = None) -> Window:
        index = int((self.now() if t is None else t) // WINDOW)
        win = self.windows.get(index)
        if win is None:
            win = self.windows[index] = Window()
        return win

    def in_hog(self, t: float) -> bool:
        return self.hog_from <= t < self.hog_to

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.window().errors += 1

    def request(self, target: str, doc: dict[str, Any]) -> bytes:
        return request_bytes(self.netloc, target, doc)

    # set-up

    async def create_queues(self) -> None:
        tag = uuid.uuid4().hex[:8]
        names = [f"soak-{tag}-{i}" for i in range(self.args.queues)]
        urls: dict[int, str] = {}

        async def worker(start: int) -> None:
            conn = Conn(*self.addr)
            for i in range(start, len(names), 4):
                status, body = await conn.call(self.request("CreateQueue", {"QueueName": names[i]}), 60)
                if status != 200:
                    raise SystemExit(f"CreateQueue {names[i]}: {status} {body[:300]!r}")
                urls[i] = json.loads(body)["QueueUrl"]
            conn.close()

        await asyncio.gather(*(worker(i) for i in range(4)))
        self.urls = [urls[i] for i in range(len(names))]

    # load

    async def poller(self, index: int) -> None:
        conn = Conn(*self.addr)
        url = self.urls[index]
        wait = self.args.wait
        receive = self.request("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": wait})
        while not self.stop_polls:
            start = time.monotonic()
            self.outstanding_polls[index] = start
            try:
                status, body = await conn.call(receive, ANSWER_TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                self.outstanding_polls.pop(index, None)
                if self.stop_polls:
                    return
                took = time.monotonic() - start
                if isinstance(exc, TimeoutError):
                    self.unanswered += 1
                    self.late.append({"t": round(start - self.t0, 1), "queue": index, "seconds": None})
                self.error(f"receive {type(exc).__name__}")
                if took < 1:
                    await asyncio.sleep(1)
                continue
            done = time.monotonic()
            self.outstanding_polls.pop(index, None)
            took = done - start
            win = self.window(done - self.t0)
            win.polls += 1
            win.poll_max = max(win.poll_max, took)
            if status != 200:
                self.error(f"receive HTTP {status}")
                await asyncio.sleep(1)
                continue
            self.poll_s.append(took)
            if took > HARD_LIMIT:
                self.unanswered += 1
            if took > wait + self.args.margin:
                win.late_polls += 1
                self.late.append({"t": round(start - self.t0, 1), "queue": index, "seconds": round(took, 2)})
            messages = json.loads(body).get("Messages", [])
            if not messages:
                self.empty_poll_s.append(took)
                continue
            self.record(messages, done, hot=True)
            await self.delete(conn, url, messages)

    def record(self, messages: list[dict[str, Any]], at: float, hot: bool) -> None:
        win = self.window(at - self.t0)
        for message in messages:
            seq_text, sent_text, _pad = message["Body"].split(" ", 2)
            seq, sent = int(seq_text), float(sent_text)
            self.received[seq] = self.received.get(seq, 0) + 1
            if self.received[seq] > 1:
                continue
            ms = (at - sent) * 1000
            if hot:  # the windows show the long-polled queues only (the janitor's latency is its round trip)
                win.received += 1
                win.recv_ms.append(ms)
            if not hot:
                self.recv_ms_cold.append(ms)
            elif self.in_hog(sent - self.t0):
                self.recv_ms_hot_hog.append(ms)
            else:
                self.recv_ms_hot.append(ms)

    async def delete(self, conn: Conn, url: str, messages: list[dict[str, Any]]) -> None:
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        try:
            status, body = await conn.call(
                self.request("DeleteMessageBatch", {"QueueUrl": url, "Entries": entries}), ANSWER_TIMEOUT
            )
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            self.error(f"delete {type(exc).__name__}")
            return
        if status != 200 or json.loads(body).get("Failed"):
            self.error(f"delete HTTP {status}")

    async def sender(self, schedule: list[int]) -> None:
        conn = Conn(*self.addr)
        rate = self.args.rate
        pollers = self.args.pollers
        cold = len(self.urls) - pollers
        rng = random.Random()
        while True:
            k = schedule[0]
            due = k / rate
            now = self.now()
            if due >= self.load_end:
                break
            if now - due > 2.0:  # more than 2 s behind: skip the ticks missed (a stall shows as a lower rate)
                caught_up = math.ceil(now * rate)
                self.missed_ticks += caught_up - k
                schedule[0] = caught_up
                continue
            schedule[0] = k + 1
            if due > now:
                await asyncio.sleep(due - now)
            to_cold = cold > 0 and rng.random() < self.args.cold_share
            queue = pollers + rng.randrange(cold) if to_cold else rng.randrange(pollers)
            self.seq += 1
            seq = self.seq
            start = time.monotonic()
            request = self.request(
                "SendMessage", {"QueueUrl": self.urls[queue], "MessageBody": f"{seq} {start:.6f} {PAD}"}
            )
            self.outstanding_sends[seq] = start
            try:
                status, _body = await conn.call(request, ANSWER_TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                self.unacked.add(seq)
                self.error(f"send {type(exc).__name__}")
                continue
            finally:
                self.outstanding_sends.pop(seq, None)
            done = time.monotonic()
            if status != 200:
                self.unacked.add(seq)
                self.error(f"send HTTP {status}")
                continue
            ms = (done - start) * 1000
            self.acked.add(seq)
            if to_cold:
                self.cold.add(seq)
            (self.send_ms_hog if self.in_hog(start - self.t0) else self.send_ms).append(ms)
            win = self.window(done - self.t0)
            win.sends += 1
            win.send_ms.append(ms)
        conn.close()

    async def janitor(self) -> None:
        """Short polls over the queues nobody long-polls, one request every 0.1 s."""
        conn = Conn(*self.addr)
        cold = self.urls[self.args.pollers :]
        i = 0
        while cold and not self.stop_polls:
            url = cold[i % len(cold)]
            i += 1
            try:
                status, body = await conn.call(
                    self.request("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}), ANSWER_TIMEOUT
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                self.error(f"janitor {type(exc).__name__}")
                await asyncio.sleep(1)
                continue
            messages = json.loads(body).get("Messages", []) if status == 200 else []
            if status != 200:
                self.error(f"janitor HTTP {status}")
            if messages:
                self.record(messages, time.monotonic(), hot=False)
                await self.delete(conn, url, messages)
            await asyncio.sleep(0.1)

    # watching

    async def probes(self) -> None:
        """Once a second: GET /_gureum/health (the event loop only) and GetQueueUrl (the reader thread)."""
        health = Conn(*self.addr)
        reads = Conn(*self.addr)
        name = self.urls[0].rsplit("/", 1)[1]
        health_req = f"GET /_gureum/health HTTP/1.1\r\nHost: {self.netloc}\r\n\r\n".encode()
        read_req = self.request("GetQueueUrl", {"QueueName": name})

        async def probe(kind: str, conn: Conn, req: bytes) -> float | None:
            start = time.monotonic()
            self.probe_started[kind] = start
            try:
                status, _ = await conn.call(req, ANSWER_TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                self.error(f"probe {kind} {type(exc).__name__}")
                return None
            finally:
                self.probe_started.pop(kind, None)
            if status != 200:
                self.error(f"probe {kind} HTTP {status}")
            return (time.monotonic() - start) * 1000

        while not self.stop_polls:
            h, r = await asyncio.gather(probe("health", health, health_req), probe("read", reads, read_req))
            win = self.window()
            win.health_ms = max(win.health_ms, h or 0.0)
            win.read_ms = max(win.read_ms, r or 0.0)
            await asyncio.sleep(1.0)
        health.close()
        reads.close()

    async def lag(self) -> None:
        """The client's own event-loop lag: how late a 50 ms sleep wakes up."""
        while not self.stop_polls:
            start = time.monotonic()
            await asyncio.sleep(0.05)
            late = (time.monotonic() - start - 0.05) * 1000
            win = self.window()
            win.lag_ms = max(win.lag_ms, late)

    async def sampler(self) -> None:
        """Every 2 s: the server's CPU time and RSS; per window, its CPU %, the machine's and PSI stalls."""
        last_index = -1
        start_of: dict[str, Any] = {}
        while not self.stop_polls:
            t = self.now()
            stat = read_proc_stat(self.server.pid)
            if stat is not None:
                self.samples.append((t, stat[0], stat[1]))
            index = int(t // WINDOW)
            if index != last_index:
                busy, total = machine_cpu()
                io, cpu = pressure("io"), pressure("cpu")
                if start_of and stat is not None:
                    win = self.windows.setdefault(last_index, Window())
                    span = t - start_of["t"]
                    win.cpu_pct = round(100 * (stat[0] - start_of["cpu"]) / span, 1)
                    win.rss_kb = stat[1]
                    win.machine_busy = round(100 * (busy - start_of["busy"]) / max(1.0, total - start_of["total"]), 1)
                    if io is not None and start_of["io"] is not None:
                        win.io_stall = round((io - start_of["io"]) / span / 1e4, 1)
                    if cpu is not None and start_of["pcpu"] is not None:
                        win.cpu_stall = round((cpu - start_of["pcpu"]) / span / 1e4, 1)
                    win.hog = self.in_hog((last_index + 0.5) * WINDOW)
                if stat is not None:
                    start_of = {"t": t, "cpu": stat[0], "busy": busy, "total": total, "io": io, "pcpu": cpu}
                last_index = index
            await asyncio.sleep(2.0)

    async def stall_watch(self) -> None:
        """Once a second: is a long poll past wait + margin, a send past 5 s, a probe past 2 s? Note it, and
        (with --py-spy) dump the server's threads, at most --max-dumps times, 10 s apart."""
        last_dump = -math.inf
        while not self.stop_polls:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            reasons = []
            oldest_poll = min(self.outstanding_polls.values(), default=now)
            if now - oldest_poll > self.args.wait + self.args.margin:
                reasons.append(f"a long poll open {now - oldest_poll:.1f}s")
            oldest_send = min(self.outstanding_sends.values(), default=now)
            if now - oldest_send > 5:
                reasons.append(f"a send open {now - oldest_send:.1f}s")
            for kind, started in list(self.probe_started.items()):
                if now - started > 2:
                    reasons.append(f"the {kind} probe open {now - started:.1f}s")
            if not reasons or now - last_dump < 10:
                continue
            last_dump = now
            entry: dict[str, Any] = {"t": round(self.now(), 1), "why": reasons}
            if self.args.py_spy and len(self.dumps) < self.args.max_dumps:
                path = self.out / f"py-spy-{len(self.dumps)}-{int(self.now())}s.txt"
                entry["dump"] = str(path)
                await asyncio.to_thread(py_spy_dump, self.server.pid, path, self.args.py_spy_native)
            self.dumps.append(entry)
            sys.stderr.write(f"\n  stall at {entry['t']}s: {', '.join(reasons)}\n")

    async def progress(self) -> None:
        while not self.stop_polls:
            await asyncio.sleep(5.0)
            t = self.now()
            sys.stderr.write(
                f"\r  {self.phase:<5} {t:6.0f}s  sent {len(self.acked):>7}  received {len(self.received):>7}  "
                f"late polls {len(self.late):>3}  errors {sum(self.errors.values()):>4}"
                f"{'  [hog]' if self.in_hog(t) else ''}   "
            )
            sys.stderr.flush()

    # the run

    async def run(self, hog: Hog | None) -> None:
        sys.stderr.write(f"creating {self.args.queues} queues\n")
        await self.create_queues()
        self.t0 = time.monotonic()
        self.load_end = self.args.seconds
        background = [
            asyncio.create_task(coro)
            for coro in (self.probes(), self.lag(), self.sampler(), self.stall_watch(), self.progress())
        ]
        pollers = [asyncio.create_task(self.poller(i)) for i in range(self.args.pollers)]
        janitor = asyncio.create_task(self.janitor())
        schedule = [0]
        senders = [asyncio.create_task(self.sender(schedule)) for _ in range(self.args.senders)]
        hog_task = asyncio.create_task(self.run_hog(hog)) if hog else None
        try:
            await asyncio.wait_for(asyncio.gather(*senders), self.args.seconds + 2 * ANSWER_TIMEOUT)
            # idle: the long polls stay parked, nothing is sent
            self.phase = "idle"
            idle_from = self.now()
            await asyncio.sleep(self.args.idle_seconds)
            self.idle_span = (idle_from, self.now())
            # drain: until every acknowledged message came back, or 2 × the longest wait
            self.phase = "drain"
            deadline = time.monotonic() + 2 * max(self.args.wait, 30)
            while time.monotonic() < deadline and any(seq not in self.received for seq in self.acked):
                await asyncio.sleep(0.5)
        finally:
            self.stop_polls = True
            for task in [*pollers, janitor, *background, *senders]:
                task.cancel()
            if hog_task is not None:
                hog_task.cancel()
            await asyncio.gather(*pollers, janitor, *background, *senders, return_exceptions=True)
            if hog_task is not None:
                await asyncio.gather(hog_task, return_exceptions=True)
            sys.stderr.write("\n")

    async def run_hog(self, hog: Hog) -> None:
        try:
            await asyncio.sleep(max(0.0, self.hog_from - self.now()))
            sys.stderr.write(f"\n  hog on at {self.now():.0f}s\n")
            hog.start()
            await asyncio.sleep(max(0.0, self.hog_to - self.now()))
        finally:
            hog.stop()
            sys.stderr.write(f"\n  hog off at {self.now():.0f}s\n")

    # the report

    def report(self) -> dict[str, Any]:
        args = self.args
        lost = sorted(seq for seq in self.acked if seq not in self.received)
        duplicates = sum(count - 1 for count in self.received.values() if count > 1)
        windows = []
        for index in sorted(self.windows):
            win = self.windows[index]
            windows.append(
                {
                    "t": int(index * WINDOW),
                    "hog": win.hog or self.in_hog((index + 0.5) * WINDOW),
                    "sends_per_s": round(win.sends / WINDOW, 2),
                    "send_p99_ms": round(pct(win.send_ms, 99) or 0, 1),
                    "received": win.received,
                    "recv_p99_ms": round(pct(win.recv_ms, 99) or 0, 1),
                    "polls": win.polls,
                    "poll_max_s": round(win.poll_max, 2),
                    "late_polls": win.late_polls,
                    "health_max_ms": round(win.health_ms, 1),
                    "read_max_ms": round(win.read_ms, 1),
                    "client_lag_max_ms": round(win.lag_ms, 1),
                    "server_cpu_pct": win.cpu_pct,
                    "rss_mb": None if win.rss_kb is None else round(win.rss_kb / 1024, 1),
                    "machine_busy_pct": win.machine_busy,
                    "io_stall_pct": win.io_stall,
                    "cpu_stall_pct": win.cpu_stall,
                    "errors": win.errors,
                }
            )
        # RSS growth: least-squares slope over the load phase after its first fifth (start-up, caches filling)
        load = [(t, rss) for t, _cpu, rss in self.samples if args.seconds / 5 <= t <= args.seconds]
        growth = None
        if len(load) >= 3:
            mt = statistics.fmean(t for t, _ in load)
            mr = statistics.fmean(r for _, r in load)
            den = sum((t - mt) ** 2 for t, _ in load)
            growth = round(sum((t - mt) * (r - mr) for t, r in load) / den * 60, 1) if den else None
        idle = [(t, cpu) for t, cpu, _rss in self.samples if self.idle_span[0] <= t <= self.idle_span[1]]
        idle_cpu = None
        if len(idle) >= 2:
            idle_cpu = round(100 * (idle[-1][1] - idle[0][1]) / (idle[-1][0] - idle[0][0]), 2)
        load_windows = [w for w in windows if w["t"] + WINDOW <= args.seconds]
        rates = [w["sends_per_s"] for w in load_windows]
        return {
            "config": {
                "store": args.store or "sqlite",
                "seconds": args.seconds,
                "queues": args.queues,
                "pollers": args.pollers,
                "wait": args.wait,
                "margin": args.margin,
                "rate": args.rate,
                "senders": args.senders,
                "cold_share": args.cold_share,
                "hog": (
                    {
                        "from": args.hog_start,
                        "seconds": args.hog_seconds,
                        "cores": args.hog_cores,
                        "dirty_mb": args.hog_dirty_mb,
                    }
                    if args.hog
                    else None
                ),
                "server_args": self.server.extra,
                "server_env": self.server.env,
                "slow_fsync": args.slow_fsync,
            },
            "receive_latency_ms": summary(self.recv_ms_hot + self.recv_ms_hot_hog),
            "receive_latency_ms_outside_hog": summary(self.recv_ms_hot) if args.hog else None,
            "receive_latency_ms_during_hog": summary(self.recv_ms_hot_hog) if args.hog else None,
            "receive_latency_ms_cold_janitor": summary(self.recv_ms_cold),
            "long_poll_answer_s": summary(self.poll_s, 2),
            "empty_long_poll_answer_s": summary(self.empty_poll_s, 2),
            "long_polls_later_than_wait_plus_margin": len([x for x in self.late if x["seconds"] is not None]),
            "long_polls_unanswered_within_40s": self.unanswered,
            "late_polls": self.late[:50],
            "send_ms": summary(self.send_ms + self.send_ms_hog),
            "send_ms_outside_hog": summary(self.send_ms) if args.hog else None,
            "send_ms_during_hog": summary(self.send_ms_hog) if args.hog else None,
            "send_rate_per_s": {
                "target": args.rate,
                "mean": round(statistics.fmean(rates), 2) if rates else None,
                "min_window": min(rates) if rates else None,
            },
            "missed_send_ticks": self.missed_ticks,
            "sent_acknowledged": len(self.acked),
            "sent_unacknowledged": len(self.unacked),
            "received_distinct": len(self.received),
            "lost": len(lost),
            "lost_examples": lost[:10],
            "duplicates": duplicates,
            "server_rss_kb": {
                "first": self.samples[0][2] if self.samples else None,
                "last": self.samples[-1][2] if self.samples else None,
                "growth_kb_per_min": growth,
            },
            "idle_server_cpu_pct": idle_cpu,
            "errors": self.errors,
            "stalls": self.dumps,
            "windows": windows,
        }


def py_spy_dump(pid: int, path: Path, native: bool) -> None:
    cmd = ["py-spy", "dump", "--pid", str(pid)] + (["--native"] if native else [])
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60)
        path.write_bytes(done.stdout + done.stderr)
    except (OSError, subprocess.TimeoutExpired) as exc:
        path.write_text(f"py-spy failed: {exc}\n")


def print_report(doc: dict[str, Any]) -> None:
    c = doc["config"]
    hog = c["hog"]
    print(
        f"store {c['store']}, {c['seconds']:.0f} s, {c['queues']} queues, {c['pollers']} long polls "
        f"(WaitTimeSeconds {c['wait']}), {c['rate']} sends/s"
        + (f", hog {hog['from']:.0f}-{hog['from'] + hog['seconds']:.0f} s" if hog else "")
    )

    def row(name: str, s: dict[str, Any] | None, unit: str) -> None:
        if s is None:
            return
        cells = " ".join(f"{'-' if s[k] is None else s[k]:>9}" for k in ("p50", "p90", "p99", "max"))
        print(f"{name:<34} {s['n']:>7} {cells}  {unit}")

    print(f"{'':<34} {'n':>7} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}")
    row("receive latency (send -> receive)", doc["receive_latency_ms"], "ms")
    row("  outside the hog", doc["receive_latency_ms_outside_hog"], "ms")
    row("  during the hog", doc["receive_latency_ms_during_hog"], "ms")
    row("  cold queues (short-poll janitor)", doc["receive_latency_ms_cold_janitor"], "ms")
    row("long-poll answer", doc["long_poll_answer_s"], "s")
    row("  empty long polls", doc["empty_long_poll_answer_s"], "s")
    row("SendMessage", doc["send_ms"], "ms")
    row("  outside the hog", doc["send_ms_outside_hog"], "ms")
    row("  during the hog", doc["send_ms_during_hog"], "ms")
    rate = doc["send_rate_per_s"]
    print(
        f"long polls later than wait+{c['margin']}s: {doc['long_polls_later_than_wait_plus_margin']}, "
        f"unanswered within {HARD_LIMIT:.0f}s: {doc['long_polls_unanswered_within_40s']}"
    )
    print(
        f"send rate: target {rate['target']}/s, mean {rate['mean']}/s, lowest 10 s window {rate['min_window']}/s "
        f"({doc['missed_send_ticks']} ticks skipped while > 2 s behind)"
    )
    print(
        f"messages: {doc['sent_acknowledged']} acknowledged ({doc['sent_unacknowledged']} unacknowledged), "
        f"{doc['received_distinct']} received, {doc['lost']} lost, {doc['duplicates']} duplicates"
    )
    rss = doc["server_rss_kb"]
    print(
        f"server RSS {rss['first']} -> {rss['last']} KB, growth {rss['growth_kb_per_min']} KB/min; "
        f"idle CPU {doc['idle_server_cpu_pct']} %"
    )
    print(f"errors: {doc['errors'] or 'none'}")
    if "slowed_fsyncs_by_thread" in doc:
        print(f"fsyncs slowed to {c['slow_fsync']} s, by server thread id: {doc['slowed_fsyncs_by_thread']}")
    for stall in doc["stalls"]:
        print(
            f"stall at {stall['t']} s: {'; '.join(stall['why'])}" + (f" -> {stall['dump']}" if "dump" in stall else "")
        )
    print()
    head = (
        "    t hog send/s send99ms recv recv99ms polls pollmax late health_ms read_ms lag_ms srvcpu rss_mb "
        "busy% io% cpu% err"
    )
    print(head)
    for w in doc["windows"]:
        print(
            f"{w['t']:>5} {'*' if w['hog'] else ' ':>3} {w['sends_per_s']:>6} {w['send_p99_ms']:>8} {w['received']:>4} "
            f"{w['recv_p99_ms']:>8} {w['polls']:>5} {w['poll_max_s']:>7} {w['late_polls']:>4} "
            f"{w['health_max_ms']:>9} {w['read_max_ms']:>7} {w['client_lag_max_ms']:>6} "
            f"{'-' if w['server_cpu_pct'] is None else w['server_cpu_pct']:>6} "
            f"{'-' if w['rss_mb'] is None else w['rss_mb']:>6} "
            f"{'-' if w['machine_busy_pct'] is None else w['machine_busy_pct']:>5} "
            f"{'-' if w['io_stall_pct'] is None else w['io_stall_pct']:>4} "
            f"{'-' if w['cpu_stall_pct'] is None else w['cpu_stall_pct']:>4} {w['errors']:>3}"
        )


@contextmanager
def workdir(given: str | None) -> Iterator[Path]:
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="gureum-soak-"))
    try:
        yield path
    finally:
        shutil.rmtree(path / "data", ignore_errors=True)
        shutil.rmtree(path / "hog", ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=600.0, help="load phase (default: %(default)s, max 3600)")
    parser.add_argument("--queues", type=int, default=300, help="queues created (default: %(default)s)")
    parser.add_argument("--pollers", type=int, default=50, help="queues long-polled, one each (default: %(default)s)")
    parser.add_argument("--wait", type=int, default=20, help="WaitTimeSeconds of the long polls (default: %(default)s)")
    parser.add_argument("--margin", type=float, default=2.0, help="a long poll is late after wait + this (s)")
    parser.add_argument("--rate", type=float, default=5.0, help="messages sent per second (default: %(default)s)")
    parser.add_argument("--senders", type=int, default=4, help="sender connections (default: %(default)s)")
    parser.add_argument("--cold-share", type=float, default=0.1, help="share of sends to the other queues")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="idle phase after the load (CPU measured)")
    parser.add_argument("--store", help="postgresql://… on loopback (default: SQLite in the data dir)")
    parser.add_argument("--server-arg", action="append", default=[], help="extra `gureum start` argument (repeat)")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE", help="server environment (repeat)"
    )
    parser.add_argument("--hog", action="store_true", help="run CPU burners and fsync-heavy writers for a window")
    parser.add_argument("--hog-start", type=float, help="seconds into the load (default: a quarter of it)")
    parser.add_argument("--hog-seconds", type=float, help="how long the hog runs (default: half the load)")
    parser.add_argument("--hog-cores", type=int, default=os.cpu_count() or 2, help="CPU burners (default: cores)")
    parser.add_argument("--hog-dirty-mb", type=int, default=1024, help="buffered MB between the dirty writer's fsyncs")
    parser.add_argument(
        "--slow-fsync", type=float, metavar="SECONDS", help="make the server's fsyncs of its data dir this slow (cc)"
    )
    parser.add_argument("--py-spy", action="store_true", help="dump the server's threads with py-spy on a stall")
    parser.add_argument("--py-spy-native", action="store_true", help="... with native frames (--native)")
    parser.add_argument("--max-dumps", type=int, default=6)
    parser.add_argument("--workdir", help="data dir, server log and dumps go here (default: a new temporary dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS:.0f}]")
    if not 0 < args.pollers <= args.queues or args.rate <= 0 or args.senders < 1:
        parser.error("need 0 < --pollers <= --queues, --rate > 0, --senders >= 1")
    if not 0 <= args.wait <= 20:
        parser.error("--wait must be 0..20")
    args.idle_seconds = min(max(args.idle_seconds, 0.0), 600.0)
    if args.hog_start is None:
        args.hog_start = args.seconds / 4
    if args.hog_seconds is None:
        args.hog_seconds = args.seconds / 2
    args.hog_seconds = min(args.hog_seconds, MAX_SECONDS)
    if args.store:
        require_loopback_store(args.store)
    if args.py_spy and shutil.which("py-spy") is None:
        parser.error("--py-spy needs py-spy on PATH (pip install py-spy)")

    with workdir(args.workdir) as work:
        env = dict(item.split("=", 1) for item in args.server_env)
        if args.slow_fsync:
            env.update(slow_fsync_env(work, work / "data", args.slow_fsync))
        server = Gureum(work / "data", work / "server.log", args.store, args.server_arg, env)
        hog = Hog(work / "hog", args.hog_seconds, args.hog_cores, args.hog_dirty_mb) if args.hog else None
        server.start()
        sys.stderr.write(f"gureum on {server.endpoint} (pid {server.pid}); work dir {work}\n")
        soak = Soak(args, server, work)
        try:
            asyncio.run(soak.run(hog))
        finally:
            if hog is not None:
                hog.stop()
            alive = server.proc is not None and server.proc.poll() is None
            server.stop()
        doc = soak.report()
        doc["server_alive_at_end"] = alive
        if args.slow_fsync:
            doc["slowed_fsyncs_by_thread"] = slowed_fsyncs(work / "server.log")
        doc["workdir"] = str(work)
        (work / "soak.json").write_text(json.dumps(doc, indent=1))
        if not alive:
            sys.stderr.write(f"the server died during the run:\n{server.log_tail()}\n")
    if args.json:
        print(json.dumps(doc))
    else:
        print_report(doc)


if __name__ == "__main__":
    main()
