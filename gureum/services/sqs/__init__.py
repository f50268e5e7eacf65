"""Amazon SQS: standard, fair and FIFO queues over the json and query protocols.

The package face: SERVICE (operations registered by ops_*.py, the "sqs" delivery target) and its lifespan:
SqsBackend kept at start (backend.py; every behaviour is its), the SqsConsumer port, the maintenance task.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ... import ports
from ...aws.authorize import authorizer
from ...aws.http import Request
from ...aws.validate import Rules
from ...runtime import Runtime
from .. import Service
from .access import same_account
from .backend import SqsBackend
from .consumer import SqsConsumer
from .maintenance import maintain
from .store import forget_queues
from .target import TARGET

# a queue URL's path: /<account>/<name>, or /queue/<region>/<account>/<name> (queues.py)
_QUEUE_PATH = re.compile(r"^(?:/queue/[a-z0-9-]+)?/\d{12}/[^/]+/?$")


def _queue_url_from_path(request: Request, protocol: str, operation: str, params: dict[str, Any]) -> None:
    """Query-protocol clients may POST to the queue URL itself and leave QueueUrl out of the form."""
    if protocol == "query" and "QueueUrl" not in params and _QUEUE_PATH.match(request.path):
        if operation not in ("CreateQueue", "GetQueueUrl", "ListQueues"):
            params["QueueUrl"] = request.base_url + request.path.rstrip("/")


SERVICE: Service = Service(
    "sqs",
    validation=Rules(style="params"),
    migrations=Path(__file__).parent / "migrations",
    prepare=_queue_url_from_path,
)
SERVICE.targets.append(TARGET)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(SqsBackend(runtime.store, runtime.clock, runtime.principal_arn))
    be.same_account_deliveries = same_account(runtime)  # IAM enforcement: deliveries within an account checked
    be.checked_by_iam = runtime.config.enforce_iam  # IAM enforcement: calls of other accounts authorised there
    authorizer(runtime).register("sqs", be.queue_facts, notifies=True)  # IAM enforcement: queue policies and tags
    runtime.provide(ports.SqsConsumer, SqsConsumer(be))
    runtime.spawn(maintain(runtime, be), "sqs-maintenance")


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table behind the store's queue cache and the backend's memory."""
    runtime.state(SqsBackend).forget()
    await runtime.store.write(forget_queues)


from . import ops_messages, ops_move, ops_queues  # noqa: E402,F401  (register the operations)
