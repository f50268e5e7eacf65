"""Assertions every end-to-end suite shares: the default account and region, and AWS-error expectations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"


def expect_error(
    call: Callable[..., Any], code: str, message: str | None = None, status: int | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Call, expect a ClientError with this code (and message / HTTP status when given); return the error."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message, error
    if status is not None:
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    return error  # type: ignore[no-any-return]
