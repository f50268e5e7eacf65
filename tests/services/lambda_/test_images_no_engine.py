"""Without a container engine, a container-image function (PackageType Image) is refused at CreateFunction with an
error that says what to install, and nothing is created; .zip functions work as before."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import make_zip

ROLE = "arn:aws:iam::000000000000:role/lambda-image"


def test_image_function_without_an_engine_says_what_to_install(store: StoreFactory, name: str) -> None:
    srv = Server(**store(), env={"GUREUM_CONTAINER_HOST": "unix:///nonexistent/gureum-test/engine.sock"}).start()
    try:
        lam = make_client(srv.endpoint, "lambda")
        uri = "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1"
        with pytest.raises(ClientError) as info:
            lam.create_function(FunctionName=name, Role=ROLE, PackageType="Image", Code={"ImageUri": uri})
        error = info.value.response["Error"]
        assert error["Code"] == "InvalidParameterValueException"
        assert "need a container engine" in error["Message"] and "apt-get install podman runc" in error["Message"]
        assert lam.list_functions()["Functions"] == []
        with pytest.raises(ClientError) as info:  # an image as a .zip function's code
            lam.create_function(
                FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ImageUri": uri}
            )
        assert "can only be the code of a function of PackageType Image" in info.value.response["Error"]["Message"]
        code = make_zip({"index.py": "def handler(event, context):\n    return event\n"})
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ZipFile": code}
        )
        assert lam.get_function(FunctionName=name)["Configuration"]["PackageType"] == "Zip"
    finally:
        srv.stop()
