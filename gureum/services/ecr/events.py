"""The "ECR Image Action" events pushes and deletions send to the account's default EventBridge bus."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any


def image_action(
    account: str, region: str, repository: str, digest: str, tag: str | None, action: str, at: float
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "result": "SUCCESS",
        "repository-name": repository,
        "image-digest": digest,
        "action-type": action,
    }
    if tag:
        detail["image-tag"] = tag
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "ECR Image Action",
        "source": "aws.ecr",
        "account": account,
        "time": dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [],
        "detail": detail,
    }


def default_bus(account: str, region: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/default"
