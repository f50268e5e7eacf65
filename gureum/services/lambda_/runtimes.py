"""The runtimes gureum serves and how each starts: Python on the matching pyenv/system interpreter, Node.js
on the machine's node when its major matches, and provided.* running the function's own ``bootstrap``.

A runtime the machine cannot serve is refused with an AWS-shaped error; gureum never substitutes another.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import invalid
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
# the pure-Python AWS SDK the python runtimes find after the function's own packages, as /var/runtime holds boto3 on AWS
_SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


@dataclass(slots=True, frozen=True)
class Launch:
    """How to start one execution environment's process."""

    argv: list[str]
    env: dict[str, str]  # runtime-specific variables added to the AWS ones
    address_space_mb: int  # RLIMIT_AS for the process


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


@functools.cache
def python_interpreter(version: str) -> str | None:
    """An interpreter for 3.N: pyenv's newest 3.N.*, else python3.N on PATH, else this process's own if it matches."""
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


@functools.cache
def node_major() -> str | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"^v(\d+)\.", out.strip())
    return match.group(1) if match else None


def check_runtime(runtime: str) -> None:
    """Raise InvalidParameterValueException unless this machine can run ``runtime``."""
    if runtime in DEPRECATED:
        raise invalid(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
            "We recommend you use a supported runtime while creating or updating functions."
        )
    if runtime in PYTHON:
        if python_interpreter(PYTHON[runtime]) is None:
            raise invalid(
                f"The runtime {runtime} needs a Python {PYTHON[runtime]} interpreter, and none was found on this "
                f"machine (pyenv or python{PYTHON[runtime]} on PATH)."
            )
        return
    if runtime in NODEJS:
        major = node_major()
        if major != NODEJS[runtime]:
            have = f"Node.js {major}" if major else "no Node.js"
            raise invalid(
                f"The runtime {runtime} needs Node.js {NODEJS[runtime]}, and this machine has {have}; gureum does "
                "not substitute another version."
            )
        return
    if runtime in PROVIDED:
        return
    raise invalid(
        f"The runtime {runtime} is not served by gureum yet (served: python3.9-3.13, nodejs18.x/20.x/22.x per the "
        "machine's Node, provided.al2, provided.al2023)."
    )


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
    """The command line and extra environment for a new environment of ``runtime`` (``opt``: the merged layers)."""
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
        node = shutil.which("node") or "node"
        heap = max(64, int(memory * 0.85))  # as AWS's own Node bootstrap sizes V8's old space from the memory setting
        layer_paths = (
            [opt / "nodejs" / f"node{NODEJS[runtime]}" / "node_modules", opt / "nodejs" / "node_modules"] if opt else []
        )
        env = {"NODE_PATH": os.pathsep.join([*(str(p) for p in layer_paths), str(task_root / "node_modules")])}
        argv = [node, f"--max-old-space-size={heap}", str(BOOTSTRAP_DIR / "nodejs" / "bootstrap.js")]
        return Launch(argv, env, memory + NODE_ADDRESS_ALLOWANCE_MB)
    bootstrap = task_root / "bootstrap"
    if not bootstrap.exists() and opt is not None and (opt / "bootstrap").exists():
        bootstrap = opt / "bootstrap"  # a runtime shipped as a layer, as AWS looks in /opt too
    return Launch([str(bootstrap)], {}, memory)
