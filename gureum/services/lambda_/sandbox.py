"""File-system isolation of execution environments without a container engine: Linux Landlock, plus a private
/tmp when gureum may create a mount namespace.

An environment's process may read (and execute) only the system's directories (/usr, /etc, /lib…), its runtime
(the interpreter's installation, gureum's bootstrap loops, the SDK it is given), its own code and layers; it may
write only its own private folder and /dev. gureum's data directory — the store, other functions' code and
folders — is out of reach. Landlock is an unprivileged kernel feature (Linux 5.13+); where the kernel lacks it the
environment runs without it and gureum says so once in its log. As root, the environment also gets a mount
namespace in which its private folder is mounted on /tmp, as on AWS (code that writes to /tmp directly works and
sees only its own files; a runtime installed under /tmp is bound back at its path); otherwise (not root, or gureum's
data directory itself under /tmp) /tmp is not writable and TMPDIR names the private folder. As root
(where the kernel allows it), each environment also runs in PID and IPC namespaces of its own with a private /proc
and /dev/shm (it sees and signals only its own processes; all of them end with it), in a pids cgroup of its own
when one is writable (``PIDS_MAX``); a non-root gureum bounds forks with RLIMIT_NPROC. ``isolation()`` says which.

The rules are computed in gureum (``Sandbox.for_environment``) and applied in the child between fork and exec
(``Sandbox.apply``): a handful of system calls, no allocation-heavy work.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("gureum.lambda")

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWNS, _CLONE_NEWPID, _CLONE_NEWIPC = 0x00020000, 0x20000000, 0x08000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
_PR_SET_PDEATHSIG = 1
_SYS_CLONE = 56 if os.uname().machine == "x86_64" else 220  # x86-64; arm64 (and most others)
PIDS_MAX = 1024  # processes and threads per environment, AWS's limit
_SHM_SIZE = b"size=64m,mode=1777"

# access rights by the ABI version that introduced them
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ABI1 = (1 << 13) - 1  # execute … make_sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_READ = _EXECUTE | _READ_FILE | _READ_DIR

SYSTEM_DIRS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc",
    "/proc",
    "/sys",
    "/run",
    "/nix",
    "/snap",
)

try:
    _LIBC: ctypes.CDLL | None = (
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True) if sys.platform == "linux" else None
    )
except OSError:
    _LIBC = None


class _PathBeneath(ctypes.Structure):
    _pack_ = 1  # struct landlock_path_beneath_attr is packed
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 when unavailable (or turned off with GUREUM_LAMBDA_LANDLOCK=0)."""
    if _LIBC is None or os.environ.get("GUREUM_LAMBDA_LANDLOCK", "1") == "0":
        return 0
    version = _LIBC.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    if version <= 0:
        log.warning(
            "Landlock is not available on this kernel: Lambda environments can read and write what gureum's user can"
        )
        return 0
    return int(version)


def _handled(abi: int) -> int:
    rights = _ABI1
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


