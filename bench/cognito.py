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

from pycognito.aws_srp import AWSSRP

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_servers import Running, log  # noqa: E402
from side_by_side import boto_client, capacity, json_request, ratio_table, run_peers  # noqa: E402

PASSWORD = "Bench-Passw0rd!"
WORKLOADS = ("InitiateAuth password, 1 boto3 client", "InitiateAuth password, capacity", "SRP sign-in, 1 client")


def client(endpoint: str) -> Any:
    return boto_client(endpoint, "cognito-idp")


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
    doc = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
           "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}}  # fmt: skip
    return json_request(host, "AWSCognitoIdentityProviderService.InitiateAuth", doc, "1.1")


def measure(server: Running, seconds: float, connections: int) -> dict[str, float]:
    pool_id, client_id = prepare(server.endpoint)
    results = {WORKLOADS[0]: one_client(server.endpoint, client_id, seconds)}
    results[WORKLOADS[1]] = asyncio.run(
        capacity(server.endpoint, connections, seconds, lambda host, _worker: [request(host, client_id)],
                 server.endpoint)
    )  # fmt: skip
    try:
        results[WORKLOADS[2]] = srp_client(server.endpoint, pool_id, client_id, seconds)
    except Exception as error:  # a peer without SRP: said, not dropped silently
        log(f"{server.peer.name}: SRP failed: {error}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", default="gureum,moto")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results, versions = run_peers(args.peers, lambda server: measure(server, args.seconds, args.connections))
    if args.json:
        print(json.dumps({"results": results, "versions": versions}, indent=2))
        return
    print(f"Cognito sign-ins, {args.seconds:.0f} s per workload, capacity over {args.connections} connections; "
          + "; ".join(f"{k}: {v}" for k, v in versions.items()))  # fmt: skip
    print("\n".join(ratio_table(results, WORKLOADS, " sign-ins/s", 2)))


if __name__ == "__main__":
    main()
