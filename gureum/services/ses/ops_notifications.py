"""SES v1 identity notifications: the SNS topic per notification type (Bounce, Complaint, Delivery), the original
headers in them, and feedback forwarding by email. Each calls one SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("SetIdentityNotificationTopic")
async def set_identity_notification_topic(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_notification_topic(
        ctx.account, ctx.region, req["Identity"], req["NotificationType"], req.get("SnsTopic")
    )
    return {}


@SERVICE.op("SetIdentityHeadersInNotificationsEnabled")
async def set_identity_headers_in_notifications_enabled(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_notification_headers(
        ctx.account, ctx.region, req["Identity"], req["NotificationType"], bool(req["Enabled"])
    )
    return {}


@SERVICE.op("SetIdentityFeedbackForwardingEnabled")
async def set_identity_feedback_forwarding_enabled(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_feedback_forwarding(
        ctx.account, ctx.region, req["Identity"], bool(req["ForwardingEnabled"]), v1=True
    )
    return {}


@SERVICE.op("GetIdentityNotificationAttributes")
async def get_identity_notification_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).notification_settings(ctx.account, ctx.region, req["Identities"])
    return {"NotificationAttributes": {name: settings.attributes() for name, settings in found.items()}}
