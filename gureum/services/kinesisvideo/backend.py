"""KinesisVideoBackend: the control plane of Kinesis Video Streams (streams with versions and retention, tags, data
endpoints, the stored edge/image/notification/storage configurations, signaling channels and their endpoints), one
method per operation with plain arguments; kept by the start hook and reached with backend(ctx). Media lives in
media.py (MediaBackend)."""

from __future__ import annotations

import base64
import copy
from typing import Any

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import store
from .errors import (
    InvalidArgumentException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceError,
    StreamEdgeConfigurationNotFoundException,
    TagsPerResourceExceededLimitException,
    channel_not_found,
    stream_not_found,
    version_mismatch,
)
from .resources import (
    ACTIVE,
    DEFAULT_RETENTION,
    MAX_RETENTION_HOURS,
    MAX_TAGS,
    Channel,
    Stream,
    channel_arn,
    default_kms_key,
    new_version,
    stream_arn,
)

_PAGE = 10000


def backend(ctx: RequestContext) -> KinesisVideoBackend:
    return ctx.runtime.state(KinesisVideoBackend)


def find_stream(tx: Tx, account: str, region: str, name: str | None, arn: str | None) -> Stream:
    """The stream a request names by StreamName or StreamARN (in the caller's account and Region)."""
    if not name and not arn:
        raise InvalidArgumentException("Either StreamName or StreamARN must be specified.")
    if arn:
        stream = store.stream_by_arn(tx, arn)
        if stream is None or stream.account != account or stream.region != region:
            raise stream_not_found()
        if name and name != stream.name:
            raise InvalidArgumentException("StreamName and StreamARN name different streams.")
        return stream
    assert name is not None
    stream = store.stream_by_name(tx, account, region, name)
    if stream is None:
        raise stream_not_found()
    return stream


def _find_channel(tx: Tx, account: str, region: str, name: str | None, arn: str | None) -> Channel:
    if not name and not arn:
        raise InvalidArgumentException("Either ChannelName or ChannelARN must be specified.")
    channel = store.channel_by_arn(tx, arn) if arn else store.channel_by_name(tx, account, region, name or "")
    if channel is None or channel.account != account or channel.region != region:
        raise channel_not_found()
    return channel


