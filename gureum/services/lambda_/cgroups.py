"""Control groups of execution environments (gureum as root, where a hierarchy is writable): each environment gets
its own, with AWS's limit of 1,024 processes and threads (pids) and its memory limit (memory.max on cgroup v2,
memory.limit_in_bytes on v1, swap included where the kernel accounts it). gureum creates them before the
environment starts; the environment's keeper joins them between fork and exec; they are removed, with anything
left in them, when the environment stops. ``oom_killed`` tells an out-of-memory kill from any other."""

from __future__ import annotations

import functools
import os
import signal
from dataclasses import dataclass

PIDS_MAX = 1024  # processes and threads per environment, AWS's limit
_V2_ROOT = "/sys/fs/cgroup"
_V1_ROOTS = {"pids": "/sys/fs/cgroup/pids", "memory": "/sys/fs/cgroup/memory"}
_PARENT = "gureum-lambda"


@dataclass(frozen=True, slots=True)
class Cgroups:
    """The cgroup folders one environment's processes join (one on v2; one per controller on v1)."""

    paths: tuple[str, ...]
    memory: str | None  # the folder holding its memory limit (and its out-of-memory count), if one is set
    memory_bytes: int = 0

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of this environment for exceeding its memory limit."""
        if self.memory is None:
            return False
        for name in ("memory.events", "memory.oom_control"):  # v2; v1 (Linux 4.13+)
            try:
                with open(os.path.join(self.memory, name)) as events:
                    for line in events:
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and value.strip().isdigit():
                            return int(value) > 0
            except OSError:
                continue
        return False

    def remove(self) -> bool:
        """Kill what is left in them and remove them: False while processes are still exiting."""
        return all([remove_cgroup(path) for path in self.paths])


def for_environment(name: str, memory_bytes: int) -> Cgroups | None:
    """Cgroups for one environment (``name`` starts with gureum's pid, for the stale sweep), with the pids and memory
    limits where a controller is writable; None when none is."""
    if os.environ.get("GUREUM_LAMBDA_PIDS_CGROUP", "1") == "0" or os.geteuid() != 0:
        return None
    memory_on = os.environ.get("GUREUM_LAMBDA_MEMORY_CGROUP", "1") != "0"
    v2 = _v2_controllers()
    if v2:
        path = _make(_V2_ROOT, name)
        if path is not None:
            limited = "pids" in v2 and _write(path, "pids.max", str(PIDS_MAX))
            memory = memory_on and "memory" in v2 and _write(path, "memory.max", str(memory_bytes))
            if memory:
                _write(path, "memory.swap.max", "0")
            if limited or memory:
                return Cgroups((path,), path if memory else None, memory_bytes if memory else 0)
            remove_cgroup(path)
    paths: list[str] = []
    memory_path = None
    for controller, root in _v1_roots().items():
        if controller == "memory" and not memory_on:
            continue
        path = _make(root, name)
        if path is None:
            continue
        if controller == "pids":
            ok = _write(path, "pids.max", str(PIDS_MAX))
        else:
            ok = _write(path, "memory.limit_in_bytes", str(memory_bytes))
            _write(path, "memory.memsw.limit_in_bytes", str(memory_bytes))  # absent without swap accounting
            memory_path = path if ok else None
        if ok:
            paths.append(path)
        else:
            remove_cgroup(path)
    return Cgroups(tuple(paths), memory_path, memory_bytes if memory_path else 0) if paths else None


def join(cgroups: Cgroups) -> None:
    """In the environment's first process, before exec: move itself (and so all it starts) into its cgroups."""
    for path in cgroups.paths:
        with open(os.path.join(path, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))


def available() -> dict[str, bool]:
    """Which limits environments get here (for /_gureum/health): pids_cgroup, memory_cgroup."""
    if os.environ.get("GUREUM_LAMBDA_PIDS_CGROUP", "1") == "0" or os.geteuid() != 0:
        return {"pids_cgroup": False, "memory_cgroup": False}
    v2 = _v2_controllers() if os.access(_V2_ROOT, os.W_OK) else set()
    v1 = {c for c, root in _v1_roots().items() if os.access(root, os.W_OK)}
    memory = os.environ.get("GUREUM_LAMBDA_MEMORY_CGROUP", "1") != "0" and "memory" in v2 | v1
    return {"pids_cgroup": "pids" in v2 | v1, "memory_cgroup": memory}


def remove_cgroup(path: str) -> bool:
    """Kill what is left in one cgroup and remove it: False while processes are still exiting."""
    try:
        with open(os.path.join(path, "cgroup.procs")) as procs:
            for pid in procs.read().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        os.rmdir(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _make(root: str, name: str) -> str | None:
    parent = os.path.join(root, _PARENT)
    _sweep_stale(parent)
    path = os.path.join(parent, name)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path


def _write(folder: str, name: str, value: str) -> bool:
    try:
        with open(os.path.join(folder, name), "w") as control:
            control.write(value)
    except OSError:
        return False
    return True


@functools.cache
def _v2_controllers() -> frozenset[str]:
    """The controllers a v2 hierarchy mounted at /sys/fs/cgroup hands to gureum's cgroups: those enabled at the root,
    which gureum enables in its own parent cgroup (created once) for the environments' cgroups below it."""
    try:
        with open(os.path.join(_V2_ROOT, "cgroup.subtree_control")) as controllers:
            enabled = {c for c in controllers.read().split() if c in ("pids", "memory")}
    except OSError:
        return frozenset()
    parent = os.path.join(_V2_ROOT, _PARENT)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError:
        return frozenset()
    granted = set()
    for controller in sorted(enabled):
        if _write(parent, "cgroup.subtree_control", f"+{controller}"):
            granted.add(controller)
    return frozenset(granted)


@functools.cache
def _v1_roots() -> dict[str, str]:
    return {c: root for c, root in _V1_ROOTS.items() if os.path.exists(os.path.join(root, "cgroup.procs"))}


@functools.cache
def _sweep_stale(parent: str) -> None:
    """Once per gureum: remove the cgroups of environments whose gureum is gone (killed with -9: nothing removed
    them; their processes died with it)."""
    try:
        for entry in os.scandir(parent):
            owner = entry.name.split("-", 1)[0]
            if entry.is_dir() and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                remove_cgroup(entry.path)
    except OSError:
        pass
