"""AWS::Glue::Database and AWS::Glue::Table through Glue's Data Catalog operations (Ref: the name)."""

from __future__ import annotations

from typing import Any

from .base import Context, Created, Provider, required


class Database(Provider):
    type = "AWS::Glue::Database"
    replace = frozenset({"CatalogId"})

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        renamed = (old.get("DatabaseInput") or {}).get("Name") != (new.get("DatabaseInput") or {}).get("Name")
        return renamed or old.get("DatabaseName") != new.get("DatabaseName") or super().needs_replacement(old, new)

    def _input(self, ctx: Context, props: dict[str, Any]) -> dict[str, Any]:
        given = dict(required(props, "DatabaseInput"))
        given["Name"] = given.get("Name") or props.get("DatabaseName") or ctx.name(255, lower=True, separator="_")
        return given

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        database = self._input(ctx, props)
        params: dict[str, Any] = {"DatabaseInput": database}
        if props.get("CatalogId"):
            params["CatalogId"] = props["CatalogId"]
        await ctx.aws("glue", "CreateDatabase", params)
        return Created(database["Name"], {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"Name": physical_id, "DatabaseInput": {**self._input(ctx, new), "Name": physical_id}}
        if new.get("CatalogId"):
            params["CatalogId"] = new["CatalogId"]
        await ctx.aws("glue", "UpdateDatabase", params)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        params: dict[str, Any] = {"Name": physical_id}
        if props.get("CatalogId"):
            params["CatalogId"] = props["CatalogId"]
        await ctx.aws("glue", "DeleteDatabase", params)


class Table(Provider):
    type = "AWS::Glue::Table"
    replace = frozenset({"CatalogId", "DatabaseName"})

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        renamed = (old.get("TableInput") or {}).get("Name") != (new.get("TableInput") or {}).get("Name")
        return renamed or super().needs_replacement(old, new)

    def _params(self, ctx: Context, props: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        table = dict(required(props, "TableInput"))
        table["Name"] = name or table.get("Name") or ctx.name(255, lower=True, separator="_")
        params: dict[str, Any] = {"DatabaseName": required(props, "DatabaseName"), "TableInput": table}
        if props.get("CatalogId"):
            params["CatalogId"] = props["CatalogId"]
        return params

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params = self._params(ctx, props)
        await ctx.aws("glue", "CreateTable", params)
        return Created(params["TableInput"]["Name"], {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await ctx.aws("glue", "UpdateTable", self._params(ctx, new, physical_id))
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        params: dict[str, Any] = {"DatabaseName": props["DatabaseName"], "Name": physical_id}
        if props.get("CatalogId"):
            params["CatalogId"] = props["CatalogId"]
        await ctx.aws("glue", "DeleteTable", params)


PROVIDERS = [Database(), Table()]
