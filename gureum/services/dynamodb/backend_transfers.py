"""TransferBackend: exports of a table to S3 (ExportTableToPointInTime: a full export of the table as it was at
ExportTime, or an incremental export of the keys changed in a period, both read from the point-in-time log) and
imports from S3 into a new table (ImportTable). A request stores the job IN_PROGRESS and returns; the leader's
worker (maintenance.transfers) does it and marks it COMPLETED or FAILED, so a job begun before a restart is done
after it. S3 is reached only through the S3Objects port; files are AWS's layout:
``<prefix>/AWSDynamoDB/<export id>/{_started, manifest-summary.json, manifest-files.json, data/*.json.gz}``."""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from ...ports import S3Objects
from ...store.base import Tx
from . import limits, store, store_transfers, tables, values
from . import transfer_formats as formats
from .backend import DynamoBackend
from .errors import (
    ExportConflictException,
    ExportNotFoundException,
    ImportConflictException,
    ImportNotFoundException,
    InvalidExportTimeException,
    PointInTimeRecoveryUnavailableException,
    ServiceError,
    TableNotFoundException,
    ValidationException,
)
from .tables import Table
from .values import Item, load_item

log = logging.getLogger("gureum.dynamodb")

DAY = 86400.0
IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
FULL, INCREMENTAL = "FULL_EXPORT", "INCREMENTAL_EXPORT"
TOKEN_SECONDS = 8 * 3600  # a ClientToken names the same job for 8 hours
FILE_ITEMS = 100_000  # items per data file
FILE_BYTES = 64 * 1024 * 1024  # uncompressed text per data file
PAGE = 1000  # log rows read (and source records written) per transaction
LIST_LIMIT = 25


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _digest(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


def _job_id(now: float) -> str:
    return f"{int(now * 1000):014d}-{uuid.uuid4().hex[:8]}"


def _directory(prefix: str | None, export_id: str) -> str:
    """Where an export's files go: ``<prefix>/AWSDynamoDB/<export id>/``."""
    lead = "" if not prefix else prefix if prefix.endswith("/") else prefix + "/"
    return f"{lead}AWSDynamoDB/{export_id}/"


def _take(records: Iterator[Item | formats.RecordError], count: int) -> list[Item | formats.RecordError]:
    out: list[Item | formats.RecordError] = []
    for record in records:
        out.append(record)
        if len(out) >= count:
            break
    return out


class _Files:
    """An export's data files as they are written: lines gathered, gzipped and put when a file is full."""

    def __init__(self, s3: S3Objects, account: str, region: str, bucket: str, directory: str, export_arn: str,
                 suffix: str) -> None:  # fmt: skip
        self.s3, self.account, self.region, self.bucket = s3, account, region, bucket
        self.directory, self.export_arn, self.suffix = directory, export_arn, suffix
        self.lines: list[str] = []
        self.size = 0
        self.entries: list[dict[str, Any]] = []
        self.items = 0
        self.billed = 0

    async def add(self, lines: list[str], billed: int) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line)
            if len(self.lines) >= FILE_ITEMS or self.size >= FILE_BYTES:
                await self.flush()
        self.billed += billed

    async def flush(self, force: bool = False) -> None:
        if not self.lines and not (force and not self.entries):
            return
        lines, self.lines, self.size = self.lines, [], 0
        body = await asyncio.to_thread(formats.gzipped, "".join(lines))
        seed = hashlib.sha256(f"{self.export_arn}/{len(self.entries)}".encode()).digest()
        name = base64.b32encode(seed).decode().lower()[:26]
        key = f"{self.directory}data/{name}{self.suffix}"
        put = await self.s3.put_object(self.account, self.region, self.bucket, key, body,
                                       content_type="application/octet-stream")  # fmt: skip
        self.entries.append({
            "itemCount": len(lines),
            "md5Checksum": base64.b64encode(hashlib.md5(body).digest()).decode(),
            "etag": str(put.get("ETag", "")).strip('"'),
            "dataFileS3Key": key,
        })  # fmt: skip
        self.items += len(lines)


