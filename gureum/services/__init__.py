"""The services gureum serves; each package exposes SERVICE (a gureum.aws.dispatch.Service)."""

from __future__ import annotations

from ..aws.dispatch import Service


def all_services() -> list[Service]:
    from . import sqs, sts

    return [sqs.SERVICE, sts.SERVICE]
