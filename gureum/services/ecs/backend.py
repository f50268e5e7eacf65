"""EcsBackend: ECS over the store — clusters, capacity providers, task definition revisions, tags, account
settings, tasks (started here, run by runner.py on the container engine), services and their scheduler, this
machine as the clusters' container instance — one method per operation with plain arguments, kept by the start
hook and reached with backend(ctx)."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...containers import NoEngine
from ...policy import Principal as PolicyPrincipal
from ...policy import Request as PolicyRequest
from ...policy import evaluate
from ...store.base import Store, Tx
from . import accounts, instances, services, store, taskdefs, tasks
from .clusters import (
    BUILT_IN_PROVIDERS,
    Cluster,
    built_in_provider,
    check_name,
    check_providers,
    check_settings,
    merge_tags,
)
from .errors import (
    AccessDeniedException,
    ClientException,
    ClusterContainsServicesException,
    ClusterContainsTasksException,
    ClusterNotFoundException,
    InvalidParameterException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceNotActiveException,
    ServiceNotFoundException,
    cluster_not_found,
    no_task_definition,
)

if TYPE_CHECKING:
    from ...aws.authorize import IdentityRecord
    from .runner import TaskRunner

log = logging.getLogger("gureum")
T = TypeVar("T")
Principal = Callable[[str, str], Awaitable[str]]


def backend(ctx: RequestContext) -> EcsBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(EcsBackend)


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(token.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException("Invalid nextToken.") from None


def _page(items: list[T], token: str | None, limit: int | None, most: int = 100) -> tuple[list[T], str | None]:
    if limit is not None and not 1 <= limit <= most:
        raise InvalidParameterException(f"maxResults must be between 1 and {most}.")
    offset, size = _offset(token), limit or most
    page = items[offset : offset + size]
    more = offset + size < len(items)
    return page, base64.urlsafe_b64encode(str(offset + size).encode()).decode() if more else None


def cluster_name(reference: str | None) -> str:
    """A cluster's name from its name or ARN (None: "default")."""
    if not reference:
        return "default"
    if reference.startswith("arn:"):
        parts = reference.split(":", 5)
        if len(parts) != 6 or parts[2] != "ecs" or not parts[5].startswith("cluster/"):
            raise InvalidParameterException(f"Invalid cluster ARN: {reference}")
        return parts[5][len("cluster/") :]
    return reference


RoleLookup = Callable[[str], Awaitable["IdentityRecord | None"]]


