"""Function code and layers from S3: CreateFunction / UpdateFunctionCode with S3Bucket/S3Key(/S3ObjectVersion) and
PublishLayerVersion Content from S3, read through gureum's S3 as the caller; AWS's errors for a missing bucket or
key, a bucket in another Region, and another account's bucket unless its policy allows the caller."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from ...expect import expect_error
from .zips import ROLE, make_zip

OWNER, OTHER = "111111111111", "222222222222"


def _code(word: str) -> bytes:
    return make_zip({"index.py": f"def handler(event, context):\n    return {word!r}\n"})


def _sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _create(client: Any, name: str, code: dict[str, Any]) -> dict[str, Any]:
    out = client.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code=code)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    return dict(out)


def _invoke(client: Any, name: str) -> Any:
    return json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())


def _updated(client: Any, name: str, **code: Any) -> dict[str, Any]:
    out = client.update_function_code(FunctionName=name, **code)
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    return dict(out)


def test_function_code_from_s3_objects_and_versions(aws: Callable[..., Any], name: str) -> None:
    s3, client = aws("s3"), aws("lambda")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    one, two = _code("one"), _code("two")
    first = s3.put_object(Bucket=name, Key="code/fn.zip", Body=one)["VersionId"]
    out = _create(client, name, {"S3Bucket": name, "S3Key": "code/fn.zip"})
    assert out["CodeSha256"] == _sha(one) and out["CodeSize"] == len(one)
    assert _invoke(client, name) == "one"

    s3.put_object(Bucket=name, Key="code/fn.zip", Body=two)
    assert _updated(client, name, S3Bucket=name, S3Key="code/fn.zip")["CodeSha256"] == _sha(two)
    assert _invoke(client, name) == "two"
    # an older version of the object by its version id
    back = _updated(client, name, S3Bucket=name, S3Key="code/fn.zip", S3ObjectVersion=first)
    assert back["CodeSha256"] == _sha(one)
    assert _invoke(client, name) == "one"
    expect_error(
        lambda: client.update_function_code(
            FunctionName=name, S3Bucket=name, S3Key="code/fn.zip", S3ObjectVersion="nosuchversion000000"
        ),
        "InvalidParameterValueException",
        status=400,
    )


def test_missing_bucket_key_and_bad_package_are_refused_as_aws(aws: Callable[..., Any], name: str) -> None:
    s3, client = aws("s3"), aws("lambda")

    def create(code: dict[str, Any]) -> Any:
        return client.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code=code
        )

    expect_error(
        lambda: create({"S3Bucket": name, "S3Key": "fn.zip"}),
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does "
        "not exist",
        status=400,
    )
    s3.create_bucket(Bucket=name)
    expect_error(
        lambda: create({"S3Bucket": name, "S3Key": "fn.zip"}),
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
        status=400,
    )
    s3.put_object(Bucket=name, Key="not-a-zip", Body=b"hello")
    expect_error(lambda: create({"S3Bucket": name, "S3Key": "not-a-zip"}), "InvalidParameterValueException")
    expect_error(lambda: create({"S3Bucket": name}), "InvalidParameterValueException")
    # a bucket in another Region than the function's
    west = aws("s3", region="us-west-2")
    west.create_bucket(Bucket=f"{name}-w", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    west.put_object(Bucket=f"{name}-w", Key="fn.zip", Body=_code("west"))
    error = expect_error(lambda: create({"S3Bucket": f"{name}-w", "S3Key": "fn.zip"}), "InvalidParameterValueException")
    assert "S3 Error Code: PermanentRedirect" in error["Message"] and "us-west-2" in error["Message"], error
    expect_error(lambda: client.get_function(FunctionName=name), "ResourceNotFoundException")


def test_another_accounts_bucket_needs_its_policy(aws: Callable[..., Any], name: str) -> None:
    owner_s3, client = aws("s3", access_key=OTHER), aws("lambda", access_key=OWNER)
    owner_s3.create_bucket(Bucket=name)
    owner_s3.put_object(Bucket=name, Key="fn.zip", Body=_code("shared"))
    expect_error(
        lambda: _create(client, name, {"S3Bucket": name, "S3Key": "fn.zip"}),
        "AccessDeniedException",
        f"Your access has been denied by S3, please make sure your request credentials have permission to GetObject "
        f"for {name}/fn.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
        status=403,
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OWNER}:root"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    owner_s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert _create(client, name, {"S3Bucket": name, "S3Key": "fn.zip"})["CodeSize"] > 0
    assert _invoke(client, name) == "shared"
    # the grant is for GetObject of the current version only: a version id needs s3:GetObjectVersion
    expect_error(
        lambda: client.update_function_code(FunctionName=name, S3Bucket=name, S3Key="fn.zip", S3ObjectVersion="null"),
        "AccessDeniedException",
        status=403,
    )


def test_layer_content_from_s3(aws: Callable[..., Any], name: str) -> None:
    s3, client = aws("s3"), aws("lambda")
    s3.create_bucket(Bucket=name)
    layer_zip = make_zip({"python/helper.py": "WHO = 'from-s3'\n"})
    s3.put_object(Bucket=name, Key="layers/helper.zip", Body=layer_zip)
    layer = client.publish_layer_version(LayerName=name, Content={"S3Bucket": name, "S3Key": "layers/helper.zip"})
    assert layer["Content"]["CodeSha256"] == _sha(layer_zip) and layer["Content"]["CodeSize"] == len(layer_zip)
    code = make_zip({"index.py": "import helper\ndef handler(event, context):\n    return helper.WHO\n"})
    s3.put_object(Bucket=name, Key="fn.zip", Body=code)
    client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="index.handler",
        Code={"S3Bucket": name, "S3Key": "fn.zip"},
        Layers=[layer["LayerVersionArn"]],
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert _invoke(client, name) == "from-s3"
    expect_error(
        lambda: client.publish_layer_version(LayerName=name, Content={"S3Bucket": name, "S3Key": "missing.zip"}),
        "InvalidParameterValueException",
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
    )
