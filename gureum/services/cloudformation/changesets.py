"""Change sets: CREATE (the stack is made REVIEW_IN_PROGRESS until the set runs) and UPDATE; the changes a set
would make, computed by comparing the new template's resources with the stack's (Add, Modify with Replacement
True/False/Conditional, Remove); ExecuteChangeSet runs it as CreateStack/UpdateStack would. IMPORT is refused."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from . import store, template
from .errors import (
    AlreadyExistsException,
    ChangeSetNotFoundException,
    InvalidChangeSetStatusException,
    ValidationError,
)
from .providers import PROVIDERS
from .store import Stack

if TYPE_CHECKING:
    from .backend import CloudFormationBackend


async def find(be: CloudFormationBackend, account: str, region: str, name: str, stack: str | None) -> dict[str, Any]:
    if name.startswith("arn:"):
        cs = await be.store.read(lambda tx: store.change_set(tx, name))
        if cs is not None and f":{region}:{account}:" in cs["arn"]:
            return cs
    elif stack is not None:
        try:
            owner = await be._stack(account, region, stack)
        except ValidationError:
            raise ChangeSetNotFoundException(f"ChangeSet [{name}] does not exist") from None
        cs = await be.store.read(lambda tx: store.change_set_named(tx, owner.stack_id, name))
        if cs is not None:
            return cs
    else:
        raise ValidationError("StackName must be specified if ChangeSetName is not specified as an ARN.")
    raise ChangeSetNotFoundException(f"ChangeSet [{name}] does not exist")


def _changes(
    stack: Stack | None, rows: list[store.Resource], doc: dict[str, Any], retag: bool = False
) -> list[dict[str, Any]]:
    """What executing would do to each resource (static: properties that depend on other resources' new values
    count as possibly changed); ``retag``: the stack's tags change, which reaches the resources that take them."""
    current = {r.logical_id: r for r in rows if r.physical_id is not None}
    old = ((stack.doc.get("template") or {}).get("Resources") or {}) if stack else {}
    new = doc.get("Resources") or {}
    out = []
    for logical, decl in new.items():
        kind = str(decl.get("Type"))
        row = current.get(logical)
        change: dict[str, Any] = {
            "Action": "Add",
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "Scope": [],
            "Details": [],
        }
        if row is not None:
            before = old.get(logical) or {}
            provider = PROVIDERS.get(kind)
            tags = retag and provider is not None and provider.tags_in_place and row.type == kind
            if before == decl and not tags:
                continue
            change.update(Action="Modify", PhysicalResourceId=row.physical_id)
            props_old, props_new = before.get("Properties") or {}, decl.get("Properties") or {}
            changed = sorted(k for k in set(props_old) | set(props_new) if props_old.get(k) != props_new.get(k))
            replaces = row.type != kind or (
                provider is not None and (not provider.updatable or bool(set(changed) & provider.replace))
            )
            change["Replacement"] = "True" if replaces else "False"
            change["Scope"] = (["Properties"] if changed else []) + (["Tags"] if tags else [])
            change["Details"] = [
                {
                    "Target": {
                        "Attribute": "Properties",
                        "Name": k,
                        "RequiresRecreation": "Always"
                        if provider and (not provider.updatable or k in provider.replace)
                        else "Never",
                    },
                    "Evaluation": "Static",
                    "ChangeSource": "DirectModification",
                }
                for k in changed
            ]
            if tags:
                change["Details"].append(
                    {
                        "Target": {"Attribute": "Tags", "RequiresRecreation": "Never"},
                        "Evaluation": "Static",
                        "ChangeSource": "DirectModification",
                    }
                )
        out.append({"Type": "Resource", "ResourceChange": change})
    for logical, row in current.items():
        if logical not in new:
            out.append(
                {
                    "Type": "Resource",
                    "ResourceChange": {
                        "Action": "Remove",
                        "LogicalResourceId": logical,
                        "PhysicalResourceId": row.physical_id,
                        "ResourceType": row.type,
                        "Scope": [],
                        "Details": [],
                    },
                }
            )
    return out