@dataclass(frozen=True, slots=True)
class Sandbox:
    abi: int
    read_only: tuple[str, ...]
    read_write: tuple[str, ...]
    private_tmp: str | None  # mounted on /tmp in a mount namespace of its own (as root), else None
    pid_namespace: bool = False  # (as root) its own PID and IPC namespaces, a private /proc and /dev/shm
    cgroup: str | None = None  # (as root) its own pids cgroup, when one is writable
    under_tmp: tuple[str, ...] = ()  # what it needs from under the host's /tmp, bound back over its own /tmp

    @classmethod
    def for_environment(
        cls, argv: list[str], env: dict[str, str], task_root: Path, private: Path, bootstrap_dir: Path
    ) -> Sandbox | None:
        """The rules for one environment: what its runtime needs to read, its code, its private folder."""
        abi = landlock_abi()
        if not abi:
            return None
        readable: set[Path] = {task_root, bootstrap_dir}
        for path in (Path(p) for p in SYSTEM_DIRS):
            if path.exists():
                readable.add(path)
        executable = Path(argv[0]).resolve()
        if executable.name.startswith(("python", "node")):
            readable.add(executable.parent.parent)  # the interpreter's installation: <prefix>/bin/python3 → <prefix>
        else:
            readable.add(executable.parent)  # a custom runtime's bootstrap: the code or the layers holding it
        for name in ("PYTHONPATH", "NODE_PATH"):
            for entry in filter(None, env.get(name, "").split(os.pathsep)):
                readable.add(Path(entry))
                readable.update(_link_targets(Path(entry)))
        paths = tuple(sorted({str(p.resolve()) for p in readable if p.exists()}))
        own = str(private.resolve())
        # its own folder covers /tmp unless gureum's data directory is under /tmp (binding the environment's code
        # back would show that directory's layout there); what else it reads from under /tmp is bound back
        tmp = str(private / "tmp") if os.geteuid() == 0 and not own.startswith("/tmp/") else None
        pidns = pid_namespace_available()
        return cls(
            abi,
            paths,
            (str(private), "/dev"),
            tmp,
            pidns,
            pids_cgroup(f"{os.getpid()}-{private.name}") if pidns else None,
            _outermost(p for p in paths if p.startswith("/tmp/")) if tmp else (),
        )

    def apply(self) -> None:
        """In the child, before exec: the private /tmp (when possible), then the Landlock ruleset on itself."""
        assert _LIBC is not None
        libc = _LIBC
        if self.pid_namespace:
            keeper, status_w = _enter_pid_namespace(libc, self.cgroup)
            if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
                raise OSError(ctypes.get_errno(), "making the mounts private failed")
            if self.private_tmp is not None:
                self._cover_tmp(libc, self.private_tmp)
            if libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None) != 0:
                raise OSError(ctypes.get_errno(), "mounting a private /proc failed")
            if libc.mount(b"shm", b"/dev/shm", b"tmpfs", _MS_NOSUID | _MS_NODEV, _SHM_SIZE) != 0:
                raise OSError(ctypes.get_errno(), "mounting a private /dev/shm failed")
            _serve_as_init(keeper, status_w)
        elif self.private_tmp is not None:
            if libc.unshare(_CLONE_NEWNS) == 0 and libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) == 0:
                self._cover_tmp(libc, self.private_tmp)
        handled = _handled(self.abi)
        attr = ctypes.c_uint64(handled)
        ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(8), ctypes.c_uint32(0))
        if ruleset < 0:
            raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
        try:
            rules = [(p, _READ) for p in self.read_only] + [(p, handled) for p in self.read_write]
            if self.private_tmp is not None:
                rules.append(("/tmp", handled))
            for path, rights in rules:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    is_dir = os.path.isdir(path)
                    rule = _PathBeneath(
                        rights if is_dir else rights & (_EXECUTE | _READ_FILE | _WRITE_FILE | _TRUNCATE), fd
                    )
                    if (
                        libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
                        != 0
                    ):
                        raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
                finally:
                    os.close(fd)
            if (
                libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                or libc.syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0
            ):
                raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
        finally:
            os.close(ruleset)

    def _cover_tmp(self, libc: ctypes.CDLL, private_tmp: str) -> None:
        """Mount the environment's own folder on /tmp, then bind what it needs from under the host's /tmp (a runtime
        or gureum installed there, its own folder in a data directory there) back at the same paths: held open
        before /tmp is covered, mounted from /proc/self/fd after."""
        held = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in self.under_tmp if os.path.exists(path)]
        try:
            if libc.mount(private_tmp.encode(), b"/tmp", None, _MS_BIND, None) != 0:
                return
            for path, fd in held:
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    open(path, "a").close()
                libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None)
        finally:
            for _, fd in held:
                os.close(fd)

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """The environment variables as the sandboxed process sees its folders (TMPDIR is /tmp once mounted there)."""
        return {**env, "TMPDIR": "/tmp"} if self.private_tmp is not None else env


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths not beneath another of them (binding a folder brings what is beneath it)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(parent + "/") for parent in kept):
            kept.append(path)
    return tuple(kept)


def pid_namespace_available() -> bool:
    """Whether environments get their own PID namespace (gureum is root on Linux; GUREUM_LAMBDA_PID_NAMESPACE=0
    turns it off)."""
    if _LIBC is None or os.geteuid() != 0 or os.environ.get("GUREUM_LAMBDA_PID_NAMESPACE", "1") == "0":
        return False
    return _kernel_allows_namespaces()


@functools.cache
def _kernel_allows_namespaces() -> bool:
    """Asked once, of a throwaway process: a container may refuse new PID namespaces even to root."""
    probe = (
        "import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True)\n"
        f"sys.exit(0 if libc.unshare({_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC}) == 0 else 1)"
    )
    try:
        allowed = subprocess.run([sys.executable, "-S", "-c", probe], timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        allowed = False
    if not allowed:
        log.warning("the kernel refuses PID namespaces: Lambda environments see and may signal the host's processes")
    return allowed


def pids_cgroup(name: str) -> str | None:
    """A pids cgroup of its own for one environment (at most ``PIDS_MAX`` processes and threads, as on AWS), when
    a pids controller is writable (cgroup v2 with +pids at the root, or v1's pids hierarchy); else None."""
    if os.environ.get("GUREUM_LAMBDA_PIDS_CGROUP", "1") == "0":
        return None
    for base in _pids_roots():
        _sweep_stale(os.path.join(base, "gureum-lambda"))
        path = os.path.join(base, "gureum-lambda", name)
        try:
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "pids.max"), "w") as limit:
                limit.write(str(PIDS_MAX))
            return path
        except OSError:
            continue
    return None


def remove_cgroup(path: str) -> bool:
    """Kill what is left in the environment's cgroup and remove it: False while processes are still exiting."""
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


