"""Isolation of execution environments without a container engine: Linux Landlock, and as root namespaces, a user
of its own and cgroups.

An environment's process may read (and execute) only the system's directories (/usr, /etc, /lib…), its runtime
(the interpreter's installation, gureum's bootstrap loops, the SDK it is given), its own code and layers; it may
write only its own private folder and /dev. gureum's data directory — the store, other functions' code and
folders — is out of reach. Landlock is an unprivileged kernel feature (Linux 5.13+); where the kernel lacks it the
environment runs without it and gureum says so once in its log. As root, the environment also gets a mount
namespace in which its private folder is mounted on /tmp, as on AWS (code that writes to /tmp directly works and
sees only its own files; a runtime installed under /tmp is bound back at its path); otherwise (not root, or gureum's
data directory itself under /tmp) /tmp is not writable and TMPDIR names the private folder. As root it runs as a
user of its own (``new_user``: a random uid and gid per environment, no supplementary groups, sbx_user1051 in its
passwd file): in its mount namespace gureum's data directory and every folder that user could not traverse (/root
holding pyenv, a mktemp folder holding a venv) are covered by an empty one, and what it needs beneath them (its
runtime, SDK, code, layers, own folder) is bound back at the same path, so nothing on the host changes. As root
(where the kernel allows it), each environment also runs in PID and IPC namespaces of its own with a private /proc
and /dev/shm (it sees and signals only its own processes; all of them end with it), in pids and memory cgroups of
its own where writable (cgroups.py); RLIMIT_NPROC bounds its user's processes (gureum's own user when not root).
``isolation()`` says which.

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
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import cgroups
from .cgroups import Cgroups

log = logging.getLogger("gureum.lambda")

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWNS, _CLONE_NEWPID, _CLONE_NEWIPC = 0x00020000, 0x20000000, 0x08000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x8, 0x1000, 0x4000, 0x40000
_PR_SET_PDEATHSIG = 1
_SYS_CLONE = 56 if os.uname().machine == "x86_64" else 220  # x86-64; arm64 (and most others)
_SHM_SIZE = b"size=64m,mode=1777"
# environments' uids (and gids): above systemd's container ranges, below 2^31 (some tools take uids as signed)
USER_BASE, USER_SPAN = 0x7A000000, 1 << 24

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
    cgroups: Cgroups | None = None  # (as root) its own pids and memory cgroups, where writable
    covers: tuple[str, ...] = ()  # (as root) folders covered by an empty one in its mount namespace
    binds: tuple[str, ...] = ()  # what it needs from under /tmp or a covered folder, bound back at its path
    user: int | None = None  # (as root) the uid and gid it runs as, without supplementary groups
    identity: str | None = None  # a folder with the passwd and group files naming that user, bound over /etc's

    @classmethod
    def for_environment(
        cls,
        argv: list[str],
        env: dict[str, str],
        task_root: Path,
        private: Path,
        bootstrap_dir: Path,
        *,
        hidden: Path | None = None,
        user: int | None = None,
        memory_mb: int = 0,
        extra: tuple[Path, ...] = (),
    ) -> Sandbox | None:
        """The rules for one environment: what its runtime needs to read, its code, its private folder (and, as
        root: ``hidden``, gureum's data directory, covered; ``user``, the uid to run as; its cgroups' memory)."""
        abi = landlock_abi()
        if not abi:
            return None
        readable: set[Path] = {task_root, bootstrap_dir, *extra}  # extra: its layers' extensions
        for path in (Path(p) for p in SYSTEM_DIRS):
            if path.exists():
                readable.add(path)
        executable = Path(argv[0]).resolve()
        if executable.name.startswith(("python", "node")):
            readable.add(executable.parent.parent)  # the interpreter's installation: <prefix>/bin/python3 → <prefix>
        else:
            readable.add(executable.parent)  # a custom runtime's bootstrap: the code or the layers holding it
        for name in ("PYTHONPATH", "NODE_PATH", "CLASSPATH", "RUBYLIB"):
            for entry in filter(None, env.get(name, "").split(os.pathsep)):
                readable.add(Path(entry))
                readable.update(_link_targets(Path(entry)))
        paths = tuple(sorted({str(p.resolve()) for p in readable if p.exists()}))
        own = str(private.resolve())
        root = os.geteuid() == 0
        # its own folder covers /tmp unless gureum's data directory is under /tmp (binding the environment's code
        # back would show that directory's layout there); what else it reads from under /tmp is bound back
        tmp = str(private / "tmp") if root and not own.startswith("/tmp/") else None
        pidns = pid_namespace_available()
        user = user if root and user is not None and mount_namespace_available() else None
        covers: set[str] = set()
        if root and hidden is not None and (pidns or user is not None):
            covers.add(str(hidden.resolve()))  # its store and the other functions' folders are not even there
        needed = [*paths, own]
        if user is not None:  # the folders it could not traverse (/root, a mktemp folder) are covered too
            covers.update(filter(None, (_closed_ancestor(p) for p in needed)))
        if tmp is not None:
            covers = {c for c in covers if not c.startswith("/tmp/")}
        covers = set(_outermost(covers))
        under = [p for p in needed if any(p.startswith(c + "/") for c in covers | ({"/tmp"} if tmp else set()))]
        return cls(
            abi,
            paths,
            (str(private), "/dev"),
            tmp,
            pidns,
            cgroups.for_environment(f"{os.getpid()}-{private.name}", memory_mb * 1024 * 1024) if pidns else None,
            tuple(sorted(covers)),
            _outermost(under),
            user,
            _write_identity(private / ".identity", user) if user is not None else None,
        )

    def apply(self) -> None:
        """In the child, before exec: its namespaces and mounts (as root), the Landlock ruleset on itself, then its
        own user."""
        assert _LIBC is not None
        libc = _LIBC
        if self.pid_namespace:
            keeper, status_w = _enter_pid_namespace(libc, self.cgroups)
            if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
                raise OSError(ctypes.get_errno(), "making the mounts private failed")
            self._mount_view(libc)
            if libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None) != 0:
                raise OSError(ctypes.get_errno(), "mounting a private /proc failed")
            if libc.mount(b"shm", b"/dev/shm", b"tmpfs", _MS_NOSUID | _MS_NODEV, _SHM_SIZE) != 0:
                raise OSError(ctypes.get_errno(), "mounting a private /dev/shm failed")
            _serve_as_init(keeper, status_w)
        elif self.private_tmp is not None or self.covers or self.user is not None:
            if libc.unshare(_CLONE_NEWNS) == 0 and libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) == 0:
                self._mount_view(libc)
            elif self.user is not None:
                raise OSError(ctypes.get_errno(), "a mount namespace of its own could not be made")
        if self.user is not None:
            try:
                os.chdir(os.getcwd())  # its code, as bound back: the folder it started in is covered now
            except OSError:
                pass
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
        if self.user is not None:
            os.setgroups([])
            os.setresgid(self.user, self.user, self.user)
            os.setresuid(self.user, self.user, self.user)

    def _mount_view(self, libc: ctypes.CDLL) -> None:
        """Its file system as it sees it: its passwd and group files over /etc's; its own folder mounted on /tmp and
        an empty folder over each covered one (gureum's data directory; as another user, the folders it could not
        traverse: /root, a mktemp folder); then what it needs from under those bound back at the same paths: held
        open before anything is covered, mounted from /proc/self/fd after."""
        if self.identity is not None:
            for name in ("passwd", "group"):
                source, target = os.path.join(self.identity, name), f"/etc/{name}"
                if os.path.exists(target) and libc.mount(source.encode(), target.encode(), None, _MS_BIND, None):
                    raise OSError(ctypes.get_errno(), f"binding {target} failed")
        held = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in self.binds if os.path.exists(path)]
        mask = os.umask(0o022)  # the folders leading to what is bound back: traversable by its user
        try:
            if self.private_tmp is not None:
                if libc.mount(self.private_tmp.encode(), b"/tmp", None, _MS_BIND, None) != 0:
                    raise OSError(ctypes.get_errno(), "mounting its own folder on /tmp failed")
            for cover in self.covers:
                if libc.mount(b"gureum", cover.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=64k,mode=755"):
                    raise OSError(ctypes.get_errno(), f"covering {cover} failed")
            for path, fd in held:
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.makedirs(path, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    open(path, "a").close()
                if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None) != 0:
                    raise OSError(ctypes.get_errno(), f"binding {path} back failed")
        finally:
            os.umask(mask)
            for _, fd in held:
                os.close(fd)

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """The environment variables as the sandboxed process sees its folders (TMPDIR is /tmp once mounted there)."""
        return {**env, "TMPDIR": "/tmp"} if self.private_tmp is not None else env


def new_user(taken: Collection[int]) -> int:
    """A uid (and gid) for a new environment: at random in gureum's range, none this gureum's live environments use
    (gureums sharing a machine draw from 16.7 million: a clash is rare, and their namespaces and Landlock still
    hold)."""
    while True:
        user = USER_BASE + int.from_bytes(os.urandom(3), "little") % USER_SPAN
        if user not in taken:
            return user


def _closed_ancestor(path: str) -> str | None:
    """The outermost folder above ``path`` that another user cannot traverse (no execute bit for others), if any."""
    parts = Path(path).parts
    for depth in range(2, len(parts)):
        folder = os.path.join(*parts[:depth])
        try:
            if not os.stat(folder).st_mode & 0o001:
                return folder
        except OSError:
            return None
    return None


def _write_identity(folder: Path, user: int) -> str:
    """The passwd and group files an environment running as ``user`` sees: the host's, plus AWS's sbx_user1051 with
    that uid and gid (as on AWS, its home folder does not exist)."""
    folder.mkdir(mode=0o755, exist_ok=True)
    for name, line in (
        ("passwd", f"sbx_user1051:x:{user}:{user}::/home/sbx_user1051:/sbin/nologin\n"),
        ("group", f"sbx_user1051:x:{user}:\n"),
    ):
        try:
            host = Path(f"/etc/{name}").read_text(encoding="utf-8", errors="replace")
        except OSError:
            host = ""
        if host and not host.endswith("\n"):
            host += "\n"
        (folder / name).write_text(host + line, encoding="utf-8")
        os.chmod(folder / name, 0o644)
    return str(folder)


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
    return _kernel_allows(_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWIPC)


def mount_namespace_available() -> bool:
    """Whether environments can get a mount namespace of their own (gureum is root on Linux, the kernel allows it)."""
    return _LIBC is not None and os.geteuid() == 0 and _kernel_allows(_CLONE_NEWNS)


def unprivileged_user_available() -> bool:
    """Whether environments run as users of their own: gureum is root, Landlock and mount namespaces are there (the
    runtime and code are bound where the user can reach them), and GUREUM_LAMBDA_UNPRIVILEGED_USER is not 0. When
    gureum is not root, environments run as gureum's own user."""
    if os.environ.get("GUREUM_LAMBDA_UNPRIVILEGED_USER", "1") == "0":
        return False
    return bool(landlock_abi()) and mount_namespace_available()


