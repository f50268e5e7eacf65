"""AWS::IAM::Role, AWS::IAM::Policy, AWS::IAM::ManagedPolicy, AWS::IAM::User, AWS::IAM::Group through IAM's
operations."""

from __future__ import annotations

import json
from typing import Any

from .base import Context, Created, Provider, required, tag_changes, tags_list


def _doc(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


async def _attach(ctx: Context, kind: str, name: str, old: list[str], new: list[str]) -> None:
    """Attach the managed policies of ``new`` not in ``old``, detach those gone (kind: Role, User, Group)."""
    for arn in [a for a in old if a not in new]:
        await ctx.aws("iam", f"Detach{kind}Policy", {f"{kind}Name": name, "PolicyArn": arn})
    for arn in [a for a in new if a not in old]:
        await ctx.aws("iam", f"Attach{kind}Policy", {f"{kind}Name": name, "PolicyArn": arn})


async def _inline(ctx: Context, kind: str, name: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    keep = {str(p["PolicyName"]) for p in new}
    for policy in old:
        if policy["PolicyName"] not in keep:
            await ctx.aws("iam", f"Delete{kind}Policy", {f"{kind}Name": name, "PolicyName": policy["PolicyName"]})
    before = {str(p["PolicyName"]): p.get("PolicyDocument") for p in old}
    for policy in new:
        if before.get(str(policy["PolicyName"])) != policy.get("PolicyDocument"):
            await ctx.aws(
                "iam",
                f"Put{kind}Policy",
                {
                    f"{kind}Name": name,
                    "PolicyName": policy["PolicyName"],
                    "PolicyDocument": _doc(policy["PolicyDocument"]),
                },
            )


class Role(Provider):
    type = "AWS::IAM::Role"
    tags_in_place = True
    system_tags = False
    replace = frozenset({"RoleName", "Path"})
    name_property = "RoleName"

    drift = frozenset({"AssumeRolePolicyDocument", "Description", "MaxSessionDuration", "Path"})

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        from urllib.parse import unquote

        role = (await ctx.aws("iam", "GetRole", {"RoleName": physical_id}))["Role"]
        live = {k: v for k, v in role.items() if k in self.drift}
        document = live.get("AssumeRolePolicyDocument")
        if isinstance(document, str):  # IAM answers it URL-encoded
            live["AssumeRolePolicyDocument"] = json.loads(unquote(document))
        return live

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("RoleName") or ctx.name(64)
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": _doc(required(props, "AssumeRolePolicyDocument")),
        }
        for key in ("Path", "Description", "PermissionsBoundary"):
            if props.get(key) is not None:
                params[key] = props[key]
        if props.get("MaxSessionDuration") is not None:
            params["MaxSessionDuration"] = int(props["MaxSessionDuration"])
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        role = (await ctx.aws("iam", "CreateRole", params))["Role"]
        await _attach(ctx, "Role", name, [], list(props.get("ManagedPolicyArns") or []))
        await _inline(ctx, "Role", name, [], list(props.get("Policies") or []))
        return Created(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("AssumeRolePolicyDocument") != new.get("AssumeRolePolicyDocument"):
            await ctx.aws(
                "iam",
                "UpdateAssumeRolePolicy",
                {"RoleName": physical_id, "PolicyDocument": _doc(required(new, "AssumeRolePolicyDocument"))},
            )
        if old.get("Description") != new.get("Description") or old.get("MaxSessionDuration") != new.get(
            "MaxSessionDuration"
        ):
            params: dict[str, Any] = {"RoleName": physical_id, "Description": str(new.get("Description", ""))}
            if new.get("MaxSessionDuration") is not None:
                params["MaxSessionDuration"] = int(new["MaxSessionDuration"])
            await ctx.aws("iam", "UpdateRole", params)
        gone, changed = tag_changes(old, new, ctx.tags, ctx.previous_tags)
        if gone:
            await ctx.aws("iam", "UntagRole", {"RoleName": physical_id, "TagKeys": gone})
        if changed:
            await ctx.aws(
                "iam",
                "TagRole",
                {"RoleName": physical_id, "Tags": [{"Key": k, "Value": v} for k, v in changed.items()]},
            )
        await _attach(
            ctx, "Role", physical_id, list(old.get("ManagedPolicyArns") or []), list(new.get("ManagedPolicyArns") or [])
        )
        await _inline(ctx, "Role", physical_id, list(old.get("Policies") or []), list(new.get("Policies") or []))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await _attach(ctx, "Role", physical_id, list(props.get("ManagedPolicyArns") or []), [])
        await _inline(ctx, "Role", physical_id, list(props.get("Policies") or []), [])
        await ctx.aws("iam", "DeleteRole", {"RoleName": physical_id})


class User(Provider):
    type = "AWS::IAM::User"
    system_tags = False
    replace = frozenset({"UserName", "Path"})
    name_property = "UserName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("UserName") or ctx.name(64)
        params: dict[str, Any] = {"UserName": name}
        if props.get("Path"):
            params["Path"] = props["Path"]
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        user = (await ctx.aws("iam", "CreateUser", params))["User"]
        await _attach(ctx, "User", name, [], list(props.get("ManagedPolicyArns") or []))
        await _inline(ctx, "User", name, [], list(props.get("Policies") or []))
        return Created(name, {"Arn": user["Arn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await _attach(
            ctx, "User", physical_id, list(old.get("ManagedPolicyArns") or []), list(new.get("ManagedPolicyArns") or [])
        )
        await _inline(ctx, "User", physical_id, list(old.get("Policies") or []), list(new.get("Policies") or []))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await _attach(ctx, "User", physical_id, list(props.get("ManagedPolicyArns") or []), [])
        await _inline(ctx, "User", physical_id, list(props.get("Policies") or []), [])
        await ctx.aws("iam", "DeleteUser", {"UserName": physical_id})


class Policy(Provider):
    """An inline policy put on each of its roles, users and groups."""

    type = "AWS::IAM::Policy"
    system_tags = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        await self._put(ctx, props, {})
        return Created(ctx.name(64), {"Id": ctx.name(64)})

    async def _put(self, ctx: Context, props: dict[str, Any], old: dict[str, Any]) -> None:
        name, document = str(required(props, "PolicyName")), _doc(required(props, "PolicyDocument"))
        for kind, key in (("Role", "Roles"), ("User", "Users"), ("Group", "Groups")):
            gone = [n for n in old.get(key) or [] if n not in (props.get(key) or []) or old.get("PolicyName") != name]
            for owner in gone:
                await ctx.aws("iam", f"Delete{kind}Policy", {f"{kind}Name": owner, "PolicyName": old["PolicyName"]})
            for owner in props.get(key) or []:
                await ctx.aws(
                    "iam", f"Put{kind}Policy", {f"{kind}Name": owner, "PolicyName": name, "PolicyDocument": document}
                )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._put(ctx, new, old)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        for kind, key in (("Role", "Roles"), ("User", "Users"), ("Group", "Groups")):
            for owner in props.get(key) or []:
                try:
                    await ctx.aws(
                        "iam", f"Delete{kind}Policy", {f"{kind}Name": owner, "PolicyName": props["PolicyName"]}
                    )
                except Exception as error:
                    if getattr(error, "code", "") != "NoSuchEntity":
                        raise


class ManagedPolicy(Provider):
    type = "AWS::IAM::ManagedPolicy"
    system_tags = False
    replace = frozenset({"ManagedPolicyName", "Path", "Description"})
    name_property = "ManagedPolicyName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("ManagedPolicyName") or ctx.name(128)
        params: dict[str, Any] = {"PolicyName": name, "PolicyDocument": _doc(required(props, "PolicyDocument"))}
        for key in ("Path", "Description"):
            if props.get(key):
                params[key] = props[key]
        policy = (await ctx.aws("iam", "CreatePolicy", params))["Policy"]
        arn = policy["Arn"]
        await self._attach(ctx, arn, {}, props)
        return Created(arn, {"PolicyArn": arn, "PolicyId": policy.get("PolicyId", ""), "PolicyName": name})

    async def _attach(self, ctx: Context, arn: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for kind, key in (("Role", "Roles"), ("User", "Users"), ("Group", "Groups")):
            before, after = list(old.get(key) or []), list(new.get(key) or [])
            for owner in [o for o in before if o not in after]:
                await ctx.aws("iam", f"Detach{kind}Policy", {f"{kind}Name": owner, "PolicyArn": arn})
            for owner in [o for o in after if o not in before]:
                await ctx.aws("iam", f"Attach{kind}Policy", {f"{kind}Name": owner, "PolicyArn": arn})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if old.get("PolicyDocument") != new.get("PolicyDocument"):
            versions = (await ctx.aws("iam", "ListPolicyVersions", {"PolicyArn": physical_id}))["Versions"]
            for version in versions:
                if not version.get("IsDefaultVersion") and len(versions) >= 5:
                    await ctx.aws(
                        "iam", "DeletePolicyVersion", {"PolicyArn": physical_id, "VersionId": version["VersionId"]}
                    )
                    break
            await ctx.aws(
                "iam",
                "CreatePolicyVersion",
                {"PolicyArn": physical_id, "SetAsDefault": True, "PolicyDocument": _doc(new["PolicyDocument"])},
            )
        await self._attach(ctx, physical_id, old, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await self._attach(ctx, physical_id, props, {})
        versions = (await ctx.aws("iam", "ListPolicyVersions", {"PolicyArn": physical_id}))["Versions"]
        for version in versions:
            if not version.get("IsDefaultVersion"):
                await ctx.aws(
                    "iam", "DeletePolicyVersion", {"PolicyArn": physical_id, "VersionId": version["VersionId"]}
                )
        await ctx.aws("iam", "DeletePolicy", {"PolicyArn": physical_id})


PROVIDERS = [Role(), User(), Policy(), ManagedPolicy()]


class Group(Provider):
    type = "AWS::IAM::Group"
    system_tags = False
    replace = frozenset({"GroupName", "Path"})
    name_property = "GroupName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("GroupName") or ctx.name(128)
        params: dict[str, Any] = {"GroupName": name}
        if props.get("Path"):
            params["Path"] = props["Path"]
        group = (await ctx.aws("iam", "CreateGroup", params))["Group"]
        await _attach(ctx, "Group", name, [], list(props.get("ManagedPolicyArns") or []))
        await _inline(ctx, "Group", name, [], list(props.get("Policies") or []))
        return Created(name, {"Arn": group["Arn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await _attach(
            ctx,
            "Group",
            physical_id,
            list(old.get("ManagedPolicyArns") or []),
            list(new.get("ManagedPolicyArns") or []),
        )
        await _inline(ctx, "Group", physical_id, list(old.get("Policies") or []), list(new.get("Policies") or []))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await _attach(ctx, "Group", physical_id, list(props.get("ManagedPolicyArns") or []), [])
        await _inline(ctx, "Group", physical_id, list(props.get("Policies") or []), [])
        await ctx.aws("iam", "DeleteGroup", {"GroupName": physical_id})


class InstanceProfile(Provider):
    type = "AWS::IAM::InstanceProfile"
    system_tags = False
    replace = frozenset({"InstanceProfileName", "Path"})
    name_property = "InstanceProfileName"

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("InstanceProfileName") or ctx.name(128)
        params: dict[str, Any] = {"InstanceProfileName": name}
        if props.get("Path"):
            params["Path"] = props["Path"]
        profile = (await ctx.aws("iam", "CreateInstanceProfile", params))["InstanceProfile"]
        for role in required(props, "Roles"):
            await ctx.aws("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": name, "RoleName": role})
        return Created(name, {"Arn": profile["Arn"]})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        before, after = list(old.get("Roles") or []), list(new.get("Roles") or [])
        for role in [r for r in before if r not in after]:
            await ctx.aws(
                "iam", "RemoveRoleFromInstanceProfile", {"InstanceProfileName": physical_id, "RoleName": role}
            )
        for role in [r for r in after if r not in before]:
            await ctx.aws("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": physical_id, "RoleName": role})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        for role in props.get("Roles") or []:
            try:
                await ctx.aws(
                    "iam", "RemoveRoleFromInstanceProfile", {"InstanceProfileName": physical_id, "RoleName": role}
                )
            except Exception as error:
                if getattr(error, "code", "") != "NoSuchEntity":
                    raise
        await ctx.aws("iam", "DeleteInstanceProfile", {"InstanceProfileName": physical_id})


PROVIDERS += [Group(), InstanceProfile()]
