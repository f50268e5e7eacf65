"""The organisation each account belongs to, for aws:PrincipalOrgID under IAM enforcement. AWS Organizations is not
served: an account's organisation id is set at gureum's admin endpoint (kept in IAM's store, so every node sees it,
and its change drops every node's cached identities):

    PUT    /_gureum/iam/organization  {"accountId": "111111111111", "organizationId": "o-abcdef1234"}
    DELETE /_gureum/iam/organization?accountId=111111111111
    GET    /_gureum/iam/organization  -> {"organizations": {"111111111111": "o-abcdef1234"}}
"""

from __future__ import annotations

import json
import re
from typing import Any

from ... import safejson
from ...aws.http import Request, Response
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .identities import ORGANIZATION as KIND
from .identities import NotifyingStore
from .resources import create

_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")  # AWS Organizations' pattern for an organisation id
_ACCOUNT = re.compile(r"^\d{12}$")


def _set(tx: Tx, account: str, organization: str | None, now: float) -> None:
    for old in store.all_of(tx, account, KIND):
        store.delete(tx, old)
    if organization is not None:
        create(tx, account, KIND, organization, "/", {}, now)


def _all(tx: Tx) -> dict[str, str]:
    return {account: org for account, org in store.all_kind(tx, KIND)}


def _answer(status: int, body: dict[str, Any]) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(body).encode())


async def organization_route(runtime: Runtime, request: Request) -> Response:
    """PUT, DELETE and GET /_gureum/iam/organization (see the module's docstring)."""
    writer = NotifyingStore(runtime.store)
    if request.method == "GET":
        return _answer(200, {"organizations": await runtime.store.read(_all)})
    if request.method == "DELETE":
        account = request.query.get("accountId", "")
        organization = None
    else:
        try:
            doc = safejson.loads(request.body or b"{}")
        except ValueError:
            return _answer(400, {"message": "The body is not JSON."})
        account = str(doc.get("accountId", "")) if isinstance(doc, dict) else ""
        organization = str(doc.get("organizationId", "")) if isinstance(doc, dict) else ""
        if not _ORG_ID.match(organization):
            return _answer(400, {"message": "organizationId must match ^o-[a-z0-9]{10,32}$."})
    if not _ACCOUNT.match(account):
        return _answer(400, {"message": "accountId must be a 12-digit account id."})
    now = runtime.clock.now()
    await writer.write(lambda tx: _set(tx, account, organization, now))
    return _answer(200, {"accountId": account, "organizationId": organization})
