"""The "firehose" delivery target other services deliver to (SNS firehose subscriptions, EventBridge rule targets,
Scheduler targets, CloudWatch Logs subscriptions): one record appended to the stream's buffer inside the producer's
transaction, so it commits with the change that caused it. Address: the delivery stream ARN. Payload: {"data": text
(the record, UTF-8)} (SNS adds "role_arn"), or {"data_base64": …} for a binary record (Logs' gzip payloads). A stream
that does not exist or reads from Kinesis refuses for good."""

from __future__ import annotations

import base64
from typing import Any

from ...delivery import DeliveryError, Target, guarded
from ...runtime import Runtime
from ...store.base import Tx
from .backend import FirehoseBackend
from .errors import ServiceError
from .store import CHANNEL
from .streams import parse_arn


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    named = parse_arn(address)
    if named is None:
        raise DeliveryError(
            f"{address} is not a delivery stream ARN.", code="InvalidArgumentException", retryable=False
        )
    data = payload.get("data")
    binary = payload.get("data_base64")
    body = base64.b64decode(binary) if isinstance(binary, str) else (data if isinstance(data, str) else "").encode()
    try:
        runtime.state(FirehoseBackend).deliver_in_tx(tx, address, *named, body)
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
    tx.notify(CHANNEL, "*")


TARGET = Target("firehose", in_tx=guarded(deliver_in_tx, "firehose"))
