"""What a delivery target is: a kind ("sqs", "lambda", "http", …) offered by the service that owns it.

A target delivers either inside the producer's own transaction (``in_tx``: same store, no network; SQS,
Kinesis) or asynchronously after commit (``call``: HTTP endpoints, function invocations).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..store.base import Tx


class DeliveryError(Exception):
    """A delivery failed; ``retryable=False`` sends it straight to the dead-letter target (or drops it)."""

    def __init__(self, message: str, *, code: str = "DeliveryFailed", retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable


InTx = Callable[["Runtime", "Tx", str, dict[str, Any]], None]
Call = Callable[["Runtime", str, dict[str, Any]], Awaitable[None]]

log = logging.getLogger("gureum.delivery")


def guarded(fn: InTx, label: str) -> InTx:
    """An in-transaction delivery that writes several rows, run in a savepoint: a failure leaves no partial writes
    in the producer's transaction, and an unexpected error becomes a retryable DeliveryError instead of failing the
    producer (or the whole outbox claim). ``label`` names the deliverer in the log."""

    def run(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        tx.execute("SAVEPOINT guarded_delivery")
        try:
            fn(runtime, tx, address, payload)
        except Exception as error:
            tx.execute("ROLLBACK TO SAVEPOINT guarded_delivery")
            tx.execute("RELEASE SAVEPOINT guarded_delivery")
            if isinstance(error, DeliveryError):
                raise
            log.exception("%s delivery to %s failed", label, address)
            raise DeliveryError(f"{type(error).__name__}: {error}", code="InternalError") from error
        tx.execute("RELEASE SAVEPOINT guarded_delivery")

    return run


@dataclass(frozen=True, slots=True)
class Target:
    kind: str
    in_tx: InTx | None = None
    call: Call | None = None
    timeout: float = 30.0  # seconds a claimed asynchronous delivery may take before another node retries it
    starts_trace: bool = False  # a timer's firing: each attempt is a new trace (gureum.tracing), not the producer's


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry: ``attempts`` tries in all, backoff from ``min_delay`` doubling (or
    linear) up to ``max_delay``, and never past ``max_age`` seconds after the delivery was created."""

    attempts: int = 3
    min_delay: float = 1.0
    max_delay: float = 60.0
    backoff: str = "exponential"
    max_age: float = 86_400.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if self.backoff == "linear":
            step = self.min_delay + (self.max_delay - self.min_delay) * (attempt - 1) / max(1, self.attempts - 1)
        else:
            step = self.min_delay * (2 ** (attempt - 1))
        return min(self.max_delay, step)

    def to_json(self) -> str:
        return json.dumps([self.attempts, self.min_delay, self.max_delay, self.backoff, self.max_age])

    @classmethod
    def from_json(cls, text: str) -> RetryPolicy:
        attempts, min_delay, max_delay, backoff, max_age = json.loads(text)
        return cls(attempts, min_delay, max_delay, backoff, max_age)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Where a delivery goes when retries are exhausted: another target, with the error added to its payload
    as message attributes named by ``error_attributes`` ({attribute name: "code" | "message" | "attempts"})."""

    kind: str
    address: str
    payload: dict[str, Any]
    error_attributes: dict[str, str] | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "address": self.address,
                "payload": self.payload,
                "error_attributes": self.error_attributes,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> DeadLetter:
        doc = json.loads(text)
        return cls(doc["kind"], doc["address"], doc["payload"], doc.get("error_attributes"))

    def payload_for(self, error: DeliveryError, attempts: int) -> dict[str, Any]:
        payload = dict(self.payload)
        if self.error_attributes:
            values = {"code": error.code, "message": error.message, "attempts": str(attempts)}
            attrs = dict(payload.get("message_attributes") or {})
            for name, field in self.error_attributes.items():
                attrs[name] = {"DataType": "String", "StringValue": values[field]}
            payload["message_attributes"] = attrs
        return payload


# --- message attributes in payloads ------------------------------------------------------------------------------
# Payloads are JSON, so the "sqs" and "sns" targets (and whoever enqueues for them) carry message attributes as
# {name: {"DataType", "StringValue" | "BinaryValue" (base64 text)}}.


def attributes_to_payload(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """Message attributes with bytes BinaryValues → the payload form (binary values base64 text)."""
    out: dict[str, dict[str, str]] = {}
    for name, attr in (attributes or {}).items():
        if attr.get("BinaryValue") is not None:
            out[name] = {
                "DataType": attr["DataType"],
                "BinaryValue": base64.b64encode(bytes(attr["BinaryValue"])).decode(),
            }
        else:
            out[name] = {"DataType": attr["DataType"], "StringValue": attr["StringValue"]}
    return out


def attributes_from_payload(raw: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The payload form → message attributes with bytes BinaryValues."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in (raw or {}).items():
        item = dict(value)
        if isinstance(item.get("BinaryValue"), str):
            item["BinaryValue"] = base64.b64decode(item["BinaryValue"])
        out[name] = item
    return out
