"""Roles (a part of IamBackend): create, read, update, delete, list, permissions boundaries and service-linked
roles (tags: resources.Parts)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ...store.base import Tx
from . import store
from .errors import DeleteConflict, InvalidInput, NoSuchEntity, UnmodifiableEntity
from .model import TRUST_POLICY_CHARS, check_document, merge_tags, page
from .resources import Parts, claim, create, require, require_policy, role_shape
from .store import Entity

SLR_PATH = "/aws-service-role/"
# role names AWS gives service-linked roles (the rest follow AWSServiceRoleFor + the service's first label)
_SLR_NAMES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "ops.apigateway.amazonaws.com": "AWSServiceRoleForAPIGateway",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
    "opensearchservice.amazonaws.com": "AWSServiceRoleForAmazonOpenSearchService",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "lambda.amazonaws.com": "AWSServiceRoleForLambda",
    "replicator.lambda.amazonaws.com": "AWSServiceRoleForLambdaReplicator",
    "events.amazonaws.com": "AWSServiceRoleForCloudWatchEvents",
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "support.amazonaws.com": "AWSServiceRoleForSupport",
    "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
}


def _protected(role: Entity) -> None:
    if role.path.startswith(SLR_PATH):
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{role.name}' - this role is only modifiable by AWS"
        )


def slr_name(service: str, suffix: str | None) -> str:
    """The name AWS gives a service's service-linked role."""
    name = _SLR_NAMES.get(service) or "AWSServiceRoleFor" + "".join(
        part[:1].upper() + part[1:] for part in service.split(".")[0].split("-")
    )
    return f"{name}_{suffix}" if suffix else name


def _slr_trust(service: str) -> str:
    return (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"'
        + service
        + '"},"Action":"sts:AssumeRole"}]}'
    )


class Roles(Parts):
    async def create_role(
        self,
        account: str,
        name: str,
        path: str | None,
        trust_policy: str,
        description: str | None,
        max_session_duration: int | None,
        tags: list[dict[str, str]],
        boundary: str | None,
    ) -> dict[str, Any]:
        check_document(trust_policy, trust=True, limit=TRUST_POLICY_CHARS)
        data: dict[str, Any] = {
            "AssumeRolePolicyDocument": trust_policy,
            "Description": description,
            "MaxSessionDuration": max_session_duration or 3600,
            "Tags": merge_tags([], tags),
        }
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            if boundary:
                require_policy(tx, account, boundary)
                data["PermissionsBoundary"] = boundary
            return role_shape(create(tx, account, "role", name, path, data, now))

        return await self.store.write(write)

    async def get_role(self, account: str, name: str) -> dict[str, Any]:
        return role_shape(await self.store.read(lambda tx: require(tx, account, "role", name)))

    async def update_role(
        self, account: str, name: str, description: str | None, max_session_duration: int | None
    ) -> None:
        """UpdateRole: a description given (even empty) replaces the old one; a duration, when given. A
        service-linked role's description may change (AWS documents editing it so), nothing else of it."""

        def change(tx: Tx, role: Entity) -> None:
            if description is not None:
                role.data["Description"] = description
            if max_session_duration:
                role.data["MaxSessionDuration"] = max_session_duration

        await self._update(account, name, change, service_linked=not max_session_duration)

    async def update_role_description(self, account: str, name: str, description: str) -> dict[str, Any]:
        def change(tx: Tx, role: Entity) -> None:
            role.data["Description"] = description

        return role_shape(await self._update(account, name, change, service_linked=True))

    async def update_assume_role_policy(self, account: str, name: str, trust_policy: str) -> None:
        check_document(trust_policy, trust=True, limit=TRUST_POLICY_CHARS)

        def change(tx: Tx, role: Entity) -> None:
            role.data["AssumeRolePolicyDocument"] = trust_policy

        await self._update(account, name, change)

    async def delete_role(self, account: str, name: str) -> None:
        def write(tx: Tx) -> None:
            role = claim(tx, account, "role", name)
            _protected(role)
            if store.parents(tx, role.id):
                raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
            if store.attached(tx, role.id):
                raise DeleteConflict("Cannot delete entity, must detach all policies first.")
            if store.inline_policies(tx, role.id):
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            store.delete(tx, role)

        await self.store.write(write)

    async def list_roles(
        self, account: str, path_prefix: str | None, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        prefix = path_prefix or "/"
        roles = await self.store.read(lambda tx: store.all_of(tx, account, "role"))
        shown = [r for r in roles if r.path.startswith(prefix)]
        return page(shown, "Roles", marker, max_items, lambda r: role_shape(r, full=False))

    async def put_role_permissions_boundary(self, account: str, name: str, boundary: str) -> None:
        def change(tx: Tx, role: Entity) -> None:
            require_policy(tx, account, boundary)
            role.data["PermissionsBoundary"] = boundary

        await self._update(account, name, change)

    async def delete_role_permissions_boundary(self, account: str, name: str) -> None:
        def change(tx: Tx, role: Entity) -> None:
            if not role.data.pop("PermissionsBoundary", None):
                raise NoSuchEntity(f"The permissions boundary for the role with name {role.name} cannot be found.")

        await self._update(account, name, change)

    async def _update(
        self, account: str, name: str, change: Callable[[Tx, Entity], None], service_linked: bool = False
    ) -> Entity:
        """Change a role in one transaction (a service-linked one only with ``service_linked``); the role as saved."""

        def write(tx: Tx) -> Entity:
            role = claim(tx, account, "role", name)
            if not service_linked:
                _protected(role)
            change(tx, role)
            store.save(tx, role)
            return role

        return await self.store.write(write)

    # --- service-linked roles -----------------------------------------------------------------------------------

    async def create_service_linked_role(
        self, account: str, service: str, description: str | None, suffix: str | None
    ) -> dict[str, Any]:
        if not service.endswith(".amazonaws.com"):
            raise InvalidInput(f"Invalid service name: {service}")
        data: dict[str, Any] = {
            "AssumeRolePolicyDocument": _slr_trust(service),
            "Description": description,
            "MaxSessionDuration": 3600,
            "Tags": [],
        }
        name = slr_name(service, suffix)
        now = self.clock.now()
        role = await self.store.write(lambda tx: create(tx, account, "role", name, f"{SLR_PATH}{service}/", data, now))
        return role_shape(role)

    async def delete_service_linked_role(self, account: str, name: str) -> str:
        """The deletion task's id."""

        def write(tx: Tx) -> str:
            role = claim(tx, account, "role", name)
            if not role.path.startswith(SLR_PATH):
                raise InvalidInput(f"Role {role.name} is not a service-linked role.")
            store.delete(tx, role)
            return f"task{role.path}{role.name}/{uuid.uuid4()}"

        return await self.store.write(write)

    async def service_linked_role_deletion_status(self, task_id: str) -> str:
        # a deletion completes inside DeleteServiceLinkedRole's transaction
        if not task_id.startswith("task" + SLR_PATH):
            raise InvalidInput(f"Invalid deletion task id: {task_id}")
        return "SUCCEEDED"
