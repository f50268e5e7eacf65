"""Lambda function operations: create, read, update, delete, list, versions, tags, concurrency, account settings.

A create or code update answers with State Pending / LastUpdateStatus InProgress and finishes in a background
task (code unpacked on this node) that moves the function to Active / Successful, as the SDK waiters expect.
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
import zipfile
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ...aws.context import RequestContext
from ...ports import LambdaInvoker
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .backend import LambdaBackend
from .errors import ResourceConflictException, ServiceError, function_not_found, invalid
from .functions import (
    LATEST,
    Function,
    FunctionRef,
    check_name,
    check_settings,
    code_sha256,
    function_arn,
    parse_function_name,
)
from .layers import resolve_layers
from .limits import MAX_UNZIPPED, MAX_ZIP
from .ops_aliases import is_alias, pick_version
from .runtimes import check_runtime


def backend(runtime: Runtime) -> LambdaBackend:
    return runtime.state(LambdaBackend)


def _where(ctx: RequestContext, ref: FunctionRef) -> tuple[str, str]:
    return ref.account or ctx.account, ref.region or ctx.region


async def load_function(
    runtime: Runtime, account: str, region: str, name: str, qualifier: str | None, route: bool = False
) -> Function:
    """The function version a (name, qualifier) names; ResourceNotFoundException when there is none.

    An alias names its FunctionVersion; with ``route`` (an invocation) its RoutingConfig weights apply too, and so
    does the alias's own event invoke config (retries, event age, destinations) when it has one."""

    def read(tx: Tx) -> Function | None:
        version = qualifier or LATEST
        if is_alias(qualifier):
            alias = store.get_alias(tx, account, region, name, str(qualifier))
            if alias is None:
                return None
            version = pick_version(alias) if route else str(alias["FunctionVersion"])
            fn = store.get_function(tx, account, region, name, version)
            config = (
                store.get_alias_event_invoke(tx, account, region, name, str(qualifier))
                if route and fn is not None
                else None
            )
            return fn if config is None else replace(fn, event_invoke=config)  # type: ignore[arg-type]
        return store.get_function(tx, account, region, name, version)

    fn = await runtime.store.read(read)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    return fn


async def function_for(ctx: RequestContext, req: dict[str, Any]) -> Function:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = _where(ctx, ref)
    return await load_function(ctx.runtime, account, region, ref.name, ref.qualifier)


