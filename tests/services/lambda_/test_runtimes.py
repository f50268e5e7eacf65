"""Runtime details: every Python version, the context object, Node.js module styles, a Node.js major the machine lacks
fetched from the npm registry (and the message when it cannot be), crashes, oversized responses, custom runtimes
without a bootstrap, and SDK calls from a function under strict SigV4."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gureum.services.lambda_.runtimes import PYTHON, node_major, python_interpreter

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .zips import ROLE, create, make_zip


def _invoke(client: Any, name: str, event: Any = None, **kw: Any) -> tuple[dict[str, Any], Any]:
    out = client.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kw)
    body = out["Payload"].read()
    return out, json.loads(body) if body else None


@pytest.mark.parametrize("runtime", sorted(PYTHON))
def test_each_python_runs_on_its_own_interpreter(aws: Callable[..., Any], name: str, runtime: str) -> None:
    if python_interpreter(PYTHON[runtime]) is None:
        pytest.skip(f"no Python {PYTHON[runtime]} here")
    client = aws("lambda")
    code = (
        "import sys\n"
        "def handler(event, context):\n"
        "    return {'version': '%d.%d' % sys.version_info[:2], 'arn': context.invoked_function_arn,\n"
        "            'mem': context.memory_limit_in_mb, 'group': context.log_group_name,\n"
        "            'stream': context.log_stream_name, 'client': context.client_context,\n"
        "            'left': context.get_remaining_time_in_millis()}\n"
    )
    create(client, name, {"index.py": code}, runtime=runtime, Timeout=7)
    client_context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    _out, doc = _invoke(client, name, ClientContext=client_context)
    assert doc["version"] == PYTHON[runtime]
    assert doc["arn"].endswith(f":function:{name}") and doc["mem"] == "128" and doc["group"] == f"/aws/lambda/{name}"
    assert doc["client"] == {"custom": {"k": "v"}} and 5000 < doc["left"] <= 7000


def test_crash_and_oversized_response(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = (
        "import os\ndef handler(event, context):\n    if event.get('exit'):\n        os._exit(3)\n"
        "    return 'x' * (7 * 1024 * 1024)\n"
    )
    create(client, name, {"index.py": code})
    out, doc = _invoke(client, name, {"exit": True})
    assert (
        out["FunctionError"] == "Unhandled"
        and doc["errorType"] == "Runtime.ExitError"
        and "exit status 3" in doc["errorMessage"]
    )
    out, doc = _invoke(client, name, {})
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Function.ResponseSizeTooLarge"


def test_provided_without_bootstrap(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"README": "no bootstrap here"}, runtime="provided.al2", handler="x")
    out, doc = _invoke(client, name)
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Runtime.InvalidEntrypoint"


INIT_ERROR = """#!/bin/sh
curl -sS -o /dev/null -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/init/error" \\
  -H "Lambda-Runtime-Function-Error-Type: Runtime.ConfigError" \\
  -d '{"errorMessage": "no config", "errorType": "Runtime.ConfigError"}'
