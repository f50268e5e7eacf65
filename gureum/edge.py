"""The edge router: which service's data plane (gureum.services.EdgeRoute) serves a request that is not an AWS API
call. Each request is matched once against every route's rules, Starlette-style: a full match is served, a match
whose only fault is the method is answered 405, and no match goes on to the AWS dispatcher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING

from .aws.http import Request, Response
from .services import EdgeRoute

if TYPE_CHECKING:
    from .runtime import Runtime


class Match(Enum):
    NONE = 0
    PARTIAL = 1  # everything but the method
    FULL = 2


def _path_regex(template: str) -> re.Pattern[str]:
    """ "/restapis/{api}/{stage}/_user_request_" → a regex matching that prefix (and anything below it)."""
    parts = []
    for segment in template.strip("/").split("/"):
        # a {name} segment may be empty: "/restapis/a1b2//_user_request_/x" (a shell ate "$default") is the edge's
        # to answer (403, as API Gateway does for a stage it does not have), not an AWS API call
        parts.append("[^/]*" if segment.startswith("{") and segment.endswith("}") else re.escape(segment))
    return re.compile("/" + "/".join(parts) + "(?:/|$)")


class EdgeRouter:
    def __init__(self, routes: Sequence[EdgeRoute]) -> None:
        self._routes = [(route, _path_regex(route.path) if route.path else None) for route in routes]
        # A quick test that no route can match (every AWS API call): each rule a route sets must hold for it to
        # match, so a request that passes no route's host label, path and host names is matched by none.
        self._always = any(route.host is None and route.path is None and route.host_names is None for route in routes)
        self._labels = tuple(dict.fromkeys(route.host for route in routes if route.host is not None))
        paths = [path.pattern for _, path in self._routes if path is not None]
        self._any_path = re.compile("|".join(f"(?:{p})" for p in paths)) if paths else None
        # routes with a path and an ``accepts`` test: a path like "/{pool}" takes every "/" (each JSON and query API
        # call), and only the test tells such a route's requests from them
        self._accepting = tuple((route.accepts, path) for route, path in self._routes if path and route.accepts)
        plain = [path.pattern for route, path in self._routes if path is not None and route.accepts is None]
        self._plain_path = re.compile("|".join(f"(?:{p})" for p in plain)) if plain else None
        self._names = tuple(route.host_names for route in routes if route.host_names is not None)

    def __bool__(self) -> bool:
        return bool(self._routes)

    @staticmethod
    def _match(runtime: Runtime, route: EdgeRoute, path: re.Pattern[str] | None, request: Request) -> Match:
        if route.host is not None and route.host not in request.host:
            return Match.NONE
        if path is not None and path.match(request.raw_path) is None:
            return Match.NONE
        if route.host_names is not None:
            names = route.host_names(runtime)
            if not names or request.host.split(":")[0].lower() not in names:
                return Match.NONE
        if route.accepts is not None and not route.accepts(request):
            return Match.NONE
        if route.methods is not None and request.method not in route.methods:
            return Match.PARTIAL
        return Match.FULL

    def may_match(self, runtime: Runtime, request: Request) -> bool:
        """False when no route can match this request (no coroutine, no per-route work): the usual AWS call."""
        if self._always:
            return True
        host = request.host
        for label in self._labels:
            if label in host:
                return True
        if self._any_path is not None and self._any_path.match(request.raw_path) is not None:
            if self._plain_path is not None and self._plain_path.match(request.raw_path) is not None:
                return True
            for accepts, path in self._accepting:  # a route whose path matched matches only if it accepts too
                if path.match(request.raw_path) is not None and accepts(request):
                    return True
        if self._names:
            name = host.split(":")[0].lower()
            for names in self._names:
                found = names(runtime)
                if found and name in found:
                    return True
        return False

    def takes_stream(self, runtime: Runtime, request: Request) -> bool:
        """Whether the route that serves this request reads its body as it arrives (EdgeRoute.streams)."""
        if not self.may_match(runtime, request):
            return False
        for route, path in self._routes:
            if self._match(runtime, route, path, request) is Match.FULL:
                return route.streams
        return False

    def matching(self, runtime: Runtime, request: Request) -> list[EdgeRoute]:
        """The routes whose rules hold for this request, its method aside (gureum.loader's triggers)."""
        return [route for route, path in self._routes if self._match(runtime, route, path, request) is not Match.NONE]

    async def handle(self, runtime: Runtime, request: Request) -> Response | None:
        """The edge's answer, or None when no route matches (the request is an AWS API call)."""
        partial = False
        for route, path in self._routes:
            match = self._match(runtime, route, path, request)
            if match is Match.FULL:
                return await route.handle(runtime, request)
            partial = partial or match is Match.PARTIAL
        if partial:
            return Response(405, [("Content-Type", "application/json")], b'{"message":"Method Not Allowed"}')
        return None
