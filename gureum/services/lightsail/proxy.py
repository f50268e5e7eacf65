"""The instances' firewall and public addresses: each instance's public IP is a loopback address of this machine
(127.77.x.y; a static IP 127.78.x.y), and each open TCP port is a listener on that address forwarding to the
instance container's private address. A port below 1024 that gureum may not bind (not root, no
CAP_NET_BIND_SERVICE) is served on 10000 + port instead, and reported so (see ``bound``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import Callable

log = logging.getLogger("gureum")
FALLBACK = 10000
_BUFFER = 1 << 16

Target = Callable[[], str | None]


class Forwarder:
    """Listeners per instance key: (address, port) → asyncio server."""

    def __init__(self) -> None:
        self._servers: dict[str, dict[int, asyncio.Server]] = {}
        self._bound: dict[str, dict[int, int]] = {}
        self._allowed: dict[str, dict[int, Callable[[str], bool]]] = {}

    def bound(self, key: str) -> dict[int, int]:
        """The instance's open ports → the port actually listening on its public address."""
        return dict(self._bound.get(key, {}))

    async def open(self, key: str, address: str, port: int, target: Target, allowed: Callable[[str], bool]) -> int:
        """Listen on address:port (or its fallback) forwarding to the target's ``port`` for clients whose address
        ``allowed`` accepts (the port's CIDRs); the port bound. Reopening an open port updates who is allowed."""
        self._allowed.setdefault(key, {})[port] = allowed
        servers = self._servers.setdefault(key, {})
        if port in servers:
            return self._bound[key][port]

        async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("peername")
            check = self._allowed.get(key, {}).get(port)
            if not peer or check is None or not check(str(peer[0])):
                writer.close()  # the firewall drops it
                return
            await _forward(reader, writer, target(), port)

        try:
            server = await asyncio.start_server(forward, address, port, reuse_address=True)
            actual = port
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM) or port >= 1024 or port + FALLBACK > 65535:
                raise
            server = await asyncio.start_server(forward, address, port + FALLBACK, reuse_address=True)
            actual = port + FALLBACK
            log.warning("lightsail: cannot bind %s:%d here (not root); serving it on %s:%d", address, port, address,
                        actual)  # fmt: skip
        servers[port] = server
        self._bound.setdefault(key, {})[port] = actual
        return actual

    async def close(self, key: str, port: int) -> None:
        server = self._servers.get(key, {}).pop(port, None)
        self._bound.get(key, {}).pop(port, None)
        self._allowed.get(key, {}).pop(port, None)
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1)

    async def close_all(self, key: str) -> None:
        for port in list(self._servers.get(key, {})):
            await self.close(key, port)
        self._servers.pop(key, None)
        self._bound.pop(key, None)
        self._allowed.pop(key, None)

    async def shutdown(self) -> None:
        for key in list(self._servers):
            await self.close_all(key)


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str | None, port: int) -> None:
    if host is None:  # the instance is not running: the connection is refused as a stopped machine's would be
        writer.close()
        return
    try:
        upstream_reader, upstream_writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except (TimeoutError, OSError):
        writer.close()
        return

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(_BUFFER):
                dst.write(data)
                await dst.drain()
            if dst.can_write_eof():
                dst.write_eof()
        except (OSError, ConnectionError):
            pass

    try:
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
    finally:
        for stream in (writer, upstream_writer):
            stream.close()
