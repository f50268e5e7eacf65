"""File-system isolation of execution environments (Landlock; a private /tmp when gureum runs as root): a function
reads the system, its runtime and its own code, writes only its own folder, and cannot reach gureum's data
directory or another function's code."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import gureum
from gureum.services.lambda_.sandbox import landlock_abi

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import create

pytestmark = pytest.mark.skipif(
    not landlock_abi(), reason="the kernel has no Landlock: environments are not sandboxed here"
)

PROBE = """
import json, os, tempfile

def attempt(action):
    try:
        action()
        return "ok"
    except PermissionError:
        return "denied"
    except OSError as exc:
        return type(exc).__name__

def write(path):
    with open(path, "w") as f:
        f.write("x")

def read_tmp(path):
    with open(path) as f:
        assert f.read() == "x"

def handler(event, context):
    out = {}
    for key, path in event.get("list", {}).items():
        out[key] = attempt(lambda: os.listdir(path))
    for key, path in event.get("read", {}).items():
        out[key] = attempt(lambda: open(path, "rb").read())
    for key, path in event.get("write", {}).items():
        out[key] = attempt(lambda: write(path))
    for key, path in event.get("read_back", {}).items():
        out[key] = attempt(lambda: read_tmp(path))
    out["tempfile"] = attempt(lambda: tempfile.NamedTemporaryFile(dir=None).close())
    out["own code"] = attempt(lambda: open(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "index.py")).read())
    out["write own code"] = attempt(lambda: write(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "new.py")))
    out["system"] = attempt(lambda: open("/etc/hosts").read())
    out["sdk"] = attempt(lambda: __import__("boto3"))
    out["tmpdir"] = os.environ["TMPDIR"]
    return out
"""


def _invoke(client: Any, name: str, event: dict[str, Any]) -> dict[str, str]:
    out = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in out, out["Payload"].read()
    return dict(json.loads(out["Payload"].read()))


def test_a_function_cannot_reach_gureums_data_or_other_functions(
    aws: Callable[..., Any], server: Server, name: str
) -> None:
    client = aws("lambda")
    create(client, name, {"index.py": PROBE})
    other = create(
        client,
        f"{name}-other",
        {"index.py": "def handler(e, c):\n    import os\n    return os.environ['LAMBDA_TASK_ROOT']\n"},
    )
    other_root = json.loads(client.invoke(FunctionName=other["FunctionName"])["Payload"].read())
    data_dir = str(server.data_dir)
    got = _invoke(
        client,
        name,
        {
            "list": {"data dir": data_dir, "other code": other_root},
            "read": {"other code file": os.path.join(other_root, "index.py")},
            "write": {"data dir file": os.path.join(data_dir, "planted"), "host tmp": f"/var/tmp/{name}"},
        },
    )
    assert got["data dir"] == got["other code"] == got["other code file"] == "denied", got
    assert got["data dir file"] == got["host tmp"] == "denied", got
    assert got["own code"] == got["system"] == got["sdk"] == got["tempfile"] == "ok", got
    assert got["write own code"] == "denied", got  # the code is read-only, as /var/task is on AWS
    assert not os.path.exists(os.path.join(data_dir, "planted"))


@pytest.fixture
def outside_tmp_server(store: StoreFactory) -> Iterator[Server]:
    """A server whose data directory is not under /tmp, so environments may mount their own folder on /tmp."""
    data_dir = Path.home() / ".cache" / f"gureum-test-{uuid.uuid4().hex[:8]}"
    args = {**store(), "data_dir": data_dir}
    srv = Server(**args).start()
    yield srv
    srv.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="a private /tmp needs a mount namespace (gureum running as root)")
@pytest.mark.skipif(
    str(Path(gureum.__file__).resolve()).startswith("/tmp/"),
    reason="gureum itself lives under /tmp here, which an environment's own /tmp would hide",
)
def test_each_environment_has_its_own_tmp(outside_tmp_server: Server, name: str) -> None:
    client = make_client(outside_tmp_server.endpoint, "lambda")
    create(client, name, {"index.py": PROBE})
    create(client, f"{name}-b", {"index.py": PROBE})
    marker = f"/tmp/{name}-marker"
    got = _invoke(client, name, {"write": {"write": marker}, "read_back": {"read": marker}})
    assert got["write"] == got["read"] == "ok" and got["tmpdir"] == "/tmp", got
    assert not os.path.exists(marker)  # the host's /tmp did not get it
    assert _invoke(client, name, {"read_back": {"again": marker}})["again"] == "ok"  # the warm environment keeps it
    assert _invoke(client, f"{name}-b", {"read_back": {"other": marker}})["other"] == "FileNotFoundError"
