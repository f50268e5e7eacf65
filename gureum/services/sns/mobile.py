"""Mobile push: platform applications and their endpoints (device tokens).  Publishes to an endpoint are captured
in the inspectable outbox; nothing is sent to APNs or FCM.  The Mobile part of SnsBackend."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ...policy import Caller
from ...store.base import Tx
from . import arns, limits, store_mobile
from .errors import NotFound, ValidationError, invalid
from .node import SnsNode
from .paging import Page, page, page_token, read_page_token
from .store_mobile import Application, Endpoint

T = TypeVar("T")
_CREDENTIALS = ("PlatformCredential", "PlatformPrincipal")  # write-only: AWS never returns them
_NULL_ATTRIBUTES = (
    "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null"
)


def _check_app_attributes(attributes: dict[str, str] | None) -> dict[str, str]:
    if not attributes:
        raise ValidationError(_NULL_ATTRIBUTES)
    return attributes


def _check_endpoint_attributes(attributes: dict[str, str]) -> None:
    for name in attributes:
        if name not in limits.ENDPOINT_ATTRIBUTES:
            raise invalid("Attributes", f"Invalid attribute name: {name}")
    if len((attributes.get("CustomUserData") or "").encode()) > limits.CUSTOM_USER_DATA_BYTES:
        raise invalid(
            "Attributes",
            "Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding",
        )
    if "Enabled" in attributes and attributes["Enabled"].lower() not in ("true", "false"):
        raise invalid("Attributes", "Invalid value for attribute: Enabled: must be true or false")


class Mobile(SnsNode):
    async def create_platform_application(
        self, account: str, region: str, name: str, platform: str, attributes: dict[str, str] | None
    ) -> str:
        if not name:
            raise invalid(name, "cannot be empty")
        if len(name) > 256:
            raise invalid(name, "must be at most 256 characters long")
        if not limits.PLATFORM_APP_NAME.match(name):
            raise invalid(name, "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'")
        if platform not in limits.PLATFORMS:
            raise invalid("Platform", f"{platform} is not supported")
        given = dict(_check_app_attributes(attributes))
        credential, principal = given.get("PlatformCredential"), given.get("PlatformPrincipal")
        if platform != "GCM":  # FCM needs only its key; every other platform a principal and a credential
            if credential and not principal:
                raise invalid("Attributes", "PlatformCredential attribute provided without PlatformPrincipal")
            if principal and not credential:
                raise invalid("Attributes", "PlatformPrincipal attribute provided without PlatformCredential")
        kept = {"Enabled": "true", **{k: v for k, v in given.items() if k not in _CREDENTIALS}}
        arn = arns.application_arn(region, account, platform, name)
        app = Application(0, arn, account, region, name, platform, kept)
        now = self.now()
        await self.store.write(lambda tx: store_mobile.upsert_application(tx, app, now))
        return app.arn

    async def _in_application(
        self, who: Caller, action: str, arn: str, fn: Callable[[Tx, Application], T], *, write: bool = False
    ) -> T:
        arns.application(arn)
        await self.refuse_other_account(who, arn, action)

        def run(tx: Tx) -> T:
            if write:  # fn changes the application from what it read: its writers take turns
                tx.lock("sns", arn)
            app = store_mobile.get_application(tx, arn)
            if app is None:
                raise NotFound("PlatformApplication does not exist")
            return fn(tx, app)

        return await (self.store.write(run) if write else self.store.read(run))

    async def get_platform_application_attributes(self, who: Caller, arn: str) -> dict[str, str]:
        return await self._in_application(who, "GetPlatformApplicationAttributes", arn, lambda tx, app: app.attributes)

    async def set_platform_application_attributes(
        self, who: Caller, arn: str, attributes: dict[str, str] | None
    ) -> None:
        changes = _check_app_attributes(attributes)

        def run(tx: Tx, app: Application) -> None:
            app.attributes.update({k: v for k, v in changes.items() if k not in _CREDENTIALS})
            store_mobile.update_application(tx, app)

        await self._in_application(who, "SetPlatformApplicationAttributes", arn, run, write=True)

    async def delete_platform_application(self, who: Caller, arn: str) -> None:
        await self.refuse_other_account(who, arn, "DeletePlatformApplication")
        await self.store.write(lambda tx: store_mobile.delete_application(tx, arn))

    async def list_platform_applications(self, account: str, region: str, next_token: str | None) -> Page[Application]:
        after = read_page_token(next_token)
        apps = await self.store.read(
            lambda tx: store_mobile.list_applications(tx, account, region, after, limits.PAGE_SIZE + 1)
        )
        return page(apps, lambda app: page_token(app.id))

    async def create_platform_endpoint(
        self,
        who: Caller,
        application_arn: str,
        token: str,
        attributes: dict[str, str] | None,
        custom_user_data: str | None,
    ) -> str:
        """The endpoint's ARN; the same token with the same attributes returns the existing endpoint."""
        given = dict(attributes or {})
        _check_endpoint_attributes(given)
        if custom_user_data is not None:
            given.setdefault("CustomUserData", custom_user_data)  # the attribute wins over the parameter
        wanted = {"Enabled": "true", "Token": token, **given}
        now = self.now()

        def run(tx: Tx, app: Application) -> str:
            existing = store_mobile.endpoint_by_token(tx, app.arn, token)
            if existing is None:
                endpoint = Endpoint(0, arns.endpoint_arn(app.arn), app.arn, token, wanted)
                if store_mobile.insert_endpoint(tx, endpoint, now):
                    return endpoint.arn
                existing = store_mobile.endpoint_by_token(tx, app.arn, token)
                assert existing is not None
            if existing.attributes != wanted:
                raise invalid(
                    "Token", f"Endpoint {existing.arn} already exists with the same Token, but different attributes."
                )
            return existing.arn

        return await self._in_application(who, "CreatePlatformEndpoint", application_arn, run, write=True)

    async def list_endpoints_by_platform_application(
        self, who: Caller, application_arn: str, next_token: str | None
    ) -> Page[Endpoint]:
        after = read_page_token(next_token)
        rows = await self._in_application(
            who,
            "ListEndpointsByPlatformApplication",
            application_arn,
            lambda tx, app: store_mobile.list_endpoints(tx, app.arn, after, limits.PAGE_SIZE + 1),
        )
        return page(rows, lambda endpoint: page_token(endpoint.id))

    async def _in_endpoint(
        self, who: Caller, action: str, arn: str, fn: Callable[[Tx, Endpoint], T], *, write: bool = False
    ) -> T:
        await self.refuse_other_account(who, arn, action)

        def run(tx: Tx) -> T:
            if write:  # fn changes the endpoint from what it read: its writers take turns
                tx.lock("sns", arn)
            endpoint = store_mobile.get_endpoint(tx, arn)
            if endpoint is None:
                raise NotFound("Endpoint does not exist")
            return fn(tx, endpoint)

        return await (self.store.write(run) if write else self.store.read(run))

    async def get_endpoint_attributes(self, who: Caller, arn: str) -> dict[str, str]:
        return await self._in_endpoint(who, "GetEndpointAttributes", arn, lambda tx, endpoint: endpoint.attributes)

    async def set_endpoint_attributes(self, who: Caller, arn: str, attributes: dict[str, str] | None) -> None:
        changes = dict(_check_app_attributes(attributes))
        _check_endpoint_attributes(changes)

        def run(tx: Tx, endpoint: Endpoint) -> None:
            endpoint.attributes.update(changes)
            endpoint.token = endpoint.attributes.get("Token", endpoint.token)
            store_mobile.update_endpoint(tx, endpoint)

        await self._in_endpoint(who, "SetEndpointAttributes", arn, run, write=True)

    async def delete_endpoint(self, who: Caller, arn: str) -> None:
        """Deleting a missing endpoint succeeds."""
        await self.refuse_other_account(who, arn, "DeleteEndpoint")
        await self.store.write(lambda tx: store_mobile.delete_endpoint(tx, arn))
