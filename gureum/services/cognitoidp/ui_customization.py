"""The hosted UI's customization (a part of CognitoBackend): SetUICustomization and GetUICustomization, for the pool
("ALL") or one app client, which overrides the pool's. The CSS and the logo are kept and answered as given (the logo
as a data: URL, where AWS answers a CloudFront one); gureum's own sign-in pages do not wear them."""

from __future__ import annotations

import base64
from typing import Any

from ...store.base import Tx
from . import store
from .core import Core
from .errors import InvalidParameterException

ALL = "ALL"
MAX_IMAGE = 100 * 1024  # "the maximum image size is 100 KB"
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _image_url(image: bytes) -> str:
    if len(image) > MAX_IMAGE:
        raise InvalidParameterException("The image file is larger than 100 KB.")
    kind = next((mime for magic, mime in _IMAGE_TYPES.items() if image.startswith(magic)), None)
    if kind is None:
        raise InvalidParameterException("The image file must be a PNG or a JPEG image.")
    return f"data:{kind};base64,{base64.b64encode(image).decode()}"


class UICustomizations(Core):
    async def set_ui_customization(
        self, account: str, pool_id: str, client_id: str | None, css: str | None, image: bytes | None
    ) -> dict[str, Any]:
        """SetUICustomization: what is given replaces the pool's (or the client's) customization; neither CSS nor an
        image removes it."""
        now = self.clock.now()
        url = _image_url(bytes(image)) if image else None
        client_id = None if client_id == ALL else client_id  # "ALL" names the pool's own (Terraform sends it)

        def run(tx: Tx) -> dict[str, Any]:
            tx.lock("cognito-pool", pool_id)  # the customizations live in the pool's document: writers take turns
            pool = self._pool(tx, pool_id, account)
            if store.domain_of_pool(tx, pool_id) is None:
                raise InvalidParameterException("There has to be an existing domain associated with this user pool")
            if client_id:
                self._client(tx, client_id, pool_id)
            key = client_id or ALL
            found = dict(pool.setdefault("_ui", {}).get(key) or {})
            doc: dict[str, Any] = {"UserPoolId": pool_id, "ClientId": key}
            if css is None and url is None:
                pool["_ui"].pop(key, None)
            else:
                doc.update(CreationDate=found.get("CreationDate", now), LastModifiedDate=now)
                if css is not None:
                    doc.update(CSS=css, CSSVersion=str(int(now * 1000)))
                if url is not None:
                    doc["ImageUrl"] = url
                pool["_ui"][key] = doc
            store.put_pool(tx, pool_id, pool)
            return doc

        return await self.write(run)

    async def get_ui_customization(self, account: str, pool_id: str, client_id: str | None) -> dict[str, Any]:
        """The client's customization, else the pool's; only the ids when there is none."""
        client_id = None if client_id == ALL else client_id

        def run(tx: Tx) -> dict[str, Any]:
            pool = self._pool(tx, pool_id, account)
            if client_id:
                self._client(tx, client_id, pool_id)
            ui = pool.get("_ui") or {}
            found = ui.get(client_id or ALL) or ui.get(ALL)
            return dict(found) if found else {"UserPoolId": pool_id, "ClientId": client_id or ALL}

        return await self.read(run)
