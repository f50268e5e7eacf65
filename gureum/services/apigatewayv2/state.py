"""This node's caches for HTTP and WebSocket APIs: JWKS documents, authorizer answers and throttling buckets."""

from __future__ import annotations

from typing import Any

from . import jwt, throttle


class State:
    def __init__(self) -> None:
        self.jwks = jwt.JwksCache()
        self.authorizer_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self.buckets = throttle.Buckets()
