"""SesBackend, receiving part: receipt rule sets, rules and IP filters (SES v1's API), and mail received over SMTP
run through the active rule set's actions in order.

A received message is one transaction after the rules ran: the message kept (origin "received"), an S3 action's
write recorded, and every SNS notification and Lambda Event invocation in the delivery outbox; the SMTP answer goes
out after it commits. A RequestResponse Lambda runs before, while the rule set is walked (its answer may stop it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any, TypeVar

from ... import safejson
from ...aws.errors import ServiceError
from ...clock import Clock
from ...delivery import Delivery, DeliveryError, RetryPolicy
from ...ports import LambdaInvoker, S3Objects
from ...store.base import Store, Tx
from . import limits, mime, receipt, store, store_receipt
from .errors import (
    AlreadyExists,
    CannotDelete,
    InvalidLambdaFunction,
    InvalidParameterValue,
    InvalidS3Configuration,
    InvalidSnsTopic,
    LimitExceeded,
    RuleDoesNotExist,
    RuleSetDoesNotExist,
)
from .permissions import Permissions

T = TypeVar("T")
log = logging.getLogger("gureum")
RECEIPT_SUBJECT = "Amazon SES Email Receipt Notification"
# The delivery kind of an S3 action's write (SES's own target: it writes through the S3Objects port after the
# receipt committed, retried while S3 answers with a fault): address the bucket, payload {"key", "content" (base64
# of the message as the action saw it), "account", "region", "message_id", "kms_key_arn", "iam_role_arn"}.
S3_KIND = "ses-s3-action"
S3_RETRY = RetryPolicy(attempts=10, min_delay=1.0, max_delay=60.0, max_age=3600.0)


@dataclass(slots=True)
class _Walk:
    """What walking the rule set for one account's recipients decided."""

    raw: bytes
    deliveries: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (kind, address, payload)
    bounced: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)  # rcpt -> (code, status, text, sender)


