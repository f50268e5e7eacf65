"""What another account may do with a function: a call naming another account's function (by ARN) is allowed only
when the function's (or alias's) resource policy (AddPermission) grants the caller that action (Invoke,
GetFunction, GetFunctionConfiguration, GetPolicy…), and never for the operations no policy can grant. Calls within
an account are not checked (identity policies are not evaluated), nor are invocations inside gureum (the
LambdaInvoker port: API Gateway, function URLs, event source mappings, asynchronous deliveries).
"""

from __future__ import annotations

import json
from typing import Any

from ...policy import Principal, Request, evaluate, not_authorized
from .errors import AccessDeniedException
from .functions import FunctionRef

# the actions a function policy may grant another account (AWS's "Function policy" actions) besides InvokeFunction
GRANTABLE = frozenset(
    {"lambda:InvokeFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetPolicy"}
)


def own_account(account: str, ref: FunctionRef, action: str = "") -> str:
    """The account a FunctionName names, refused (AccessDeniedException) when it is not the caller's own: for the
    operations that reach no further than the caller's account (no policy is evaluated for them)."""
    if ref.account and ref.account != account:
        resource = f"arn:aws:lambda:{ref.region or '*'}:{ref.account}:function:{ref.name}"
        raise AccessDeniedException(
            f"User: arn:aws:iam::{account}:root is not authorized to perform: {action or 'lambda:*'} on resource: "
            f"{resource} because no resource-based policy allows the {action or 'lambda:*'} action"
        )
    return account


def check(principal: Principal, action: str, resource_arn: str, statements: list[dict[str, Any]] | None) -> None:
    """Raise AWS's AccessDeniedException (403) unless the function's policy ``statements`` allow ``principal``
    ``action`` on ``resource_arn`` (None: the function does not exist, which another account is not told)."""
    policy = None
    if statements and action in GRANTABLE:
        policy = {"Version": "2012-10-17", "Statement": statements}
    decision = evaluate(None if policy is None else json.dumps(policy), Request(principal, action, resource_arn))
    if not decision.allowed:
        assert principal.arn is not None
        raise AccessDeniedException(not_authorized(principal.arn, action, resource_arn, decision))
