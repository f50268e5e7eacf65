"""The stack driver: a stack operation is a sequence of durable states (the stack's status), each step bringing the
stack's resources to a template (converge), then moving to the next state. Every resource change is committed with
its event before and after the provider acts, so a node that restarts resumes the stack from its status (an
operation that was creating or updating rolls back; rollbacks, cleanups and deletions continue).

Resources are created and updated in dependency order, independent ones in parallel; deletions in the reverse
order. Providers act through AWS operations only (providers/, caller.AwsCaller)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import graph, intrinsics, parameters, store
from . import policy as policy_module
from .caller import AwsCaller, ServiceCallError
from .errors import ResourceFailure, TemplateError
from .macros import MacroRegistry
from .providers import PROVIDERS
from .providers.base import Context, Provider
from .store import Resource, Stack

if TYPE_CHECKING:
    from .backend import CloudFormationBackend

log = logging.getLogger("gureum.cloudformation")
STACK_TYPE = "AWS::CloudFormation::Stack"
STACK_TAGS = "@StackTags"  # kept with a resource's attributes: the stack's tags it carries (never a GetAtt)
OK = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
_GONE = ("NotFound", "NoSuch", "ResourceNotFoundException", "NonExistent")
# what evaluating a malformed template raises besides TemplateError
MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError)
# where a stack goes when a step fails unexpectedly: never left in progress
_ON_CRASH = {
    "CREATE_IN_PROGRESS": "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_IN_PROGRESS": "ROLLBACK_FAILED",
    "UPDATE_IN_PROGRESS": "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_IN_PROGRESS": "UPDATE_ROLLBACK_FAILED",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": "UPDATE_ROLLBACK_COMPLETE",
    "DELETE_IN_PROGRESS": "DELETE_FAILED",
}


def gone(error: BaseException) -> bool:
    """A delete's error that says the resource is already gone (deleted outside the stack, or with another)."""
    code = getattr(error, "code", "") or ""
    return isinstance(error, ServiceCallError) and (error.status == 404 or any(g in code for g in _GONE))


@dataclass
class Outcome:
    failed: list[str] = field(default_factory=list)
    reason: str | None = None


