"""Helpers of the CloudFormation tests: wait for a stack's status with boto3's waiters (short delay), read its
outputs and events."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import WaiterError

WAIT = {"Delay": 0.2, "MaxAttempts": 300}


def body(template: dict[str, Any]) -> str:
    return json.dumps(template)


def wait(cfn: Any, waiter: str, name: str) -> dict[str, Any]:
    """The stack once boto3's ``waiter`` succeeded; a failure names the stack's failed events."""
    try:
        cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig=WAIT)
    except WaiterError as error:
        failed = [e for e in events(cfn, name) if e[1].endswith("FAILED") or "ROLLBACK" in e[1]]
        raise AssertionError(f"{error}: {failed}") from None
    return {} if waiter == "stack_delete_complete" else stack(cfn, name)


def stack(cfn: Any, name: str) -> dict[str, Any]:
    return cfn.describe_stacks(StackName=name)["Stacks"][0]  # type: ignore[no-any-return]


def settle(cfn: Any, name: str) -> dict[str, Any]:
    """The stack once it is no longer in progress (whatever the outcome)."""
    import time

    deadline = time.monotonic() + 60
    while True:
        found = stack(cfn, name)
        if not found["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def outputs(found: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs") or []}


def events(cfn: Any, name: str) -> list[tuple[str, str, str]]:
    """(logical id, status, reason) of the stack's events, oldest first."""
    found = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")) for e in reversed(found)]
