"""VPC links (v1: a link to network load balancers): a new link's checks and the views AWS gives of it. There is no
VPC here: a link is AVAILABLE as soon as it exists, and integrations through it reach their URI directly.
Pure: no HTTP, no SQL."""

from __future__ import annotations

import re
from typing import Any

from .apis import given
from .errors import BadRequestException
from .model import new_id

READY = "Your vpc link is ready for use"
_ARN = re.compile(r"^arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:.+$")


def new_vpc_link(
    name: str, target_arns: list[str], description: str | None, tags: dict[str, str] | None
) -> dict[str, Any]:
    if not name:
        raise BadRequestException("Name cannot be empty")
    for arn in target_arns:
        if not _ARN.match(arn):
            raise BadRequestException(f"Invalid ARN. ARN is not well formed {arn}")
    return {
        "id": new_id(6),
        "name": name,
        "targetArns": list(target_arns),
        "tags": tags or {},
        **given(description=description),
    }


def created_view(item: dict[str, Any]) -> dict[str, Any]:
    """CreateVpcLink's answer: the link while AWS still provisions it (PENDING, no status message)."""
    out = {k: v for k, v in item.items() if k != "tags" or v}
    out["status"] = "PENDING"
    return out


def link_view(item: dict[str, Any], with_tags: bool = True) -> dict[str, Any]:
    """GetVpcLink / UpdateVpcLink (tags always) and GetVpcLinks' items (tags only when there are some)."""
    out = {k: v for k, v in item.items() if k != "tags" or v or with_tags}
    out.update(status="AVAILABLE", statusMessage=READY)
    return out