def _read_zip(zip_bytes: bytes) -> None:
    """Refuse what AWS refuses: not a zip, too large zipped or unzipped."""
    if len(zip_bytes) > MAX_ZIP:
        raise ServiceError(
            f"Request must be smaller than {MAX_ZIP} bytes for the CreateFunction operation",
            code="RequestEntityTooLargeException",
            status=413,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            bad = [
                info.filename
                for info in archive.infolist()
                if info.filename.startswith("/") or ".." in info.filename.split("/")
            ]
    except (zipfile.BadZipFile, ValueError):
        raise invalid("Could not unzip uploaded file. Please check your file, then try to upload again.") from None
    if bad:
        raise invalid(f"Could not unzip uploaded file: unsafe path {bad[0]!r}.")
    if unzipped > MAX_UNZIPPED:
        raise invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")


@functools.cache
def _docker_engine() -> str | None:
    """The Docker engine's socket when one is present (looked up once)."""
    host = os.environ.get("DOCKER_HOST", "")
    candidates = [host.removeprefix("unix://")] if host.startswith("unix://") else []
    candidates += ["/var/run/docker.sock", os.path.expanduser("~/.docker/run/docker.sock")]
    return next((path for path in candidates if path and os.path.exists(path)), None) or (host or None)


def _refuse_image(uri: str) -> None:
    """PackageType Image: AWS pulls the image from ECR; gureum has neither ECR nor a container runtime for Lambda."""
    if _docker_engine() is None:
        raise invalid(f"Source image {uri} cannot be run: container images (PackageType Image) need a container engine (Docker), and none is present "
                      "on this machine (no Docker socket). Use a .zip package (PackageType Zip).")  # fmt: skip
    raise invalid(f"Source image {uri} cannot be run: gureum does not run container images (PackageType Image) yet, even with Docker present. "
                  "Use a .zip package (PackageType Zip).")  # fmt: skip


def _code_from(req: dict[str, Any]) -> bytes:
    code: dict[str, Any] = (req.get("Code") or {}) if "Code" in req else req
    if code.get("ImageUri"):
        _refuse_image(code["ImageUri"])
    if code.get("S3Bucket") or code.get("S3Key"):
        raise invalid("gureum has no S3 to fetch code from yet: upload the package as ZipFile.")
    zip_bytes = code.get("ZipFile")
    if not zip_bytes:
        raise invalid(
            "Please provide a source for function code: ZipFile (S3Bucket/S3Key and ImageUri are not served by gureum)."
        )
    _read_zip(zip_bytes)
    return bytes(zip_bytes)


def _activate_later(runtime: Runtime, fn: Function) -> None:
    """Unpack the code in the background, then mark the function Active / Successful (if nothing changed since)."""
    be = backend(runtime)
    event = be.activated.setdefault(fn.revision_id, asyncio.Event())

    async def activate() -> None:
        reason: str | None = None
        try:
            await be.ensure_code(fn)
        except Exception as exc:
            reason = f"gureum could not unpack the code: {exc}"

        def finish(tx: Tx) -> None:
            current = store.get_function(tx, fn.account, fn.region, fn.name, fn.version)
            if current is None or current.revision_id != fn.revision_id:
                return
            # state changes keep the RevisionId, so warm environments of this revision stay usable
            if reason is None:
                done = replace(
                    current,
                    state="Active",
                    state_reason=None,
                    state_reason_code=None,
                    last_update_status="Successful",
                    last_update_reason=None,
                )
            else:
                done = replace(
                    current,
                    state="Failed",
                    state_reason=reason,
                    state_reason_code="InternalError",
                    last_update_status="Failed",
                    last_update_reason=reason,
                )
            store.update_function(tx, done)

        await runtime.store.write(finish)
        event.set()
        be.activated.pop(fn.revision_id, None)

    runtime.spawn(activate(), f"lambda-activate-{fn.name}")


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(LambdaBackend(runtime))
    from .ops_invoke import InvokePort

    runtime.provide(LambdaInvoker, InvokePort(runtime))
    runtime.spawn(be.sweep(), "lambda-idle-sweep")
    # functions a previous run left half-created or half-updated finish now
    pending = await runtime.store.read(lambda tx: store.unfinished_functions(tx))
    for fn in pending:
        _activate_later(runtime, fn)


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    await backend(runtime).stop_all()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    be = backend(runtime)
    for key in list(be.provisioned_wanted):
        await be.unprovision(key)
    envs = [env for pool in be.idle.values() for env in pool]
    be.idle.clear()
    for env in envs:
        await be._retire(env)


@SERVICE.op("CreateFunction")
async def create_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["FunctionName"]
    ref = parse_function_name(name)
    check_name(ref.name)
    if req.get("PackageType") == "Image":
        _refuse_image((req.get("Code") or {}).get("ImageUri") or "(none given)")
    runtime_name = req.get("Runtime")
    if not runtime_name:
        raise invalid("Runtime and Handler are mandatory parameters for functions created with Zip packages.")
    if not req.get("Handler") and not runtime_name.startswith("provided"):
        raise invalid("Runtime and Handler are mandatory parameters for functions created with Zip packages.")
    check_settings(req)
    check_runtime(runtime_name)
    zip_bytes = _code_from(req)
    account, region = _where(ctx, ref)
    now = ctx.runtime.clock.now()
    fn = Function(
        account, region, ref.name, LATEST, runtime_name, req["Role"], req.get("Handler") or "bootstrap", code_sha256(zip_bytes), len(zip_bytes),
        description=req.get("Description") or "", timeout=req.get("Timeout") or 3, memory=req.get("MemorySize") or 128,
        environment=dict((req.get("Environment") or {}).get("Variables") or {}), architectures=tuple(req.get("Architectures") or ("x86_64",)),
        ephemeral_storage=(req.get("EphemeralStorage") or {}).get("Size") or 512,
        dead_letter_arn=(req.get("DeadLetterConfig") or {}).get("TargetArn") or None, logging=dict(req["LoggingConfig"]) if req.get("LoggingConfig") else None,
        state="Pending", state_reason="The function is being created.", state_reason_code="Creating", last_update_status="Successful",
    ).revised(now)  # fmt: skip
    tags = dict(req.get("Tags") or {})

    def create(tx: Tx) -> Function | None:
        created = replace(fn, layers=resolve_layers(tx, req.get("Layers") or []))
        store.put_code(tx, account, fn.code_sha, zip_bytes)
        return created if store.insert_function(tx, created, tags) else None

    created = await ctx.runtime.store.write(create)
    if created is None:
        raise ResourceConflictException(f"Function already exist: {ref.name}", fields={"Type": "User"})
    fn = created
    _activate_later(ctx.runtime, fn)
    out = fn.configuration()
    if req.get("Publish"):
        published = await _publish(ctx.runtime, fn, None, "")
        out = published.configuration() | {"Version": published.version}
    return out


async def wait_active(runtime: Runtime, fn: Function, seconds: float = 10.0) -> Function:
    """A Pending function is invoked once its code is ready (AWS refuses; gureum's Pending lasts milliseconds)."""
    if fn.state != "Pending":
        return fn
    event = backend(runtime).activated.get(fn.revision_id)
    if event is not None:
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass
    fn = await load_function(runtime, fn.account, fn.region, fn.name, fn.version)
    if fn.state != "Active":
        raise ResourceConflictException(
            f"The operation cannot be performed at this time. The function is currently in the following state: {fn.state}",
            fields={"Type": "User"},
        )
    return fn


def _code_location(ctx: RequestContext, fn: Function) -> dict[str, Any]:
    location = f"{ctx.request.base_url}/_gureum/lambda/code?account={fn.account}&sha={quote(fn.code_sha, safe='')}"
    return {"RepositoryType": "S3", "Location": location}


@SERVICE.op("GetFunction")
async def get_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    fn = await function_for(ctx, req)
    tags = await ctx.runtime.store.read(lambda tx: store.get_tags(tx, fn.account, fn.region, fn.name))
    out: dict[str, Any] = {"Configuration": fn.configuration(), "Code": _code_location(ctx, fn), "Tags": tags or {}}
    if fn.reserved_concurrency is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
    return out


@SERVICE.op("GetFunctionConfiguration")
async def get_function_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return (await function_for(ctx, req)).configuration()


def _check_update(current: Function | None, req: dict[str, Any], arn: str) -> Function:
    if current is None:
        raise function_not_found(arn)
    if current.last_update_status == "InProgress" or current.state == "Pending":
        raise ResourceConflictException(
            f"The operation cannot be performed at this time. An update is in progress for resource: {arn}",
            fields={"Type": "User"},
        )
    if req.get("RevisionId") and req["RevisionId"] != current.revision_id:
        raise ServiceError("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
                           code="PreconditionFailedException", status=412, fields={"Type": "User"})  # fmt: skip
    return current


@SERVICE.op("UpdateFunctionCode")
async def update_function_code(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = _where(ctx, ref)
    arn = function_arn(region, account, ref.name)
    zip_bytes = _code_from(req)
    sha = code_sha256(zip_bytes)
    now = ctx.runtime.clock.now()

    def update(tx: Tx) -> Function:
        current = _check_update(store.get_function(tx, account, region, ref.name), req, arn)
        if req.get("DryRun"):
            return current.revised(now, code_sha=sha, code_size=len(zip_bytes))
        fn = current.revised(
            now,
            code_sha=sha,
            code_size=len(zip_bytes),
            last_update_status="InProgress",
            last_update_reason="The function is being created.",
        )
        store.put_code(tx, account, sha, zip_bytes)
        store.update_function(tx, fn)
        return fn

    fn = await ctx.runtime.store.write(update)
    if req.get("DryRun"):
        return fn.configuration()
    _activate_later(ctx.runtime, fn)
    await backend(ctx.runtime).retire_function(fn.arn)
    if req.get("Publish"):
        published = await _publish(ctx.runtime, fn, None, "")
        return published.configuration()
    return fn.configuration()


@SERVICE.op("UpdateFunctionConfiguration")
async def update_function_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = _where(ctx, ref)
    arn = function_arn(region, account, ref.name)
    check_settings(req)
    if req.get("Runtime"):
        check_runtime(req["Runtime"])
    now = ctx.runtime.clock.now()
    changes: dict[str, Any] = {}
    for member, attribute in (
        ("Runtime", "runtime"),
        ("Role", "role"),
        ("Handler", "handler"),
        ("Description", "description"),
        ("Timeout", "timeout"),
        ("MemorySize", "memory"),
    ):
        if req.get(member) is not None:
            changes[attribute] = req[member]
    if req.get("Environment") is not None:
        changes["environment"] = dict(req["Environment"].get("Variables") or {})
    if (req.get("EphemeralStorage") or {}).get("Size") is not None:
        changes["ephemeral_storage"] = req["EphemeralStorage"]["Size"]
    if req.get("DeadLetterConfig") is not None:
        changes["dead_letter_arn"] = req["DeadLetterConfig"].get("TargetArn") or None
    if req.get("LoggingConfig") is not None:
        changes["logging"] = dict(req["LoggingConfig"]) or None

    def update(tx: Tx) -> Function:
        current = _check_update(store.get_function(tx, account, region, ref.name), req, arn)
        layers = {"layers": resolve_layers(tx, req["Layers"])} if req.get("Layers") is not None else {}
        fn = current.revised(
            now,
            last_update_status="InProgress",
            last_update_reason="The function is being created.",
            **changes,
            **layers,
        )
        store.update_function(tx, fn)
        return fn

    fn = await ctx.runtime.store.write(update)
    _activate_later(ctx.runtime, fn)
    await backend(ctx.runtime).retire_function(fn.arn)
    return fn.configuration()


@SERVICE.op("DeleteFunction")
async def delete_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = _where(ctx, ref)
    if ref.qualifier == LATEST:
        raise invalid("$LATEST version cannot be deleted without deleting the function.")

    def delete(tx: Tx) -> list[str] | None:
        """The qualifiers whose provisioned concurrency configurations went with it; None when nothing was there."""
        if store.get_function(tx, account, region, ref.name, ref.qualifier or LATEST) is None:
            return None
        store.delete_function(tx, account, region, ref.name, ref.qualifier)
        where = "account = ? AND region = ? AND function_name = ?" + (
            "" if ref.qualifier is None else " AND qualifier = ?"
        )
        params = (account, region, ref.name) + (() if ref.qualifier is None else (ref.qualifier,))
        provisioned = [str(row[0]) for row in tx.all(f"SELECT qualifier FROM lambda_provisioned WHERE {where}", params)]
        tx.execute(f"DELETE FROM lambda_provisioned WHERE {where}", params)
        if ref.qualifier is None:
            store.delete_alias(tx, account, region, ref.name, None)
            store.put_alias_event_invoke(tx, account, region, ref.name, None, None)
            tx.execute(f"DELETE FROM lambda_urls WHERE {where}", params)  # a version has no URL of its own
        return provisioned

    provisioned = await ctx.runtime.store.write(delete)
    if provisioned is None:
        raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
    be = backend(ctx.runtime)
    for qualifier in provisioned:
        await be.unprovision(function_arn(region, account, ref.name, qualifier))
    await be.retire_function(function_arn(region, account, ref.name, ref.qualifier))
    return {}


@SERVICE.op("ListFunctions")
async def list_functions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("MaxItems") or 50
    if not 1 <= limit <= 10000:
        raise invalid("MaxItems must be between 1 and 10000.")
    marker = req.get("Marker") or ""
    all_versions = req.get("FunctionVersion") == "ALL"
    rows = await ctx.runtime.store.read(
        lambda tx: store.list_functions(tx, ctx.account, ctx.region, marker, limit + 1, all_versions)
    )
    out: dict[str, Any] = {"Functions": [fn.configuration() for fn in rows[:limit]]}
    if len(rows) > limit:
        out["NextMarker"] = rows[limit - 1].name
    return out


async def _publish(runtime: Runtime, latest: Function, code_sha: str | None, description: str) -> Function:
    now = runtime.clock.now()

    def publish(tx: Tx) -> Function:
        current = store.get_function(tx, latest.account, latest.region, latest.name)
        if current is None:
            raise function_not_found(latest.arn)
        if code_sha and code_sha != current.code_sha:
            raise invalid(
                f"CodeSHA256 ({code_sha}) is different from current CodeSHA256 in $LATEST ({current.code_sha}). Please try again"
            )
        versions = [
            v for v in store.list_versions(tx, current.account, current.region, current.name) if v.version != LATEST
        ]
        if versions and _same_config(versions[-1], current):
            return versions[-1]  # AWS publishes nothing new when $LATEST has not changed since the last version
        number = store.next_version(tx, current.account, current.region, current.name)
        fn = current.revised(
            now,
            version=str(number),
            description=description or current.description,
            state="Active",
            last_update_status="Successful",
            state_reason=None,
            state_reason_code=None,
            last_update_reason=None,
            reserved_concurrency=None,
            policy=None,
        )  # fmt: skip  (a version starts with a policy of its own, as in AWS)
        store.insert_function(tx, fn, {})
        return fn

    return await runtime.store.write(publish)


def _same_config(a: Function, b: Function) -> bool:
    keys = ("runtime", "role", "handler", "code_sha", "timeout", "memory", "environment", "ephemeral_storage", "layers")
    return all(getattr(a, key) == getattr(b, key) for key in keys)


@SERVICE.op("PublishVersion")
async def publish_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    latest = await function_for(ctx, {"FunctionName": req["FunctionName"]})
    if req.get("RevisionId") and req["RevisionId"] != latest.revision_id:
        raise ServiceError(
            "The Revision Id provided does not match the latest Revision Id.",
            code="PreconditionFailedException",
            status=412,
            fields={"Type": "User"},
        )
    if latest.state == "Pending" or latest.last_update_status == "InProgress":
        raise ResourceConflictException(
            f"The operation cannot be performed at this time. An update is in progress for resource: {latest.arn}",
            fields={"Type": "User"},
        )
    return (await _publish(ctx.runtime, latest, req.get("CodeSha256"), req.get("Description") or "")).configuration()


@SERVICE.op("ListVersionsByFunction")
async def list_versions_by_function(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    latest = await function_for(ctx, {"FunctionName": req["FunctionName"]})
    versions = await ctx.runtime.store.read(
        lambda tx: store.list_versions(tx, latest.account, latest.region, latest.name)
    )
    return {"Versions": [fn.configuration() for fn in versions]}
