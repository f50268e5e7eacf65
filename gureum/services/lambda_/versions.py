"""A function's life in the store, as transaction bodies: create $LATEST, update its code or configuration (both
answered InProgress and finished by an activation), publish numbered versions, delete one version or the whole
function (with what belongs to it), its tags and reserved concurrency. No HTTP, no processes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ...store.base import Tx
from . import store, store_configs
from .errors import conflict, function_not_found, invalid, revision_mismatch
from .functions import LATEST, Function, check_name, check_settings, function_arn
from .layers import resolve_layers
from .limits import CONCURRENT_EXECUTIONS, MIN_UNRESERVED
from .packages import refuse_image
from .runtimes import check_runtime

_MANDATORY = "Runtime and Handler are mandatory parameters for functions created with Zip packages."
# UpdateFunctionConfiguration's members → Function attributes they set as given
_PLAIN_SETTINGS = (
    ("Runtime", "runtime"),
    ("Role", "role"),
    ("Handler", "handler"),
    ("Description", "description"),
    ("Timeout", "timeout"),
    ("MemorySize", "memory"),
)
# what makes $LATEST differ from a published version (PublishVersion publishes nothing new when none differs)
_PUBLISHED = (
    "runtime",
    "role",
    "handler",
    "code_sha",
    "timeout",
    "memory",
    "environment",
    "ephemeral_storage",
    "layers",
    "tracing",
)


# an update under way, as AWS words it (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html)
_IN_PROGRESS = {
    "last_update_status": "InProgress",
    "last_update_reason": "The function is being created.",
    "last_update_reason_code": "Creating",
}


def busy(arn: str) -> Exception:
    return conflict(f"The operation cannot be performed at this time. An update is in progress for resource: {arn}")


def check_create(name: str, settings: dict[str, Any]) -> None:
    """CreateFunction's checks of its members, before the code is looked at."""
    check_name(name)
    if settings.get("PackageType") == "Image":
        refuse_image((settings.get("Code") or {}).get("ImageUri") or "(none given)")
    runtime = settings.get("Runtime")
    if not runtime:
        raise invalid(_MANDATORY)
    if not settings.get("Handler") and not runtime.startswith("provided"):
        raise invalid(_MANDATORY)
    check_settings(settings)
    check_runtime(runtime)


