"""A request no operation takes is answered in the protocol of the service it names (here Lambda's REST-JSON), so
the client reads the error instead of failing to parse XML."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _rewrite(client: Any, event: str, method: str | None = None, path: str | None = None) -> None:
    def hook(request: Any, **_: Any) -> None:
        if method is not None:
            request.method = method
        if path is not None:
            request.url = request.url.split("/2015-03-31/", 1)[0] + path

    client.meta.events.register(event, hook)


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        (None, "/2015-03-31/no-such-collection", 404, "UnknownOperationException"),
        ("PATCH", None, 405, "MethodNotAllowed"),  # a known URI, no operation with that method
    ],
)
def test_lambda_route_errors_are_rest_json(
    aws: Callable[..., Any], method: str | None, path: str | None, status: int, code: str
) -> None:
    client = aws("lambda")
    seen: dict[str, Any] = {}
    _rewrite(client, "before-send.lambda.ListFunctions", method, path)
    client.meta.events.register(
        "needs-retry.lambda.ListFunctions", lambda response, **_: seen.update(raw=response and response[0])
    )
    with pytest.raises(ClientError) as caught:
        client.list_functions()
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == code  # read from x-amzn-ErrorType: XML gave "404"/"405"
    raw = seen["raw"]
    assert raw.headers["Content-Type"] == "application/json"
    assert json.loads(raw.content)["message"]