exit 1
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_provided_init_error(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"bootstrap": INIT_ERROR}, runtime="provided.al2", handler="x", executable=("bootstrap",))
    for _ in range(2):  # each invocation gets a fresh environment, which fails the same way
        out, doc = _invoke(client, name)
        assert out["FunctionError"] == "Unhandled" and doc == {
            "errorMessage": "no config",
            "errorType": "Runtime.ConfigError",
        }


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js on this machine")
def test_nodejs_module_styles(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    runtime = f"nodejs{node_major()}.x"
    esm = "export const handler = async (event) => ({ style: 'esm', got: event.v });\n"
    create(client, name, {"app.mjs": esm}, runtime=runtime, handler="app.handler")
    assert _invoke(client, name, {"v": 1})[1] == {"style": "esm", "got": 1}
    callback = (
        "exports.run = (event, context, callback) => "
        "{ setTimeout(() => callback(null, { style: 'callback', id: context.awsRequestId }), 10); };\n"
    )
    create(client, name + "-cb", {"lib/main.js": callback}, runtime=runtime, handler="lib/main.run")
    out, doc = _invoke(client, name + "-cb")
    assert doc == {"style": "callback", "id": out["ResponseMetadata"]["RequestId"]}
    create(client, name + "-missing", {"index.js": "exports.other = 1;\n"}, runtime=runtime)
    out, doc = _invoke(client, name + "-missing")
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Runtime.HandlerNotFound"


@pytest.fixture(scope="session")
def runtime_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gureum's runtime cache for this test run: a fetched Node.js is fetched once per run, not per test."""
    return tmp_path_factory.mktemp("runtimes")


@pytest.mark.skipif(shutil.which("npm") is None and node_major() != "18", reason="no npm to fetch Node.js 18 with")
def test_nodejs18_on_node_18_fetched_from_the_npm_registry(store: StoreFactory, runtime_cache: Path, name: str) -> None:
    """nodejs18.x runs on Node.js 18 even where the machine's node is another major: Pending while gureum fetches
    the npm registry's node-linux-<arch>@18 package into its runtime cache, then Active; never another version."""
    server = Server(**store(), env={"GUREUM_RUNTIME_CACHE": str(runtime_cache)}).start()
    try:
        client = make_client(server.endpoint, "lambda")
        code = "exports.handler = async () => ({ node: process.version, exe: process.execPath });\n"
        out = create(client, name, {"index.js": code}, runtime="nodejs18.x", wait=False)
        assert out["State"] == "Pending" and out["Runtime"] == "nodejs18.x"
        client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
        doc = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        assert doc["node"].startswith("v18."), doc
        if node_major() != "18":  # fetched: it runs from gureum's runtime cache
            assert Path(doc["exe"]).resolve() == (runtime_cache / "node-18" / "bin" / "node").resolve()
    finally:
        server.stop()


def test_a_runtime_the_machine_cannot_serve_says_what_it_needs(store: StoreFactory, tmp_path: Path, name: str) -> None:
    """Without Node.js 22 and without npm to fetch it, nodejs22.x is refused with what it needs and how to get it;
    runtimes gureum does not serve say which ones it does."""
    if node_major() == "22":
        pytest.skip("this machine's node is Node.js 22")
    bin_dir = tmp_path / "bin"  # a PATH with the machine's node but no npm
    bin_dir.mkdir()
    if shutil.which("node"):
        os.symlink(str(shutil.which("node")), bin_dir / "node")
    env = {"PATH": str(bin_dir), "GUREUM_RUNTIME_CACHE": str(tmp_path / "cache"), "NVM_DIR": str(tmp_path / "nvm")}
    server = Server(**store(), env=env).start()
    try:
        client = make_client(server.endpoint, "lambda")
        args = {"FunctionName": name, "Role": ROLE, "Handler": "index.handler", "Code": {"ZipFile": make_zip({})}}
        error = expect_error(client.create_function, "InvalidParameterValueException", Runtime="nodejs22.x", **args)
        assert "needs Node.js 22" in error["Message"] and "npm" in error["Message"], error
        assert "nvm install 22" in error["Message"] and "does not substitute" in error["Message"], error
        error = expect_error(client.create_function, "InvalidParameterValueException", Runtime="java8.al2", **args)
        assert "not served by gureum" in error["Message"] and "python3.9-python3.13" in error["Message"], error
    finally:
        server.stop()


def test_sdk_calls_from_a_function_pass_strict_sigv4(store: StoreFactory, name: str) -> None:
    server = Server(**store(), extra_args=["--strict-auth"]).start()
    try:
        client, sqs = make_client(server.endpoint, "lambda"), make_client(server.endpoint, "sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        code = (
            "import boto3\ndef handler(event, context):\n"
            "    return boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody='signed')['MessageId']\n"
        )
        create(client, name, {"index.py": code})
        out, doc = _invoke(client, name, {"url": url})
        assert "FunctionError" not in out, doc
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "signed"
    finally:
        server.stop()


def test_a_virtual_environments_python_runs_on_its_base_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox cannot read a venv's pyvenv.cfg: gureum starts the venv's base interpreter (pyvenv.cfg's home)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    base = str(Path(getattr(sys, "_base_executable", sys.executable)).resolve())
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    home = next(
        line.split("=", 1)[1].strip()
        for line in (venv / "pyvenv.cfg").read_text().splitlines()
        if line.split("=", 1)[0].strip() == "home"
    )
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    python_interpreter.cache_clear()
    try:
        found = python_interpreter(version)
    finally:
        python_interpreter.cache_clear()
    assert found is not None and not found.startswith(str(venv)), found
    assert Path(found).parent == Path(home) and Path(found).resolve() == Path(base)
