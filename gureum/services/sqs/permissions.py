"""AddPermission / RemovePermission as edits of a queue's Policy attribute (a JSON policy document);
no SQL, no HTTP."""

from __future__ import annotations

import json
from typing import Any

from . import limits
from .errors import MissingParameter, OverLimit, invalid_value


def check_permission(label: str, accounts: list[str], actions: list[str]) -> None:
    """AddPermission's arguments, before any queue is read, checked in AWS's order with its messages."""
    if not limits.PERMISSION_LABEL.match(label):
        raise invalid_value(
            "Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    if not actions:
        raise MissingParameter("The request must contain the parameter Actions.")
    if not accounts:
        raise invalid_value("PrincipalId", "[]", "Unable to verify.")
    if len(actions) > limits.MAX_PERMISSION_ACTIONS:
        raise OverLimit(f"{len(actions)} Actions were found, maximum allowed is {limits.MAX_PERMISSION_ACTIONS}.")
    for action in actions:
        if action in limits.OWNER_ONLY_ACTIONS:
            raise invalid_value("ActionName", f"SQS:{action}", "Only the queue owner is allowed to invoke this action.")
        if action not in limits.PERMISSION_ACTIONS:
            raise invalid_value(
                "ActionName", f"SQS:{action}", "Please refer to the appropriate WSDL for a list of valid actions."
            )


def _dump(policy: dict[str, Any]) -> str:
    return json.dumps(policy, separators=(",", ":"))


def add_statement(policy_text: str | None, queue_arn: str, label: str, accounts: list[str], actions: list[str]) -> str:
    """The Policy with a statement (Sid = label) letting these accounts call these actions on the queue."""
    policy = json.loads(policy_text or "null") or {
        "Version": "2008-10-17",
        "Id": f"{queue_arn}/SQSDefaultPolicy",
        "Statement": [],
    }
    if any(s.get("Sid") == label for s in policy.get("Statement", [])):
        raise invalid_value("Label", label, "Already exists.")
    principals = [f"arn:aws:iam::{a}:root" for a in accounts]
    sqs_actions = [f"SQS:{a}" for a in actions]
    policy["Statement"].append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
            "Resource": queue_arn,
        }
    )
    return _dump(policy)


def remove_statement(policy_text: str | None, label: str) -> str | None:
    """The Policy without the statement `label` (None: no statement is left, the queue has no policy)."""
    policy = json.loads(policy_text or "null") or {"Statement": []}
    statements = [s for s in policy.get("Statement", []) if s.get("Sid") != label]
    if len(statements) == len(policy.get("Statement", [])):
        raise invalid_value("Label", label, "can't find label on existing policy.")
    if not statements:
        return None
    policy["Statement"] = statements
    return _dump(policy)
