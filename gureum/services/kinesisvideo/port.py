"""The KinesisVideoMedia port (gureum.ports): what the data-plane services (kinesisvideomedia,
kinesisvideoarchivedmedia, kinesisvideosignaling) ask of this one."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from .backend import KinesisVideoBackend
from .media import MediaBackend
from .playback import Playback


class MediaPort:
    def __init__(self, media: MediaBackend, control: KinesisVideoBackend, playback: Playback) -> None:
        self.media = media
        self.control = control
        self.playback = playback

    async def get_media(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> AsyncIterable[bytes]:
        return await self.media.get_media(account, region, name, arn, selector)

    async def list_fragments(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        limit: int | None,
        token: str | None,
        selector: dict[str, Any] | None,
    ) -> dict[str, Any]:
        return await self.media.list_fragments(account, region, name, arn, limit, token, selector)

    async def media_for_fragments(
        self, account: str, region: str, name: str | None, arn: str | None, numbers: list[str]
    ) -> AsyncIterable[bytes]:
        return await self.media.media_for_fragments(account, region, name, arn, numbers)

    async def session_url(self, account: str, region: str, kind: str, base_url: str, params: dict[str, Any]) -> str:
        return await self.playback.session_url(account, region, kind, base_url, params)

    async def clip(
        self, account: str, region: str, name: str | None, arn: str | None, selector: dict[str, Any]
    ) -> bytes:
        return await self.playback.clip(account, region, name, arn, selector)

    async def images(
        self, account: str, region: str, name: str | None, arn: str | None, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self.playback.images(account, region, name, arn, params)

    async def ice_servers(self, account: str, region: str, channel_arn: str) -> list[dict[str, Any]]:
        return await self.control.ice_servers(account, region, channel_arn)
