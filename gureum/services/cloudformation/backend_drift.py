"""Drift detection of CloudFormationBackend: DetectStackDrift / DetectStackResourceDrift read each resource's live
values back through its service (the provider's read) and compare them with the template's (drift.py);
DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts answer from what was stored. A type whose
provider cannot read its resource back is NOT_CHECKED, as AWS leaves the types it does not support."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import TYPE_CHECKING, Any

from ...clock import Clock
from ...store.base import Store
from . import drift, engine, store
from .errors import ResourceFailure, ValidationError
from .providers import PROVIDERS
from .store import Resource, Stack

if TYPE_CHECKING:
    from .backend import CloudFormationBackend

# the stack states drift can be detected in (AWS's)
_DETECTABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED")
_STATUS_FILTERS = ("IN_SYNC", "MODIFIED", "DELETED", "NOT_CHECKED")


class Drifts:
    """Mixed into CloudFormationBackend."""

    store: Store
    clock: Clock

    async def _stack(self, account: str, region: str, name: str) -> Stack:
        raise NotImplementedError

    async def _detectable(self, account: str, region: str, name: str) -> tuple[Stack, list[Resource]]:
        stack = await self._stack(account, region, name)
        if stack.status not in _DETECTABLE:
            raise ValidationError(f"Stack {stack.stack_id} is in {stack.status} state; drift cannot be detected")
        rows = await self.store.read(lambda tx: store.resources(tx, stack.stack_id))
        return stack, rows

    async def detect_stack_drift(self, account: str, region: str, name: str, logical_ids: list[str]) -> str:
        stack, rows = await self._detectable(account, region, name)
        known = {r.logical_id for r in rows}
        unknown = [n for n in logical_ids if n not in known]
        if unknown:
            raise ValidationError(f"Resources [{', '.join(unknown)}] do not exist in stack {stack.name}")
        chosen = [r for r in rows if r.physical_id is not None and (not logical_ids or r.logical_id in logical_ids)]
        run = engine.Run(self._backend(), stack, rows)
        found = await asyncio.gather(*(self._resource_drift(run, r) for r in chosen))
        drifted = sum(1 for d in found if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
        detection_id = str(uuid.uuid4())
        now = self.clock.now()
        detection = {
            "StackId": stack.stack_id,
            "StackDriftDetectionId": detection_id,
            "StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC",
            "DetectionStatus": "DETECTION_COMPLETE",
            "DriftedStackResourceCount": drifted,
            "Timestamp": now,
        }

        def write(tx: Any) -> None:
            store.put_drift_detection(tx, detection_id, stack.stack_id, now, detection)
            for record in found:
                store.put_resource_drift(tx, stack.stack_id, record["LogicalResourceId"], record)

        await self.store.write(write)
        return detection_id

    def _backend(self) -> CloudFormationBackend:
        return self  # type: ignore[return-value]

    async def _resource_drift(self, run: engine.Run, row: Resource) -> dict[str, Any]:
        provider = PROVIDERS.get(row.type)
        record: dict[str, Any] = {
            "StackId": run.stack.stack_id,
            "LogicalResourceId": row.logical_id,
            "PhysicalResourceId": row.physical_id,
            "ResourceType": row.type,
            "StackResourceDriftStatus": "NOT_CHECKED",
            "Timestamp": self.clock.now(),
        }
        if provider is None or not provider.drift or row.physical_id is None:
            return record
        checked = {k: v for k, v in row.props.items() if k in provider.drift}
        record["ExpectedProperties"] = json.dumps(checked)
        try:
            live = await provider.read(run.context(row.logical_id, row.type), row.physical_id, row.attrs)
        except ResourceFailure as error:
            if engine.gone(error):
                record.update(StackResourceDriftStatus="DELETED", PropertyDifferences=[])
            return record
        differences = drift.differences(row.props, live, provider.drift)
        record["ActualProperties"] = json.dumps({k: live[k] for k in checked if k in live})
        record["PropertyDifferences"] = differences
        record["StackResourceDriftStatus"] = "MODIFIED" if differences else "IN_SYNC"
        return record

    async def describe_stack_drift_detection_status(
        self, account: str, region: str, detection_id: str
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.drift_detection(tx, detection_id))
        if found is None or f":{region}:{account}:" not in str(found.get("StackId")):
            raise ValidationError(f"Drift detection with id {detection_id} does not exist")
        return found

    async def describe_stack_resource_drifts(
        self, account: str, region: str, name: str, filters: list[str], token: str | None, limit: int | None
    ) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        bad = [f for f in filters if f not in _STATUS_FILTERS]
        if bad:
            raise ValidationError(f"Invalid StackResourceDriftStatusFilters: {', '.join(bad)}")
        records = await self.store.read(lambda tx: store.resource_drifts(tx, stack.stack_id))
        records = [r for r in records if not filters or r["StackResourceDriftStatus"] in filters]
        start = int(token) if token and token.isdigit() else 0
        size = limit or 100
        out: dict[str, Any] = {"StackResourceDrifts": records[start : start + size]}
        if start + size < len(records):
            out["NextToken"] = str(start + size)
        return out

    async def detect_stack_resource_drift(
        self, account: str, region: str, name: str, logical_id: str
    ) -> dict[str, Any]:
        stack, rows = await self._detectable(account, region, name)
        row = next((r for r in rows if r.logical_id == logical_id and r.physical_id is not None), None)
        if row is None:
            raise ValidationError(f"Resource {logical_id} does not exist for stack {stack.name}")
        record = await self._resource_drift(engine.Run(self._backend(), stack, rows), row)
        await self.store.write(lambda tx: store.put_resource_drift(tx, stack.stack_id, logical_id, record))
        return {"StackResourceDrift": record}

    async def drift_information(self, stack: Stack) -> dict[str, Any]:
        """A stack's DriftInformation: the latest detection's status and time, NOT_CHECKED before any."""
        found = await self.store.read(lambda tx: store.latest_drift_detection(tx, stack.stack_id))
        if found is None:
            return {"StackDriftStatus": "NOT_CHECKED"}
        return {"StackDriftStatus": found["StackDriftStatus"], "LastCheckTimestamp": found["Timestamp"]}
