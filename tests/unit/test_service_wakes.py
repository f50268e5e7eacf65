"""gureum.services.WAKES says, for each service, what loads it before an AWS call names it; this checks it against
what each service registers once loaded (delivery kinds, ports, edge and admin routes, WebSocket upgrades)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from gureum.config import Config
from gureum.services import PACKAGES, WAKES, Service, Wake, available

_PROVIDE = re.compile(r"\bprovide\(\s*(?:\w+\.)?(\w+)\s*,")
NAMES = list(available())


def _service(name: str) -> Service:
    service: Service = importlib.import_module(available()[name]).SERVICE
    return service


@pytest.mark.parametrize("name", NAMES)
def test_wake_matches_what_the_service_registers(name: str) -> None:
    service = _service(name)
    wake = WAKES.get(name, Wake())
    assert {target.kind for target in service.targets} == set(wake.kinds), "delivery kinds"
    package = Path(importlib.import_module(available()[name]).__file__ or "").parent
    provided = {match for path in package.rglob("*.py") for match in _PROVIDE.findall(path.read_text())}
    assert provided == set(wake.ports), "ports it provides (runtime.provide)"
    for method, path in service.admin_routes:
        assert wake.admin is not None and path.startswith(wake.admin), f"admin route {method} {path}"
    hosts = {trigger.host for trigger in wake.edges if trigger.host}
    paths = [trigger.path for trigger in wake.edges if trigger.path]
    for route in service.edge_routes:
        if route.host is not None:
            assert route.host in hosts, f"edge route on host {route.host}"
        elif route.path is not None:
            assert any(route.path == p or route.path.startswith(p + "/") for p in paths), f"edge route {route.path}"
        else:  # custom domain names only: kept in the service's state, so it loads at start when it has any
            assert route.host_names is not None and service.migrations is not None
    if service.upgrade is not None:  # WebSocket URLs name resources the service keeps in the store
        assert service.migrations is not None
    for field in wake.listens:
        assert isinstance(getattr(Config(), field), int)
    if wake.eager is not None:
        assert isinstance(getattr(Config(), wake.eager), bool)


def test_every_wake_names_a_service() -> None:
    assert set(WAKES) <= set(PACKAGES)
