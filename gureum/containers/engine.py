"""A small async client of the Docker Engine API (Docker's daemon, or Podman's compatible service) over its Unix
socket, on httpx, and the discovery of which engine to use: GUREUM_CONTAINER_HOST, DOCKER_HOST, CONTAINER_HOST,
then the usual socket paths. Never a home-made runtime and never the CLI's output: every call is the Engine API.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

API_VERSION = "v1.41"  # Docker 20.10's API, served by Podman 4's compatibility layer too
_PING_TIMEOUT = 2.0

INSTALL_HINT = (
    "no container engine is reachable: install Docker or Podman (Debian: apt-get install podman runc), start its "
    "service (`podman system service --time=0 unix:///run/podman/podman.sock`, or dockerd), and point gureum at it "
    "with DOCKER_HOST or GUREUM_CONTAINER_HOST=unix:///path/to/socket (see README, Containers)"
)


class EngineError(Exception):
    """An Engine API call that failed: ``status`` is the engine's HTTP status (0: the engine is unreachable)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class NoEngine(EngineError):
    """No engine is configured or reachable; the message says what to install."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(INSTALL_HINT + (f" ({detail})" if detail else ""), 0)


def candidates(env: Mapping[str, str]) -> list[str]:
    """The engine addresses to try, in order: the explicit settings, then Docker's and Podman's usual sockets."""
    found = [env[name] for name in ("GUREUM_CONTAINER_HOST", "DOCKER_HOST", "CONTAINER_HOST") if env.get(name)]
    found += ["unix:///var/run/docker.sock", "unix:///run/podman/podman.sock"]
    runtime_dir = env.get("XDG_RUNTIME_DIR")
    if runtime_dir:
        found += [f"unix://{runtime_dir}/podman/podman.sock", f"unix://{runtime_dir}/docker.sock"]
    return list(dict.fromkeys(found))


def discover(env: Mapping[str, str]) -> str | None:
    """The first configured address, or else the first usual socket that exists (None: no engine here)."""
    for name in ("GUREUM_CONTAINER_HOST", "DOCKER_HOST", "CONTAINER_HOST"):
        if env.get(name):
            return env[name]
    for address in candidates(env):
        if address.startswith("unix://") and os.path.exists(address[len("unix://") :]):
            return address
    return None


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """What the engine says it is: "docker" or "podman", its version and API version."""

    kind: str
    version: str
    api_version: str
    os: str

    def doc(self) -> dict[str, str]:
        return {"engine": self.kind, "version": self.version, "apiVersion": self.api_version, "os": self.os}


class Engine:
    """One engine's Engine API at ``host`` (unix:///path or tcp://host:port / http://host:port)."""

    def __init__(self, host: str) -> None:
        self.host = host
        if host.startswith("unix://"):
            transport = httpx.AsyncHTTPTransport(uds=host[len("unix://") :])
            base = "http://engine"
        elif host.startswith(("tcp://", "http://")):
            transport = httpx.AsyncHTTPTransport()
            base = "http://" + host.split("://", 1)[1]
        else:
            raise NoEngine(f"unsupported engine address {host!r}: use unix:///path or tcp://host:port")
        self._client = httpx.AsyncClient(transport=transport, base_url=f"{base}/{API_VERSION}", timeout=None)
        self._info: EngineInfo | None = None

    async def close(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = 60.0,
    ) -> httpx.Response:
        """One call; an answer of 400 or above raises EngineError with the engine's message."""
        try:
            response = await self._client.request(
                method,
                path,
                params=params,
                json=body,
                headers=headers,
                timeout=timeout,
            )
        except (httpx.TransportError, OSError) as exc:
            raise NoEngine(f"{self.host}: {exc}") from exc
        if response.status_code >= 400:
            raise EngineError(_message(response), response.status_code)
        return response

    async def ping(self) -> bool:
        try:
            return (await self.request("GET", "/_ping", timeout=_PING_TIMEOUT)).status_code == 200
        except EngineError:
            return False

    async def info(self) -> EngineInfo:
        """The engine's kind and version (asked once per client), from /_ping's headers: its Server header names
        it ("Libpod/4.3.1 (linux)", "Docker/24.0.7 (linux)") — /version takes Podman over a second to gather."""
        if self._info is None:
            response = await self.request("GET", "/_ping", timeout=_PING_TIMEOUT)
            server = response.headers.get("server", "")
            product, _, rest = server.partition("/")
            version, _, system = rest.partition(" ")
            podman = product.lower() == "libpod" or "libpod-api-version" in response.headers
            kind = "podman" if podman else "docker"
            version = response.headers.get("libpod-api-version", version) if podman else version
            self._info = EngineInfo(
                kind, version, response.headers.get("api-version", ""), system.strip("()") or "linux"
            )
        return self._info

    # --- images ---------------------------------------------------------------------------------------------

    async def pull(self, image: str, auth: Mapping[str, str] | None = None) -> None:
        """Pull ``image`` (repository:tag or repository@digest); the engine's error when it cannot. A registry on
        a loopback address is spoken to over plain HTTP, as Docker does by itself (Podman is told so: its
        Docker-compatible pull has no such switch, its own API has tlsVerify)."""
        repo, tag = split_reference(image)
        headers = {"X-Registry-Auth": _auth_header(auth)} if auth else None
        if _loopback(repo) and (await self.info()).kind == "podman":
            params = {"reference": image, "tlsVerify": "false", "quiet": "true"}
            response = await self.request("POST", "/libpod/images/pull", params=params, headers=headers, timeout=600)
        else:
            response = await self.request(
                "POST", "/images/create", params={"fromImage": repo, "tag": tag}, headers=headers, timeout=600
            )
        for line in response.text.splitlines():  # the progress stream: an error arrives as a line of its own
            if line.strip().startswith("{"):
                message = json.loads(line)
                if message.get("error"):
                    raise EngineError(str(message["error"]), 500)

    async def inspect_image(self, image: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = (await self.request("GET", f"/images/{image}/json")).json()
            return doc
        except EngineError as exc:
            if exc.status == 404:
                return None
            raise

    # --- containers -----------------------------------------------------------------------------------------

    async def create_container(self, name: str | None, config: Mapping[str, Any]) -> str:
        params = {"name": name} if name else None
        return str((await self.request("POST", "/containers/create", params=params, body=dict(config))).json()["Id"])

    async def start_container(self, container: str) -> None:
        await self.request("POST", f"/containers/{container}/start")

    async def stop_container(self, container: str, timeout: int = 10) -> None:
        await self.request("POST", f"/containers/{container}/stop", params={"t": timeout}, timeout=timeout + 30)

    async def inspect_container(self, container: str) -> dict[str, Any] | None:
        try:
            doc: dict[str, Any] = (await self.request("GET", f"/containers/{container}/json")).json()
            return doc
        except EngineError as exc:
            if exc.status == 404:
                return None
            raise

    async def wait_container(self, container: str) -> int:
        doc = (await self.request("POST", f"/containers/{container}/wait", timeout=None)).json()
        return int(doc.get("StatusCode", -1))

    async def remove_container(self, container: str, force: bool = True) -> None:
        try:
            await self.request("DELETE", f"/containers/{container}", params={"force": str(force).lower()})
        except EngineError as exc:
            if exc.status != 404:
                raise

    async def list_containers(self, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        filters = json.dumps({"label": [f"{key}={value}" for key, value in labels.items()]})
        found: list[dict[str, Any]] = (
            await self.request("GET", "/containers/json", params={"all": "true", "filters": filters})
        ).json()
        return found

    async def exec(self, container: str, command: list[str], timeout: float) -> int | None:
        """Run ``command`` in the running container and wait for it: its exit code (None: it ran past ``timeout``
        seconds; it is left to end by itself)."""
        created = await self.request(
            "POST", f"/containers/{container}/exec", body={"Cmd": command, "AttachStdout": True, "AttachStderr": True}
        )
        exec_id = created.json()["Id"]
        try:
            await self.request("POST", f"/exec/{exec_id}/start", body={"Detach": False, "Tty": False}, timeout=timeout)
        except NoEngine as exc:
            if isinstance(exc.__cause__, httpx.TimeoutException):
                return None
            raise
        state = (await self.request("GET", f"/exec/{exec_id}/json")).json()
        return None if state.get("Running") else int(state.get("ExitCode", -1))

    async def attach(self, container: str, attached: asyncio.Event) -> AsyncIterator[tuple[int, bytes]]:
        """The container's output as it is written, as (stream, bytes) frames (1 stdout, 2 stderr): attached to a
        created container (``attached`` is set once the engine answered: start it then), so nothing is missed and
        nothing waits for the log driver (the logs endpoint follows its file, later)."""
        params = {"stream": "true", "stdout": "true", "stderr": "true"}
        try:
            async with self._client.stream("POST", f"/containers/{container}/attach", params=params, timeout=None) as r:
                attached.set()
                if r.status_code >= 400:
                    raise EngineError((await r.aread()).decode("utf-8", "replace"), r.status_code)
                buffer = b""
                async for chunk in r.aiter_bytes():
                    buffer += chunk
                    while len(buffer) >= 8:
                        size = int.from_bytes(buffer[4:8], "big")
                        if len(buffer) < 8 + size:
                            break
                        yield buffer[0], buffer[8 : 8 + size]
                        buffer = buffer[8 + size :]
        except (httpx.TransportError, OSError) as exc:
            raise NoEngine(f"{self.host}: {exc}") from exc
        finally:
            attached.set()

    async def logs(self, container: str, *, follow: bool = False) -> AsyncIterator[tuple[int, bytes]]:
        """The container's output as (stream, bytes) frames: 1 stdout, 2 stderr (the multiplexed form)."""
        params = {"stdout": "true", "stderr": "true", "follow": str(follow).lower()}
        try:
            async with self._client.stream("GET", f"/containers/{container}/logs", params=params, timeout=None) as r:
                if r.status_code >= 400:
                    raise EngineError((await r.aread()).decode("utf-8", "replace"), r.status_code)
                buffer = b""
                async for chunk in r.aiter_bytes():
                    buffer += chunk
                    while len(buffer) >= 8:
                        size = int.from_bytes(buffer[4:8], "big")
                        if len(buffer) < 8 + size:
                            break
                        yield buffer[0], buffer[8 : 8 + size]
                        buffer = buffer[8 + size :]
        except (httpx.TransportError, OSError) as exc:
            raise NoEngine(f"{self.host}: {exc}") from exc


def split_reference(image: str) -> tuple[str, str]:
    """ "host:5000/repo:tag" → ("host:5000/repo", "tag"); "repo@sha256:…" → ("repo", "sha256:…"); no tag: latest."""
    if "@" in image:
        repo, digest = image.split("@", 1)
        return repo, digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon + 1 :]
    return image, "latest"


def _loopback(repository: str) -> bool:
    """Whether the image's registry host is this machine's loopback (127.0.0.0/8, localhost, *.localhost)."""
    first = repository.split("/", 1)[0]
    if "/" not in repository or not ("." in first or ":" in first or first == "localhost"):
        return False  # no registry host: Docker Hub
    host = first.rsplit(":", 1)[0] if first.count(":") == 1 else first
    return host == "localhost" or host.endswith(".localhost") or host.startswith("127.")


def _auth_header(auth: Mapping[str, str]) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(dict(auth)).encode()).decode()


def _message(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return response.text[:500] or f"engine answered {response.status_code}"
    if isinstance(doc, dict):
        return str(doc.get("message") or doc.get("cause") or doc)
    return str(doc)
