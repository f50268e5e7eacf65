"""Kinesis Video Streams: PutMedia ingest and live playback latency against gureum (this checkout, durable SQLite store
unless --store names PostgreSQL). Needs ffmpeg (Debian's) to make the test media.

- ingest: one PutMedia of a long 8 Mbit/s H.264 MKV sent as fast as the server reads it: MB/s until the last
  PERSISTED ack (and the same with --parallel uploads at once).
- cameras: N streams at once, each a 2 Mbit/s camera sending one 1-second cluster per second in real time; per
  fragment the time from its last byte sent to its PERSISTED ack (p50/p99/max), and whether every stream kept up.
- hls: for one of those cameras, the time from a cluster's last byte to its segment being listed in a LIVE HLS media
  playlist and fetched (remuxed) from gureum.

    python bench/kinesisvideo.py                       # ingest, 20 cameras for 10 s, HLS latency
    python bench/kinesisvideo.py --cameras 30 --seconds 15 --json
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import boto3  # noqa: E402

from tests.server import Server  # noqa: E402
from tests.services.kinesisvideo._helpers import _signed_headers, clusters, ensure_ffmpeg  # noqa: E402


def make_media(path: Path, seconds: int, size: str, rate: str, fps: int = 25) -> bytes:
    import subprocess

    noisy = "[0][1]blend=all_mode=addition,noise=alls=40:allf=t"  # grain keeps the encoder at its bit rate
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}",
         "-f", "lavfi", "-i", f"nullsrc=size={size}:rate={fps}", "-filter_complex", noisy,
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-b:v", rate, "-minrate", rate,
         "-maxrate", rate, "-bufsize", rate, "-x264-params", "nal-hrd=cbr", "-g", str(fps), "-keyint_min", str(fps),
         "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-dash", "1", "-live", "1", "-cluster_time_limit", "100000",
         "-f", "matroska", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


class Producer:
    """One PutMedia upload over a raw socket; ack lines are timestamped as they arrive."""

    def __init__(self, endpoint: str, stream: str) -> None:
        url = urlparse(endpoint)
        headers = {
            "x-amzn-stream-name": stream,
            "x-amzn-fragment-timecode-type": "RELATIVE",
            "x-amzn-producer-start-timestamp": f"{time.time():.3f}",
            "Transfer-Encoding": "chunked",
        }
        signed = _signed_headers(endpoint, headers)
        self.sock = socket.create_connection((url.hostname, url.port), timeout=120)
        head = f"POST /putMedia HTTP/1.1\r\nHost: {url.netloc}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in signed.items() if k.lower() != "host") + "\r\n"
        self.sock.sendall(head.encode())
        self.acks: list[tuple[float, dict[str, Any]]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def send(self, data: bytes) -> None:
        self.sock.sendall(b"%x\r\n%b\r\n" % (len(data), data))

    def finish(self) -> None:
        self.sock.sendall(b"0\r\n\r\n")
        self.reader.join(120)
        self.sock.close()

    def _read(self) -> None:
        stream = self.sock.makefile("rb")
        while stream.readline().strip():  # status line and headers
            pass
        pending = b""
        try:
            while True:
                size = int(stream.readline().strip(), 16)
                if size == 0:
                    return
                pending += stream.read(size)
                stream.readline()
                *lines, pending = pending.split(b"\n")
                now = time.monotonic()
                self.acks.extend((now, json.loads(line)) for line in lines if line.strip())
        except (OSError, ValueError):
            return

    def persisted(self) -> list[tuple[float, dict[str, Any]]]:
        return [(t, a) for t, a in self.acks if a["EventType"] == "PERSISTED"]


def pieces(media: bytes) -> list[bytes]:
    """The MKV cut at its clusters: the header with the first cluster, then one piece per cluster."""
    offsets = [offset for offset, _, _ in clusters(media)] + [len(media)]
    return [media[: offsets[1]]] + [media[offsets[i] : offsets[i + 1]] for i in range(1, len(offsets) - 1)]


def bench_ingest(endpoint: str, kvs: Any, media: bytes, parallel: int) -> dict[str, Any]:
    names = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(parallel)]
    for name in names:
        kvs.create_stream(StreamName=name, DataRetentionInHours=1)
    expected = len(clusters(media))
    start = time.monotonic()

    def upload(name: str, out: list[Producer]) -> None:
        producer = Producer(endpoint, name)
        for offset in range(0, len(media), 256 * 1024):
            producer.send(media[offset : offset + 256 * 1024])
        producer.finish()
        out.append(producer)

    done: list[Producer] = []
    threads = [threading.Thread(target=upload, args=(name, done)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    ok = all(len(p.persisted()) == expected for p in done)
    return {
        "uploads": parallel,
        "bytes": len(media) * parallel,
        "seconds": round(elapsed, 2),
        "MB/s": round(len(media) * parallel / elapsed / 1e6, 1),
        "all fragments persisted": ok,
    }


def bench_cameras(endpoint: str, kvs: Any, media: bytes, cameras: int, hls_stream: list[str]) -> dict[str, Any]:
    parts = pieces(media)
    names = [f"cam-{uuid.uuid4().hex[:8]}" for _ in range(cameras)]
    for name in names:
        kvs.create_stream(StreamName=name, DataRetentionInHours=1)
    hls_stream.append(names[0])
    sent: dict[str, list[float]] = {name: [] for name in names}
    producers: dict[str, Producer] = {}
    late: list[float] = []

    def camera(name: str, phase: float) -> None:
        producer = producers[name] = Producer(endpoint, name)
        begin = time.monotonic() + phase
        for index, part in enumerate(parts):
            due = begin + index
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            else:
                late.append(-wait)
            producer.send(part)
            sent[name].append(time.monotonic())
        producer.finish()

    threads = [threading.Thread(target=camera, args=(n, i / cameras)) for i, n in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = []
    complete = True
    for name in names:
        acks = producers[name].persisted()
        complete = complete and len(acks) == len(parts)
        latencies += [t - s for (t, _), s in zip(acks, sent[name], strict=False)]
    latencies.sort()
    return {
        "cameras": cameras,
        "Mbit/s each": round(len(media) * 8 / len(parts) / 1e6, 2),
        "fragments": len(latencies),
        "persisted p50 ms": round(statistics.median(latencies) * 1000, 1),
        "persisted p99 ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "persisted max ms": round(latencies[-1] * 1000, 1),
        "sender late max ms": round(max(late, default=0) * 1000, 1),
        "every fragment persisted": complete,
    }


def bench_hls(endpoint: str, kvs: Any, media: bytes) -> dict[str, Any]:
    """One live camera; a viewer polls the LIVE media playlist and fetches each new segment."""
    name = f"hls-{uuid.uuid4().hex[:8]}"
    kvs.create_stream(StreamName=name, DataRetentionInHours=1)
    parts = pieces(media)
    producer = Producer(endpoint, name)
    producer.send(parts[0])
    sent = [time.monotonic()]
    while not producer.persisted():
        time.sleep(0.01)
    archived = boto3.client("kinesis-video-archived-media", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    url = archived.get_hls_streaming_session_url(StreamName=name, PlaybackMode="LIVE")["HLSStreamingSessionURL"]
    base = url.rsplit("/", 1)[0] + "/"
    master = urllib.request.urlopen(url).read().decode()
    playlist_url = base + master.strip().splitlines()[-1]
    latencies = []
    seen: set[str] = set()
    for index, part in enumerate(parts[1:], start=1):
        due = sent[0] + index
        time.sleep(max(0.0, due - time.monotonic()))
        producer.send(part)
        sent.append(time.monotonic())
        while True:
            playlist = urllib.request.urlopen(playlist_url).read().decode()
            new = [
                line for line in playlist.splitlines() if line.startswith("getMP4MediaFragment") and line not in seen
            ]
            if len(seen) + len(new) > index:  # this cluster's segment is listed
                for line in new:
                    urllib.request.urlopen(base + line).read()
                    seen.add(line)
                latencies.append(time.monotonic() - sent[-1])
                break
            time.sleep(0.02)
    producer.finish()
    return {
        "fragments": len(latencies),
        "fragment duration ms": 1000,
        "playable in HLS p50 ms": round(statistics.median(latencies) * 1000, 1),
        "playable in HLS max ms": round(max(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10, help="length of each camera's media")
    parser.add_argument("--parallel", type=int, default=4, help="concurrent uploads in the parallel ingest run")
    parser.add_argument("--store", default=None, help="postgresql://… (default: SQLite in a temp data dir)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ensure_ffmpeg()
    with tempfile.TemporaryDirectory(prefix="gureum-bench-kvs-") as directory:
        work = Path(directory)
        print("making media with ffmpeg ...", file=sys.stderr)
        big = make_media(work / "big.mkv", 30, "1280x720", "8M")
        camera = make_media(work / "camera.mkv", args.seconds, "640x480", "2M")
        server = Server(work / "data", store_url=args.store).start()
        try:
            kvs = boto3.client("kinesisvideo", endpoint_url=server.endpoint, region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
            results: dict[str, Any] = {}
            print("ingest ...", file=sys.stderr)
            results["ingest"] = [bench_ingest(server.endpoint, kvs, big, 1),
                                 bench_ingest(server.endpoint, kvs, big, args.parallel)]  # fmt: skip
            print(f"{args.cameras} cameras ...", file=sys.stderr)
            results["cameras"] = bench_cameras(server.endpoint, kvs, camera, args.cameras, [])
            print("HLS latency ...", file=sys.stderr)
            results["hls"] = bench_hls(server.endpoint, kvs, camera)
        finally:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        rows = value if isinstance(value, list) else [value]
        print(f"\n{key}")
        for row in rows:
            print("  " + ", ".join(f"{k}: {v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
