"""API Gateway REST APIs with AWS integrations to S3 (the "S3 proxy" of AWS's tutorial): path overrides
(s3:path/{bucket}/{object}) for GET and PUT, the action form (s3:action/GetObject&Bucket=…&Key=…), S3's errors
selected by status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ..apigateway.helpers import REGION, Api, stage_url


def test_s3_proxy_through_aws_integrations(
    aws: Callable[..., Any], s3: Any, bucket: str, endpoint: str, name: str
) -> None:
    api = Api(aws("apigateway"), name)
    paths = {
        "method.request.path.folder": True,
        "method.request.path.item": True,
    }
    to_s3 = {
        "integration.request.path.bucket": "method.request.path.folder",
        "integration.request.path.object": "method.request.path.item",
    }
    for verb in ("GET", "PUT"):
        api.method(
            "/{folder}/{item}",
            verb,
            {
                "type": "AWS",
                "integrationHttpMethod": verb,
                "uri": f"arn:aws:apigateway:{REGION}:s3:path/{{bucket}}/{{object}}",
                "requestParameters": {
                    **to_s3,
                    "integration.request.header.Content-Type": "method.request.header.Content-Type",
                },
                "passthroughBehavior": "WHEN_NO_MATCH",
            },
            requestParameters={**paths, "method.request.header.Content-Type": False},
        )
        api.respond(
            "/{folder}/{item}",
            verb,
            "200",
            responseParameters={
                "method.response.header.Content-Type": "integration.response.header.Content-Type",
                "method.response.header.ETag": "integration.response.header.ETag",
            },
        )
        api.respond("/{folder}/{item}", verb, "404", selectionPattern="404")
    api.method(
        "/by-action/{item}",
        "GET",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:{REGION}:s3:action/GetObject&Bucket={bucket}&Key={{object}}",
            "requestParameters": {"integration.request.path.object": "method.request.path.item"},
        },
        requestParameters={"method.request.path.item": True},
    )
    api.respond("/by-action/{item}", "GET", "200")
    api.deploy("v1")

    put = httpx.put(
        stage_url(endpoint, api.id, "v1", f"/{bucket}/hello.txt"),
        content=b"hello from the gateway",
        headers={"Content-Type": "text/plain"},
    )
    assert put.status_code == 200, put.text
    stored = s3.get_object(Bucket=bucket, Key="hello.txt")
    assert stored["Body"].read() == b"hello from the gateway" and stored["ContentType"] == "text/plain"
    assert put.headers["etag"] == stored["ETag"]

    s3.put_object(Bucket=bucket, Key="data.json", Body=b'{"a": 1}', ContentType="application/json")
    got = httpx.get(stage_url(endpoint, api.id, "v1", f"/{bucket}/data.json"))
    assert got.status_code == 200 and got.json() == {"a": 1} and got.headers["content-type"] == "application/json"
    missing = httpx.get(stage_url(endpoint, api.id, "v1", f"/{bucket}/nope"))
    assert missing.status_code == 404 and b"<Code>NoSuchKey</Code>" in missing.content

    by_action = httpx.get(stage_url(endpoint, api.id, "v1", "/by-action/data.json"))
    assert by_action.status_code == 200 and by_action.json() == {"a": 1}
