"""AWS::KinesisFirehose::DeliveryStream through Firehose's operations: created and waited for until ACTIVE,
destinations changed in place with UpdateDestination (the template's *DestinationConfiguration as the matching
*DestinationUpdate), encryption and tags in place."""

from __future__ import annotations

from typing import Any

from .base import Context, Created, Provider, tag_changes, tags_list, until

# the destination members a template may declare, and the UpdateDestination member each becomes
_DESTINATIONS = {
    "S3DestinationConfiguration": "S3DestinationUpdate",
    "ExtendedS3DestinationConfiguration": "ExtendedS3DestinationUpdate",
    "RedshiftDestinationConfiguration": "RedshiftDestinationUpdate",
    "ElasticsearchDestinationConfiguration": "ElasticsearchDestinationUpdate",
    "AmazonopensearchserviceDestinationConfiguration": "AmazonopensearchserviceDestinationUpdate",
    "AmazonOpenSearchServerlessDestinationConfiguration": "AmazonOpenSearchServerlessDestinationUpdate",
    "SplunkDestinationConfiguration": "SplunkDestinationUpdate",
    "HttpEndpointDestinationConfiguration": "HttpEndpointDestinationUpdate",
    "SnowflakeDestinationConfiguration": "SnowflakeDestinationUpdate",
    "IcebergDestinationConfiguration": "IcebergDestinationUpdate",
}
# members of a destination configuration named differently in its update
_UPDATE_NAMES = {"S3Configuration": "S3Update", "S3BackupConfiguration": "S3BackupUpdate"}
_CREATE_ONLY = ("S3BackupConfiguration",)  # ExtendedS3's backup bucket is fixed once the stream exists


class DeliveryStream(Provider):
    type = "AWS::KinesisFirehose::DeliveryStream"
    tags_in_place = True
    replace = frozenset(
        {
            "DeliveryStreamName",
            "DeliveryStreamType",
            "KinesisStreamSourceConfiguration",
            "MSKSourceConfiguration",
            "DatabaseSourceConfiguration",
        }
    )
    name_property = "DeliveryStreamName"

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        # a destination of another kind is a new stream (UpdateDestination keeps the kind)
        kinds = [{k for k in _DESTINATIONS if p.get(k) is not None} for p in (old, new)]
        return kinds[0] != kinds[1] or super().needs_replacement(old, new)

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("DeliveryStreamName") or ctx.name(64)
        params: dict[str, Any] = {k: v for k, v in props.items() if k not in ("DeliveryStreamName", "Tags")}
        params["DeliveryStreamName"] = name
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        await ctx.aws("firehose", "CreateDeliveryStream", params)
        found = await self._active(ctx, name)
        return Created(name, {"Arn": found["DeliveryStreamARN"]})

    async def _active(self, ctx: Context, name: str) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            found = await ctx.aws("firehose", "DescribeDeliveryStream", {"DeliveryStreamName": name})
            description = found["DeliveryStreamDescription"]
            return description if description.get("DeliveryStreamStatus") == "ACTIVE" else None

        return await until(ctx, check)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        for member, update_member in _DESTINATIONS.items():
            if new.get(member) is None or new.get(member) == old.get(member):
                continue
            found = await self._active(ctx, physical_id)
            changes = {
                _UPDATE_NAMES.get(k, k): v
                for k, v in new[member].items()
                if not (member == "ExtendedS3DestinationConfiguration" and k in _CREATE_ONLY)
            }
            await ctx.aws(
                "firehose",
                "UpdateDestination",
                {
                    "DeliveryStreamName": physical_id,
                    "CurrentDeliveryStreamVersionId": found["VersionId"],
                    "DestinationId": found["Destinations"][0]["DestinationId"],
                    update_member: changes,
                },
            )
        encryption = new.get("DeliveryStreamEncryptionConfigurationInput")
        if encryption != old.get("DeliveryStreamEncryptionConfigurationInput"):
            if encryption:
                await ctx.aws(
                    "firehose",
                    "StartDeliveryStreamEncryption",
                    {"DeliveryStreamName": physical_id, "DeliveryStreamEncryptionConfigurationInput": encryption},
                )
            else:
                await ctx.aws("firehose", "StopDeliveryStreamEncryption", {"DeliveryStreamName": physical_id})
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("firehose", "UntagDeliveryStream", {"DeliveryStreamName": physical_id, "TagKeys": gone})
        if changed:
            await ctx.aws(
                "firehose",
                "TagDeliveryStream",
                {"DeliveryStreamName": physical_id, "Tags": [{"Key": k, "Value": v} for k, v in changed.items()]},
            )
        await self._active(ctx, physical_id)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("firehose", "DeleteDeliveryStream", {"DeliveryStreamName": physical_id})


PROVIDERS = [DeliveryStream()]
