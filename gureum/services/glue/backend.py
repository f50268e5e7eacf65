"""GlueBackend: the Data Catalog's databases and tables (only the catalog: crawlers, jobs, partitions and the rest
of Glue answer NotImplemented through the engine), one method per operation with plain arguments; kept by the start
hook, reached with backend(ctx). Names are kept lower case, as Glue keeps them; UpdateTable keeps each version."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import re2

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import store
from .errors import (
    AlreadyExistsException,
    ConcurrentModificationException,
    InvalidInputException,
    no_database,
    no_table,
)

PAGE_MAX = 100  # GetDatabases / GetTables MaxResults
# TableInput members Glue describes back as given (the others it computes)
_UNSUPPORTED_DATABASE = ("TargetDatabase", "FederatedDatabase")
_UNSUPPORTED_TABLE = ("TargetTable", "ViewDefinition")


def backend(ctx: RequestContext) -> GlueBackend:
    return ctx.runtime.state(GlueBackend)


def _time(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _refuse(given: dict[str, Any], members: tuple[str, ...]) -> None:
    for member in members:
        if given.get(member) is not None:
            raise InvalidInputException(
                f"{member} is not supported by gureum: its Glue is a Data Catalog of databases and tables."
            )


def _catalog(account: str, catalog_id: str | None) -> None:
    if catalog_id is not None and catalog_id != account:
        raise InvalidInputException(f"Catalog {catalog_id} is not accessible: gureum serves each account's own.")


def describe_database(account: str, db: store.Database) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in db.input.items() if k != "Name"}
    out.update({"Name": db.name, "CreateTime": _time(db.created_at), "CatalogId": account})
    out.setdefault("Parameters", {})
    out.setdefault("CreateTableDefaultPermissions", [])
    return out


def describe_table(account: str, table: store.Table) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in table.input.items() if k != "Name"}
    out.update({
        "Name": table.name,
        "DatabaseName": table.database,
        "CreateTime": _time(table.created_at),
        "UpdateTime": _time(table.updated_at),
        "CreatedBy": f"arn:aws:iam::{account}:root",
        "IsRegisteredWithLakeFormation": False,
        "CatalogId": account,
        "VersionId": str(table.version),
    })  # fmt: skip
    out.setdefault("Retention", 0)
    out.setdefault("PartitionKeys", [])
    return out


def _page(token: str | None) -> str | None:
    return token or None


class GlueBackend:
    def __init__(self, store_: Store, clock: Clock) -> None:
        self.store = store_
        self.clock = clock

    # --- databases ---------------------------------------------------------------------------------------------

    async def create_database(
        self, account: str, region: str, catalog_id: str | None, given: dict[str, Any], tags: dict[str, str]
    ) -> None:
        _catalog(account, catalog_id)
        _refuse(given, _UNSUPPORTED_DATABASE)
        db = store.Database(given["Name"].lower(), copy.deepcopy(given), dict(tags), self.clock.now_ms())

        def run(tx: Tx) -> None:
            if not store.insert_database(tx, account, region, db):
                raise AlreadyExistsException("Database already exists.")

        await self.store.write(run)

    async def get_database(self, account: str, region: str, catalog_id: str | None, name: str) -> dict[str, Any]:
        _catalog(account, catalog_id)
        found = await self.store.read(lambda tx: store.get_database(tx, account, region, name.lower()))
        if found is None:
            raise no_database(name)
        return describe_database(account, found)

    async def get_databases(
        self, account: str, region: str, catalog_id: str | None, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        _catalog(account, catalog_id)
        size = min(limit or PAGE_MAX, PAGE_MAX)
        found = await self.store.read(lambda tx: store.list_databases(tx, account, region, _page(token), size + 1))
        out: dict[str, Any] = {"DatabaseList": [describe_database(account, db) for db in found[:size]]}
        if len(found) > size:
            out["NextToken"] = found[size - 1].name
        return out

    async def update_database(
        self, account: str, region: str, catalog_id: str | None, name: str, given: dict[str, Any]
    ) -> None:
        _catalog(account, catalog_id)
        _refuse(given, _UNSUPPORTED_DATABASE)

        def run(tx: Tx) -> None:
            if store.get_database(tx, account, region, name.lower()) is None:
                raise no_database(name)
            if given["Name"].lower() != name.lower():
                raise InvalidInputException(
                    "Renaming a database is not supported: DatabaseInput.Name must be its name."
                )
            store.update_database(tx, account, region, name.lower(), given["Name"].lower(), copy.deepcopy(given))

        await self.store.write(run)

    async def delete_database(self, account: str, region: str, catalog_id: str | None, name: str) -> None:
        _catalog(account, catalog_id)

        def run(tx: Tx) -> None:
            if not store.delete_database(tx, account, region, name.lower()):
                raise no_database(name)

        await self.store.write(run)

    # --- tables ------------------------------------------------------------------------------------------------

    async def create_table(
        self, account: str, region: str, catalog_id: str | None, database: str, given: dict[str, Any] | None
    ) -> None:
        _catalog(account, catalog_id)
        if given is None:
            raise InvalidInputException("TableInput is required: gureum's catalog holds Glue tables only.")
        _refuse(given, _UNSUPPORTED_TABLE)
        name, db_name, now = given["Name"].lower(), database.lower(), self.clock.now_ms()

        def run(tx: Tx) -> None:
            if store.get_database(tx, account, region, db_name) is None:
                raise no_database(database)
            if not store.insert_table(tx, account, region, db_name, name, copy.deepcopy(given), now):
                raise AlreadyExistsException("Table already exists.")

        await self.store.write(run)

    async def get_table(
        self, account: str, region: str, catalog_id: str | None, database: str, name: str
    ) -> dict[str, Any]:
        _catalog(account, catalog_id)
        found = await self.store.read(lambda tx: self._table(tx, account, region, database, name, None))
        return describe_table(account, found)

    def _table(self, tx: Tx, account: str, region: str, database: str, name: str, version: int | None) -> store.Table:
        if store.get_database(tx, account, region, database.lower()) is None:
            raise no_database(database)
        found = store.get_table(tx, account, region, database.lower(), name.lower(), version)
        if found is None:
            raise no_table(name)
        return found

    async def get_tables(
        self, account: str, region: str, catalog_id: str | None, database: str, expression: str | None,
        token: str | None, limit: int | None,
    ) -> dict[str, Any]:  # fmt: skip
        _catalog(account, catalog_id)
        matcher = None
        if expression:
            try:  # a regular expression over table names, run on RE2 (no backtracking)
                matcher = re2.compile(expression.lower())
            except re2.error:
                raise InvalidInputException(f"Invalid Expression: {expression}") from None

        def read(tx: Tx) -> list[store.Table]:
            if store.get_database(tx, account, region, database.lower()) is None:
                raise no_database(database)
            return store.list_tables(tx, account, region, database.lower())

        found = [t for t in await self.store.read(read) if token is None or t.name > token]
        if matcher is not None:
            found = [t for t in found if matcher.fullmatch(t.name)]
        size = min(limit or PAGE_MAX, PAGE_MAX)
        out: dict[str, Any] = {"TableList": [describe_table(account, t) for t in found[:size]]}
        if len(found) > size:
            out["NextToken"] = found[size - 1].name
        return out

    async def update_table(
        self, account: str, region: str, catalog_id: str | None, database: str, given: dict[str, Any] | None,
        version: str | None, skip_archive: bool,
    ) -> None:  # fmt: skip
        _catalog(account, catalog_id)
        if given is None:
            raise InvalidInputException("TableInput is required.")
        _refuse(given, _UNSUPPORTED_TABLE)
        now = self.clock.now_ms()

        def run(tx: Tx) -> None:
            current = self._table(tx, account, region, database, given["Name"], None)
            if version is not None and version != str(current.version):
                raise ConcurrentModificationException(
                    f"Update table failed due to concurrent modifications: version {version} is not the table's "
                    f"current version {current.version}."
                )
            store.update_table(tx, account, region, current.database, current.name, current.version + 1,
                               copy.deepcopy(given), now, not skip_archive)  # fmt: skip

        await self.store.write(run)

    async def delete_table(self, account: str, region: str, catalog_id: str | None, database: str, name: str) -> None:
        _catalog(account, catalog_id)

        def run(tx: Tx) -> None:
            self._table(tx, account, region, database, name, None)
            store.delete_table(tx, account, region, database.lower(), name.lower())

        await self.store.write(run)

    # --- the GlueCatalog port (Firehose's data format conversion) ----------------------------------------------

    async def table_version(
        self, account: str, region: str, database: str, name: str, version: str | None
    ) -> dict[str, Any] | None:
        """The Table (as GetTable describes it) at ``version`` ("LATEST" or None: the current one); None if absent."""
        number: int | None = None
        if version not in (None, "", "LATEST"):
            try:
                number = int(str(version))
            except ValueError:
                return None

        def read(tx: Tx) -> store.Table | None:
            return store.get_table(tx, account, region, database.lower(), name.lower(), number)

        found = await self.store.read(read)
        return None if found is None else describe_table(account, found)