async def create(
    be: CloudFormationBackend, account: str, region: str, host: str, req: dict[str, Any]
) -> dict[str, str]:
    name, stack_name = str(req["ChangeSetName"]), str(req["StackName"])
    kind = req.get("ChangeSetType") or "UPDATE"
    if kind == "CREATE":
        template.check_stack_name(stack_name)
    if kind == "IMPORT":
        raise ValidationError("ChangeSetType IMPORT is not supported by gureum: resources cannot be imported")
    existing = await be.store.read(lambda tx: store.live_stack(tx, account, region, stack_name))
    if kind == "CREATE" and existing is not None and existing.status != "REVIEW_IN_PROGRESS":
        raise AlreadyExistsException(
            f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [" + name + "]."
        )
    if kind == "UPDATE":
        if existing is None:
            raise ValidationError(f"Stack [{stack_name}] does not exist")
        if existing.status == "REVIEW_IN_PROGRESS":
            raise ValidationError(f"Stack [{stack_name}] does not exist")
    given = list(req.get("Parameters") or [])
    previous = (existing.doc.get("parameters") or {}) if existing else None
    use_previous = existing.doc.get("original") if existing and req.get("UsePreviousTemplate") else None
    text, doc, values = await be.prepare(
        account, region, host, req.get("TemplateBody"), req.get("TemplateURL"), given, previous, use_previous
    )
    caps = list(req.get("Capabilities") or [])
    be._check_capabilities(doc, caps, await be.parse(text))
    now = be.clock.now()
    if existing is None:
        stack_id = f"arn:aws:cloudformation:{region}:{account}:stack/{stack_name}/{uuid.uuid4()}"
        stack = Stack(
            stack_id,
            account,
            region,
            stack_name,
            "REVIEW_IN_PROGRESS",
            "User Initiated",
            now,
            None,
            None,
            {
                "host": host,
                "capabilities": caps,
                "tags": list(req.get("Tags") or []),
                "template": {},
                "parameters": {},
                "original": "",
                "outputs": [],
                "declared": {},
                "description": doc.get("Description"),
            },
        )
        event = {
            "EventId": str(uuid.uuid4()),
            "Timestamp": now,
            "LogicalResourceId": stack_name,
            "ResourceType": "AWS::CloudFormation::Stack",
            "ResourceStatus": "REVIEW_IN_PROGRESS",
            "PhysicalResourceId": stack_id,
            "ResourceStatusReason": "User Initiated",
        }

        def write(tx: Any) -> None:
            store.insert_stack(tx, stack)
            store.add_event(tx, stack_id, event)

        await be.store.write(write)
        rows: list[store.Resource] = []
    else:
        stack = existing
        rows = await be.store.read(lambda tx: store.resources(tx, stack.stack_id))
    taken = await be.store.read(lambda tx: store.change_set_named(tx, stack.stack_id, name))
    if taken is not None:
        raise AlreadyExistsException(f"ChangeSet {name} already exists")
    arn = f"arn:aws:cloudformation:{region}:{account}:changeSet/{name}/{uuid.uuid4()}"
    updating = existing if existing and existing.status != "REVIEW_IN_PROGRESS" else None
    retag = updating is not None and req.get("Tags") is not None and req["Tags"] != (updating.doc.get("tags") or [])
    changes = _changes(updating, rows, doc, retag)
    same = (
        existing is not None
        and doc == existing.doc.get("template")
        and values == existing.doc.get("parameters")
        and not retag
    )
    declared = doc.get("Parameters") or {}
    cs = {
        "arn": arn,
        "stack_id": stack.stack_id,
        "name": name,
        "created_at": now,
        "status": "FAILED" if same and kind == "UPDATE" else "CREATE_COMPLETE",
        "execution_status": "UNAVAILABLE" if same and kind == "UPDATE" else "AVAILABLE",
        "type": kind,
        "template": doc,
        "original": text,
        "parameters": values,
        "declared": declared,
        "capabilities": caps,
        "tags": req.get("Tags"),
        "description": req.get("Description"),
        "role_arn": req.get("RoleARN"),
        "notification_arns": req.get("NotificationARNs"),
        "changes": changes,
        "host": host,
    }
    if same and kind == "UPDATE":
        cs["reason"] = (
            "The submitted information didn't contain changes. Submit different information to create a change set."
        )
    await be.store.write(lambda tx: store.put_change_set(tx, cs))
    return {"Id": arn, "StackId": stack.stack_id}


