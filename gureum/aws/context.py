"""RequestContext: what an operation knows about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .http import Request

if TYPE_CHECKING:
    from ..runtime import Runtime


@dataclass(slots=True)
class RequestContext:
    request: Request
    runtime: Runtime
    service: str
    operation: str
    protocol: str
    account: str
    region: str
    access_key: str
    request_id: str
