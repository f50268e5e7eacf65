"""This node's state of the execute-api edge: the custom domain names it serves, deployment snapshots indexed for
matching, stage caches, the authorizer and throttling state, and the HTTP client of HTTP integrations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...accesslogs import AccessLogs
from ...aws.http import Response
from .access import AccessState

CACHE_CHANNEL = "apigateway_cache_flush"  # FlushStageCache on any node empties every node's cache of the stage
DOMAINS_CHANNEL = "apigateway_domains"  # a custom domain name was created or deleted: every node reloads its set


class Snapshot:
    """A deployment's definition with its resource tree indexed for matching."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.children: dict[str | None, list[dict[str, Any]]] = {}
        for item in doc["resources"].values():
            self.children.setdefault(item.get("parentId"), []).append(item)
        for items in self.children.values():  # literals first, then {param}, then {proxy+}
            items.sort(key=lambda r: (r.get("pathPart", "").startswith("{"), r.get("pathPart", "").endswith("+}")))
        self.root = doc["resources"][doc["rootResourceId"]]

    def match(self, path: str) -> tuple[dict[str, Any], dict[str, str]] | None:
        parts = [p for p in path.split("/") if p != ""]
        return self._match(self.root, parts, {})

    def _match(
        self, node: dict[str, Any], parts: list[str], params: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]] | None:
        if not parts:
            return node, params
        for child in self.children.get(node["id"], []):
            part = child["pathPart"]
            if part.endswith("+}"):
                return child, {**params, part[1:-2]: "/".join(parts)}
            if part.startswith("{"):
                found = self._match(child, parts[1:], {**params, part[1:-1]: parts[0]})
            elif part == parts[0]:
                found = self._match(child, parts[1:], params)
            else:
                continue
            if found is not None:
                return found
        return None


@dataclass
class EdgeState:
    access_logs: AccessLogs  # the stages' access log lines on their way to their destinations
    # every custom domain name (lower case), refreshed on each committed change: the edge route's cheap host check
    domains: set[str] = field(default_factory=set)
    access: AccessState = field(default_factory=AccessState)
    snapshots: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    cache: dict[tuple[str, ...], tuple[float, Response]] = field(default_factory=dict)  # stage caches (this node's)
    _client: Any = None

    def http_client(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(timeout=httpx.Timeout(30.0), follow_redirects=False)
        return self._client

    def flush_cache(self, api_id: str, stage: str) -> None:
        for key in [k for k in self.cache if k[0] == api_id and k[1] == stage]:
            self.cache.pop(key, None)

    def flush_authorizers(self, api_id: str) -> None:
        cache = self.access.auth_cache
        for key in [k for k in cache if k[0] == api_id]:
            cache.pop(key, None)

    def clear(self) -> None:
        """Forget everything cached (a reset); the domain names are reloaded by the caller."""
        self.access = AccessState()
        self.snapshots.clear()
        self.cache.clear()
        self.domains.clear()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
