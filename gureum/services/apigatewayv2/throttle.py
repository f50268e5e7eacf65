"""Stage and route throttling of HTTP APIs: a token bucket per (api, stage, route) on this node, refilled at
ThrottlingRateLimit per second up to ThrottlingBurstLimit (RouteSettings for the route, else DefaultRouteSettings).
Over the limit AWS answers 429 {"message":"Too Many Requests"}. Pure logic over an injected clock value."""

from __future__ import annotations

from typing import Any


class Buckets:
    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}  # key → (tokens, at)

    def allow(self, key: tuple[str, str, str], settings: dict[str, Any], now: float) -> bool:
        rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
        if rate is None and burst is None:
            return True
        rate = float(rate if rate is not None else 1e9)
        burst = float(burst if burst is not None else max(rate, 1.0))
        tokens, at = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1, now)
        return True

    def clear(self) -> None:
        self._buckets.clear()


def settings_for(stage: dict[str, Any], route_key: str) -> dict[str, Any]:
    route = (stage.get("RouteSettings") or {}).get(route_key) or {}
    default = stage.get("DefaultRouteSettings") or {}
    return {k: route.get(k, default.get(k)) for k in ("ThrottlingRateLimit", "ThrottlingBurstLimit")}
