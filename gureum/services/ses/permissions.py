"""Whether SES may use another service's resource, as CreateReceiptRule / UpdateReceiptRule and
SetIdentityNotificationTopic check it on AWS: an SNS topic must exist, and another account's must let
ses.amazonaws.com publish (its access policy; SNS's SnsTopics port); a Lambda function must exist and its resource
policy let ses.amazonaws.com invoke it (AddPermission), read with Lambda's GetPolicy through the protocol engine as
the function's account would call it. Where the other service does not run here, nothing can be checked: allowed.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from ... import safejson
from ...aws import sigv4
from ...aws.authorize import account_credentials
from ...aws.http import Request
from ...policy import Principal, evaluate
from ...policy import Request as PolicyRequest
from ...ports import AwsDispatch, LambdaInvoker, SnsTopics
from ...runtime import Runtime

SES_PRINCIPAL = "ses.amazonaws.com"


def _arn_parts(arn: str, service: str) -> list[str] | None:
    """arn:aws:<service>:<region>:<account>:<rest...> split on ':', or None when ``arn`` is not one."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != service or not parts[3] or not parts[4].isdigit():
        return None
    return parts


def _context(account: str, source_arn: str) -> dict[str, str | list[str]]:
    return {"aws:SourceAccount": account, "aws:SourceArn": source_arn}


class Permissions:
    """Asked by SesBackend; reaches SNS and Lambda through the runtime's ports."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def may_publish(self, account: str, topic_arn: str, source_arn: str) -> bool:
        """May SES publish to ``topic_arn`` for ``account`` (``source_arn``: the rule or identity it does it for)?"""
        parts = _arn_parts(topic_arn, "sns")
        if parts is None or len(parts) != 6:
            return False
        topics = self.runtime.optional_port(SnsTopics)
        if topics is None:
            return True
        try:
            policy = await topics.topic_policy(topic_arn)
        except LookupError:
            return False
        if parts[4] == account:
            return True  # a topic of the account's own needs no policy for SES (AWS's receiving-email-permissions)
        request = PolicyRequest(
            Principal(service=SES_PRINCIPAL), "sns:Publish", topic_arn, _context(account, source_arn)
        )
        return evaluate(policy, request).allowed

    async def may_invoke(self, account: str, function_arn: str, source_arn: str) -> bool:
        """May SES invoke ``function_arn`` for ``account``: the function exists and its policy grants SES?"""
        parts = _arn_parts(function_arn, "lambda")
        if parts is None or len(parts) not in (7, 8) or parts[5] != "function":
            return False
        dispatch = self.runtime.optional_port(AwsDispatch)
        if dispatch is None or self.runtime.optional_port(LambdaInvoker) is None:
            return True
        region, owner, name = parts[3], parts[4], parts[6]
        query = f"Qualifier={quote(parts[7], safe='')}" if len(parts) == 8 else ""
        path = f"/2015-03-31/functions/{quote(name, safe='')}/policy"
        request = Request("GET", path, query, {"host": "lambda.localhost"}, b"")
        self._sign(request, owner, region, "lambda")
        answer = await dispatch(request)
        if answer.status != 200:
            return False  # no such function, or one without a policy: SES may not invoke it
        try:
            doc = safejson.loads(answer.body)
            policy = str(doc["Policy"]) if isinstance(doc, dict) else ""
        except (ValueError, KeyError):
            return False
        request_ = PolicyRequest(
            Principal(service=SES_PRINCIPAL), "lambda:InvokeFunction", function_arn, _context(account, source_arn)
        )
        return evaluate(policy, request_).allowed

    def _sign(self, request: Request, account: str, region: str, service: str) -> None:
        """Signed as the account's own machinery (an internal session of ``account``: valid in strict mode and
        under IAM enforcement, where an issued key must present its session token)."""
        credentials = account_credentials(self.runtime, account)
        key = credentials.access_key
        stamp = self.runtime.clock.utcnow().strftime("%Y%m%dT%H%M%SZ")
        request.headers["x-amz-date"] = stamp
        request.headers["x-amz-content-sha256"] = hashlib.sha256(request.body).hexdigest()
        request.headers["x-amz-security-token"] = credentials.token
        names = sorted(
            n for n in request.headers if n in ("host", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")
        )
        signed = sigv4.Signed(key, stamp[:8], region, service, names, "", stamp, False)
        signature = sigv4.expected_signature(request, signed, credentials.secret)
        request.headers["authorization"] = (
            f"{sigv4.ALGORITHM} Credential={key}/{stamp[:8]}/{region}/{service}/aws4_request, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