class TransferBackend:
    """Exports to and imports from S3 over one DynamoBackend; S3 through ``s3()`` (the port, looked up per job)."""

    def __init__(self, core: DynamoBackend, s3: Callable[[], S3Objects | None]) -> None:
        self.core = core
        self.s3 = s3
        self.wake = asyncio.Event()  # set when this node accepts a job: the worker starts it at once
        self._running: set[str] = set()

    def _need_s3(self) -> None:
        if self.s3() is None:
            raise ValidationException("S3 is not running in this server: exports and imports need it")

    # --- exports -------------------------------------------------------------------------------------------------

    async def export_table(
        self,
        account: str,
        region: str,
        table_arn: str,
        export_time: float | None,
        client_token: str | None,
        bucket: str,
        bucket_owner: str | None,
        prefix: str | None,
        sse: str | None,
        kms_key: str | None,
        fmt: str | None,
        export_type: str | None,
        incremental: dict[str, Any] | None,
    ) -> dict[str, Any]:
        table_region, owner, name = tables.parse_arn(table_arn)
        self._need_s3()
        export_type = export_type or FULL
        params = {"TableArn": table_arn, "ExportTime": export_time, "S3Bucket": bucket, "S3BucketOwner": bucket_owner,
                  "S3Prefix": prefix, "S3SseAlgorithm": sse, "S3SseKmsKeyId": kms_key, "ExportFormat": fmt,
                  "ExportType": export_type, "IncrementalExportSpecification": incremental}  # fmt: skip
        spec: dict[str, Any] | None = None
        if export_type == INCREMENTAL:
            if export_time is not None:
                raise ValidationException("ExportTime cannot be specified for an incremental export")
            if not incremental or incremental.get("ExportFromTime") is None:
                raise ValidationException("IncrementalExportSpecification.ExportFromTime is required for an "
                                          "incremental export")  # fmt: skip
            spec = dict(incremental)
        elif incremental is not None:
            raise ValidationException("IncrementalExportSpecification can only be specified for an incremental export")
        now = round(self.core.clock.now(), 3)

        def run(tx: Tx) -> dict[str, Any]:
            if client_token:
                known = store_transfers.job_by_token(tx, "export", account, region, client_token, now - TOKEN_SECONDS)
                if known is not None:
                    if known[7] != _digest(params):
                        raise ExportConflictException(
                            f"Export with client token {client_token} already exists with different parameters"
                        )
                    return dict(json.loads(known[9]))
            table = store.get_table(tx, owner, table_region, name)
            if table is None:
                raise TableNotFoundException(f"Table not found: {name}")
            if not table.pitr_enabled or table.pitr_since is None:
                raise PointInTimeRecoveryUnavailableException(
                    f"Point in time recovery is not enabled for table '{table.name}'"
                )
            earliest = max(table.pitr_since, now - table.pitr_days * DAY)
            doc: dict[str, Any] = {}
            if spec is None:
                at = now if export_time is None else export_time
                if not earliest - 0.001 <= at <= now:
                    raise InvalidExportTimeException(
                        f"Export time {_iso(at)} is not within the table's restorable window ({_iso(earliest)} to "
                        f"{_iso(now)})"
                    )
                doc["ExportTime"] = round(at, 3)
            else:
                low = float(spec["ExportFromTime"])
                high = float(spec.get("ExportToTime") or now)
                period = high - low
                least = self.core.settings.incremental_min_seconds
                if period < least or period > DAY:
                    shortest = f"{least / 60:g} minutes" if least >= 60 else f"{least:g} seconds"
                    raise ValidationException(
                        f"The incremental export period (ExportToTime - ExportFromTime) must be at least {shortest} "
                        "and at most 24 hours"
                    )
                if low < earliest - 0.001 or high > now:
                    raise InvalidExportTimeException(
                        f"The incremental export period {_iso(low)} to {_iso(high)} is not within the table's "
                        f"restorable window ({_iso(earliest)} to {_iso(now)})"
                    )
                spec.update(ExportFromTime=round(low, 3), ExportToTime=round(high, 3),
                            ExportViewType=spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES")  # fmt: skip
                doc["IncrementalExportSpecification"] = spec
            arn = f"{table.arn}/export/{_job_id(now)}"
            doc.update(ExportArn=arn, ExportStatus=IN_PROGRESS, StartTime=now, TableArn=table.arn,
                       TableId=table.table_id, S3Bucket=bucket, S3SseAlgorithm=sse or "AES256",
                       ExportFormat=fmt or formats.DYNAMODB_JSON, ExportType=export_type)  # fmt: skip
            for key, value in (("ClientToken", client_token), ("S3BucketOwner", bucket_owner), ("S3Prefix", prefix),
                               ("S3SseKmsKeyId", kms_key)):  # fmt: skip
                if value is not None:
                    doc[key] = value
            store_transfers.insert_job(tx, "export", account, region, arn, table.arn, client_token, _digest(params),
                                       now, json.dumps(doc))  # fmt: skip
            return doc

        doc = await self.core.store.write(run)
        self.wake.set()
        return {"ExportDescription": doc}

    async def describe_export(self, arn: str) -> dict[str, Any]:
        row = await self.core.store.read(lambda tx: store_transfers.get_job(tx, "export", arn))
        if row is None:
            raise ExportNotFoundException(f"Export not found: {arn}")
        return {"ExportDescription": json.loads(row[9])}

    async def list_exports(
        self, account: str, region: str, table_arn: str | None, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        rows, next_token = await self._list("export", account, region, table_arn, limit, token)
        summaries = []
        for row in rows:
            doc = json.loads(row[9])
            summaries.append({"ExportArn": row[3], "ExportStatus": row[5], "ExportType": doc["ExportType"]})
        out: dict[str, Any] = {"ExportSummaries": summaries}
        if next_token:
            out["NextToken"] = next_token
        return out

    async def _list(
        self, kind: str, account: str, region: str, table_arn: str | None, limit: int | None, token: str | None
    ) -> tuple[list[store_transfers.JobRow], str | None]:
        limit = min(limit or LIST_LIMIT, LIST_LIMIT)
        try:
            after = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        except ValueError:
            raise ValidationException("Invalid NextToken") from None
        rows = await self.core.store.read(
            lambda tx: store_transfers.list_jobs(tx, kind, account, region, table_arn, after, limit + 1)
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_token = base64.urlsafe_b64encode(str(rows[-1][0]).encode()).decode() if more else None
        return rows, next_token

    async def _run_export(self, row: store_transfers.JobRow) -> None:
        doc = json.loads(row[9])
        account, region = row[1], row[2]
        s3 = self.s3()
        if s3 is None:
            return  # S3 has not started yet (after a restart): the job is done on a later round
        try:
            directory = _directory(doc.get("S3Prefix"), row[3].rsplit("/", 1)[-1])
            bucket = doc["S3Bucket"]
            await s3.put_object(account, region, bucket, directory + "_started", b"")
            table_region, owner, name = tables.parse_arn(doc["TableArn"])
            table = await self.core.store.read(lambda tx: store.get_table(tx, owner, table_region, name))
            if table is None or table.table_id != doc["TableId"] or not table.pitr_enabled:
                raise TableNotFoundException(f"Table not found: {name} (deleted, or its point-in-time recovery "
                                             "disabled, before its export ran)")  # fmt: skip
            fmt = doc["ExportFormat"]
            files = _Files(s3, account, region, bucket, directory, row[3], formats.data_suffix(fmt))
            if doc["ExportType"] == INCREMENTAL:
                await self._incremental(table, doc["IncrementalExportSpecification"], fmt, files)
            else:
                await self._full(table, float(doc["ExportTime"]), fmt, files)
            await files.flush(force=True)
            now = round(self.core.clock.now(), 3)
            manifest_files = "".join(json.dumps(e) + "\n" for e in files.entries)
            summary = {
                "version": "2023-08-01" if doc["ExportType"] == INCREMENTAL else "2020-06-30",
                "exportArn": row[3],
                "startTime": _iso(doc["StartTime"]),
                "endTime": _iso(now),
                "tableArn": doc["TableArn"],
                "tableId": doc["TableId"],
                "s3Bucket": bucket,
                "s3Prefix": doc.get("S3Prefix"),
                "s3SseAlgorithm": doc["S3SseAlgorithm"],
                "s3SseKmsKeyId": doc.get("S3SseKmsKeyId"),
                "manifestFilesS3Key": directory + "manifest-files.json",
                "billedSizeBytes": files.billed,
                "itemCount": files.items,
                "outputFormat": fmt,
                "outputView": None,
                "exportType": doc["ExportType"],
            }
            if doc["ExportType"] == INCREMENTAL:
                spec = doc["IncrementalExportSpecification"]
                summary.update(exportFromTime=_iso(spec["ExportFromTime"]), exportToTime=_iso(spec["ExportToTime"]),
                               outputView=spec["ExportViewType"])  # fmt: skip
            else:
                summary["exportTime"] = _iso(doc["ExportTime"])
                del summary["outputView"]
            summary_text = json.dumps(summary)
            for key, text in (("manifest-files", manifest_files), ("manifest-summary", summary_text)):
                await s3.put_object(account, region, bucket, f"{directory}{key}.json", text.encode(),
                                    content_type="application/json")  # fmt: skip
                checksum = hashlib.md5(text.encode()).hexdigest()
                await s3.put_object(account, region, bucket, f"{directory}{key}.checksum", checksum.encode())
            doc.update(ExportStatus=COMPLETED, EndTime=now, ExportManifest=directory + "manifest-summary.json",
                       BilledSizeBytes=files.billed, ItemCount=files.items)  # fmt: skip
        except ServiceError as error:
            doc.update(ExportStatus=FAILED, EndTime=round(self.core.clock.now(), 3), FailureCode=error.code,
                       FailureMessage=error.message)  # fmt: skip
        await self.core.store.write(
            lambda tx: store_transfers.save_job(tx, "export", row[3], doc["ExportStatus"], json.dumps(doc))
        )

    async def _full(self, table: Table, at: float, fmt: str, files: _Files) -> None:
        after: tuple[bytes, bytes] | None = None
        while True:
            page = await self.core.store.read(
                lambda tx: store_transfers.images_at(tx, table.id, at, after, PAGE)  # noqa: B023
            )
            texts = [text for _pk, _sk, text in page if text is not None]
            lines = await asyncio.to_thread(lambda: [formats.export_line(load_item(t), fmt) for t in texts])  # noqa: B023
            await files.add(lines, sum(len(t) for t in texts))
            if len(page) < PAGE:
                return
            after = page[-1][0], page[-1][1]

    async def _incremental(self, table: Table, spec: dict[str, Any], fmt: str, files: _Files) -> None:
        low, high, view = float(spec["ExportFromTime"]), float(spec["ExportToTime"]), spec["ExportViewType"]
        after: tuple[bytes, bytes] | None = None
        while True:

            def read(tx: Tx) -> list[tuple[bytes, bytes, list[tuple[float, str | None]]]]:
                keys = store_transfers.changed_keys(tx, table.id, low, high, after, PAGE)  # noqa: B023
                return [(pk, sk, store_transfers.key_history(tx, table.id, pk, sk, high)) for pk, sk in keys]

            page = await self.core.store.read(read)

            def encode(page: list[tuple[bytes, bytes, list[tuple[float, str | None]]]] = page) -> tuple[list[str], int]:
                lines, billed = [], 0
                for _pk, _sk, history in page:
                    before = [text for at, text in history if at < low]
                    old = load_item(before[-1]) if before and before[-1] is not None else None
                    written, text = history[-1]
                    new = load_item(text) if text is not None else None
                    known = next((load_item(t) for _at, t in reversed(history) if t is not None), None)
                    if known is None:
                        continue  # no image of the key is left to name it by
                    lines.append(formats.change_line(int(written * 1_000_000), table.key_of(known), new, old, view,
                                                     fmt))  # fmt: skip
                    billed += len(text or "")
                return lines, billed

            lines, billed = await asyncio.to_thread(encode)
            await files.add(lines, billed)
            if len(page) < PAGE:
                return
            after = page[-1][0], page[-1][1]

    # --- imports -------------------------------------------------------------------------------------------------

    async def import_table(
        self,
        account: str,
        region: str,
        client_token: str | None,
        source: dict[str, Any],
        fmt: str,
        fmt_options: dict[str, Any] | None,
        compression: str | None,
        creation: dict[str, Any],
    ) -> dict[str, Any]:
        self._need_s3()
        params = {"S3BucketSource": source, "InputFormat": fmt, "InputFormatOptions": fmt_options,
                  "InputCompressionType": compression, "TableCreationParameters": creation}  # fmt: skip
        if fmt != formats.CSV and fmt_options and fmt_options.get("Csv"):
            raise ValidationException("InputFormatOptions.Csv can only be specified when InputFormat is CSV")
        csv_options = (fmt_options or {}).get("Csv") or {}
        delimiter = csv_options.get("Delimiter")
        if delimiter is not None and len(delimiter) != 1:
            raise ValidationException("InputFormatOptions.Csv.Delimiter must be a single character")
        table = self.core.new_table(
            account, region, creation["TableName"], creation["AttributeDefinitions"], creation["KeySchema"], None,
            creation.get("GlobalSecondaryIndexes"), creation.get("BillingMode"), creation.get("ProvisionedThroughput"),
            None, None, None, creation.get("SSESpecification"), creation.get("OnDemandThroughput"),
        )  # fmt: skip
        now = table.created_at
        arn = f"{table.arn}/import/{_job_id(now)}"
        table.importing = arn

        def run(tx: Tx) -> dict[str, Any]:
            if client_token:
                known = store_transfers.job_by_token(tx, "import", account, region, client_token, now - TOKEN_SECONDS)
                if known is not None:
                    if known[7] != _digest(params):
                        raise ImportConflictException(
                            f"Import with client token {client_token} already exists with different parameters"
                        )
                    return dict(json.loads(known[9]))
            self.core.insert_table(tx, table)
            doc: dict[str, Any] = {
                "ImportArn": arn, "ImportStatus": IN_PROGRESS, "TableArn": table.arn, "TableId": table.table_id,
                "S3BucketSource": source, "ErrorCount": 0, "InputFormat": fmt,
                "InputCompressionType": compression or "NONE", "TableCreationParameters": creation, "StartTime": now,
                "ProcessedSizeBytes": 0, "ProcessedItemCount": 0, "ImportedItemCount": 0,
            }  # fmt: skip
            if fmt_options:
                doc["InputFormatOptions"] = fmt_options
            if client_token:
                doc["ClientToken"] = client_token
            store_transfers.insert_job(tx, "import", account, region, arn, table.arn, client_token, _digest(params),
                                       now, json.dumps(doc))  # fmt: skip
            return doc

        doc = await self.core.store.write(run)
        self.wake.set()
        return {"ImportTableDescription": doc}

    async def describe_import(self, arn: str) -> dict[str, Any]:
        row = await self.core.store.read(lambda tx: store_transfers.get_job(tx, "import", arn))
        if row is None:
            raise ImportNotFoundException(f"Import not found: {arn}")
        return {"ImportTableDescription": json.loads(row[9])}

    async def list_imports(
        self, account: str, region: str, table_arn: str | None, limit: int | None, token: str | None
    ) -> dict[str, Any]:
        rows, next_token = await self._list("import", account, region, table_arn, limit, token)
        keep = ("ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "InputFormat", "StartTime", "EndTime")
        summaries = [{k: v for k, v in json.loads(row[9]).items() if k in keep} for row in rows]
        out: dict[str, Any] = {"ImportSummaryList": summaries}
        if next_token:
            out["NextToken"] = next_token
        return out

    async def _sources(
        self, s3: S3Objects, account: str, region: str, bucket: str, prefix: str
    ) -> list[tuple[str, bytes | None]]:
        """The objects an import reads (key, and the body when it was read already): the object the prefix names,
        or the data files an export's manifest-files.json (under the prefix, or beside its data/ folder) lists that
        start with the prefix."""
        if prefix and not prefix.endswith("/"):
            try:
                return [(prefix, await s3.get_object(account, region, bucket, prefix))]
            except ServiceError as error:
                if error.code != "NoSuchKey":
                    raise
        folder = prefix.rstrip("/")
        manifests = [f"{folder}/manifest-files.json" if folder else "manifest-files.json"]
        if folder == "data" or folder.endswith("/data"):
            manifests.append(folder[: -len("data")] + "manifest-files.json")
        for manifest in manifests:
            try:
                text = (await s3.get_object(account, region, bucket, manifest)).decode("utf-8", "replace")
            except ServiceError as error:
                if error.code != "NoSuchKey":
                    raise
                continue
            keys = []
            for line in text.splitlines():
                try:
                    entry = json.loads(line) if line.strip() else None
                except ValueError:
                    entry = None
                key = entry.get("dataFileS3Key") if isinstance(entry, dict) else None
                if isinstance(key, str) and key.startswith(prefix):
                    keys.append(key)
            return [(key, None) for key in keys]
        raise ValidationException(
            f"No S3 object found at s3://{bucket}/{prefix}: the prefix must name an object, or a folder with a "
            "manifest-files.json (an export's folder, or its data/ folder); listing a prefix's objects is not served"
        )

    async def _run_import(self, row: store_transfers.JobRow) -> None:
        doc = json.loads(row[9])
        account, region = row[1], row[2]
        s3 = self.s3()
        if s3 is None:
            return  # S3 has not started yet (after a restart): the job is done on a later round
        processed = errors = size = 0
        _table_region, owner, name = tables.parse_arn(doc["TableArn"])

        def table_now(tx: Tx) -> Table:
            found = store.get_table(tx, owner, region, name)
            if found is None or found.importing != row[3]:
                raise TableNotFoundException(f"Table not found: {name} (deleted during its import)")
            return found

        try:
            source = doc["S3BucketSource"]
            objects = await self._sources(s3, account, region, source["S3Bucket"], source.get("S3KeyPrefix") or "")
            fmt, compression = doc["InputFormat"], doc["InputCompressionType"]
            csv_options = (doc.get("InputFormatOptions") or {}).get("Csv")
            types = dict((await self.core.store.read(table_now)).attributes)
            for key, body in objects:
                data = body if body is not None else await s3.get_object(account, region, source["S3Bucket"], key)
                size += len(data)
                records = formats.records(data, fmt, compression, csv_options, types)
                while True:
                    batch = await asyncio.to_thread(_take, records, PAGE)
                    if not batch:
                        break
                    processed += len(batch)
                    errors += sum(1 for r in batch if isinstance(r, formats.RecordError))
                    good = [r for r in batch if not isinstance(r, formats.RecordError)]
                    errors += await self.core.store.write(lambda tx: self._load(tx, table_now(tx), good))  # noqa: B023

            def finish(tx: Tx) -> int:
                table = copy.deepcopy(table_now(tx))
                table.importing = None
                store.save_table(tx, table)
                return store.counts(tx, table.id).get(0, (0, 0))[0]

            imported = await self.core.store.write(finish)
            doc.update(ImportStatus=COMPLETED, ImportedItemCount=imported)
        except ServiceError as error:

            def drop(tx: Tx) -> None:
                found = store.get_table(tx, owner, region, name)
                if found is not None and found.importing == row[3]:
                    store.delete_table(tx, found.id)  # a failed import leaves no table behind

            await self.core.store.write(drop)
            doc.update(ImportStatus=FAILED, FailureCode=error.code, FailureMessage=error.message)
        doc.update(EndTime=round(self.core.clock.now(), 3), ProcessedItemCount=processed, ErrorCount=errors,
                   ProcessedSizeBytes=size)  # fmt: skip
        await self.core.store.write(
            lambda tx: store_transfers.save_job(tx, "import", row[3], doc["ImportStatus"], json.dumps(doc))
        )

    def _load(self, tx: Tx, table: Table, records: list[Item]) -> int:
        """Write source items into the table (a later item with a key replaces an earlier one, as AWS does): how
        many could not be written (a key missing or of another type, an item too large)."""
        errors = 0
        now = self.core.clock.now()
        for item in records:
            try:
                key = table.item_key(item)
                if values.item_size(item) > limits.ITEM_BYTES:
                    errors += 1
                    continue
                old = self.core._current(tx, table, key)
                self.core._write(tx, table, key, old, item, now)
            except ServiceError:
                errors += 1
        return errors

    # --- the worker ----------------------------------------------------------------------------------------------

    async def run_pending(self) -> None:
        """Do every IN_PROGRESS export and import (the leader's worker; each at most once at a time here)."""
        for kind, run in (("export", self._run_export), ("import", self._run_import)):
            rows = await self.core.store.read(lambda tx: store_transfers.pending_jobs(tx, kind))  # noqa: B023
            for row in rows:
                if row[3] in self._running:
                    continue
                self._running.add(row[3])
                try:
                    await run(row)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("DynamoDB %s %s failed; it is tried again", kind, row[3])
                finally:
                    self._running.discard(row[3])
