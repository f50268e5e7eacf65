"""The WebRTC signaling relay at a channel's WSS endpoint (GetSignalingChannelEndpoint): a master connects with a
SigV4-presigned URL naming X-Amz-ChannelARN, viewers add X-Amz-ClientId; SDP offers/answers and ICE candidates
relay between them in AWS's message format ({"action", "messagePayload", "recipientClientId"} in;
{"senderClientId", "messageType", "messagePayload"} out). Media flows peer to peer, as on AWS. Connections live on
the node they reached (no relay between nodes)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import safejson
from ...aws import sigv4
from ...aws.auth import identify
from ...aws.http import Request, Response
from ...clock import Clock
from .backend import KinesisVideoBackend

if TYPE_CHECKING:
    from ...runtime import Runtime

_ACTIONS = frozenset({"SDP_OFFER", "SDP_ANSWER", "ICE_CANDIDATE"})
_MAX_MESSAGE = 64 * 1024
_MAX_WAITING = 100  # messages kept per channel for a master to come


@dataclass
class _Channel:
    master: Any = None
    viewers: dict[str, Any] = field(default_factory=dict)
    # viewers' messages sent while no master was connected: (expires at, message), delivered when one connects
    waiting: list[tuple[float, str]] = field(default_factory=list)


class SignalingRelay:
    """Connected masters and viewers, per channel ARN (this node's)."""

    def __init__(self, clock: Clock) -> None:
        self.channels: dict[str, _Channel] = {}
        self._clock = clock

    async def upgrade(self, runtime: Runtime, request: Request, ws: Any) -> bool:
        query = request.query
        arn = query.get("X-Amz-ChannelARN")
        if not arn:
            return False
        if runtime.config.strict_auth:
            try:
                sigv4.authenticate(request, runtime.secret_for, runtime.clock.utcnow(), service="kinesisvideo")
            except sigv4.SignatureProblem:
                ws.reject(Response(403, [("Content-Type", "application/json")], b'{"message":"Forbidden"}'))
                return True
        caller = identify(request)
        channel = await runtime.state(KinesisVideoBackend).channel_by_arn(arn)
        if channel is None or channel.account != caller.account:
            ws.reject(Response(404, [("Content-Type", "application/json")], b'{"message":"Channel not found"}'))
            return True
        client_id = query.get("X-Amz-ClientId")
        ws.accept()
        await self._serve(arn, client_id, ws, float(channel.ttl_seconds))
        return True

    async def _serve(self, arn: str, client_id: str | None, ws: Any, ttl: float) -> None:
        peers = self.channels.setdefault(arn, _Channel())
        if client_id is None:
            previous, peers.master = peers.master, ws
            if previous is not None and previous is not ws:
                previous.close(1000, "another master connected")
            now = self._clock.monotonic()
            for expires, message in peers.waiting:
                if expires > now:
                    ws.send(message)
            peers.waiting.clear()
        else:
            previous = peers.viewers.get(client_id)
            peers.viewers[client_id] = ws
            if previous is not None and previous is not ws:
                previous.close(1000, "another viewer connected with this client id")
        try:
            while (message := await ws.receive()) is not None:
                self._relay(peers, client_id, message, ws, ttl)
        finally:
            if client_id is None and peers.master is ws:
                peers.master = None
            elif client_id is not None and peers.viewers.get(client_id) is ws:
                del peers.viewers[client_id]
            now = self._clock.monotonic()
            peers.waiting = [w for w in peers.waiting if w[0] > now]
            if peers.master is None and not peers.viewers and not peers.waiting:
                self.channels.pop(arn, None)

    def _relay(self, peers: _Channel, sender: str | None, message: str | bytes, ws: Any, ttl: float) -> None:
        try:
            document = safejson.loads(message, max_size=_MAX_MESSAGE)
        except ValueError:
            document = None
        if not isinstance(document, dict) or document.get("action") not in _ACTIONS:
            self._status(ws, document, "400", "InvalidArgumentException", "The message is not a signaling message.")
            return
        payload = document.get("messagePayload")
        if not isinstance(payload, str):
            self._status(ws, document, "400", "InvalidArgumentException", "messagePayload is required.")
            return
        out: dict[str, Any] = {"messageType": document["action"], "messagePayload": payload}
        if sender is None:  # from the master: to the viewer it names
            recipient = peers.viewers.get(str(document.get("recipientClientId") or ""))
        else:
            recipient = peers.master
            out["senderClientId"] = sender
            if recipient is None:  # kept for the channel's MessageTtlSeconds, as AWS keeps it for a master to come
                now = self._clock.monotonic()
                peers.waiting = [w for w in peers.waiting if w[0] > now][-_MAX_WAITING:]
                peers.waiting.append((now + ttl, json.dumps(out)))
                return
        if recipient is None:
            self._status(ws, document, "404", "ResourceNotFoundException", "The recipient is not connected.")
            return
        recipient.send(json.dumps(out))

    @staticmethod
    def _status(ws: Any, document: Any, code: str, error: str, description: str) -> None:
        """AWS answers a failed message with a statusResponse only when it carried a correlationId."""
        correlation = document.get("correlationId") if isinstance(document, dict) else None
        if correlation:
            ws.send(
                json.dumps(
                    {
                        "statusResponse": {
                            "correlationId": correlation,
                            "errorType": error,
                            "statusCode": code,
                            "description": description,
                        }
                    }
                )
            )
