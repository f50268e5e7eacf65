"""AnalyticsBackend: every behaviour of Kinesis Data Analytics SQL applications, for both API versions
(kinesisanalyticsv2 reaches it through the AnalyticsApplications port). Methods take plain arguments and return the
neutral application document (applications.App.neutral) the ops modules render in their version's shapes."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...ports import FirehoseTap, KinesisReader, LambdaInvoker, S3Objects
from ...store.base import Store, Tx
from . import applications as apps
from . import program, schema, store
from .applications import READY, RUNNING, STARTING, STOPPING, App
from .errors import (
    InvalidApplicationConfigurationException,
    InvalidArgumentException,
    ResourceInUseException,
    ResourceNotFoundException,
    TooManyTagsException,
    UnableToDetectSchemaException,
    in_use,
    not_found,
    stale_version,
)

DISCOVERY_SAMPLES = 100
DISCOVERY_WAIT = 3.0


def backend(ctx: RequestContext) -> AnalyticsBackend:
    return ctx.runtime.state(AnalyticsBackend)


def _tags(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t["Key"]: str(t.get("Value") or "") for t in tags or []}


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """(account, region, name) of an application ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "kinesisanalytics" or not parts[5].startswith("application/"):
        return None
    return parts[4], parts[3], parts[5].removeprefix("application/")


