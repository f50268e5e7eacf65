"""Fixtures of the DynamoDB tests: a server per backend whose TTL sweep runs every 0.2 s, a client of it, the
resource layer, and a maker of tables with unique names."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from ...conftest import REGION, StoreFactory, make_client
from ...server import Server

# the TTL sweep every 0.2 s; incremental exports of a period of 1 s (AWS's least is 15 minutes)
TUNED = {"GUREUM_DYNAMODB_TTL_SWEEP_SECONDS": "0.2", "GUREUM_DYNAMODB_INCREMENTAL_MIN_SECONDS": "1"}


@pytest.fixture(scope="session")
def ddb_server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store(), env=TUNED).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def ddb(ddb_server: Server) -> Any:
    return make_client(ddb_server.endpoint, "dynamodb")


@pytest.fixture(scope="session")
def resource(ddb_server: Server) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=ddb_server.endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def make_table(ddb: Any) -> Callable[..., str]:
    """make_table(hash=("pk", "S"), range=("sk", "N") or None, **CreateTable extras) → a new table's name."""

    def make(hash_key: tuple[str, str] = ("pk", "S"), range_key: tuple[str, str] | None = None, **extra: Any) -> str:
        name = f"t-{uuid.uuid4().hex[:10]}"
        attributes = {hash_key[0]: hash_key[1]}
        schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        if range_key:
            attributes[range_key[0]] = range_key[1]
            schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        attributes.update(extra.pop("attributes", {}))
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
            KeySchema=schema,
            BillingMode=extra.pop("BillingMode", "PAY_PER_REQUEST"),
            **extra,
        )
        return name

    return make
