"""SES v2 configuration sets, their options (sending, delivery, reputation, suppression, tracking, VDM, archiving;
kept and shown) and event destinations (SNS, EventBridge and Firehose get the events; CloudWatch and Pinpoint ones
are kept and shown): each calls one SesMail method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, tag_list, translated


def _targets(dest: dict[str, Any]) -> dict[str, Any]:
    """The destination's Firehose, CloudWatch and Pinpoint parts as the backend keeps them."""
    out: dict[str, Any] = {}
    if firehose := dest.get("KinesisFirehoseDestination"):
        out["firehose"] = {"stream": firehose["DeliveryStreamArn"], "role": firehose["IamRoleArn"]}
    if cloudwatch := dest.get("CloudWatchDestination"):
        out["cloudwatch"] = [
            {"name": d["DimensionName"], "source": d["DimensionValueSource"], "default": d["DefaultDimensionValue"]}
            for d in cloudwatch.get("DimensionConfigurations") or []
        ]
    if pinpoint := dest.get("PinpointDestination"):
        # kept and shown (Terraform and CDK stacks name one); gureum has no Pinpoint to deliver the events to
        out["pinpoint"] = pinpoint.get("ApplicationArn")
    return out


def _destination_out(dest: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": dest["name"], "Enabled": dest["enabled"], "MatchingEventTypes": dest["types"]}
    if dest.get("sns_topic"):
        out["SnsDestination"] = {"TopicArn": dest["sns_topic"]}
    if dest.get("event_bus"):
        out["EventBridgeDestination"] = {"EventBusArn": dest["event_bus"]}
    if firehose := dest.get("firehose"):
        out["KinesisFirehoseDestination"] = {"IamRoleArn": firehose["role"], "DeliveryStreamArn": firehose["stream"]}
    if dest.get("cloudwatch") is not None:
        out["CloudWatchDestination"] = {
            "DimensionConfigurations": [
                {"DimensionName": d["name"], "DimensionValueSource": d["source"], "DefaultDimensionValue": d["default"]}
                for d in dest["cloudwatch"]
            ]
        }
    if dest.get("pinpoint"):
        out["PinpointDestination"] = {"ApplicationArn": dest["pinpoint"]}
    return out


def _present(options: dict[str, Any] | None) -> dict[str, Any] | None:
    """The members given (None for none at all)."""
    kept = {k: v for k, v in (options or {}).items() if v is not None}
    return kept or None


@SERVICE.op("CreateConfigurationSet")
@translated
async def create_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "SendingOptions" in req:
        options["sending_enabled"] = bool(req["SendingOptions"].get("SendingEnabled", True))
    if tracking := _present(req.get("TrackingOptions")):
        options["tracking"] = tracking
    if suppression := req.get("SuppressionOptions"):
        if suppression.get("SuppressedReasons") is not None:
            options["suppression"] = sorted(set(suppression["SuppressedReasons"]))
        options["suppression_validation"] = suppression.get("ValidationOptions")
    if reputation := req.get("ReputationOptions"):
        options["reputation"] = {"ReputationMetricsEnabled": bool(reputation.get("ReputationMetricsEnabled"))}
    options["delivery"] = _present(req.get("DeliveryOptions"))
    options["vdm"] = _present(req.get("VdmOptions"))
    options["archiving"] = _present(req.get("ArchivingOptions"))
    if req.get("Tags"):
        options["tags"] = {t["Key"]: t["Value"] for t in req["Tags"]}
    await mail(ctx).create_configuration_set(ctx.account, ctx.region, req["ConfigurationSetName"], options)
    return {}


@SERVICE.op("GetConfigurationSet")
@translated
async def get_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).get_configuration_set(ctx.account, ctx.region, req["ConfigurationSetName"])
    reputation: dict[str, Any] = {"ReputationMetricsEnabled": False, **(found.get("reputation") or {})}
    if found.get("fresh_start") is not None:
        reputation["LastFreshStart"] = found["fresh_start"]
    out: dict[str, Any] = {
        "ConfigurationSetName": req["ConfigurationSetName"],
        "ReputationOptions": reputation,
        "SendingOptions": {"SendingEnabled": found["sending_enabled"]},
        "Tags": tag_list(found.get("tags")),
    }
    if found.get("delivery"):  # only once set: Terraform's provider reads an answered block as configured
        out["DeliveryOptions"] = {"TlsPolicy": "OPTIONAL", **found["delivery"]}
    if found["tracking"]:
        out["TrackingOptions"] = found["tracking"]
    if found["suppression"] is not None or found.get("suppression_validation"):
        out["SuppressionOptions"] = {"SuppressedReasons": found["suppression"] or []}
        if found.get("suppression_validation"):
            out["SuppressionOptions"]["ValidationOptions"] = found["suppression_validation"]
    if found.get("vdm"):
        out["VdmOptions"] = found["vdm"]
    if found.get("archiving"):
        out["ArchivingOptions"] = found["archiving"]
    return out


