"""GetMedia: the stream's MKV chunks from the start selector on, continuing as new fragments arrive."""

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


@SERVICE.op("GetMedia")
async def get_media(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    chunks = await ctx.runtime.port(KinesisVideoMedia).get_media(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["StartSelector"]
    )
    return {"ContentType": "video/webm", "Payload": _Payload(chunks)}
