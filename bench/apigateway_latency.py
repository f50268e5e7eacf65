"""API Gateway REST API → Lambda proxy latency and rate against a loopback endpoint.

A REST API with one Lambda proxy method (GET /items/{id}) on a warm Python function, called through the
execute-api path form with httpx keep-alive connections:

  direct   --seconds of sequential Lambda Invoke calls (boto3): the function's own p50, p99 (for comparison)
  proxy    --seconds of sequential GETs through the stage: p50, p99, requests/s
  mock     the same on a MOCK integration with a VTL response template (the edge without Lambda)
  rate     --clients threads, one keep-alive connection each, GETs through the proxy for --seconds: requests/s

  python bench/apigateway_latency.py --endpoint http://127.0.0.1:4566 [--seconds 5] [--clients 4] [--json]
  python bench/apigateway_latency.py --start-gureum   # own server, free port, temporary data dir
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lambda_latency import percentile  # noqa: E402
from sqs_throughput import gureum_server, require_loopback  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/bench"
CODE = (
    "import json\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 200, 'body': json.dumps({'id': event['pathParameters']['id']})}\n"
)


def client(endpoint: str, service: str) -> Any:
    config = Config(region_name="us-east-1", retries={"max_attempts": 1}, read_timeout=60)
    return boto3.client(
        service, endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", config=config
    )


def setup(endpoint: str, name: str) -> tuple[str, str]:
    """(function name, stage base URL)."""
    lam, apigw = client(endpoint, "lambda"), client(endpoint, "apigateway")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", CODE)
    arn = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ZipFile": buf.getvalue()}
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1})
    api = apigw.create_rest_api(name=name)
    items = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="items")["id"]
    item = apigw.create_resource(restApiId=api["id"], parentId=items, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=item, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=item,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations",
    )
    mock = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="mock")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=mock, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api["id"],
        resourceId=mock,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(restApiId=api["id"], resourceId=mock, httpMethod="GET", statusCode="200")
    apigw.put_integration_response(
        restApiId=api["id"],
        resourceId=mock,
        httpMethod="GET",
        statusCode="200",
        responseTemplates={"application/json": '{"id": "$context.requestId", "q": "$input.params(\'q\')"}'},
    )
    apigw.create_deployment(restApiId=api["id"], stageName="bench")
    return name, f"{endpoint}/restapis/{api['id']}/bench/_user_request_"


def timed(call: Any, seconds: float) -> list[float]:
    for _ in range(20):
        call()
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float], seconds: float) -> dict[str, float]:
    return {
        "p50_ms": percentile(samples, 0.5),
        "p99_ms": percentile(samples, 0.99),
        "requests": len(samples),
        "per_s": len(samples) / seconds,
    }


def bench(endpoint: str, seconds: float, clients: int) -> dict[str, Any]:
    name = f"bench-apigw-{uuid.uuid4().hex[:8]}"
    function, base = setup(endpoint, name)
    lam = client(endpoint, "lambda")
    results: dict[str, Any] = {}
    try:
        results["direct"] = summary(
            timed(
                lambda: lam.invoke(FunctionName=function, Payload=b'{"pathParameters": {"id": "1"}}')["Payload"].read(),
                seconds,
            ),
            seconds,
        )
        with httpx.Client() as http:

            def get(path: str) -> None:
                response = http.get(base + path)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code} {response.text}")

            results["proxy"] = summary(timed(lambda: get("/items/42"), seconds), seconds)
            results["mock"] = summary(timed(lambda: get("/mock?q=1"), seconds), seconds)

        def worker(_: int) -> int:
            count, stop = 0, time.perf_counter() + seconds
            with httpx.Client() as own:
                while time.perf_counter() < stop:
                    own.get(base + "/items/7").raise_for_status()
                    count += 1
            return count

        with ThreadPoolExecutor(clients) as pool:
            list(
                pool.map(lambda _: httpx.get(base + "/items/1").raise_for_status(), range(clients))
            )  # an environment per client
            start = time.perf_counter()
            total = sum(pool.map(worker, range(clients)))
            results["rate"] = {"clients": clients, "per_s": total / (time.perf_counter() - start)}
    finally:
        lam.delete_function(FunctionName=function)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--endpoint", default="http://127.0.0.1:4566", help="loopback endpoint (default: %(default)s)")
    target.add_argument("--start-gureum", action="store_true", help="start a gureum server on a free port for the run")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each phase (default: %(default)s)")
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent clients in the rate phase (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    if args.start_gureum:
        with gureum_server() as endpoint:
            results = bench(endpoint, args.seconds, args.clients)
    else:
        require_loopback(args.endpoint)
        endpoint = args.endpoint
        results = bench(endpoint, args.seconds, args.clients)
    if args.json:
        print(json.dumps({"endpoint": endpoint, "results": results}))
        return
    print(f"{'phase':<8} {'p50 ms':>8} {'p99 ms':>8} {'requests/s':>11}")
    for phase in ("direct", "proxy", "mock"):
        r = results[phase]
        print(f"{phase:<8} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['per_s']:>11.1f}")
    print(f"{'rate':<8} {'':>8} {'':>8} {results['rate']['per_s']:>11.1f}   ({results['rate']['clients']} clients)")


if __name__ == "__main__":
    main()
