"""The runtimes beyond Python and Node.js: Java on a JDK of the runtime's major (JAVA_HOME, /usr/lib/jvm/*, or java on
PATH; gureum's own runtime client, bootstrap/java/GureumRuntime.java, compiled once with that JDK's javac into the
runtime cache), Ruby on a ruby of the runtime's version, and .NET / PowerShell, which need dotnet / pwsh on PATH.

The explicit version override (GUREUM_LAMBDA_RUNTIME_OVERRIDE, off by default): ``ruby3.3=3.1,java21=17`` serves
ruby3.3 on Ruby 3.1 and java21 on JDK 17 (Java and Ruby runtimes); every START line of such an environment names
it. Nothing else is ever substituted.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import invalid

JAVA = {"java11": "11", "java17": "17", "java21": "21", "java25": "25"}
RUBY = {"ruby3.2": "3.2", "ruby3.3": "3.3", "ruby3.4": "3.4", "ruby4.0": "4.0"}
DOTNET = {"dotnet8": "8", "dotnet10": "10"}
# PowerShell functions run as custom runtimes on AWS (provided.*, with a PowerShell layer); none has a managed name
JAVA_SOURCE = Path(__file__).parent / "bootstrap" / "java" / "GureumRuntime.java"
OVERRIDE_VARIABLE = "GUREUM_LAMBDA_RUNTIME_OVERRIDE"


def overrides() -> dict[str, str]:
    """The runtimes the operator maps to another installed version ({runtime: version})."""
    found: dict[str, str] = {}
    for item in os.environ.get(OVERRIDE_VARIABLE, "").split(","):
        runtime, sep, version = item.strip().partition("=")
        if sep and runtime.strip() and version.strip():
            found[runtime.strip()] = version.strip()
    return found


def version_for(runtime: str, table: dict[str, str]) -> tuple[str, bool]:
    """The version that serves ``runtime``: its own, or the override's (and whether it is one)."""
    override = overrides().get(runtime)
    return (override, True) if override else (table[runtime], False)


def override_note(runtime: str) -> str | None:
    """What a START line says when ``runtime`` is served on an overridden version."""
    override = overrides().get(runtime) if runtime in JAVA or runtime in RUBY else None
    if override is None:
        return None
    return f"Runtime Override: {runtime} served on version {override} ({OVERRIDE_VARIABLE})"


# --- Java -----------------------------------------------------------------------------------------


