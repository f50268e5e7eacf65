"""API Gateway's access logs, shared by REST APIs (apigateway) and HTTP and WebSocket APIs (apigatewayv2): a stage's
AccessLogSettings checked as API Gateway checks them, its Format rendered with a request's ``$context`` variables,
and the lines shipped through the outbox to the destination, a CloudWatch Logs group ("logs" target: the group must
exist, as on AWS) or a Firehose stream named ``amazon-apigateway-…`` ("firehose" target: one record per line).

Lines are collected for a moment and written in one transaction per batch, after the response has gone: logging never
delays an answer. A variable with no value in the request is written as ``-``, as API Gateway writes it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from .runtime import Runtime
from .store.base import Tx

FLUSH_DELAY = 0.1  # seconds lines wait for others before one transaction writes them all
MAX_PENDING = 10_000  # lines kept while the store is slow; past it, new lines are dropped
_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+)")  # one character class: linear, never backtracks
_LOG_GROUP = re.compile(r"^arn:aws[\w-]*:logs:[a-z0-9-]+:\d{12}:log-group:[\w.#/-]{1,512}(?::\*)?$")
_FIREHOSE = re.compile(r"^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/amazon-apigateway-[\w.-]{1,47}$")


def settings_problem(destination: str | None, fmt: str | None) -> str | None:
    """What is wrong with access log settings, as API Gateway words it; None when nothing is (settings without a
    destination yet log nothing: a client may set the format and the destination in two calls)."""
    if not destination:
        return None
    if not (_LOG_GROUP.match(destination) or _FIREHOSE.match(destination)):
        return (
            f"Invalid ARN specified in the request: {destination}. Access logs go to a CloudWatch Logs log group ARN, "
            "or a Kinesis Data Firehose delivery stream ARN whose name begins with amazon-apigateway-."
        )
    if not fmt:
        return "Access log format must be specified."
    if "\n" in fmt.rstrip("\n"):
        return "Access Log format must be single line, new line character is allowed only at end of the format"
    if "$context.requestId" not in fmt and "$context.extendedRequestId" not in fmt:
        return "Access Log format must include at least one of $context.requestId or $context.extendedRequestId"
    return None


def render(fmt: str, context: Mapping[str, Any]) -> str:
    """The format with each ``$context.name`` (``$context.a.b`` reads context["a"]["b"]) replaced by its value."""

    def value(match: re.Match[str]) -> str:
        path = match.group(1)
        trailing = len(path) - len(path.rstrip("."))  # "$context.status." ends a sentence: the dot is text
        found: Any = context
        for part in path.rstrip(".").split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
            if found is None:
                break
        if found is None or found == "" or isinstance(found, Mapping):
            text = "-"
        elif isinstance(found, bool):
            text = "true" if found else "false"
        elif isinstance(found, (list, tuple)):
            text = json.dumps(found, separators=(",", ":"))
        else:
            text = str(found)
        return text + "." * trailing

    return _VARIABLE.sub(value, fmt.rstrip("\n"))


def stream_name(api_id: str, stage: str) -> str:
    """The log stream a stage's access logs go to (API Gateway names its streams with 32 hex digits)."""
    return hashlib.md5(f"{api_id}/{stage}".encode()).hexdigest()


class AccessLogs:
    """A service's access log lines on their way to the outbox."""

    def __init__(self, runtime: Runtime, source: str) -> None:
        self.runtime = runtime
        self.source = source
        self._pending: dict[tuple[str, str, bool], list[dict[str, Any]]] = {}
        self._count = 0
        self._writer: asyncio.Task[None] | None = None

    def access(
        self, destination: str, fmt: str, api_id: str, stage: str, context: Mapping[str, Any], timestamp_ms: int
    ) -> None:
        """A request's access log line: ``fmt`` rendered with its ``context``, to the stage's stream."""
        self.add(destination, stream_name(api_id, stage), render(fmt, context), timestamp_ms)

    def add(self, destination: str, stream: str, line: str, timestamp_ms: int, *, create_group: bool = False) -> None:
        """A line for ``destination`` (a log group ARN: its group is made if missing only with ``create_group``, as
        for execution logs; or a Firehose stream ARN)."""
        if self._count >= MAX_PENDING:
            return  # the store is far behind: the newest lines are the ones not kept
        key = (destination, stream, create_group)
        self._pending.setdefault(key, []).append({"timestamp": timestamp_ms, "message": line})
        self._count += 1
        if self._writer is None or self._writer.done():
            self._writer = self.runtime.spawn(self._write(), f"{self.source}-access-log")

    async def _write(self) -> None:
        await asyncio.sleep(FLUSH_DELAY)
        while self._pending:
            pending, self._pending, self._count = self._pending, {}, 0

            def enqueue(tx: Tx, pending: dict[tuple[str, str, bool], list[dict[str, Any]]] = pending) -> None:
                delivery = self.runtime.delivery
                for (destination, stream, create_group), events in pending.items():
                    if ":firehose:" in destination:
                        for event in events:
                            payload = {"data": event["message"] + "\n"}
                            delivery.enqueue(tx, "firehose", destination, payload, source=self.source, traced=False)
                    else:
                        payload = {"stream": stream, "events": events, "create_group": create_group}
                        delivery.enqueue(tx, "logs", destination, payload, source=self.source, traced=False)

            await self.runtime.store.write(enqueue)