@SERVICE.op("ListConfigurationSets")
@translated
async def list_configuration_sets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return paged(await mail(ctx).list_configuration_sets(ctx.account, ctx.region), req, "ConfigurationSets")


@SERVICE.op("DeleteConfigurationSet")
@translated
async def delete_configuration_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_configuration_set(ctx.account, ctx.region, req["ConfigurationSetName"])
    return {}


@SERVICE.op("CreateConfigurationSetEventDestination")
@translated
async def create_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    dest = req["EventDestination"]
    await mail(ctx).put_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], req["EventDestinationName"],
        bool(dest.get("Enabled", False)), list(dest.get("MatchingEventTypes") or []),
        (dest.get("SnsDestination") or {}).get("TopicArn"),
        (dest.get("EventBridgeDestination") or {}).get("EventBusArn"),
        create=True, targets=_targets(dest),
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateConfigurationSetEventDestination")
@translated
async def update_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    dest = req["EventDestination"]
    await mail(ctx).put_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], req["EventDestinationName"],
        bool(dest.get("Enabled", False)), list(dest.get("MatchingEventTypes") or []),
        (dest.get("SnsDestination") or {}).get("TopicArn"),
        (dest.get("EventBridgeDestination") or {}).get("EventBusArn"),
        create=False, targets=_targets(dest),
    )  # fmt: skip
    return {}


@SERVICE.op("GetConfigurationSetEventDestinations")
@translated
async def get_configuration_set_event_destinations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).event_destinations(ctx.account, ctx.region, req["ConfigurationSetName"])
    return {"EventDestinations": [_destination_out(d) for d in found]}


@SERVICE.op("DeleteConfigurationSetEventDestination")
@translated
async def delete_configuration_set_event_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_event_destination(
        ctx.account, ctx.region, req["ConfigurationSetName"], req["EventDestinationName"]
    )
    return {}


@SERVICE.op("PutConfigurationSetTrackingOptions")
@translated
async def put_configuration_set_tracking_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options = {k: req[k] for k in ("CustomRedirectDomain", "HttpsPolicy") if req.get(k)}
    await mail(ctx).put_setting(ctx.account, ctx.region, req["ConfigurationSetName"], "tracking", options or None)
    return {}


@SERVICE.op("PutConfigurationSetSuppressionOptions")
@translated
async def put_configuration_set_suppression_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    reasons = req.get("SuppressedReasons")
    await mail(ctx).put_setting(
        ctx.account, ctx.region, req["ConfigurationSetName"], "suppression",
        None if reasons is None else sorted(set(reasons)),
    )  # fmt: skip
    await mail(ctx).put_setting(
        ctx.account, ctx.region, req["ConfigurationSetName"], "suppression_validation", req.get("ValidationOptions")
    )
    return {}


@SERVICE.op("PutConfigurationSetSendingOptions")
@translated
async def put_configuration_set_sending_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_setting(
        ctx.account, ctx.region, req["ConfigurationSetName"], "sending", bool(req.get("SendingEnabled"))
    )
    return {}


@SERVICE.op("PutConfigurationSetDeliveryOptions")
@translated
async def put_configuration_set_delivery_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options = {k: req.get(k) for k in ("TlsPolicy", "SendingPoolName", "MaxDeliverySeconds")}
    await mail(ctx).put_setting(ctx.account, ctx.region, req["ConfigurationSetName"], "delivery", _present(options))
    return {}


@SERVICE.op("PutConfigurationSetReputationOptions")
@translated
async def put_configuration_set_reputation_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options = {"ReputationMetricsEnabled": bool(req.get("ReputationMetricsEnabled"))}
    await mail(ctx).put_setting(ctx.account, ctx.region, req["ConfigurationSetName"], "reputation", options)
    return {}


@SERVICE.op("PutConfigurationSetVdmOptions")
@translated
async def put_configuration_set_vdm_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options = _present(req.get("VdmOptions"))
    await mail(ctx).put_setting(ctx.account, ctx.region, req["ConfigurationSetName"], "vdm", options)
    return {}


@SERVICE.op("PutConfigurationSetArchivingOptions")
@translated
async def put_configuration_set_archiving_options(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options = _present({"ArchiveArn": req.get("ArchiveArn")})
    await mail(ctx).put_setting(ctx.account, ctx.region, req["ConfigurationSetName"], "archiving", options)
    return {}
