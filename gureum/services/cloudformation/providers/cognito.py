"""AWS::Cognito::UserPool, UserPoolClient, UserPoolGroup and UserPoolDomain through Cognito user pools' operations
(the template's property names are the API's, but for the pool's name: PoolName → UserPoolName)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tags_map

_POOL_SKIP = (
    "UserPoolName",
    "UserPoolTags",
    "Schema",
    "UsernameAttributes",
    "AliasAttributes",
    "EnabledMfas",
    "UserPoolTier",
)  # set at creation only, or through other operations


def _ints(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _pool_params(props: dict[str, Any]) -> dict[str, Any]:
    params = {k: v for k, v in props.items() if k not in ("UserPoolName", "UserPoolTags", "EnabledMfas")}
    for key in ("Policies", "AdminCreateUserConfig", "DeviceConfiguration", "AccountRecoverySetting"):
        if key in params:
            params[key] = _ints(params[key])
    if "DeletionProtection" in params:
        params["DeletionProtection"] = str(params["DeletionProtection"])
    return params


class UserPool(Provider):
    type = "AWS::Cognito::UserPool"
    replace = frozenset({"UserPoolName", "Schema", "UsernameAttributes", "AliasAttributes"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {"PoolName": props.get("UserPoolName") or ctx.name(128), **_pool_params(props)}
        tags = tags_map({"Tags": props.get("UserPoolTags") or {}}, ctx.tags)
        if tags:
            params["UserPoolTags"] = tags
        pool = (await ctx.aws("cognito-idp", "CreateUserPool", params))["UserPool"]
        provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool['Id']}"
        return Created(
            pool["Id"],
            {
                "Arn": pool["Arn"],
                "ProviderName": provider,
                "UserPoolId": pool["Id"],
                "ProviderURL": f"https://{provider}",
            },
        )

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params = {k: v for k, v in _pool_params(new).items() if k not in _POOL_SKIP}
        await ctx.aws("cognito-idp", "UpdateUserPool", {"UserPoolId": physical_id, **params})
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("cognito-idp", "DeleteUserPool", {"UserPoolId": physical_id})


class UserPoolClient(Provider):
    type = "AWS::Cognito::UserPoolClient"
    replace = frozenset({"UserPoolId", "GenerateSecret"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params = {k: v for k, v in props.items() if k not in ("UserPoolId", "GenerateSecret")}
        for key in ("AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "AuthSessionValidity"):
            if key in params:
                params[key] = int(params[key])
        for key in (
            "AllowedOAuthFlowsUserPoolClient",
            "EnableTokenRevocation",
            "EnablePropagateAdditionalUserContextData",
        ):
            if key in params:
                params[key] = str(params[key]).lower() == "true"
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {
            "UserPoolId": required(props, "UserPoolId"),
            "ClientName": ctx.name(128),
            **self._params(props),
        }
        if str(props.get("GenerateSecret", "")).lower() == "true":
            params["GenerateSecret"] = True
        client = (await ctx.aws("cognito-idp", "CreateUserPoolClient", params))["UserPoolClient"]
        attrs = {"ClientId": client["ClientId"], "Name": client.get("ClientName", "")}
        if client.get("ClientSecret"):
            attrs["ClientSecret"] = client["ClientSecret"]
        return Created(client["ClientId"], attrs)

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "cognito-idp",
            "UpdateUserPoolClient",
            {"UserPoolId": new["UserPoolId"], "ClientId": physical_id, **self._params(new)},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws(
            "cognito-idp", "DeleteUserPoolClient", {"UserPoolId": props["UserPoolId"], "ClientId": physical_id}
        )


class UserPoolGroup(Provider):
    type = "AWS::Cognito::UserPoolGroup"
    replace = frozenset({"UserPoolId", "GroupName"})

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params = {k: props[k] for k in ("Description", "RoleArn") if props.get(k) is not None}
        if props.get("Precedence") is not None:
            params["Precedence"] = int(props["Precedence"])
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("GroupName") or ctx.name(128)
        await ctx.aws(
            "cognito-idp",
            "CreateGroup",
            {"UserPoolId": required(props, "UserPoolId"), "GroupName": name, **self._params(props)},
        )
        return Created(name, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws(
            "cognito-idp",
            "UpdateGroup",
            {"UserPoolId": new["UserPoolId"], "GroupName": physical_id, **self._params(new)},
        )
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("cognito-idp", "DeleteGroup", {"UserPoolId": props["UserPoolId"], "GroupName": physical_id})


class UserPoolDomain(Provider):
    type = "AWS::Cognito::UserPoolDomain"
    replace = frozenset({"UserPoolId", "Domain"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        domain = str(required(props, "Domain"))
        await ctx.aws(
            "cognito-idp", "CreateUserPoolDomain", {"UserPoolId": required(props, "UserPoolId"), "Domain": domain}
        )
        return Created(domain, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        # only CustomDomainConfig is updatable in place, and gureum's Cognito has no custom domains
        raise ResourceFailure("CustomDomainConfig is not supported by gureum (a prefix domain only)")

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("cognito-idp", "DeleteUserPoolDomain", {"UserPoolId": props["UserPoolId"], "Domain": physical_id})


PROVIDERS = [UserPool(), UserPoolClient(), UserPoolGroup(), UserPoolDomain()]
