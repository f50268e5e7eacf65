"""CloudFormationBackend: every CloudFormation behaviour over the store, one method per operation with plain
arguments; kept by the start hook and reached with backend(ctx). Stack operations are accepted (validated,
committed IN_PROGRESS) and then driven by engine.drive in a task this node owns: a lease on the stack row says
which node drives it, renewed while it runs, so after a restart (or a node's death, on PostgreSQL) another claims
it and resumes it (engine.step is resumable from every in-progress status)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import uuid
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from . import changesets, engine, parameters, store, template
from .backend_custom import RESPONSE_CHANNEL, CustomResources
from .backend_drift import Drifts
from .backend_templates import Templates
from .errors import (
    AlreadyExistsException,
    ValidationError,
    stack_not_found,
)
from .store import Stack

log = logging.getLogger("gureum.cloudformation")
LEASE_SECONDS = 30.0
DELETED_LISTED_SECONDS = 90 * 24 * 3600.0
PAGE = 100
CANCEL_CHANNEL = "cfn_cancel_update"


class _ChangeSets:
    """The change set operations of CloudFormationBackend (changesets.py holds their behaviour)."""

    async def create_change_set(self: Any, account: str, region: str, host: str, req: dict[str, Any]) -> dict[str, str]:
        return await changesets.create(self, account, region, host, req)

    async def describe_change_set(
        self: Any, account: str, region: str, name: str, stack_name: str | None
    ) -> dict[str, Any]:
        cs = await changesets.find(self, account, region, name, stack_name)
        stack = await self.store.read(lambda tx: store.stack_by_id(tx, cs["stack_id"]))
        return changesets.describe(self, cs, stack)

    async def execute_change_set(self: Any, account: str, region: str, name: str, stack_name: str | None) -> None:
        await changesets.execute(self, account, region, name, stack_name)

    async def delete_change_set(self: Any, account: str, region: str, name: str, stack_name: str | None) -> None:
        await changesets.delete(self, account, region, name, stack_name)

    async def list_change_sets(self: Any, account: str, region: str, stack_name: str) -> dict[str, Any]:
        stack = await self._stack(account, region, stack_name)
        found = await self.store.read(lambda tx: store.change_sets(tx, stack.stack_id))
        return {
            "Summaries": [
                {
                    "StackId": stack.stack_id,
                    "StackName": stack.name,
                    "ChangeSetId": c["arn"],
                    "ChangeSetName": c["name"],
                    "ExecutionStatus": c["execution_status"],
                    "Status": c["status"],
                    "CreationTime": c["created_at"],
                    **({"Description": c["description"]} if c.get("description") else {}),
                }
                for c in found
            ]
        }


def backend(ctx: RequestContext) -> CloudFormationBackend:
    return ctx.runtime.state(CloudFormationBackend)


class CloudFormationBackend(Templates, CustomResources, Drifts, _ChangeSets):
    def __init__(self, runtime: Runtime, custom_timeout: float, lease: float = LEASE_SECONDS) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.node = secrets.token_hex(8)
        self.driving: dict[str, asyncio.Task[Any]] = {}
        self.custom_timeout = custom_timeout
        self.lease = lease
        self._responses: dict[str, asyncio.Event] = {}
        self._changes: dict[str, asyncio.Event] = {}
        self._cancels: set[str] = set()
        self.store.subscribe(RESPONSE_CHANNEL, self._responded)
        self.store.subscribe(CANCEL_CHANNEL, self._cancels.add)

    # --- driving ------------------------------------------------------------------------------------------------

    def changed(self, stack_id: str) -> None:
        event = self._changes.pop(stack_id, None)
        if event is not None:
            event.set()

    async def wait_change(self, stack_id: str, timeout: float) -> None:
        """Until the stack's next change (tests and benches wait without polling the engine)."""
        event = self._changes.setdefault(stack_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass

    async def start_driving(self, stack_id: str, force: bool = False) -> None:
        now = self.clock.now()
        claimed = await self.store.write(lambda tx: store.claim(tx, stack_id, self.node, now + self.lease, now, force))
        if claimed and stack_id not in self.driving:
            self.driving[stack_id] = self.runtime.spawn(self._drive(stack_id), f"cloudformation-{stack_id[-12:]}")

    async def _drive(self, stack_id: str) -> None:
        try:
            await engine.drive(self, stack_id)
        except Exception:
            log.exception("stack %s: the driver failed", stack_id)
        finally:
            self.driving.pop(stack_id, None)

    async def resume(self, force: bool) -> None:
        """Claim and drive every stack left in progress (at start: force on SQLite, where no other node exists)."""
        for stack in await self.store.read(store.in_progress):
            if stack.stack_id in self.driving:
                continue
            if stack.status in ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS") and stack.driver != self.node:
                # the node that was creating or updating it is gone: roll back what it did
                rolled = (
                    "ROLLBACK_IN_PROGRESS" if stack.status == "CREATE_IN_PROGRESS" else "UPDATE_ROLLBACK_IN_PROGRESS"
                )
                now = self.clock.now()
                if not await self.store.write(
                    functools.partial(
                        store.claim,
                        stack_id=stack.stack_id,
                        driver=self.node,
                        lease_until=now + self.lease,
                        now=now,
                        force=force,
                    )
                ):
                    continue
                await self._transition(
                    stack, rolled, "The stack operation was interrupted (gureum restarted); rolling back"
                )
            await self.start_driving(stack.stack_id, force)

    async def maintain(self) -> None:
        """Renew this node's leases; take over stacks whose driver's lease ran out."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                mine = list(self.driving)
                if mine:
                    until = self.clock.now() + self.lease
                    await self.store.write(
                        functools.partial(store.renew, driver=self.node, stack_ids=mine, lease_until=until)
                    )
                await self.resume(force=False)
            except Exception:
                log.exception("cloudformation maintenance")

    async def _transition(self, stack: Stack, status: str, reason: str | None) -> None:
        """Move the stack to ``status`` (an operation this node starts: it claims the stack in the same write)."""
        stack.status, stack.reason = status, reason
        now = stack.updated_at = self.clock.now()
        event = _stack_event(self, stack, status, reason)

        def write(tx: Any) -> None:
            store.claim(tx, stack.stack_id, self.node, now + self.lease, now, True)
            store.save_stack(tx, stack)
            store.add_event(tx, stack.stack_id, event)

        await self.store.write(write)

    # --- stacks -------------------------------------------------------------------------------------------------

    async def _stack(self, account: str, region: str, name: str) -> Stack:
        """The stack ``name`` names: a live stack by name, or any stack by its id (ARN)."""
        if name.startswith("arn:"):
            stack = await self.store.read(lambda tx: store.stack_by_id(tx, name))
            if stack is not None and (stack.account, stack.region) == (account, region):
                return stack
        else:
            stack = await self.store.read(lambda tx: store.live_stack(tx, account, region, name))
            if stack is not None:
                return stack
        raise stack_not_found(name)

    async def create_stack(
        self,
        account: str,
        region: str,
        host: str,
        name: str,
        body: str | None,
        url: str | None,
        given: list[dict[str, Any]],
        capabilities: list[str],
        tags: list[dict[str, str]],
        role_arn: str | None,
        on_failure: str | None,
        disable_rollback: bool | None,
        protection: bool,
        notification_arns: list[str],
        timeout: int | None,
        policy_body: str | None = None,
        policy_url: str | None = None,
    ) -> str:
        template.check_stack_name(name)
        if on_failure is not None and disable_rollback is not None:
            raise ValidationError("You may specify either OnFailure or DisableRollback, but not both.")
        existing = await self.store.read(lambda tx: store.live_stack(tx, account, region, name))
        if existing is not None:
            raise AlreadyExistsException(f"Stack [{name}] already exists")
        text, doc, values = await self.prepare(
            account, region, host, body, url, given, None, capabilities=list(capabilities)
        )
        raw = await self.parse(text)
        self._check_capabilities(doc, capabilities, raw)
        stack_id = f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid.uuid4()}"
        now = self.clock.now()
        rollback_off = bool(disable_rollback) or on_failure == "DO_NOTHING"
        stack = Stack(
            stack_id,
            account,
            region,
            name,
            "CREATE_IN_PROGRESS",
            "User Initiated",
            now,
            None,
            None,
            {
                "host": host,
                "role_arn": role_arn,
                "capabilities": capabilities,
                "tags": tags,
                "disable_rollback": rollback_off,
                "delete_on_failure": on_failure == "DELETE",
                "termination_protection": protection,
                "notification_arns": notification_arns,
                "timeout": timeout,
                "description": doc.get("Description"),
                "declared": doc.get("Parameters") or {},
                "target": {"template": doc, "parameters": values, "original": text},
                "template": doc,
                "parameters": values,
                "original": text,
                "outputs": [],
            },
        )
        stack.driver, stack.lease_until = self.node, now + self.lease
        stack_policy = await self.policy_text(account, region, host, policy_body, policy_url)
        if stack_policy is not None:
            stack.doc["stack_policy"] = stack_policy
        event = _stack_event(self, stack, "CREATE_IN_PROGRESS", "User Initiated")

        def write(tx: Any) -> None:
            if store.live_stack(tx, account, region, name) is not None:
                raise AlreadyExistsException(f"Stack [{name}] already exists")
            store.insert_stack(tx, stack)
            store.add_event(tx, stack_id, event)

        await self.store.write(write)
        await self.start_driving(stack_id, force=True)
        return stack_id

    async def update_stack(
        self,
        account: str,
        region: str,
        host: str,
        name: str,
        body: str | None,
        url: str | None,
        use_previous_template: bool,
        given: list[dict[str, Any]],
        capabilities: list[str] | None,
        tags: list[dict[str, str]] | None,
        role_arn: str | None,
        disable_rollback: bool | None,
        notification_arns: list[str] | None,
        policy_body: str | None = None,
        policy_url: str | None = None,
        during_body: str | None = None,
        during_url: str | None = None,
    ) -> str:
        stack = await self._stack(account, region, name)
        self._check_updatable(stack)
        previous_text = stack.doc.get("original") if use_previous_template else None
        if use_previous_template and (body is not None or url is not None):
            raise ValidationError("You cannot specify both usePreviousTemplate and Template Body/Template Url")
        caps = capabilities if capabilities is not None else []
        text, doc, values = await self.prepare(
            account, region, host, body, url, given, stack.doc.get("parameters") or {}, previous_text, caps
        )
        raw = await self.parse(text)
        self._check_capabilities(doc, caps, raw)
        new_tags = tags if tags is not None else stack.doc.get("tags") or []
        if (
            doc == stack.doc.get("template")
            and values == stack.doc.get("parameters")
            and new_tags == stack.doc.get("tags")
        ):
            raise ValidationError("No updates are to be performed.")
        stack_policy = await self.policy_text(account, region, host, policy_body, policy_url)
        during = await self.policy_text(account, region, host, during_body, during_url)
        if stack_policy is not None:
            stack.doc["stack_policy"] = stack_policy
        stack.doc["policy_during_update"] = during
        await self._begin_update(
            stack, host, text, doc, values, caps, new_tags, role_arn, disable_rollback, notification_arns
        )
        return stack.stack_id

    def _check_updatable(self, stack: Stack) -> None:
        if stack.status.endswith("_IN_PROGRESS"):
            raise ValidationError(f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        if stack.status in (
            "ROLLBACK_COMPLETE",
            "ROLLBACK_FAILED",
            "CREATE_FAILED",
            "DELETE_FAILED",
            "UPDATE_ROLLBACK_FAILED",
            "REVIEW_IN_PROGRESS",
        ):
            raise ValidationError(f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")

    async def _begin_update(
        self,
        stack: Stack,
        host: str,
        text: str,
        doc: dict[str, Any],
        values: dict[str, str],
        caps: list[str],
        tags: list[dict[str, str]],
        role_arn: str | None,
        disable_rollback: bool | None,
        notification_arns: list[str] | None,
        change_set_id: str | None = None,
    ) -> None:
        previous = {
            "template": stack.doc.get("template"),
            "parameters": stack.doc.get("parameters"),
            "original": stack.doc.get("original"),
            "tags": list(stack.doc.get("tags") or []),
        }
        stack.doc.update(
            {
                "host": host,
                "capabilities": caps,
                "tags": tags,
                "description": doc.get("Description"),
                "declared": doc.get("Parameters") or {},
                "previous": previous,
                "target": {"template": doc, "parameters": values, "original": text},
            }
        )
        if role_arn is not None:
            stack.doc["role_arn"] = role_arn
        if disable_rollback is not None:
            stack.doc["disable_rollback"] = disable_rollback
        if notification_arns is not None:
            stack.doc["notification_arns"] = notification_arns
        if change_set_id is not None:
            stack.doc["change_set_id"] = change_set_id
        await self._transition(stack, "UPDATE_IN_PROGRESS", "User Initiated")
        await self.start_driving(stack.stack_id, force=True)

    async def delete_stack(
        self, account: str, region: str, name: str, role_arn: str | None, retain: list[str], mode: str | None
    ) -> None:
        try:
            stack = await self._stack(account, region, name)
        except ValidationError:
            return  # AWS: deleting a stack that does not exist succeeds
        if stack.status == "DELETE_COMPLETE":
            return
        if stack.doc.get("termination_protection"):
            raise ValidationError(f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
        if stack.status == "DELETE_IN_PROGRESS":
            return
        if stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(f"Stack [{stack.name}] cannot be deleted while in status {stack.status}")
        if retain and stack.status != "DELETE_FAILED":
            raise ValidationError(
                "Invalid operation on stack: RetainResources can only be specified for stacks in DELETE_FAILED state"
            )
        if role_arn is not None:
            stack.doc["role_arn"] = role_arn
        stack.doc["retain_resources"] = retain
        if mode == "FORCE_DELETE_STACK":
            stack.doc["retain_resources"] = sorted(
                r.logical_id
                for r in await self.store.read(lambda tx: store.resources(tx, stack.stack_id))
                if r.status == "DELETE_FAILED"
            )
        if stack.status == "REVIEW_IN_PROGRESS":
            stack.deleted_at = self.clock.now()
            await self._transition(stack, "DELETE_COMPLETE", None)
            return
        await self._transition(stack, "DELETE_IN_PROGRESS", "User Initiated")
        await self.start_driving(stack.stack_id, force=True)

    async def set_stack_policy(
        self, account: str, region: str, host: str, name: str, body: str | None, url: str | None
    ) -> None:
        stack = await self._stack(account, region, name)
        text = await self.policy_text(account, region, host, body, url)
        if text is None:
            raise ValidationError("Either StackPolicyBody or StackPolicyURL must be specified")
        stack.doc["stack_policy"] = text
        await self.store.write(lambda tx: store.save_stack(tx, stack))

    async def get_stack_policy(self, account: str, region: str, name: str) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        text = stack.doc.get("stack_policy")
        return {"StackPolicyBody": text} if text else {}

    def cancelled(self, stack_id: str) -> bool:
        """Was CancelUpdateStack called (on any node) for the update this node drives?"""
        return stack_id in self._cancels

    def cancel_done(self, stack_id: str) -> None:
        self._cancels.discard(stack_id)

    async def cancel_update_stack(self, account: str, region: str, name: str) -> None:
        stack = await self._stack(account, region, name)
        if stack.status != "UPDATE_IN_PROGRESS":
            raise ValidationError(f"CancelUpdateStack cannot be called from current stack status {stack.status}")
        await self.store.write(lambda tx: tx.notify(CANCEL_CHANNEL, stack.stack_id))

    async def continue_update_rollback(
        self, account: str, region: str, name: str, role_arn: str | None, skip: list[str]
    ) -> None:
        stack = await self._stack(account, region, name)
        if stack.status != "UPDATE_ROLLBACK_FAILED":
            raise ValidationError(
                f"Stack {stack.name} is in {stack.status} state and can not continue the rollback; "
                "ContinueUpdateRollback applies to stacks in UPDATE_ROLLBACK_FAILED"
            )
        if role_arn is not None:
            stack.doc["role_arn"] = role_arn
        if skip:  # skipped resources are taken to be as the previous template wants them
            stack.doc["rollback_skip"] = skip
        await self._transition(stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
        await self.start_driving(stack.stack_id, force=True)

    async def rollback_stack(self, account: str, region: str, name: str, role_arn: str | None) -> str:
        """RollbackStack: a stack left CREATE_FAILED or UPDATE_FAILED (DisableRollback) is rolled back now."""
        stack = await self._stack(account, region, name)
        rolled = {"CREATE_FAILED": "ROLLBACK_IN_PROGRESS", "UPDATE_FAILED": "UPDATE_ROLLBACK_IN_PROGRESS"}
        if stack.status not in rolled:
            raise ValidationError(f"Stack {stack.name} is in {stack.status} state and can not be rolled back")
        if role_arn is not None:
            stack.doc["role_arn"] = role_arn
        await self._transition(stack, rolled[stack.status], "User Initiated")
        await self.start_driving(stack.stack_id, force=True)
        return stack.stack_id

    async def update_termination_protection(self, account: str, region: str, name: str, enabled: bool) -> str:
        stack = await self._stack(account, region, name)
        if stack.status == "DELETE_COMPLETE":
            raise stack_not_found(name)
        stack.doc["termination_protection"] = enabled
        await self.store.write(lambda tx: store.save_stack(tx, stack))
        return stack.stack_id

    def describe(self, stack: Stack) -> dict[str, Any]:
        doc = stack.doc
        out: dict[str, Any] = {
            "StackId": stack.stack_id,
            "StackName": stack.name,
            "CreationTime": stack.created_at,
            "StackStatus": stack.status,
            "DisableRollback": bool(doc.get("disable_rollback")),
            "NotificationARNs": list(doc.get("notification_arns") or []),
            "Capabilities": list(doc.get("capabilities") or []),
            "Tags": list(doc.get("tags") or []),
            "EnableTerminationProtection": bool(doc.get("termination_protection")),
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
            "Parameters": parameters.described(doc.get("declared") or {}, doc.get("parameters") or {}),
        }
        if stack.reason:
            out["StackStatusReason"] = stack.reason
        if doc.get("description"):
            out["Description"] = doc["description"]
        if stack.updated_at is not None:
            out["LastUpdatedTime"] = stack.updated_at
        if stack.deleted_at is not None:
            out["DeletionTime"] = stack.deleted_at
        if doc.get("role_arn"):
            out["RoleARN"] = doc["role_arn"]
        if doc.get("timeout"):
            out["TimeoutInMinutes"] = doc["timeout"]
        if doc.get("change_set_id"):
            out["ChangeSetId"] = doc["change_set_id"]
        if doc.get("outputs") and stack.status not in ("DELETE_COMPLETE", "ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"):
            out["Outputs"] = doc["outputs"]
        return out

    async def describe_stacks(self, account: str, region: str, name: str | None, token: str | None) -> dict[str, Any]:
        if name is not None:
            found = [await self._stack(account, region, name)]
            start, last = 0, 1
        else:
            found = [s for s in await self.store.read(lambda tx: store.stacks(tx, account, region, None))]
            start = _page_start(token)
            last = start + PAGE
        stacks = []
        for s in found[start:last]:
            described = self.describe(s)
            described["DriftInformation"] = await self.drift_information(s)
            stacks.append(described)
        out: dict[str, Any] = {"Stacks": stacks}
        if start + PAGE < len(found):
            out["NextToken"] = str(start + PAGE)
        return out

    async def list_stacks(self, account: str, region: str, statuses: list[str], token: str | None) -> dict[str, Any]:
        since = self.clock.now() - DELETED_LISTED_SECONDS
        found = await self.store.read(lambda tx: store.stacks(tx, account, region, since))
        found = [s for s in found if not statuses or s.status in statuses]
        start = _page_start(token)
        summaries = []
        for s in found[start : start + PAGE]:
            entry: dict[str, Any] = {
                "StackId": s.stack_id,
                "StackName": s.name,
                "CreationTime": s.created_at,
                "StackStatus": s.status,
                "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
            }
            for key, value in (
                ("TemplateDescription", s.doc.get("description")),
                ("StackStatusReason", s.reason),
                ("LastUpdatedTime", s.updated_at),
                ("DeletionTime", s.deleted_at),
            ):
                if value is not None:
                    entry[key] = value
            summaries.append(entry)
        out: dict[str, Any] = {"StackSummaries": summaries}
        if start + PAGE < len(found):
            out["NextToken"] = str(start + PAGE)
        return out

    async def describe_stack_events(self, account: str, region: str, name: str, token: str | None) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        before = _page_start(token) or None
        rows = await self.store.read(lambda tx: store.events(tx, stack.stack_id, before, PAGE + 1))
        events = [{**e, "StackId": stack.stack_id, "StackName": stack.name} for _, e in rows[:PAGE]]
        out: dict[str, Any] = {"StackEvents": events}
        if len(rows) > PAGE:
            out["NextToken"] = str(rows[PAGE - 1][0])
        return out

    async def _resources(self, stack: Stack) -> tuple[list[store.Resource], dict[str, dict[str, Any]]]:
        """The stack's resources and the latest drift of each that was checked (by logical id)."""

        def read(tx: Any) -> tuple[list[store.Resource], dict[str, dict[str, Any]]]:
            drifts = {d["LogicalResourceId"]: d for d in store.resource_drifts(tx, stack.stack_id)}
            return store.resources(tx, stack.stack_id), drifts

        return await self.store.read(read)

    def _resource(
        self, stack: Stack, r: store.Resource, detail: bool, drifts: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        drift = drifts.get(r.logical_id) or {}
        information: dict[str, Any] = {"StackResourceDriftStatus": drift.get("StackResourceDriftStatus", "NOT_CHECKED")}
        if drift:
            information["LastCheckTimestamp"] = drift["Timestamp"]
        out: dict[str, Any] = {
            "LogicalResourceId": r.logical_id,
            "ResourceType": r.type,
            "ResourceStatus": r.status,
            "DriftInformation": information,
        }
        if r.physical_id is not None:
            out["PhysicalResourceId"] = r.physical_id
        if r.reason:
            out["ResourceStatusReason"] = r.reason
        if detail:
            out.update(StackId=stack.stack_id, StackName=stack.name, Timestamp=r.updated_at)
        else:
            out["LastUpdatedTimestamp"] = r.updated_at
        return out

    async def describe_stack_resource(self, account: str, region: str, name: str, logical: str) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        rows, drifts = await self._resources(stack)
        for r in rows:
            if r.logical_id == logical:
                out = self._resource(stack, r, False, drifts)
                out.update(StackId=stack.stack_id, StackName=stack.name)
                meta = ((stack.doc.get("template") or {}).get("Resources") or {}).get(logical, {}).get("Metadata")
                if meta is not None:
                    out["Metadata"] = json.dumps(meta)
                return out
        raise ValidationError(f"Resource {logical} does not exist for stack {stack.name}")

    async def describe_stack_resources(
        self, account: str, region: str, name: str | None, logical: str | None, physical: str | None
    ) -> list[dict[str, Any]]:
        if name is None:
            if physical is None:
                raise ValidationError("Either StackName or PhysicalResourceId must be specified.")
            found = await self.store.read(lambda tx: store.find_physical(tx, account, region, physical))
            if found is None:
                raise ValidationError(f"Stack for {physical} does not exist")
            name = found[0]
        stack = await self._stack(account, region, name)
        rows, drifts = await self._resources(stack)
        return [
            self._resource(stack, r, True, drifts)
            for r in rows
            if (logical is None or r.logical_id == logical) and (physical is None or r.physical_id == physical)
        ]

    async def list_stack_resources(self, account: str, region: str, name: str, token: str | None) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        rows, drifts = await self._resources(stack)
        start = _page_start(token)
        out: dict[str, Any] = {
            "StackResourceSummaries": [self._resource(stack, r, False, drifts) for r in rows[start : start + PAGE]]
        }
        if start + PAGE < len(rows):
            out["NextToken"] = str(start + PAGE)
        return out

    async def get_template(
        self, account: str, region: str, name: str | None, change_set: str | None, stage: str | None
    ) -> dict[str, Any]:
        if change_set is not None:
            cs = await changesets.find(self, account, region, change_set, name)
            original, processed = cs["original"], cs["template"]
        else:
            if name is None:
                raise ValidationError("StackName must be specified")
            stack = await self._stack(account, region, name)
            original, processed = stack.doc.get("original") or "", stack.doc.get("template") or {}
        stages = ["Original", "Processed"] if processed != await self.parse(original or "{}") else ["Original"]
        if stage == "Processed":
            return {"TemplateBody": json.dumps(processed), "StagesAvailable": stages}
        return {"TemplateBody": original, "StagesAvailable": stages}

    async def list_exports(self, account: str, region: str, token: str | None) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.exports(tx, account, region))
        items = [{"ExportingStackId": owner, "Name": n, "Value": v} for n, (v, owner) in found.items()]
        start = _page_start(token)
        out: dict[str, Any] = {"Exports": items[start : start + PAGE]}
        if start + PAGE < len(items):
            out["NextToken"] = str(start + PAGE)
        return out

    async def list_imports(self, account: str, region: str, name: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.exports(tx, account, region))
        if name not in found:
            raise ValidationError(f"Export '{name}' does not exist.")
        users = await self.store.read(lambda tx: store.importers(tx, account, region, name))
        return {"Imports": users}


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(int(token), 0)
    except ValueError:
        raise ValidationError("Invalid NextToken") from None


def _stack_event(be: CloudFormationBackend, stack: Stack, status: str, reason: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "EventId": str(uuid.uuid4()),
        "Timestamp": be.clock.now(),
        "LogicalResourceId": stack.name,
        "ResourceType": engine.STACK_TYPE,
        "ResourceStatus": status,
        "PhysicalResourceId": stack.stack_id,
    }
    if reason:
        event["ResourceStatusReason"] = reason
    return event
