"""Archived media operations: each a call of the KinesisVideoMedia port."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from ...aws.context import RequestContext
from ...ports import KinesisVideoMedia
from . import SERVICE


class _Payload:
    """A streamed output member (gureum.aws.http.StreamingBody) of unknown length."""

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self.length: int | None = None
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return aiter(self._chunks)


def _port(ctx: RequestContext) -> KinesisVideoMedia:
    return ctx.runtime.port(KinesisVideoMedia)


@SERVICE.op("ListFragments")
async def list_fragments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _port(ctx).list_fragments(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req.get("MaxResults"),
        req.get("NextToken"),
        req.get("FragmentSelector"),
    )


@SERVICE.op("GetMediaForFragmentList")
async def get_media_for_fragment_list(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    chunks = await _port(ctx).media_for_fragments(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), list(req["Fragments"])
    )
    return {"ContentType": "video/webm", "Payload": _Payload(chunks)}


@SERVICE.op("GetHLSStreamingSessionURL")
async def get_hls_streaming_session_url(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    url = await _port(ctx).session_url(ctx.account, ctx.region, "HLS", ctx.request.base_url, req)
    return {"HLSStreamingSessionURL": url}


@SERVICE.op("GetDASHStreamingSessionURL")
async def get_dash_streaming_session_url(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    url = await _port(ctx).session_url(ctx.account, ctx.region, "DASH", ctx.request.base_url, req)
    return {"DASHStreamingSessionURL": url}


@SERVICE.op("GetClip")
async def get_clip(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    clip = await _port(ctx).clip(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["ClipFragmentSelector"]
    )
    return {"ContentType": "video/mp4", "Payload": clip}


@SERVICE.op("GetImages")
async def get_images(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _port(ctx).images(ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req)
