"""Query definitions (a part of LogsBackend): the saved CloudWatch Logs Insights queries of PutQueryDefinition,
DescribeQueryDefinitions and DeleteQueryDefinition. gureum runs no Logs Insights queries: a definition is kept and
listed as given."""

from __future__ import annotations

import uuid
from typing import Any

from ...store.base import Tx
from . import store_queries as qstore
from .errors import LimitExceededException, ResourceNotFoundException, ServiceError
from .groups import Parts
from .paging import page_sorted

QUERY_DEFINITIONS = 1000  # "Saved queries: 1,000 per Region per account" (CloudWatch Logs quotas)


def describe_query_definition(definition: qstore.QueryDefinition) -> dict[str, Any]:
    doc = definition.doc
    out: dict[str, Any] = {
        "queryLanguage": _language(definition),
        "queryDefinitionId": definition.definition_id,
        "name": definition.name,
        "queryString": doc["queryString"],
        "lastModified": definition.updated_at,
    }
    if doc.get("logGroupNames"):
        out["logGroupNames"] = list(doc["logGroupNames"])
    if doc.get("parameters"):
        out["parameters"] = list(doc["parameters"])
    return out


def _language(definition: qstore.QueryDefinition) -> str:
    return str(definition.doc.get("queryLanguage") or "CWLI")


def _not_found() -> ServiceError:
    return ResourceNotFoundException("The specified query definition does not exist.")


class QueryDefinitions(Parts):
    async def put_query_definition(
        self,
        account: str,
        region: str,
        definition_id: str | None,
        name: str,
        query_string: str,
        members: dict[str, Any],
    ) -> str:
        """Create a definition (no id given) or replace the one with the id; the definition's id."""
        doc = {"queryString": query_string, **{k: v for k, v in members.items() if v is not None}}
        definition = qstore.QueryDefinition(definition_id or str(uuid.uuid4()), name, doc, self.clock.now_ms())

        def run(tx: Tx) -> None:
            tx.lock("logs-query-definitions", account, region)  # the quota counts every writer's definitions
            if definition_id is not None:
                if qstore.get_query_definition(tx, account, region, definition_id) is None:
                    raise _not_found()
            elif qstore.count_query_definitions(tx, account, region) >= QUERY_DEFINITIONS:
                raise LimitExceededException(
                    f"Account has reached the maximum number of query definitions ({QUERY_DEFINITIONS})."
                )
            qstore.put_query_definition(tx, account, region, definition)

        await self.store.write(run)
        return definition.definition_id

    async def describe_query_definitions(
        self,
        account: str,
        region: str,
        prefix: str | None,
        language: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        found = await self.store.read(lambda tx: qstore.list_query_definitions(tx, account, region))
        found = [d for d in found if d.name.startswith(prefix or "") and language in (None, _language(d))]
        shown, next_token = page_sorted(found, lambda d: (d.name, d.definition_id), token, limit)
        out: dict[str, Any] = {"queryDefinitions": [describe_query_definition(d) for d in shown]}
        if next_token:
            out["nextToken"] = next_token
        return out

    async def delete_query_definition(self, account: str, region: str, definition_id: str) -> None:
        def run(tx: Tx) -> None:
            if not qstore.delete_query_definition(tx, account, region, definition_id):
                raise _not_found()

        await self.store.write(run)
