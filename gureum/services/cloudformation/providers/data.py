"""AWS::DynamoDB::Table, AWS::S3::Bucket, AWS::Kinesis::Stream through DynamoDB's, S3's and Kinesis's operations
(each waits, polling its Describe operation, until the service says the resource is ready, as CloudFormation
does)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tag_changes, tags_list
from .base import until as _until


def _ints(value: Any) -> Any:
    """Throughput numbers as integers (template values may be text)."""
    if isinstance(value, dict):
        return {
            k: int(v) if k.endswith(("Units", "Capacity", "RequestUnits")) and str(v).isdigit() else _ints(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


class Table(Provider):
    type = "AWS::DynamoDB::Table"
    tags_in_place = True
    # AttributeDefinitions change in place (a global secondary index's attributes come and go with it); a key
    # attribute's type cannot change (update refuses it)
    replace = frozenset({"TableName", "KeySchema", "LocalSecondaryIndexes"})
    name_property = "TableName"

    drift = frozenset(
        {"BillingMode", "ProvisionedThroughput", "StreamSpecification", "TableClass", "DeletionProtectionEnabled"}
        | {"KeySchema", "AttributeDefinitions"}
    )

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        table = (await ctx.aws("dynamodb", "DescribeTable", {"TableName": physical_id}))["Table"]
        live: dict[str, Any] = {
            "KeySchema": table.get("KeySchema"),
            "AttributeDefinitions": table.get("AttributeDefinitions"),
            "BillingMode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "DeletionProtectionEnabled": bool(table.get("DeletionProtectionEnabled")),
            "TableClass": (table.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
        }
        throughput = table.get("ProvisionedThroughput") or {}
        if live["BillingMode"] == "PROVISIONED":
            live["ProvisionedThroughput"] = {k: throughput.get(k) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
        stream = table.get("StreamSpecification") or {}
        if stream.get("StreamEnabled"):
            live["StreamSpecification"] = {"StreamViewType": stream.get("StreamViewType")}
        return live

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("TableName") or ctx.name(255)
        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": required(props, "KeySchema"),
            "AttributeDefinitions": required(props, "AttributeDefinitions"),
        }
        for key in (
            "BillingMode",
            "ProvisionedThroughput",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "StreamSpecification",
            "SSESpecification",
            "TableClass",
            "DeletionProtectionEnabled",
            "OnDemandThroughput",
        ):
            if props.get(key) is not None:
                params[key] = _ints(props[key])
        stream = params.get("StreamSpecification")
        if isinstance(stream, dict):
            params["StreamSpecification"] = {"StreamEnabled": True, **stream}
        if "SSESpecification" in params:
            sse = dict(params["SSESpecification"])
            params["SSESpecification"] = {
                "Enabled": str(sse.get("SSEEnabled", "false")).lower() == "true",
                **{k: v for k, v in sse.items() if k in ("SSEType", "KMSMasterKeyId")},
            }
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        await ctx.aws("dynamodb", "CreateTable", params)
        table = await self._active(ctx, name)
        ttl = props.get("TimeToLiveSpecification")
        if isinstance(ttl, dict):
            await ctx.aws(
                "dynamodb",
                "UpdateTimeToLive",
                {
                    "TableName": name,
                    "TimeToLiveSpecification": {
                        "Enabled": str(ttl.get("Enabled", "false")).lower() == "true",
                        "AttributeName": ttl["AttributeName"],
                    },
                },
            )
        pitr = props.get("PointInTimeRecoverySpecification")
        if isinstance(pitr, dict):
            await ctx.aws(
                "dynamodb", "UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": pitr}
            )
        return Created(name, self._attributes(table))

    def _attributes(self, table: dict[str, Any]) -> dict[str, Any]:
        out = {"Arn": table["TableArn"]}
        if table.get("LatestStreamArn"):
            out["StreamArn"] = table["LatestStreamArn"]
        return out

    async def _active(self, ctx: Context, name: str) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            table = (await ctx.aws("dynamodb", "DescribeTable", {"TableName": name}))["Table"]
            indexes = table.get("GlobalSecondaryIndexes") or []
            busy = any(i.get("IndexStatus") not in (None, "ACTIVE") for i in indexes)
            return table if table.get("TableStatus") == "ACTIVE" and not busy else None

        return await _until(ctx, check)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"TableName": physical_id}
        types = [{a["AttributeName"]: a.get("AttributeType") for a in p.get("AttributeDefinitions") or []}
                 for p in (old, new)]  # fmt: skip
        keys = [k["AttributeName"] for k in new.get("KeySchema") or []]
        keys += [k["AttributeName"] for i in new.get("LocalSecondaryIndexes") or [] for k in i.get("KeySchema") or []]
        retyped = sorted({k for k in keys if types[0].get(k) != types[1].get(k)})
        if retyped:
            raise ResourceFailure(f"Cannot change the type of key attributes {retyped}: the table must be replaced")
        for key in ("BillingMode", "ProvisionedThroughput", "TableClass", "DeletionProtectionEnabled"):
            if old.get(key) != new.get(key) and new.get(key) is not None:
                params[key] = _ints(new[key])
        if old.get("StreamSpecification") != new.get("StreamSpecification"):
            stream = new.get("StreamSpecification")
            if old.get("StreamSpecification") and stream:
                await ctx.aws(
                    "dynamodb",
                    "UpdateTable",
                    {"TableName": physical_id, "StreamSpecification": {"StreamEnabled": False}},
                )
                await self._active(ctx, physical_id)
            params["StreamSpecification"] = {"StreamEnabled": True, **stream} if stream else {"StreamEnabled": False}
        before = {i["IndexName"]: i for i in old.get("GlobalSecondaryIndexes") or []}
        after = {i["IndexName"]: i for i in new.get("GlobalSecondaryIndexes") or []}
        updates = [{"Delete": {"IndexName": n}} for n in before if n not in after]
        updates += [{"Create": _ints(i)} for n, i in after.items() if n not in before]
        for n, index in after.items():
            if n in before and before[n] != index:
                if before[n].get("KeySchema") != index.get("KeySchema") or before[n].get("Projection") != index.get(
                    "Projection"
                ):
                    raise ResourceFailure(f"Cannot update GSI {n} key schema or projection: delete and recreate it")
                if index.get("ProvisionedThroughput"):
                    updates.append(
                        {"Update": {"IndexName": n, "ProvisionedThroughput": _ints(index["ProvisionedThroughput"])}}
                    )
        if updates:
            params["AttributeDefinitions"] = new["AttributeDefinitions"]
        for update in updates:  # DynamoDB takes one index change per UpdateTable
            await ctx.aws("dynamodb", "UpdateTable", {**params, "GlobalSecondaryIndexUpdates": [update]})
            params = {"TableName": physical_id}
            await self._active(ctx, physical_id)
        if len(params) > 1:
            await ctx.aws("dynamodb", "UpdateTable", params)
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("dynamodb", "UntagResource", {"ResourceArn": attributes["Arn"], "TagKeys": gone})
        if changed:
            await ctx.aws(
                "dynamodb",
                "TagResource",
                {"ResourceArn": attributes["Arn"], "Tags": [{"Key": k, "Value": v} for k, v in changed.items()]},
            )
        ttl = new.get("TimeToLiveSpecification")
        if ttl != old.get("TimeToLiveSpecification") and isinstance(ttl, dict):
            await ctx.aws(
                "dynamodb",
                "UpdateTimeToLive",
                {
                    "TableName": physical_id,
                    "TimeToLiveSpecification": {
                        "Enabled": str(ttl.get("Enabled", "false")).lower() == "true",
                        "AttributeName": ttl["AttributeName"],
                    },
                },
            )
        return self._attributes(await self._active(ctx, physical_id))

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("dynamodb", "DeleteTable", {"TableName": physical_id})


class Bucket(Provider):
    type = "AWS::S3::Bucket"
    tags_in_place = True
    replace = frozenset({"BucketName", "ObjectLockEnabled"})
    name_property = "BucketName"

    drift = frozenset({"VersioningConfiguration"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        await ctx.aws("s3", "HeadBucket", {"Bucket": physical_id})
        found = await ctx.aws("s3", "GetBucketVersioning", {"Bucket": physical_id})
        return {"VersioningConfiguration": {"Status": found["Status"]}} if found.get("Status") else {}

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("BucketName") or ctx.name(63, lower=True)
        params: dict[str, Any] = {"Bucket": name}
        if ctx.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        if str(props.get("ObjectLockEnabled", "")).lower() == "true":
            params["ObjectLockEnabledForBucket"] = True
        await ctx.aws("s3", "CreateBucket", params)
        await self._configure(ctx, name, {}, props)
        return Created(
            name,
            {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
                "DualStackDomainName": f"{name}.s3.dualstack.{ctx.region}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website-{ctx.region}.amazonaws.com",
            },
        )

    async def _configure(self, ctx: Context, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("VersioningConfiguration") != old.get("VersioningConfiguration") and new.get(
            "VersioningConfiguration"
        ):
            await ctx.aws(
                "s3",
                "PutBucketVersioning",
                {
                    "Bucket": name,
                    "VersioningConfiguration": {"Status": new["VersioningConfiguration"].get("Status", "Enabled")},
                },
            )
        tags = tags_list(new, ctx.tags)
        if tags != tags_list(old, ctx.old_tags):
            if tags:
                await ctx.aws("s3", "PutBucketTagging", {"Bucket": name, "Tagging": {"TagSet": tags}})
            else:
                await ctx.aws("s3", "DeleteBucketTagging", {"Bucket": name})
        cors = new.get("CorsConfiguration")
        if cors != old.get("CorsConfiguration"):
            if cors:
                await ctx.aws(
                    "s3",
                    "PutBucketCors",
                    {
                        "Bucket": name,
                        "CORSConfiguration": {"CORSRules": [_cors_rule(r) for r in cors.get("CorsRules") or []]},
                    },
                )
            else:
                await ctx.aws("s3", "DeleteBucketCors", {"Bucket": name})
        lifecycle = new.get("LifecycleConfiguration")
        if lifecycle != old.get("LifecycleConfiguration"):
            if lifecycle:
                await ctx.aws(
                    "s3",
                    "PutBucketLifecycleConfiguration",
                    {
                        "Bucket": name,
                        "LifecycleConfiguration": {"Rules": [_lifecycle_rule(r) for r in lifecycle.get("Rules") or []]},
                    },
                )
            else:
                await ctx.aws("s3", "DeleteBucketLifecycle", {"Bucket": name})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._configure(ctx, physical_id, old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("s3", "DeleteBucket", {"Bucket": physical_id})


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    names = {
        "AllowedHeaders": "AllowedHeaders",
        "AllowedMethods": "AllowedMethods",
        "AllowedOrigins": "AllowedOrigins",
        "ExposedHeaders": "ExposeHeaders",
        "Id": "ID",
        "MaxAge": "MaxAgeSeconds",
    }
    return {names[k]: (int(v) if k == "MaxAge" else v) for k, v in rule.items() if k in names}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle Rule as S3's LifecycleRule (the filter from Prefix, TagFilters and object sizes)."""
    conditions: dict[str, Any] = {"Prefix": rule["Prefix"]} if rule.get("Prefix") else {}
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters") or []]
    if tags:
        conditions["Tags"] = tags
    for size in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if rule.get(size) is not None:
            conditions[size] = int(rule[size])
    if len(conditions) > 1 or tags:
        lifecycle_filter: dict[str, Any] = {"And": conditions}
    elif conditions:
        lifecycle_filter = conditions
    else:
        lifecycle_filter = {"Prefix": ""}
    out: dict[str, Any] = {"Status": rule.get("Status", "Enabled"), "Filter": lifecycle_filter}
    if rule.get("Id"):
        out["ID"] = rule["Id"]
    expiration: dict[str, Any] = {}
    if rule.get("ExpirationInDays") is not None:
        expiration["Days"] = int(rule["ExpirationInDays"])
    if rule.get("ExpirationDate"):
        expiration["Date"] = rule["ExpirationDate"]
    if rule.get("ExpiredObjectDeleteMarker") is not None:
        expiration["ExpiredObjectDeleteMarker"] = str(rule["ExpiredObjectDeleteMarker"]).lower() == "true"
    if expiration:
        out["Expiration"] = expiration
    noncurrent = dict(rule.get("NoncurrentVersionExpiration") or {})
    if rule.get("NoncurrentVersionExpirationInDays") is not None:
        noncurrent.setdefault("NoncurrentDays", rule["NoncurrentVersionExpirationInDays"])
    if noncurrent:
        out["NoncurrentVersionExpiration"] = {k: int(v) for k, v in noncurrent.items()}
    transitions = [*(rule.get("Transitions") or []), *([rule["Transition"]] if rule.get("Transition") else [])]
    if transitions:
        out["Transitions"] = [
            {"StorageClass": t["StorageClass"], **({"Days": int(t["TransitionInDays"])} if "TransitionInDays" in t
                                                   else {"Date": t["TransitionDate"]})}
            for t in transitions
        ]  # fmt: skip
    old_transitions = [
        *(rule.get("NoncurrentVersionTransitions") or []),
        *([rule["NoncurrentVersionTransition"]] if rule.get("NoncurrentVersionTransition") else []),
    ]
    if old_transitions:
        out["NoncurrentVersionTransitions"] = [
            {"StorageClass": t["StorageClass"], "NoncurrentDays": int(t["TransitionInDays"]),
             **({"NewerNoncurrentVersions": int(t["NewerNoncurrentVersions"])} if "NewerNoncurrentVersions" in t
                else {})}
            for t in old_transitions
        ]  # fmt: skip
    if rule.get("AbortIncompleteMultipartUpload"):
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return out


