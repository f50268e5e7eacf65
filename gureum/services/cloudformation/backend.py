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
from urllib.parse import urlsplit

from ...aws.context import RequestContext
from ...runtime import Runtime
from . import changesets, engine, intrinsics, parameters, policy, rules, store, template, transforms
from .caller import AwsCaller
from .errors import (
    AlreadyExistsException,
    InsufficientCapabilitiesException,
    ResourceFailure,
    TemplateError,
    ValidationError,
    stack_not_found,
)
from .store import Stack

log = logging.getLogger("gureum.cloudformation")
LEASE_SECONDS = 30.0
DELETED_LISTED_SECONDS = 90 * 24 * 3600.0
PAGE = 100
RESPONSE_CHANNEL = "cfn_custom_response"
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


class CloudFormationBackend(_ChangeSets):
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

    # --- templates ----------------------------------------------------------------------------------------------

    async def load_template(
        self, account: str, region: str, host: str, body: str | None, url: str | None, limit_body: bool = True
    ) -> tuple[str, dict[str, Any]]:
        """(text, document) of TemplateBody or TemplateURL (an S3 object, read through S3's GetObject)."""
        if (body is None) == (url is None):
            raise ValidationError("Exactly one of TemplateBody or TemplateUrl must be specified.")
        if body is None:
            body = await self._fetch(account, region, host, str(url))
        elif limit_body and len(body.encode()) > template.MAX_BODY:
            raise ValidationError(
                f"1 validation error detected: Value '{body[:20]}…' at 'templateBody' failed to "
                f"satisfy constraint: Member must have length less than or equal to "
                f"{template.MAX_BODY}"
            )
        return body, await self.parse(body)

    async def parse(self, text: str) -> dict[str, Any]:
        """The document of a template's text (parsed in a worker thread: a template may be 1 MB)."""
        try:
            return await asyncio.to_thread(template.parse, text)
        except TemplateError as error:
            raise ValidationError(error.message) from None

    async def _fetch(self, account: str, region: str, host: str, url: str) -> str:
        parts = urlsplit(url)
        where = parts.hostname or ""
        path = parts.path.lstrip("/")
        if ".s3." in f".{where}" and not where.startswith(("s3.", "s3-")) and where.split(".")[0] != "s3":
            bucket, key = where.split(".s3", 1)[0], path
        else:
            bucket, _, key = path.partition("/")
        if parts.scheme not in ("http", "https") or not bucket or not key:
            raise ValidationError("TemplateURL must be a supported URL.")
        caller = AwsCaller(self.runtime, account, region, host, None)
        try:
            out = await caller("s3", "GetObject", {"Bucket": bucket, "Key": key})
        except ResourceFailure:
            raise ValidationError(f"S3 error: Access Denied or the object does not exist: {url}") from None
        data = out.get("Body") or b""
        if len(data) > template.MAX_URL_BODY:
            raise ValidationError("Template may not exceed 1000000 bytes in size.")
        if isinstance(data, str):
            return data
        try:
            return bytes(data).decode()
        except UnicodeDecodeError:
            raise ValidationError("Template format error: the template is not UTF-8 text") from None

    async def processed(
        self, account: str, region: str, doc: dict[str, Any], values: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The template after its transforms (SAM), checked; ValidationError otherwise."""
        try:
            template.check(doc)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        names = template.transforms(doc)
        if names:
            try:
                doc = await transforms.apply(self.runtime, account, region, doc, names, values)
            except TemplateError as error:
                raise ValidationError(error.message) from None
            try:
                template.check(doc)
            except TemplateError as error:
                raise ValidationError(error.message) from None
        try:
            from . import graph

            graph.dependencies(doc)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        return doc

    async def validate_template(
        self, account: str, region: str, host: str, body: str | None, url: str | None
    ) -> dict[str, Any]:
        _, doc = await self.load_template(account, region, host, body, url)
        try:
            template.check(doc)
            if not template.transforms(doc):
                from . import graph

                graph.dependencies(doc)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        out: dict[str, Any] = {
            "Parameters": template.parameter_declarations(doc),
            "Capabilities": template.capabilities(doc),
            "DeclaredTransforms": template.transforms(doc),
        }
        if "Description" in doc:
            out["Description"] = doc["Description"]
        if out["Capabilities"]:
            out["CapabilitiesReason"] = template.summary(doc).get("CapabilitiesReason", "")
        return out

    async def get_template_summary(
        self, account: str, region: str, host: str, body: str | None, url: str | None, stack_name: str | None
    ) -> dict[str, Any]:
        if stack_name is not None:
            stack = await self._stack(account, region, stack_name)
            doc = await self.parse(stack.doc.get("original") or "{}")
        else:
            _, doc = await self.load_template(account, region, host, body, url)
        try:
            template.check(doc)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        return template.summary(doc)

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

    def _check_capabilities(self, doc: dict[str, Any], given: list[str], original: dict[str, Any]) -> None:
        needed = template.capabilities(doc)
        if needed == ["CAPABILITY_NAMED_IAM"] and "CAPABILITY_NAMED_IAM" not in given:
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_NAMED_IAM]")
        if needed == ["CAPABILITY_IAM"] and not {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(given):
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_IAM]")

    async def prepare(
        self,
        account: str,
        region: str,
        host: str,
        body: str | None,
        url: str | None,
        given: list[dict[str, Any]],
        previous: dict[str, str] | None,
        use_previous: str | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(original text, processed template, parameter values) of a stack operation; ValidationError otherwise."""
        if use_previous is not None:
            text = use_previous
            doc = await self.parse(text)
        else:
            text, doc = await self.load_template(account, region, host, body, url)
        processed = await self.processed(account, region, doc, given)
        try:
            values = parameters.resolve(processed.get("Parameters") or {}, given, previous)
            scope = intrinsics.Scope(
                account, region, "", "", parameters=parameters.typed(processed.get("Parameters") or {}, values)
            )
            rules.check(processed, scope)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        return text, processed, values

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
        text, doc, values = await self.prepare(account, region, host, body, url, given, None)
        raw = await self.parse(text)
        if template.transforms(raw) and "CAPABILITY_AUTO_EXPAND" not in capabilities:
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
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
        text, doc, values = await self.prepare(
            account, region, host, body, url, given, stack.doc.get("parameters") or {}, previous_text
        )
        raw = await self.parse(text)
        caps = capabilities if capabilities is not None else []
        if template.transforms(raw) and "CAPABILITY_AUTO_EXPAND" not in caps:
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
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

    async def policy_text(self, account: str, region: str, host: str, body: str | None, url: str | None) -> str | None:
        """A stack policy given as a body or an S3 URL, checked; None when neither is given."""
        if body is not None and url is not None:
            raise ValidationError("You cannot specify both StackPolicyURL and StackPolicyBody")
        text = body if body is not None else (await self._fetch(account, region, host, url) if url else None)
        if text is None:
            return None
        try:
            policy.parse(text)
        except TemplateError as error:
            raise ValidationError(error.message) from None
        return text

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
            return {"Stacks": [self.describe(await self._stack(account, region, name))]}
        found = [s for s in await self.store.read(lambda tx: store.stacks(tx, account, region, None))]
        start = _page_start(token)
        out: dict[str, Any] = {"Stacks": [self.describe(s) for s in found[start : start + PAGE]]}
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

    async def _resources(self, stack: Stack) -> list[store.Resource]:
        return await self.store.read(lambda tx: store.resources(tx, stack.stack_id))

    def _resource(self, stack: Stack, r: store.Resource, detail: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "LogicalResourceId": r.logical_id,
            "ResourceType": r.type,
            "ResourceStatus": r.status,
            "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"},
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
        for r in await self._resources(stack):
            if r.logical_id == logical:
                out = self._resource(stack, r, False)
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
        rows = await self._resources(stack)
        return [
            self._resource(stack, r, True)
            for r in rows
            if (logical is None or r.logical_id == logical) and (physical is None or r.physical_id == physical)
        ]

    async def list_stack_resources(self, account: str, region: str, name: str, token: str | None) -> dict[str, Any]:
        stack = await self._stack(account, region, name)
        rows = await self._resources(stack)
        start = _page_start(token)
        out: dict[str, Any] = {
            "StackResourceSummaries": [self._resource(stack, r, False) for r in rows[start : start + PAGE]]
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

    def signals(self, host: str) -> WaitSignals:
        return WaitSignals(self, host)

    async def signal(self, token: str, body: bytes) -> bool:
        """A signal PUT to a wait condition handle's URL: {"Status", "UniqueId", "Data", "Reason"}."""
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return False
        if not isinstance(doc, dict) or doc.get("Status") not in ("SUCCESS", "FAILURE"):
            return False
        unique = str(doc.get("UniqueId", ""))[:1024]
        text = json.dumps(doc)[:65536]
        await self.store.write(lambda tx: store.put_signal(tx, token, unique, text, self.clock.now()))
        return True

    # --- custom resources ---------------------------------------------------------------------------------------

    def _responded(self, token: str) -> None:
        event = self._responses.get(token)
        if event is not None:
            event.set()

    async def respond(self, token: str, body: bytes) -> bool:
        text = body.decode("utf-8", "replace")
        return await self.store.write(lambda tx: store.record_response(tx, token, text))

    async def custom_request(self, run: engine.Run, service_token: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send a custom resource request to its Lambda function or SNS topic and wait for the response PUT to the
        response URL gureum serves; the response document."""
        token = secrets.token_urlsafe(24)
        request = {
            **request,
            "ResponseURL": f"http://{run.stack.doc.get('host', 'localhost')}/_gureum/cloudformation/responses/{token}",
            "StackId": run.stack.stack_id,
            "RequestId": str(uuid.uuid4()),
            "ServiceToken": service_token,
        }
        await self.store.write(lambda tx: store.expect_response(tx, token, self.clock.now()))
        event = self._responses[token] = asyncio.Event()
        try:
            payload = json.dumps(request)
            if service_token.startswith("arn:aws:sns:"):
                await run.aws("sns", "Publish", {"TopicArn": service_token, "Message": payload})
            else:
                await run.aws(
                    "lambda",
                    "Invoke",
                    {"FunctionName": service_token, "InvocationType": "Event", "Payload": payload.encode()},
                )
            deadline = self.clock.monotonic() + self.custom_timeout
            while True:
                body = await self.store.write(lambda tx: store.take_response(tx, token))
                if body is not None:
                    break
                left = deadline - self.clock.monotonic()
                if left <= 0:
                    raise ResourceFailure("Failed to receive a response from the custom resource within the timeout")
                try:
                    await asyncio.wait_for(event.wait(), min(left, 5.0))
                except TimeoutError:
                    pass
                event.clear()
        finally:
            self._responses.pop(token, None)
        try:
            doc = json.loads(body)
        except ValueError:
            raise ResourceFailure("Invalid response from the custom resource: not JSON") from None
        if not isinstance(doc, dict):
            raise ResourceFailure("Invalid response from the custom resource")
        return doc


class WaitSignals:
    """Wait condition handles of the stacks reached through ``host``."""

    PATH = "/_gureum/cloudformation/signals/"

    def __init__(self, be: CloudFormationBackend, host: str) -> None:
        self.be, self.host = be, host

    def url(self) -> str:
        return f"http://{self.host}{self.PATH}{secrets.token_urlsafe(24)}"

    async def read(self, url: str) -> list[dict[str, Any]]:
        token = url.rsplit("/", 1)[-1]
        bodies = await self.be.store.read(lambda tx: store.signals(tx, token))
        return [json.loads(b) for b in bodies]

    async def forget(self, url: str) -> None:
        token = url.rsplit("/", 1)[-1]
        await self.be.store.write(lambda tx: store.drop_signals(tx, token))


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
