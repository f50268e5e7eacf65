"""An execution environment's memory by real use, as AWS limits it: the resident memory (RSS) of its process tree.
Where no memory cgroup holds an environment at MemorySize (not root, no writable hierarchy), a watchdog samples its
processes' RSS and kills the environment once they exceed it (AWS's "Runtime exited with error: signal: killed",
Runtime.OutOfMemory); address space is not limited by MemorySize, since Go and the JVM reserve far more than they
use. The peak it sees is the REPORT line's Max Memory Used.
"""

from __future__ import annotations

# a backstop on address space where only the watchdog watches (a runaway allocation between two samples): far above
# what Go's runtime (~1 GB) or a JVM sized to MemorySize reserve
ADDRESS_SPACE_BACKSTOP_MB = 16 * 1024
BUSY_INTERVAL = 0.05  # seconds between samples while the environment initialises or serves an invocation
IDLE_INTERVAL = 0.5


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            found = [int(p) for p in children.read().split()]
    except (OSError, ValueError):
        pass
    return found


def tree_rss_kb(root: int, *, kept: bool = False, limit: int = 4096) -> int:
    """The resident memory of ``root`` and its descendants, in KB (at most ``limit`` processes are visited);
    ``kept``: ``root`` is the keeper of a PID namespace whose init it started (both forks of gureum itself, not
    counted): the runtime and what it starts are the init's descendants."""
    todo = [root]
    for _ in range(2 if kept else 0):
        todo = [child for pid in todo for child in _children(pid)]
    total, seen = 0, 0
    while todo and seen < limit:
        pid = todo.pop()
        seen += 1
        total += _status_kb(pid, "VmRSS:")
        todo.extend(_children(pid))
    return total


def peak_kb(pid: int) -> int:
    """A process's own peak resident memory (VmHWM), in KB."""
    return _status_kb(pid, "VmHWM:")
