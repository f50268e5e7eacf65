"""The WebRTC signaling relay end to end on a strict-auth server: a master and a viewer connect to the channel's WSS
endpoint with SigV4-presigned URLs (as the KVS WebRTC SDKs make them), exchange an SDP offer and answer and ICE
candidates in AWS's message format; an unsigned connect is refused; a message for a viewer not connected gets a
statusResponse when it carries a correlationId."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import websockets
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.exceptions import InvalidStatus

from ...conftest import make_client
from ...server import Server


def _presigned(endpoint: str, arn: str, client_id: str | None) -> str:
    query = {"X-Amz-ChannelARN": arn}
    if client_id:
        query["X-Amz-ClientId"] = client_id
    request = AWSRequest(method="GET", url=f"{endpoint}/?{urlencode(query)}")
    SigV4QueryAuth(Credentials("test", "test"), "kinesisvideo", "us-east-1", expires=300).add_auth(request)
    return str(request.url)


def _b64(document: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_offer_answer_and_candidates(tuned: Server, name: str) -> None:
    kvs = make_client(tuned.endpoint, "kinesisvideo")
    arn = kvs.create_signaling_channel(ChannelName=name)["ChannelARN"]

    def wss(role: str) -> str:
        endpoints = kvs.get_signaling_channel_endpoint(
            ChannelARN=arn, SingleMasterChannelEndpointConfiguration={"Protocols": ["WSS"], "Role": role}
        )["ResourceEndpointList"]
        return str(endpoints[0]["ResourceEndpoint"])

    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    answer = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}
    candidate = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", "sdpMid": "0"}

    async def exchange() -> None:
        async with (
            websockets.connect(_presigned(wss("MASTER"), arn, None)) as master,
            websockets.connect(_presigned(wss("VIEWER"), arn, "viewer-1")) as viewer,
        ):
            await viewer.send(json.dumps({"action": "SDP_OFFER", "messagePayload": _b64(offer)}))
            got = json.loads(await asyncio.wait_for(master.recv(), 10))
            assert got == {"messageType": "SDP_OFFER", "messagePayload": _b64(offer), "senderClientId": "viewer-1"}
            await master.send(
                json.dumps({"action": "SDP_ANSWER", "messagePayload": _b64(answer), "recipientClientId": "viewer-1"})
            )
            got = json.loads(await asyncio.wait_for(viewer.recv(), 10))
            assert got == {"messageType": "SDP_ANSWER", "messagePayload": _b64(answer)}
            await viewer.send(json.dumps({"action": "ICE_CANDIDATE", "messagePayload": _b64(candidate)}))
            got = json.loads(await asyncio.wait_for(master.recv(), 10))
            assert (
                got["messageType"] == "ICE_CANDIDATE"
                and json.loads(base64.b64decode(got["messagePayload"])) == candidate
            )
            await master.send(
                json.dumps(
                    {
                        "action": "ICE_CANDIDATE",
                        "messagePayload": _b64(candidate),
                        "recipientClientId": "nobody",
                        "correlationId": "c-1",
                    }
                )
            )
            status = json.loads(await asyncio.wait_for(master.recv(), 10))["statusResponse"]
            assert status["correlationId"] == "c-1" and status["statusCode"] == "404"

        unsigned = wss("VIEWER") + "/?" + urlencode({"X-Amz-ChannelARN": arn, "X-Amz-ClientId": "v"})
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(unsigned):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(exchange())


def test_offer_waits_for_the_master(tuned: Server, name: str) -> None:
    """A viewer's offer sent before the master connects is kept for the channel's MessageTtlSeconds."""
    kvs = make_client(tuned.endpoint, "kinesisvideo")
    arn = kvs.create_signaling_channel(ChannelName=name, SingleMasterConfiguration={"MessageTtlSeconds": 30})[
        "ChannelARN"
    ]
    endpoint = kvs.get_signaling_channel_endpoint(
        ChannelARN=arn, SingleMasterChannelEndpointConfiguration={"Protocols": ["WSS"], "Role": "VIEWER"}
    )["ResourceEndpointList"][0]["ResourceEndpoint"]
    offer = _b64({"type": "offer", "sdp": "v=0\r\n"})

    async def exchange() -> None:
        async with websockets.connect(_presigned(endpoint, arn, "early")) as viewer:
            await viewer.send(json.dumps({"action": "SDP_OFFER", "messagePayload": offer}))
            await asyncio.sleep(0.2)
            async with websockets.connect(_presigned(endpoint, arn, None)) as master:
                got = json.loads(await asyncio.wait_for(master.recv(), 10))
                assert got == {"messageType": "SDP_OFFER", "messagePayload": offer, "senderClientId": "early"}

    asyncio.run(exchange())
