"""Batches and transactions end to end: BatchGetItem / BatchWriteItem and their limits, TransactGetItems,
TransactWriteItems all-or-nothing with CancellationReasons, ClientRequestToken idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import expect_error


def test_batches(ddb: Any, make_table: Callable[..., str]) -> None:
    a, b = make_table(), make_table()
    out = ddb.batch_write_item(RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}}} for i in range(10)],
        b: [{"PutRequest": {"Item": {"pk": {"S": "only"}}}}],
    })  # fmt: skip
    assert out["UnprocessedItems"] == {}
    ddb.batch_write_item(RequestItems={a: [{"DeleteRequest": {"Key": {"pk": {"S": "k0"}}}}]})
    got = ddb.batch_get_item(RequestItems={
        a: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(3)], "ProjectionExpression": "v"},
        b: {"Keys": [{"pk": {"S": "only"}}]},
    })  # fmt: skip
    assert sorted(i["v"]["N"] for i in got["Responses"][a]) == ["1", "2"]
    assert got["Responses"][b] == [{"pk": {"S": "only"}}] and got["UnprocessedKeys"] == {}
    expect_error(ddb.batch_get_item, "ValidationException", "Too many items requested for the BatchGetItem call",
                 RequestItems={a: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(60)]},
                               b: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(41)]}})  # fmt: skip
    expect_error(ddb.batch_get_item, "ValidationException", "Provided list of item keys contains duplicates",
                 RequestItems={a: {"Keys": [{"pk": {"S": "k1"}}, {"pk": {"S": "k1"}}]}})  # fmt: skip
    expect_error(ddb.batch_write_item, "ValidationException",
                 RequestItems={a: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(26)]})  # fmt: skip


def test_transact_write_and_cancel(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "acct"}, "balance": {"N": "100"}})
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": name, "Key": {"pk": {"S": "acct"}}, "UpdateExpression": "SET balance = balance - :a",
                    "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": {"N": "60"}}}},
        {"Put": {"TableName": name, "Item": {"pk": {"S": "order1"}},
            "ConditionExpression": "attribute_not_exists(pk)"}},
    ])  # fmt: skip
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "order2"}}}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "acct"}},
                "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": {"N": "60"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])  # fmt: skip
        raise AssertionError("not cancelled")
    except ddb.exceptions.TransactionCanceledException as exc:
        assert exc.response["Error"]["Message"] == (
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[None, ConditionalCheckFailed]"
        )
        reasons = exc.response["CancellationReasons"]
        assert reasons[0] == {"Code": "None"}
        assert reasons[1]["Code"] == "ConditionalCheckFailed"
        assert reasons[1]["Item"] == {"pk": {"S": "acct"}, "balance": {"N": "40"}}
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "order2"}})
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": {"pk": {"S": "acct"}}}},
                                                {"Get": {"TableName": name,
                                                    "Key": {"pk": {"S": "none"}}}}])  # fmt: skip
    assert got["Responses"][0]["Item"]["balance"] == {"N": "40"} and got["Responses"][1] == {}
    expect_error(ddb.transact_write_items, "ValidationException",
                 "Transaction request cannot include multiple operations on one item", TransactItems=[
                     {"Put": {"TableName": name, "Item": {"pk": {"S": "x"}}}},
                     {"Delete": {"TableName": name, "Key": {"pk": {"S": "x"}}}}])  # fmt: skip


def test_idempotency_token(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "c"}, "n": {"N": "0"}})
    items = [{"Update": {"TableName": name, "Key": {"pk": {"S": "c"}}, "UpdateExpression": "ADD n :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]  # fmt: skip
    for _ in range(3):
        ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "c"}})["Item"]["n"] == {"N": "1"}
    items[0]["Update"]["ExpressionAttributeValues"] = {":one": {"N": "2"}}
    expect_error(ddb.transact_write_items, "IdempotentParameterMismatchException", TransactItems=items,
                 ClientRequestToken="token-1")  # fmt: skip
