"""Amazon SES (v1, query protocol): identities and their verification, the sandbox and quotas, sending over the
API and SMTP, templates, configuration sets with event destinations, the captured mailbox, and receiving (receipt
rules run over mail that arrives on the inbound SMTP port).

The package face: SERVICE (operations registered by ops_*.py, admin routes under /_gureum/ses/) and its lifespan:
SesBackend kept at start (every behaviour is its), the SesMail port SES v2 (package sesv2) calls, the SMTP
listeners (sending; receiving).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ... import ports
from ...delivery import DeliveryError, Target
from ...runtime import Runtime
from .. import Service
from . import limits, relay, store
from .admin import ROUTES
from .backend import SesBackend
from .backend_receipt import S3_KIND
from .maintenance import look_up, maintain
from .permissions import Permissions
from .port import SesMailPort
from .smtp import SmtpListener
from .smtp_inbound import InboundListener

SERVICE: Service = Service("ses", migrations=Path(__file__).parent / "migrations")
SERVICE.admin_routes.update(ROUTES)
log = logging.getLogger("gureum")


def _smarthost() -> relay.Relay | None:
    try:
        return relay.from_environment()
    except ValueError as error:
        log.error("SES: %s; mail is not relayed", error)
        return None


async def _relay(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    be = runtime.state_or_none(SesBackend)
    if be is None:
        raise DeliveryError("SES has not started yet", code="ServiceUnavailable")
    await be.relay_message(payload)


async def _s3_action(runtime: Runtime, address: str, payload: dict[str, Any]) -> None:
    be = runtime.state_or_none(SesBackend)
    if be is None:
        raise DeliveryError("SES has not started yet", code="ServiceUnavailable")
    await be.deliver_s3(address, payload)


SERVICE.targets += [
    Target(relay.KIND, call=_relay, timeout=relay.TIMEOUT + 5),
    Target(S3_KIND, call=_s3_action, timeout=120.0),
]


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(
        SesBackend(
            runtime.store,
            runtime.clock,
            runtime.delivery,
            lambda: runtime.optional_port(ports.LambdaInvoker),
            runtime.principal_arn,
            _smarthost(),
            lambda: runtime.optional_port(ports.S3Objects),
            Permissions(runtime),
        )
    )
    runtime.provide(ports.SesMail, SesMailPort(be))
    runtime.spawn(maintain(runtime, be), "ses-prune")
    dns = limits.dns_lookups()
    if dns is not None:
        runtime.spawn(look_up(runtime, be, *dns), "ses-dns")
    config = runtime.config
    listener = runtime.keep(SmtpListener(runtime, be))
    if config.smtp_port:
        await listener.start(config.host, config.smtp_port, runtime.take_socket(config.smtp_port))
    inbound = runtime.keep(InboundListener(be))
    if config.smtp_inbound_port:
        await inbound.start(config.host, config.smtp_inbound_port, runtime.take_socket(config.smtp_inbound_port))


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    """POST /_gureum/reset emptied every table behind the sending configuration the store's cache keeps."""
    await runtime.store.write(store.forget_config)


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    listener = runtime.state_or_none(SmtpListener)
    if listener is not None:
        await listener.stop()
    inbound = runtime.state_or_none(InboundListener)
    if inbound is not None:
        await inbound.stop()


from . import (  # noqa: E402,F401
    ops_account,
    ops_authorization,
    ops_configuration_sets,
    ops_identities,
    ops_notifications,
    ops_receipt,
    ops_sending,
    ops_templates,
)
