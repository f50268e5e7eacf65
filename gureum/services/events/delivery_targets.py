"""The delivery kinds this package offers (gureum.delivery.Target): each takes its row's address and payload
apart and calls one backend method.

"events" (a rule forwards to another bus), "events-dlq" (AWS's dead-letter message), "events-schedule" (a
scheduled rule's firing), "events-replay" (a replay's step) run inside the transaction that delivers them;
"events-http" (an API destination) calls out after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...delivery import Target
from ...delivery import guarded as delivery_guarded
from ...delivery.targets import InTx
from . import limits, routing, timers
from .backend import backend
from .http_invoke import RATE_WAIT_BUDGET

if TYPE_CHECKING:
    from ...runtime import Runtime
    from ...store.base import Tx


def _guarded(fn: InTx) -> InTx:
    return delivery_guarded(fn, "EventBridge")


def _to_bus(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    backend(runtime).forward_to_bus(tx, address, payload["event"], int(payload.get("hops", 1)))


def _dead_letter(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    backend(runtime).send_dead_letter(
        tx,
        address,
        payload["body"],
        payload["rule_arn"],
        payload["target_arn"],
        int(payload.get("max_attempts", 1)),
        payload.get("message_attributes") or {},
    )


def _fire(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    backend(runtime).fire_schedule(tx, int(payload["rule_id"]), int(payload["at"]))


def _replay_step(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    backend(runtime).replay_step(tx, int(payload["replay_id"]))


async def _invoke(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    await backend(runtime).invoke_api_destination(
        address,
        payload.get("body", ""),
        payload.get("path") or [],
        payload.get("headers") or {},
        payload.get("query") or {},
    )


TARGETS = [
    Target(routing.BUS_KIND, in_tx=_guarded(_to_bus)),
    Target(routing.DEAD_LETTER_KIND, in_tx=_guarded(_dead_letter)),
    Target(timers.SCHEDULE_KIND, in_tx=_guarded(_fire), starts_trace=True),  # each firing is a trace
    Target(timers.REPLAY_KIND, in_tx=_guarded(_replay_step)),
    Target(routing.HTTP_KIND, call=_invoke, timeout=limits.HTTP_TIMEOUT + RATE_WAIT_BUDGET + 5.0),
]
