"""The Extensions API (2020-01-01) and the Telemetry API (2022-07-01; the older Logs API, 2020-08-15, alike) of one
execution environment, served on its Runtime API port.

External extensions are the executables a function's layers put in /opt/extensions: each runs as a process of the
environment, started before the runtime (which starts once they all registered); they register for INVOKE and
SHUTDOWN, take each event with GET …/event/next, and report init or exit errors. The environment is ready for its
next invocation only when every extension asked for its next event again; one that does not within the
invocation's time is killed with its environment (Extension.Timeout). SHUTDOWN gives them 2 s.

Telemetry subscribers (an extension's local HTTP listener) get platform events in AWS's schema (platform.initStart,
platform.initRuntimeDone, platform.initReport, platform.start, platform.runtimeDone, platform.report) and the
function's and extensions' log lines, batched by their buffering settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from ... import safejson
from ...clock import Clock

log = logging.getLogger("gureum.lambda")

EXTENSION_PREFIX = "/2020-01-01/extension"
TELEMETRY_PATHS = ("/2022-07-01/telemetry", "/2020-08-15/logs")
SHUTDOWN_GRACE = 2.0  # seconds extensions get after SHUTDOWN (AWS: 2,000 ms with external extensions)
_EVENTS = {"INVOKE", "SHUTDOWN"}
_TYPES = {"platform", "function", "extension"}
_LOCAL_HOSTS = {"sandbox.localdomain": "127.0.0.1", "sandbox": "127.0.0.1"}


@dataclass(slots=True)
class Extension:
    """One registered extension: its events, those waiting for it, and whether it is waiting in GET next."""

    id: str
    name: str
    events: set[str]
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    waiting: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # set while it waits in GET next


def _answer(status: int, doc: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return status, headers or {}, json.dumps(doc).encode()


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return _answer(status, {"errorType": error_type, "errorMessage": message})


class Extensions:
    """One environment's extensions and telemetry subscribers."""

    def __init__(self, clock: Clock, expected: int, info: dict[str, str]) -> None:
        self.clock = clock
        self.expected = expected  # the external extensions found in /opt/extensions
        self.info = info  # functionName, functionVersion, handler, accountId (the register answer)
        self.registered: dict[str, Extension] = {}
        self.all_registered = asyncio.Event()
        self.error: tuple[str, str] | None = None  # (error type, message) an extension reported or caused
        self.telemetry = Telemetry(clock)
        self.on_init_error: Any = None  # the environment's: (error type, message) when an extension fails its init
        if expected == 0:
            self.all_registered.set()

    # --- the HTTP surface --------------------------------------------------------------------------

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        ident = headers.get("lambda-extension-identifier", "")
        if path.startswith(TELEMETRY_PATHS) and method == "PUT":
            if ident not in self.registered:
                return _error(403, "Extension.Unknown", "Unknown extension: register before subscribing")
            return self.telemetry.subscribe(self.registered[ident].name, body)
        if not path.startswith(EXTENSION_PREFIX + "/"):
            return _error(404, "InvalidRequest", f"No such route: {method} {path}")
        route = path[len(EXTENSION_PREFIX) + 1 :]
        if method == "POST" and route == "register":
            return self.register(headers.get("lambda-extension-name", ""), body)
        extension = self.registered.get(ident)
        if extension is None:
            return _error(403, "Extension.Unknown", "Unknown extension identifier")
        if method == "GET" and route == "event/next":
            event = await self.next(extension)
            return _answer(200, event, {"Lambda-Extension-Event-Identifier": str(uuid.uuid4())})
        if method == "POST" and route in ("init/error", "exit/error"):
            error_type = headers.get("lambda-extension-function-error-type") or "Extension.Unknown"
            message = f"Extension {extension.name} reported {route}: {body.decode('utf-8', 'replace')[:1000]}"
            self.error = (error_type, message)
            if route == "init/error" and self.on_init_error is not None:
                self.on_init_error(error_type, message)
            return _answer(202, {"status": "OK"})
        return _error(404, "InvalidRequest", f"No such route: {method} {path}")

    def register(self, name: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if not name:
            return _error(400, "InvalidRequest", "Lambda-Extension-Name is required")
        try:
            doc = safejson.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _error(400, "InvalidRequest", "The register body is not JSON")
        events = doc.get("events") if isinstance(doc, dict) else None
        if not isinstance(events, list) or any(e not in _EVENTS for e in events):
            return _error(400, "InvalidRequest", 'events must list "INVOKE" and/or "SHUTDOWN"')
        if any(e.name == name for e in self.registered.values()):
            return _error(409, "Extension.AlreadyRegistered", f"An extension named {name} is already registered")
        ident = str(uuid.uuid4())
        self.registered[ident] = Extension(ident, name, set(events))
        if len(self.registered) >= self.expected:
            self.all_registered.set()
        return _answer(200, self.info, {"Lambda-Extension-Identifier": ident})

    async def next(self, extension: Extension) -> dict[str, Any]:
        extension.waiting = True
        extension.ready.set()
        try:
            return await extension.queue.get()
        finally:
            extension.waiting = False
            extension.ready.clear()

    # --- the environment's side --------------------------------------------------------------------

    def invoke(self, request_id: str, deadline_ms: int, arn: str, trace: str) -> None:
        """INVOKE to every extension registered for it."""
        for extension in self.registered.values():
            if "INVOKE" in extension.events:
                extension.ready.clear()
                extension.queue.put_nowait({"eventType": "INVOKE", "deadlineMs": deadline_ms, "requestId": request_id,
                                            "invokedFunctionArn": arn,
                                            "tracing": {"type": "X-Amzn-Trace-Id", "value": trace}})  # fmt: skip

    async def settled(self, timeout: float) -> list[str]:
        """Wait until every extension asks for its next event again; the names of those that did not in time."""
        pending = [e for e in self.registered.values() if "INVOKE" in e.events]
        waits = [asyncio.ensure_future(e.ready.wait()) for e in pending]
        if waits:
            await asyncio.wait(waits, timeout=max(0.0, timeout))
        for wait in waits:
            wait.cancel()
        return [e.name for e in pending if not e.ready.is_set()]

    async def shutdown(self, reason: str) -> None:
        """SHUTDOWN to the extensions registered for it; returns when they all asked for their next event again or
        after the 2 s grace."""
        targets = [e for e in self.registered.values() if "SHUTDOWN" in e.events]
        await self.telemetry.drain()  # what the subscribers have not had yet, before they are told to stop
        if not targets:
            return
        deadline = int((self.clock.now() + SHUTDOWN_GRACE) * 1000)
        for extension in targets:
            extension.ready.clear()
            extension.queue.put_nowait({"eventType": "SHUTDOWN", "shutdownReason": reason, "deadlineMs": deadline})
        waits = [asyncio.ensure_future(e.ready.wait()) for e in targets]
        await asyncio.wait(waits, timeout=SHUTDOWN_GRACE)
        for wait in waits:
            wait.cancel()

    async def close(self) -> None:
        await self.telemetry.close()


@dataclass(slots=True)
class _Subscriber:
    name: str
    uri: str
    types: set[str]
    max_items: int
    max_bytes: int
    timeout: float
    batch: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0
    flusher: asyncio.TimerHandle | None = None


class Telemetry:
    """Subscribers of one environment and the events they get, batched per subscriber and POSTed as JSON arrays."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.subscribers: list[_Subscriber] = []
        self._backlog: list[tuple[dict[str, Any], str]] = []  # events of the init phase, for those who subscribe later
        self.init_done = False
        self._client: httpx.AsyncClient | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def subscribe(self, name: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            doc = safejson.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _error(400, "ValidationError", "The subscription is not JSON")
        destination = doc.get("destination") if isinstance(doc, dict) else None
        types = doc.get("types") if isinstance(doc, dict) else None
        if not isinstance(destination, dict) or destination.get("protocol") != "HTTP":
            return _error(400, "ValidationError", "destination.protocol must be HTTP (TCP is not served by gureum)")
        uri = str(destination.get("URI") or "")
        if not uri.startswith("http://") or not isinstance(types, list) or not set(types) <= _TYPES or not types:
            return _error(400, "ValidationError", "destination.URI must be http://… and types among platform, "
                          "function, extension")  # fmt: skip
        for host, address in _LOCAL_HOSTS.items():
            uri = uri.replace(f"//{host}:", f"//{address}:").replace(f"//{host}/", f"//{address}/")
        buffering = doc.get("buffering") if isinstance(doc.get("buffering"), dict) else {}
        try:
            max_items = int(buffering.get("maxItems", 10000))
            max_bytes = int(buffering.get("maxBytes", 262144))
            timeout_ms = int(buffering.get("timeoutMs", 1000))
        except (TypeError, ValueError):
            return _error(400, "ValidationError", "buffering values must be integers")
        if not (1000 <= max_items <= 10000 and 262144 <= max_bytes <= 1048576 and 25 <= timeout_ms <= 30000):
            return _error(400, "ValidationError", "buffering: maxItems 1000-10000, maxBytes 262144-1048576, "
                          "timeoutMs 25-30000")  # fmt: skip
        self.subscribers = [s for s in self.subscribers if s.name != name]
        sub = _Subscriber(name, uri, set(types), max_items, max_bytes, timeout_ms / 1000)
        self.subscribers.append(sub)
        for event, source in self._backlog:  # the init phase's events, from before it subscribed
            self._add(sub, event, source)
        return 200, {}, b"OK"

    def emit(self, kind: str, record: Any, source: str = "platform") -> None:
        """One event (``kind`` e.g. platform.report, function, extension) to the subscribers of its type."""
        if not self.subscribers and self.init_done:
            return
        event = {"time": _stamp(self.clock.utcnow()), "type": kind, "record": record}
        if not self.init_done and len(self._backlog) < 1000:
            self._backlog.append((event, source))
        for sub in self.subscribers:
            self._add(sub, event, source)

    def _add(self, sub: _Subscriber, event: dict[str, Any], source: str) -> None:
        if source not in sub.types:
            return
        sub.batch.append(event)
        sub.size += len(json.dumps(event))
        if len(sub.batch) >= sub.max_items or sub.size >= sub.max_bytes:
            self._flush(sub)
        elif sub.flusher is None:
            sub.flusher = asyncio.get_running_loop().call_later(sub.timeout, self._flush, sub)

    def flush_all(self) -> None:
        for sub in self.subscribers:
            self._flush(sub)

    def _flush(self, sub: _Subscriber) -> None:
        if sub.flusher is not None:
            sub.flusher.cancel()
            sub.flusher = None
        if not sub.batch:
            return
        batch, sub.batch, sub.size = sub.batch, [], 0
        task = asyncio.get_running_loop().create_task(self._send(sub.uri, batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, uri: str, batch: list[dict[str, Any]]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=5.0)
        try:
            await self._client.post(uri, content=json.dumps(batch).encode(),
                                    headers={"Content-Type": "application/json"})  # fmt: skip
        except httpx.HTTPError as problem:
            log.info("telemetry subscriber %s did not take %d events: %s", uri, len(batch), problem)

    async def drain(self) -> None:
        """Send every batch now and wait (up to 2 s) until they were taken."""
        self.flush_all()
        if self._sending:
            await asyncio.wait(list(self._sending), timeout=2.0)

    async def close(self) -> None:
        await self.drain()
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# The launcher of an environment with external extensions: each started in the background, writing to a pipe of
# their own (handed over as the launcher's stdin, kept as fd 3: an asynchronous list's stdin is /dev/null; their
# lines are logged as the extension stream), then the runtime
# once gureum says they all registered (the ready file appears); an extension that exits first ends it (status 97).
LAUNCHER = (
    'exec 3>&0; ready=$1; shift; pids=""; while [ "$1" != "--" ]; do "$1" >&3 2>&3 & pids="$pids $!"; shift; done; '
    'shift; exec 3>&-; i=0; while [ ! -e "$ready" ] && [ $i -lt 1500 ]; do '
    "for p in $pids; do st=Z; [ -r /proc/$p/stat ] && read -r _ _ st _ < /proc/$p/stat; "
    'if [ "$st" = Z ]; then echo "EXTENSION an extension (pid $p) exited before it registered"; exit 97; fi; done; '
    'sleep 0.01; i=$((i+1)); done; exec "$@" </dev/null'
)
