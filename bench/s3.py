"""S3 side by side: PUT and GET of 4 KiB objects (requests/s) and of 64 MiB objects (MiB/s) against gureum (this
checkout) and the peers compare.py installs (moto, MiniStack; LocalStack when asked for and installable here), in
one run, with `cp` of the same 64 MiB file on the same disk as the large-object ceiling.

Small objects: `--connections` keep-alive connections (one asyncio client, requests SigV4-signed with
UNSIGNED-PAYLOAD: boto3 itself tops out near the servers' rates) PUT distinct keys for `--seconds`, then GET them
back for as long. Large objects: `--large` PUTs and GETs of one 64 MiB body through presigned URLs (a plain HTTP
client streaming the bytes: boto3 would SHA-256 the payload for its signature over http and CRC32 it for its
checksum, and the client, not the server, would be measured). The ceiling is `cp` of a 64 MiB file to a new file
in the directory the servers keep their data under (no fsync, as none of the servers fsync by default here) and
`cat` of it to /dev/null for reads (the page cache, as for the servers' GETs).

    python bench/s3.py                                    # gureum, moto, ministack
    python bench/s3.py --peers gureum --large 5 --json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import PEERS, install, log  # noqa: E402
from load import Conn  # noqa: E402
from side_by_side import Server, boto_client  # noqa: E402
from side_by_side import start as start_server  # noqa: E402

SMALL = 4 * 1024
LARGE = 64 * 1024 * 1024
MIB = 1024 * 1024


def client(server: Server) -> Any:
    return boto_client(
        server.endpoint,
        "s3",
        120,
        max_pool_connections=4,
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def ready(server: Server, timeout: float = 120.0) -> None:
    server.wait_ready("list_buckets", timeout, client(server), pause=0.1)


class Signer:
    """SigV4 header signing with UNSIGNED-PAYLOAD for the small-object phase: the signing key derived once, one
    SHA-256 and one HMAC a request (boto3's own request building would bound the rate before any server does)."""

    def __init__(self, host: str, access_key: str = "test", secret: str = "test", region: str = "us-east-1") -> None:
        self.host, self.access_key = host, access_key
        self.day = time.strftime("%Y%m%d", time.gmtime())
        self.scope = f"{self.day}/{region}/s3/aws4_request"
        key = f"AWS4{secret}".encode()
        for part in (self.day, region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        self.key = key

    def request(self, method: str, path: str, body: bytes = b"") -> bytes:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        signed = "host;x-amz-content-sha256;x-amz-date"
        canonical = (f"{method}\n{path}\n\nhost:{self.host}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n"
                     f"x-amz-date:{stamp}\n\n{signed}\nUNSIGNED-PAYLOAD")  # fmt: skip
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{self.scope}\n{digest}"
        signature = hmac.new(self.key, to_sign.encode(), hashlib.sha256).hexdigest()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nX-Amz-Date: {stamp}\r\n"
                f"X-Amz-Content-SHA256: UNSIGNED-PAYLOAD\r\nAuthorization: AWS4-HMAC-SHA256 Credential="
                f"{self.access_key}/{self.scope}, SignedHeaders={signed}, Signature={signature}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")  # fmt: skip
        return head.encode() + body


async def _phase(server: Server, connections: int, seconds: float, method: str, counts: list[int]) -> float:
    """Each connection PUTs (or GETs back) its own keys until the deadline; returns the seconds taken."""
    body = os.urandom(SMALL) if method == "PUT" else b""
    host = f"127.0.0.1:{server.port}"
    written = list(counts)
    failures: list[str] = []

    async def one(slot: int) -> None:
        conn, signer, done = Conn(server.endpoint), Signer(host), 0
        while time.perf_counter() < deadline:
            number = done if method == "PUT" else done % max(written[slot], 1)
            status, _ = await conn.call(signer.request(method, f"/bench-small/{slot}/{number}", body))
            if status != 200 and len(failures) < 3:
                failures.append(f"{method} {status}")
            done += 1
        counts[slot] = done
        conn.close()

    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(one(slot) for slot in range(connections)))
    if failures:
        raise RuntimeError(", ".join(failures))
    return time.perf_counter() - began


def _small(server: Server, args: argparse.Namespace) -> dict[str, float]:
    puts = [0] * args.connections
    put_took = asyncio.run(_phase(server, args.connections, args.seconds, "PUT", puts))
    gets = list(puts)
    get_took = asyncio.run(_phase(server, args.connections, args.seconds, "GET", gets))
    return {"small_put_per_s": sum(puts) / put_took, "small_get_per_s": sum(gets) / get_took}


