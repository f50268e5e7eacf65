"""X-Ray's account settings (a part of XRayBackend): the encryption configuration (PutEncryptionConfig,
GetEncryptionConfig; X-Ray's own encryption until a KMS key is named) and the account's resource policies
(PutResourcePolicy, ListResourcePolicies, DeleteResourcePolicy: at most 5 an account and Region, 5 KB each, with the
revision ids that make a change conditional). Both are rows of xray_resources, without an ARN of their own."""

from __future__ import annotations

from typing import Any

from ...clock import Clock
from ...policy import PolicyError, parse
from ...store import Store, Tx
from . import store as tables
from .errors import (
    InvalidPolicyRevisionIdException,
    InvalidRequestException,
    MalformedPolicyDocumentException,
    PolicyCountLimitExceededException,
    PolicySizeLimitExceededException,
)

POLICIES = 5  # "Each Amazon Web Services account can have a maximum of 5 resource policies"
POLICY_BYTES = 5 * 1024
_ENCRYPTION, _POLICY = "encryption", "policy"


def _policy_view(resource: tables.Resource) -> dict[str, Any]:
    return {**resource.doc, "LastUpdatedTime": resource.modified_at}


class Settings:
    store: Store
    clock: Clock

    # --- encryption ---------------------------------------------------------------------------------------

    async def put_encryption_config(self, account: str, region: str, kind: str, key_id: str | None) -> dict[str, Any]:
        """The new configuration, ACTIVE at once (gureum re-encrypts nothing: traces are kept as they came)."""
        if kind == "KMS" and not key_id:
            raise InvalidRequestException("A KeyId is required when the encryption type is KMS.")
        if kind == "NONE" and key_id:
            raise InvalidRequestException("A KeyId may only be given when the encryption type is KMS.")
        doc: dict[str, Any] = {"Status": "ACTIVE", "Type": kind}
        if key_id:
            doc["KeyId"] = key_id
        now = self.clock.now()

        def run(tx: Tx) -> None:
            resource = tables.Resource(_ENCRYPTION, "account", "", doc, {}, now, now)
            if not tables.insert_resource(tx, account, region, resource):
                tables.save_resource(tx, account, region, resource)

        await self.store.write(run)
        return doc

    async def encryption_config(self, account: str, region: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: tables.get_resource(tx, account, region, _ENCRYPTION, "account"))
        return found.doc if found is not None else {"Status": "ACTIVE", "Type": "NONE"}

    # --- resource policies --------------------------------------------------------------------------------

    async def put_resource_policy(
        self, account: str, region: str, name: str, document: str, revision: str | None
    ) -> dict[str, Any]:
        if len(document.encode()) > POLICY_BYTES:
            raise PolicySizeLimitExceededException(f"The policy document is larger than {POLICY_BYTES} bytes.")
        try:
            parse(document)
        except PolicyError as exc:
            raise MalformedPolicyDocumentException(f"Invalid policy document: {exc}") from None
        now = self.clock.now()

        def run(tx: Tx) -> tables.Resource:
            tx.lock("xray-policy", account, region)
            found = tables.get_resource(tx, account, region, _POLICY, name)
            if found is None:
                if revision is not None and revision != "0":
                    raise InvalidPolicyRevisionIdException(f"No resource policy named {name} exists.")
                if len(tables.list_resources(tx, account, region, _POLICY)) >= POLICIES:
                    raise PolicyCountLimitExceededException(
                        f"An account can have at most {POLICIES} resource policies."
                    )
                doc = {"PolicyName": name, "PolicyDocument": document, "PolicyRevisionId": "1"}
                created = tables.Resource(_POLICY, name, "", doc, {}, now, now)
                tables.insert_resource(tx, account, region, created)
                return created
            if revision is not None and revision != found.doc["PolicyRevisionId"]:
                raise InvalidPolicyRevisionIdException(
                    f"The revision id {revision} is not the policy's latest ({found.doc['PolicyRevisionId']})."
                )
            found.doc = {**found.doc, "PolicyDocument": document,
                         "PolicyRevisionId": str(int(found.doc["PolicyRevisionId"]) + 1)}  # fmt: skip
            found.modified_at = now
            tables.save_resource(tx, account, region, found)
            return found

        return _policy_view(await self.store.write(run))

    async def resource_policies(self, account: str, region: str) -> list[dict[str, Any]]:
        found = await self.store.read(lambda tx: tables.list_resources(tx, account, region, _POLICY))
        return [_policy_view(r) for r in found]

    async def delete_resource_policy(self, account: str, region: str, name: str, revision: str | None) -> None:
        """Deleting a policy that does not exist succeeds, as on AWS, unless a revision id was named."""

        def run(tx: Tx) -> None:
            tx.lock("xray-policy", account, region)
            found = tables.get_resource(tx, account, region, _POLICY, name)
            if found is None:
                if revision is not None:
                    raise InvalidPolicyRevisionIdException(f"No resource policy named {name} exists.")
                return
            if revision is not None and revision != found.doc["PolicyRevisionId"]:
                raise InvalidPolicyRevisionIdException(
                    f"The revision id {revision} is not the policy's latest ({found.doc['PolicyRevisionId']})."
                )
            tables.delete_resource(tx, account, region, _POLICY, name)

        await self.store.write(run)