@functools.cache
def _pids_roots() -> tuple[str, ...]:
    roots = []
    try:
        with open("/sys/fs/cgroup/cgroup.subtree_control") as controllers:
            if "pids" in controllers.read().split():
                roots.append("/sys/fs/cgroup")
    except OSError:
        pass
    if os.path.exists("/sys/fs/cgroup/pids/cgroup.procs"):
        roots.append("/sys/fs/cgroup/pids")
    return tuple(roots)


def isolation() -> dict[str, bool]:
    """Which isolation environments get here (for /_gureum/health)."""
    root = _LIBC is not None and os.geteuid() == 0
    cgroup = False
    if root and os.environ.get("GUREUM_LAMBDA_PIDS_CGROUP", "1") != "0":
        cgroup = any(os.access(base, os.W_OK) for base in _pids_roots())
    return {
        "landlock": bool(landlock_abi()),
        "pid_namespace": bool(landlock_abi()) and pid_namespace_available(),
        "private_tmp": bool(landlock_abi()) and root,
        "pids_cgroup": cgroup,
        "rlimit_nproc": _LIBC is not None and not root,
        "unprivileged_user": False,
    }


def _clone() -> int:
    """fork(2) as the raw system call: no at-fork handlers. Under uvloop, ``preexec_fn`` runs inside libuv's fork's
    own at-fork handler, and a library fork (os.fork) would run it again in the new child, recursively (each level
    a nested PID namespace, until the kernel's limit of 32: ENOSPC)."""
    assert _LIBC is not None
    pid = int(_LIBC.syscall(_SYS_CLONE, signal.SIGCHLD, 0, 0, 0, 0))
    if pid < 0:
        raise OSError(ctypes.get_errno(), "clone failed")
    return pid


def _enter_pid_namespace(libc: ctypes.CDLL, cgroup: str | None) -> tuple[int, int]:
    """In the child, before exec: its own cgroup, new mount, PID and IPC namespaces, then a fork. The forked
    process is the namespace's init (PID 1, returning here with the keeper's pid and a pipe for the runtime's exit
    status); when it ends, the kernel kills every process left in the namespace (a double-forked setsid child
    included). The process gureum started stays outside as its keeper, in a session of its own (gureum kills that
    process group): it waits for the init and ends as the runtime did; killed (or gureum gone), it takes the init,
    and so the namespace, down with it."""
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the keeper dies with gureum, even after kill -9
    try:
        os.setsid()  # uvloop starts the session after preexec_fn, which the keeper never leaves
    except OSError:
        pass  # already a session leader (subprocess: start_new_session before preexec_fn)
    if cgroup is not None:
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    if libc.unshare(_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare of the PID namespace failed")
    keeper = os.getpid()
    status_r, status_w = os.pipe()
    init = _clone()
    if init == 0:
        os.close(status_r)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # the keeper gone (killed with its group): the namespace too
        if not os.path.exists(f"/proc/{keeper}"):  # (still the host's /proc) it went before the line above
            os._exit(137)
        return keeper, status_w
    max_fd = os.sysconf("SC_OPEN_MAX")
    os.closerange(3, status_r)  # the output pipe, the spawner's error pipes: the init's
    os.closerange(status_r + 1, max_fd if max_fd > 0 else 65536)
    while True:
        try:
            os.waitpid(init, 0)
            break
        except InterruptedError:
            continue
    raw = b""
    while len(raw) < 4 and (chunk := os.read(status_r, 4 - len(raw))):
        raw += chunk
    status = int.from_bytes(raw, "little") if len(raw) == 4 else 137 << 8
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _serve_as_init(keeper: int, status_w: int) -> None:
    """PID 1 of the namespace: fork the runtime (returning in it, numbered as its keeper is on the host, so each
    environment's runtime has a pid of its own as before), reap every orphan, and when the runtime ends, send its
    wait status to the keeper and end (the kernel then kills what is left in the namespace)."""
    try:
        with open("/proc/sys/kernel/ns_last_pid", "w") as last:
            last.write(str(keeper - 1))
    except OSError:
        pass  # the runtime is PID 2
    runtime = _clone()
    if runtime == 0:
        os.close(status_w)
        return
    max_fd = os.sysconf("SC_OPEN_MAX")
    os.closerange(3, status_w)
    os.closerange(status_w + 1, max_fd if max_fd > 0 else 65536)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            status = 137 << 8
            break
        if pid == runtime:
            break
    os.write(status_w, status.to_bytes(4, "little"))
    os._exit(0)


def _link_targets(folder: Path) -> set[Path]:
    """The folders the symbolic links directly inside ``folder`` point into (the SDK layer is a folder of links)."""
    found: set[Path] = set()
    try:
        for entry in folder.iterdir():
            if entry.is_symlink():
                found.add(entry.resolve().parent)
    except OSError:
        pass
    return found
