"""Lambda's backend, functions part: functions and versions, tags, concurrency and account settings, aliases, the
resource policy and the read-only settings tools read. Methods of the one LambdaBackend object (backend.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...store.base import Tx
from . import aliases, code_s3, esm, policy, store, store_esm, versions
from .access import own_account
from .backend_core import LambdaCore
from .errors import conflict, function_not_found, invalid, resource_not_found
from .functions import LATEST, Function, code_sha256, function_arn, parse_function_name
from .limits import CONCURRENT_EXECUTIONS, MAX_UNZIPPED, MAX_ZIP, TOTAL_CODE_SIZE
from .packages import code_source

_MAPPING_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-fA-F-]{36})$")


class FunctionsApi(LambdaCore):
    # --- functions --------------------------------------------------------------------------------

    async def create_function(
        self, account: str, region: str, function_name: str, settings: dict[str, Any], access_key: str = ""
    ) -> dict[str, Any]:
        """CreateFunction; ``settings`` are its members as AWS names them (Runtime, Role, Code, Layers, Tags, …).
        Code in S3 is read as the caller (``access_key``'s principal)."""
        ref = parse_function_name(function_name)
        versions.check_create(ref.name, settings)
        source = code_source(settings.get("Code") or {})
        account, region = own_account(account, ref), ref.region or region
        zip_bytes = await code_s3.package(self.runtime, account, region, access_key, source)
        sha, size, now = code_sha256(zip_bytes), len(zip_bytes), self.clock.now()
        fn = versions.new_function(account, region, ref.name, settings, sha, size, now)
        layer_arns, tags = list(settings.get("Layers") or []), dict(settings.get("Tags") or {})
        created = await self.store.write(lambda tx: versions.create(tx, fn, zip_bytes, layer_arns, tags))
        if created is None:
            raise conflict(f"Function already exist: {ref.name}")
        self._activate_later(created)
        if settings.get("Publish"):
            published = await self._publish(created, None, "")
            return published.configuration() | {"Version": published.version}
        return created.configuration()

    async def get_function(
        self, account: str, region: str, function_name: str, qualifier: str | None, base_url: str, access_key: str = ""
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name, qualifier)
        owner = await self.reach(account, access_key, region, ref, "lambda:GetFunction")
        fn = await self.load_function(owner, ref.region or region, ref.name, ref.qualifier)
        tags = await self.store.read(lambda tx: store.get_tags(tx, fn.account, fn.region, fn.name))
        out: dict[str, Any] = {
            "Configuration": fn.configuration(parse_function_name(function_name, qualifier).qualifier),
            "Code": versions.code_location(base_url, fn),
            "Tags": tags or {},
        }
        if fn.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
        return out

    async def get_function_configuration(
        self, account: str, region: str, function_name: str, qualifier: str | None, access_key: str = ""
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name, qualifier)
        owner = await self.reach(account, access_key, region, ref, "lambda:GetFunctionConfiguration")
        fn = await self.load_function(owner, ref.region or region, ref.name, ref.qualifier)
        return fn.configuration(parse_function_name(function_name, qualifier).qualifier)

    async def update_function_code(
        self,
        account: str,
        region: str,
        function_name: str,
        *,
        zip_file: bytes | None,
        s3_bucket: str | None,
        s3_key: str | None,
        image_uri: str | None,
        revision_id: str | None,
        dry_run: bool,
        publish: bool,
        s3_object_version: str | None = None,
        access_key: str = "",
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        members = {"ZipFile": zip_file, "S3Bucket": s3_bucket, "S3Key": s3_key, "S3ObjectVersion": s3_object_version}
        source = code_source(members | {"ImageUri": image_uri})
        zip_bytes = await code_s3.package(self.runtime, account, region, access_key, source)
        code, now = (code_sha256(zip_bytes), zip_bytes), self.clock.now()
        fn = await self.store.write(
            lambda tx: versions.update_code(tx, account, region, ref.name, code, revision_id, dry_run, now)
        )
        if dry_run:
            return fn.configuration()
        self._activate_later(fn)
        await self.pool.retire_function(fn.arn)
        if publish:
            return (await self._publish(fn, None, "")).configuration()
        return fn.configuration()

    async def update_function_configuration(
        self, account: str, region: str, function_name: str, settings: dict[str, Any]
    ) -> dict[str, Any]:
        """UpdateFunctionConfiguration; ``settings`` are its members as AWS names them (those absent stay)."""
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        changes = versions.check_configuration(settings)
        given = settings.get("Layers")
        layer_arns = None if given is None else list(given)
        revision_id, now = settings.get("RevisionId"), self.clock.now()
        fn = await self.store.write(
            lambda tx: versions.update_configuration(
                tx, account, region, ref.name, changes, layer_arns, revision_id, now
            )
        )
        self._activate_later(fn)
        await self.pool.retire_function(fn.arn)
        return fn.configuration()

    async def delete_function(self, account: str, region: str, function_name: str, qualifier: str | None) -> None:
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        gone = await self.store.write(lambda tx: versions.delete(tx, account, region, ref.name, ref.qualifier))
        if gone is None:
            raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
        for provisioned_qualifier in gone:
            await self.pool.unprovision(function_arn(region, account, ref.name, provisioned_qualifier))
        await self.pool.retire_function(function_arn(region, account, ref.name, ref.qualifier))

    async def list_functions(
        self, account: str, region: str, max_items: int | None, marker: str | None, function_version: str | None
    ) -> dict[str, Any]:
        limit = max_items or 50
        if not 1 <= limit <= 10000:
            raise invalid("MaxItems must be between 1 and 10000.")
        limit = min(limit, 50)  # "ListFunctions returns a maximum of 50 items in each response"
        all_versions = function_version == "ALL"
        rows = await self.store.read(
            lambda tx: store.list_functions(tx, account, region, marker or "", limit + 1, all_versions)
        )
        # the subset of FunctionConfiguration AWS lists; with FunctionVersion ALL every ARN is qualified
        listed = [fn.configuration(fn.version if all_versions else None, listed=True) for fn in rows[:limit]]
        out: dict[str, Any] = {"Functions": listed}
        if len(rows) > limit:
            out["NextMarker"] = rows[limit - 1].name
        return out

    async def _publish(self, latest: Function, code_sha: str | None, description: str) -> Function:
        now = self.clock.now()
        return await self.store.write(lambda tx: versions.publish(tx, latest, code_sha, description, now))

    async def publish_version(
        self,
        account: str,
        region: str,
        function_name: str,
        code_sha256: str | None,
        description: str | None,
        revision_id: str | None,
    ) -> dict[str, Any]:
        latest = await self._function(account, region, function_name)
        versions.check_publishable(latest, revision_id)
        return (await self._publish(latest, code_sha256, description or "")).configuration()

    async def list_versions_by_function(self, account: str, region: str, function_name: str) -> dict[str, Any]:
        latest = await self._function(account, region, function_name)
        found = await self.store.read(lambda tx: store.list_versions(tx, latest.account, latest.region, latest.name))
        return {"Versions": [fn.configuration(fn.version, listed=True) for fn in found]}

    async def code_zip(self, account: str, sha: str) -> bytes | None:
        """A stored deployment package or layer zip (GetFunction's Code.Location serves it)."""
        return await self.store.read(lambda tx: store.get_code(tx, account, sha))

    # --- tags, concurrency, account settings ------------------------------------------------------

    async def _tag_mapping(
        self, account: str, region: str, resource: str, add: dict[str, str], remove: list[str]
    ) -> dict[str, str] | None:
        """Tag an event source mapping named by its ARN (its tags kept with its settings); None when ``resource`` is
        not a mapping's ARN. Another account's or Region's mapping is not found, as AWS answers."""
        match = _MAPPING_ARN.match(resource)
        if match is None:
            return None
        arn_region, arn_account, uuid = match.groups()

        def run(tx: Tx) -> dict[str, str]:
            if (arn_account, arn_region) != (account, region):
                raise resource_not_found()
            mapping = esm.owned(tx, account, region, uuid)
            tags = {k: v for k, v in {**(mapping.config.get("Tags") or {}), **add}.items() if k not in remove}
            if add or remove:
                store_esm.set_config(tx, uuid, {**mapping.config, "Tags": tags})
            return tags

        return await (self.store.write(run) if add or remove else self.store.read(run))

    @staticmethod
    def _tagged(account: str, region: str, resource: str) -> tuple[str, str, str]:
        ref = parse_function_name(resource)
        if ref.qualifier:
            raise invalid(
                "Tags are supported on functions, not on versions or aliases: use the unqualified function ARN."
            )
        return own_account(account, ref), ref.region or region, ref.name

    async def tag_resource(self, account: str, region: str, resource: str, tags: dict[str, str] | None) -> None:
        if await self._tag_mapping(account, region, resource, dict(tags or {}), []) is not None:
            return
        account, region, name = self._tagged(account, region, resource)
        await self.store.write(lambda tx: versions.tag(tx, account, region, name, dict(tags or {}), []))

    async def untag_resource(self, account: str, region: str, resource: str, tag_keys: list[str] | None) -> None:
        if await self._tag_mapping(account, region, resource, {}, list(tag_keys or [])) is not None:
            return
        account, region, name = self._tagged(account, region, resource)
        await self.store.write(lambda tx: versions.tag(tx, account, region, name, {}, list(tag_keys or [])))

    async def list_tags(self, account: str, region: str, resource: str) -> dict[str, Any]:
        mapping_tags = await self._tag_mapping(account, region, resource, {}, [])
        if mapping_tags is not None:
            return {"Tags": mapping_tags}
        account, region, name = self._tagged(account, region, resource)
        tags = await self.store.read(lambda tx: store.get_tags(tx, account, region, name))
        if tags is None:
            raise function_not_found(function_arn(region, account, name))
        return {"Tags": tags}

    async def put_function_concurrency(self, account: str, region: str, function_name: str, value: int) -> None:
        if value < 0:
            raise invalid("ReservedConcurrentExecutions must be 0 or more.")
        await self._set_reserved(account, region, function_name, value)

    async def delete_function_concurrency(self, account: str, region: str, function_name: str) -> None:
        await self._set_reserved(account, region, function_name, None)

    async def _set_reserved(self, account: str, region: str, function_name: str, value: int | None) -> None:
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        await self.store.write(lambda tx: versions.set_reserved(tx, account, region, ref.name, value))

    async def get_function_concurrency(self, account: str, region: str, function_name: str) -> dict[str, Any]:
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        fn = await self.store.read(lambda tx: store.get_function(tx, account, region, ref.name))
        if fn is None:
            raise function_not_found(function_arn(region, account, ref.name))
        return {} if fn.reserved_concurrency is None else {"ReservedConcurrentExecutions": fn.reserved_concurrency}

    async def get_account_settings(self, account: str, region: str) -> dict[str, Any]:
        def totals(tx: Tx) -> tuple[int, int, int]:
            size, count = store.code_totals(tx, account)
            return size, count, store.reserved_total(tx, account, region, "")

        size, count, reserved = await self.store.read(totals)
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE,
                "CodeSizeUnzipped": MAX_UNZIPPED,
                "CodeSizeZipped": MAX_ZIP,
                "ConcurrentExecutions": CONCURRENT_EXECUTIONS,
                "UnreservedConcurrentExecutions": CONCURRENT_EXECUTIONS - reserved,
            },
            "AccountUsage": {"TotalCodeSize": size, "FunctionCount": count},
        }

    # --- aliases ----------------------------------------------------------------------------------

    async def create_alias(
        self,
        account: str,
        region: str,
        function_name: str,
        name: str,
        function_version: str,
        description: str | None,
        routing_config: dict[str, Any] | None,
    ) -> dict[str, Any]:
        account, region, function = self._named(account, region, function_name)
        alias = aliases.new_alias(account, region, function, name, function_version, description, routing_config)
        await self.store.write(lambda tx: aliases.create(tx, account, region, function, alias))
        return alias

    async def get_alias(self, account: str, region: str, function_name: str, name: str) -> dict[str, Any]:
        account, region, function = self._named(account, region, function_name)
        return await self.store.read(lambda tx: aliases.get(tx, account, region, function, name))

    async def update_alias(
        self,
        account: str,
        region: str,
        function_name: str,
        name: str,
        function_version: str | None,
        description: str | None,
        routing_config: dict[str, Any] | None,
        revision_id: str | None,
    ) -> dict[str, Any]:
        account, region, function = self._named(account, region, function_name)
        changes = {"FunctionVersion": function_version, "Description": description, "RoutingConfig": routing_config}
        return await self.store.write(
            lambda tx: aliases.update(tx, account, region, function, name, changes, revision_id)
        )

    async def delete_alias(self, account: str, region: str, function_name: str, name: str) -> None:
        account, region, function = self._named(account, region, function_name)
        if await self.store.write(lambda tx: aliases.delete(tx, account, region, function, name)):
            await self.pool.unprovision(function_arn(region, account, function, name))

    async def list_aliases(
        self,
        account: str,
        region: str,
        function_name: str,
        function_version: str | None,
        marker: str | None,
        max_items: int | None,
    ) -> dict[str, Any]:
        account, region, function = self._named(account, region, function_name)
        limit = max_items or 50
        return await self.store.read(
            lambda tx: aliases.listing(tx, account, region, function, function_version, marker, limit)
        )

    # --- policy and read-only settings ------------------------------------------------------------

    async def add_permission(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        *,
        statement_id: str,
        action: str,
        principal: str,
        source_arn: str | None,
        source_account: str | None,
        principal_org_id: str | None,
        event_source_token: str | None,
        function_url_auth_type: str | None,
        revision_id: str | None,
    ) -> str:
        """AddPermission: the statement added, as JSON text."""
        policy.check_action(action)
        permission = policy.Permission(statement_id, action, principal, source_arn, source_account, principal_org_id,
                                       event_source_token, function_url_auth_type)  # fmt: skip
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        added = await self.store.write(
            lambda tx: policy.add(tx, account, region, ref.name, ref.qualifier, permission, revision_id)
        )
        return json.dumps(added)

    async def remove_permission(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        statement_id: str,
        revision_id: str | None,
    ) -> None:
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        await self.store.write(
            lambda tx: policy.remove(tx, account, region, ref.name, ref.qualifier, statement_id, revision_id)
        )

    async def get_policy(
        self, account: str, region: str, function_name: str, qualifier: str | None, access_key: str = ""
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name, qualifier)
        account = await self.reach(account, access_key, region, ref, "lambda:GetPolicy")
        region = ref.region or region
        return await self.store.read(lambda tx: policy.document(tx, account, region, ref.name, ref.qualifier))

    async def _version(self, account: str, region: str, function_name: str, qualifier: str | None = None) -> Function:
        """The version row a FunctionName and Qualifier name as they are (an alias name names no row)."""
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        fn = await self.store.read(
            lambda tx: store.get_function(tx, account, region, ref.name, ref.qualifier or LATEST)
        )
        if fn is None:
            raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
        return fn

    async def get_function_code_signing_config(self, account: str, region: str, function_name: str) -> dict[str, Any]:
        fn = await self._version(account, region, function_name)
        return {"FunctionName": fn.name}  # no code signing: gureum runs what it is given

    async def get_runtime_management_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> dict[str, Any]:
        fn = await self._version(account, region, function_name, qualifier)
        return _runtime_management(fn)

    async def put_runtime_management_config(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        update_on: str,
        version_arn: str | None,
    ) -> dict[str, Any]:
        """PutRuntimeManagementConfig: Manual names the runtime version to stay on, the others none."""
        if update_on == "Manual" and not version_arn:
            raise invalid("RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
        if update_on != "Manual" and version_arn:
            raise invalid("RuntimeVersionArn can be specified only when UpdateRuntimeOn is Manual.")
        setting = {"UpdateRuntimeOn": update_on, **({"RuntimeVersionArn": version_arn} if version_arn else {})}
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        fn = await self.store.write(
            lambda tx: versions.set_settings(
                tx, account, region, ref.name, ref.qualifier or LATEST, runtime_update=setting
            )
        )
        return _runtime_management(fn)

    async def get_function_recursion_config(self, account: str, region: str, function_name: str) -> dict[str, Any]:
        fn = await self._version(account, region, function_name)
        return {"RecursiveLoop": fn.recursive_loop}

    async def put_function_recursion_config(
        self, account: str, region: str, function_name: str, recursive_loop: str
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name)
        if ref.qualifier:
            raise invalid("PutFunctionRecursionConfig takes an unqualified function name.")
        account, region = own_account(account, ref), ref.region or region
        fn = await self.store.write(
            lambda tx: versions.set_settings(tx, account, region, ref.name, LATEST, recursive_loop=recursive_loop)
        )
        return {"RecursiveLoop": fn.recursive_loop}


def _runtime_management(fn: Function) -> dict[str, Any]:
    """GetRuntimeManagementConfig's answer (Auto until PutRuntimeManagementConfig)."""
    setting = fn.runtime_update or {"UpdateRuntimeOn": "Auto"}
    return {**setting, "FunctionArn": fn.qualified_arn if fn.version != LATEST else fn.arn}
