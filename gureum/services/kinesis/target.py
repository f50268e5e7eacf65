"""The "kinesis" delivery target other services deliver to (EventBridge rule targets, Scheduler targets).

Delivers inside the producer's transaction through KinesisBackend.deliver_in_tx: the record commits with the change
that caused it. Address: the stream ARN. Payload: {"data": text, "partition_key": key}; the data is the text's UTF-8
({"data_base64": …} instead carries binary data: CloudWatch Logs' gzip subscription payloads).
A stream that does not exist (or is being deleted) refuses for good; one still being created is tried again later.
"""

from __future__ import annotations

import base64
from typing import Any

from ...aws.errors import ServiceError
from ...delivery import DeliveryError, Target, guarded
from ...runtime import Runtime
from ...store.base import Tx
from .backend import KinesisBackend
from .errors import ResourceNotFoundException


def deliver_in_tx(runtime: Runtime, tx: Tx, address: str, payload: dict[str, Any]) -> None:
    be = runtime.state(KinesisBackend)
    data = payload.get("data")
    binary = payload.get("data_base64")
    body = base64.b64decode(binary) if isinstance(binary, str) else (data if isinstance(data, str) else "").encode()
    key = payload.get("partition_key")
    try:
        be.deliver_in_tx(tx, address, key if isinstance(key, str) else "", body)
    except ResourceNotFoundException as error:
        raise DeliveryError(error.message, code=error.code, retryable=be.creating_in_tx(tx, address)) from None
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from error


TARGET = Target("kinesis", in_tx=guarded(deliver_in_tx, "kinesis"))