@functools.cache
def _kernel_allows(flags: int) -> bool:
    """Asked once, of a throwaway process: a container may refuse new namespaces even to root."""
    probe = (
        "import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True)\n"
        f"sys.exit(0 if libc.unshare({flags}) == 0 else 1)"
    )
    try:
        allowed = subprocess.run([sys.executable, "-S", "-c", probe], timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        allowed = False
    if not allowed:
        what = "PID" if flags & _CLONE_NEWPID else "mount"
        log.warning("the kernel refuses %s namespaces: Lambda environments are less isolated (see health)", what)
    return allowed


def isolation() -> dict[str, bool | str]:
    """Which isolation environments get here (for /_gureum/health); ``user`` says whose user they run as."""
    root = _LIBC is not None and os.geteuid() == 0
    landlock = bool(landlock_abi())
    pidns = landlock and pid_namespace_available()
    limits = cgroups.available() if pidns else {"pids_cgroup": False, "memory_cgroup": False}
    user = landlock and root and unprivileged_user_available()
    return {
        "user": "per-environment" if user else "gureum",
        "landlock": landlock,
        "pid_namespace": pidns,
        "private_tmp": landlock and root,
        **limits,
        "rlimit_nproc": _LIBC is not None and (not root or user),
        "unprivileged_user": user,
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


def _enter_pid_namespace(libc: ctypes.CDLL, groups: Cgroups | None) -> tuple[int, int]:
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
    if groups is not None:
        cgroups.join(groups)
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
        if sig not in (signal.SIGKILL, signal.SIGSTOP):  # (their handlers cannot be set: they are the default)
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
