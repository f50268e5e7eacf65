"""Parameter Store's backend object: every operation with plain arguments, each in one store transaction; the
"Parameter Store Change" events go to the account's default EventBus through the delivery outbox in the same one.
SecureString values are encrypted with AES-GCM under a data key gureum keeps per account, Region and KMS key id
named (gureum has no KMS: the key id is recorded, not checked). Kept with runtime.keep at start."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import os
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import errors, parameters, store
from .parameters import DEFAULT_KEY, Version


def backend(ctx: RequestContext) -> SsmBackend:
    return ctx.runtime.state(SsmBackend)


class SsmBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock

    # --- writing -------------------------------------------------------------------------------------------------

    async def put_parameter(
        self,
        account: str,
        region: str,
        access_key: str,
        name: str,
        value: str,
        *,
        type_: str | None,
        description: str | None,
        key_id: str | None,
        overwrite: bool,
        allowed_pattern: str | None,
        tags: list[dict[str, str]] | None,
        tier: str | None,
        policies: str | None,
        data_type: str | None,
    ) -> dict[str, Any]:
        parameters.check_name(name, region, account)
        if tags and overwrite:
            raise errors.ValidationException(
                "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
                "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
                "RemoveTagsFromResource."
            )
        if data_type is not None and data_type not in parameters.DATA_TYPES:
            raise errors.ValidationException(
                f"The following data type is not supported: {data_type} (use text, aws:ec2:image or "
                "aws:ssm:integration)"
            )
        tag_map = _tags(tags or [])
        now = self.clock.now()
        user = await self.runtime.principal_arn(account, access_key)
        parsed_policies = parameters.policies(policies, now)
        if allowed_pattern:
            parameters.compile_pattern(allowed_pattern)

        def run(tx: Tx) -> dict[str, Any]:
            store.lock(tx, account, region, name)
            found = store.current(tx, account, region, name)
            kept = store.versions(tx, account, region, name) if found else []
            if kept and _expired(kept[-1], now):
                store.delete(tx, account, region, name)
                found, kept = None, []
            if found is not None and not overwrite:
                raise errors.ParameterAlreadyExists(
                    "The parameter already exists. To overwrite this value, set the overwrite option in the request "
                    "to true."
                )
            before = kept[-1] if kept else None
            kind = type_ or (before.type if before else None)
            if kind is None:
                raise errors.ValidationException("A parameter type is required when you create a parameter.")
            pattern = allowed_pattern if allowed_pattern is not None else (before.allowed_pattern if before else None)
            parameters.check_value(value, pattern)
            chosen_tier = parameters.tier_for(tier, value, parsed_policies, before.tier if before else None)
            if found is None:
                limit = parameters.STANDARD_LIMIT if chosen_tier == "Standard" else parameters.ADVANCED_LIMIT
                if store.count(tx, account, region, chosen_tier) >= limit:
                    raise errors.ParameterLimitExceeded(
                        f"You have exceeded the number of {chosen_tier.lower()} parameters ({limit}) for this account "
                        "in this Region. Delete one or more parameters and try again."
                    )
            number = (before.version + 1) if before else 1
            if len(kept) >= parameters.MAX_VERSIONS:
                oldest = kept[0]
                if oldest.labels:
                    raise errors.ParameterMaxVersionLimitExceeded(
                        f"You attempted to create a new version of {name} by calling the PutParameter API with the "
                        f"overwrite flag. Version {oldest.version}, the oldest version, can't be deleted because it "
                        "has a label associated with it. Move the label to another version of the parameter, and "
                        "try again."
                    )
                store.drop_version(tx, account, region, name, oldest.version)
            stored = value
            key = None
            if kind == "SecureString":
                key = key_id or (before.key_id if before and before.type == "SecureString" else None) or DEFAULT_KEY
                stored = _encrypt(_data_key(tx, account, region, key), name, value)
            version = Version(
                name, number, kind, stored, now, user,
                description=description if description is not None else (before.description if before else ""),
                key_id=key, allowed_pattern=pattern, tier=chosen_tier, policies=parsed_policies,
                data_type=data_type or (before.data_type if before else "text"),
            )  # fmt: skip
            store.add_version(tx, account, region, version, tag_map if found is None else None)
            self._event(tx, account, region, version, "Create" if found is None else "Update")
            return {"Version": number, "Tier": chosen_tier}

        return await self.store.write(run)

    async def delete_parameter(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            store.lock(tx, account, region, name)
            kept = store.versions(tx, account, region, name)
            if not kept or not store.delete(tx, account, region, name):
                raise errors.not_found()
            if not _expired(kept[-1], self.clock.now()):
                self._event(tx, account, region, kept[-1], "Delete")

        await self.store.write(run)

    async def delete_parameters(self, account: str, region: str, names: list[str]) -> dict[str, Any]:
        deleted: list[str] = []
        invalid: list[str] = []
        for name in dict.fromkeys(names):
            try:
                await self.delete_parameter(account, region, name)
                deleted.append(name)
            except errors.ServiceError:
                invalid.append(name)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    async def label_parameter_version(
        self, account: str, region: str, name: str, version: int | None, labels: list[str]
    ) -> dict[str, Any]:
        invalid = [label for label in labels if not parameters.label_is_valid(label)]
        good = [label for label in dict.fromkeys(labels) if label not in invalid]

        def run(tx: Tx) -> dict[str, Any]:
            store.lock(tx, account, region, name)
            kept = self._kept(tx, account, region, name)
            target = parameters.select(kept, str(version) if version is not None else None)
            if len(set(target.labels) | set(good)) > parameters.MAX_LABELS:
                raise errors.ParameterVersionLabelLimitExceeded(
                    f"A parameter version can have maximum {parameters.MAX_LABELS} labels.Move one or more labels to "
                    "another version and try again."
                )
            for other in kept:  # a label names one version: attaching it here moves it
                if other is not target and set(other.labels) & set(good):
                    store.set_labels(
                        tx, account, region, name, other.version, [x for x in other.labels if x not in good]
                    )
            target.labels = [*target.labels, *(x for x in good if x not in target.labels)]
            store.set_labels(tx, account, region, name, target.version, target.labels)
            if good:
                self._event(tx, account, region, target, "LabelParameterVersion", labels=good)
            return {"InvalidLabels": invalid, "ParameterVersion": target.version}

        return await self.store.write(run)

    async def unlabel_parameter_version(
        self, account: str, region: str, name: str, version: int, labels: list[str]
    ) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            store.lock(tx, account, region, name)
            target = parameters.select(self._kept(tx, account, region, name), str(version))
            removed = [x for x in dict.fromkeys(labels) if x in target.labels]
            store.set_labels(tx, account, region, name, target.version, [x for x in target.labels if x not in removed])
            return {"RemovedLabels": removed, "InvalidLabels": [x for x in labels if x not in removed]}

        return await self.store.write(run)

    # --- reading -------------------------------------------------------------------------------------------------

    async def get_parameter(self, account: str, region: str, reference: str, decrypt: bool) -> dict[str, Any]:
        name, selector = parameters.split_reference(reference, account)
        kept = await self.store.read(lambda tx: self._kept(tx, account, region, name))
        version = parameters.select(kept, selector)
        return parameters.parameter(
            account, region, version, await self._value(account, region, version, decrypt), selector
        )

    async def get_parameters(self, account: str, region: str, references: list[str], decrypt: bool) -> dict[str, Any]:
        found, missing = await self._lookup(account, region, references, decrypt)
        return {"Parameters": list(found.values()), "InvalidParameters": missing}

    async def values(self, account: str, region: str, references: list[str]) -> tuple[dict[str, str], list[str]]:
        """The ParameterValues port: decrypted values of the references Parameter Store has, and those it has not."""
        found, missing = await self._lookup(account, region, references, True)
        return {reference: parameter["Value"] for reference, parameter in found.items()}, missing

    async def _lookup(
        self, account: str, region: str, references: list[str], decrypt: bool
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """({reference: Parameter} of those found, the references not found), each reference once."""
        found: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for reference in dict.fromkeys(references):
            try:
                found[reference] = await self.get_parameter(account, region, reference, decrypt)
            except errors.ServiceError as exc:
                if exc.code not in ("ParameterNotFound", "ParameterVersionNotFound"):
                    raise
                missing.append(reference)
        return found, missing

    async def get_parameters_by_path(
        self,
        account: str,
        region: str,
        path: str,
        recursive: bool,
        raw_filters: list[dict[str, Any]],
        decrypt: bool,
        limit: int | None,
        next_token: str | None,
    ) -> dict[str, Any]:
        if not path.startswith("/"):
            raise errors.ValidationException("The parameter path must begin with a forward slash (/).")
        if path.count("/") > parameters.MAX_LEVELS + 1:
            raise errors.HierarchyLevelLimitExceededException("A hierarchy can have a maximum of 15 levels.")
        wanted = parameters.filters(raw_filters, [], by_path=True)
        prefix = path if path.endswith("/") else path + "/"
        if path == "/":
            prefix = "/"

        def keep(version: Version, tags: dict[str, str]) -> bool:
            return parameters.in_path(version.name, prefix, recursive=recursive) and parameters.matches(
                version, tags, wanted
            )

        items, more = await self._scan(account, region, parameters.untoken(next_token), prefix, limit or 10, keep)
        out: dict[str, Any] = {
            "Parameters": [
                parameters.parameter(account, region, v, await self._value(account, region, v, decrypt)) for v in items
            ]
        }
        if more:
            out["NextToken"] = parameters.token(items[-1].name)
        return out

    async def describe_parameters(
        self,
        account: str,
        region: str,
        legacy: list[dict[str, Any]],
        raw_filters: list[dict[str, Any]],
        limit: int | None,
        next_token: str | None,
    ) -> dict[str, Any]:
        if legacy and raw_filters:
            raise errors.ValidationException("You can use either Filters or ParameterFilters in a single request.")
        wanted = parameters.filters(raw_filters, legacy, by_path=False)
        items, more = await self._scan(
            account, region, parameters.untoken(next_token), None, limit or 50,
            lambda v, tags: parameters.matches(v, tags, wanted),
        )  # fmt: skip
        out: dict[str, Any] = {"Parameters": [parameters.metadata(account, region, v) for v in items]}
        if more:
            out["NextToken"] = parameters.token(items[-1].name)
        return out

    async def get_parameter_history(
        self, account: str, region: str, reference: str, decrypt: bool, limit: int | None, next_token: str | None
    ) -> dict[str, Any]:
        name, _ = parameters.split_reference(reference, account)
        kept = await self.store.read(lambda tx: self._kept(tx, account, region, name))
        after = parameters.untoken(next_token)
        if after is not None and not after.isdigit():
            raise errors.InvalidNextToken("The specified token isn't valid.")
        rest = [v for v in kept if after is None or v.version > int(after)]
        items = rest[: limit or 50]
        out: dict[str, Any] = {
            "Parameters": [parameters.history(v, await self._value(account, region, v, decrypt)) for v in items]
        }
        if len(rest) > len(items):
            out["NextToken"] = parameters.token(str(items[-1].version))
        return out

    # --- tags ----------------------------------------------------------------------------------------------------

    async def add_tags(
        self, account: str, region: str, resource_type: str, name: str, tags: list[dict[str, str]]
    ) -> None:
        _parameter_type(resource_type)
        added = _tags(tags)

        def run(tx: Tx) -> None:
            store.lock(tx, account, region, name)
            found = store.current(tx, account, region, name)
            if found is None:
                raise errors.InvalidResourceId("The resource ID is not valid. Verify that the resource ID is correct.")
            merged = {**found[1], **added}
            if len(merged) > parameters.MAX_TAGS:
                raise errors.TooManyTagsError(f"A parameter can have at most {parameters.MAX_TAGS} tags.")
            store.set_tags(tx, account, region, name, merged)

        await self.store.write(run)

    async def remove_tags(self, account: str, region: str, resource_type: str, name: str, keys: list[str]) -> None:
        _parameter_type(resource_type)

        def run(tx: Tx) -> None:
            store.lock(tx, account, region, name)
            found = store.current(tx, account, region, name)
            if found is None:
                raise errors.InvalidResourceId("The resource ID is not valid. Verify that the resource ID is correct.")
            store.set_tags(tx, account, region, name, {k: v for k, v in found[1].items() if k not in keys})

        await self.store.write(run)

    async def list_tags(self, account: str, region: str, resource_type: str, name: str) -> list[dict[str, str]]:
        _parameter_type(resource_type)
        found = await self.store.read(lambda tx: store.current(tx, account, region, name))
        if found is None:
            raise errors.InvalidResourceId("The resource ID is not valid. Verify that the resource ID is correct.")
        return [{"Key": k, "Value": v} for k, v in found[1].items()]

    # --- helpers -------------------------------------------------------------------------------------------------

    def _kept(self, tx: Tx, account: str, region: str, name: str) -> list[Version]:
        """A parameter's versions, oldest first; ParameterNotFound when it does not exist (or has expired)."""
        kept = store.versions(tx, account, region, name)
        if not kept or _expired(kept[-1], self.clock.now()):
            raise errors.not_found()
        return kept

    async def _scan(
        self,
        account: str,
        region: str,
        after: str | None,
        prefix: str | None,
        limit: int,
        keep: Callable[[Version, dict[str, str]], bool],
    ) -> tuple[list[Version], bool]:
        """Up to ``limit`` current versions ``keep`` accepts, by name after ``after``; whether more may follow."""
        now = self.clock.now()
        chosen: list[Version] = []
        while True:
            rows = await self.store.read(functools.partial(store.page, account=account, region=region, after=after,
                                                           prefix=prefix, limit=200))  # fmt: skip
            for version, tags in rows:
                after = version.name
                if _expired(version, now) or not keep(version, tags):
                    continue
                if len(chosen) == limit:
                    return chosen, True
                chosen.append(version)
            if len(rows) < 200:
                return chosen, False

    async def _value(self, account: str, region: str, version: Version, decrypt: bool) -> str:
        if version.type != "SecureString" or not decrypt:
            return version.value
        secret = await self._key(account, region, version.key_id or DEFAULT_KEY)
        return _decrypt(secret, version.name, version.value)

    async def _key(self, account: str, region: str, key_id: str) -> str:
        found = await self.store.read(lambda tx: store.key(tx, account, region, key_id))
        return found if found is not None else await self.store.write(lambda tx: _data_key(tx, account, region, key_id))

    def _event(self, tx: Tx, account: str, region: str, version: Version, operation: str, **extra: Any) -> None:
        """EventBridge's "Parameter Store Change" event on the account's default bus."""
        detail: dict[str, Any] = {"name": version.name, "type": version.type, "operation": operation, **extra}
        if version.description:
            detail["description"] = version.description
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC)
        event: dict[str, Any] = {
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Parameter Store Change", "source": "aws.ssm",
            "account": account, "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [parameters.arn(account, region, version.name)], "detail": detail,
        }  # fmt: skip
        bus = f"arn:aws:events:{region}:{account}:event-bus/default"
        self.runtime.delivery.enqueue(tx, "events", bus, {"event": event, "hops": 1}, source=event["resources"][0])


