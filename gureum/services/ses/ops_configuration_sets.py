"""SES v1 configuration sets, their options (sending, delivery, reputation metrics, tracking) and event destinations
(SNS, Firehose, CloudWatch; SES v2 adds EventBridge): each calls one SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .events import v1_type
from .paging import paged

# CloudWatch's DimensionValueSource: SES v1's spelling → the stored one (SES v2's)
_SOURCE_IN = {"messageTag": "MESSAGE_TAG", "emailHeader": "EMAIL_HEADER", "linkTag": "LINK_TAG"}
_SOURCE_OUT = {v: k for k, v in _SOURCE_IN.items()}


def _targets(dest: dict[str, Any]) -> dict[str, Any]:
    """The destination's Firehose and CloudWatch parts as the backend keeps them."""
    out: dict[str, Any] = {}
    if firehose := dest.get("KinesisFirehoseDestination"):
        out["firehose"] = {"stream": firehose["DeliveryStreamARN"], "role": firehose["IAMRoleARN"]}
    if cloudwatch := dest.get("CloudWatchDestination"):
        out["cloudwatch"] = [
            {
                "name": d["DimensionName"],
                "source": _SOURCE_IN.get(d["DimensionValueSource"], d["DimensionValueSource"]),
                "default": d["DefaultDimensionValue"],
            }
            for d in cloudwatch.get("DimensionConfigurations") or []
        ]
    return out


def _destination_out(dest: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": dest["name"],
        "Enabled": dest["enabled"],
        "MatchingEventTypes": [v1_type(t) for t in dest["types"]],
    }
    if dest.get("sns_topic"):
        out["SNSDestination"] = {"TopicARN": dest["sns_topic"]}
    if firehose := dest.get("firehose"):
        out["KinesisFirehoseDestination"] = {"IAMRoleARN": firehose["role"], "DeliveryStreamARN": firehose["stream"]}
    if dest.get("cloudwatch") is not None:
        out["CloudWatchDestination"] = {
            "DimensionConfigurations": [
                {
                    "DimensionName": d["name"],
                    "DimensionValueSource": _SOURCE_OUT.get(d["source"], d["source"]),
                    "DefaultDimensionValue": d["default"],
                }
                for d in dest["cloudwatch"]
            ]
        }
    return out


@SERVICE.op("CreateConfigurationSet")
async def create_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_configuration_set(ctx.account, ctx.region, req["ConfigurationSet"]["Name"])
    return {}


@SERVICE.op("DescribeConfigurationSet")
async def describe_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["ConfigurationSetName"]
    dests, tracking = await backend(ctx).configuration_set_view(ctx.account, ctx.region, name)
    out: dict[str, Any] = {"ConfigurationSet": {"Name": name}}
    wanted = req.get("ConfigurationSetAttributeNames") or []
    if "eventDestinations" in wanted:
        out["EventDestinations"] = [_destination_out(d) for d in dests]
    if "trackingOptions" in wanted and tracking and tracking.get("CustomRedirectDomain"):
        out["TrackingOptions"] = {"CustomRedirectDomain": tracking["CustomRedirectDomain"]}
    if "deliveryOptions" in wanted or "reputationOptions" in wanted:
        found = await backend(ctx).configuration_set_details(ctx.account, ctx.region, name)
        policy = (found["delivery"] or {}).get("TlsPolicy")
        if "deliveryOptions" in wanted and policy:  # none set: no DeliveryOptions, as SES answers
            out["DeliveryOptions"] = {"TlsPolicy": policy.capitalize()}  # SES v1 spells it Require / Optional
        if "reputationOptions" in wanted:
            out["ReputationOptions"] = {
                "SendingEnabled": found["sending_enabled"],
                "ReputationMetricsEnabled": bool((found["reputation"] or {}).get("ReputationMetricsEnabled")),
            }
            if found["fresh_start"] is not None:
                out["ReputationOptions"]["LastFreshStart"] = found["fresh_start"]
    return out


@SERVICE.op("PutConfigurationSetDeliveryOptions")
async def put_configuration_set_delivery_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = (req.get("DeliveryOptions") or {}).get("TlsPolicy")
    await backend(ctx).put_configuration_set_options(
        ctx.account, ctx.region, req["ConfigurationSetName"],
        {"delivery": {"TlsPolicy": policy.upper() if policy else None}}, merge=True,
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateConfigurationSetReputationMetricsEnabled")
async def update_configuration_set_reputation_metrics_enabled(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_configuration_set_options(
        ctx.account, ctx.region, req["ConfigurationSetName"],
        {"reputation": {"ReputationMetricsEnabled": bool(req["Enabled"])}},
    )  # fmt: skip


@SERVICE.op("ListConfigurationSets")
async def list_configuration_sets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    names = await backend(ctx).list_configuration_sets(ctx.account, ctx.region)
    return paged([{"Name": n} for n in names], req, "ConfigurationSets", 1000)


@SERVICE.op("DeleteConfigurationSet")
async def delete_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_configuration_set(ctx.account, ctx.region, req["ConfigurationSetName"])
    return {}


@SERVICE.op("UpdateConfigurationSetSendingEnabled")
async def update_configuration_set_sending_enabled(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_configuration_set_sending(
        ctx.account, ctx.region, req["ConfigurationSetName"], bool(req["Enabled"])
    )


@SERVICE.op("CreateConfigurationSetEventDestination")
async def create_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    dest = req["EventDestination"]
    await backend(ctx).put_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], dest["Name"], bool(dest.get("Enabled", False)),
        dest["MatchingEventTypes"], (dest.get("SNSDestination") or {}).get("TopicARN"), None, create=True,
        targets=_targets(dest),
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateConfigurationSetEventDestination")
async def update_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    dest = req["EventDestination"]
    await backend(ctx).put_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], dest["Name"], bool(dest.get("Enabled", False)),
        dest["MatchingEventTypes"], (dest.get("SNSDestination") or {}).get("TopicARN"), None, create=False,
        targets=_targets(dest),
    )  # fmt: skip
    return {}


@SERVICE.op("DeleteConfigurationSetEventDestination")
async def delete_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], req["EventDestinationName"]
    )
    return {}


@SERVICE.op("CreateConfigurationSetTrackingOptions")
async def create_configuration_set_tracking_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_tracking(
        ctx.account, ctx.region, req["ConfigurationSetName"], dict(req["TrackingOptions"]), "create"
    )
    return {}


@SERVICE.op("UpdateConfigurationSetTrackingOptions")
async def update_configuration_set_tracking_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_tracking(
        ctx.account, ctx.region, req["ConfigurationSetName"], dict(req["TrackingOptions"]), "update"
    )
    return {}


@SERVICE.op("DeleteConfigurationSetTrackingOptions")
async def delete_configuration_set_tracking_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_tracking(ctx.account, ctx.region, req["ConfigurationSetName"], None, "delete")
    return {}