class BucketPolicy(Provider):
    type = "AWS::S3::BucketPolicy"
    replace = frozenset({"Bucket"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._put(ctx, props)
        return Created(str(props["Bucket"]), {})

    async def _put(self, ctx: Context, props: dict[str, Any]) -> None:
        import json

        document = required(props, "PolicyDocument")
        await ctx.aws(
            "s3",
            "PutBucketPolicy",
            {
                "Bucket": required(props, "Bucket"),
                "Policy": document if isinstance(document, str) else json.dumps(document),
            },
        )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("s3", "DeleteBucketPolicy", {"Bucket": physical_id})


class Stream(Provider):
    type = "AWS::Kinesis::Stream"
    tags_in_place = True
    replace = frozenset({"Name"})
    name_property = "Name"

    drift = frozenset({"ShardCount", "RetentionPeriodHours", "StreamModeDetails"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = await ctx.aws("kinesis", "DescribeStreamSummary", {"StreamName": physical_id})
        summary = found["StreamDescriptionSummary"]
        return {
            "ShardCount": summary.get("OpenShardCount"),
            "RetentionPeriodHours": summary.get("RetentionPeriodHours"),
            "StreamModeDetails": summary.get("StreamModeDetails") or {"StreamMode": "PROVISIONED"},
        }

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(128)
        params: dict[str, Any] = {"StreamName": name}
        mode = (props.get("StreamModeDetails") or {}).get("StreamMode")
        if mode:
            params["StreamModeDetails"] = {"StreamMode": mode}
        if mode != "ON_DEMAND":
            params["ShardCount"] = int(props.get("ShardCount", 1))
        tags = {t["Key"]: t["Value"] for t in tags_list(props, ctx.tags)}
        if tags:
            params["Tags"] = tags
        await ctx.aws("kinesis", "CreateStream", params)
        summary = await self._active(ctx, name)
        if props.get("RetentionPeriodHours") is not None and int(props["RetentionPeriodHours"]) > 24:
            await ctx.aws(
                "kinesis",
                "IncreaseStreamRetentionPeriod",
                {"StreamName": name, "RetentionPeriodHours": int(props["RetentionPeriodHours"])},
            )
            await self._active(ctx, name)
        return Created(name, {"Arn": summary["StreamARN"]})

    async def _active(self, ctx: Context, name: str) -> dict[str, Any]:
        async def check() -> dict[str, Any] | None:
            found = await ctx.aws("kinesis", "DescribeStreamSummary", {"StreamName": name})
            summary = found["StreamDescriptionSummary"]
            return summary if summary.get("StreamStatus") == "ACTIVE" else None

        return await _until(ctx, check)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("ShardCount") != new.get("ShardCount") and new.get("ShardCount") is not None:
            await ctx.aws(
                "kinesis",
                "UpdateShardCount",
                {
                    "StreamName": physical_id,
                    "ScalingType": "UNIFORM_SCALING",
                    "TargetShardCount": int(new["ShardCount"]),
                },
            )
            await self._active(ctx, physical_id)
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("kinesis", "RemoveTagsFromStream", {"StreamName": physical_id, "TagKeys": gone})
        if changed:
            await ctx.aws("kinesis", "AddTagsToStream", {"StreamName": physical_id, "Tags": changed})
        before, after = int(old.get("RetentionPeriodHours", 24)), int(new.get("RetentionPeriodHours", 24))
        if after > before:
            await ctx.aws(
                "kinesis", "IncreaseStreamRetentionPeriod", {"StreamName": physical_id, "RetentionPeriodHours": after}
            )
        elif after < before:
            await ctx.aws(
                "kinesis", "DecreaseStreamRetentionPeriod", {"StreamName": physical_id, "RetentionPeriodHours": after}
            )
        await self._active(ctx, physical_id)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("kinesis", "DeleteStream", {"StreamName": physical_id, "EnforceConsumerDeletion": True})


PROVIDERS = [Table(), Bucket(), BucketPolicy(), Stream()]
