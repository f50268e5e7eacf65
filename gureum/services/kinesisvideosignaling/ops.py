"""GetIceServerConfig: the channel's ICE servers (TURN) — none here."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...ports import KinesisVideoMedia
from . import SERVICE


@SERVICE.op("GetIceServerConfig")
async def get_ice_server_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    servers = await ctx.runtime.port(KinesisVideoMedia).ice_servers(ctx.account, ctx.region, req["ChannelARN"])
    return {"IceServerList": servers}
