"""Amazon SQS: standard, fair and FIFO queues over the json and query protocols."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...aws.http import Request
from ...aws.validate import Rules
from .. import Service

_QUEUE_PATH = re.compile(r"^/\d{12}/[^/]+/?$")


def _queue_url_from_path(request: Request, protocol: str, operation: str, params: dict[str, Any]) -> None:
    """Query-protocol clients may POST to the queue URL itself and leave QueueUrl out of the form."""
    if protocol == "query" and "QueueUrl" not in params and _QUEUE_PATH.match(request.path):
        if operation not in ("CreateQueue", "GetQueueUrl", "ListQueues"):
            params["QueueUrl"] = request.base_url + request.path.rstrip("/")


SERVICE = Service(
    "sqs",
    validation=Rules(style="params"),
    migrations=Path(__file__).parent / "migrations",
    prepare=_queue_url_from_path,
)

from . import (  # noqa: E402,F401  (registers the operations)
    consumer,  # noqa: E402,F401  (provides the "sqs.consumer" port)
    ops_messages,
    ops_move,
    ops_queues,
)
from .target import TARGET  # noqa: E402

SERVICE.targets.append(TARGET)
