"""The services gureum serves; each package exposes SERVICE (a gureum.aws.dispatch.Service)."""

from __future__ import annotations

import importlib
import importlib.util
import logging

from ..aws.dispatch import Service

log = logging.getLogger("gureum")

# botocore service name → package under gureum.services, in start-up order (a package not written yet is skipped)
PACKAGES = {
    "sqs": "sqs",
    "sts": "sts",
    "iam": "iam",
    "logs": "logs",
    "sns": "sns",
    "events": "events",
    "scheduler": "scheduler",
    "lambda": "lambda_",
    "apigateway": "apigateway",
    "apigatewayv2": "apigatewayv2",
    "apigatewaymanagementapi": "apigatewaymanagementapi",
}


def all_services(failed: dict[str, str] | None = None) -> list[Service]:
    """Import every service package present. One that fails to load is logged (and recorded in ``failed``,
    shown by /_gureum/health) instead of taking the other services down with it."""
    services = []
    for name, package in PACKAGES.items():
        module_name = f"{__name__}.{package}"
        if importlib.util.find_spec(module_name) is None:
            continue
        try:
            services.append(importlib.import_module(module_name).SERVICE)
        except Exception as exc:  # noqa: BLE001 - reported, never silent
            log.exception("service %s failed to load", name)
            if failed is not None:
                failed[name] = f"{type(exc).__name__}: {exc}"
    return services