class AnalyticsBackend:
    def __init__(
        self,
        store_: Store,
        clock: Clock,
        kinesis: Callable[[], KinesisReader | None],
        lambdas: Callable[[], LambdaInvoker | None],
        s3: Callable[[], S3Objects | None],
        firehose: Callable[[], FirehoseTap | None],
    ) -> None:
        self.store, self.clock = store_, clock
        self.kinesis, self.lambdas, self.s3, self.firehose = kinesis, lambdas, s3, firehose
        self.wake = asyncio.Event()  # the runner manager looks again

    # --- applications ------------------------------------------------------------------------------------------

    async def create(
        self,
        account: str,
        region: str,
        name: str,
        description: str | None,
        code: str | None,
        role: str | None,
        inputs: list[dict[str, Any]],
        outputs: list[dict[str, Any]],
        references: list[dict[str, Any]],
        logging: list[dict[str, Any]],
        tags: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        config = apps.new_config(description, code, role, inputs, outputs, references, logging)
        if len(tags or []) > apps.MAX_TAGS:
            raise TooManyTagsException(f"Application can have at most {apps.MAX_TAGS} tags.")
        await self._check_inputs(app_arn(account, region, name), config)
        if config["Code"]:
            await asyncio.to_thread(program.validate, config)
        now = self.clock.now()
        app = App(0, account, region, name, READY, 1, now, now, config, _tags(tags))

        def run(tx: Tx) -> App:
            if store.insert(tx, app) is None:
                raise apps_in_use(name, account)
            return app

        return (await self.store.write(run)).neutral()

    async def _check_inputs(self, subscriber: str, config: dict[str, Any]) -> None:
        """Each input's source exists; a Firehose delivery stream keeps its records for the application from now on
        (the FirehoseTap subscription, ``subscriber`` the application's ARN)."""
        reader = self.kinesis()
        for item in config["Inputs"]:
            arn = (item.get("KinesisStreamsInputDescription") or {}).get("ResourceARN")
            if arn and reader is not None and await reader.shards(arn) is None:
                raise InvalidArgumentException(
                    f"Kinesis Analytics can not access stream {arn}: the stream does not exist or is not ACTIVE"
                )
            hose = (item.get("KinesisFirehoseInputDescription") or {}).get("ResourceARN")
            if hose:
                tap = self.firehose()
                if tap is None:
                    raise InvalidArgumentException("Firehose is not served by this gureum: use a Kinesis stream input")
                if not await tap.subscribe(hose, subscriber):
                    raise InvalidArgumentException(
                        f"Kinesis Analytics can not access delivery stream {hose}: it does not exist"
                    )

    async def _unsubscribe(self, app: App) -> None:
        tap = self.firehose()
        for item in app.inputs:
            hose = (item.get("KinesisFirehoseInputDescription") or {}).get("ResourceARN")
            if hose and tap is not None:
                await tap.unsubscribe(hose, app.arn)

    async def _get(self, account: str, region: str, name: str) -> App:
        app = await self.store.read(lambda tx: store.get(tx, account, region, name))
        if app is None:
            raise not_found(name, account)
        return app

    async def describe(self, account: str, region: str, name: str) -> dict[str, Any]:
        return (await self._get(account, region, name)).neutral()

    async def describe_version(self, account: str, region: str, name: str, version: int) -> dict[str, Any]:
        app = await self._get(account, region, name)
        config = await self.store.read(lambda tx: store.version_config(tx, app.id, version))
        if config is None:
            raise ResourceNotFoundException(f"Application {name} has no version {version}")
        app.config, app.version = config, version
        return app.neutral()

    async def versions(self, account: str, region: str, name: str) -> list[tuple[int, str]]:
        app = await self._get(account, region, name)
        return await self.store.read(lambda tx: store.versions(tx, app.id))

    async def list_applications(
        self, account: str, region: str, after: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        found = await self.store.read(lambda tx: store.listing(tx, account, region, after, limit + 1))
        return [a.neutral() for a in found[:limit]], len(found) > limit

    async def delete(self, account: str, region: str, name: str, created: float | None) -> None:
        def run(tx: Tx) -> App:
            app = store.get(tx, account, region, name)
            if app is None:
                raise not_found(name, account)
            if created is not None and abs(created - app.created_at) >= 1.0:
                raise InvalidArgumentException(f"CreateTimestamp does not match that of application {name}")
            if app.status in (STARTING, STOPPING):
                raise in_use(name, app.status)
            store.delete(tx, app.id)
            return app

        deleted = await self.store.write(run)
        self.wake.set()
        await self._unsubscribe(deleted)

    async def change(
        self, account: str, region: str, name: str, version: int | None, action: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        """One configuration change (a new version): ``action`` names it (add_input, add_output, add_reference,
        add_logging, remove_output, remove_reference, remove_logging, set_processing, remove_processing, update,
        role), ``args`` its AWS members."""
        app = await self._get(account, region, name)
        if app.status not in (READY, RUNNING):
            raise in_use(name, app.status)
        if version is not None and version != app.version:
            raise stale_version(name, version, app.version)
        config = json.loads(json.dumps(app.config))
        result = _apply(config, action, args)
        if action in ("add_input", "update"):
            await self._check_inputs(app.arn, config)
        if config["Code"] and action in ("add_input", "update", "add_reference"):
            await asyncio.to_thread(program.validate, config)
        now = self.clock.now()

        def run(tx: Tx) -> App:
            current = store.by_id(tx, app.id)
            if current is None:
                raise not_found(name, account)
            if current.version != app.version:
                raise stale_version(name, app.version, current.version)
            current.config, current.version, current.updated_at = config, current.version + 1, now
            store.update(tx, current)
            store.save_version(tx, current)
            return current

        updated = await self.store.write(run)
        self.wake.set()
        return {**updated.neutral(), "Changed": result}

    async def start(self, account: str, region: str, name: str, positions: dict[str, str]) -> None:
        app = await self._get(account, region, name)
        if app.status != READY:
            raise in_use(name, app.status)
        if not app.inputs:
            raise InvalidApplicationConfigurationException(
                f"Application {name} has no input configured: add one with AddApplicationInput before starting it"
            )
        for item in app.inputs:
            if item["InputId"] not in positions:
                raise InvalidArgumentException(f"Input configuration for input id {item['InputId']} is missing.")
        for input_id in positions:
            apps.find(app.inputs, "InputId", input_id, "Input")
        await self._check_inputs(app.arn, app.config)  # a delivery stream made again is subscribed again
        if not app.code.strip():
            pass  # AWS starts an application without code: its input is read, nothing is emitted
        else:
            await asyncio.to_thread(program.validate, app.config)
        now = self.clock.now()

        def run(tx: Tx) -> None:
            current = store.by_id(tx, app.id)
            if current is None or current.status != READY:
                raise in_use(name, current.status if current else "DELETING")
            for item in current.config["Inputs"]:
                position = positions[item["InputId"]]
                item["InputStartingPositionConfiguration"] = {"InputStartingPosition": position}
            current.config["StartedAt"] = now
            # where a shard no pump has emitted from is read: NOW → from this start, TRIM_HORIZON → from the
            # beginning, LAST_STOPPED_POINT → as the start before it said
            if any(p == "NOW" for p in positions.values()):
                current.config["ReadFrom"] = now
            elif any(p == "TRIM_HORIZON" for p in positions.values()):
                current.config["ReadFrom"] = 0
            current.status = STARTING
            if any(p != "LAST_STOPPED_POINT" for p in positions.values()):
                store.forget_progress(tx, current.id)
            store.update(tx, current)

        await self.store.write(run)
        self.wake.set()

    async def stop(self, account: str, region: str, name: str) -> None:
        app = await self._get(account, region, name)
        if app.status == READY:
            return
        if app.status not in (RUNNING, STARTING):
            raise in_use(name, app.status)
        await self.store.write(lambda tx: store.set_status(tx, app.id, STOPPING, (RUNNING, STARTING)))
        self.wake.set()

    # --- tags -----------------------------------------------------------------------------------------------------

    async def _by_arn(self, arn: str) -> App:
        named = parse_arn(arn)
        if named is None:
            raise InvalidArgumentException(f"Invalid application ARN {arn}")
        return await self._get(*named)

    async def list_tags(self, arn: str) -> dict[str, str]:
        return (await self._by_arn(arn)).tags

    async def tag(self, arn: str, tags: list[dict[str, Any]]) -> None:
        app = await self._by_arn(arn)
        merged = {**app.tags, **_tags(tags)}
        if len(merged) > apps.MAX_TAGS:
            raise TooManyTagsException(f"Application can have at most {apps.MAX_TAGS} tags.")
        await self._save_tags(app, merged)

    async def untag(self, arn: str, keys: list[str]) -> None:
        app = await self._by_arn(arn)
        await self._save_tags(app, {k: v for k, v in app.tags.items() if k not in keys})

    async def _save_tags(self, app: App, tags: dict[str, str]) -> None:
        def run(tx: Tx) -> None:
            current = store.by_id(tx, app.id)
            if current is None:
                raise not_found(app.name, app.account)
            current.tags = tags
            store.update(tx, current)

        await self.store.write(run)

    # --- the live view ----------------------------------------------------------------------------------------------

    async def latest(self, account: str, region: str, name: str) -> dict[str, Any]:
        app = await self._get(account, region, name)
        rows = await self.store.read(lambda tx: store.latest(tx, app.id))
        return {
            "ApplicationName": app.name,
            "ApplicationStatus": app.status,
            "Streams": {s: [{"ROWTIME": t, **json.loads(r)} for t, r in got] for s, got in sorted(rows.items())},
        }

    async def find_by_name(self, name: str) -> App | None:
        """The application of that name in any account (the live view's URL names only the application)."""
        return await self.store.read(lambda tx: _first_named(tx, name))

    # --- DiscoverInputSchema -----------------------------------------------------------------------------------

    async def discover(
        self,
        account: str,
        region: str,
        resource_arn: str | None,
        s3: dict[str, Any] | None,
        position: str | None,
        processor_arn: str | None,
    ) -> dict[str, Any]:
        if bool(resource_arn) == bool(s3):
            raise InvalidArgumentException("Specify either ResourceARN (a streaming source) or S3Configuration.")
        if s3:
            raw = await self._s3_samples(account, region, s3["BucketARN"], s3["FileKey"])
        elif ":firehose:" in str(resource_arn):
            raw = await self._hose_samples(str(resource_arn), position or "NOW")
        else:
            raw = await self._stream_samples(str(resource_arn), position or "NOW")
        processed = raw
        if processor_arn:
            processed = await self._preprocess_samples(account, region, processor_arn, raw)
        found = schema.discover(processed)
        raw_text = [r.decode("utf-8", "replace") for r in raw]
        processed_text = [r.decode("utf-8", "replace") for r in processed]
        if found is None:
            raise UnableToDetectSchemaException(
                "Unable to determine schema. Please make sure the data source has records." if not raw else
                "Unable to determine the schema of the sampled records (neither JSON objects nor delimited rows).",
                fields={"RawInputRecords": raw_text, "ProcessedInputRecords": processed_text},
            )  # fmt: skip
        source, parsed = found
        out: dict[str, Any] = {"InputSchema": source, "ParsedInputRecords": parsed, "RawInputRecords": raw_text}
        if processor_arn:
            out["ProcessedInputRecords"] = processed_text
        return out

    async def _s3_samples(self, account: str, region: str, bucket_arn: str, key: str) -> list[bytes]:
        s3 = self.s3()
        if s3 is None:
            raise InvalidArgumentException("S3 is not served by this gureum")
        body = await s3.get_object(account, region, bucket_arn.rsplit(":", 1)[-1], key)
        return [line for line in body.splitlines() if line.strip()][:DISCOVERY_SAMPLES]

    async def _stream_samples(self, arn: str, position: str) -> list[bytes]:
        reader = self.kinesis()
        if ":kinesis:" not in arn or reader is None:
            raise InvalidArgumentException(
                f"Schema discovery reads a Kinesis stream, a Firehose delivery stream or an S3 object, not {arn}"
            )
        shards = await reader.shards(arn)
        if shards is None:
            raise ResourceNotFoundException(f"Stream {arn} does not exist")
        samples: list[bytes] = []
        deadline = self.clock.monotonic() + DISCOVERY_WAIT
        since = self.clock.now()
        iterators = {}
        for sh in shards:
            if position == "NOW":
                iterators[sh["ShardId"]] = await reader.shard_iterator(arn, sh["ShardId"], "AT_TIMESTAMP", None, since)
            else:
                iterators[sh["ShardId"]] = await reader.shard_iterator(arn, sh["ShardId"], "TRIM_HORIZON", None, None)
        while len(samples) < DISCOVERY_SAMPLES:
            arrival = reader.arrival(arn)
            for shard, iterator in list(iterators.items()):
                got = await reader.get_records(iterator, DISCOVERY_SAMPLES)
                samples += [bytes(r["Data"]) for r in got.get("Records") or []]
                if got.get("NextShardIterator"):
                    iterators[shard] = got["NextShardIterator"]
            if samples or self.clock.monotonic() >= deadline:
                break
            try:
                await asyncio.wait_for(arrival.wait(), max(0.0, deadline - self.clock.monotonic()))
            except TimeoutError:
                pass
        return samples[:DISCOVERY_SAMPLES]

    async def _hose_samples(self, arn: str, position: str) -> list[bytes]:
        """Records reaching a delivery stream during the discovery's wait (NOW), or those its tap still keeps
        (TRIM_HORIZON), read through a subscription of the discovery's own."""
        tap = self.firehose()
        if tap is None:
            raise InvalidArgumentException("Firehose is not served by this gureum")
        subscriber = f"{arn}#discovery-{uuid.uuid4().hex}"
        if not await tap.subscribe(arn, subscriber):
            raise ResourceNotFoundException(f"Delivery stream {arn} does not exist")
        since = self.clock.now() if position == "NOW" else 0.0
        deadline = self.clock.monotonic() + DISCOVERY_WAIT
        samples: list[bytes] = []
        after = 0
        try:
            while True:
                arrival = tap.arrival(arn)
                got = await tap.read(arn, after, DISCOVERY_SAMPLES) or []
                if got:
                    after = got[-1][0]
                samples += [data for _seq, at, data in got if at >= since]
                if len(samples) >= DISCOVERY_SAMPLES or (samples and not got):
                    break
                if got:
                    continue
                if self.clock.monotonic() >= deadline:
                    break
                try:
                    await asyncio.wait_for(arrival.wait(), min(0.5, max(0.0, deadline - self.clock.monotonic())))
                except TimeoutError:
                    pass
        finally:
            await tap.unsubscribe(arn, subscriber)
        return samples[:DISCOVERY_SAMPLES]

    async def _preprocess_samples(self, account: str, region: str, function: str, raw: list[bytes]) -> list[bytes]:
        invoker = self.lambdas()
        if invoker is None:
            raise InvalidArgumentException("Lambda is not served by this gureum")
        event = {
            "invocationId": "discovery",
            "applicationArn": f"arn:aws:kinesisanalytics:{region}:{account}:application/discovery",
            "records": [{"recordId": str(i), "data": base64.b64encode(r).decode()} for i, r in enumerate(raw)],
        }
        result = await invoker.invoke(account, region, function, json.dumps(event).encode())
        try:
            records = json.loads(result.get("Payload") or b"{}").get("records") or []
        except ValueError:
            records = []
        return [base64.b64decode(r.get("data") or "") for r in records if r.get("result") == "Ok"]


def _first_named(tx: Tx, name: str) -> App | None:
    row = tx.one("SELECT account, region FROM kda_applications WHERE name = ? ORDER BY id LIMIT 1", (name,))
    return store.get(tx, row[0], row[1], name) if row else None


def app_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:kinesisanalytics:{region}:{account}:application/{name}"


def apps_in_use(name: str, account: str) -> Exception:
    return ResourceInUseException(f"Application {name} already exists under account {account}")


def _apply(config: dict[str, Any], action: str, args: dict[str, Any]) -> Any:
    if action == "add_input":
        return apps.add_input(config, args["Input"])
    if action == "add_output":
        return apps.add_output(config, args["Output"])
    if action == "add_reference":
        return apps.add_reference(config, args["ReferenceDataSource"])
    if action == "add_logging":
        return apps.add_logging(config, args["CloudWatchLoggingOption"])
    if action == "remove_output":
        return apps.remove(config, "Outputs", "OutputId", args["OutputId"], "Output")
    if action == "remove_reference":
        return apps.remove(config, "References", "ReferenceId", args["ReferenceId"], "Reference data source")
    if action == "remove_logging":
        return apps.remove(config, "Logging", "CloudWatchLoggingOptionId", args["CloudWatchLoggingOptionId"], "Option")
    if action == "set_processing":
        return apps.set_processing(config, args["InputId"], args["InputProcessingConfiguration"])
    if action == "remove_processing":
        return apps.set_processing(config, args["InputId"], None)
    if action == "update":
        return apps.apply_update(config, args["ApplicationUpdate"])
    if action == "role":
        config["ServiceExecutionRole"] = args["ServiceExecutionRole"]
        return None
    raise InvalidArgumentException(f"Unknown change {action}")
