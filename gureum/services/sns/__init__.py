"""Amazon SNS: standard and FIFO topics fanning out to SQS, HTTP/S, Lambda, Firehose, e-mail, SMS and mobile push,
with filter policies, signed messages, delivery retries and subscription dead-letter queues.

Offers the "sns" delivery target (publish into a topic inside the producer's transaction) and "sns-http".
"""

from __future__ import annotations

from pathlib import Path

from .. import Service

# SNS validates like the other Coral services: a missing required member is a ValidationError
# ("1 validation error detected: Value null at 'messageAttributes.x.member.dataType' ...", as AWS answers)
# the SubscribeURL / UnsubscribeURL links in messages are unsigned GETs, which AWS serves in any mode
SERVICE = Service(
    "sns",
    migrations=Path(__file__).parent / "migrations",
    anonymous_ops=frozenset({"ConfirmSubscription", "Unsubscribe"}),
)

from . import backend, ops_platform, ops_publish, ops_sms, ops_subscriptions, ops_topics  # noqa: E402,F401  (registers)
from .admin import ROUTES  # noqa: E402
from .targets import HTTP_TARGET, SNS_TARGET  # noqa: E402

SERVICE.on_start(backend.start)
SERVICE.on_stop(backend.stop)
SERVICE.on_reset(backend.reset)
SERVICE.targets += [SNS_TARGET, HTTP_TARGET]
SERVICE.admin_routes.update(ROUTES)
