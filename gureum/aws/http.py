"""The engine's plain HTTP request and response values (no framework types cross into services)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl, unquote


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


class Request:
    """A read-only view of one HTTP request; derived parts are computed on first use."""

    __slots__ = ("method", "raw_path", "query_string", "headers", "body", "scheme", "peer", "_header_list", "__dict__")

    def __init__(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        scheme: str = "http",
        peer: str = "127.0.0.1",
        header_list: list[tuple[str, str]] | None = None,
    ) -> None:
        self.method = method
        self.raw_path = raw_path
        self.query_string = query_string
        self.headers = headers  # lower-case names
        self.body = body
        self.scheme = scheme
        self.peer = peer  # the client's IP address as the TCP connection shows it (API Gateway's sourceIp)
        self._header_list = header_list

    @property
    def header_list(self) -> list[tuple[str, str]]:
        """The headers as the client sent them: names in their own case, repeated headers apart (REST API events)."""
        return self._header_list if self._header_list is not None else list(self.headers.items())

    @cached_property
    def path(self) -> str:
        return unquote(self.raw_path)

    @cached_property
    def query_list(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    @cached_property
    def query(self) -> dict[str, str]:
        return dict(self.query_list)

    @cached_property
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    @cached_property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @cached_property
    def form(self) -> dict[str, str]:
        """Query-protocol parameters: the query string plus a form-encoded body."""
        params = dict(self.query_list)
        if self.body and (self.content_type in ("application/x-www-form-urlencoded", "") and self.method == "POST"):
            params.update(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"
