"""Other clients against the live server: the JavaScript SDK v3 DocumentClient (@aws-sdk/lib-dynamodb) putting,
getting, querying and updating with its marshalling, and PynamoDB models with a global secondary index,
conditional writes and batch writes and reads."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pynamodb.attributes import NumberAttribute, NumberSetAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ... import nodejs
from ...server import Server

JS = Path(__file__).parent / "js"


def test_js_document_client(ddb: Any, ddb_server: Server, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "N"))
    done = nodejs.run(JS, "document.cjs", ddb_server.endpoint, name)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    got = out["get"]
    assert got["name"] == "Ada" and got["age"] == {"big": "36"} and got["big"] == {"big": "12345678901234567890.5"}
    assert got["tags"] == {"set": ["a", "b"]} and got["scores"] == {"set": [{"big": "1"}, {"big": "2.5"}]}
    assert got["blob"] == {"bytes": "AAH/"} and got["nothing"] is None and "missing" not in got
    assert got["address"] == {"city": "Seoul", "lines": ["1", {"floor": {"big": "3"}}]}
    assert out["query"] == [{"name": f"n{n}", "sk": {"big": str(n)}} for n in (4, 3, 2)]
    updated = out["updated"]
    assert updated["age"] == {"big": "37"} and updated["address"]["city"] == "Busan" and "nothing" not in updated
    assert updated["tags"] == {"set": ["c"]} and updated["scores"] == {"set": [{"big": "1"}, {"big": "2.5"},
                                                                                {"big": "7"}]}  # fmt: skip
    assert out["conditional"] == "ConditionalCheckFailedException"
    # stored with DynamoDB's types, as boto3 reads them back
    raw = ddb.get_item(TableName=name, Key={"pk": {"S": "user#1"}, "sk": {"N": "1"}})["Item"]
    assert raw["tags"] == {"SS": ["c"]} and raw["blob"] == {"B": b"\x00\x01\xff"} and raw["ok"] == {"BOOL": True}
    assert raw["big"] == {"N": "12345678901234567890.5"}


class _ByEmail(GlobalSecondaryIndex["_User"]):
    class Meta:
        index_name = "by-email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class _User(Model):
    class Meta:
        table_name = "pynamo-users"
        region = "us-east-1"
        aws_access_key_id = "test"
        aws_secret_access_key = "test"

    org = UnicodeAttribute(hash_key=True)
    user = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    logins = NumberAttribute(default=0)
    roles = UnicodeSetAttribute(null=True)
    lucky = NumberSetAttribute(null=True)
    by_email = _ByEmail()


@pytest.fixture
def users(ddb_server: Server) -> type[_User]:
    class Users(_User):
        class Meta(_User.Meta):
            table_name = f"pynamo-{uuid.uuid4().hex[:8]}"
            host = ddb_server.endpoint

    Users.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    return Users


def test_pynamodb_models(users: type[_User]) -> None:
    users(org="acme", user="ada", email="ada@acme.test", roles={"admin"}, lucky={7, 13}).save()
    found = users.get("acme", "ada")
    assert found.email == "ada@acme.test" and found.roles == {"admin"} and found.lucky == {7, 13}

    # conditional writes: create-only, and an update guarded by the current value
    with pytest.raises(PutError) as put_error:
        users(org="acme", user="ada", email="other@acme.test").save(condition=users.user.does_not_exist())
    assert put_error.value.cause_response_code == "ConditionalCheckFailedException"
    found.update(actions=[users.logins.add(1), users.roles.add({"ops"})], condition=users.logins == 0)
    assert users.get("acme", "ada").logins == 1 and users.get("acme", "ada").roles == {"admin", "ops"}
    with pytest.raises(UpdateError):
        found.update(actions=[users.logins.set(5)], condition=users.logins == 0)

    with users.batch_write() as batch:
        for n in range(30):  # more than one BatchWriteItem (25 items each)
            batch.save(users(org="acme", user=f"u{n:02d}", email=f"u{n % 3}@acme.test"))
    keys = [("acme", f"u{n:02d}") for n in range(30)] + [("acme", "nobody")]
    assert sorted(u.user for u in users.batch_get(keys)) == [f"u{n:02d}" for n in range(30)]
    assert users.count("acme") == 31
    by_email = sorted(u.user for u in users.by_email.query("u1@acme.test"))
    assert by_email == [f"u{n:02d}" for n in range(30) if n % 3 == 1]
    page = list(users.query("acme", users.user.startswith("u1"), scan_index_forward=False, limit=3))
    assert [u.user for u in page] == ["u19", "u18", "u17"]
    users.get("acme", "u00").delete(condition=users.email == "u0@acme.test")
    assert users.count("acme", users.user.startswith("u0")) == 9
