"""File-system isolation of execution environments (Landlock; a private /tmp when gureum runs as root): a function
reads the system, its runtime and its own code, writes only its own folder, and cannot reach gureum's data
directory or another function's code."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

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


def _isolation(server: Server) -> dict[str, bool]:
    return dict(server.health().get("isolation", {}).get("lambda", {}))


def _host_pids(marker: str) -> list[int]:
    """Host processes whose command line or environment holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        for part in ("cmdline", "environ"):
            try:
                with open(f"/proc/{entry}/{part}", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
                        break
            except OSError:
                continue
    return found


def _wait_gone(marker: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _host_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


PROCESSES = """
import os, signal

def attempt(action):
    try:
        return action()
    except OSError as exc:
        return type(exc).__name__

def read(path):
    with open(path, "rb") as f:
        return "secret" if os.environ["SECRET_MARKER"].encode() in f.read() else "read"

def shm(path):
    with open(path, "w") as f:
        f.write("x")
    return "ok"

def handler(event, context):
    return {
        "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "own pid": os.getpid(),
        "gureum environ": attempt(lambda: read(f"/proc/{event['gureum']}/environ")),
        "other environ": attempt(lambda: read(f"/proc/{event['other']}/environ")),
        "signal gureum": attempt(lambda: os.kill(event["gureum"], 0) or "ok"),
        "signal other": attempt(lambda: os.kill(event["other"], 0) or "ok"),
        "shm": attempt(lambda: shm(f"/dev/shm/{event['shm']}")),
    }
"""


def _needs(server: Server, what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs gureum running as root")
    if _isolation(server).get(what) is False:  # (an older gureum that does not say is tested all the same)
        pytest.skip(f"{what} is not in force here (the kernel or the host refuses it): {_isolation(server)}")


def test_a_function_sees_and_signals_only_its_own_processes(aws: Callable[..., Any], server: Server, name: str) -> None:
    _needs(server, "pid_namespace")
    client = aws("lambda")
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    create(client, name, {"index.py": PROCESSES}, Environment={"Variables": {"SECRET_MARKER": secret}})
    other_secret = f"other-{uuid.uuid4().hex}"
    create(
        client,
        f"{name}-other",
        {"index.py": "def handler(e, c):\n    return 1\n"},
        Environment={"Variables": {"SECRET_MARKER": other_secret}},
    )
    client.invoke(FunctionName=f"{name}-other")  # its environment stays, warm
    others = _host_pids(other_secret)
    assert others, "the other function's runtime is not found on the host"
    assert server.proc is not None
    shm = f"gureum-test-{name}"
    got = _invoke(client, name, {"gureum": server.proc.pid, "other": others[0], "shm": shm})
    assert got["pids"] == sorted({1, got["own pid"]}), got  # its own PID namespace (PID 1: its init), its own /proc
    assert got["gureum environ"] != "secret" and got["other environ"] != "secret", got
    if server.proc.pid not in got["pids"]:
        assert got["gureum environ"] == "FileNotFoundError", got
        assert got["signal gureum"] == "ProcessLookupError", got
    if others[0] not in got["pids"]:
        assert got["signal other"] == "ProcessLookupError", got
    assert got["shm"] == "ok" and not os.path.exists(f"/dev/shm/{shm}"), got  # a private /dev/shm


ESCAPE = """
import os, subprocess, time

def handler(event, context):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", event["seconds"]])
        os._exit(0)
    os.wait()
    return {"ok": True}
"""


@pytest.fixture
def own_server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store()).start()
    yield srv
    srv.stop()


def test_every_process_of_an_environment_ends_with_it(own_server: Server, name: str) -> None:
    _needs(own_server, "pid_namespace")
    client = make_client(own_server.endpoint, "lambda")
    create(client, name, {"index.py": ESCAPE})
    marker = f"{3000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"  # sleep's argument, unique
    assert _invoke(client, name, {"seconds": marker}) == {"ok": True}
    assert _host_pids(marker), "the double-forked child is not running"
    client.delete_function(FunctionName=name)  # its environments are stopped
    assert not _wait_gone(marker), "a double-forked setsid child outlived its environment"
    create(client, name, {"index.py": ESCAPE})
    marker = f"{3000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"
    assert _invoke(client, name, {"seconds": marker}) == {"ok": True}
    assert _host_pids(marker)
    own_server.stop()
    assert not _wait_gone(marker), "a double-forked setsid child outlived gureum"


FORK_BOMB = """
import os, signal

def handler(event, context):
    started = 0
    for _ in range(event["tries"]):
        try:
            pid = os.fork()
        except OSError as exc:
            return {"started": started, "error": type(exc).__name__}
        if pid == 0:
            signal.pause()
            os._exit(0)
        started += 1
    return {"started": started, "error": None}
"""


def test_a_fork_bomb_is_bounded(own_server: Server, name: str) -> None:
    if os.geteuid() == 0:
        _needs(own_server, "pids_cgroup")
    elif not _isolation(own_server).get("rlimit_nproc"):
        pytest.skip("RLIMIT_NPROC is not set here")
    client = make_client(own_server.endpoint, "lambda")
    create(client, name, {"index.py": FORK_BOMB}, Timeout=120)
    got = _invoke(client, name, {"tries": 1500})
    assert got["error"] == "BlockingIOError" and int(got["started"]) < 1024, got
    client.delete_function(FunctionName=name)


def test_health_says_which_isolation_is_in_force(server: Server) -> None:
    got = _isolation(server)
    assert got["landlock"] is True, got
    root = os.geteuid() == 0
    assert got["private_tmp"] is root and got["rlimit_nproc"] is not root, got
    assert isinstance(got["pid_namespace"], bool) and isinstance(got["pids_cgroup"], bool), got
    assert got["unprivileged_user"] is False, got
