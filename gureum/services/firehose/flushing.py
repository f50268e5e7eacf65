"""The flusher: on the leader node only (store.is_leader), it watches every stream's buffer and flushes a stream
when its buffered bytes reach BufferingHints.SizeInMBs or its oldest record is IntervalInSeconds old (0: at once).

A flush takes the oldest records up to the size hint, runs the processors (processing.py), converts them to Parquet
or ORC when asked (conversion.py, in a worker thread), writes ONE object per partition (one object when dynamic
partitioning is off) through the S3Objects port, or POSTs them to the HTTP endpoint (http_endpoint.py), then removes
its records and records the object keys in one transaction: delivery is
at-least-once, as AWS's (a kill between the write and that commit writes the object again). A flush that fails
keeps its records, marks the stream's FailureDescription, logs to CloudWatch Logs when asked, and is tried again."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ...aws.errors import ServiceError
from ...ports import GlueCatalog, LambdaInvoker, S3Objects
from ...runtime import Runtime
from ...store.base import Tx
from . import compression, conversion, destinations, http_endpoint, jqeval, limits, prefixes, processing, store
from .backend import FirehoseBackend
from .processing import Failed, Rec
from .streams import KINESIS_SOURCE, DeliveryStream

log = logging.getLogger("gureum.firehose")
_LEADER_ROLE = "firehose-flush"
_LEADER_CHECK_SECONDS = 1.0
_IDLE_SECONDS = 5.0
_COALESCE_SECONDS = 0.01


class DeliveryFailed(Exception):
    """A delivery that did not happen (records kept, retried): AWS's error code ("S3.NoSuchBucket") and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _code(document: dict[str, Any]) -> str:
    """An error document's code (format conversion's documents call it lastErrorCode)."""
    return str(document.get("errorCode") or document.get("lastErrorCode"))


def log_group_arn(region: str, account: str, group: str) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{group}"


