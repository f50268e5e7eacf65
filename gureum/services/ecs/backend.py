"""EcsBackend: ECS's control plane over the store — clusters, capacity providers, task definition revisions,
tags and account settings — one method per operation with plain arguments, kept by the start hook and reached
with backend(ctx). (Tasks and services, which run on the container engine, come next.)"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...containers import NoEngine
from ...store.base import Store, Tx
from . import accounts, store, taskdefs, tasks
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
    ClientException,
    ClusterContainsTasksException,
    ClusterNotFoundException,
    InvalidParameterException,
    ResourceNotFoundException,
    cluster_not_found,
    no_task_definition,
)

if TYPE_CHECKING:
    from .runner import TaskRunner

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


class EcsBackend:
    def __init__(self, store_: Store, clock: Clock, principal: Principal, runner: TaskRunner | None = None) -> None:
        self.store = store_
        self.clock = clock
        self.principal = principal
        self.runner = runner

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
        chosen_providers, chosen_strategy = check_providers(providers, strategy, set())

        def create(tx: Tx) -> Cluster:
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
                clusters.append(found.doc(include or [], store.task_counts(tx, account, region, name)))
            return {"clusters": clusters, "failures": failures}

        return await self.store.read(read)

    async def list_clusters(self, account: str, region: str, token: str | None, limit: int | None) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.active_clusters(tx, account, region))
        page, more = _page([c.arn for c in found], token, limit)
        return {"clusterArns": page, **({"nextToken": more} if more else {})}

    async def delete_cluster(self, account: str, region: str, reference: str) -> dict[str, Any]:
        def delete(tx: Tx) -> Cluster:
            found = self._active(tx, account, region, reference)
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
        chosen, steps = check_providers(providers, strategy, set())

        def put(tx: Tx) -> Cluster:
            found = self._active(tx, account, region, reference)
            found.capacity_providers, found.strategy = chosen, steps
            store.update_cluster(tx, found.id, capacity_providers=chosen, strategy=steps)
            return found

        return (await self._write(put)).doc()

    async def describe_capacity_providers(self, names: list[str] | None) -> dict[str, Any]:
        """FARGATE and FARGATE_SPOT (EC2-style providers with Auto Scaling groups cannot exist here)."""
        wanted = names or list(BUILT_IN_PROVIDERS)
        found = [built_in_provider(name) for name in wanted if name in BUILT_IN_PROVIDERS]
        failures = [{"arn": name, "reason": "MISSING"} for name in wanted if name not in BUILT_IN_PROVIDERS]
        return {"capacityProviders": found, "failures": failures}

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
    ) -> dict[str, Any]:
        """Start ``count`` tasks on the engine; they go on from PROVISIONING in the background."""
        wanted = 1 if count is None else count
        if not 1 <= wanted <= 10:
            raise InvalidParameterException("count must be between 1 and 10.")
        if launch_type and strategy:
            raise InvalidParameterException(
                "Specifying both a launch type and capacity provider strategy is not supported."
            )
        runner = self._runner()
        try:
            await runner.containers.require()
        except NoEngine as exc:
            raise ClientException(f"RunTask needs a container engine: {exc}") from None
        family, revision = taskdefs.parse_reference(task_definition)
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
            containers = tasks.containers_of(definition, overrides)
            out = []
            for _ in range(wanted):
                doc = tasks.new_task(
                    account,
                    region,
                    found_cluster.name,
                    definition,
                    containers,
                    chosen_launch,
                    provider,
                    overrides,
                    started_by,
                    group,
                    tag_list,
                    network,
                    now,
                )
                private = doc[tasks.PRIVATE]
                private["networkMode"] = definition.get("networkMode", "bridge")
                private["taskRoleArn"] = (overrides or {}).get("taskRoleArn") or definition.get("taskRoleArn")
                private["taskCpu"] = (overrides or {}).get("cpu") or definition.get("cpu")
                private["taskMemory"] = (overrides or {}).get("memory") or definition.get("memory")
                task_id = tasks.task_id_of(doc["taskArn"])
                store.insert_task(tx, task_id, account, region, found_cluster.name, family, doc, runner.owner)
                runner.event(tx, doc)
                out.append(doc)
            return out

        created = await self._write(run)
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
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[str]:
            found_cluster = self._active(tx, account, region, cluster_reference)
            ids = store.task_ids(
                tx, account, region, found_cluster.name, family, started_by, desired or "RUNNING", launch_type
            )
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
