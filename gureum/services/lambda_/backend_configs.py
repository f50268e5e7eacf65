"""Lambda's backend, the configurations around functions: layers, provisioned concurrency, function URLs (the
API and what their HTTP front asks) and event source mappings. Methods of the one LambdaBackend object (backend.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from ...aws.authorize import authorizer
from ...policy import Principal, evaluate
from ...policy import Request as PolicyRequest
from ...ports import SqsConsumer
from ...runtime import Runtime
from ...store.base import Tx
from . import code_s3, esm, esm_streams, layers, mappings, policy, provisioned, store, store_configs, store_esm, urls
from .access import own_account
from .backend_core import LambdaCore
from .errors import ResourceNotFoundException, conflict, invalid, resource_not_found, revision_mismatch
from .functions import code_sha256, function_arn, parse_function_name, timestamp
from .packages import code_source


class ConfigsApi(LambdaCore):
    # --- layers -----------------------------------------------------------------------------------

    async def publish_layer_version(
        self,
        account: str,
        region: str,
        layer_name: str,
        description: str | None,
        content: dict[str, Any] | None,
        compatible_runtimes: list[str] | None,
        license_info: str | None,
        compatible_architectures: list[str] | None,
        base_url: str,
        access_key: str = "",
    ) -> dict[str, Any]:
        account, region, name = layers.where(layer_name, account, region)
        # the same sources and package checks as function code (an S3 object read as the caller)
        source = code_source({member: value for member, value in (content or {}).items() if member != "ImageUri"})
        zip_bytes = await code_s3.package(self.runtime, account, region, access_key, source)
        sha = code_sha256(zip_bytes)
        kept = {"CompatibleRuntimes": compatible_runtimes, "LicenseInfo": license_info,
                "CompatibleArchitectures": compatible_architectures}  # fmt: skip
        config = layers.new_config(name, description, kept, sha, len(zip_bytes), timestamp(self.clock.now()))

        def publish(tx: Tx) -> int:
            store.put_code(tx, account, sha, zip_bytes)
            return store.insert_layer_version(tx, account, region, name, config)

        config["Version"] = await self.store.write(publish)
        return layers.doc(base_url, account, region, name, config)

    async def get_layer_version(
        self, account: str, region: str, layer_name: str, version_number: int, base_url: str
    ) -> dict[str, Any]:
        owner, region, name = layers.where(layer_name, account, region)
        return await self._layer_version(account, owner, region, name, version_number, base_url)

    async def get_layer_version_by_arn(self, account: str, arn: str, base_url: str) -> dict[str, Any]:
        owner, region, name, version = layers.version_arn_parts(arn)
        return await self._layer_version(account, owner, region, name, version, base_url)

    async def _layer_version(
        self, account: str, owner: str, region: str, name: str, version: int, base_url: str
    ) -> dict[str, Any]:
        """``owner``'s layer version as ``account`` may read it (another account's only where its policy allows)."""
        config = await self.store.read(lambda tx: store.get_layer_version(tx, owner, region, name, version))
        if config is None:
            raise resource_not_found()
        arn = f"arn:aws:lambda:{region}:{owner}:layer:{name}:{version}"
        layers.check_use(config, owner, account, arn)
        return layers.doc(base_url, owner, region, name, config)

    async def list_layer_versions(
        self,
        account: str,
        region: str,
        layer_name: str,
        compatible_runtime: str | None,
        compatible_architecture: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        account, region, name = layers.where(layer_name, account, region)
        found = await self.store.read(lambda tx: store.list_layer_versions(tx, account, region, name))
        return {
            "LayerVersions": [
                layers.item(base_url, account, region, name, config)
                for config in found
                if layers.matches(config, compatible_runtime, compatible_architecture)
            ]
        }

    async def list_layers(
        self,
        account: str,
        region: str,
        compatible_runtime: str | None,
        compatible_architecture: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.list_layer_versions(tx, account, region, None))
        matching = [c for c in found if layers.matches(c, compatible_runtime, compatible_architecture)]
        return {"Layers": layers.latest_per_layer(base_url, account, region, matching)}

    async def add_layer_version_permission(
        self,
        account: str,
        region: str,
        layer_name: str,
        version_number: int,
        statement_id: str,
        action: str,
        principal: str,
        organization: str | None,
        revision_id: str | None,
    ) -> dict[str, Any]:
        """AddLayerVersionPermission's answer: {"Statement", "RevisionId"}."""
        account, region, name = layers.where(layer_name, account, region)
        arn = f"arn:aws:lambda:{region}:{account}:layer:{name}:{version_number}"
        statement = layers.permission_statement(arn, statement_id, action, principal, organization)

        def add(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if any(s["Sid"] == statement_id for s in statements):
                raise conflict(
                    f"The statement id ({statement_id}) provided already exists. Please provide a new statement id, "
                    "or remove the existing statement."
                )
            return [*statements, statement]

        revision = await self._edit_layer_policy(account, region, name, version_number, revision_id, add)
        return {"Statement": json.dumps(statement, separators=(",", ":")), "RevisionId": revision}

    async def get_layer_version_policy(
        self, account: str, region: str, layer_name: str, version_number: int
    ) -> dict[str, Any]:
        account, region, name = layers.where(layer_name, account, region)
        config = await self.store.read(lambda tx: store.get_layer_version(tx, account, region, name, version_number))
        if config is None or not config.get("policy"):
            raise ResourceNotFoundException("No policy is associated with the given resource.", fields={"Type": "User"})
        return {"Policy": layers.policy_document(config["policy"]), "RevisionId": config["policy_revision"]}

    async def remove_layer_version_permission(
        self,
        account: str,
        region: str,
        layer_name: str,
        version_number: int,
        statement_id: str,
        revision_id: str | None,
    ) -> None:
        account, region, name = layers.where(layer_name, account, region)

        def remove(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = [s for s in statements if s["Sid"] != statement_id]
            if len(kept) == len(statements):
                raise ResourceNotFoundException(
                    f"Statement {statement_id} is not found in resource policy.", fields={"Type": "User"}
                )
            return kept

        await self._edit_layer_policy(account, region, name, version_number, revision_id, remove)

    async def _edit_layer_policy(
        self,
        account: str,
        region: str,
        name: str,
        version_number: int,
        revision_id: str | None,
        change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    ) -> str:
        """The layer version's statements changed (from ``revision_id`` when given); the policy's new revision."""

        def run(tx: Tx) -> str:
            store.lock_layer_version(tx, account, region, name, version_number)
            config = store.get_layer_version(tx, account, region, name, version_number)
            if config is None:
                raise resource_not_found()
            if revision_id and revision_id != config.get("policy_revision"):
                raise revision_mismatch()
            config["policy"] = change(list(config.get("policy") or []))
            config["policy_revision"] = str(uuid.uuid4())
            store.save_layer_version(tx, account, region, name, version_number, config)
            return str(config["policy_revision"])

        return await self.store.write(run)

    async def delete_layer_version(self, account: str, region: str, layer_name: str, version_number: int) -> None:
        account, region, name = layers.where(layer_name, account, region)
        await self.store.write(lambda tx: store.delete_layer_version(tx, account, region, name, version_number))

    # --- provisioned concurrency ------------------------------------------------------------------

    def _provisioned_where(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> tuple[str, str, str, str]:
        ref = parse_function_name(function_name, qualifier)
        return own_account(account, ref), ref.region or region, ref.name, provisioned.check_qualifier(ref.qualifier)

    async def put_provisioned_concurrency_config(
        self, account: str, region: str, function_name: str, qualifier: str | None, count: int
    ) -> dict[str, Any]:
        account, region, name, qualifier = self._provisioned_where(account, region, function_name, qualifier)
        stamp = timestamp(self.clock.now())
        fn = await self.store.write(lambda tx: provisioned.put(tx, account, region, name, qualifier, count, stamp))
        self._warm_later(fn, qualifier, count, stamp)
        return provisioned.doc(provisioned.new_config(count, stamp))

    async def get_provisioned_concurrency_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> dict[str, Any]:
        account, region, name, qualifier = self._provisioned_where(account, region, function_name, qualifier)
        return await self.store.read(lambda tx: provisioned.get(tx, account, region, name, qualifier))

    async def delete_provisioned_concurrency_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> None:
        account, region, name, qualifier = self._provisioned_where(account, region, function_name, qualifier)
        await self.store.write(lambda tx: provisioned.delete(tx, account, region, name, qualifier))
        await self.pool.unprovision(function_arn(region, account, name, qualifier))

    async def list_provisioned_concurrency_configs(
        self, account: str, region: str, function_name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        account, region, name = self._named(account, region, function_name)
        limit = max_items or 50
        return await self.store.read(lambda tx: provisioned.listing(tx, account, region, name, marker, limit))

    # --- function URLs ----------------------------------------------------------------------------

    @staticmethod
    def _url_where(account: str, region: str, function_name: str, qualifier: str | None) -> tuple[str, str, str, str]:
        ref = parse_function_name(function_name, qualifier)
        return own_account(account, ref), ref.region or region, ref.name, urls.check_qualifier(ref.qualifier)

    async def create_function_url_config(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        auth_type: str,
        cors: dict[str, Any] | None,
        invoke_mode: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        account, region, name, qualifier = self._url_where(account, region, function_name, qualifier)
        arn = function_arn(region, account, name, qualifier or None)
        config = urls.new_config(arn, auth_type, cors, invoke_mode, self.clock.now())
        url_id = urls.new_url_id()
        await self.store.write(lambda tx: urls.create(tx, account, region, name, qualifier, url_id, config))
        return urls.doc(base_url, url_id, region, config, full=False)

    async def get_function_url_config(
        self, account: str, region: str, function_name: str, qualifier: str | None, base_url: str
    ) -> dict[str, Any]:
        account, region, name, qualifier = self._url_where(account, region, function_name, qualifier)
        url_id, config = await self.store.read(lambda tx: urls.get(tx, account, region, name, qualifier))
        return urls.doc(base_url, url_id, region, config)

    async def update_function_url_config(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        auth_type: str | None,
        cors: dict[str, Any] | None,
        invoke_mode: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        account, region, name, qualifier = self._url_where(account, region, function_name, qualifier)
        changes, now = {"AuthType": auth_type, "Cors": cors, "InvokeMode": invoke_mode}, self.clock.now()
        url_id, config = await self.store.write(
            lambda tx: urls.update(tx, account, region, name, qualifier, changes, now)
        )
        return urls.doc(base_url, url_id, region, config)

    async def delete_function_url_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> None:
        account, region, name, qualifier = self._url_where(account, region, function_name, qualifier)
        await self.store.write(lambda tx: urls.delete(tx, account, region, name, qualifier))

    async def list_function_url_configs(
        self, account: str, region: str, function_name: str, marker: str | None, max_items: int | None, base_url: str
    ) -> dict[str, Any]:
        account, region, name = self._named(account, region, function_name)
        limit = max_items or 50
        start = int(marker) if marker and marker.isdigit() else 0
        rows = await self.store.read(lambda tx: urls.listing(tx, account, region, name))
        out: dict[str, Any] = {
            "FunctionUrlConfigs": [
                urls.doc(base_url, url_id, region, config) for url_id, config in rows[start : start + limit]
            ]
        }
        if start + limit < len(rows):
            out["NextMarker"] = str(start + limit)
        return out

    async def url(self, url_id: str) -> tuple[str, str, str, str, dict[str, Any]] | None:
        """(account, region, function name, qualifier, config) of a function URL, for its HTTP front."""
        return await self.store.read(lambda tx: store_configs.url_by_id(tx, url_id))

    async def url_is_public(self, account: str, region: str, name: str, qualifier: str) -> bool:
        """Whether the policy lets anyone call an AuthType NONE URL (lambda:InvokeFunctionUrl to everyone)."""
        found = await self.store.read(lambda tx: policy.statements(tx, account, region, name, qualifier or None))
        return found is not None and urls.public_access(found[1], "NONE")

    # --- event source mappings --------------------------------------------------------------------

    async def _queue(self, arn: str) -> dict[str, Any]:
        kind = mappings.source_kind(arn)
        if kind in mappings.STREAM_KINDS:
            # no service here serves Kinesis or DynamoDB streams to Lambda: AWS's answer for a stream it cannot find
            raise invalid(f"Stream not found: {arn}")
        if kind != "sqs" or len(arn.split(":")) != 6:
            raise invalid(
                f"Unrecognized event source: gureum serves event source mappings for Amazon SQS queues only ({arn})."
            )
        queue = await self.runtime.port(SqsConsumer).queue(arn)
        if queue is None:
            # SQS answers Lambda over its JSON protocol, whose NonExistentQueue message has no "wsdl version"
            raise invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS "
                "Error Message: The specified queue does not exist."
            )
        return queue

    async def _mapped_function(
        self, account: str, region: str, function_name: str, queue: dict[str, Any] | None
    ) -> str:
        """The FunctionArn a FunctionName names (qualified when it has a qualifier); checks the function exists and
        that the queue (None for a stream) hides a message at least as long as the function may run."""
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        fn = await self.load_function(account, region, ref.name, ref.qualifier)
        if queue is not None and queue["VisibilityTimeout"] < fn.timeout:
            raise invalid(
                f"Queue visibility timeout: {queue['VisibilityTimeout']} seconds is less than Function timeout: "
                f"{fn.timeout} seconds"
            )
        if queue is not None:
            _check_queue_access(queue, account, fn.role)
            if self.runtime.config.enforce_iam:  # IAM enforcement: the role's own policies too, within an account
                await _check_role_access(self.runtime, queue, fn.role)
        return function_arn(region, account, ref.name, ref.qualifier)

    async def create_event_source_mapping(
        self, account: str, region: str, function_name: str, event_source_arn: str | None, settings: dict[str, Any]
    ) -> dict[str, Any]:
        """CreateEventSourceMapping; ``settings`` are its other members as AWS names them (BatchSize, …)."""
        source = event_source_arn or ""
        kind = mappings.source_kind(source)
        mappings.check_members(kind, source, settings, create=True)
        if kind in mappings.STREAM_KINDS:  # the function is looked for before the stream, as AWS does
            await self._function(account, region, function_name)
            await esm_streams.check_stream(self.runtime, account, region, source)
            config = mappings.new_stream_config(settings, self.clock.now())
            mappings.check_stream(config)
            fn_arn = await self._mapped_function(account, region, function_name, None)
            mapping = mappings.Mapping(str(uuid.uuid4()), account, region, fn_arn, source, "Creating", config)
            await self.store.write(lambda tx: esm.create(tx, mapping))
            return mapping.output()
        queue = await self._queue(source)
        config = mappings.new_config(settings, self.clock.now())
        mappings.check(config, queue["FifoQueue"])
        fn_arn = await self._mapped_function(account, region, function_name, queue)
        mapping = mappings.Mapping(str(uuid.uuid4()), account, region, fn_arn, queue["QueueArn"], "Creating", config)
        await self.store.write(lambda tx: esm.create(tx, mapping))
        return mapping.output()

    async def get_event_source_mapping(self, account: str, region: str, uuid: str) -> dict[str, Any]:
        return (await self.store.read(lambda tx: esm.owned(tx, account, region, uuid))).output()

    async def update_event_source_mapping(
        self, account: str, region: str, uuid: str, function_name: str | None, settings: dict[str, Any]
    ) -> dict[str, Any]:
        """UpdateEventSourceMapping; ``settings`` are its other members as AWS names them (those absent stay)."""
        current = await self.store.read(lambda tx: esm.owned(tx, account, region, uuid))
        kind = mappings.source_kind(current.source_arn)
        mappings.check_members(kind, current.source_arn, settings, create=False)
        queue = None if kind in mappings.STREAM_KINDS else await self._queue(current.source_arn)
        fn_arn = current.function_arn
        if function_name:
            fn_arn = await self._mapped_function(account, region, function_name, queue)
        config = mappings.changed_config(current.config, settings, self.clock.now())
        if queue is None:
            mappings.check_stream(config)
        else:
            mappings.check(config, queue["FifoQueue"])
        updated = await self.store.write(lambda tx: esm.update(tx, account, region, uuid, fn_arn, config))
        return updated.output()

    async def delete_event_source_mapping(self, account: str, region: str, uuid: str) -> dict[str, Any]:
        return (await self.store.write(lambda tx: esm.delete(tx, account, region, uuid))).output()

    async def list_event_source_mappings(
        self,
        account: str,
        region: str,
        function_name: str | None,
        event_source_arn: str | None,
        marker: str | None,
        max_items: int | None,
    ) -> dict[str, Any]:
        limit = max_items or 100
        if not 1 <= limit <= 10_000:
            raise invalid(
                f"1 validation error detected: Value '{limit}' at 'maxItems' failed to satisfy constraint: Member "
                "must have value between 1 and 10000"
            )
        fn_arn = None
        if function_name:
            ref = parse_function_name(function_name)
            fn_arn = function_arn(ref.region or region, own_account(account, ref), ref.name, ref.qualifier)
        source = event_source_arn or None
        rows = await self.store.read(
            lambda tx: store_esm.list_mappings(tx, account, region, fn_arn, source, marker or "", limit + 1)
        )
        out: dict[str, Any] = {"EventSourceMappings": [m.output() for m in rows[:limit]]}
        if len(rows) > limit:
            out["NextMarker"] = rows[limit - 1].uuid
        return out


async def _check_role_access(runtime: Runtime, queue: dict[str, Any], role: str) -> None:
    """Under IAM enforcement: the execution role's identity policies (with the queue's Policy) must allow polling
    the queue, AWS's check when the mapping is made."""
    iam = authorizer(runtime)
    for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
        verdict = await iam.principal_may(role, f"sqs:{action}", queue["QueueArn"])
        if not verdict.allowed:
            raise invalid(f"The provided execution role does not have permissions to call {action} on SQS")


def _check_queue_access(queue: dict[str, Any], account: str, role: str) -> None:
    """Another account's queue must let the function's execution role poll it (its Policy; within an account the
    role's own permissions are not evaluated here), as AWS checks when the mapping is made."""
    arn = queue["QueueArn"]
    if arn.split(":")[4] == account:
        return
    principal = Principal(account, role)
    for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):
        request = PolicyRequest(principal, f"sqs:{action}", arn)
        if not evaluate(queue["Attributes"].get("Policy"), request).allowed:
            raise invalid(f"The provided execution role does not have permissions to call {action} on SQS")
