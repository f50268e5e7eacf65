"""PartiQL end to end: ExecuteStatement's SELECT (key ranges, nested paths, IN/BETWEEN/functions, ORDER BY, indexes,
Limit and NextToken), INSERT/UPDATE/DELETE with parameters and RETURNING, DynamoDB's errors; BatchExecuteStatement
with per-statement errors; ExecuteTransaction all-or-nothing with cancellation reasons and idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...expect import expect_error


def _fill(ddb: Any, name: str) -> None:
    for i in range(12):
        ddb.execute_statement(
            Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': ?, 'sk': ?, 'n': ?, 'doc': {{'tags': [?, 'x']}}}}",
            Parameters=[{"S": "a" if i < 8 else "b"}, {"N": str(i)}, {"N": str(i * 10)}, {"S": f"t{i % 3}"}],
        )


def _sks(out: dict[str, Any]) -> list[int]:
    return [int(i["sk"]["N"]) for i in out["Items"]]


def test_select_forms(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "N"))
    _fill(ddb, name)
    run = ddb.execute_statement
    assert _sks(run(Statement=f"SELECT * FROM \"{name}\" WHERE pk = 'a' AND sk BETWEEN 2 AND 4")) == [2, 3, 4]
    assert _sks(run(Statement=f'SELECT * FROM "{name}" WHERE pk = ? AND sk > ?',
                    Parameters=[{"S": "a"}, {"N": "5"}])) == [6, 7]  # fmt: skip
    desc = run(Statement=f"SELECT sk FROM \"{name}\" WHERE pk = 'b' ORDER BY sk DESC")
    assert desc["Items"] == [{"sk": {"N": str(i)}} for i in (11, 10, 9, 8)]
    assert _sks(run(Statement=f"SELECT * FROM \"{name}\" WHERE pk = 'a' AND n IN [10, 70, 90]")) == [1, 7]
    got = run(Statement=f"SELECT * FROM \"{name}\" WHERE contains(doc.tags, 't2') AND pk = 'b'")
    assert _sks(got) == [8, 11]
    nested = run(Statement=f"SELECT doc.tags[0], n FROM \"{name}\" WHERE pk = 'a' AND sk = 4")
    assert nested["Items"] == [{"tags": {"S": "t1"}, "n": {"N": "40"}}]
    scanned = run(Statement=f"SELECT * FROM \"{name}\" WHERE n >= 100 OR begins_with(pk, 'zz')")
    assert sorted(_sks(scanned)) == [10, 11]
    assert len(run(Statement=f"SELECT * FROM \"{name}\" WHERE attribute_type(n, 'N') AND NOT pk = 'a'")["Items"]) == 4
    assert run(Statement=f'SELECT * FROM "{name}" WHERE absent IS MISSING AND sk = 3')["Items"][0]["n"] == {"N": "30"}
    assert run(Statement=f"SELECT * FROM \"{name}\" WHERE pk = 'nobody'")["Items"] == []


def test_select_pages_with_limit_and_next_token(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(range_key=("sk", "N"))
    _fill(ddb, name)
    statement = f"SELECT * FROM \"{name}\" WHERE pk = 'a' AND n <> 30"
    seen: list[int] = []
    token = None
    pages = 0
    while True:
        args: dict[str, Any] = {"Statement": statement, "Limit": 3}
        if token:
            args["NextToken"] = token
        out = ddb.execute_statement(**args)
        seen += _sks(out)
        pages += 1
        token = out.get("NextToken")
        if not token:
            break
    assert seen == [0, 1, 2, 4, 5, 6, 7] and pages == 3
    first = ddb.execute_statement(Statement=statement, Limit=3)
    expect_error(ddb.execute_statement, "ValidationException", Statement=f'SELECT * FROM "{name}"',
                 NextToken=first["NextToken"])  # fmt: skip
    full = ddb.execute_statement(Statement=f'SELECT * FROM "{name}"', Limit=5)
    rest = ddb.execute_statement(Statement=f'SELECT * FROM "{name}"', NextToken=full["NextToken"])
    assert len(full["Items"]) + len(rest["Items"]) == 12


def test_select_on_an_index(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(
        attributes={"g": "S"},
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )  # fmt: skip
    for i in range(4):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "g": {"S": "even" if i % 2 == 0 else "odd"}})
    out = ddb.execute_statement(Statement=f'SELECT pk FROM "{name}"."byg" WHERE g = \'odd\'')
    assert sorted(i["pk"]["S"] for i in out["Items"]) == ["p1", "p3"]
    expect_error(ddb.execute_statement, "ValidationException", "The table does not have the specified index: nope",
                 Statement=f'SELECT * FROM "{name}"."nope"')  # fmt: skip


def test_insert_update_delete(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    run = ddb.execute_statement
    run(Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'k', 'n': 1, 'l': [1], 's': <<'a', 'b'>>, 'm': {{'x': 1}}}}")
    expect_error(run, "DuplicateItemException", "Duplicate primary key exists in table",
                 Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'k'}}")  # fmt: skip
    out = run(Statement=f"UPDATE \"{name}\" SET n = n + 5 SET l = list_append(l, [2]) SET m.y = ? "
                        f"SET s = set_add(s, <<'c'>>) REMOVE m.x WHERE pk = 'k' RETURNING ALL NEW *",
              Parameters=[{"BOOL": True}])  # fmt: skip
    item = out["Items"][0]
    assert item["n"] == {"N": "6"} and item["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert item["m"] == {"M": {"y": {"BOOL": True}}} and sorted(item["s"]["SS"]) == ["a", "b", "c"]
    got = ddb.get_item(TableName=name, Key={"pk": {"S": "k"}})["Item"]
    assert got == item
    modified = run(Statement=f"UPDATE \"{name}\" SET n = 7 WHERE pk = 'k' AND n = 6 RETURNING MODIFIED OLD *")
    assert modified["Items"] == [{"n": {"N": "6"}}]
    error = expect_error(run, "ConditionalCheckFailedException", "The conditional request failed",
                         Statement=f"UPDATE \"{name}\" SET n = 8 WHERE pk = 'k' AND n = 100",
                         ReturnValuesOnConditionCheckFailure="ALL_OLD")  # fmt: skip
    assert error["Message"] == "The conditional request failed"
    expect_error(run, "ConditionalCheckFailedException", Statement=f"UPDATE \"{name}\" SET n = 8 WHERE pk = 'none'")
    expect_error(run, "ValidationException",
                 "Where clause does not contain a mandatory equality on all key attributes",
                 Statement=f"UPDATE \"{name}\" SET n = 8 WHERE n = 7")  # fmt: skip
    expect_error(run, "ValidationException", "One or more parameter values were invalid: Cannot update attribute pk. "
                 "This attribute is part of the key",
                 Statement=f"UPDATE \"{name}\" SET pk = 'z' WHERE pk = 'k'")  # fmt: skip
    gone = run(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'k' RETURNING ALL OLD *")
    assert gone["Items"][0]["n"] == {"N": "7"}
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "k"}})
    run(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'k'")  # no item: nothing to do
    expect_error(run, "ConditionalCheckFailedException", Statement=f"DELETE FROM \"{name}\" WHERE pk = 'k' AND n = 1")


def test_errors(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    run = ddb.execute_statement
    expect_error(run, "ValidationException", "Statement wasn't well formed, can't be processed: Expected data "
                 "manipulation", Statement=f'UPSERT INTO "{name}"')  # fmt: skip
    expect_error(run, "ValidationException", "Number of parameters in request and statement don't match.",
                 Statement=f'SELECT * FROM "{name}" WHERE pk = ?')  # fmt: skip
    expect_error(run, "ValidationException", "Number of parameters in request and statement don't match.",
                 Statement=f'SELECT * FROM "{name}"', Parameters=[{"S": "x"}])  # fmt: skip
    error = expect_error(run, "ValidationException", Statement=f'SELECT * FROM "{name}" WHERE pk = \'unclosed')
    assert error["Message"].startswith("Statement wasn't well formed, can't be processed:")
    expect_error(run, "ValidationException", Statement=f'SELECT * FROM "{name}" WHERE pk = = 1')
    expect_error(run, "ResourceNotFoundException", Statement='SELECT * FROM "no-such-table"')
    deep = "(" * 200 + "pk = 'a'" + ")" * 200
    expect_error(run, "ValidationException", Statement=f'SELECT * FROM "{name}" WHERE {deep}')
    nested = "[" * 200 + "1" + "]" * 200
    expect_error(run, "ValidationException", Statement=f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'l': {nested}}}")
    expect_error(run, "ValidationException", Statement=f'SELECT * FROM "{name}" ORDER BY pk')


def test_batch_execute_statement(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "v": {"N": "1"}})
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': ?}}", "Parameters": [{"S": "new"}]},
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'old'}}"},
        {"Statement": f"UPDATE \"{name}\" SET v = 2 WHERE pk = 'old' AND v = 5",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": "BROKEN"},
    ])["Responses"]  # fmt: skip
    assert out[0] == {"TableName": name}
    assert out[1]["Error"]["Code"] == "DuplicateItem"
    assert out[2]["Error"]["Code"] == "ConditionalCheckFailed" and out[2]["Error"]["Item"]["v"] == {"N": "1"}
    assert out[3]["Error"]["Code"] == "ValidationError"
    reads = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'new'"},
        {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'missing'"},
        {"Statement": f"SELECT v FROM \"{name}\" WHERE v = 1"},
    ])["Responses"]  # fmt: skip
    assert reads[0] == {"TableName": name, "Item": {"pk": {"S": "new"}}}
    assert reads[1] == {"TableName": name}
    assert reads[2]["Error"]["Code"] == "ValidationError"
    expect_error(ddb.batch_execute_statement, "ValidationException", Statements=[
        {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'new'"},
        {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'new'"},
    ])  # fmt: skip


def test_execute_transaction(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "acct"}, "balance": {"N": "100"}})
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"UPDATE \"{name}\" SET balance = balance - 60 WHERE pk = 'acct' AND balance >= 60"},
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'order1'}}"},
    ], ClientRequestToken="tok-1")  # fmt: skip
    try:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'order2'}}"},
            {"Statement": f"UPDATE \"{name}\" SET balance = balance - 60 WHERE pk = 'acct' AND balance >= 60"},
            {"Statement": f"EXISTS(SELECT * FROM \"{name}\" WHERE pk = 'order1')"},
        ])  # fmt: skip
        raise AssertionError("the transaction should have been cancelled")
    except ddb.exceptions.TransactionCanceledException as error:
        reasons = error.response["CancellationReasons"]
        assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "order2"}})
    # the same token and statements again: nothing happens twice
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"UPDATE \"{name}\" SET balance = balance - 60 WHERE pk = 'acct' AND balance >= 60"},
        {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'order1'}}"},
    ], ClientRequestToken="tok-1")  # fmt: skip
    reads = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT balance FROM \"{name}\" WHERE pk = 'acct'"},
        {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'nobody'"},
    ])["Responses"]  # fmt: skip
    assert reads == [{"Item": {"balance": {"N": "40"}}}, {}]
    expect_error(ddb.execute_transaction, "ValidationException",
                 "Transaction request cannot include multiple operations on one item", TransactStatements=[
                     {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'acct'"},
                     {"Statement": f"UPDATE \"{name}\" SET x = 1 WHERE pk = 'acct'"}])  # fmt: skip
