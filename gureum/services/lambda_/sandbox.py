"""File-system isolation of execution environments without a container engine: Linux Landlock, plus a private
/tmp when gureum may create a mount namespace.

An environment's process may read (and execute) only the system's directories (/usr, /etc, /lib…), its runtime
(the interpreter's installation, gureum's bootstrap loops, the SDK it is given), its own code and layers; it may
write only its own private folder and /dev. gureum's data directory — the store, other functions' code and
folders — is out of reach. Landlock is an unprivileged kernel feature (Linux 5.13+); where the kernel lacks it the
environment runs without it and gureum says so once in its log. As root, the environment also gets a mount
namespace in which its private folder is mounted on /tmp, as on AWS (code that writes to /tmp directly works and
sees only its own files); otherwise /tmp itself is not writable and TMPDIR names the private folder.

The rules are computed in gureum (``Sandbox.for_environment``) and applied in the child between fork and exec
(``Sandbox.apply``): a handful of system calls, no allocation-heavy work.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("gureum.lambda")

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWNS = 0x00020000
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000

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
        tmp = None
        if os.geteuid() == 0 and not any(
            p == "/tmp" or p.startswith("/tmp/") for p in (*paths, str(private.resolve()))
        ):
            tmp = str(private / "tmp")  # nothing the environment needs lives under /tmp: it may cover it
        return cls(abi, paths, (str(private), "/dev"), tmp)

    def apply(self) -> None:
        """In the child, before exec: the private /tmp (when possible), then the Landlock ruleset on itself."""
        assert _LIBC is not None
        libc = _LIBC
        if self.private_tmp is not None:
            if libc.unshare(_CLONE_NEWNS) == 0 and libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) == 0:
                libc.mount(self.private_tmp.encode(), b"/tmp", None, _MS_BIND, None)
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

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """The environment variables as the sandboxed process sees its folders (TMPDIR is /tmp once mounted there)."""
        return {**env, "TMPDIR": "/tmp"} if self.private_tmp is not None else env


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
