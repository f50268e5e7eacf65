"""BackupBackend: on-demand backups (a copy of a table's items and its schema, taken in one transaction), restores
into a new table (items copied, indexes rebuilt from them, AWS's overrides), and point-in-time recovery: while a
table has PITR enabled each item change keeps its new image in the store's log (store_backups), so a restore to a
time T rebuilds the table from each key's latest image at or before T. The window is the table's
RecoveryPeriodInDays (35 by default, as AWS): the sweep folds older images into one per key."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import limits, store, store_backups, tables
from .backend import DynamoBackend
from .errors import (
    BackupInUseException,
    BackupNotFoundException,
    InvalidRestoreTimeException,
    PointInTimeRecoveryUnavailableException,
    TableAlreadyExistsException,
    TableNotFoundException,
    ValidationException,
)
from .tables import Table

DAY = 86400.0
CREATING, AVAILABLE, DELETED = "CREATING", "AVAILABLE", "DELETED"


class BackupBackend:
    """Backups and point-in-time recovery over one DynamoBackend (its store, clock and table code)."""

    def __init__(self, core: DynamoBackend) -> None:
        self.core = core

    # --- on-demand backups ---------------------------------------------------------------------------------------

    def _status(self, row: store_backups.BackupRow) -> str:
        return CREATING if self.core._busy(row[6]) else AVAILABLE

    def _details(self, row: store_backups.BackupRow, status: str | None = None) -> dict[str, Any]:
        return {
            "BackupArn": row[3],
            "BackupName": row[4],
            "BackupSizeBytes": row[8],
            "BackupStatus": status or self._status(row),
            "BackupType": "USER",
            "BackupCreationDateTime": row[6],
        }

    def _description(self, row: store_backups.BackupRow, status: str | None = None) -> dict[str, Any]:
        doc = json.loads(row[7])
        source = Table.load(0, row[1], row[2], row[5], doc["created_at"], doc["spec"])
        features: dict[str, Any] = {}
        lsis = [i for i in source.indexes if i.kind == "LSI"]
        gsis = [i for i in source.indexes if i.kind == "GSI"]
        if lsis:
            features["LocalSecondaryIndexes"] = [
                {"IndexName": i.name, "KeySchema": i.key_schema, "Projection": i.projection} for i in lsis
            ]
        if gsis:
            features["GlobalSecondaryIndexes"] = [
                {"IndexName": i.name, "KeySchema": i.key_schema, "Projection": i.projection,
                 "ProvisionedThroughput": {"ReadCapacityUnits": i.read, "WriteCapacityUnits": i.write}}
                for i in gsis
            ]  # fmt: skip
        if source.stream_enabled:
            features["StreamDescription"] = {"StreamEnabled": True, "StreamViewType": source.stream_view}
        if source.sse is not None:
            features["SSEDescription"] = {"Status": "ENABLED", **source.sse}
        if source.ttl_enabled:
            features["TimeToLiveDescription"] = {"TimeToLiveStatus": "ENABLED", "AttributeName": source.ttl_attribute}
        return {
            "BackupDetails": self._details(row, status),
            "SourceTableDetails": {
                "TableName": source.name,
                "TableId": source.table_id,
                "TableArn": source.arn,
                "TableSizeBytes": row[8],
                "KeySchema": source.key_schema,
                "TableCreationDateTime": source.created_at,
                "ProvisionedThroughput": {"ReadCapacityUnits": source.read, "WriteCapacityUnits": source.write},
                "ItemCount": row[9],
                "BillingMode": source.billing,
            },
            "SourceTableFeatureDetails": features,
        }

    async def create_backup(self, account: str, region: str, table_name: str, backup_name: str) -> dict[str, Any]:
        now = round(self.core.clock.now(), 3)

        def run(tx: Tx) -> dict[str, Any]:
            table = self.core._find(tx, account, region, table_name)
            if table is None:
                raise TableNotFoundException(f"Table not found: {table_name}")
            if tables.status(table.created_at, now, self.core.settings.delay, tables.CREATING) != tables.ACTIVE:
                raise ValidationException(f"Table is not in ACTIVE state: {table.name}")
            arn = f"{table.arn}/backup/{int(now * 1000):013d}-{uuid.uuid4().hex[:8]}"
            spec = json.dumps({"spec": table.spec(), "created_at": table.created_at})
            store_backups.insert_backup(tx, account, region, arn, backup_name, table.name, now, spec, table.id)
            row = store_backups.get_backup(tx, arn)
            assert row is not None
            return self._details(row)

        return {"BackupDetails": await self.core.store.write(run)}

    def _backup(self, tx: Tx, arn: str) -> store_backups.BackupRow:
        row = store_backups.get_backup(tx, arn)
        if row is None:
            raise BackupNotFoundException(f"Backup not found: {arn}")
        return row

    async def describe_backup(self, arn: str) -> dict[str, Any]:
        return {"BackupDescription": await self.core.store.read(lambda tx: self._description(self._backup(tx, arn)))}

    async def delete_backup(self, arn: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            row = self._backup(tx, arn)
            if self._status(row) == CREATING:
                raise BackupInUseException(f"Backup is being created: {arn}")
            description = self._description(row, DELETED)
            store_backups.delete_backup(tx, row[0])
            return description

        return {"BackupDescription": await self.core.store.write(run)}

    async def list_backups(
        self,
        account: str,
        region: str,
        table_name: str | None,
        limit: int | None,
        low: float | None,
        high: float | None,
        after_arn: str | None,
        backup_type: str | None,
    ) -> dict[str, Any]:
        rows = await self.core.store.read(
            lambda tx: store_backups.list_backups(tx, account, region, table_name, low, high)
        )
        if backup_type not in (None, "USER", "ALL"):
            rows = []  # every backup here is a user's (no AWS Backup, no system backups of deleted tables)
        if after_arn is not None:
            arns = [r[3] for r in rows]
            rows = rows[arns.index(after_arn) + 1 :] if after_arn in arns else []
        limit = limit or 100
        summaries = []
        for row in rows[:limit]:
            summary = self._details(row)
            summary.update(TableName=row[5], TableArn=f"arn:aws:dynamodb:{row[2]}:{row[1]}:table/{row[5]}")
            summary["TableId"] = json.loads(json.loads(row[7])["spec"])["table_id"]
            summaries.append(summary)
        out: dict[str, Any] = {"BackupSummaries": summaries}
        if len(rows) > limit:
            out["LastEvaluatedBackupArn"] = rows[limit - 1][3]
        return out

    # --- restores ------------------------------------------------------------------------------------------------

    def _restore(
        self,
        tx: Tx,
        account: str,
        region: str,
        target: str,
        source: Table,
        overrides: dict[str, Any],
        summary: dict[str, Any],
        fill: Callable[[int], None],
    ) -> dict[str, Any]:
        """Make table ``target`` with ``source``'s schema (and AWS's overrides), fill its rows, build its indexes."""
        if store.get_table(tx, account, region, target) is not None:
            raise TableAlreadyExistsException(f"Table already exists: {target}")
        now = round(self.core.clock.now(), 3)
        table = copy.deepcopy(source)
        table.id, table.account, table.region, table.name, table.created_at = 0, account, region, target, now
        table.table_id = str(uuid.uuid4())
        # AWS restores neither tags, streams, TTL, PITR nor streaming destinations: they are set up again
        table.tags, table.ttl_enabled, table.ttl_attribute = {}, False, None
        table.stream_id, table.stream_label, table.stream_view, table.stream_enabled = None, None, None, False
        table.pitr_enabled, table.pitr_since, table.kinesis = False, None, []
        table.deletion_protection, table.updated_at, table.billing_changed_at = False, 0.0, None
        table.restore = summary
        if overrides.get("SSESpecificationOverride") is not None:  # else the source's encryption
            table.sse = tables.encryption(overrides["SSESpecificationOverride"], account, region)
        if overrides.get("OnDemandThroughputOverride") is not None:
            table.on_demand = tables.throughput_setting(None, overrides["OnDemandThroughputOverride"], tables.ON_DEMAND)
        billing = overrides.get("BillingModeOverride")
        if billing is not None:
            table.billing = billing
        if overrides.get("ProvisionedThroughputOverride") is not None or billing is not None:
            table.read, table.write = tables.throughput(
                overrides.get("ProvisionedThroughputOverride")
                or ({"ReadCapacityUnits": table.read or 5, "WriteCapacityUnits": table.write or 5}
                    if table.billing == tables.PROVISIONED else None),
                table.billing,
                "table",
            )  # fmt: skip
        for kind, key in (("GSI", "GlobalSecondaryIndexOverride"), ("LSI", "LocalSecondaryIndexOverride")):
            if overrides.get(key) is not None:
                table.indexes = [i for i in table.indexes if i.kind != kind]
                for spec in overrides[key]:
                    self.core._add_index(table, spec, kind, now)
        for index in table.indexes:
            index.created_at = now
            if table.billing == tables.PAY_PER_REQUEST:
                index.read = index.write = 0
        for index in table.indexes:
            for name in (index.hash, index.range):
                if name is not None and name not in table.attributes:
                    raise ValidationException(
                        f"One or more parameter values were invalid: Index key attribute {name} is not defined"
                    )
        table.id = store.insert_table(tx, table)
        fill(table.id)
        for index in table.indexes:
            self.core._backfill(tx, table, index)
        return self.core._described(tx, table)

    async def restore_from_backup(
        self, account: str, region: str, target: str, arn: str, overrides: dict[str, Any]
    ) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            row = self._backup(tx, arn)
            if self._status(row) == CREATING:
                raise BackupInUseException(f"Backup is being created: {arn}")
            doc = json.loads(row[7])
            source = Table.load(0, row[1], row[2], row[5], doc["created_at"], doc["spec"])
            summary = {"SourceBackupArn": arn, "SourceTableArn": source.arn, "RestoreDateTime": row[6]}
            return self._restore(tx, account, region, target, source, overrides, summary,
                                 lambda table_id: store_backups.restore_backup(tx, row[0], table_id))  # fmt: skip

        return {"TableDescription": await self.core.store.write(run)}

    # --- point-in-time recovery ----------------------------------------------------------------------------------

    def _window(self, table: Table) -> tuple[float, float]:
        now = self.core.clock.now()
        assert table.pitr_since is not None
        return max(table.pitr_since, now - table.pitr_days * DAY), now

    def _continuous(self, table: Table) -> dict[str, Any]:
        pitr: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if table.pitr_enabled else "DISABLED"}
        if table.pitr_enabled:
            earliest, latest = self._window(table)
            pitr.update(RecoveryPeriodInDays=table.pitr_days, EarliestRestorableDateTime=round(earliest, 3),
                        LatestRestorableDateTime=latest)  # fmt: skip
        return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}

    async def describe_continuous_backups(self, account: str, region: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self.core._find(tx, account, region, name)
            if table is None:
                raise TableNotFoundException(f"Table not found: {name}")
            return self._continuous(table)

        return {"ContinuousBackupsDescription": await self.core.store.read(run)}

    async def update_continuous_backups(
        self, account: str, region: str, name: str, enabled: bool, days: int | None
    ) -> dict[str, Any]:
        if days is not None and not 1 <= days <= limits.PITR_DAYS:
            raise ValidationException(f"RecoveryPeriodInDays must be between 1 and {limits.PITR_DAYS}")
        now = round(self.core.clock.now(), 3)

        def run(tx: Tx) -> dict[str, Any]:
            found = self.core._find(tx, account, region, name)
            if found is None:
                raise TableNotFoundException(f"Table not found: {name}")
            table = copy.deepcopy(found)
            if enabled and not table.pitr_enabled:
                store_backups.log_snapshot(tx, table.id, now)
                table.pitr_since = now
            elif not enabled and table.pitr_enabled:
                store_backups.drop_log(tx, table.id)
                table.pitr_since = None
            table.pitr_enabled = enabled
            if days is not None:
                table.pitr_days = days
            store.save_table(tx, table)
            return self._continuous(table)

        return {"ContinuousBackupsDescription": await self.core.store.write(run)}

    async def restore_to_point_in_time(
        self,
        account: str,
        region: str,
        source_name: str | None,
        source_arn: str | None,
        target: str,
        latest: bool,
        when: float | None,
        overrides: dict[str, Any],
    ) -> dict[str, Any]:
        name = source_arn or source_name
        if name is None:
            raise ValidationException("Either SourceTableName or SourceTableArn must be provided")
        if not latest and when is None:
            raise ValidationException("RestoreDateTime must be provided when UseLatestRestorableTime is not true")

        def run(tx: Tx) -> dict[str, Any]:
            source = self.core._find(tx, account, region, name)
            if source is None:
                raise TableNotFoundException(f"Table not found: {tables.parse_arn(name)[2] if source_arn else name}")
            if not source.pitr_enabled:
                raise PointInTimeRecoveryUnavailableException(
                    f"Point in time recovery is not enabled for table '{source.name}'"
                )
            earliest, newest = self._window(source)
            at = newest if latest or when is None else when
            if at < earliest - 0.001 or at > newest:
                raise InvalidRestoreTimeException(
                    f"Restore time {at:.3f} is not within the restorable window: earliest {earliest:.3f}, latest "
                    f"{newest:.3f}"
                )
            summary = {"SourceTableArn": source.arn, "RestoreDateTime": round(at, 3)}
            return self._restore(tx, account, region, target, source, overrides, summary,
                                 lambda table_id: store_backups.restore_log(tx, source.id, at, table_id))  # fmt: skip

        return {"TableDescription": await self.core.store.write(run)}

    async def sweep_log(self) -> int:
        """Fold PITR images older than each table's window (leader only): how many went."""
        now = self.core.clock.now()

        def run(tx: Tx) -> int:
            gone = 0
            for row in store_backups.log_tables(tx):
                table = Table.load(*row)
                if table.pitr_enabled:
                    gone += store_backups.fold_log(tx, table.id, now - table.pitr_days * DAY)
            return gone

        return await self.core.store.write(run)
