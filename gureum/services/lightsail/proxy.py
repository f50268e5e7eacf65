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

Target = Callable[[], tuple[str, int] | None]  # where a new connection goes now (None: nowhere)


class Forwarder:
    """Listeners per instance key: (address, port) → asyncio server."""

    def __init__(self) -> None:
        self._servers: dict[str, dict[int, asyncio.Server]] = {}
        self._bound: dict[str, dict[int, int]] = {}
        self._allowed: dict[str, dict[int, Callable[[str], bool]]] = {}

    def bound(self, key: str) -> dict[int, int]:
        """The instance's open ports → the port actually listening on its public address."""
        return dict(self._bound.get(key, {}))

    async def open(
        self,
        key: str,
        address: str,
        port: int,
        target: Target,
        allowed: Callable[[str], bool],
        listen: int | None = None,
    ) -> int:
        """Listen on address:``listen`` (default ``port``; 0: any free port; a privileged port gureum may not bind:
        its fallback) forwarding each connection where ``target`` says, for clients whose address ``allowed``
        accepts (the port's CIDRs); the port bound. Reopening an open port updates who is allowed."""
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
            await _forward(reader, writer, target())

        wanted = port if listen is None else listen
        try:
            server = await asyncio.start_server(forward, address, wanted, reuse_address=True)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and listen:  # a remembered port taken meanwhile: any free one
                server = await asyncio.start_server(forward, address, 0, reuse_address=True)
            elif exc.errno not in (errno.EACCES, errno.EPERM) or not 0 < wanted < 1024:
                raise
            else:
                server = await asyncio.start_server(forward, address, wanted + FALLBACK, reuse_address=True)
                log.warning("lightsail: cannot bind %s:%d here (not root); serving it on %s:%d", address, wanted,
                            address, wanted + FALLBACK)  # fmt: skip
        actual = int(server.sockets[0].getsockname()[1])
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


async def _forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, where: tuple[str, int] | None) -> None:
    if where is None:  # nothing runs there: the connection is closed as a stopped machine's would be
        writer.close()
        return
    host, port = where
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


async def http_ok(host: str, port: int, path: str, codes: set[int], timeout: float) -> bool:
    """Whether GET ``path`` at host:port answers within ``timeout`` seconds with a status in ``codes``."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (TimeoutError, OSError):
        return False
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: ELB-HealthChecker/2.0\r\n\r\n".encode())
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        parts = line.split()
        return len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in codes
    except (TimeoutError, OSError):
        return False
    finally:
        writer.close()