def new_function(
    account: str, region: str, name: str, settings: dict[str, Any], code_sha: str, code_size: int, now: float
) -> Function:
    """$LATEST as CreateFunction makes it: Pending until its code is unpacked."""
    return Function(
        account, region, name, LATEST, settings["Runtime"], settings["Role"], settings.get("Handler") or "bootstrap",
        code_sha, code_size,
        description=settings.get("Description") or "",
        timeout=settings.get("Timeout") or 3,
        memory=settings.get("MemorySize") or 128,
        environment=dict((settings.get("Environment") or {}).get("Variables") or {}),
        architectures=tuple(settings.get("Architectures") or ("x86_64",)),
        ephemeral_storage=(settings.get("EphemeralStorage") or {}).get("Size") or 512,
        dead_letter_arn=(settings.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        logging=dict(settings["LoggingConfig"]) if settings.get("LoggingConfig") else None,
        tracing=(settings.get("TracingConfig") or {}).get("Mode") or "PassThrough",
        state="Pending", state_reason="The function is being created.", state_reason_code="Creating",
    ).revised(now)  # fmt: skip


def create(tx: Tx, fn: Function, zip_bytes: bytes, layers: list[str], tags: dict[str, str]) -> Function | None:
    """Store the code and $LATEST; None when the name is taken (the code stays stored, unused until collected)."""
    created = replace(fn, layers=resolve_layers(tx, layers, fn.account))
    store.put_code(tx, fn.account, fn.code_sha, zip_bytes)
    return created if store.insert_function(tx, created, tags) else None


def _updatable(tx: Tx, account: str, region: str, name: str, revision_id: str | None) -> Function:
    """$LATEST when an update may start: it exists, no update is in progress, the RevisionId (if given) matches."""
    arn = function_arn(region, account, name)
    store.lock_function(tx, account, region, name)
    current = store.get_function(tx, account, region, name)
    if current is None:
        raise function_not_found(arn)
    if current.last_update_status == "InProgress" or current.state == "Pending":
        raise busy(arn)
    if revision_id and revision_id != current.revision_id:
        raise revision_mismatch(
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
            "retrieve the latest Revision Id"
        )
    return current


def update_code(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    code: tuple[str, bytes],
    revision_id: str | None,
    dry_run: bool,
    now: float,
) -> Function:
    """UpdateFunctionCode with ``code`` as (CodeSha256, zip); a dry run checks and changes nothing."""
    sha, zip_bytes = code
    current = _updatable(tx, account, region, name, revision_id)
    if dry_run:
        return current.revised(now, code_sha=sha, code_size=len(zip_bytes))
    fn = current.revised(now, code_sha=sha, code_size=len(zip_bytes), **_IN_PROGRESS)
    store.put_code(tx, account, sha, zip_bytes)
    store.update_function(tx, fn)
    return fn


def check_configuration(settings: dict[str, Any]) -> dict[str, Any]:
    """UpdateFunctionConfiguration's members checked and turned into the Function attributes they change."""
    check_settings(settings)
    if settings.get("Runtime"):
        check_runtime(settings["Runtime"])
    changes = {attribute: settings[member] for member, attribute in _PLAIN_SETTINGS if settings.get(member) is not None}
    if settings.get("Environment") is not None:
        changes["environment"] = dict(settings["Environment"].get("Variables") or {})
    if (settings.get("EphemeralStorage") or {}).get("Size") is not None:
        changes["ephemeral_storage"] = settings["EphemeralStorage"]["Size"]
    if settings.get("DeadLetterConfig") is not None:
        changes["dead_letter_arn"] = settings["DeadLetterConfig"].get("TargetArn") or None
    if settings.get("LoggingConfig") is not None:
        changes["logging"] = dict(settings["LoggingConfig"]) or None
    if (settings.get("TracingConfig") or {}).get("Mode"):
        changes["tracing"] = settings["TracingConfig"]["Mode"]
    return changes


def update_configuration(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    changes: dict[str, Any],
    layers: list[str] | None,
    revision_id: str | None,
    now: float,
) -> Function:
    current = _updatable(tx, account, region, name, revision_id)
    if layers is not None:
        changes = {**changes, "layers": resolve_layers(tx, layers, account)}
    fn = current.revised(now, **_IN_PROGRESS, **changes)
    store.update_function(tx, fn)
    return fn


def finish_activation(tx: Tx, fn: Function, reason: str | None) -> None:
    """The code of a create or update is unpacked (``reason`` None) or could not be: Active / Successful or Failed,
    under a new RevisionId as on AWS, unless the code or configuration changed since (a policy change does not
    count: the generation tells)."""
    store.lock_function(tx, fn.account, fn.region, fn.name)
    current = store.get_function(tx, fn.account, fn.region, fn.name, fn.version)
    if current is None or current.generation != fn.generation:
        return
    if reason is None:
        done = current.touched(state="Active", state_reason=None, state_reason_code=None,
                               last_update_status="Successful", last_update_reason=None,
                               last_update_reason_code=None)  # fmt: skip
    else:
        done = current.touched(state="Failed", state_reason=reason, state_reason_code="InternalError",
                               last_update_status="Failed", last_update_reason=reason,
                               last_update_reason_code="InternalError")  # fmt: skip
    store.update_function(tx, done)


def check_publishable(latest: Function, revision_id: str | None) -> None:
    if revision_id and revision_id != latest.revision_id:
        raise revision_mismatch()
    if latest.state == "Pending" or latest.last_update_status == "InProgress":
        raise busy(latest.arn)


def publish(tx: Tx, latest: Function, code_sha: str | None, description: str, now: float) -> Function:
    """Publish $LATEST as the next version number; the last version again when nothing changed since it."""
    store.lock_function(tx, latest.account, latest.region, latest.name)
    current = store.get_function(tx, latest.account, latest.region, latest.name)
    if current is None:
        raise function_not_found(latest.arn)
    if code_sha and code_sha != current.code_sha:
        raise invalid(
            f"CodeSHA256 ({code_sha}) is different from current CodeSHA256 in $LATEST ({current.code_sha}). "
            "Please try again"
        )
    versions = [
        v for v in store.list_versions(tx, current.account, current.region, current.name) if v.version != LATEST
    ]
    if versions and all(getattr(versions[-1], key) == getattr(current, key) for key in _PUBLISHED):
        return versions[-1]  # AWS publishes nothing new when $LATEST has not changed since the last version
    number = store.next_version(tx, current.account, current.region, current.name)
    # a version starts with a policy of its own, as in AWS
    fn = current.revised(now, version=str(number), description=description or current.description, state="Active",
                         last_update_status="Successful", state_reason=None, state_reason_code=None,
                         last_update_reason=None, last_update_reason_code=None, reserved_concurrency=None,
                         policy=None)  # fmt: skip
    store.insert_function(tx, fn, {})
    store.update_function(tx, current.touched())  # publishing gives $LATEST a new RevisionId too, as on AWS
    return fn


def delete(tx: Tx, account: str, region: str, name: str, qualifier: str | None) -> list[str] | None:
    """Delete a version, or the function with its aliases and URLs (qualifier None); the qualifiers whose
    provisioned concurrency configurations went with it; None when nothing was there."""
    if qualifier == LATEST:
        raise invalid("$LATEST version cannot be deleted without deleting the function.")
    if store.get_function(tx, account, region, name, qualifier or LATEST) is None:
        return None
    store.delete_function(tx, account, region, name, qualifier)
    provisioned = store_configs.delete_provisioned(tx, account, region, name, qualifier)
    if qualifier is None:
        store.delete_alias(tx, account, region, name, None)
        store.put_alias_event_invoke(tx, account, region, name, None, None)
        store_configs.delete_urls(tx, account, region, name, None)  # a version has no URL of its own
    return provisioned


def code_location(base_url: str, fn: Function) -> dict[str, Any]:
    """GetFunction's Code: where the deployment package can be downloaded (gureum's admin route)."""
    location = f"{base_url}/_gureum/lambda/code?account={fn.account}&sha={quote(fn.code_sha, safe='')}"
    return {"RepositoryType": "S3", "Location": location}


# --- tags and reserved concurrency ------------------------------------------------------------------


def tag(tx: Tx, account: str, region: str, name: str, add: dict[str, str], remove: list[str]) -> None:
    store.lock_function(tx, account, region, name)
    tags = store.get_tags(tx, account, region, name)
    if tags is None:
        raise function_not_found(function_arn(region, account, name))
    tags.update(add)
    for key in remove:
        tags.pop(key, None)
    if add and len(tags) > 50:
        raise invalid("Number of tags exceeds resource tag limit.")
    store.set_tags(tx, account, region, name, tags)


def set_reserved(tx: Tx, account: str, region: str, name: str, value: int | None) -> None:
    """Reserve concurrency (None: remove the reservation); not a new revision, so warm environments stay."""
    store.lock_function(tx, account, region, name)
    fn = store.get_function(tx, account, region, name)
    if fn is None:
        raise function_not_found(function_arn(region, account, name))
    if (
        value is not None
        and CONCURRENT_EXECUTIONS - store.reserved_total(tx, account, region, name) - value < MIN_UNRESERVED
    ):
        raise invalid(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            f"below its minimum value of [{MIN_UNRESERVED}]."
        )
    store.update_function(tx, replace(fn, reserved_concurrency=value))


def set_settings(tx: Tx, account: str, region: str, name: str, version: str, **changes: Any) -> Function:
    """Settings of one version that are no new revision (runtime management, recursion): the version as saved."""
    store.lock_function(tx, account, region, name)
    fn = store.get_function(tx, account, region, name, version)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, None if version == LATEST else version))
    fn = replace(fn, **changes)
    store.update_function(tx, fn)
    return fn
