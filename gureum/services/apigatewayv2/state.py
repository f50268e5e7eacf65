"""This node's caches for HTTP and WebSocket APIs: JWKS documents, authorizer answers, throttling buckets,
compiled deployment snapshots and the custom domain names the edge serves. Owned by the backend object
(backend.caches); nothing here is shared between nodes."""

from __future__ import annotations

from typing import Any

from ...accesslogs import AccessLogs
from ...clock import Clock
from . import jwt, throttle
from .deployed import Deployments


class State:
    def __init__(self, clock: Clock, access_logs: AccessLogs) -> None:
        self.clock = clock
        self.access_logs = access_logs  # the stages' access log lines on their way to their destinations
        self.jwks = jwt.JwksCache(clock)
        self.authorizer_cache: dict[tuple[Any, ...], tuple[float, Any]] = {}  # (api, authorizer, identity) → answer
        self.buckets = throttle.Buckets()
        self.deployments = Deployments()
        # every custom domain name (lower case), refreshed on each committed change: the edge route's cheap host check
        self.domains: set[str] = set()

    def forget_authorizer_answers(self, api_id: str) -> None:
        """ResetAuthorizersCache: this node's cached authorizer answers for the API."""
        for key in [k for k in self.authorizer_cache if k[0] == api_id]:
            del self.authorizer_cache[key]

    def clear(self) -> None:
        """gureum's reset: JWKS, authorizer answers and throttling start afresh (deployments never change)."""
        self.jwks.clear()
        self.authorizer_cache.clear()
        self.buckets.clear()
        self.domains.clear()  # the tables were emptied
