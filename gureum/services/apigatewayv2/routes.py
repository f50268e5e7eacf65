"""HTTP API route selection (developer guide, "Working with routes for HTTP APIs"): the most specific match wins —
a full match of method and path, then a greedy {proxy+} match, then $default; ANY matches every method but a route
for the request's own method beats it. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Compiled:
    key: str
    method: str
    segments: tuple[str, ...]
    greedy: bool


class RouteTable:
    def __init__(self, keys: list[str]) -> None:
        self.default = "$default" in keys
        self.routes = []
        for key in keys:
            if key == "$default" or " " not in key:
                continue
            method, path = key.split(" ", 1)
            segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
            greedy = bool(segments) and segments[-1].startswith("{") and segments[-1].endswith("+}")
            self.routes.append(_Compiled(key, method, segments, greedy))

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """(route key, path parameters) for a request, or None (AWS answers 404)."""
        parts = path.strip("/").split("/") if path.strip("/") else []
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            params = _bind(route, parts)
            if params is None:
                continue
            literal = tuple(0 if s.startswith("{") else 1 for s in route.segments)
            rank = (
                (0 if route.greedy else 1, *literal, 1 if route.method == method else 0)
                if not route.greedy
                else (0, len(route.segments), *literal, 1 if route.method == method else 0)
            )
            if best is None or rank > best[0]:
                best = (rank, route.key, params)
        if best is not None:
            return best[1], best[2]
        return ("$default", {}) if self.default else None


def _bind(route: _Compiled, parts: list[str]) -> dict[str, str] | None:
    segments = route.segments
    if route.greedy:
        fixed = segments[:-1]
        if len(parts) <= len(fixed):
            return None
    elif len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for i, segment in enumerate(segments):
        if route.greedy and i == len(segments) - 1:
            params[segment[1:-2]] = "/".join(parts[i:])
            break
        if segment.startswith("{") and segment.endswith("}"):
            if not parts[i]:
                return None
            params[segment[1:-1]] = parts[i]
        elif segment != parts[i]:
            return None
    return params