def _jdk_major(home: Path) -> str | None:
    try:
        text = (home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', text, re.MULTILINE)
    if match is None:
        return None
    return match.group(2) if match.group(1) == "1" and match.group(2) else match.group(1)


@functools.cache
def java_home(major: str) -> Path | None:
    """A JDK (java and javac) of this major: JAVA_HOME, one under /usr/lib/jvm, or the one java on PATH is from."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted(p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink())
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path).resolve().parent.parent)
    for home in candidates:
        if _jdk_major(home) == major and (home / "bin" / "java").exists() and (home / "bin" / "javac").exists():
            return home
    return None


def java_majors() -> list[str]:
    """The JDK majors this machine has (for the refusal's message)."""
    jvm = Path("/usr/lib/jvm")
    found = {_jdk_major(p) for p in jvm.iterdir()} if jvm.is_dir() else set()
    return sorted((m for m in found if m), key=int)


def check_java(runtime: str) -> None:
    major, overridden = version_for(runtime, JAVA)
    if java_home(major) is None:
        have = ", ".join(java_majors()) or "none"
        how = f" ({OVERRIDE_VARIABLE} maps it to {major})" if overridden else ""
        raise invalid(
            f"The runtime {runtime} needs a JDK {major}{how} with java and javac, and this machine has JDKs: {have}. "
            f"Install one (e.g. apt install openjdk-{major}-jdk-headless, or set JAVA_HOME); gureum does not "
            f"substitute another version unless {OVERRIDE_VARIABLE} says so."
        )


def java_classes(cache: Path, major: str) -> Path:
    """Where gureum's runtime client compiled by the JDK ``major`` lives (one folder per source version)."""
    digest = hashlib.sha256(JAVA_SOURCE.read_bytes()).hexdigest()[:12]
    return cache / f"java-runtime-{major}-{digest}"


async def ensure_java(cache: Path, runtime: str) -> None:
    """Compile gureum's Java runtime client with the runtime's JDK, once (the first compile renamed in wins)."""
    major, _ = version_for(runtime, JAVA)
    home = java_home(major)
    if home is None:
        check_java(runtime)
        return
    target = java_classes(cache, major)
    if (target / "GureumRuntime.class").exists():
        return
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".java-{major}-", dir=cache))
    try:
        proc = await asyncio.create_subprocess_exec(
            str(home / "bin" / "javac"), "-nowarn", "-d", str(work / "classes"), str(JAVA_SOURCE),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(proc.communicate(), 300)
        if proc.returncode != 0:
            raise invalid(f"gureum's Java runtime client did not compile with JDK {major}: {out.decode()[-500:]}")
        try:
            os.rename(work / "classes", target)
        except OSError:
            if not (target / "GureumRuntime.class").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def java_launch(cache: Path, runtime: str, memory: int, opt: Path | None) -> tuple[list[str], dict[str, str]]:
    """The JVM's command line as AWS's java runtimes start it (serial GC, C1 only, class data sharing, the heap
    sized from MemorySize) and its environment (the runtime client on CLASSPATH; JAVA_TOOL_OPTIONS is the user's)."""
    major, _ = version_for(runtime, JAVA)
    home = java_home(major)
    if home is None:
        check_java(runtime)
        raise AssertionError("unreachable")
    heap = max(32, int(memory * 0.85))
    argv = [str(home / "bin" / "java"), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto", f"-XX:MaxHeapSize={heap}m", "-XX:MaxMetaspaceSize=256m", "GureumRuntime"]  # fmt: skip
    classpath = [str(java_classes(cache, major))] + ([str(opt)] if opt is not None else [])
    env = {"CLASSPATH": os.pathsep.join(classpath), "JAVA_HOME": str(home)}
    if opt is not None:
        env["GUREUM_OPT"] = str(opt)
    return argv, env


# --- Ruby -----------------------------------------------------------------------------------------


def _ruby_version(ruby: str) -> str | None:
    try:
        out = subprocess.run([ruby, "-e", "print RUBY_VERSION"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"^(\d+\.\d+)\.", out.strip())
    return match.group(1) if match else None


@functools.cache
def ruby_for(version: str) -> str | None:
    """A ruby of this version: ruby<version> or ruby on PATH."""
    for name in (f"ruby{version}", "ruby"):
        found = shutil.which(name)
        if found and _ruby_version(found) == version:
            return found
    return None


def check_ruby(runtime: str) -> None:
    version, overridden = version_for(runtime, RUBY)
    if ruby_for(version) is None:
        ruby = shutil.which("ruby")
        have = f"Ruby {_ruby_version(ruby)}" if ruby else "no Ruby"
        how = f" ({OVERRIDE_VARIABLE} maps it to {version})" if overridden else ""
        raise invalid(
            f"The runtime {runtime} needs Ruby {version}{how}, and this machine has {have}. Install Ruby {version} "
            f"(ruby{version} or ruby on PATH), or map {runtime} to the installed version explicitly with "
            f"{OVERRIDE_VARIABLE}={runtime}=<version>; gureum does not substitute another version by itself."
        )


# --- .NET and PowerShell --------------------------------------------------------------------------


def check_dotnet(runtime: str) -> None:
    """dotnet8 needs the .NET 8 runtime; gureum has no .NET runtime client of its own yet, so it is refused either way
    with what it would take."""
    if shutil.which("dotnet") is None:
        raise invalid(
            f"The runtime {runtime} needs the .NET {DOTNET[runtime]} runtime (dotnet on PATH), and this machine has "
            f"none. Install it (e.g. apt install dotnet-runtime-{DOTNET[runtime]}.0), or ship the function as a "
            "provided.al2023 custom runtime (a self-contained bootstrap)."
        )
    raise invalid(
        f"The runtime {runtime} is not served by gureum yet although dotnet is installed: ship the function as a "
        "provided.al2023 custom runtime (a self-contained bootstrap, e.g. with Amazon.Lambda.RuntimeSupport)."
    )


def ruby_launch(runtime: str, bootstrap: Path, task_root: Path, opt: Path | None) -> tuple[list[str], dict[str, str]]:
    """ruby running gureum's Ruby runtime client, with AWS's load path: the function's code, its vendored gems
    (vendor/bundle/ruby/<abi>/gems/*/lib, found by the client), the layers' /opt/ruby/lib, and GEM_PATH for the
    vendored and layer gems."""
    version, _ = version_for(runtime, RUBY)
    ruby = ruby_for(version)
    if ruby is None:
        check_ruby(runtime)
        raise AssertionError("unreachable")
    lib = [str(bootstrap.parent), str(task_root)] + ([str(opt / "ruby" / "lib")] if opt is not None else [])
    gems = [str(p) for p in sorted((task_root / "vendor" / "bundle" / "ruby").glob("*"))]
    if opt is not None:
        gems += [str(p) for p in sorted((opt / "ruby" / "gems").glob("*"))]
    env = {"RUBYLIB": os.pathsep.join(lib), "GEM_PATH": os.pathsep.join(gems), "GEM_HOME": gems[0] if gems else "",
           "GUREUM_OPT": str(opt) if opt is not None else ""}  # fmt: skip
    return [ruby, "--disable-did_you_mean", str(bootstrap)], {k: v for k, v in env.items() if v}
