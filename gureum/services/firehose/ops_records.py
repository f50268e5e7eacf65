"""Firehose record operations (PutRecord, PutRecordBatch): each calls one FirehoseBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutRecord")
async def put_record(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_record(ctx.account, ctx.region, req["DeliveryStreamName"], req["Record"]["Data"])


@SERVICE.op("PutRecordBatch")
async def put_record_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_record_batch(ctx.account, ctx.region, req["DeliveryStreamName"], req["Records"])