def describe(be: CloudFormationBackend, cs: dict[str, Any], stack: Stack) -> dict[str, Any]:
    from . import parameters

    out: dict[str, Any] = {
        "ChangeSetName": cs["name"],
        "ChangeSetId": cs["arn"],
        "StackId": stack.stack_id,
        "StackName": stack.name,
        "CreationTime": cs["created_at"],
        "ExecutionStatus": cs["execution_status"],
        "Status": cs["status"],
        "Changes": cs["changes"],
        "Capabilities": cs["capabilities"],
        "NotificationARNs": cs.get("notification_arns") or [],
        "Tags": cs.get("tags") or [],
        "Parameters": parameters.described(cs.get("declared") or {}, cs.get("parameters") or {}),
        "IncludeNestedStacks": False,
    }
    if cs.get("description"):
        out["Description"] = cs["description"]
    if cs.get("reason"):
        out["StatusReason"] = cs["reason"]
    return out


async def execute(be: CloudFormationBackend, account: str, region: str, name: str, stack_name: str | None) -> None:
    cs = await find(be, account, region, name, stack_name)
    stack = await be.store.read(lambda tx: store.stack_by_id(tx, cs["stack_id"]))
    if stack is None or stack.deleted_at is not None:
        raise ChangeSetNotFoundException(f"ChangeSet [{name}] does not exist")
    if cs["execution_status"] != "AVAILABLE":
        raise InvalidChangeSetStatusException(
            f"ChangeSet [{cs['arn']}] cannot be executed in its current status of [{cs['status']}]"
        )
    if cs["type"] == "UPDATE":
        be._check_updatable(stack)
    cs["execution_status"] = "EXECUTE_IN_PROGRESS"

    def begin(tx: Any) -> None:
        store.put_change_set(tx, cs)
        store.drop_change_sets(tx, stack.stack_id, cs["arn"])

    await be.store.write(begin)
    host = cs.get("host") or stack.doc.get("host", "localhost")
    if cs["type"] == "CREATE":
        stack.doc.update(
            {
                "host": host,
                "role_arn": cs.get("role_arn"),
                "capabilities": cs["capabilities"],
                "tags": cs.get("tags") or [],
                "disable_rollback": False,
                "notification_arns": cs.get("notification_arns") or [],
                "description": cs["template"].get("Description"),
                "declared": cs.get("declared") or {},
                "change_set_id": cs["arn"],
                "target": {"template": cs["template"], "parameters": cs["parameters"], "original": cs["original"]},
                "template": cs["template"],
                "parameters": cs["parameters"],
                "original": cs["original"],
            }
        )
        await be._transition(stack, "CREATE_IN_PROGRESS", "User Initiated")
        await be.start_driving(stack.stack_id, force=True)
    else:
        await be._begin_update(
            stack,
            host,
            cs["original"],
            cs["template"],
            cs["parameters"],
            cs["capabilities"],
            cs["tags"] if cs.get("tags") is not None else stack.doc.get("tags") or [],
            cs.get("role_arn"),
            None,
            cs.get("notification_arns"),
            cs["arn"],
        )
    cs["execution_status"] = "EXECUTE_COMPLETE"
    await be.store.write(lambda tx: store.put_change_set(tx, cs))


async def delete(be: CloudFormationBackend, account: str, region: str, name: str, stack_name: str | None) -> None:
    cs = await find(be, account, region, name, stack_name)
    if cs["execution_status"] == "EXECUTE_IN_PROGRESS":
        raise InvalidChangeSetStatusException(f"ChangeSet [{cs['arn']}] cannot be deleted while it is executing")
    await be.store.write(lambda tx: store.drop_change_set(tx, cs["arn"]))