def _data_key(tx: Tx, account: str, region: str, key_id: str) -> str:
    """The data key kept for (account, Region, KMS key id), made on first use."""
    found = store.key(tx, account, region, key_id)
    return (
        found
        if found is not None
        else store.add_key(tx, account, region, key_id, base64.b64encode(os.urandom(32)).decode())
    )


def _expired(version: Version, now: float) -> bool:
    at = version.expires_at()
    return at is not None and at <= now


def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
    if len(tags) > parameters.MAX_TAGS:
        raise errors.TooManyTagsError(f"A parameter can have at most {parameters.MAX_TAGS} tags.")
    return {t["Key"]: t["Value"] for t in tags}


def _parameter_type(resource_type: str) -> None:
    if resource_type != "Parameter":
        raise errors.InvalidResourceType(
            f"The resource type {resource_type} is not supported by gureum: its Systems Manager has Parameter Store "
            "only (ResourceType Parameter)."
        )


def _encrypt(secret: str, name: str, value: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(base64.b64decode(secret)).encrypt(nonce, value.encode(), name.encode())
    return base64.b64encode(nonce + sealed).decode()


def _decrypt(secret: str, name: str, stored: str) -> str:
    raw = base64.b64decode(stored)
    try:
        return AESGCM(base64.b64decode(secret)).decrypt(raw[:12], raw[12:], name.encode()).decode()
    except InvalidTag:
        raise errors.ServiceError(
            f"The value of {name} could not be decrypted with its key.", code="InvalidKeyId"
        ) from None
