"""Cognito sign-ins per second side by side: gureum (this checkout, durable SQLite) beside moto's server (and the
other peers compare.py installs, when asked with --peers). Three workloads: InitiateAuth USER_PASSWORD_AUTH from one
boto3 client (latency, SDK included), the same as server capacity (`--connections` keep-alive connections sending
pre-built requests, load.py's way), and a full USER_SRP_AUTH sign-in through pycognito's AWSSRP from one client
(two round trips plus the client's own SRP arithmetic). gureum checks every password against a salted scrypt hash
(N=2^14, r=8) and does real SRP-6a; a peer that stores passwords in the clear does less work per sign-in. Prints a
Markdown table with gureum's ratio to the best peer; --json for the figures.

    python bench/cognito.py                                   # gureum and moto; 3 s per workload, 8 connections
    python bench/cognito.py --peers gureum,moto,ministack --seconds 5 --connections 16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pycognito.aws_srp import AWSSRP

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import GUREUM, PEERS, Running, install, installed_version, log  # noqa: E402
from load import Conn  # noqa: E402

PASSWORD = "Bench-Passw0rd!"
WORKLOADS = ("InitiateAuth password, 1 boto3 client", "InitiateAuth password, capacity", "SRP sign-in, 1 client")


def client(endpoint: str) -> Any:
    config = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=60)
    return boto3.client("cognito-idp", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        config=config)  # fmt: skip


def prepare(endpoint: str) -> tuple[str, str]:
    """A pool, a client allowing password and SRP sign-in, and a confirmed user: (pool id, client id)."""
    idp = client(endpoint)
    pool_id = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]  # fmt: skip
    idp.admin_create_user(UserPoolId=pool_id, Username="bench", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bench", Password=PASSWORD, Permanent=True)
    return pool_id, client_id


def one_client(endpoint: str, client_id: str, seconds: float) -> float:
    idp = client(endpoint)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        out = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD})  # fmt: skip
        assert "AuthenticationResult" in out
        done += 1
    return done / (time.perf_counter() - began)


def srp_client(endpoint: str, pool_id: str, client_id: str, seconds: float) -> float:
    idp = client(endpoint)
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        out = AWSSRP(username="bench", password=PASSWORD, pool_id=pool_id, client_id=client_id,
                     client=idp).authenticate_user()  # fmt: skip
        assert "AuthenticationResult" in out
        done += 1
    return done / (time.perf_counter() - began)


def request(host: str, client_id: str) -> bytes:
    body = json.dumps({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}}).encode()  # fmt: skip
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\n"
        f"X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _capacity(endpoint: str, client_id: str, connections: int, seconds: float) -> float:
    counts, errors = [0] * connections, [0]

    async def one(worker: int) -> None:
        conn = Conn(endpoint)
        call = request(conn.parts.netloc, client_id)
        began = time.perf_counter()
        try:
            while time.perf_counter() - began < seconds:
                status, body = await conn.call(call)
                if status == 200:
                    counts[worker] += 1
                else:
                    errors[0] += 1
                    if errors[0] == 1:
                        log(f"{endpoint}: {status} {body[:300]!r}")
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(one(w) for w in range(connections)))
    if errors[0]:
        log(f"{endpoint}: {errors[0]} answers were not 200")
    return sum(counts) / (time.perf_counter() - began)


def table_of(results: dict[str, dict[str, float]]) -> list[str]:
    names = list(results)
    lines = ["| workload | " + " | ".join(f"{n} sign-ins/s" for n in names) + " | gureum ÷ best peer |",
             "|---" * (len(names) + 2) + "|"]  # fmt: skip
    for workload in WORKLOADS:
        peers = [results[n][workload] for n in names if n != "gureum" and results[n].get(workload)]
        ratio = f"{results['gureum'][workload] / max(peers):.2f}×" if "gureum" in results and peers else "–"
        cells = " | ".join(f"{results[n].get(workload, 0):.0f}" for n in names)
        lines.append(f"| {workload} | {cells} | {ratio} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    known = {p.name: p for p in [GUREUM, *PEERS]}
    results: dict[str, dict[str, float]] = {}
    versions: dict[str, str] = {}
    for name in args.peers.split(","):
        peer = known[name]
        why = install(peer)
        if why:
            log(f"{name}: not measured: {why}")
            continue
        versions[name] = installed_version(peer) if peer.packages else "this checkout"
        server = Running(peer)
        try:
            server.wait_ready()
            pool_id, client_id = prepare(server.endpoint)
            results[name] = {WORKLOADS[0]: one_client(server.endpoint, client_id, args.seconds)}
            results[name][WORKLOADS[1]] = asyncio.run(
                _capacity(server.endpoint, client_id, args.connections, args.seconds)
            )
            try:
                results[name][WORKLOADS[2]] = srp_client(server.endpoint, pool_id, client_id, args.seconds)
            except Exception as error:  # a peer without SRP: said, not dropped silently
                log(f"{name}: SRP failed: {error}")
            log(f"{name}: " + ", ".join(f"{k} {v:.0f}/s" for k, v in results[name].items()))
        except Exception as error:
            log(f"{name}: failed: {error}")
        finally:
            server.stop()
    if args.json:
        print(json.dumps({"results": results, "versions": versions}, indent=2))
        return
    print(f"Cognito sign-ins, {args.seconds:.0f} s per workload, capacity over {args.connections} connections; "
          + "; ".join(f"{k}: {v}" for k, v in versions.items()))  # fmt: skip
    print("\n".join(table_of(results)))


if __name__ == "__main__":
    main()
