"""Traces at the HTTP edges: an HTTP API passes the caller's X-Amzn-Trace-Id to its Lambda integration (event header
and the function's segment); a function URL called without one starts a trace that the function's TracingConfig
decides (Active: sampled, PassThrough: not); a REST stage without tracing records no stage segment but passes the
caller's decision on; Sampled=0 is honoured."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from botocore.exceptions import ClientError

from ..services.apigateway.helpers import Api
from ..services.apigateway.helpers import stage_url as rest_url
from ..services.apigatewayv2.helpers import stage_url
from ..services.lambda_.zips import create
from .lineage import lineage

ECHO = """
import json, os
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"env": os.environ["_X_AMZN_TRACE_ID"],
                                                   "headers": event.get("headers") or {}})}
"""


def _trace_id() -> str:
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def _docs(xray: Any, trace_id: str, wanted: int) -> list[dict[str, Any]]:
    deadline = time.time() + 10
    while True:
        traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
        docs = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        if len(docs) >= wanted or time.time() > deadline:
            return docs
        time.sleep(0.2)


def test_http_api_passes_the_callers_trace(aws: Any, endpoint: str, name: str) -> None:
    lam, gw, xray = aws("lambda"), aws("apigatewayv2"), aws("xray")
    arn = create(lam, name, {"index.py": ECHO})["FunctionArn"]
    api = gw.create_api(Name=name, ProtocolType="HTTP", Target=arn)["ApiId"]
    trace_id, parent = _trace_id(), secrets.token_hex(8)
    r = httpx.get(f"{stage_url(endpoint, api, '$default')}/x", headers={"X-Amzn-Trace-Id": f"Root={trace_id};"
                  f"Parent={parent};Sampled=1"}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    (function,) = _docs(xray, trace_id, 1)
    assert function["name"] == name and function["parent_id"] == parent
    assert body["env"] == f"Root={trace_id};Parent={function['id']};Sampled=1{lineage(arn)}"
    assert body["headers"]["x-amzn-trace-id"] == f"Root={trace_id};Parent={parent};Sampled=1"


def test_function_url_and_tracing_config(aws: Any, endpoint: str, name: str) -> None:
    lam, xray = aws("lambda"), aws("xray")
    create(lam, name, {"index.py": ECHO})
    assert lam.get_function_configuration(FunctionName=name)["TracingConfig"] == {"Mode": "PassThrough"}
    with pytest.raises(ClientError) as bad:
        lam.update_function_configuration(FunctionName=name, TracingConfig={"Mode": "Sometimes"})
    assert bad.value.response["Error"]["Code"] == "ValidationException", bad.value.response
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lam.add_permission(FunctionName=name, StatementId="public", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")  # fmt: skip
    path_url = f"{endpoint}/lambda-url/{urlparse(url).hostname.split('.')[0]}/"  # type: ignore[union-attr]

    # PassThrough, no decision from the caller: the trace goes on unsampled, nothing recorded
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    env = httpx.get(path_url, timeout=30).json()["env"]
    assert env.endswith(f";Sampled=0{lineage(arn)}")
    assert _docs(xray, env.split(";")[0].removeprefix("Root="), 1) == []

    lam.update_function_configuration(FunctionName=name, TracingConfig={"Mode": "Active"})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert lam.get_function_configuration(FunctionName=name)["TracingConfig"] == {"Mode": "Active"}
    env = httpx.get(path_url, timeout=30).json()["env"]
    root = env.split(";")[0].removeprefix("Root=")
    (function,) = _docs(xray, root, 1)
    assert env == f"Root={root};Parent={function['id']};Sampled=1{lineage(arn)}" and "parent_id" not in function
    # the caller's Sampled=0 wins over Active
    trace_id = _trace_id()
    env = httpx.get(path_url, headers={"X-Amzn-Trace-Id": f"Root={trace_id};Sampled=0"}, timeout=30).json()["env"]
    assert env.startswith(f"Root={trace_id};") and env.endswith(f"Sampled=0{lineage(arn)}")


def test_rest_stage_without_tracing_passes_the_decision(aws: Any, endpoint: str, name: str) -> None:
    lam, xray = aws("lambda"), aws("xray")
    arn = create(lam, name, {"index.py": ECHO})["FunctionArn"]
    api = Api(aws("apigateway"), name)
    api.lambda_proxy("/t", "GET", arn)
    api.deploy("dev")
    trace_id, parent = _trace_id(), secrets.token_hex(8)
    r = httpx.get(rest_url(endpoint, api.id, "dev", "/t"),
                  headers={"X-Amzn-Trace-Id": f"Root={trace_id};Parent={parent};Sampled=1"}, timeout=30)  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.headers["x-amzn-trace-id"] == f"Root={trace_id};Parent={parent};Sampled=1"
    (function,) = _docs(xray, trace_id, 1)
    assert function["parent_id"] == parent and r.json()["headers"]["X-Amzn-Trace-Id"].startswith(f"Root={trace_id}")