class EcsBackend:
    def __init__(
        self,
        store_: Store,
        clock: Clock,
        principal: Principal,
        runner: TaskRunner | None = None,
        role_lookup: RoleLookup | None = None,
    ) -> None:
        self.store = store_
        self.clock = clock
        self.principal = principal
        self.runner = runner
        self.role_lookup = role_lookup  # IAM's roles (None: IAM is not running, roles are not checked)

    async def _check_roles(self, definition: dict[str, Any], overrides: dict[str, Any] | None) -> None:
        """The task's roles must exist and trust ecs-tasks.amazonaws.com, as ECS checks when it starts a task."""
        if self.role_lookup is None:
            return
        for key in ("taskRoleArn", "executionRoleArn"):
            role = (overrides or {}).get(key) or definition.get(key)
            if not role:
                continue
            record = await self.role_lookup(role)
            trusted = (
                record is not None
                and evaluate(
                    record.trust_policy,
                    PolicyRequest(PolicyPrincipal(service="ecs-tasks.amazonaws.com"), "sts:AssumeRole", role),
                ).allowed
            )
            if not trusted:
                raise ClientException(
                    f"ECS was unable to assume the role '{role}' that was provided for this task. Please verify that "
                    "the role being passed has the proper trust relationship and permissions and that your IAM user "
                    "has permissions to pass this role."
                )

    async def check_invoker(self, role: str, service: str) -> None:
        """The role an EventBridge rule or a schedule runs a task as must exist and trust that service."""
        if self.role_lookup is None:
            return
        record = await self.role_lookup(role)
        request = PolicyRequest(PolicyPrincipal(service=service), "sts:AssumeRole", role)
        if record is None or not evaluate(record.trust_policy, request).allowed:
            raise AccessDeniedException(
                f"{service} was unable to assume the role '{role}' to run the task: it must exist and trust {service}."
            )

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    @staticmethod
    def _active(tx: Tx, account: str, region: str, reference: str | None) -> Cluster:
        found = store.cluster(tx, account, region, cluster_name(reference))
        if found is None or found.status != "ACTIVE":
            raise cluster_not_found()
        return found

    # --- clusters ---------------------------------------------------------------------------------------------

    async def create_cluster(
        self,
        account: str,
        region: str,
        name: str | None,
        tags: list[dict[str, Any]] | None,
        settings: list[dict[str, Any]] | None,
        configuration: dict[str, Any] | None,
        providers: list[str] | None,
        strategy: list[dict[str, Any]] | None,
        service_connect: dict[str, Any] | None,
    ) -> dict[str, Any]:
        chosen = name or "default"
        check_name(chosen)

        def create(tx: Tx) -> Cluster:
            known = {p["name"] for p in store.capacity_providers(tx, account, region)}
            chosen_providers, chosen_strategy = check_providers(providers, strategy, known)
            existing = store.cluster(tx, account, region, chosen)
            if existing is not None and existing.status == "ACTIVE":
                return existing  # CreateCluster of an existing cluster answers it
            defaults = store.account_settings(tx, account, region)
            insights = defaults.get(("", "containerInsights"), accounts.DEFAULTS["containerInsights"])
            found = Cluster(
                0,
                account,
                region,
                chosen,
                "ACTIVE",
                self.clock.now(),
                check_settings(settings, [{"name": "containerInsights", "value": insights}]),
                configuration,
                chosen_providers,
                chosen_strategy,
                service_connect,
                merge_tags([], tags or []),
            )
            found.id = store.insert_cluster(tx, found)
            return found

        return (await self._write(create)).doc()

    async def describe_clusters(
        self, account: str, region: str, references: list[str] | None, include: list[str] | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            clusters, failures = [], []
            for reference in references or ["default"]:
                name = cluster_name(reference)
                found = store.cluster(tx, account, region, name)
                if found is None:
                    failures.append({"arn": f"arn:aws:ecs:{region}:{account}:cluster/{name}", "reason": "MISSING"})
                    continue
                counts = {
                    **store.task_counts(tx, account, region, name),
                    "services": store.active_service_count(tx, account, region, name),
                }
                clusters.append(found.doc(include or [], counts))
            return {"clusters": clusters, "failures": failures}

        return await self.store.read(read)

    async def list_clusters(self, account: str, region: str, token: str | None, limit: int | None) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.active_clusters(tx, account, region))
        page, more = _page([c.arn for c in found], token, limit)
        return {"clusterArns": page, **({"nextToken": more} if more else {})}

    async def delete_cluster(self, account: str, region: str, reference: str) -> dict[str, Any]:
        def delete(tx: Tx) -> Cluster:
            found = self._active(tx, account, region, reference)
            if store.active_service_count(tx, account, region, found.name):
                raise ClusterContainsServicesException("The Cluster cannot be deleted while Services are active.")
            counts = store.task_counts(tx, account, region, found.name)
            if counts["running"] or counts["pending"]:
                raise ClusterContainsTasksException("The Cluster cannot be deleted while Tasks are active.")
            store.update_cluster(tx, found.id, status="INACTIVE")
            found.status = "INACTIVE"
            return found

        return (await self._write(delete)).doc()

    async def update_cluster(
        self,
        account: str,
        region: str,
        reference: str,
        settings: list[dict[str, Any]] | None,
        configuration: dict[str, Any] | None,
        service_connect: dict[str, Any] | None,
    ) -> dict[str, Any]:
        def update(tx: Tx) -> Cluster:
            found = self._active(tx, account, region, reference)
            if settings is not None:
                found.settings = check_settings(settings, found.settings)
            if configuration is not None:
                found.configuration = configuration
            if service_connect is not None:
                found.service_connect = service_connect
            store.update_cluster(
                tx,
                found.id,
                settings=found.settings,
                configuration=found.configuration,
                service_connect=found.service_connect,
            )
            return found

        return (await self._write(update)).doc()

    async def put_cluster_capacity_providers(
        self, account: str, region: str, reference: str, providers: list[str], strategy: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def put(tx: Tx) -> Cluster:
            found = self._active(tx, account, region, reference)
            known = {p["name"] for p in store.capacity_providers(tx, account, region)}
            chosen, steps = check_providers(providers, strategy, known)
            found.capacity_providers, found.strategy = chosen, steps
            store.update_cluster(tx, found.id, capacity_providers=chosen, strategy=steps)
            return found

        return (await self._write(put)).doc()

    async def describe_capacity_providers(
        self, account: str, region: str, names: list[str] | None, include: list[str] | None
    ) -> dict[str, Any]:
        """FARGATE, FARGATE_SPOT and the account's EC2-style providers."""
        created = {
            p["name"]: p for p in await self.store.read(lambda tx: store.capacity_providers(tx, account, region))
        }
        wanted = [name.rsplit("/", 1)[-1] for name in names] if names else [*BUILT_IN_PROVIDERS, *created]
        found, failures = [], []
        for name in wanted:
            if name in BUILT_IN_PROVIDERS:
                found.append(built_in_provider(name))
            elif name in created:
                doc = dict(created[name])
                if not include or "TAGS" not in include:
                    doc.pop("tags", None)
                found.append(doc)
            else:
                failures.append({"arn": name, "reason": "MISSING"})
        return {"capacityProviders": found, "failures": failures}

    async def create_capacity_provider(
        self,
        account: str,
        region: str,
        name: str,
        group: dict[str, Any] | None,
        managed: dict[str, Any] | None,
        tags: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        doc = instances.new_provider(account, region, name, group, managed, merge_tags([], tags or []))

        def create(tx: Tx) -> None:
            existing = store.capacity_provider(tx, account, region, name)
            if existing is not None and existing["status"] == "ACTIVE":
                raise ClientException("The specified capacity provider already exists.")
            store.save_capacity_provider(tx, account, region, doc)

        await self._write(create)
        return doc

    async def update_capacity_provider(
        self, account: str, region: str, name: str, group: dict[str, Any] | None
    ) -> dict[str, Any]:
        given = group or {}

        def update(tx: Tx) -> dict[str, Any]:
            doc = store.capacity_provider(tx, account, region, name.rsplit("/", 1)[-1])
            if doc is None or doc["status"] != "ACTIVE":
                raise ClientException("The specified capacity provider does not exist.")
            provider = doc["autoScalingGroupProvider"]
            for key in ("managedTerminationProtection", "managedDraining"):
                if given.get(key):
                    provider[key] = given[key]
            if given.get("managedScaling"):
                provider["managedScaling"] = {**provider["managedScaling"], **given["managedScaling"]}
            doc["updateStatus"] = "UPDATE_COMPLETE"
            store.save_capacity_provider(tx, account, region, doc)
            return doc

        return await self._write(update)

    async def delete_capacity_provider(self, account: str, region: str, reference: str) -> dict[str, Any]:
        name = reference.rsplit("/", 1)[-1]

        def delete(tx: Tx) -> dict[str, Any]:
            doc = store.capacity_provider(tx, account, region, name)
            if doc is None or doc["status"] != "ACTIVE":
                raise ClientException("The specified capacity provider does not exist.")
            if name in store.providers_in_use(tx, account, region):
                raise ResourceInUseException("The specified capacity provider is in use and cannot be removed.")
            doc["status"] = "INACTIVE"
            doc["updateStatus"] = "DELETE_COMPLETE"
            store.save_capacity_provider(tx, account, region, doc)
            return doc

        return await self._write(delete)

    # --- this machine as the clusters' container instance -------------------------------------------------------

    async def _instance(self, account: str, region: str, cluster: Cluster) -> dict[str, Any]:
        engine = await self._runner().containers.status()
        active = await self.store.read(lambda tx: store.active_ec2_tasks(tx, account, region, cluster.name))
        cpu = memory = 0
        for task in active:
            cpu += int(task.get("cpu") or sum(int(c.get("cpu") or 0) for c in task["containers"]))
            memory += int(
                task.get("memory")
                or sum(int(c.get("memory") or c.get("memoryReservation") or 0) for c in task["containers"])
            )
        running = sum(1 for task in active if task["lastStatus"] == "RUNNING")
        return instances.instance_doc(
            account, region, cluster.name, cluster.created_at, running, len(active) - running, (cpu, memory), engine
        )

    async def container_instance_event(self, account: str, region: str, cluster: str) -> None:
        """An "ECS Container Instance State Change" event (a task started or stopped on it: its resources and
        counts changed)."""
        found = await self.store.read(lambda tx: store.cluster(tx, account, region, cluster))
        if found is None:
            return
        doc = await self._instance(account, region, found)
        now = self.clock.now()
        at = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "ECS Container Instance State Change",
            "source": "aws.ecs",
            "account": account,
            "time": at[:19] + "Z",
            "region": region,
            "resources": [doc["containerInstanceArn"]],
            "detail": {**doc, "clusterArn": found.arn, "updatedAt": at, "registeredAt": _iso_time(doc["registeredAt"])},
        }
        bus = f"arn:aws:events:{region}:{account}:event-bus/default"
        delivery = self._runner().delivery
        await self._write(
            lambda tx: delivery.enqueue(
                tx, "events", bus, {"event": event, "hops": 1}, source=doc["containerInstanceArn"]
            )
        )

    async def list_container_instances(
        self, account: str, region: str, cluster_reference: str | None, status: str | None
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: self._active(tx, account, region, cluster_reference))
        if status not in (None, "ACTIVE"):
            return {"containerInstanceArns": []}
        return {"containerInstanceArns": [instances.instance_arn(account, region, found.name)]}

    async def describe_container_instances(
        self, account: str, region: str, cluster_reference: str | None, references: list[str]
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: self._active(tx, account, region, cluster_reference))
        doc = await self._instance(account, region, found)
        arn = doc["containerInstanceArn"]
        out, failures = [], []
        for reference in references:
            if reference in (arn, arn.rsplit("/", 1)[-1]):
                out.append(doc)
            else:
                failures.append({"arn": reference, "reason": "MISSING"})
        return {"containerInstances": out, "failures": failures}

    # --- task definitions -------------------------------------------------------------------------------------

    async def register_task_definition(
        self, account: str, region: str, access_key: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        family = request["family"]
        taskdefs.check_family(family)
        tags = merge_tags([], request.get("tags") or [])
        registered_by = await self.principal(account, access_key)
        now = self.clock.now()

        def register(tx: Tx) -> dict[str, Any]:
            revision = store.next_revision(tx, account, region, family)
            doc = taskdefs.build(account, region, family, revision, request, now, registered_by)
            store.insert_task_definition(tx, account, region, family, revision, doc, tags, now)
            return doc

        # the document is checked before a revision is taken (a refused one leaves no gap in the numbering)
        taskdefs.build(account, region, family, 1, request, now, registered_by)
        doc = await self._write(register)
        return {"taskDefinition": doc, **({"tags": tags} if tags else {})}

    async def describe_task_definition(
        self, account: str, region: str, reference: str, include: list[str] | None
    ) -> dict[str, Any]:
        family, revision = taskdefs.parse_reference(reference)
        found = await self.store.read(lambda tx: store.task_definition(tx, account, region, family, revision))
        if found is None:
            raise no_task_definition()
        doc, tags = found
        out: dict[str, Any] = {"taskDefinition": doc}
        if include and "TAGS" in include:
            out["tags"] = tags
        return out

    async def list_task_definitions(
        self,
        account: str,
        region: str,
        family: str | None,
        status: str | None,
        sort: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        keys = await self.store.read(
            lambda tx: store.task_definition_keys(tx, account, region, family, status or "ACTIVE")
        )
        arns = [taskdefs.arn(account, region, f, r) for f, r, _ in keys]
        if sort == "DESC":
            arns.reverse()
        page, more = _page(arns, token, limit)
        return {"taskDefinitionArns": page, **({"nextToken": more} if more else {})}

    async def list_task_definition_families(
        self, account: str, region: str, prefix: str | None, status: str | None, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        keys = await self.store.read(lambda tx: store.task_definition_keys(tx, account, region, None, None))
        active = {f for f, _, s in keys if s == "ACTIVE"}
        every = list(dict.fromkeys(f for f, _, s in keys if s != "DELETE_IN_PROGRESS"))
        wanted = status or "ACTIVE"
        if wanted == "ACTIVE":
            families = [f for f in every if f in active]
        elif wanted == "INACTIVE":
            families = [f for f in every if f not in active]
        else:
            families = every
        families = [f for f in families if not prefix or f.startswith(prefix)]
        page, more = _page(families, token, limit)
        return {"families": page, **({"nextToken": more} if more else {})}

    async def deregister_task_definition(self, account: str, region: str, reference: str) -> dict[str, Any]:
        family, revision = taskdefs.parse_reference(reference)
        if revision is None:
            raise ClientException("Invalid revision number. Number: (missing)")

        def deregister(tx: Tx) -> dict[str, Any]:
            found = store.task_definition(tx, account, region, family, revision)
            if found is None:
                raise ClientException("The specified task definition does not exist.")
            doc, tags = found
            if doc["status"] == "ACTIVE":
                doc["status"] = "INACTIVE"
                doc["deregisteredAt"] = self.clock.now()
                store.save_task_definition(tx, account, region, doc, tags)
            return doc

        return {"taskDefinition": await self._write(deregister)}

    async def delete_task_definitions(self, account: str, region: str, references: list[str]) -> dict[str, Any]:
        if not 1 <= len(references) <= 10:
            raise InvalidParameterException("Between 1 and 10 task definitions may be deleted at a time.")

        def delete(tx: Tx) -> dict[str, Any]:
            done, failures = [], []
            for reference in references:
                family, revision = taskdefs.parse_reference(reference)
                found = store.task_definition(tx, account, region, family, revision) if revision else None
                if found is None:
                    failures.append({"arn": reference, "reason": "The specified task definition does not exist."})
                    continue
                doc, tags = found
                if doc["status"] == "ACTIVE":
                    failures.append(
                        {
                            "arn": doc["taskDefinitionArn"],
                            "reason": "The specified task definition is still in ACTIVE status. Please deregister "
                            "the target and try again.",
                        }
                    )
                    continue
                if doc["status"] == "INACTIVE":
                    doc["status"] = "DELETE_IN_PROGRESS"
                    doc["deleteRequestedAt"] = self.clock.now()
                    store.save_task_definition(tx, account, region, doc, tags)
                done.append(doc)
            return {"taskDefinitions": done, "failures": failures}

        return await self._write(delete)

    # --- tags -------------------------------------------------------------------------------------------------

    async def _tagged(self, arn: str, change: Callable[[list[dict[str, str]]], list[dict[str, str]] | None]) -> Any:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "ecs":
            raise InvalidParameterException("The ARN provided is invalid.")
        region, account, resource = parts[3], parts[4], parts[5]
        kind, _, name = resource.partition("/")

        def apply(tx: Tx) -> list[dict[str, str]]:
            if kind == "cluster":
                found = store.cluster(tx, account, region, name)
                if found is None or found.status != "ACTIVE":
                    raise ClusterNotFoundException(
                        "The specified cluster is inactive. Specify an active cluster and try again."
                    )
                new = change(found.tags)
                if new is not None:
                    store.update_cluster(tx, found.id, tags=new)
                return found.tags if new is None else new
            if kind == "task-definition":
                family, revision = taskdefs.parse_reference(name)
                revision_found = store.task_definition(tx, account, region, family, revision) if revision else None
                if revision_found is None:
                    raise ResourceNotFoundException("The specified resource is not found.")
                doc, tags = revision_found
                new = change(tags)
                if new is not None:
                    store.save_task_definition(tx, account, region, doc, new)
                return tags if new is None else new
            if kind == "task":
                task_found = store.task(tx, tasks.task_id_of(name))
                if task_found is None:
                    raise ResourceNotFoundException("The specified resource is not found.")
                task_doc = task_found[0]
                new = change(task_doc.get("tags") or [])
                if new is not None:
                    task_doc["tags"] = new
                    store.save_task(tx, tasks.task_id_of(name), task_doc)
                return task_doc.get("tags") or [] if new is None else new
            if kind == "service":
                cluster_name, _, service_name = name.partition("/")
                service = store.service(tx, account, region, cluster_name, service_name)
                if service is None or service["status"] == "INACTIVE":
                    raise ResourceNotFoundException("The specified resource is not found.")
                new = change(service.get("tags") or [])
                if new is not None:
                    service["tags"] = new
                    store.save_service(tx, account, region, cluster_name, service)
                return service.get("tags") or [] if new is None else new
            if kind == "capacity-provider":
                provider = store.capacity_provider(tx, account, region, name)
                if provider is None or provider["status"] != "ACTIVE":
                    raise ResourceNotFoundException("The specified resource is not found.")
                new = change(provider.get("tags") or [])
                if new is not None:
                    provider["tags"] = new
                    store.save_capacity_provider(tx, account, region, provider)
                return provider.get("tags") or [] if new is None else new
            raise InvalidParameterException("The ARN provided is invalid.")

        return await self._write(apply)

    async def tag_resource(self, arn: str, tags: list[dict[str, Any]]) -> None:
        await self._tagged(arn, lambda current: merge_tags(current, tags))

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        await self._tagged(arn, lambda current: [tag for tag in current if tag["key"] not in keys])

    async def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        tags: list[dict[str, str]] = await self._tagged(arn, lambda current: None)
        return tags

    # --- account settings -------------------------------------------------------------------------------------

    async def _target(self, account: str, access_key: str, principal: str | None) -> str:
        return principal or await self.principal(account, access_key)

    async def put_account_setting(
        self, account: str, region: str, access_key: str, name: str, value: str, principal: str | None
    ) -> dict[str, str]:
        accounts.check(name, value)
        target = await self._target(account, access_key, principal)
        if name in accounts.ACCOUNT_ONLY and not target.endswith(":root"):
            raise InvalidParameterException(f"The {name} setting can only be changed for the account's root user.")
        await self._write(lambda tx: store.put_account_setting(tx, account, region, target, name, value))
        return accounts.setting(name, value, target)

    async def put_account_setting_default(self, account: str, region: str, name: str, value: str) -> dict[str, str]:
        accounts.check(name, value)
        await self._write(lambda tx: store.put_account_setting(tx, account, region, "", name, value))
        return accounts.setting(name, value, f"arn:aws:iam::{account}:root", "user")

    async def delete_account_setting(
        self, account: str, region: str, access_key: str, name: str, principal: str | None
    ) -> dict[str, str]:
        if name not in accounts.VALUES:
            raise InvalidParameterException(f"Invalid setting name: {name}")
        target = await self._target(account, access_key, principal)

        def delete(tx: Tx) -> str:
            current = store.account_settings(tx, account, region)
            value = current.get((target, name))
            if value is None:
                raise InvalidParameterException(f"The {name} setting is not set for {target}.")
            store.delete_account_setting(tx, account, region, target, name)
            return value

        value = await self._write(delete)
        return accounts.setting(name, value, target)

    async def list_account_settings(
        self,
        account: str,
        region: str,
        access_key: str,
        name: str | None,
        value: str | None,
        principal: str | None,
        effective: bool,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        target = await self._target(account, access_key, principal)
        current = await self.store.read(lambda tx: store.account_settings(tx, account, region))
        root = f"arn:aws:iam::{account}:root"
        out = []
        for setting_name, default in accounts.DEFAULTS.items():
            if name and setting_name != name:
                continue
            own = current.get((target, setting_name))
            if own is not None:
                found = accounts.setting(setting_name, own, target)
            elif not effective:
                continue
            elif (account_default := current.get(("", setting_name))) is not None:
                found = accounts.setting(setting_name, account_default, root)
            else:
                found = accounts.setting(setting_name, default, root, "aws_managed")
            if value and found["value"] != value:
                continue
            out.append(found)
        page, more = _page(out, token, limit, 10)
        return {"settings": page, **({"nextToken": more} if more else {})}

    # --- tasks ------------------------------------------------------------------------------------------------

    def _runner(self) -> TaskRunner:
        assert self.runner is not None, "the task runner is made at start"
        return self.runner

    async def runner_leads(self) -> bool:
        return await self._runner().leads()

    async def _engine_here(self, operation: str) -> None:
        """The engine must answer, and this node must be the one running its tasks."""
        runner = self._runner()
        try:
            await runner.containers.require()
        except NoEngine as exc:
            raise ClientException(f"{operation} needs a container engine: {exc}") from None
        if not await runner.leads():
            raise ClientException(
                f"Another gureum node on this machine runs the tasks of {runner.containers.address}: call that node."
            )

    async def run_task(
        self,
        account: str,
        region: str,
        cluster_reference: str | None,
        task_definition: str,
        count: int | None,
        launch_type: str | None,
        strategy: list[dict[str, Any]] | None,
        overrides: dict[str, Any] | None,
        started_by: str | None,
        group: str | None,
        tags: list[dict[str, Any]] | None,
        network: dict[str, Any] | None,
        platform_version: str | None = None,
        propagate_tags: str | None = None,
        enable_execute_command: bool = False,
        managed_tags: bool = False,
    ) -> dict[str, Any]:
        """Start ``count`` tasks on the engine; they go on from PROVISIONING in the background."""
        wanted = 1 if count is None else count
        services.check_execute_command(enable_execute_command)
        if propagate_tags not in (None, "NONE", "TASK_DEFINITION"):
            raise InvalidParameterException("propagateTags SERVICE is valid only for the tasks of a service.")
        if platform_version is not None and platform_version not in tasks.PLATFORM_VERSIONS:
            raise InvalidParameterException(f"The specified platform version ({platform_version}) does not exist.")
        if not 1 <= wanted <= 10:
            raise InvalidParameterException("count must be between 1 and 10.")
        if launch_type and strategy:
            raise InvalidParameterException(
                "Specifying both a launch type and capacity provider strategy is not supported."
            )
        runner = self._runner()
        await self._engine_here("RunTask")
        family, revision = taskdefs.parse_reference(task_definition)
        found_definition = await self.store.read(
            lambda tx: store.task_definition(tx, account, region, family, revision)
        )
        if found_definition is not None:
            await self._check_roles(found_definition[0], overrides)
        tag_list = merge_tags([], tags or [])
        now = self.clock.now()

        def run(tx: Tx) -> list[dict[str, Any]]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            found = store.task_definition(tx, account, region, family, revision)
            if found is None:
                raise ClientException("TaskDefinition not found.")
            definition = found[0]
            chosen_strategy = (
                strategy if strategy is not None else (found_cluster.strategy if not launch_type else None)
            )
            provider = None
            chosen_launch = launch_type
            if chosen_strategy:
                for step in chosen_strategy:
                    name = step.get("capacityProvider")
                    if name not in found_cluster.capacity_providers and name not in ("FARGATE", "FARGATE_SPOT"):
                        raise InvalidParameterException(
                            f"The specified capacity provider strategy cannot contain a capacity provider that is "
                            f"not associated with the cluster. Capacity provider: {name}"
                        )
                provider = next(
                    (step["capacityProvider"] for step in chosen_strategy if step.get("weight", 0)),
                    chosen_strategy[0]["capacityProvider"],
                )
                chosen_launch = "FARGATE" if provider in ("FARGATE", "FARGATE_SPOT") else "EC2"
            chosen_launch = tasks.check_run(definition, chosen_launch, network)
            if platform_version is not None and chosen_launch == "EC2":
                raise InvalidParameterException("The platform version must be null when specifying an EC2 launch type.")
            task_tags = merge_tags(found[1], tag_list) if propagate_tags == "TASK_DEFINITION" else tag_list
            if managed_tags:  # ECS's own tag, beyond the 50 a caller may give
                task_tags = [*task_tags, {"key": "aws:ecs:clusterName", "value": found_cluster.name}]
            return self._create_tasks(
                tx,
                account,
                region,
                found_cluster.name,
                definition,
                wanted,
                chosen_launch,
                provider,
                overrides,
                started_by,
                group,
                task_tags,
                network,
                now,
                platform_version,
            )

        created = await self._write(run)
        for doc in created:
            runner.launch(tasks.task_id_of(doc["taskArn"]))
        return {"tasks": [tasks.public(doc) for doc in created], "failures": []}

    def _create_tasks(
        self,
        tx: Tx,
        account: str,
        region: str,
        cluster: str,
        definition: dict[str, Any],
        count: int,
        launch_type: str,
        provider: str | None,
        overrides: dict[str, Any] | None,
        started_by: str | None,
        group: str | None,
        tags: list[dict[str, str]],
        network: dict[str, Any] | None,
        now: float,
        platform_version: str | None = None,
    ) -> list[dict[str, Any]]:
        """New tasks recorded (PROVISIONING, with their first event); the caller launches them after the commit."""
        runner = self._runner()
        containers = tasks.containers_of(definition, overrides)
        out = []
        for _ in range(count):
            doc = tasks.new_task(
                account,
                region,
                cluster,
                definition,
                containers,
                launch_type,
                provider,
                overrides,
                started_by,
                group,
                tags,
                network,
                now,
            )
            if launch_type == "EC2":
                doc["containerInstanceArn"] = instances.instance_arn(account, region, cluster)
            elif platform_version is not None:
                doc["platformVersion"] = tasks.platform_version(platform_version)
            private = doc[tasks.PRIVATE]
            private["networkMode"] = definition.get("networkMode", "bridge")
            private["volumeDefinitions"] = definition.get("volumes") or []
            private["taskRoleArn"] = (overrides or {}).get("taskRoleArn") or definition.get("taskRoleArn")
            role = (overrides or {}).get("executionRoleArn")
            private["executionRoleArn"] = role or definition.get("executionRoleArn")
            private["taskCpu"] = (overrides or {}).get("cpu") or definition.get("cpu")
            private["taskMemory"] = (overrides or {}).get("memory") or definition.get("memory")
            task_id = tasks.task_id_of(doc["taskArn"])
            store.insert_task(tx, task_id, account, region, cluster, definition["family"], doc, runner.owner)
            runner.event(tx, doc)
            out.append(doc)
        return out

    async def start_task(
        self,
        account: str,
        region: str,
        cluster_reference: str | None,
        container_instances: list[str],
        task_definition: str,
        overrides: dict[str, Any] | None,
        started_by: str | None,
        group: str | None,
        tags: list[dict[str, Any]] | None,
        network: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """StartTask: one task on each named container instance (this machine's, the cluster's one)."""
        runner = self._runner()
        await self._engine_here("StartTask")
        family, revision = taskdefs.parse_reference(task_definition)
        found_definition = await self.store.read(
            lambda tx: store.task_definition(tx, account, region, family, revision)
        )
        if found_definition is not None:
            await self._check_roles(found_definition[0], overrides)
        tag_list = merge_tags([], tags or [])
        now = self.clock.now()

        def start(tx: Tx) -> list[dict[str, Any]]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            instances.check_instances(container_instances, instances.instance_arn(account, region, found_cluster.name))
            found = store.task_definition(tx, account, region, family, revision)
            if found is None:
                raise ClientException("TaskDefinition not found.")
            tasks.check_run(found[0], "EC2", network)
            return self._create_tasks(
                tx,
                account,
                region,
                found_cluster.name,
                found[0],
                len(container_instances),
                "EC2",
                None,
                overrides,
                started_by,
                group,
                tag_list,
                network,
                now,
            )

        created = await self._write(start)
        for doc in created:
            runner.launch(tasks.task_id_of(doc["taskArn"]))
        return {"tasks": [tasks.public(doc) for doc in created], "failures": []}

    async def stop_task(
        self, account: str, region: str, cluster_reference: str | None, task: str, reason: str | None
    ) -> dict[str, Any]:
        task_id = tasks.task_id_of(task)

        def stop(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            found = store.task(tx, task_id)
            if found is None or not found[0]["taskArn"].startswith(
                f"arn:aws:ecs:{region}:{account}:task/{found_cluster.name}/"
            ):
                raise InvalidParameterException("The referenced task was not found.")
            store.request_stop(tx, task_id, reason or "Task stopped by user")
            doc = store.task(tx, task_id)
            assert doc is not None
            return doc[0]

        doc = await self._write(stop)
        self._runner().stop_requested(task_id)
        return tasks.public(doc)

    async def describe_tasks(
        self, account: str, region: str, cluster_reference: str | None, references: list[str], include: list[str] | None
    ) -> dict[str, Any]:
        if not 1 <= len(references) <= 100:
            raise InvalidParameterException("Tasks cannot be empty and may name at most 100 tasks.")

        def read(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            prefix = f"arn:aws:ecs:{region}:{account}:task/{found_cluster.name}/"
            out, failures = [], []
            for reference in references:
                found = store.task(tx, tasks.task_id_of(reference))
                if found is None or not found[0]["taskArn"].startswith(prefix):
                    failures.append(
                        {"arn": reference if reference.startswith("arn:") else prefix + reference, "reason": "MISSING"}
                    )
                    continue
                doc = tasks.public(found[0])
                if not include or "TAGS" not in include:
                    doc.pop("tags", None)
                out.append(doc)
            return {"tasks": out, "failures": failures}

        return await self.store.read(read)

    async def list_tasks(
        self,
        account: str,
        region: str,
        cluster_reference: str | None,
        family: str | None,
        started_by: str | None,
        desired: str | None,
        launch_type: str | None,
        service_name: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[str]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            ids = store.task_ids(
                tx, account, region, found_cluster.name, family, started_by, desired or "RUNNING", launch_type
            )
            if service_name is not None:
                service = self._service(tx, account, region, found_cluster.name, service_name)
                deployments = [d["id"] for d in service["deployments"]]
                mine = {row[0] for row in store.tasks_started_by(tx, account, region, found_cluster.name, deployments)}
                ids = [task_id for task_id in ids if task_id in mine]
            return [tasks.task_arn(account, region, found_cluster.name, task_id) for task_id in ids]

        arns = await self.store.read(read)
        page, more = _page(arns, token, limit)
        return {"taskArns": page, **({"nextToken": more} if more else {})}

    # --- what a running task asks gureum (the metadata and credentials endpoints) -----------------------------

    async def task_by_secret(self, task_id: str, secret: str) -> dict[str, Any] | None:
        """A task's stored document when ``secret`` is the one its containers were given (None otherwise)."""
        found = await self.store.read(lambda tx: store.task(tx, task_id))
        if found is None or not secrets.compare_digest(found[0][tasks.PRIVATE]["secret"], secret):
            return None
        return found[0]

    # --- services ---------------------------------------------------------------------------------------------

    @staticmethod
    def _service(tx: Tx, account: str, region: str, cluster: str, name: str) -> dict[str, Any]:
        doc = store.service(tx, account, region, cluster, services_name(name))
        if doc is None or doc["status"] == "INACTIVE":
            raise ServiceNotFoundException("Service not found.")
        return doc

    async def create_service(
        self,
        account: str,
        region: str,
        access_key: str,
        cluster_reference: str | None,
        name: str,
        task_definition: str | None,
        desired: int | None,
        launch_type: str | None,
        strategy: list[dict[str, Any]] | None,
        configuration: dict[str, Any] | None,
        network: dict[str, Any] | None,
        tags: list[dict[str, Any]] | None,
        scheduling: str | None,
        platform_version: str | None,
        propagate_tags: str | None = None,
        managed_tags: bool | None = None,
        az_rebalancing: str | None = None,
        execute_command: bool | None = None,
    ) -> dict[str, Any]:
        services.check_execute_command(execute_command)
        if scheduling == "DAEMON":
            raise InvalidParameterException("The DAEMON scheduling strategy is not supported: use REPLICA.")
        if not task_definition:
            raise InvalidParameterException("TaskDefinition must be specified.")
        if launch_type and strategy:
            raise InvalidParameterException(
                "Specifying both a launch type and capacity provider strategy is not supported."
            )
        count = desired or 0
        if count < 0:
            raise InvalidParameterException("The desired count must be 0 or more.")
        config = services.check_configuration(configuration)
        tag_list = merge_tags([], tags or [])
        created_by = await self.principal(account, access_key)
        family, revision = taskdefs.parse_reference(task_definition)
        now = self.clock.now()

        def create(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            existing = store.service(tx, account, region, found_cluster.name, name)
            if existing is not None and existing["status"] != "INACTIVE":
                raise InvalidParameterException("Creation of service was not idempotent.")
            found = store.task_definition(tx, account, region, family, revision)
            if found is None:
                raise ClientException("TaskDefinition not found.")
            definition = found[0]
            chosen_launch = launch_type or ("FARGATE" if strategy else None)
            tasks.check_run(definition, chosen_launch, network)
            doc: dict[str, Any] = {
                "serviceArn": services.service_arn(account, region, found_cluster.name, name),
                "serviceName": name,
                "clusterArn": found_cluster.arn,
                "loadBalancers": [],
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": 0,
                "pendingCount": 0,
                "taskDefinition": definition["taskDefinitionArn"],
                "deploymentConfiguration": config,
                "deployments": [],
                "events": [],
                "createdAt": now,
                "placementConstraints": [],
                "placementStrategy": [],
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "createdBy": created_by,
                "enableECSManagedTags": bool(managed_tags),
                "propagateTags": propagate_tags or "NONE",
                "enableExecuteCommand": False,
                # ECS defaults it to ENABLED on create (the CreateService reference)
                "availabilityZoneRebalancing": az_rebalancing or "ENABLED",
                "tags": tag_list,
            }
            if strategy:
                doc["capacityProviderStrategy"] = strategy
            else:
                doc["launchType"] = launch_type or "EC2"
            if (launch_type or "") == "FARGATE":
                doc["platformVersion"] = platform_version or "LATEST"
                doc["platformFamily"] = "Linux"
            if network:
                doc["networkConfiguration"] = network
            doc["deployments"].append(services.new_deployment(doc["taskDefinition"], count, doc, now))
            store.insert_service(tx, account, region, found_cluster.name, doc)
            return doc

        doc = await self._write(create)
        return _public_service(doc, True)

    async def describe_services(
        self, account: str, region: str, cluster_reference: str | None, names: list[str], include: list[str] | None
    ) -> dict[str, Any]:
        if not 1 <= len(names) <= 10:
            raise InvalidParameterException("services must name between 1 and 10 services.")

        def read(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            out, failures = [], []
            for reference in names:
                doc = store.service(tx, account, region, found_cluster.name, services_name(reference))
                if doc is None:
                    arn = (
                        reference
                        if reference.startswith("arn:")
                        else services.service_arn(account, region, found_cluster.name, reference)
                    )
                    failures.append({"arn": arn, "reason": "MISSING"})
                    continue
                out.append(_public_service(doc, bool(include and "TAGS" in include)))
            return {"services": out, "failures": failures}

        return await self.store.read(read)

    async def list_services(
        self,
        account: str,
        region: str,
        cluster_reference: str | None,
        launch_type: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[str]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            arns = []
            for name in store.service_names(tx, account, region, found_cluster.name):
                doc = store.service(tx, account, region, found_cluster.name, name)
                if doc is not None and (launch_type is None or doc.get("launchType") == launch_type):
                    arns.append(doc["serviceArn"])
            return arns

        arns = await self.store.read(read)
        page, more = _page(arns, token, limit)
        return {"serviceArns": page, **({"nextToken": more} if more else {})}

    async def update_service(
        self,
        account: str,
        region: str,
        cluster_reference: str | None,
        name: str,
        desired: int | None,
        task_definition: str | None,
        configuration: dict[str, Any] | None,
        network: dict[str, Any] | None,
        force_new: bool,
        propagate_tags: str | None = None,
        managed_tags: bool | None = None,
        az_rebalancing: str | None = None,
        execute_command: bool | None = None,
    ) -> dict[str, Any]:
        services.check_execute_command(execute_command)
        now = self.clock.now()

        def update(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            doc = self._service(tx, account, region, found_cluster.name, name)
            if doc["status"] != "ACTIVE":
                raise ServiceNotActiveException("Service was not ACTIVE.")
            if configuration is not None:
                doc["deploymentConfiguration"] = services.check_configuration(
                    configuration, doc["deploymentConfiguration"]
                )
            if desired is not None:
                if desired < 0:
                    raise InvalidParameterException("The desired count must be 0 or more.")
                doc["desiredCount"] = desired
                doc["deployments"][0]["desiredCount"] = desired
            if network is not None:
                doc["networkConfiguration"] = network
            # these apply to tasks started from now on and start no deployment (the UpdateService reference)
            if propagate_tags is not None:
                doc["propagateTags"] = propagate_tags
            if managed_tags is not None:
                doc["enableECSManagedTags"] = managed_tags
            if az_rebalancing is not None:
                doc["availabilityZoneRebalancing"] = az_rebalancing
            target = doc["taskDefinition"]
            if task_definition is not None:
                family, revision = taskdefs.parse_reference(task_definition)
                found = store.task_definition(tx, account, region, family, revision)
                if found is None:
                    raise ClientException("TaskDefinition not found.")
                tasks.check_run(found[0], doc.get("launchType"), doc.get("networkConfiguration"))
                target = found[0]["taskDefinitionArn"]
            if target != doc["taskDefinition"] or force_new or network is not None:
                services.deploy(doc, target, now)
            store.save_service(tx, account, region, found_cluster.name, doc)
            return doc

        return _public_service(await self._write(update), True)

    async def delete_service(
        self, account: str, region: str, cluster_reference: str | None, name: str, force: bool
    ) -> dict[str, Any]:
        def delete(tx: Tx) -> dict[str, Any]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            doc = self._service(tx, account, region, found_cluster.name, name)
            if doc["desiredCount"] > 0 and not force:
                raise InvalidParameterException("The service cannot be stopped while it is scaled above 0.")
            doc["status"] = "DRAINING"
            doc["desiredCount"] = 0
            store.save_service(tx, account, region, found_cluster.name, doc)
            return doc

        return _public_service(await self._write(delete), True)

    async def schedule(self) -> None:
        """One pass of the service scheduler (on the leader): each service's tasks started and stopped toward its
        desired count and deployments."""
        for key in await self.store.read(store.scheduled_services):
            try:
                await self._schedule(*key)
            except Exception:  # one service's trouble does not stop the others
                log.exception("ECS service %s failed to schedule", key[3])

    async def _schedule(self, account: str, region: str, cluster: str, name: str) -> None:
        runner = self._runner()
        now = self.clock.now()
        launched: list[str] = []
        stopped: list[str] = []

        def step(tx: Tx) -> None:
            doc = store.service(tx, account, region, cluster, name)
            if doc is None or doc["status"] == "INACTIVE":
                return
            ids = [d["id"] for d in doc["deployments"]]
            views = [
                services.TaskView(task_id, started_by, last, desired, code, health)
                for task_id, started_by, last, desired, code, health in store.tasks_started_by(
                    tx, account, region, cluster, ids
                )
            ]
            plan = services.plan(doc, views, now)
            primary = doc["deployments"][0]
            if plan.start:
                family, revision = taskdefs.parse_reference(primary["taskDefinition"])
                found = store.task_definition(tx, account, region, family, revision)
                if found is not None:
                    provider = None
                    launch_type = doc.get("launchType") or "FARGATE"
                    if doc.get("capacityProviderStrategy"):
                        provider = doc["capacityProviderStrategy"][0]["capacityProvider"]
                    created = self._create_tasks(
                        tx,
                        account,
                        region,
                        cluster,
                        found[0],
                        plan.start,
                        launch_type,
                        provider,
                        None,
                        primary["id"],
                        f"service:{name}",
                        services.task_tags(doc, found[1], cluster),
                        doc.get("networkConfiguration"),
                        now,
                    )
                    launched.extend(tasks.task_id_of(d["taskArn"]) for d in created)
                    plan.changed = True
            for task_id, reason in plan.stop:
                if store.request_stop(tx, task_id, reason, "ServiceSchedulerInitiated"):
                    stopped.append(task_id)
                    plan.changed = True
            for message in plan.events:
                services.add_event(doc, message, now)
            for event_name, reason in plan.deployment_events:
                self._deployment_event(tx, doc, event_name, reason, now)
            if plan.inactive:
                doc["status"] = "INACTIVE"
                plan.changed = True
            if plan.changed or plan.events:
                store.save_service(tx, account, region, cluster, doc)

        await self._write(step)
        for task_id in launched:
            runner.launch(task_id)
        for task_id in stopped:
            runner.stop_requested(task_id)

    def _deployment_event(self, tx: Tx, doc: dict[str, Any], name: str, reason: str, now: float) -> None:
        parts = doc["serviceArn"].split(":")
        region, account = parts[3], parts[4]
        at = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "ECS Deployment State Change",
            "source": "aws.ecs",
            "account": account,
            "time": at[:19] + "Z",
            "region": region,
            "resources": [doc["serviceArn"]],
            "detail": {
                "eventType": "ERROR" if name.endswith("FAILED") else "INFO",
                "eventName": name,
                "deploymentId": doc["deployments"][0]["id"],
                "updatedAt": at,
                "reason": reason,
            },
        }
        bus = f"arn:aws:events:{region}:{account}:event-bus/default"
        self._runner().delivery.enqueue(tx, "events", bus, {"event": event, "hops": 1}, source=doc["serviceArn"])


def _iso_time(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def services_name(reference: str) -> str:
    """A service's name from its name or ARN."""
    return reference.rsplit("/", 1)[-1] if reference.startswith("arn:") else reference


def _public_service(doc: dict[str, Any], with_tags: bool) -> dict[str, Any]:
    out = {key: value for key, value in doc.items() if key != services.PRIVATE}
    if not with_tags:
        out.pop("tags", None)
    return out