class Flusher:
    def __init__(self, runtime: Runtime, be: FirehoseBackend) -> None:
        self.runtime = runtime
        self.be = be
        self.running: dict[int, asyncio.Task[None]] = {}
        self.retry_at: dict[int, float] = {}  # stream id → monotonic time of the next try after a failure
        self.jq = jqeval.JqWorker()

    async def run(self) -> None:
        while True:
            self.be.wake.clear()
            timeout = _LEADER_CHECK_SECONDS
            try:
                if await self.runtime.store.is_leader(_LEADER_ROLE):
                    timeout = await self._pass()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Firehose flusher pass failed")
            try:
                await asyncio.wait_for(self.be.wake.wait(), max(0.0, timeout))
                await asyncio.sleep(_COALESCE_SECONDS)  # a burst of puts wakes one pass, not one each
            except TimeoutError:
                pass

    async def _pass(self) -> float:
        """Start the flushes that fell due; seconds until the next one may."""
        buffers = await self.runtime.store.read(store.buffers)
        if not buffers:
            return _IDLE_SECONDS
        streams = {s.id: s for s in await self.runtime.store.read(store.all_streams)}
        clock = self.runtime.clock
        now, mono = clock.now(), clock.monotonic()
        wait = _IDLE_SECONDS
        for stream_id, size, oldest in buffers:
            s = streams.get(stream_id)
            if s is None or stream_id in self.running:
                continue
            retry = self.retry_at.get(stream_id, 0.0)
            if retry > mono:
                wait = min(wait, retry - mono)
                continue
            hints = s.description["BufferingHints"]
            due = oldest + int(hints["IntervalInSeconds"])
            if size >= int(hints["SizeInMBs"]) * limits.MIB or now >= due:
                self.running[stream_id] = self.runtime.spawn(self._flush(s), f"firehose-flush-{stream_id}")
            else:
                wait = min(wait, due - now + 0.005)
        return wait

    async def _flush(self, s: DeliveryStream) -> None:
        try:
            await self.flush(s)
        except asyncio.CancelledError:
            raise
        except DeliveryFailed as error:
            await self._failed(s, error)
        except Exception as error:
            log.exception("Firehose flush of %s failed", s.name)
            await self._failed(s, DeliveryFailed("InternalError", f"{type(error).__name__}: {error}"))
        else:
            self.retry_at.pop(s.id, None)
        finally:
            self.running.pop(s.id, None)
            self.be.wake.set()

    async def flush(self, s: DeliveryStream) -> None:
        limit = int(s.description["BufferingHints"]["SizeInMBs"]) * limits.MIB
        rows = await self.runtime.store.read(lambda tx: store.take(tx, s.id, limit))
        if not rows:
            return
        records = [
            Rec(row_id, rid, at, data, data, json.loads(meta) if meta else None) for row_id, rid, at, data, meta in rows
        ]
        if s.destination["kind"] == "HttpEndpoint":
            objects = await http_endpoint.deliver(self, s, records)
        else:
            objects = await self.to_s3(s, records)
        taken = [(r[0], len(r[3])) for r in rows]
        now = self.runtime.clock.now()
        await self.runtime.store.write(lambda tx: store.finish_flush(tx, s.id, taken, objects, now))

    # --- processing ----------------------------------------------------------------------------------------------

    async def process(self, s: DeliveryStream, records: list[Rec], keys: bool) -> tuple[list[Rec], list[Failed]]:
        """The processors in AWS's order; partition keys only for a partitioned S3 destination (``keys``)."""
        d = s.description
        given = {p["Type"]: p["Parameters"] for p in destinations.processors(d)}
        failed: list[Failed] = []
        now = self.runtime.clock.now
        if "Decompression" in given:
            records, bad = processing.decompress(records, now())
            failed += bad
        if given.get("CloudWatchLogProcessing", {}).get("DataMessageExtraction") == "true":
            records, bad = processing.cloudwatch_messages(records, now())
            failed += bad
        if s.kind == KINESIS_SOURCE or "RecordDeAggregation" in given:
            records, bad = processing.deaggregate(records, given.get("RecordDeAggregation"))
            failed += bad
        if "Lambda" in given:
            step = processing.LambdaStep(
                self.runtime.port(LambdaInvoker), s.account, s.region, s.arn, given["Lambda"],
                s.source.get("KinesisStreamARN"), now,
            )  # fmt: skip
            records, bad = await step.run(records)
            failed += bad
            for message in step.errors:
                await self.log_error(s, "Lambda", message)
        if keys and "MetadataExtraction" in given:
            query = given["MetadataExtraction"]["MetadataExtractionQuery"]
            records, bad = await processing.extract_keys(self.jq, records, query, now())
            failed += bad
        if "AppendDelimiterToRecord" in given:
            processing.append_delimiter(records, given["AppendDelimiterToRecord"])
        return records, failed

    # --- S3 ------------------------------------------------------------------------------------------------------

    async def to_s3(self, s: DeliveryStream, records: list[Rec]) -> list[tuple[str, str, int, int]]:
        d = s.description
        partitioned = destinations.partitioned(s.destination)
        originals = list(records)
        records, failed = await self.process(s, records, partitioned)
        zone = prefixes.zone(d.get("CustomTimeZone"))
        fmt = d.get("CompressionFormat") or "UNCOMPRESSED"
        schema = await self.conversion_schema(s) if conversion.enabled(d) and records else None
        default_extension = (
            conversion.EXTENSIONS[conversion.output_kind(d)]
            if conversion.enabled(d)
            else compression.EXTENSIONS.get(fmt, "")
        )
        extension = d.get("FileExtension") or default_extension
        bucket = destinations.bucket_of(d["BucketARN"])
        groups: dict[tuple[Any, ...], list[Rec]] = {}
        for rec in records:
            group_key = (tuple(sorted(rec.query_keys.items())), tuple(sorted(rec.lambda_keys.items())))
            groups.setdefault(group_key if partitioned else (), []).append(rec)
        objects: list[tuple[str, str, int, int]] = []
        for group in groups.values():
            oldest = processing.when(min(r.arrived for r in group), zone)
            try:
                prefix = prefixes.evaluate(
                    d.get("Prefix"), oldest, query_keys=group[0].query_keys, lambda_keys=group[0].lambda_keys,
                    append_time=not partitioned,
                )  # fmt: skip
            except KeyError as missing:
                now = self.runtime.clock.now()
                failed += [
                    Failed(r, "partitioning-failed", processing.error_document(
                        r, "DynamicPartitioning.PartitionKeyMissing",
                        f"The partition key {missing.args[0]!r} used in the Prefix was not found for the record.",
                        1, now))
                    for r in group
                ]  # fmt: skip
                continue
            key = prefix + prefixes.object_name(s.name, s.version, oldest, extension)
            if schema is not None:
                converted, bad = await self.convert(s, group, schema)
                failed += bad
                if converted is None:
                    continue
                body, count = converted, len(group) - len(bad)
            else:
                body, count = b"".join(r.data for r in group), len(group)
            await self.put(s, bucket, key, body, fmt)
            objects.append((bucket, key, count, len(body)))
        objects += await self.write_failed(s, d, failed, zone)
        if d.get("S3BackupMode") == "Enabled" and d.get("S3BackupDescription"):
            objects += await self.backup(s, d["S3BackupDescription"], originals)
        return objects

    async def conversion_schema(self, s: DeliveryStream) -> conversion.Schema:
        """The schema of the stream's data format conversion, read from the Glue Data Catalog now (a table that is
        missing or unreadable fails the flush: its records are kept and tried again)."""
        config = s.description["DataFormatConversionConfiguration"]["SchemaConfiguration"]
        catalog = self.runtime.optional_port(GlueCatalog)
        if catalog is None:
            raise DeliveryFailed("DataFormatConversion.GlueUnavailable", "Glue is not running on this server.")
        account, region = config.get("CatalogId") or s.account, config.get("Region") or s.region
        database, name = config["DatabaseName"], config["TableName"]
        table = await catalog.table_version(account, region, database, name, config.get("VersionId"))
        if table is None:
            raise DeliveryFailed(
                "DataFormatConversion.EntityNotFound",
                f"The table {name} (version {config.get('VersionId') or 'LATEST'}) of database {database} was not "
                f"found in the Glue Data Catalog of account {account} in {region}.",
            )
        try:
            return conversion.schema_of(table, config, s.account, s.region)
        except ValueError as error:
            raise DeliveryFailed("DataFormatConversion.InvalidSchema", str(error)) from None

    async def convert(
        self, s: DeliveryStream, group: list[Rec], schema: conversion.Schema
    ) -> tuple[bytes | None, list[Failed]]:
        """One Parquet/ORC object of the group's records (in a worker thread), and the records that failed."""
        d = s.description
        body, bad = await asyncio.to_thread(
            conversion.convert, [r.data for r in group], schema, conversion.reader(d), d
        )
        now = self.runtime.clock.now_ms()
        failed = [
            Failed(group[i], conversion.ERROR_TYPE, conversion.error_document(
                group[i].data, int(group[i].arrived * 1000), message, now, schema, group[i].meta))
            for i, message in sorted(bad.items())
        ]  # fmt: skip
        return body, failed

    async def write_failed(
        self, s: DeliveryStream, d: dict[str, Any], failed: list[Failed], zone: Any
    ) -> list[tuple[str, str, int, int]]:
        """Failed records as AWS's JSON error documents, one object per error type under the error prefix."""
        objects: list[tuple[str, str, int, int]] = []
        by_type: dict[str, list[Failed]] = {}
        for f in failed:
            by_type.setdefault(f.error_type, []).append(f)
        bucket = destinations.bucket_of(d["BucketARN"])
        fmt = d.get("CompressionFormat") or "UNCOMPRESSED"
        extension = compression.EXTENSIONS.get(fmt, "")
        for error_type, items in by_type.items():
            oldest = processing.when(min(f.rec.arrived for f in items), zone)
            prefix = prefixes.error_prefix(d.get("Prefix"), d.get("ErrorOutputPrefix"), error_type, oldest)
            key = prefix + prefixes.object_name(s.name, s.version, oldest, extension)
            body = b"".join(json.dumps(f.document, separators=(",", ":")).encode() + b"\n" for f in items)
            await self.put(s, bucket, key, body, fmt)
            objects.append((bucket, key, len(items), len(body)))
            await self.log_error(
                s, error_type, f"{len(items)} record(s) delivered to {key}: {_code(items[0].document)}"
            )
        return objects

    async def backup(
        self, s: DeliveryStream, backup: dict[str, Any], records: list[Rec]
    ) -> list[tuple[str, str, int, int]]:
        """The source records as they arrived, to the backup bucket (S3BackupMode Enabled / AllData)."""
        if not records:
            return []
        oldest = processing.when(min(r.arrived for r in records), prefixes.zone(None))
        fmt = backup.get("CompressionFormat") or "UNCOMPRESSED"
        bucket = destinations.bucket_of(backup["BucketARN"])
        key = prefixes.evaluate(backup.get("Prefix"), oldest) + prefixes.object_name(
            s.name, s.version, oldest, compression.EXTENSIONS.get(fmt, "")
        )
        body = b"".join(r.raw for r in records)
        await self.put(s, bucket, key, body, fmt)
        return [(bucket, key, len(records), len(body))]

    async def put(self, s: DeliveryStream, bucket: str, key: str, body: bytes, fmt: str) -> None:
        objects = self.runtime.optional_port(S3Objects)
        if objects is None:
            raise DeliveryFailed("S3.ServiceUnavailable", "S3 is not running on this server.")
        if fmt != "UNCOMPRESSED":
            entry = key.rsplit("/", 1)[-1].removesuffix(compression.EXTENSIONS.get(fmt, ""))
            body = await asyncio.to_thread(compression.compress, body, fmt, entry)
        try:
            await objects.put_object(
                s.account, s.region, bucket, key, body, content_encoding=compression.CONTENT_ENCODING.get(fmt)
            )
        except ServiceError as error:
            raise DeliveryFailed(f"S3.{error.code}", error.message) from None

    # --- failures ------------------------------------------------------------------------------------------------

    def logging_options(self, s: DeliveryStream) -> dict[str, Any]:
        d = s.description
        return dict(d.get("CloudWatchLoggingOptions") or {})

    async def log_error(self, s: DeliveryStream, code: str, message: str) -> None:
        """One error event in the stream's CloudWatch Logs error log, when CloudWatchLoggingOptions ask for it."""
        options = self.logging_options(s)
        if not options.get("Enabled"):
            return
        event = self._log_event(s, code, message)
        await self.runtime.store.write(lambda tx: self._enqueue_log(tx, s, options, event))

    def _log_event(self, s: DeliveryStream, code: str, message: str) -> dict[str, Any]:
        d = s.description
        target = d.get("BucketARN") or (d.get("EndpointConfiguration") or {}).get("Url", "")
        text = json.dumps({
            "deliveryStreamARN": s.arn,
            "destination": target,
            "deliveryStreamVersionId": s.version,
            "message": message,
            "errorCode": code,
        })  # fmt: skip
        return {"timestamp": self.runtime.clock.now_ms(), "message": text}

    def _enqueue_log(self, tx: Tx, s: DeliveryStream, options: dict[str, Any], event: dict[str, Any]) -> None:
        self.runtime.delivery.enqueue(
            tx, "logs", log_group_arn(s.region, s.account, options["LogGroupName"]),
            {"stream": options["LogStreamName"], "events": [event]}, traced=False,
        )  # fmt: skip

    async def _failed(self, s: DeliveryStream, error: DeliveryFailed) -> None:
        log.info("Firehose %s: delivery failed (%s: %s)", s.name, error.code, error.message)
        failure = {"Type": "UNKNOWN_ERROR", "Details": f"{error.code}: {error.message}"}
        options = self.logging_options(s)
        event = self._log_event(s, error.code, error.message)
        before = self.runtime.clock.now() - limits.S3_RETRY_SECONDS

        def run(tx: Tx) -> None:
            if store.get_stream_by_id(tx, s.id) is None:
                return
            store.set_failure(tx, s.id, failure)
            store.drop_older(tx, s.id, before)
            if options.get("Enabled"):
                self._enqueue_log(tx, s, options, event)

        await self.runtime.store.write(run)
        self.retry_at[s.id] = self.runtime.clock.monotonic() + self.be.settings.retry_seconds


Flush = Callable[[DeliveryStream, list[Rec]], Awaitable[list[tuple[str, str, int, int]]]]
