"""Concurrent writes to one function all stay: AddPermission, PutFunctionEventInvokeConfig and TagResource at once
(each a read-modify-write of the function's row; on PostgreSQL several writer connections run them side by side)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .zips import create


def test_concurrent_writes_to_one_function_all_stay(aws: Any, name: str) -> None:
    lam = aws("lambda")
    arn = create(lam, name, {"index.py": "def handler(event, context):\n    return 1\n"})["FunctionArn"]

    def permission(i: int) -> None:
        lam.add_permission(
            FunctionName=name,
            StatementId=f"s{i}",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
            SourceArn=f"arn:aws:sns:us-east-1:000000000000:t{i}",
        )

    def tag(i: int) -> None:
        lam.tag_resource(Resource=arn, Tags={f"k{i}": str(i)})

    def event_config(_: int) -> None:
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda job: job[0](job[1]), [(f, i) for i in range(8) for f in (permission, tag, event_config)]))
    statements = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert sorted(s["Sid"] for s in statements) == sorted(f"s{i}" for i in range(8))
    assert lam.list_tags(Resource=arn)["Tags"] == {f"k{i}": str(i) for i in range(8)}
    assert lam.get_function_event_invoke_config(FunctionName=name)["MaximumRetryAttempts"] == 1