def _merge_tags(current: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    merged = {**current, **new}
    if len(merged) > MAX_TAGS:
        raise TagsPerResourceExceededLimitException(
            f"The resource would have more than {MAX_TAGS} tags ({len(merged)})."
        )
    return merged


def _page(token: str | None) -> str:
    """The name a NextToken continues after (tokens are base64, as the model's pattern requires)."""
    if not token:
        return ""
    try:
        return base64.b64decode(token, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgumentException("NextToken is not a token this operation gave.") from None


def _token(name: str) -> str:
    return base64.b64encode(name.encode()).decode()


class KinesisVideoBackend:
    def __init__(self, store_: Store, clock: Clock) -> None:
        self.store = store_
        self.clock = clock

    # --- streams -------------------------------------------------------------------------------------------------

    async def create_stream(
        self,
        account: str,
        region: str,
        name: str,
        *,
        device_name: str | None,
        media_type: str | None,
        kms_key_id: str | None,
        retention_hours: int | None,
        tags: dict[str, str],
        storage: dict[str, Any] | None,
    ) -> str:
        retention = DEFAULT_RETENTION if retention_hours is None else retention_hours
        if retention > MAX_RETENTION_HOURS:
            raise InvalidArgumentException(f"DataRetentionInHours must be at most {MAX_RETENTION_HOURS}.")
        if len(tags) > MAX_TAGS:
            raise TagsPerResourceExceededLimitException(f"A stream can have at most {MAX_TAGS} tags.")
        now = self.clock.now()
        stream = Stream(
            0,
            account,
            region,
            name,
            stream_arn(account, region, name, int(now * 1000)),
            new_version(),
            ACTIVE,
            device_name,
            media_type,
            kms_key_id or default_kms_key(account, region),
            retention,
            now,
            dict(tags),
            {"StreamStorageConfiguration": storage or {"DefaultStorageTier": "HOT"}},
        )

        def create(tx: Tx) -> None:
            if store.insert_stream(tx, stream) is None:
                raise ResourceInUseException(f"The stream {name} already exists.")

        await self.store.write(create)
        return stream.arn

    async def describe_stream(self, account: str, region: str, name: str | None, arn: str | None) -> dict[str, Any]:
        stream = await self.store.read(lambda tx: find_stream(tx, account, region, name, arn))
        return stream.info()

    async def list_streams(
        self, account: str, region: str, limit: int | None, token: str | None, prefix: str | None
    ) -> dict[str, Any]:
        size = min(limit or _PAGE, _PAGE)
        streams = await self.store.read(
            lambda tx: store.list_streams(tx, account, region, prefix or "", _page(token), size + 1)
        )
        out: dict[str, Any] = {"StreamInfoList": [s.info() for s in streams[:size]]}
        if len(streams) > size:
            out["NextToken"] = _token(streams[size - 1].name)
        return out

    async def _change_stream(
        self, account: str, region: str, name: str | None, arn: str | None, version: str | None, change: Any
    ) -> None:
        """Apply ``change(stream) -> dict of new fields`` under a new version (after checking CurrentVersion)."""

        def apply(tx: Tx) -> None:
            stream = find_stream(tx, account, region, name, arn)
            if version is not None and version != stream.version:
                raise version_mismatch()
            fields: dict[str, Any] = {
                "device_name": stream.device_name,
                "media_type": stream.media_type,
                "retention_hours": stream.retention_hours,
                "tags": dict(stream.tags),
                "configs": copy.deepcopy(stream.configs),
            }
            fields.update(change(stream))
            store.update_stream(tx, stream.id, new_version(), **fields)

        await self.store.write(apply)

    async def update_stream(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        version: str,
        device_name: str | None,
        media_type: str | None,
    ) -> None:
        def change(stream: Stream) -> dict[str, Any]:
            return {
                "device_name": device_name if device_name is not None else stream.device_name,
                "media_type": media_type if media_type is not None else stream.media_type,
            }

        await self._change_stream(account, region, name, arn, version, change)

    async def update_data_retention(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        version: str,
        operation: str,
        hours: int,
    ) -> None:
        def change(stream: Stream) -> dict[str, Any]:
            if operation == "INCREASE_DATA_RETENTION":
                retention = stream.retention_hours + hours
            else:
                retention = stream.retention_hours - hours
                if retention < 0:
                    raise InvalidArgumentException(
                        f"The data retention of the stream ({stream.retention_hours} hours) cannot be decreased by "
                        f"{hours} hours."
                    )
            if retention > MAX_RETENTION_HOURS:
                raise InvalidArgumentException(f"DataRetentionInHours must be at most {MAX_RETENTION_HOURS}.")
            return {"retention_hours": retention}

        await self._change_stream(account, region, name, arn, version, change)

    async def delete_stream(self, account: str, region: str, arn: str, version: str | None) -> int:
        """Delete the stream and its fragment index; returns its id (its files are the media backend's to remove)."""

        def delete(tx: Tx) -> int:
            stream = find_stream(tx, account, region, None, arn)
            if version is not None and version != stream.version:
                raise version_mismatch()
            store.delete_stream(tx, stream.id)
            return stream.id

        return await self.store.write(delete)

    async def data_endpoint(
        self, account: str, region: str, name: str | None, arn: str | None, api_name: str, base_url: str
    ) -> str:
        """Every data-plane API is served by gureum itself: its own URL, once the stream is known."""
        await self.store.read(lambda tx: find_stream(tx, account, region, name, arn))
        return base_url

    # --- tags ------------------------------------------------------------------------------------------------------

    async def tag_stream(
        self, account: str, region: str, name: str | None, arn: str | None, tags: dict[str, str]
    ) -> None:
        await self._change_stream(account, region, name, arn, None, lambda s: {"tags": _merge_tags(s.tags, tags)})

    async def untag_stream(self, account: str, region: str, name: str | None, arn: str | None, keys: list[str]) -> None:
        await self._change_stream(
            account, region, name, arn, None, lambda s: {"tags": {k: v for k, v in s.tags.items() if k not in keys}}
        )

    async def stream_tags(self, account: str, region: str, name: str | None, arn: str | None) -> dict[str, str]:
        stream = await self.store.read(lambda tx: find_stream(tx, account, region, name, arn))
        return stream.tags

    def _kind(self, arn: str) -> str:
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[2] != "kinesisvideo":
            raise InvalidArgumentException(f"Invalid resource ARN: {arn}")
        return parts[5].split("/", 1)[0]

    async def tag_resource(self, account: str, region: str, arn: str, tags: dict[str, str]) -> None:
        if self._kind(arn) == "stream":
            await self.tag_stream(account, region, None, arn, tags)
            return
        await self._change_channel(account, region, arn, None, lambda c: {"tags": _merge_tags(c.tags, tags)})

    async def untag_resource(self, account: str, region: str, arn: str, keys: list[str]) -> None:
        if self._kind(arn) == "stream":
            await self.untag_stream(account, region, None, arn, keys)
            return
        await self._change_channel(
            account, region, arn, None, lambda c: {"tags": {k: v for k, v in c.tags.items() if k not in keys}}
        )

    async def resource_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        if self._kind(arn) == "stream":
            return await self.stream_tags(account, region, None, arn)
        channel = await self.store.read(lambda tx: _find_channel(tx, account, region, None, arn))
        return channel.tags

    # --- stored configurations ---------------------------------------------------------------------------------

    async def put_stream_config(
        self, account: str, region: str, name: str | None, arn: str | None, key: str, value: Any, version: str | None
    ) -> None:
        """Keep one of the stream's configurations (ImageGeneration, Notification, StreamStorage); None removes it."""

        def change(stream: Stream) -> dict[str, Any]:
            configs = copy.deepcopy(stream.configs)
            if value is None:
                configs.pop(key, None)
            else:
                configs[key] = value
            return {"configs": configs}

        await self._change_stream(account, region, name, arn, version, change)

    async def stream_config(
        self, account: str, region: str, name: str | None, arn: str | None
    ) -> tuple[Stream, dict[str, Any]]:
        stream = await self.store.read(lambda tx: find_stream(tx, account, region, name, arn))
        return stream, stream.configs

    async def start_edge_update(
        self, account: str, region: str, name: str | None, arn: str | None, edge_config: dict[str, Any]
    ) -> dict[str, Any]:
        """Stored as AWS keeps it; no edge agent (IoT Greengrass) runs here, so it stays SYNCING."""
        now = self.clock.now()
        record = {"EdgeConfig": edge_config, "CreationTime": now, "LastUpdatedTime": now, "SyncStatus": "SYNCING"}

        def change(stream: Stream) -> dict[str, Any]:
            previous = stream.configs.get("Edge")
            if previous is not None:
                record["CreationTime"] = previous["CreationTime"]
            configs = copy.deepcopy(stream.configs)
            configs["Edge"] = record
            return {"configs": configs}

        await self._change_stream(account, region, name, arn, None, change)
        return await self.edge_config(account, region, name, arn)

    async def edge_config(self, account: str, region: str, name: str | None, arn: str | None) -> dict[str, Any]:
        stream, configs = await self.stream_config(account, region, name, arn)
        record = configs.get("Edge")
        if record is None:
            raise StreamEdgeConfigurationNotFoundException(f"The stream {stream.name} has no edge configuration.")
        return {"StreamName": stream.name, "StreamARN": stream.arn, **record}

    async def delete_edge_config(self, account: str, region: str, name: str | None, arn: str | None) -> None:
        await self.edge_config(account, region, name, arn)  # StreamEdgeConfigurationNotFoundException when none
        await self.put_stream_config(account, region, name, arn, "Edge", None, None)

    async def mapped_resources(
        self, account: str, region: str, name: str | None, arn: str | None
    ) -> list[dict[str, str]]:
        """The signaling channels whose media storage configuration names the stream."""

        def read(tx: Tx) -> list[dict[str, str]]:
            stream = find_stream(tx, account, region, name, arn)
            channels = store.list_channels(tx, account, region, "", "", _PAGE)
            return [
                {"Type": "SIGNALING_CHANNEL", "ARN": c.arn}
                for c in channels
                if (c.configs.get("MediaStorage") or {}).get("StreamARN") == stream.arn
            ]

        return await self.store.read(read)

    async def edge_configs(self, account: str, region: str, hub: str) -> list[dict[str, Any]]:
        streams = await self.store.read(lambda tx: store.list_streams(tx, account, region, "", "", _PAGE))
        return [
            {"StreamName": s.name, "StreamARN": s.arn, **s.configs["Edge"]}
            for s in streams
            if "Edge" in s.configs and s.configs["Edge"]["EdgeConfig"].get("HubDeviceArn") == hub
        ]

    # --- signaling channels ------------------------------------------------------------------------------------

    async def create_channel(
        self, account: str, region: str, name: str, channel_type: str | None, ttl: int | None, tags: dict[str, str]
    ) -> str:
        if len(tags) > MAX_TAGS:
            raise TagsPerResourceExceededLimitException(f"A channel can have at most {MAX_TAGS} tags.")
        now = self.clock.now()
        channel = Channel(
            0,
            account,
            region,
            name,
            channel_arn(account, region, name, int(now * 1000)),
            new_version(),
            ACTIVE,
            channel_type or "SINGLE_MASTER",
            60 if ttl is None else ttl,
            now,
            dict(tags),
            {},
        )

        def create(tx: Tx) -> None:
            if store.insert_channel(tx, channel) is None:
                raise ResourceInUseException(f"The signaling channel {name} already exists.")

        await self.store.write(create)
        return channel.arn

    async def describe_channel(self, account: str, region: str, name: str | None, arn: str | None) -> Channel:
        return await self.store.read(lambda tx: _find_channel(tx, account, region, name, arn))

    async def channel_by_arn(self, arn: str) -> Channel | None:
        return await self.store.read(lambda tx: store.channel_by_arn(tx, arn))

    async def list_channels(
        self, account: str, region: str, limit: int | None, token: str | None, prefix: str | None
    ) -> dict[str, Any]:
        size = min(limit or _PAGE, _PAGE)
        channels = await self.store.read(
            lambda tx: store.list_channels(tx, account, region, prefix or "", _page(token), size + 1)
        )
        out: dict[str, Any] = {"ChannelInfoList": [c.info() for c in channels[:size]]}
        if len(channels) > size:
            out["NextToken"] = _token(channels[size - 1].name)
        return out

    async def _change_channel(self, account: str, region: str, arn: str, version: str | None, change: Any) -> None:
        def apply(tx: Tx) -> None:
            channel = _find_channel(tx, account, region, None, arn)
            if version is not None and version != channel.version:
                raise version_mismatch()
            fields: dict[str, Any] = {
                "ttl_seconds": channel.ttl_seconds,
                "tags": dict(channel.tags),
                "configs": copy.deepcopy(channel.configs),
            }
            fields.update(change(channel))
            store.update_channel(tx, channel.id, new_version(), **fields)

        await self.store.write(apply)

    async def update_channel(self, account: str, region: str, arn: str, version: str, ttl: int | None) -> None:
        await self._change_channel(
            account, region, arn, version, lambda c: {"ttl_seconds": c.ttl_seconds if ttl is None else ttl}
        )

    async def delete_channel(self, account: str, region: str, arn: str, version: str | None) -> None:
        def delete(tx: Tx) -> None:
            channel = _find_channel(tx, account, region, None, arn)
            if version is not None and version != channel.version:
                raise version_mismatch()
            store.delete_channel(tx, channel.id)

        await self.store.write(delete)

    async def channel_endpoints(
        self, account: str, region: str, arn: str, protocols: list[str] | None, role: str | None, base_url: str
    ) -> list[dict[str, str]]:
        """WSS: gureum's WebSocket relay (plain ws://, gureum serves no TLS); HTTPS: gureum's URL (GetIceServerConfig).
        WEBRTC (ingestion into a stream) is not served."""
        await self.store.read(lambda tx: _find_channel(tx, account, region, None, arn))
        wanted = protocols or ["WSS", "HTTPS"]
        if "WEBRTC" in wanted:
            raise InvalidArgumentException(
                "gureum serves the WSS and HTTPS signaling endpoints; WebRTC ingestion (WEBRTC) is not supported."
            )
        ws_url = "ws" + base_url[len("http") :] if base_url.startswith("http") else base_url
        endpoints = {"WSS": ws_url, "HTTPS": base_url}
        return [{"Protocol": p, "ResourceEndpoint": endpoints[p]} for p in wanted]

    async def put_media_storage(self, account: str, region: str, arn: str, config: dict[str, Any]) -> None:
        stream_arn_ = config.get("StreamARN")
        if stream_arn_:
            await self.store.read(lambda tx: find_stream(tx, account, region, None, stream_arn_))
        await self._change_channel(
            account, region, arn, None, lambda c: {"configs": {**c.configs, "MediaStorage": config}}
        )

    async def media_storage(self, account: str, region: str, name: str | None, arn: str | None) -> dict[str, Any]:
        channel = await self.describe_channel(account, region, name, arn)
        config: dict[str, Any] = channel.configs.get("MediaStorage") or {"Status": "DISABLED"}
        return config

    async def ice_servers(self, account: str, region: str, arn: str) -> list[dict[str, Any]]:
        """No TURN server runs here: peers on one machine or network connect directly (host/STUN candidates)."""
        channel = await self.store.read(lambda tx: store.channel_by_arn(tx, arn))
        if channel is None or channel.account != account:
            raise ResourceNotFoundException("The requested channel is not found or not active.")
        return []


__all__ = ["KinesisVideoBackend", "backend", "find_stream", "ServiceError"]