def _large(server: Server, args: argparse.Namespace, body: bytes) -> dict[str, float]:
    s3 = client(server)
    session = requests.Session()
    put_s: list[float] = []
    get_s: list[float] = []
    for i in range(args.large):
        key = f"large-{i}"
        put = s3.generate_presigned_url("put_object", Params={"Bucket": "bench-large", "Key": key}, ExpiresIn=600)
        began = time.perf_counter()
        answer = session.put(put, data=body, timeout=300)
        put_s.append(time.perf_counter() - began)
        if answer.status_code != 200:
            raise RuntimeError(f"PUT {answer.status_code}: {answer.text[:300]}")
        get = s3.generate_presigned_url("get_object", Params={"Bucket": "bench-large", "Key": key}, ExpiresIn=600)
        began = time.perf_counter()
        got = 0
        with session.get(get, stream=True, timeout=300) as answer:
            for chunk in answer.iter_content(MIB):
                got += len(chunk)
        get_s.append(time.perf_counter() - began)
        if got != len(body):
            raise RuntimeError(f"GET returned {got} bytes of {len(body)}")
    size = len(body) / MIB
    # the median run: one slow run (another process on the shared cores) does not decide the figure
    put_median, get_median = sorted(put_s)[len(put_s) // 2], sorted(get_s)[len(get_s) // 2]
    return {"large_put_mib_s": size / put_median, "large_get_mib_s": size / get_median}


def measure(server: Server, args: argparse.Namespace, body: bytes) -> dict[str, float]:
    s3 = client(server)
    s3.create_bucket(Bucket="bench-small")
    s3.create_bucket(Bucket="bench-large")
    return {**_small(server, args), **_large(server, args, body)}


def ceiling(body: bytes, runs: int) -> dict[str, float]:
    """`cp` and `cat` of the 64 MiB file in the temporary directory the servers' data lives under."""
    with tempfile.TemporaryDirectory(prefix="gureum-s3-ceiling-") as folder:
        source = Path(folder) / "source"
        source.write_bytes(body)
        copies: list[float] = []
        reads: list[float] = []
        for i in range(runs):
            target = Path(folder) / f"copy-{i}"
            began = time.perf_counter()
            subprocess.run(["cp", str(source), str(target)], check=True)
            copies.append(time.perf_counter() - began)
            began = time.perf_counter()
            subprocess.run(["cat", str(target)], check=True, stdout=subprocess.DEVNULL)
            reads.append(time.perf_counter() - began)
            target.unlink()
    size = len(body) / MIB
    return {"cp_mib_s": size / sorted(copies)[len(copies) // 2], "cat_mib_s": size / sorted(reads)[len(reads) // 2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", default="gureum,moto,ministack")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections for 4 KiB objects")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--large", type=int, default=3, help="64 MiB PUT/GET rounds per server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    body = os.urandom(LARGE)
    results: dict[str, dict[str, float] | str] = {}
    for name in args.peers.split(","):
        if name != "gureum":
            peer = next((p for p in PEERS if p.name == name), None)
            why = "unknown peer" if peer is None else install(peer)
            if why:
                results[name] = why
                continue
        try:
            server = start_server(name, "s3")
        except KeyError:
            results[name] = "not startable by this bench (moto, ministack and gureum are)"
            continue
        try:
            ready(server)
            log(f"{name}: measuring")
            results[name] = measure(server, args, body)
        except Exception as error:  # reported, the other servers still run
            results[name] = f"{type(error).__name__}: {error}"
        finally:
            server.stop()
    top = ceiling(body, max(args.large, 3))
    if args.json:
        print(json.dumps({"servers": results, "ceiling": top}, indent=2))
        return
    print(f"S3: 4 KiB objects ({args.connections} connections, {args.seconds:g} s each way), 64 MiB objects "
          f"({args.large} rounds, median); ceiling: cp {top['cp_mib_s']:,.0f} MiB/s, cat {top['cat_mib_s']:,.0f} "
          "MiB/s\n")  # fmt: skip
    print("| server | 4 KiB PUT/s | 4 KiB GET/s | 64 MiB PUT MiB/s (÷ cp) | 64 MiB GET MiB/s (÷ cat) |")
    print("|---|---|---|---|---|")
    for name, got in results.items():
        if isinstance(got, str):
            print(f"| {name} | n/a ({got}) | | | |")
            continue
        put_ratio = got["large_put_mib_s"] / top["cp_mib_s"]
        get_ratio = got["large_get_mib_s"] / top["cat_mib_s"]
        print(f"| {name} | {got['small_put_per_s']:,.0f} | {got['small_get_per_s']:,.0f} | "
              f"{got['large_put_mib_s']:,.0f} ({put_ratio:.2f}) | "
              f"{got['large_get_mib_s']:,.0f} ({get_ratio:.2f}) |")  # fmt: skip
    ours = results.get("gureum")
    if isinstance(ours, dict):
        for name, got in results.items():
            if name != "gureum" and isinstance(got, dict):
                print(f"\ngureum ÷ {name}: 4 KiB PUT {ours['small_put_per_s'] / got['small_put_per_s']:.2f}×, "
                      f"4 KiB GET {ours['small_get_per_s'] / got['small_get_per_s']:.2f}×, "
                      f"64 MiB PUT {ours['large_put_mib_s'] / got['large_put_mib_s']:.2f}×, "
                      f"64 MiB GET {ours['large_get_mib_s'] / got['large_get_mib_s']:.2f}×")  # fmt: skip


if __name__ == "__main__":
    main()
