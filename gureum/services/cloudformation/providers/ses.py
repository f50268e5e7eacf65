"""AWS::SES::EmailIdentity, ConfigurationSet, ConfigurationSetEventDestination (SES API v2, as CloudFormation's own
handlers use) and AWS::SES::Template, ReceiptRuleSet, ReceiptRule, ReceiptFilter (SES API v1)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tag_changes, tags_list

_V2 = "sesv2"


class EmailIdentity(Provider):
    type = "AWS::SES::EmailIdentity"
    replace = frozenset({"EmailIdentity"})
    system_tags = False  # SES v2 refuses tag keys starting with aws:

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        identity = str(required(props, "EmailIdentity"))
        params: dict[str, Any] = {"EmailIdentity": identity}
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        if props.get("DkimSigningAttributes"):
            params["DkimSigningAttributes"] = props["DkimSigningAttributes"]
        config = (props.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        if config:
            params["ConfigurationSetName"] = config
        self._refuse_dkim_switch(props)
        await ctx.aws(_V2, "CreateEmailIdentity", params)
        await self._attributes(ctx, identity, {}, props)
        return Created(identity, await self._read(ctx, identity))

    def _refuse_dkim_switch(self, props: dict[str, Any]) -> None:
        signing = (props.get("DkimAttributes") or {}).get("SigningEnabled")
        if signing is not None and str(signing).lower() == "false":
            raise ResourceFailure(
                "DkimAttributes.SigningEnabled false is not supported by gureum (its SES has no "
                "PutEmailIdentityDkimAttributes): DKIM signing stays enabled"
            )

    async def _read(self, ctx: Context, identity: str) -> dict[str, Any]:
        """The DKIM CNAME records Easy DKIM asks for (DkimDNSTokenName1..3 / Value1..3), for a domain identity."""
        found = await ctx.aws(_V2, "GetEmailIdentity", {"EmailIdentity": identity})
        tokens = (found.get("DkimAttributes") or {}).get("Tokens") or []
        out: dict[str, Any] = {}
        if "@" not in identity:
            for i, token in enumerate(tokens[:3], start=1):
                out[f"DkimDNSTokenName{i}"] = f"{token}._domainkey.{identity}"
                out[f"DkimDNSTokenValue{i}"] = f"{token}.dkim.amazonses.com"
        return out

    async def _attributes(self, ctx: Context, identity: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        mail_from = new.get("MailFromAttributes")
        if mail_from != old.get("MailFromAttributes"):
            await ctx.aws(
                _V2,
                "PutEmailIdentityMailFromAttributes",
                {"EmailIdentity": identity, **(mail_from or {})},
            )
        feedback = new.get("FeedbackAttributes")
        if feedback != old.get("FeedbackAttributes"):
            enabled = str((feedback or {}).get("EmailForwardingEnabled", "true")).lower() == "true"
            await ctx.aws(
                _V2,
                "PutEmailIdentityFeedbackAttributes",
                {"EmailIdentity": identity, "EmailForwardingEnabled": enabled},
            )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        self._refuse_dkim_switch(new)
        for member in ("ConfigurationSetAttributes", "DkimSigningAttributes"):
            if old.get(member) != new.get(member):
                raise ResourceFailure(
                    f"Updating {member} of an email identity is not supported by gureum: rename the identity's "
                    "logical id to have it made again"
                )
        await self._attributes(ctx, physical_id, old, new)
        return await self._read(ctx, physical_id)

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(_V2, "DeleteEmailIdentity", {"EmailIdentity": physical_id})


# ConfigurationSet members SES v2 changes in place (the rest are set when the set is made)
_SET_UPDATES = {
    "TrackingOptions": "PutConfigurationSetTrackingOptions",
    "SuppressionOptions": "PutConfigurationSetSuppressionOptions",
}


class ConfigurationSet(Provider):
    type = "AWS::SES::ConfigurationSet"
    replace = frozenset({"Name"})
    name_property = "Name"
    system_tags = False  # SES v2 refuses tag keys starting with aws:
    tags_in_place = True

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(64)
        params: dict[str, Any] = {k: v for k, v in props.items() if k not in ("Name", "Tags")}
        params["ConfigurationSetName"] = name
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        await ctx.aws(_V2, "CreateConfigurationSet", params)
        return Created(name, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        for member in set(old) | set(new):
            if member in ("Name", "Tags") or old.get(member) == new.get(member):
                continue
            operation = _SET_UPDATES.get(member)
            if operation is None:
                raise ResourceFailure(f"Updating {member} of a configuration set is not supported by gureum")
            await ctx.aws(_V2, operation, {"ConfigurationSetName": physical_id, **(new.get(member) or {})})
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        arn = f"arn:aws:ses:{ctx.region}:{ctx.account}:configuration-set/{physical_id}"
        if gone:
            await ctx.aws(_V2, "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        if changed:
            tags = [{"Key": k, "Value": v} for k, v in changed.items()]
            await ctx.aws(_V2, "TagResource", {"ResourceArn": arn, "Tags": tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(_V2, "DeleteConfigurationSet", {"ConfigurationSetName": physical_id})


def _v2_event(name: str) -> str:
    return "".join(f"_{c}" if c.isupper() else c for c in name).upper() if not name.isupper() else name


class ConfigurationSetEventDestination(Provider):
    type = "AWS::SES::ConfigurationSetEventDestination"
    replace = frozenset({"ConfigurationSetName"})

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        renamed = (old.get("EventDestination") or {}).get("Name") != (new.get("EventDestination") or {}).get("Name")
        return renamed or super().needs_replacement(old, new)

    def _params(self, ctx: Context, props: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        destination = dict(required(props, "EventDestination"))
        given = destination.pop("Name", None)
        # the template takes SES v1's event type names (send, renderingFailure); v2 names them SEND, RENDERING_FAILURE
        destination["MatchingEventTypes"] = [_v2_event(str(e)) for e in destination.get("MatchingEventTypes") or []]
        return {
            "ConfigurationSetName": required(props, "ConfigurationSetName"),
            "EventDestinationName": name or given or ctx.name(64),
            "EventDestination": destination,
        }

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = self._params(ctx, props)
        await ctx.aws(_V2, "CreateConfigurationSetEventDestination", params)
        return Created(params["EventDestinationName"], {"Id": params["EventDestinationName"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(_V2, "UpdateConfigurationSetEventDestination", self._params(ctx, new, physical_id))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(
            _V2,
            "DeleteConfigurationSetEventDestination",
            {"ConfigurationSetName": props["ConfigurationSetName"], "EventDestinationName": physical_id},
        )


class Template(Provider):
    type = "AWS::SES::Template"

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return (old.get("Template") or {}).get("TemplateName") != (new.get("Template") or {}).get("TemplateName")

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        template = dict(props.get("Template") or {})
        template["TemplateName"] = template.get("TemplateName") or ctx.name(64)
        await ctx.aws("ses", "CreateTemplate", {"Template": template})
        return Created(template["TemplateName"], {"Id": template["TemplateName"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "ses", "UpdateTemplate", {"Template": {**(new.get("Template") or {}), "TemplateName": physical_id}}
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ses", "DeleteTemplate", {"TemplateName": physical_id})


class ReceiptRuleSet(Provider):
    type = "AWS::SES::ReceiptRuleSet"
    updatable = False
    name_property = "RuleSetName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("RuleSetName") or ctx.name(64)
        await ctx.aws("ses", "CreateReceiptRuleSet", {"RuleSetName": name})
        return Created(name, {})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ses", "DeleteReceiptRuleSet", {"RuleSetName": physical_id})


class ReceiptRule(Provider):
    type = "AWS::SES::ReceiptRule"
    replace = frozenset({"RuleSetName"})

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        renamed = (old.get("Rule") or {}).get("Name") != (new.get("Rule") or {}).get("Name")
        return renamed or super().needs_replacement(old, new)

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        rule = dict(required(props, "Rule"))
        rule["Name"] = rule.get("Name") or ctx.name(64)
        params: dict[str, Any] = {"RuleSetName": required(props, "RuleSetName"), "Rule": rule}
        if props.get("After"):
            params["After"] = props["After"]
        await ctx.aws("ses", "CreateReceiptRule", params)
        return Created(rule["Name"], {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        rule_set = new["RuleSetName"]
        await ctx.aws(
            "ses", "UpdateReceiptRule", {"RuleSetName": rule_set, "Rule": {**new["Rule"], "Name": physical_id}}
        )
        if old.get("After") != new.get("After"):
            params = {"RuleSetName": rule_set, "RuleName": physical_id}
            if new.get("After"):
                params["After"] = new["After"]
            await ctx.aws("ses", "SetReceiptRulePosition", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ses", "DeleteReceiptRule", {"RuleSetName": props["RuleSetName"], "RuleName": physical_id})


class ReceiptFilter(Provider):
    type = "AWS::SES::ReceiptFilter"
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        given = dict(required(props, "Filter"))
        given["Name"] = given.get("Name") or ctx.name(64)
        await ctx.aws("ses", "CreateReceiptFilter", {"Filter": given})
        return Created(given["Name"], {})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ses", "DeleteReceiptFilter", {"FilterName": physical_id})


PROVIDERS = [
    EmailIdentity(),
    ConfigurationSet(),
    ConfigurationSetEventDestination(),
    Template(),
    ReceiptRuleSet(),
    ReceiptRule(),
    ReceiptFilter(),
]
