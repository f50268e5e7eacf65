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
from .zips import create, make_zip

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
    assert got["data dir"] == "denied", got
    # as root, the data directory is covered in the environment's mount namespace: the other code is not even there
    hidden = _isolation(server).get("pid_namespace") or _isolation(server).get("unprivileged_user")
    assert got["other code"] == got["other code file"] == ("FileNotFoundError" if hidden else "denied"), got
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


def _isolation(server: Server) -> dict[str, Any]:
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


def _wait_running(marker: str, seconds: float = 10.0) -> list[int]:
    """The processes holding ``marker`` once one runs (a double-forked child may exec just after the invoke
    returns: the handler does not wait for it)."""
    deadline = time.monotonic() + seconds
    while not (found := _host_pids(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
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
    assert _wait_running(marker), "the double-forked child is not running"
    client.delete_function(FunctionName=name)  # its environments are stopped
    assert not _wait_gone(marker), "a double-forked setsid child outlived its environment"
    create(client, name, {"index.py": ESCAPE})
    marker = f"{3000 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 10**6:06d}"
    assert _invoke(client, name, {"seconds": marker}) == {"ok": True}
    assert _wait_running(marker)
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
    # enough memory that the processes' own (page tables, kernel stacks: ~200 KB each) stay within a memory cgroup
    create(client, name, {"index.py": FORK_BOMB}, Timeout=120, MemorySize=1024)
    got = _invoke(client, name, {"tries": 1500})
    assert got["error"] == "BlockingIOError" and int(got["started"]) < 1024, got
    client.delete_function(FunctionName=name)


def test_health_says_which_isolation_is_in_force(server: Server) -> None:
    got = _isolation(server)
    assert got["landlock"] is True, got
    root = os.geteuid() == 0
    assert got["private_tmp"] is root, got
    assert isinstance(got["pid_namespace"], bool) and isinstance(got["pids_cgroup"], bool), got
    assert isinstance(got["memory_cgroup"], bool), got
    if not root:  # environments run as gureum's own user, which RLIMIT_NPROC bounds
        assert got["unprivileged_user"] is False and got["user"] == "gureum" and got["rlimit_nproc"] is True, got
    elif got["pid_namespace"]:  # the kernel allows namespaces: each environment runs as a user of its own
        assert got["unprivileged_user"] is True and got["user"] == "per-environment", got
        assert got["rlimit_nproc"] is True, got


AS_USER = """
import os, pwd, signal, tempfile

import layered

def attempt(action):
    try:
        action()
        return "ok"
    except PermissionError:
        return "denied"
    except OSError as exc:
        return type(exc).__name__

def read(path):
    with open(path, "rb") as f:
        return f.read()

def secret(path):
    if os.environ["SECRET_MARKER"].encode() in read(path):
        raise RuntimeError("read the secret")

def handler(event, context):
    import boto3
    mine = os.path.join(tempfile.gettempdir(), event["marker"])
    with open(mine, "w") as f:
        f.write(event["marker"])
    out = {
        "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "egid": os.getegid(), "groups": os.getgroups(),
        "name": pwd.getpwuid(os.getuid()).pw_name, "pid": os.getpid(),
        "shadow": attempt(lambda: read("/etc/shadow")),
        "own code": read("index.py").decode().startswith("\\nimport os"),
        "layer": layered.VALUE, "sdk": boto3.__name__, "tmp": read(mine).decode(),
    }
    for key, path in event.get("read", {}).items():
        out[key] = attempt(lambda: read(path))
    for key, path in event.get("secret", {}).items():
        out[key] = attempt(lambda: secret(path))
    for key, pid in event.get("signal", {}).items():
        out[key] = attempt(lambda: os.kill(pid, signal.SIGTERM))
    return out
"""


def _as_user_functions(client: Any, name: str) -> tuple[str, str, str]:
    """Two functions of the probe above, with a layer and their own secrets: (the second's name, its secret, ours)."""
    layer = client.publish_layer_version(
        LayerName=name, Content={"ZipFile": make_zip({"python/layered.py": "VALUE = 'from the layer'\n"})}
    )["LayerVersionArn"]
    secrets = f"s3cr3t-{uuid.uuid4().hex}", f"other-{uuid.uuid4().hex}"
    for fn, secret in ((name, secrets[0]), (f"{name}-other", secrets[1])):
        variables = {"Variables": {"SECRET_MARKER": secret}}  # Timeout: a cold import of boto3 on a busy machine
        create(client, fn, {"index.py": AS_USER}, Layers=[layer], Environment=variables, Timeout=30)
    return f"{name}-other", secrets[1], secrets[0]


def _needs_unprivileged_user(server: Server) -> None:
    if os.geteuid() != 0:
        pytest.skip("environments run as gureum's own user when gureum is not root (documented)")
    if not _isolation(server).get("unprivileged_user"):
        pytest.skip(f"users of their own are not in force here (the kernel refuses namespaces): {_isolation(server)}")


def test_each_environment_runs_as_a_user_of_its_own(aws: Callable[..., Any], server: Server, name: str) -> None:
    _needs_unprivileged_user(server)
    client = aws("lambda")
    other, _, _ = _as_user_functions(client, name)
    first = _invoke(client, name, {"marker": "a"})
    second = _invoke(client, other, {"marker": "b"})
    for got in (first, second):
        assert got["uid"] == got["euid"] == got["gid"] == got["egid"] and got["uid"] > 0, got
        assert got["groups"] == [] and got["name"] == "sbx_user1051", got  # no supplementary groups; AWS's name
        assert got["shadow"] == "denied", got
        # and it works as before: its code, its layer, the SDK, its own /tmp
        assert got["own code"] is True and got["layer"] == "from the layer" and got["sdk"] == "boto3", got
    assert first["tmp"] == "a" and second["tmp"] == "b", (first, second)
    assert first["uid"] != second["uid"], (first, second)


@pytest.fixture
def host_pids_server(store: StoreFactory) -> Iterator[Server]:
    """Environments without PID namespaces of their own: they see the host's processes, and only their users keep
    them from gureum's and each other's."""
    srv = Server(**store(), env={"GUREUM_LAMBDA_PID_NAMESPACE": "0"}).start()
    yield srv
    srv.stop()


def test_a_user_of_its_own_keeps_it_from_gureum_and_other_environments(host_pids_server: Server, name: str) -> None:
    server = host_pids_server
    _needs_unprivileged_user(server)
    client = make_client(server.endpoint, "lambda")
    other, other_secret, _ = _as_user_functions(client, name)
    marker = f"file-{uuid.uuid4().hex}"
    theirs = _invoke(client, other, {"marker": marker})  # stays warm, its file in its own folder
    assert server.data_dir is not None and server.proc is not None
    files = list((server.data_dir / "lambda" / "environments").glob(f"*/tmp/{marker}"))
    assert len(files) == 1, files
    gureum, pid = server.proc.pid, int(theirs["pid"])
    assert _host_pids(other_secret) == [pid]  # it runs on the host's PID numbers: nothing else keeps us from it
    got = _invoke(
        client,
        name,
        {
            "marker": "mine",
            "read": {"their file": str(files[0]), "their file via proc": f"/proc/{pid}/root{files[0]}"},
            "secret": {"their environ": f"/proc/{pid}/environ", "gureum environ": f"/proc/{gureum}/environ"},
            "signal": {"signal them": pid, "signal gureum": gureum},
        },
    )
    assert got["their file"] == "FileNotFoundError", got  # gureum's data directory is covered in its namespace
    for escape in ("their file via proc", "their environ", "gureum environ", "signal them", "signal gureum"):
        assert got[escape] == "denied", (escape, got)
    assert got["uid"] != theirs["uid"], (got, theirs)
    assert _host_pids(other_secret) == [pid] and server.proc.poll() is None  # both still running
