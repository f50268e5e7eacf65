"""The delivery targets Lambda offers: "lambda" (another service's event for a function, accepted into its
asynchronous queue in the producer's transaction), "lambda-event" (one attempt of an Event invocation) and
"lambda-async-failure" (an Event invocation failed for good). Each calls one LambdaBackend method."""

from __future__ import annotations

from typing import Any

from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from ...store.base import Tx
from . import iam
from .async_invoke import EVENT_KIND, EVENT_TIMEOUT, FAILURE_KIND
from .backend import LambdaBackend


def _backend(runtime: Runtime) -> LambdaBackend:
    be = runtime.state_or_none(LambdaBackend)
    if be is None:
        raise DeliveryError("Lambda has not started yet", code="ServiceUnavailable")
    return be


def _accept(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    _backend(runtime).accept_event(tx, address, iam.checked_delivery(runtime, tx, address, payload))


async def _deliver(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    await _backend(runtime).deliver_event(address, payload)


def _failed(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    _backend(runtime).event_failed(tx, address, payload)


TARGETS = [
    Target("lambda", in_tx=_accept),
    Target(EVENT_KIND, call=_deliver, timeout=EVENT_TIMEOUT),
    Target(FAILURE_KIND, in_tx=_failed),
]
