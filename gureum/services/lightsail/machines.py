"""Instances as system containers on the engine (gureum.containers): the Debian blueprint image built once and
cached (blueprint.py, in a worker thread, imported through the Engine API), a container per instance with the
bundle's memory and CPU limits, its first-boot files (authorized key, host key, access CA, user data) copied in
before it starts, start/stop/restart of the same container (its disk kept), snapshots as engine commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import shutil
import tarfile
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ...containers import Containers, Engine, EngineError
from ...containers.engine import API_VERSION
from . import blueprint

log = logging.getLogger("gureum")
IMAGE_REPO = "localhost/gureum-lightsail/debian"
SNAPSHOT_REPO = "localhost/gureum-lightsail/snapshot"
LABEL = "gureum.lightsail.instance"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileSpec:
    """A file copied into an instance before it first starts."""

    path: str  # absolute
    data: bytes
    mode: int = 0o644
    uid: int = 0


@dataclass(frozen=True, slots=True)
class Seen:
    """What the engine says of an instance's container."""

    exists: bool
    running: bool
    ip: str | None
    exit_code: int | None
    error: str


class Machines:
    """The engine side of instances."""

    def __init__(self, containers: Containers) -> None:
        self._containers = containers
        self._building = asyncio.Lock()
        self._image: str | None = None

    def image_tag(self) -> str:
        return f"{IMAGE_REPO}:12-r{blueprint.RECIPE}"

    async def engine(self) -> Engine:
        return await self._containers.require()

    def _raw(self) -> httpx.AsyncClient:
        """A client of the same engine for bodies the shared client does not send (tar uploads)."""
        address = self._containers.address or ""
        if address.startswith("unix://"):
            transport = httpx.AsyncHTTPTransport(uds=address[len("unix://") :])
            base = "http://engine"
        else:
            transport = httpx.AsyncHTTPTransport()
            base = "http://" + address.split("://", 1)[1]
        return httpx.AsyncClient(transport=transport, base_url=f"{base}/{API_VERSION}", timeout=600)

    async def ensure_image(self, progress: Callable[[str], None]) -> str:
        """The blueprint's image: the cached one, or built now (once; concurrent callers wait for that build)."""
        tag = self.image_tag()
        engine = await self.engine()
        if self._image == tag and await engine.inspect_image(tag) is not None:
            return tag
        async with self._building:
            if await engine.inspect_image(tag) is None:
                await self._build(tag, progress)
            self._image = tag
        return tag

    async def _build(self, tag: str, progress: Callable[[str], None]) -> None:
        work = Path(tempfile.mkdtemp(prefix="gureum-lightsail-"))
        started = asyncio.get_running_loop().time()
        try:
            progress(f"building the Debian blueprint image {tag} (once; cached by the engine)")
            archive = await asyncio.to_thread(blueprint.build, work, progress)
            progress("importing the root filesystem into the engine")
            repo, _, version = tag.rpartition(":")
            async with self._raw() as client:
                response = await client.post(
                    "/images/create",
                    params={"fromSrc": "-", "repo": repo, "tag": version},
                    content=_chunks(archive),
                    headers={"Content-Type": "application/x-tar"},
                )
                if response.status_code >= 400:
                    raise EngineError(response.text[:500], response.status_code)
                image_id = _imported_id(response.text)
                # Podman's import ignores the tag parameter: tag the image itself
                tagged = await client.post(f"/images/{image_id}/tag", params={"repo": repo, "tag": version})
                if tagged.status_code >= 400:
                    raise EngineError(tagged.text[:500], tagged.status_code)
            progress(f"blueprint image {tag} ready in {asyncio.get_running_loop().time() - started:.1f}s")
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)

    async def create(
        self, name: str, image: str, command: list[str], files: list[FileSpec], memory_gb: float, cpus: int
    ) -> str:
        """A container for the instance (not started) with ``files`` in it."""
        engine = await self.engine()
        config = {
            "Image": image,
            "Cmd": command,
            "Hostname": name,
            "Labels": {LABEL: name},
            "StopSignal": "SIGTERM",
            "HostConfig": {"Memory": int(memory_gb * 2**30), "NanoCpus": cpus * 10**9},
        }
        container = await engine.create_container(None, config)
        try:
            await self.put_files(container, files)
        except Exception:
            await engine.remove_container(container)
            raise
        return container

    async def put_files(self, container: str, files: list[FileSpec]) -> None:
        data = _tar(files)
        async with self._raw() as client:
            response = await client.put(
                f"/containers/{container}/archive",
                params={"path": "/"},
                content=data,
                headers={"Content-Type": "application/x-tar"},
            )
        if response.status_code >= 400:
            raise EngineError(response.text[:500], response.status_code)

    async def start(self, container: str) -> None:
        await (await self.engine()).start_container(container)

    async def stop(self, container: str, force: bool) -> None:
        await (await self.engine()).stop_container(container, timeout=0 if force else 10)

    async def restart(self, container: str) -> None:
        await (await self.engine()).request("POST", f"/containers/{container}/restart", params={"t": 10}, timeout=60)

    async def remove(self, container: str) -> None:
        await (await self.engine()).remove_container(container)

    async def seen(self, container: str) -> Seen:
        doc = await (await self.engine()).inspect_container(container)
        if doc is None:
            return Seen(False, False, None, None, "the instance's container is gone from the engine")
        state = doc.get("State") or {}
        networks = (doc.get("NetworkSettings") or {}).get("Networks") or {}
        ip = (doc.get("NetworkSettings") or {}).get("IPAddress") or next(
            (net.get("IPAddress") for net in networks.values() if net.get("IPAddress")), None
        )
        running = bool(state.get("Running"))
        code = state.get("ExitCode") if not running else None
        error = str(state.get("Error") or "")
        if state.get("OOMKilled"):
            error = "the instance ran out of memory (OOM killed)"
        return Seen(True, running, ip or None, int(code) if code is not None else None, error)

    async def commit(self, container: str, repo: str, tag: str) -> str:
        engine = await self.engine()
        params = {"container": container, "repo": repo, "tag": tag, "pause": "false"}
        doc = (await engine.request("POST", "/commit", params=params, body={}, timeout=600)).json()
        return str(doc.get("Id") or doc.get("id") or "")

    async def remove_image(self, image: str) -> None:
        engine = await self.engine()
        try:
            await engine.request("DELETE", f"/images/{image}", params={"force": "true"})
        except EngineError as exc:
            if exc.status != 404:
                raise

    async def log_lines(self, container: str) -> list[tuple[float, str]]:
        """The container's output so far as (epoch seconds, line), from the engine's timestamped log."""
        params = {"stdout": "true", "stderr": "true", "timestamps": "true"}
        async with self._raw() as client:
            response = await client.get(f"/containers/{container}/logs", params=params, timeout=60)
        if response.status_code >= 400:
            raise EngineError(response.text[:500], response.status_code)
        data, text = response.content, []
        while len(data) >= 8 and data[0] in (0, 1, 2) and data[1:4] == b"\0\0\0":  # multiplexed frames
            size = int.from_bytes(data[4:8], "big")
            text.append(data[8 : 8 + size])
            data = data[8 + size :]
        raw = b"".join(text) + data
        lines: list[tuple[float, str]] = []
        for line in raw.decode("utf-8", "replace").splitlines():
            stamp, _, message = line.partition(" ")
            lines.append((_epoch(stamp), message))
        return lines

    async def wait_ssh(self, ip: str, timeout: float) -> bool:
        """Whether sshd answers with its banner at ip:22 within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, 22), 2)
                try:
                    banner = await asyncio.wait_for(reader.readline(), 2)
                finally:
                    writer.close()
                if banner.startswith(b"SSH-"):
                    return True
            except (TimeoutError, OSError):
                pass
            await asyncio.sleep(0.05)
        return False


def _tar(files: list[FileSpec]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        made: set[str] = set()
        for spec in files:
            parts = spec.path.strip("/").split("/")
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                if directory in made:
                    continue
                made.add(directory)
                info = tarfile.TarInfo(directory)
                info.type = tarfile.DIRTYPE
                owned = directory.startswith(f"home/{blueprint.USER}")
                info.mode = 0o700 if directory.endswith("/.ssh") else 0o755
                info.uid = info.gid = blueprint.UID if owned else 0
                tar.addfile(info)
            info = tarfile.TarInfo(spec.path.strip("/"))
            info.size, info.mode, info.uid, info.gid = len(spec.data), spec.mode, spec.uid, spec.uid
            tar.addfile(info, io.BytesIO(spec.data))
    return buffer.getvalue()


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        while True:
            chunk = await asyncio.to_thread(handle.read, _CHUNK)
            if not chunk:
                return
            yield chunk
    finally:
        handle.close()


def _imported_id(text: str) -> str:
    """The image id from an import's progress stream (Docker: {"status": "sha256:…"}; Podman: also "id")."""
    import json

    found = ""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        doc: dict[str, Any] = json.loads(line)
        if doc.get("error"):
            raise EngineError(str(doc["error"]), 500)
        for key in ("id", "status"):
            value = str(doc.get(key) or "")
            if value.startswith("sha256:"):
                found = value
    if not found:
        raise EngineError(f"the engine's import answered no image id: {text[:300]}", 500)
    return found


def _epoch(stamp: str) -> float:
    """RFC 3339 with nanoseconds ("2026-12-07T03:40:00.123456789Z" or with an offset) → epoch seconds."""
    head, _, rest = stamp.partition(".")
    fraction, zone = rest, ""
    for sign in ("Z", "+", "-"):
        if sign in rest:
            fraction, zone = rest.split(sign, 1)[0], sign + rest.split(sign, 1)[1]
            break
    try:
        when = dt.datetime.fromisoformat(head + ("+00:00" if zone in ("", "Z") else zone))
    except ValueError:
        return 0.0
    return when.timestamp() + (float("0." + fraction) if fraction.isdigit() else 0.0)
