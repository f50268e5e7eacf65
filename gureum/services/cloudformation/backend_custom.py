"""Custom resources and wait conditions of CloudFormationBackend: a custom resource's request sent to its Lambda
function or SNS topic and its response PUT to the ResponseURL gureum serves (stored, so any node may receive it;
the waiting node is woken by a store notification), and wait condition handles' signals."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from ...clock import Clock
from ...runtime import Runtime
from ...store.base import Store
from . import store
from .errors import ResourceFailure

if TYPE_CHECKING:
    from . import engine

RESPONSE_CHANNEL = "cfn_custom_response"


class CustomResources:
    """Mixed into CloudFormationBackend."""

    runtime: Runtime
    store: Store
    clock: Clock
    custom_timeout: float
    _responses: dict[str, asyncio.Event]

    def signals(self, host: str) -> WaitSignals:
        return WaitSignals(self, host)

    async def signal(self, token: str, body: bytes) -> bool:
        """A signal PUT to a wait condition handle's URL: {"Status", "UniqueId", "Data", "Reason"}."""
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            return False
        if not isinstance(doc, dict) or doc.get("Status") not in ("SUCCESS", "FAILURE"):
            return False
        unique = str(doc.get("UniqueId", ""))[:1024]
        text = json.dumps(doc)[:65536]
        await self.store.write(lambda tx: store.put_signal(tx, token, unique, text, self.clock.now()))
        return True

    # --- custom resources ---------------------------------------------------------------------------------------

    def _responded(self, token: str) -> None:
        event = self._responses.get(token)
        if event is not None:
            event.set()

    async def respond(self, token: str, body: bytes) -> bool:
        text = body.decode("utf-8", "replace")
        return await self.store.write(lambda tx: store.record_response(tx, token, text))

    async def custom_request(self, run: engine.Run, service_token: str, request: dict[str, Any]) -> dict[str, Any]:
        """Send a custom resource request to its Lambda function or SNS topic and wait for the response PUT to the
        response URL gureum serves; the response document."""
        token = secrets.token_urlsafe(24)
        request = {
            **request,
            "ResponseURL": f"http://{run.stack.doc.get('host', 'localhost')}/_gureum/cloudformation/responses/{token}",
            "StackId": run.stack.stack_id,
            "RequestId": str(uuid.uuid4()),
            "ServiceToken": service_token,
        }
        await self.store.write(lambda tx: store.expect_response(tx, token, self.clock.now()))
        event = self._responses[token] = asyncio.Event()
        try:
            payload = json.dumps(request)
            if service_token.startswith("arn:aws:sns:"):
                await run.aws("sns", "Publish", {"TopicArn": service_token, "Message": payload})
            else:
                await run.aws(
                    "lambda",
                    "Invoke",
                    {"FunctionName": service_token, "InvocationType": "Event", "Payload": payload.encode()},
                )
            deadline = self.clock.monotonic() + self.custom_timeout
            while True:
                body = await self.store.write(lambda tx: store.take_response(tx, token))
                if body is not None:
                    break
                left = deadline - self.clock.monotonic()
                if left <= 0:
                    raise ResourceFailure("Failed to receive a response from the custom resource within the timeout")
                try:
                    await asyncio.wait_for(event.wait(), min(left, 5.0))
                except TimeoutError:
                    pass
                event.clear()
        finally:
            self._responses.pop(token, None)
        try:
            doc = json.loads(body)
        except ValueError:
            raise ResourceFailure("Invalid response from the custom resource: not JSON") from None
        if not isinstance(doc, dict):
            raise ResourceFailure("Invalid response from the custom resource")
        return doc


class WaitSignals:
    """Wait condition handles of the stacks reached through ``host``."""

    PATH = "/_gureum/cloudformation/signals/"

    def __init__(self, be: CustomResources, host: str) -> None:
        self.be, self.host = be, host

    def url(self) -> str:
        return f"http://{self.host}{self.PATH}{secrets.token_urlsafe(24)}"

    async def read(self, url: str) -> list[dict[str, Any]]:
        token = url.rsplit("/", 1)[-1]
        bodies = await self.be.store.read(lambda tx: store.signals(tx, token))
        return [json.loads(b) for b in bodies]

    async def forget(self, url: str) -> None:
        token = url.rsplit("/", 1)[-1]
        await self.be.store.write(lambda tx: store.drop_signals(tx, token))
