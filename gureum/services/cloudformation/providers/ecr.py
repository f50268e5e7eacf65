"""AWS::ECR::Repository through ECR's operations."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, tag_changes, tags_list


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class Repository(Provider):
    type = "AWS::ECR::Repository"
    system_tags = False
    replace = frozenset({"RepositoryName", "EncryptionConfiguration"})
    name_property = "RepositoryName"
    tags_in_place = True

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("RepositoryName") or ctx.name(200, lower=True)
        params: dict[str, Any] = {"repositoryName": name}
        if props.get("ImageTagMutability"):
            params["imageTagMutability"] = props["ImageTagMutability"]
        scan = props.get("ImageScanningConfiguration")
        if isinstance(scan, dict):
            params["imageScanningConfiguration"] = {"scanOnPush": str(scan.get("ScanOnPush", "")).lower() == "true"}
        tags = tags_list(props, ctx.tags)
        if tags:
            params["tags"] = tags
        repo = (await ctx.aws("ecr", "CreateRepository", params))["repository"]
        await self._policies(ctx, name, {}, props)
        return Created(name, {"Arn": repo["repositoryArn"], "RepositoryUri": repo["repositoryUri"]})

    async def _policies(self, ctx: Context, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("RepositoryPolicyText") != old.get("RepositoryPolicyText"):
            if new.get("RepositoryPolicyText") is not None:
                await ctx.aws(
                    "ecr",
                    "SetRepositoryPolicy",
                    {"repositoryName": name, "policyText": _text(new["RepositoryPolicyText"])},
                )
            else:
                await ctx.aws("ecr", "DeleteRepositoryPolicy", {"repositoryName": name})
        lifecycle = (new.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
        if lifecycle != (old.get("LifecyclePolicy") or {}).get("LifecyclePolicyText"):
            if lifecycle is not None:
                await ctx.aws(
                    "ecr", "PutLifecyclePolicy", {"repositoryName": name, "lifecyclePolicyText": _text(lifecycle)}
                )
            else:
                await ctx.aws("ecr", "DeleteLifecyclePolicy", {"repositoryName": name})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("ImageTagMutability") != new.get("ImageTagMutability"):
            await ctx.aws(
                "ecr",
                "PutImageTagMutability",
                {"repositoryName": physical_id, "imageTagMutability": new.get("ImageTagMutability", "MUTABLE")},
            )
        if old.get("ImageScanningConfiguration") != new.get("ImageScanningConfiguration"):
            scan = new.get("ImageScanningConfiguration") or {}
            await ctx.aws(
                "ecr",
                "PutImageScanningConfiguration",
                {
                    "repositoryName": physical_id,
                    "imageScanningConfiguration": {"scanOnPush": str(scan.get("ScanOnPush", "")).lower() == "true"},
                },
            )
        await self._policies(ctx, physical_id, old, new)
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("ecr", "UntagResource", {"resourceArn": attributes["Arn"], "tagKeys": gone})
        if changed:
            tags = [{"Key": k, "Value": v} for k, v in changed.items()]
            await ctx.aws("ecr", "TagResource", {"resourceArn": attributes["Arn"], "tags": tags})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        force = str(props.get("EmptyOnDelete", "")).lower() == "true"
        await ctx.aws("ecr", "DeleteRepository", {"repositoryName": physical_id, "force": force})


PROVIDERS = [Repository()]
