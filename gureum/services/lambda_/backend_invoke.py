"""Lambda's backend, invocation part: Invoke, the LambdaInvoker port (API Gateway, function URLs, event source
mappings), asynchronous invocations from the outbox and from other services' events, and event invoke configs.
Methods of the one LambdaBackend object (backend.py).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.errors import ServiceError
from ...aws.eventstream import CONTENT_TYPE
from ...ids import unique_id
from ...store.base import Tx
from . import async_invoke, event_configs
from .access import own_account
from .backend_core import LambdaCore
from .environment import Outcome
from .errors import invalid
from .functions import Function, function_arn, parse_function_name
from .pool import Invocation
from .streaming import EventStream, ResponseStream, error_summary


class InvokeApi(LambdaCore):
    # --- invoking ---------------------------------------------------------------------------------

    async def _invoke_sync(
        self, fn: Function, invoked: str, payload: bytes, request_id: str, context: str | None
    ) -> dict[str, Any]:
        async_invoke.check_sync_size(payload)
        async_invoke.check_json(payload)
        outcome = await self.run(fn, Invocation(payload, request_id, invoked, context))
        return async_invoke.sync_output(fn, outcome)

    async def invoke(
        self,
        account: str,
        region: str,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> dict[str, Any]:
        """The LambdaInvoker port (gureum.ports), used by API Gateway, function URLs and event source mappings: a
        RequestResponse invocation. Returns Invoke's output plus Log; raises the ServiceErrors Invoke answers with."""
        ref = parse_function_name(function, qualifier)
        account, region = ref.account or account, ref.region or region
        fn = await self.load_function(account, region, ref.name, ref.qualifier, route=True)
        invoked = function_arn(region, account, ref.name, ref.qualifier)
        return await self._invoke_sync(fn, invoked, payload, request_id or unique_id(), client_context)

    async def invoke_request(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        invocation_type: str | None,
        payload: bytes,
        log_type: str | None,
        client_context: str | None,
        request_id: str,
        access_key: str = "",
    ) -> dict[str, Any]:
        """Invoke: RequestResponse, Event (queued for an asynchronous invocation) or DryRun; ``client_context`` as
        the X-Amz-Client-Context header carries it (base64). Another account's function (by ARN) only when its
        policy grants the caller (``access_key``'s principal) lambda:InvokeFunction."""
        ref = parse_function_name(function_name, qualifier)
        owner = await self.reach(account, access_key, region, ref, "lambda:InvokeFunction")
        region = ref.region or region
        kind = invocation_type or "RequestResponse"
        fn = await self.load_function(owner, region, ref.name, ref.qualifier, route=True)
        invoked = function_arn(region, owner, ref.name, ref.qualifier)
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            async_invoke.check_async_size(payload)
            async_invoke.check_json(payload)
            context = async_invoke.client_context(client_context)
            await self.store.write(
                lambda tx: async_invoke.enqueue(self.delivery, tx, fn, invoked, payload, request_id, context)
            )
            return {"StatusCode": 202}
        if kind != "RequestResponse":
            raise invalid(f"Unsupported InvocationType {kind}: use RequestResponse, Event or DryRun.")
        out = await self._invoke_sync(fn, invoked, payload, request_id, async_invoke.client_context(client_context))
        log = out.pop("Log")
        if log_type == "Tail":
            out["LogResult"] = async_invoke.tail(log)
        return out

    # --- response streaming ----------------------------------------------------------------------

    async def invoke_streamed(
        self,
        account: str,
        region: str,
        function: str,
        payload: bytes,
        *,
        qualifier: str | None = None,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> tuple[ResponseStream, Callable[[], Awaitable[dict[str, Any]]]]:
        """A RequestResponse invocation whose response is taken as the runtime writes it (function URLs in
        RESPONSE_STREAM mode): returns once the runtime opened its stream or the invocation ended, with the stream
        and an awaitable of Invoke's output (Payload holds the answer when the runtime did not stream). Errors
        before that (not found, throttled) are raised."""
        ref = parse_function_name(function, qualifier)
        account, region = ref.account or account, ref.region or region
        fn = await self.load_function(account, region, ref.name, ref.qualifier, route=True)
        invoked = function_arn(region, account, ref.name, ref.qualifier)
        return await self._start_stream(fn, invoked, payload, request_id or unique_id(), client_context)

    async def _start_stream(
        self, fn: Function, invoked: str, payload: bytes, request_id: str, context: str | None
    ) -> tuple[ResponseStream, Callable[[], Awaitable[dict[str, Any]]]]:
        async_invoke.check_sync_size(payload)
        async_invoke.check_json(payload)
        stream = ResponseStream(self.clock)

        async def run() -> Outcome | ServiceError:
            try:
                return await self.run(fn, Invocation(payload, request_id, invoked, context, stream))
            except ServiceError as error:
                return error
            finally:
                stream.finish()

        task = self.runtime.spawn(run(), f"lambda-stream-{request_id}")
        head = asyncio.ensure_future(stream.head.wait())
        try:
            await asyncio.wait({task, head}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            head.cancel()
        if task.done() and isinstance(task.result(), ServiceError):
            raise task.result()

        async def outcome() -> dict[str, Any]:
            result = await asyncio.shield(task)
            if isinstance(result, ServiceError):
                raise result
            return async_invoke.sync_output(fn, result)

        return stream, outcome

    async def invoke_stream_request(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        invocation_type: str | None,
        payload: bytes,
        log_type: str | None,
        client_context: str | None,
        request_id: str,
        access_key: str = "",
    ) -> dict[str, Any]:
        """InvokeWithResponseStream: the answer as an event stream of PayloadChunk messages as the runtime writes
        them (one chunk when it answers buffered), then InvokeComplete (ErrorCode: the error type, ErrorDetails: its
        message, LogResult for LogType Tail); DryRun checks access only."""
        ref = parse_function_name(function_name, qualifier)
        owner = await self.reach(account, access_key, region, ref, "lambda:InvokeFunction")
        region = ref.region or region
        fn = await self.load_function(owner, region, ref.name, ref.qualifier, route=True)
        invoked = function_arn(region, owner, ref.name, ref.qualifier)
        if (invocation_type or "RequestResponse") == "DryRun":
            return {"StatusCode": 204}
        context = async_invoke.client_context(client_context)
        stream, outcome = await self._start_stream(fn, invoked, payload, request_id, context)

        async def complete() -> tuple[bytes, str | None, str | None, str | None]:
            out = await outcome()
            log = async_invoke.tail(out["Log"]) if log_type == "Tail" else None
            body = bytes(out.get("Payload") or b"")
            if not out.get("FunctionError"):
                return (b"" if stream.opened else body), None, None, log
            code, details = error_summary(body)
            return b"", code, details, log

        return {"StatusCode": 200, "ExecutedVersion": fn.version, "ResponseStreamContentType": CONTENT_TYPE,
                "EventStream": EventStream(stream, complete)}  # fmt: skip

    # --- asynchronous invocation ------------------------------------------------------------------

    async def deliver_event(self, address: str, payload: dict[str, Any]) -> None:
        """One attempt of an Event invocation from the outbox: a failure raises a DeliveryError (retried per the
        function's policy); a success sends the OnSuccess record."""
        request_id = payload.get("request_id") or unique_id()
        inv = Invocation(base64.b64decode(payload["body"]), request_id, address, payload.get("client_context"))
        try:
            ref = parse_function_name(address)
            account, region = ref.account or DEFAULT_ACCOUNT, ref.region or DEFAULT_REGION
            fn = await self.load_function(account, region, ref.name, ref.qualifier, route=True)
            outcome = await self.run(fn, inv)
        except ServiceError as error:
            self.failed_attempts[request_id] = self.failed_attempts.get(request_id, 0) + 1
            raise async_invoke.attempt_failed(error) from error
        if outcome.kind != "ok":
            self.failed_attempts[request_id] = self.failed_attempts.get(request_id, 0) + 1
            raise async_invoke.function_failed(outcome)
        attempts = self.failed_attempts.pop(request_id, 0) + 1
        target = async_invoke.destination(fn, "OnSuccess")
        if target:
            record = async_invoke.invocation_record(
                self.clock.now(), request_id=request_id, function_arn=fn.qualified_arn, condition="Success",
                attempts=attempts, request=inv.payload, status=200, version=fn.version, function_error=None,
                response=outcome.body,
            )  # fmt: skip
            await self.store.write(lambda tx: async_invoke.send_record(self.delivery, tx, target, record))

    def accept_event(self, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        """Another service's event for the function at ``address``, accepted in the producer's transaction."""
        async_invoke.accept(self.delivery, tx, address, payload)

    def event_failed(self, tx: Tx, address: str, payload: dict[str, Any]) -> None:
        """An Event invocation failed for good: its dead-letter message and OnFailure record."""
        self.failed_attempts.pop(str(payload.get("request_id")), None)
        async_invoke.failed_for_good(self.delivery, tx, address, payload, self.clock.now())

    # --- event invoke configs ---------------------------------------------------------------------

    async def _write_event_config(
        self, account: str, region: str, function_name: str, qualifier: str | None, mode: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        if mode != "delete":
            event_configs.check_limits(values.get("MaximumRetryAttempts"), values.get("MaximumEventAgeInSeconds"))
        now = self.clock.now()
        return await self.store.write(
            lambda tx: event_configs.write(tx, account, region, ref.name, ref.qualifier, mode, values, now)
        )

    async def put_function_event_invoke_config(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        maximum_retry_attempts: int | None,
        maximum_event_age_in_seconds: int | None,
        destination_config: dict[str, Any] | None,
    ) -> dict[str, Any]:
        values = {
            "MaximumRetryAttempts": maximum_retry_attempts,
            "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
            "DestinationConfig": destination_config,
        }
        return await self._write_event_config(account, region, function_name, qualifier, "put", values)

    async def update_function_event_invoke_config(
        self,
        account: str,
        region: str,
        function_name: str,
        qualifier: str | None,
        maximum_retry_attempts: int | None,
        maximum_event_age_in_seconds: int | None,
        destination_config: dict[str, Any] | None,
    ) -> dict[str, Any]:
        values = {
            "MaximumRetryAttempts": maximum_retry_attempts,
            "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
            "DestinationConfig": destination_config,
        }
        return await self._write_event_config(account, region, function_name, qualifier, "update", values)

    async def delete_function_event_invoke_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> None:
        await self._write_event_config(account, region, function_name, qualifier, "delete", {})

    async def get_function_event_invoke_config(
        self, account: str, region: str, function_name: str, qualifier: str | None
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name, qualifier)
        account, region = own_account(account, ref), ref.region or region
        return await self.store.read(lambda tx: event_configs.get(tx, account, region, ref.name, ref.qualifier))

    async def list_function_event_invoke_configs(
        self, account: str, region: str, function_name: str, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        account, region, name = self._named(account, region, function_name)
        limit = max_items or 50
        return await self.store.read(lambda tx: event_configs.listing(tx, account, region, name, marker, limit))