class ReceivingBackend:
    """Mixed into SesBackend (which sets these attributes)."""

    store: Store
    clock: Clock
    delivery: Delivery
    lambda_invoker: Callable[[], LambdaInvoker | None]
    s3_objects: Callable[[], S3Objects | None]
    permissions: Permissions | None

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    # --- rule sets ----------------------------------------------------------------------------------------------

    @staticmethod
    def _need_set(tx: Tx, account: str, region: str, name: str) -> tuple[bool, float]:
        found = store_receipt.rule_set(tx, account, region, name)
        if found is None:
            raise RuleSetDoesNotExist(f"Rule set does not exist: {name}")
        return found

    async def create_rule_set(self, account: str, region: str, name: str) -> None:
        receipt.check_name("rule set", name)
        now = self.clock.now()

        def run(tx: Tx) -> None:
            if store_receipt.rule_set(tx, account, region, name) is not None:
                raise AlreadyExists(f"Rule set already exists: {name}")
            if store_receipt.count_rule_sets(tx, account, region) >= limits.MAX_RECEIPT_RULE_SETS:
                raise LimitExceeded(f"Maximum number of receipt rule sets ({limits.MAX_RECEIPT_RULE_SETS}) reached.")
            store_receipt.insert_rule_set(tx, account, region, name, now)

        await self._write(run)

    async def clone_rule_set(self, account: str, region: str, name: str, original: str) -> None:
        receipt.check_name("rule set", name)
        now = self.clock.now()

        def run(tx: Tx) -> None:
            self._need_set(tx, account, region, original)
            if store_receipt.rule_set(tx, account, region, name) is not None:
                raise AlreadyExists(f"Rule set already exists: {name}")
            if store_receipt.count_rule_sets(tx, account, region) >= limits.MAX_RECEIPT_RULE_SETS:
                raise LimitExceeded(f"Maximum number of receipt rule sets ({limits.MAX_RECEIPT_RULE_SETS}) reached.")
            store_receipt.insert_rule_set(tx, account, region, name, now)
            store_receipt.replace_rules(tx, account, region, name, store_receipt.rules(tx, account, region, original))

        await self._write(run)

    async def describe_rule_set(self, account: str, region: str, name: str) -> tuple[float, list[dict[str, Any]]]:
        """(created at, rules in order)."""

        def run(tx: Tx) -> tuple[float, list[dict[str, Any]]]:
            _, created = self._need_set(tx, account, region, name)
            return created, store_receipt.rules(tx, account, region, name)

        return await self.store.read(run)

    async def active_rule_set(self, account: str, region: str) -> tuple[str, float, list[dict[str, Any]]] | None:
        def run(tx: Tx) -> tuple[str, float, list[dict[str, Any]]] | None:
            found = store_receipt.active_rule_set(tx, account, region)
            if found is None:
                return None
            return found[0], found[1], store_receipt.rules(tx, account, region, found[0])

        return await self.store.read(run)

    async def list_rule_sets(self, account: str, region: str) -> list[tuple[str, float]]:
        return await self.store.read(lambda tx: store_receipt.rule_sets(tx, account, region))

    async def set_active_rule_set(self, account: str, region: str, name: str | None) -> None:
        def run(tx: Tx) -> None:
            if name is not None:
                self._need_set(tx, account, region, name)
            store_receipt.set_active(tx, account, region, name)

        await self._write(run)

    async def delete_rule_set(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            found = store_receipt.rule_set(tx, account, region, name)
            if found is not None and found[0]:
                raise CannotDelete(f"Cannot delete active rule set: {name}")
            store_receipt.delete_rule_set(tx, account, region, name)

        await self._write(run)

    # --- rules --------------------------------------------------------------------------------------------------

    async def _edit_rules(
        self, account: str, region: str, rule_set: str, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    ) -> None:
        def run(tx: Tx) -> None:
            self._need_set(tx, account, region, rule_set)
            rules = edit(store_receipt.rules(tx, account, region, rule_set))
            store_receipt.replace_rules(tx, account, region, rule_set, rules)

        await self._write(run)

    async def create_rule(
        self, account: str, region: str, rule_set: str, rule: dict[str, Any], after: str | None
    ) -> None:
        """CreateReceiptRule: after the rule named ``after``, or first when there is none."""
        new = receipt.normalise_rule(rule)
        await self._check_targets(account, region, rule_set, new)

        def edit(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
            names = [r["Name"] for r in rules]
            if new["Name"] in names:
                raise AlreadyExists(f"Rule already exists: {new['Name']}")
            if len(rules) >= limits.MAX_RECEIPT_RULES:
                raise LimitExceeded(f"Maximum number of receipt rules ({limits.MAX_RECEIPT_RULES}) reached.")
            at = _position(names, after)
            return [*rules[:at], new, *rules[at:]]

        await self._edit_rules(account, region, rule_set, edit)

    async def update_rule(self, account: str, region: str, rule_set: str, rule: dict[str, Any]) -> None:
        new = receipt.normalise_rule(rule)
        await self._check_targets(account, region, rule_set, new)

        def edit(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if new["Name"] not in [r["Name"] for r in rules]:
                raise RuleDoesNotExist(f"Rule does not exist: {new['Name']}")
            return [new if r["Name"] == new["Name"] else r for r in rules]

        await self._edit_rules(account, region, rule_set, edit)

    async def _check_targets(self, account: str, region: str, rule_set: str, rule: dict[str, Any]) -> None:
        """What AWS checks of a rule's actions before keeping it: InvalidS3Configuration for a bucket the account
        does not own, InvalidSnsTopic for a topic SES cannot publish to, InvalidLambdaFunction for a function SES
        cannot invoke (missing, or its policy does not grant ses.amazonaws.com), each when that service runs here."""
        objects = self.s3_objects()
        rule_arn = f"arn:aws:ses:{region}:{account}:receipt-rule-set/{rule_set}:receipt-rule/{rule['Name']}"
        for action in rule["Actions"]:
            body = next(iter(action.values()))
            bucket = (action.get("S3Action") or {}).get("BucketName")
            if bucket and objects is not None and not await objects.bucket_exists(account, region, bucket):
                raise InvalidS3Configuration(f"Could not write to bucket: {bucket}", fields={"Bucket": bucket})
            if self.permissions is None:
                continue
            topic = body.get("TopicArn")
            if topic and not await self.permissions.may_publish(account, topic, rule_arn):
                raise InvalidSnsTopic(f"Could not publish to SNS topic: {topic}", fields={"Topic": topic})
            function = (action.get("LambdaAction") or {}).get("FunctionArn")
            if function and not await self.permissions.may_invoke(account, function, rule_arn):
                raise InvalidLambdaFunction(
                    f"Could not invoke Lambda function: {function}", fields={"FunctionArn": function}
                )

    async def deliver_s3(self, bucket: str, payload: dict[str, Any]) -> None:
        """One attempt of an S3 action's write: the received message stored as the object."""
        objects = self.s3_objects()
        if objects is None:
            raise DeliveryError("S3 is not running", code="ServiceUnavailable")
        body = base64.b64decode(payload["content"])
        try:
            await objects.put_object(str(payload["account"]), str(payload["region"]), bucket, payload["key"], body)
        except ServiceError as error:
            raise DeliveryError(error.message, code=error.code, retryable=error.status >= 500) from error

    async def describe_rule(self, account: str, region: str, rule_set: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            self._need_set(tx, account, region, rule_set)
            for rule in store_receipt.rules(tx, account, region, rule_set):
                if rule["Name"] == name:
                    return rule
            raise RuleDoesNotExist(f"Rule does not exist: {name}")

        return await self.store.read(run)

    async def delete_rule(self, account: str, region: str, rule_set: str, name: str) -> None:
        await self._edit_rules(account, region, rule_set, lambda rules: [r for r in rules if r["Name"] != name])

    async def set_rule_position(self, account: str, region: str, rule_set: str, name: str, after: str | None) -> None:
        def edit(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
            moving = next((r for r in rules if r["Name"] == name), None)
            if moving is None:
                raise RuleDoesNotExist(f"Rule does not exist: {name}")
            rest = [r for r in rules if r["Name"] != name]
            at = _position([r["Name"] for r in rest], after)
            return [*rest[:at], moving, *rest[at:]]

        await self._edit_rules(account, region, rule_set, edit)

    async def reorder_rules(self, account: str, region: str, rule_set: str, names: list[str]) -> None:
        def edit(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
            by_name = {r["Name"]: r for r in rules}
            for name in names:
                if name not in by_name:
                    raise RuleDoesNotExist(f"Rule does not exist: {name}")
            if len(set(names)) != len(names) or set(names) != set(by_name):
                raise InvalidParameterValue("The rule names must name every rule of the rule set once.")
            return [by_name[n] for n in names]

        await self._edit_rules(account, region, rule_set, edit)

    # --- IP address filters -------------------------------------------------------------------------------------

    async def create_filter(self, account: str, region: str, name: str, policy: str, cidr: str) -> None:
        receipt.check_name("filter", name)
        receipt.check_cidr(cidr)

        def run(tx: Tx) -> None:
            if store_receipt.count_filters(tx, account, region) >= limits.MAX_RECEIPT_FILTERS:
                raise LimitExceeded(f"Maximum number of receipt filters ({limits.MAX_RECEIPT_FILTERS}) reached.")
            if not store_receipt.insert_filter(tx, account, region, name, policy, cidr):
                raise AlreadyExists(f"Filter already exists: {name}")

        await self._write(run)

    async def list_filters(self, account: str, region: str) -> list[tuple[str, str, str]]:
        return await self.store.read(lambda tx: store_receipt.filters(tx, account, region))

    async def delete_filter(self, account: str, region: str, name: str) -> None:
        await self._write(lambda tx: store_receipt.delete_filter(tx, account, region, name))

    # --- receiving ----------------------------------------------------------------------------------------------

    async def receiver(self, recipient: str, peer: str) -> tuple[str, str] | str:
        """At RCPT TO: the (account, region) receiving for ``recipient``, or the SMTP reply refusing it (no
        verified identity with an active rule set whose enabled rules take it; the sender's IP filtered)."""

        def run(tx: Tx) -> tuple[str, str] | str:
            owner = store_receipt.receiver(tx, receipt.names_for(recipient))
            if owner is None:
                return "550 5.1.1 Requested action not taken: mailbox unavailable"
            account, region = owner
            if not receipt.allowed(peer, store_receipt.filters(tx, account, region)):
                return "554 5.7.1 Access denied"
            active = store_receipt.active_rule_set(tx, account, region)
            rules = store_receipt.rules(tx, account, region, active[0]) if active else []
            if not any(r.get("Enabled") and receipt.rule_takes(r, recipient) for r in rules):
                return "550 5.1.1 Requested action not taken: mailbox unavailable"
            return owner

        return await self.store.read(run)

    async def receive(self, recipients: list[str], source: str, content: bytes, peer: str, helo: str, tls: bool) -> str:
        """Mail accepted at DATA: each receiving account's active rule set run over its recipients; the SMTP reply
        (a Bounce action's when it took every recipient)."""
        by_owner: dict[tuple[str, str], list[str]] = {}
        for rcpt in recipients:
            owner = await self.receiver(rcpt, peer)
            if isinstance(owner, tuple):
                by_owner.setdefault(owner, []).append(rcpt)
        if not by_owner:
            return "550 5.1.1 Requested action not taken: mailbox unavailable"
        refusals: list[tuple[str, str, str, str]] = []
        kept_id = ""
        for (account, region), recipients in by_owner.items():
            bounced, ses_id = await self._receive_one(account, region, recipients, source, content, peer, helo, tls)
            refusals += bounced.values()
            if len(bounced) < len(recipients):
                kept_id = kept_id or ses_id
        if kept_id or not refusals:
            return f"250 Ok {kept_id}".rstrip()
        code, status, text, _ = refusals[0]
        return f"{code} {status} {text}"

    async def _receive_one(
        self,
        account: str,
        region: str,
        recipients: list[str],
        source: str,
        content: bytes,
        peer: str,
        helo: str,
        tls: bool,
    ) -> tuple[dict[str, tuple[str, str, str, str]], str]:
        at = self.clock.now()
        ses_id = receipt.message_id()
        raw = receipt.stamp(content, source, recipients[0], peer, helo, ses_id, at)
        mail = _received(ses_id, source, recipients, raw, at, tls, peer)
        rules = await self.store.read(lambda tx: _active_rules(tx, account, region))
        walk = await self._walk(account, region, mail, rules)
        kept = [r for r in recipients if r not in walk.bounced]

        def run(tx: Tx) -> None:
            if kept:
                subject = str(mail.common.get("subject") or "")
                store.add_message(tx, ses_id, account, region, source, kept, subject, "received", walk.raw, at)
            for kind, address, payload in walk.deliveries:
                policy = S3_RETRY if kind == S3_KIND else None
                self.delivery.enqueue(tx, kind, address, payload, policy=policy, source="ses")
            if kept and walk.bounced:  # the others bounced: SES mails the sender a bounce message
                self._bounce_mail(tx, account, region, mail, walk.bounced, at)

        await self._write(run)
        return walk.bounced, ses_id

    async def _walk(self, account: str, region: str, mail: receipt.Received, rules: list[dict[str, Any]]) -> _Walk:
        """The rule set in order over the recipients still in play; actions in order within each rule."""
        walk = _Walk(mail.raw)
        active = list(mail.destinations)
        for rule in rules:
            takes = [r for r in active if rule.get("Enabled") and receipt.rule_takes(rule, r)]
            if not takes:
                continue
            if rule.get("TlsPolicy") == "Require" and not mail.tls:
                for rcpt in takes:
                    walk.bounced[rcpt] = ("530", "5.7.0", "Must issue a STARTTLS command first", "")
                active = [r for r in active if r not in takes]
                continue
            stop_set = await self._run_rule(account, region, mail, rule, takes, walk)
            if stop_set:
                active = [r for r in active if r not in takes]
        return walk

    async def _run_rule(
        self,
        account: str,
        region: str,
        mail: receipt.Received,
        rule: dict[str, Any],
        takes: list[str],
        walk: _Walk,
    ) -> bool:
        """One rule's actions; True when the rule set stops for its recipients."""
        scanned = bool(rule.get("ScanEnabled"))
        for action in rule.get("Actions") or []:
            kind, body = next(iter(action.items()))
            key = f"{body.get('ObjectKeyPrefix') or ''}{mail.message_id}" if kind == "S3Action" else ""
            now = self.clock.now()
            receipt_doc = receipt.receipt_object(mail, takes, receipt.action_object(kind, body, key), scanned, now)
            if kind == "AddHeaderAction":
                walk.raw = receipt.with_header(walk.raw, body["HeaderName"], body["HeaderValue"])
                continue
            if kind == "SNSAction":
                if len(walk.raw) > limits.MAX_SNS_CONTENT_BYTES:
                    for rcpt in takes:
                        walk.bounced[rcpt] = ("552", "5.3.4", "Message too long for an SNS action", "")
                    return True
                note = receipt.notification(mail, receipt_doc, walk.raw, body.get("Encoding") or "UTF-8")
                payload = {"message": json.dumps(note), "subject": RECEIPT_SUBJECT}
                walk.deliveries.append(("sns", body["TopicArn"], payload))
                continue
            if body.get("TopicArn"):
                note = receipt.notification(mail, receipt_doc, None, "")
                payload = {"message": json.dumps(note), "subject": RECEIPT_SUBJECT}
                walk.deliveries.append(("sns", body["TopicArn"], payload))
            if kind == "S3Action":
                walk.deliveries.append(
                    (S3_KIND, body["BucketName"], {
                        "key": key, "content": base64.b64encode(walk.raw).decode(), "account": account,
                        "region": region, "message_id": mail.message_id,
                        "kms_key_arn": body.get("KmsKeyArn"), "iam_role_arn": body.get("IamRoleArn"),
                    })
                )  # fmt: skip
            elif kind == "LambdaAction":
                event = receipt.lambda_event(mail, receipt_doc)
                if body.get("InvocationType") == "RequestResponse":
                    outcome = await self._invoke(account, region, body["FunctionArn"], event)
                    if outcome == "STOP_RULE":
                        return False
                    if outcome == "STOP_RULE_SET":
                        return True
                else:
                    walk.deliveries.append(("lambda", body["FunctionArn"], event))
            elif kind == "BounceAction":
                for rcpt in takes:
                    walk.bounced[rcpt] = (
                        body["SmtpReplyCode"],
                        body.get("StatusCode") or "5.0.0",
                        body["Message"],
                        body["Sender"],
                    )
                return True
            elif kind == "StopAction":
                return True
        return False

    async def _invoke(self, account: str, region: str, function: str, event: dict[str, Any]) -> str:
        """A RequestResponse Lambda action: the function's disposition (CONTINUE when it failed or is missing)."""
        invoker = self.lambda_invoker()
        if invoker is None:
            log.warning("SES receipt rule: Lambda is not running; %s not invoked", function)
            return "CONTINUE"
        try:
            out = await asyncio.wait_for(
                invoker.invoke(account, region, function, json.dumps(event).encode()),
                limits.LAMBDA_REQUEST_RESPONSE_TIMEOUT,
            )
        except Exception as error:  # a missing function, a throttle, a timeout: the rule set goes on
            log.warning("SES receipt rule: %s failed: %s", function, error)
            return "CONTINUE"
        if out.get("FunctionError"):
            log.warning("SES receipt rule: %s failed (%s): %s", function, out["FunctionError"], out.get("Payload"))
            return "CONTINUE"
        payload = out.get("Payload") or b""
        try:
            answer = safejson.loads(payload if isinstance(payload, (bytes, str)) else bytes(payload))
        except ValueError:
            return "CONTINUE"
        return receipt.disposition(answer)

    def _bounce_mail(
        self,
        tx: Tx,
        account: str,
        region: str,
        mail: receipt.Received,
        bounced: dict[str, tuple[str, str, str, str]],
        at: float,
    ) -> None:
        """The bounce message SES sends the envelope sender for recipients a Bounce action took (captured)."""
        lines = [f"{rcpt}: {code} {status} {text}" for rcpt, (code, status, text, _) in bounced.items()]
        sender = next((s for *_, s in bounced.values() if s), "MAILER-DAEMON@" + receipt.INBOUND_HOST)
        text = "Your message could not be delivered to these recipients:\n\n" + "\n".join(lines) + "\n"
        ses_id = mime.message_id(int(at * 1000))
        subject = "Delivery Status Notification (Failure)"
        msg = mime.build(sender, [mail.source], [], [], subject, text, None, ses_id, at)
        store.add_message(
            tx, ses_id, account, region, sender, [mail.source], subject, "bounce", mime.serialise(msg), at
        )


def _position(names: list[str], after: str | None) -> int:
    if not after:
        return 0
    if after not in names:
        raise RuleDoesNotExist(f"Rule does not exist: {after}")
    return names.index(after) + 1


def _active_rules(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    active = store_receipt.active_rule_set(tx, account, region)
    return store_receipt.rules(tx, account, region, active[0]) if active else []


def _received(
    ses_id: str, source: str, recipients: list[str], raw: bytes, at: float, tls: bool, peer: str
) -> receipt.Received:
    try:
        msg = BytesHeaderParser().parsebytes(raw)
        headers = [(k, str(v)) for k, v in msg.items()]
        common: dict[str, Any] = {"returnPath": source}
        for name, key in (("From", "from"), ("To", "to"), ("Cc", "cc")):
            values = [str(v) for v in msg.get_all(name, [])]
            if values:
                common[key] = [a.strip() for v in values for a in v.split(",") if a.strip()]
        for name, key in (("Date", "date"), ("Message-ID", "messageId"), ("Subject", "subject")):
            if msg.get(name) is not None:
                common[key] = str(msg.get(name))
    except Exception:  # malformed headers: the envelope only
        headers, common = [], {"returnPath": source}
    return receipt.Received(ses_id, source, recipients, raw, headers, common, at, tls, peer)