class Run:
    """One step of one stack: the stack, its resources as stored (kept in step with every write), the scope."""

    def __init__(self, be: CloudFormationBackend, stack: Stack, rows: list[Resource]) -> None:
        self.be, self.stack = be, stack
        self.rows = {r.logical_id: r for r in rows}
        doc = stack.doc
        self.aws = AwsCaller(be.runtime, stack.account, stack.region, doc.get("host", "localhost"), doc.get("role_arn"))
        self.exports: dict[str, tuple[str, str]] = {}
        self.imports: set[str] = set()
        # the stack policy updates are checked against (None: no policy, or a rollback, which AWS does not check)
        self.stack_policy: dict[str, Any] | None = None
        # TimeoutInMinutes' deadline of a create; why a converge stopped early ("timeout", "cancel")
        self.deadline: float | None = None
        self.stopped: str | None = None
        self.skip: set[str] = set()  # resources a continued update rollback leaves as they are
        # the stack's tags resources are brought to (an update rollback's: the tags before the update)
        self.tags: list[dict[str, str]] = list(doc.get("tags") or [])

    # --- durable writes ---------------------------------------------------------------------------------------

    def event(
        self,
        logical: str,
        kind: str,
        status: str,
        physical: str | None,
        reason: str | None = None,
        props: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "EventId": f"{logical}-{uuid.uuid4()}" if logical != self.stack.name else str(uuid.uuid4()),
            "Timestamp": self.be.clock.now(),
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "ResourceStatus": status,
            "PhysicalResourceId": physical or "",
        }
        if reason:
            event["ResourceStatusReason"] = reason
        if props is not None:
            event["ResourceProperties"] = json.dumps(props)
        return event

    async def record(
        self,
        row: Resource,
        reason: str | None = None,
        event_props: dict[str, Any] | None = None,
        event_status: str | None = None,
    ) -> None:
        """Store ``row`` and its event in one transaction."""
        row.updated_at = self.be.clock.now()
        row.reason = reason
        self.rows[row.logical_id] = row
        event = self.event(row.logical_id, row.type, event_status or row.status, row.physical_id, reason, event_props)
        stack_id = self.stack.stack_id

        def write(tx: Any) -> None:
            store.put_resource(tx, stack_id, row)
            store.add_event(tx, stack_id, event)

        await self.be.store.write(write)
        self.be.changed(stack_id)
        await self.notify(event)

    async def note(self, row: Resource, status: str, reason: str | None = None) -> None:
        """An event about ``row`` without changing it."""
        event = self.event(row.logical_id, row.type, status, row.physical_id, reason)
        await self.be.store.write(lambda tx: store.add_event(tx, self.stack.stack_id, event))
        await self.notify(event)

    async def forget(self, row: Resource, status: str, reason: str | None = None) -> None:
        self.rows.pop(row.logical_id, None)
        event = self.event(row.logical_id, row.type, status, row.physical_id, reason)
        stack_id = self.stack.stack_id

        def write(tx: Any) -> None:
            store.drop_resource(tx, stack_id, row.logical_id)
            store.add_event(tx, stack_id, event)

        await self.be.store.write(write)
        self.be.changed(stack_id)
        await self.notify(event)

    async def set_status(self, status: str, reason: str | None = None, **doc: Any) -> None:
        stack = self.stack
        event = self.event(stack.name, STACK_TYPE, status, stack.stack_id, reason)
        # a finished rollback keeps the reason it was started for (what DescribeStacks shows afterwards)
        keep = "ROLLBACK" in status and reason is None
        stack.status, stack.reason = status, stack.reason if keep else reason
        stack.doc.update(doc)
        if status == "DELETE_COMPLETE":
            stack.deleted_at = self.be.clock.now()

        def write(tx: Any) -> None:
            store.save_stack(tx, stack)
            store.add_event(tx, stack.stack_id, event)
            if status in ("DELETE_COMPLETE", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"):
                store.replace_exports(tx, stack.account, stack.region, stack.stack_id, {})

        await self.be.store.write(write)
        self.be.changed(stack.stack_id)
        await self.notify(event)

    async def notify(self, event: dict[str, Any]) -> None:
        """Publish the event to the stack's NotificationARNs (SNS topics) in CloudFormation's message format."""
        topics = self.stack.doc.get("notification_arns") or []
        if not topics:
            return
        when = dt.datetime.fromtimestamp(event["Timestamp"], dt.UTC)
        fields = {
            "StackId": self.stack.stack_id,
            "Timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "EventId": event["EventId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Namespace": self.stack.account,
            "PhysicalResourceId": event.get("PhysicalResourceId", ""),
            "ResourceProperties": event.get("ResourceProperties", "null"),
            "ResourceStatus": event["ResourceStatus"],
            "ResourceStatusReason": event.get("ResourceStatusReason", ""),
            "ResourceType": event["ResourceType"],
            "StackName": self.stack.name,
            "ClientRequestToken": "null",
        }
        message = "".join(f"{k}='{v}'\n" for k, v in fields.items())
        for topic in topics:
            try:
                await self.aws(
                    "sns",
                    "Publish",
                    {"TopicArn": topic, "Subject": "AWS CloudFormation Notification", "Message": message},
                )
            except ResourceFailure as error:  # AWS drops a notification it cannot deliver; the stack goes on
                log.warning("stack %s: notification to %s failed: %s", self.stack.name, topic, error.message)

    # --- scope ------------------------------------------------------------------------------------------------

    def scope(self, template: dict[str, Any], values: dict[str, str]) -> intrinsics.Scope:
        declared = template.get("Parameters") or {}
        scope = intrinsics.Scope(
            self.stack.account,
            self.stack.region,
            self.stack.name,
            self.stack.stack_id,
            parameters=parameters.typed(declared, values),
            mappings=template.get("Mappings") or {},
            notification_arns=list(self.stack.doc.get("notification_arns") or []),
        )
        resources = template.get("Resources") or {}

        def ref(name: str) -> Any:
            row = self.rows.get(name)
            if row is None or row.physical_id is None:
                if name in resources:
                    raise TemplateError(
                        f"Template error: resource {name} is not available (its condition is false "
                        "or it was not created)"
                    )
                return intrinsics._unknown(name)
            return row.attrs.get("Ref", row.physical_id)

        def attribute(name: str, attr: str) -> Any:
            row = self.rows.get(name)
            if row is None or row.physical_id is None:
                if name in resources:
                    raise TemplateError(f"Template error: resource {name} is not available for Fn::GetAtt")
                raise TemplateError(f"Template error: instance of Fn::GetAtt references undefined resource {name}")
            if attr not in row.attrs or attr == "Ref" or attr == STACK_TAGS:
                raise TemplateError(
                    f"Template error: resource {name} does not support attribute type {attr} in Fn::GetAtt"
                )
            return row.attrs[attr]

        def export(name: str) -> str:
            found = self.exports.get(name)
            if found is None:
                raise TemplateError(f"No export named {name} found.")
            self.imports.add(name)
            return found[0]

        scope.ref, scope.attribute, scope.export = ref, attribute, export
        intrinsics.evaluate_conditions(template.get("Conditions") or {}, scope)
        return scope

    def context(self, logical: str, kind: str, previous: list[dict[str, str]] | None = None) -> Context:
        """A provider's context; ``previous``: the stack's tags the resource carries when they are to change."""
        doc = self.stack.doc
        provider = PROVIDERS.get(kind)
        system = [] if provider is None or not provider.system_tags else self.system_tags(logical)
        return Context(
            self.aws,
            self.stack.account,
            self.stack.region,
            self.stack.name,
            self.stack.stack_id,
            logical,
            doc.get("host", "localhost"),
            self.tags + system,
            kind,
            sleep=asyncio.sleep,
            custom=self.custom,
            signals=self.be.signals(doc.get("host", "localhost")),
            previous_tags=None if previous is None else previous + system,
            macros=MacroRegistry(
                self.be.store, self.be.clock, self.stack.account, self.stack.region, self.stack.stack_id
            ),
        )

    def system_tags(self, logical: str) -> list[dict[str, str]]:
        """The tags CloudFormation adds to every resource it makes that takes tags."""
        return [
            {"Key": "aws:cloudformation:stack-name", "Value": self.stack.name},
            {"Key": "aws:cloudformation:stack-id", "Value": self.stack.stack_id},
            {"Key": "aws:cloudformation:logical-id", "Value": logical},
        ]

    async def custom(self, token_arn: str, request: dict[str, Any]) -> dict[str, Any]:
        return await self.be.custom_request(self, token_arn, request)

    # --- converge ---------------------------------------------------------------------------------------------

    async def converge(self, template: dict[str, Any], values: dict[str, str]) -> Outcome:
        """Create or update every resource ``template`` declares (whose condition holds) in dependency order."""
        self.exports = await self.be.store.read(lambda tx: store.exports(tx, self.stack.account, self.stack.region))
        outcome = Outcome()
        try:
            scope = self.scope(template, values)
            deps = graph.dependencies(template)
        except TemplateError as error:
            outcome.reason = error.message
            return outcome
        except MALFORMED as error:  # a template shaped as no template is: the stack's failure, not a crash
            outcome.reason = f"Template error: {type(error).__name__}: {error}"
            return outcome
        resources = template.get("Resources") or {}
        active = [n for n, r in resources.items() if _holds(r, scope)]
        done = {n: asyncio.Event() for n in active}
        failed: set[str] = set()

        async def one(logical: str) -> None:
            try:
                for dep in deps[logical]:
                    if dep in done:
                        await done[dep].wait()
                if failed or self.stopped is not None:
                    return  # an earlier failure, a timeout or a cancel: what has not started does not start
                if self.deadline is not None and self.be.clock.now() > self.deadline:
                    self.stopped = self.stopped or "timeout"
                    return
                if self.be.cancelled(self.stack.stack_id):
                    self.stopped = "cancel"
                    return
                try:
                    await self.apply(logical, resources[logical], scope, sorted(deps[logical] & set(active)))
                except (ResourceFailure, TemplateError) as error:
                    failed.add(logical)
                    outcome.failed.append(logical)
                    await self.fail(logical, resources[logical], error.message)
                except Exception as error:  # a provider's bug must fail the resource, not hang the stack
                    log.exception("stack %s: resource %s", self.stack.name, logical)
                    failed.add(logical)
                    outcome.failed.append(logical)
                    await self.fail(logical, resources[logical], f"Internal failure: {type(error).__name__}")
            finally:
                done[logical].set()

        await asyncio.gather(*(one(n) for n in active))
        return outcome

    async def fail(self, logical: str, decl: dict[str, Any], message: str) -> None:
        row = self.rows.get(logical)
        if row is None:
            row = Resource(logical, str(decl.get("Type")), None, "CREATE_FAILED", None, 0.0, {}, {}, [], {}, [])
        else:
            row.status = "CREATE_FAILED" if row.physical_id is None else "UPDATE_FAILED"
        await self.record(row, message)

    async def apply(self, logical: str, decl: dict[str, Any], scope: intrinsics.Scope, deps: list[str]) -> None:
        kind = str(decl.get("Type"))
        row = self.rows.get(logical)
        policy = {k: str(decl[k]) for k in ("DeletionPolicy", "UpdateReplacePolicy") if isinstance(decl.get(k), str)}
        provider: Provider | None = PROVIDERS.get(kind) or (PROVIDERS["Custom::"] if _custom(kind) else None)
        props = intrinsics.resolve(decl.get("Properties") or {}, scope)
        carried = self.tags if row is None else row.attrs.get(STACK_TAGS, self.tags)
        ctx = self.context(logical, kind, None if carried == self.tags else carried)
        if row is None or row.physical_id is None:
            row = Resource(logical, kind, None, "CREATE_IN_PROGRESS", None, 0.0, props, {}, deps, policy, [])
            await self.record(row, event_props=props)
            if provider is None:
                raise ResourceFailure(f"Resource type {kind} is not supported by gureum")
            created = await provider.create(ctx, props)
            row.physical_id, row.status = created.physical_id, "CREATE_COMPLETE"
            row.attrs = {**created.attributes, STACK_TAGS: self.tags}
            await self.record(row)
            return
        if logical in self.skip and row.physical_id is not None:  # ContinueUpdateRollback's ResourcesToSkip
            row.props, row.deps, row.policy, row.status = props, deps, policy, "UPDATE_COMPLETE"
            await self.record(row, "Resource skipped during UPDATE_ROLLBACK")
            return
        retag = carried != self.tags and provider is not None and provider.tags_in_place
        if row.type == kind and row.props == props and row.status in OK and not retag:
            if row.deps != deps or row.policy != policy or carried != self.tags:
                row.deps, row.policy = deps, policy
                row.attrs = {**row.attrs, STACK_TAGS: self.tags}
                await self.be.store.write(lambda tx: store.put_resource(tx, self.stack.stack_id, row))
            return
        if provider is None:
            raise ResourceFailure(f"Resource type {kind} is not supported by gureum")
        old_props = row.props
        row.deps, row.policy = deps, policy
        replacing = row.type != kind or provider.needs_replacement(old_props, props)
        denied = policy_module.denial(
            self.stack_policy, "Update:Replace" if replacing else "Update:Modify", logical, kind
        )
        if denied:
            raise ResourceFailure(denied)
        if replacing:
            name = provider.name_property
            if name and props.get(name) is not None and props.get(name) == old_props.get(name) and row.type == kind:
                raise ResourceFailure(
                    f"CloudFormation cannot update a stack when a custom-named resource requires "
                    f"replacing. Rename {props.get(name)} and update the stack again."
                )
            row.status = "UPDATE_IN_PROGRESS"
            await self.record(
                row, "Requested update requires the creation of a new physical resource; hence creating one.", props
            )
            kept = next((r for r in row.retired if r["props"] == props and r.get("type", kind) == kind), None)
            current = {"physical_id": row.physical_id, "props": old_props, "attrs": row.attrs, "type": row.type}
            if kept is not None:  # a rollback: the resource this one replaced is still there
                row.retired = [r for r in row.retired if r is not kept] + [current]
                row.physical_id, row.attrs = kept["physical_id"], kept["attrs"]
            else:
                created = await provider.create(self.context(logical, kind), props)
                row.retired = [*row.retired, current]
                row.physical_id, row.attrs = created.physical_id, {**created.attributes, STACK_TAGS: self.tags}
            row.type, row.props, row.status = kind, props, "UPDATE_COMPLETE"
            await self.record(row)
            return
        row.status = "UPDATE_IN_PROGRESS"
        await self.record(row, event_props=props)
        row.props = props  # a failure leaves the attempted properties: a rollback updates back from them
        changed = await provider.update(ctx, str(row.physical_id), old_props, props, row.attrs)
        row.attrs = {**row.attrs, **changed, STACK_TAGS: self.tags}
        row.status = "UPDATE_COMPLETE"
        await self.record(row)

    # --- deletion ---------------------------------------------------------------------------------------------

    async def remove(self, keep: set[str]) -> list[str]:
        """Delete the replaced physical resources and every resource not in ``keep`` (dependents first); the
        logical ids that failed to delete."""
        failures: list[str] = []
        await asyncio.gather(*(self._retire(row, failures) for row in list(self.rows.values()) if row.retired))
        doomed = {n: r for n, r in self.rows.items() if n not in keep}
        done = {n: asyncio.Event() for n in doomed}

        async def one(row: Resource) -> None:
            try:
                for other in doomed.values():
                    if row.logical_id in other.deps and other.logical_id != row.logical_id:
                        await done[other.logical_id].wait()
                await self._delete(row, failures)
            finally:
                done[row.logical_id].set()

        await asyncio.gather(*(one(r) for r in doomed.values()))
        return failures

    async def _retire(self, row: Resource, failures: list[str]) -> None:
        provider = PROVIDERS.get(row.type) or (PROVIDERS["Custom::"] if _custom(row.type) else None)
        left = []
        for old in row.retired:
            if row.policy.get("UpdateReplacePolicy") == "Retain" or provider is None:
                continue
            try:
                await provider.delete(
                    self.context(row.logical_id, row.type), old["physical_id"], old["props"], old["attrs"]
                )
            except (ResourceFailure, TemplateError) as error:
                if not gone(error):
                    left.append(old)
                    failures.append(row.logical_id)
                    await self.note(row, "DELETE_FAILED", getattr(error, "message", str(error)))
        row.retired = left
        await self.be.store.write(lambda tx: store.put_resource(tx, self.stack.stack_id, row))

    async def _delete(self, row: Resource, failures: list[str]) -> None:
        if row.physical_id is None:
            await self.forget(row, "DELETE_COMPLETE")
            return
        retained = ("Retain",) if self.stack.status == "ROLLBACK_IN_PROGRESS" else ("Retain", "RetainExceptOnCreate")
        if row.policy.get("DeletionPolicy") in retained:  # RetainExceptOnCreate: deleted when its create rolls back
            await self.forget(row, "DELETE_SKIPPED")
            return
        provider = PROVIDERS.get(row.type) or (PROVIDERS["Custom::"] if _custom(row.type) else None)
        row.status = "DELETE_IN_PROGRESS"
        await self.record(row)
        try:
            if provider is not None:
                await provider.delete(self.context(row.logical_id, row.type), row.physical_id, row.props, row.attrs)
        except (ResourceFailure, TemplateError) as error:
            if not gone(error):
                failures.append(row.logical_id)
                row.status = "DELETE_FAILED"
                await self.record(row, getattr(error, "message", str(error)))
                return
        except Exception as error:
            log.exception("stack %s: deleting %s", self.stack.name, row.logical_id)
            failures.append(row.logical_id)
            row.status = "DELETE_FAILED"
            await self.record(row, f"Internal failure: {type(error).__name__}")
            return
        await self.forget(row, "DELETE_COMPLETE")

    # --- outputs ----------------------------------------------------------------------------------------------

    async def outputs(self, template: dict[str, Any], values: dict[str, str]) -> str | None:
        """Evaluate the outputs and make the exports; a failure's reason, else None."""
        try:
            scope = self.scope(template, values)
            outputs, exported = [], {}
            for key, output in (template.get("Outputs") or {}).items():
                if not _holds(output, scope):
                    continue
                value = intrinsics.resolve(output.get("Value"), scope)
                if value is intrinsics.NO_VALUE:
                    continue
                entry = {"OutputKey": key, "OutputValue": _output_text(value)}
                if "Description" in output:
                    entry["Description"] = str(output["Description"])
                if isinstance(output.get("Export"), dict) and "Name" in output["Export"]:
                    name = intrinsics.text(intrinsics.resolve(output["Export"]["Name"], scope))
                    entry["ExportName"] = name
                    exported[name] = entry["OutputValue"]
                outputs.append(entry)
        except TemplateError as error:
            return error.message
        except MALFORMED as error:
            return f"Template error: {type(error).__name__}: {error}"
        stack = self.stack
        before = {n for n, (_, owner) in self.exports.items() if owner == stack.stack_id}
        for name in sorted(before - set(exported)):
            users = await self.be.store.read(
                functools.partial(store.importers, account=stack.account, region=stack.region, name=name)
            )
            users = [u for u in users if u != stack.name]
            if users:
                return f"Cannot delete export {name} as it is in use by {', '.join(users)}."
        taken = await self.be.store.write(
            lambda tx: store.replace_exports(tx, stack.account, stack.region, stack.stack_id, exported)
        )
        if taken is not None:
            owner = self.exports.get(taken, ("", ""))[1]
            owner = owner.split("/")[1] if "/" in owner else owner
            return f"Export with name {taken} is already exported by stack {owner}"
        stack.doc["outputs"] = outputs
        stack.doc["imports"] = sorted(self.imports)
        return None


def _custom(kind: str) -> bool:
    return kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"


def _holds(declaration: Any, scope: intrinsics.Scope) -> bool:
    name = declaration.get("Condition") if isinstance(declaration, dict) else None
    return True if name is None else intrinsics.condition(name, scope)


def _output_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(intrinsics.text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return intrinsics.text(value)


# --- the state machine ----------------------------------------------------------------------------------------


def _failed_reason(verb: str, names: list[str]) -> str:
    return f"The following resource(s) failed to {verb}: [{', '.join(sorted(names))}]. "


async def step(be: CloudFormationBackend, stack: Stack) -> None:
    """Take the stack from its current (in progress) status to the next one."""
    rows = await be.store.read(lambda tx: store.resources(tx, stack.stack_id))
    run = Run(be, stack, rows)
    doc = stack.doc
    status = stack.status
    target = doc.get("target") or {}
    previous = doc.get("previous") or {}
    if status in ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"):
        creating = status == "CREATE_IN_PROGRESS"
        during = doc.get("policy_during_update") or doc.get("stack_policy")
        run.stack_policy = None if creating or not during else policy_module.parse(during)
        if creating and doc.get("timeout"):
            run.deadline = stack.created_at + 60.0 * float(doc["timeout"])
        removal = _removal_denied(run, target.get("template") or {}, target.get("parameters") or {})
        outcome = (
            Outcome(reason=removal)
            if removal
            else await run.converge(target.get("template") or {}, target.get("parameters") or {})
        )
        reason = outcome.reason
        if run.stopped == "timeout":
            reason = "Create stack timed out. "
        elif run.stopped == "cancel":
            reason = "User Initiated"
        elif outcome.failed:
            reason = _failed_reason("create" if creating else "update", outcome.failed)
        if reason is None:
            reason = await run.outputs(target.get("template") or {}, target.get("parameters") or {})
        if reason is None:
            if creating:
                await run.set_status(
                    "CREATE_COMPLETE",
                    template=target.get("template"),
                    parameters=target.get("parameters"),
                    original=target.get("original"),
                )
            else:
                await run.set_status(
                    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                    template=target.get("template"),
                    parameters=target.get("parameters"),
                    original=target.get("original"),
                )
            return
        if run.stopped == "cancel":  # CancelUpdateStack: rolled back whatever DisableRollback says
            be.cancel_done(stack.stack_id)
            await run.set_status("UPDATE_ROLLBACK_IN_PROGRESS", reason)
        elif creating and doc.get("delete_on_failure"):
            await run.set_status("DELETE_IN_PROGRESS", reason)
        elif doc.get("disable_rollback"):
            await run.set_status("CREATE_FAILED" if creating else "UPDATE_FAILED", reason)
        elif creating:
            suffix = "Rollback requested by user." if outcome.failed else ""
            await run.set_status("ROLLBACK_IN_PROGRESS", reason + suffix)
        else:
            await run.set_status("UPDATE_ROLLBACK_IN_PROGRESS", reason)
        return
    if status == "ROLLBACK_IN_PROGRESS":
        failures = await run.remove(set())
        await run.set_status(
            "ROLLBACK_FAILED" if failures else "ROLLBACK_COMPLETE",
            _failed_reason("delete", failures) if failures else None,
        )
        return
    if status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
        template, values = doc.get("template") or {}, doc.get("parameters") or {}
        await run.remove(_active(run, template, values))
        await run.set_status("UPDATE_COMPLETE", target=None, previous=None, policy_during_update=None)
        return
    if status == "UPDATE_ROLLBACK_IN_PROGRESS":
        template, values = previous.get("template") or {}, previous.get("parameters") or {}
        run.skip = set(doc.get("rollback_skip") or [])
        if previous.get("tags") is not None:
            run.tags = list(previous["tags"])
        outcome = await run.converge(template, values)
        if outcome.failed or outcome.reason:
            await run.set_status("UPDATE_ROLLBACK_FAILED", outcome.reason or _failed_reason("update", outcome.failed))
            return
        await run.outputs(template, values)
        await run.set_status(
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            template=template,
            parameters=values,
            original=previous.get("original"),
            tags=run.tags,
        )
        return
    if status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
        template, values = doc.get("template") or {}, doc.get("parameters") or {}
        await run.remove(_active(run, template, values))
        await run.set_status(
            "UPDATE_ROLLBACK_COMPLETE", target=None, previous=None, policy_during_update=None, rollback_skip=None
        )
        return
    if status == "DELETE_IN_PROGRESS":
        mine = {
            n
            for n, (_, owner) in (
                await be.store.read(lambda tx: store.exports(tx, stack.account, stack.region))
            ).items()
            if owner == stack.stack_id
        }
        for name in sorted(mine):
            users = await be.store.read(
                functools.partial(store.importers, account=stack.account, region=stack.region, name=name)
            )
            users = [u for u in users if u != stack.name]
            if users:
                await run.set_status(
                    "DELETE_FAILED", f"Export {name} cannot be deleted as it is in use by {', '.join(users)}"
                )
                return
        retain = set(doc.get("retain_resources") or [])
        for row in list(run.rows.values()):
            if row.logical_id in retain:
                row.policy = {**row.policy, "DeletionPolicy": "Retain"}
        failures = await run.remove(set())
        if failures:
            await run.set_status("DELETE_FAILED", _failed_reason("delete", failures))
        else:
            await run.set_status("DELETE_COMPLETE")
        return
    raise RuntimeError(f"no step from {status}")


def _removal_denied(run: Run, template: dict[str, Any], values: dict[str, str]) -> str | None:
    """Why the stack policy denies removing a resource the update would remove, or None."""
    if run.stack_policy is None:
        return None
    keep = _active(run, template, values)
    for row in run.rows.values():
        if row.logical_id not in keep and row.physical_id is not None:
            denied = policy_module.denial(run.stack_policy, "Update:Delete", row.logical_id, row.type)
            if denied:
                return denied
    return None


def _active(run: Run, template: dict[str, Any], values: dict[str, str]) -> set[str]:
    try:
        scope = run.scope(template, values)
    except TemplateError:
        return set(template.get("Resources") or {})
    return {n for n, r in (template.get("Resources") or {}).items() if _holds(r, scope)}


async def drive(be: CloudFormationBackend, stack_id: str, on_step: Callable[[], Awaitable[None]] | None = None) -> None:
    """Step the stack until its status is no longer in progress."""
    while True:
        stack = await be.store.read(lambda tx: store.stack_by_id(tx, stack_id))
        if stack is None or not stack.status.endswith("_IN_PROGRESS") or stack.status == "REVIEW_IN_PROGRESS":
            return
        try:
            await step(be, stack)
        except Exception as error:
            log.exception("stack %s: step from %s failed", stack.name, stack.status)
            rows = await be.store.read(lambda tx: store.resources(tx, stack_id))
            await Run(be, stack, rows).set_status(
                _ON_CRASH.get(stack.status, "ROLLBACK_FAILED"), f"Internal failure: {type(error).__name__}"
            )
        if on_step is not None:
            await on_step()
