"""The services gureum serves; each package exposes SERVICE (a gureum.aws.dispatch.Service)."""

from __future__ import annotations

import importlib
import importlib.util

from ..aws.dispatch import Service

# botocore service name → package under gureum.services, in start-up order (a package not written yet is skipped)
PACKAGES = {"sqs": "sqs", "sts": "sts", "sns": "sns", "events": "events", "scheduler": "scheduler"}


def all_services() -> list[Service]:
    services = []
    for package in PACKAGES.values():
        name = f"{__name__}.{package}"
        if importlib.util.find_spec(name) is None:
            continue
        services.append(importlib.import_module(name).SERVICE)
    return services
