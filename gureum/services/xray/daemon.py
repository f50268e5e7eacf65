"""The X-Ray daemon's UDP endpoint, as Lambda runs one beside every function: the X-Ray SDKs send each (sub)segment
as one datagram, ``{"format": "json", "version": 1}`` + newline + the document; each is validated and stored as
PutTraceSegments stores it. Functions find it in AWS_XRAY_DAEMON_ADDRESS (Recorder.daemon_address).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION

log = logging.getLogger("gureum.xray")
_HEADER = b'{"format": "json", "version": 1}'
MAX_DATAGRAM = 64 * 1024

Put = Callable[[str, str, Sequence[str]], list[dict[str, str]]]


class DaemonProtocol(asyncio.DatagramProtocol):
    """One datagram, one document; anything else is dropped (and counted) as the daemon drops it."""

    def __init__(self, put: Put) -> None:
        self.put = put
        self.received = 0
        self.rejected = 0

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        header, sep, body = data.partition(b"\n")
        if not sep or len(data) > MAX_DATAGRAM or header.replace(b" ", b"") != _HEADER.replace(b" ", b""):
            self.rejected += 1
            return
        try:
            text = body.decode()
        except UnicodeDecodeError:
            self.rejected += 1
            return
        # the SDK in a function names no account: the trace the document joins already has one
        if self.put(DEFAULT_ACCOUNT, DEFAULT_REGION, [text]):
            self.rejected += 1
        else:
            self.received += 1


async def listen(put: Put, host: str = "127.0.0.1", port: int = 0) -> tuple[asyncio.DatagramTransport, str]:
    """Bind the endpoint; returns the transport and its ``host:port``."""
    loop = asyncio.get_running_loop()
    transport, _protocol = await loop.create_datagram_endpoint(lambda: DaemonProtocol(put), local_addr=(host, port))
    bound = transport.get_extra_info("sockname")
    return transport, f"{bound[0]}:{bound[1]}"
