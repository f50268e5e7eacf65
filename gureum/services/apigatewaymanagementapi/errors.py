"""API Gateway Management API's error codes (the API reference's Errors section)."""

from __future__ import annotations

from ...aws.errors import error_class

GoneException = error_class("GoneException", 410)
ForbiddenException = error_class("ForbiddenException", 403)
