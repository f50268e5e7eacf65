"""ReplicationBackend: Kinesis Data Streams streaming destinations (Enable/Disable/Update/Describe…), real: each
item change of a table with an ACTIVE destination enqueues AWS's change record to the "kinesis" delivery target in
the change's own transaction (items.write); and global tables, refused clearly: one process serves one Region, so
there is no other Region to hold a replica. ListGlobalTables answers truly (none); the rest name what is served."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from ...store.base import Tx
from . import store
from .backend import DynamoBackend
from .errors import (
    GlobalTableNotFoundException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
    no_replicas,
    no_such_resource,
    table_not_found,
)
from .tables import Table

DESTINATIONS_PER_TABLE = 2
StreamExists = Callable[[str], Awaitable[bool]]


async def _no_kinesis(_arn: str) -> bool:
    return False


class ReplicationBackend:
    """Streaming destinations and the global-table answers, over one DynamoBackend."""

    def __init__(self, core: DynamoBackend) -> None:
        self.core = core
        self.stream_exists: StreamExists = _no_kinesis  # set at start when Kinesis runs here (its KinesisReader)

    # --- Kinesis streaming destinations ----------------------------------------------------------------------------

    def _status(self, destination: dict[str, Any]) -> str:
        settling = self.core._busy(destination["changed_at"])
        if destination["status"] == "ACTIVE":
            return "ENABLING" if settling else "ACTIVE"
        return "DISABLING" if settling else "DISABLED"

    async def _change(self, account: str, region: str, name: str, change: Callable[[Table], dict[str, Any]]) -> Any:
        def run(tx: Tx) -> dict[str, Any]:
            found = self.core._find(tx, account, region, name)
            if found is None:
                raise no_such_resource()
            table = copy.deepcopy(found)
            out = change(table)
            store.save_table(tx, table)
            return out

        return await self.core.store.write(run)

    async def enable_kinesis(
        self, account: str, region: str, name: str, stream_arn: str, precision: str | None
    ) -> dict[str, Any]:
        if not await self.stream_exists(stream_arn):
            raise ResourceNotFoundException(f"Requested resource not found: Stream: {stream_arn} not found")
        now = self.core.clock.now()

        def change(table: Table) -> dict[str, Any]:
            current = next((d for d in table.kinesis if d["StreamArn"] == stream_arn), None)
            if current is not None and current["status"] == "ACTIVE":
                raise ValidationException(f"Table {table.name} is already streaming to {stream_arn}")
            if sum(1 for d in table.kinesis if d["status"] == "ACTIVE") >= DESTINATIONS_PER_TABLE:
                raise LimitExceededException(
                    f"Table {table.name} already has {DESTINATIONS_PER_TABLE} Kinesis streaming destinations"
                )
            table.kinesis = [d for d in table.kinesis if d["StreamArn"] != stream_arn]
            table.kinesis.append(
                {
                    "StreamArn": stream_arn,
                    "status": "ACTIVE",
                    "changed_at": now,
                    "precision": precision or "MILLISECOND",
                }
            )
            return self._answer(table.name, stream_arn, "ENABLING", "EnableKinesisStreamingConfiguration", precision)

        return await self._change(account, region, name, change)  # type: ignore[no-any-return]

    async def disable_kinesis(self, account: str, region: str, name: str, stream_arn: str) -> dict[str, Any]:
        now = self.core.clock.now()

        def change(table: Table) -> dict[str, Any]:
            current = next((d for d in table.kinesis if d["StreamArn"] == stream_arn), None)
            if current is None or current["status"] != "ACTIVE":
                raise ValidationException(f"Table {table.name} is not streaming to {stream_arn}")
            current.update(status="DISABLED", changed_at=now)
            return self._answer(table.name, stream_arn, "DISABLING", None, None)

        return await self._change(account, region, name, change)  # type: ignore[no-any-return]

    async def update_kinesis(
        self, account: str, region: str, name: str, stream_arn: str, precision: str | None
    ) -> dict[str, Any]:
        def change(table: Table) -> dict[str, Any]:
            current = next((d for d in table.kinesis if d["StreamArn"] == stream_arn), None)
            if current is None or current["status"] != "ACTIVE":
                raise ResourceInUseException(f"Table {table.name} is not streaming to {stream_arn}")
            if precision is None:
                raise ValidationException("UpdateKinesisStreamingConfiguration must name a precision")
            current["precision"] = precision
            return self._answer(table.name, stream_arn, "UPDATING", "UpdateKinesisStreamingConfiguration", precision)

        return await self._change(account, region, name, change)  # type: ignore[no-any-return]

    @staticmethod
    def _answer(name: str, stream_arn: str, status: str, key: str | None, precision: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"TableName": name, "StreamArn": stream_arn, "DestinationStatus": status}
        if key is not None and precision is not None:
            out[key] = {"ApproximateCreationDateTimePrecision": precision}
        return out

    async def describe_kinesis(self, account: str, region: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self.core._find(tx, account, region, name)
            if table is None:
                raise no_such_resource()
            destinations = [
                {"StreamArn": d["StreamArn"], "DestinationStatus": self._status(d),
                 "ApproximateCreationDateTimePrecision": d["precision"]}
                for d in table.kinesis
            ]  # fmt: skip
            return {"TableName": table.name, "KinesisDataStreamDestinations": destinations}

        return await self.core.store.read(run)

    # --- global tables ---------------------------------------------------------------------------------------------

    @staticmethod
    def refuse_replicas(region: str) -> None:
        raise no_replicas(region)

    async def replica_auto_scaling(self, account: str, region: str, name: str) -> dict[str, Any]:
        """DescribeTableReplicaAutoScaling: a table of one Region has no replicas, so none to describe."""

        def run(tx: Tx) -> dict[str, Any]:
            table = self.core._find(tx, account, region, name)
            if table is None:
                raise table_not_found(name)
            status = self.core._described(tx, table)["TableStatus"]
            return {"TableName": table.name, "TableStatus": status, "Replicas": []}

        return await self.core.store.read(run)

    async def update_replica_auto_scaling(self, account: str, region: str, name: str) -> None:
        """UpdateTableReplicaAutoScaling: the table must exist; its replicas' auto scaling is refused (no replicas
        here, and Application Auto Scaling is not served)."""

        def run(tx: Tx) -> None:
            if self.core._find(tx, account, region, name) is None:
                raise table_not_found(name)

        await self.core.store.read(run)
        raise no_replicas(region)

    @staticmethod
    def list_global_tables() -> dict[str, Any]:
        return {"GlobalTables": []}

    @staticmethod
    def no_global_table(name: str) -> None:
        raise GlobalTableNotFoundException(f"Global table not found: Global table with name: {name} does not exist.")
