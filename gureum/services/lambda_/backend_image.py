"""Lambda's backend, container-image part: CreateFunction of PackageType Image (image.py runs them), and what
GetFunction says of such a function's code. Methods of the one LambdaBackend object (backend.py), ahead of the
zip path's (backend_functions.py) in its bases.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...containers import EngineError, NoEngine, engine_state
from . import image, store, versions
from .access import own_account
from .backend_functions import FunctionsApi
from .errors import conflict, invalid
from .functions import parse_function_name
from .image import ImagePool


class ImageApi(FunctionsApi):
    """CreateFunction of PackageType Image (a method of the one LambdaBackend)."""

    async def create_image_function(
        self, account: str, region: str, function_name: str, settings: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        uri = image.check_create(ref.name, settings, account, region)
        pool = self.pool
        assert isinstance(pool, ImagePool)
        try:
            await engine_state(self.runtime).require()
        except NoEngine as exc:
            raise invalid(
                f"Source image {settings['Code']['ImageUri']} cannot be run: container images (PackageType Image) "
                f"need a container engine: {exc}"
            ) from None
        given = f"{pool.registry_host}/{uri.repository}" + (f"@{uri.digest}" if uri.digest else f":{uri.tag}")
        try:
            await pool.pull(account, region, given)
            found = await pool.engine().inspect_image(given)
        except EngineError as exc:
            raise invalid(
                f"Source image {settings['Code']['ImageUri']} does not exist. Provide a valid source image. ({exc})"
            ) from None
        prefix = f"{pool.registry_host}/{uri.repository}@"
        digests = [d.removeprefix(prefix) for d in (found or {}).get("RepoDigests") or [] if d.startswith(prefix)]
        digest = uri.digest or (digests[0] if digests else None)
        if digest is None:
            raise invalid(f"Source image {settings['Code']['ImageUri']} does not exist. Provide a valid source image.")
        members = {**settings, "Runtime": ""}
        now = self.clock.now()
        fn = versions.new_function(account, region, ref.name, members, digest.removeprefix("sha256:"), 0, now)
        config = {
            key: value
            for key, value in (settings.get("ImageConfig") or {}).items()
            if key in ("EntryPoint", "Command", "WorkingDirectory") and value
        }
        fn = replace(
            fn,
            handler="",
            image={
                "uri": settings["Code"]["ImageUri"],
                "resolved": f"{uri.host}/{uri.repository}@{digest}",
                "repository": uri.repository,
                "digest": digest,
                "config": config,
            },
        )
        tags = dict(settings.get("Tags") or {})
        if not await self.store.write(lambda tx: store.insert_function(tx, fn, tags)):
            raise conflict(f"Function already exist: {ref.name}")
        self._activate_later(fn)
        if settings.get("Publish"):
            published = await self.store.write(lambda tx: versions.publish(tx, fn, None, "", self.clock.now()))
            return published.configuration() | {"Version": published.version}
        return fn.configuration()

    async def create_function(
        self, account: str, region: str, function_name: str, settings: dict[str, Any], access_key: str = ""
    ) -> dict[str, Any]:
        """CreateFunction: an Image function here, a .zip one by FunctionsApi."""
        if settings.get("PackageType") == "Image":
            return await self.create_image_function(account, region, function_name, settings)
        return await super().create_function(account, region, function_name, settings, access_key)

    async def get_function(
        self, account: str, region: str, function_name: str, qualifier: str | None, base_url: str, access_key: str = ""
    ) -> dict[str, Any]:
        """GetFunction: an Image function's Code is its image (RepositoryType ECR, ImageUri, ResolvedImageUri)."""
        out = await super().get_function(account, region, function_name, qualifier, base_url, access_key)
        if out["Configuration"].get("PackageType") == "Image":
            arn = out["Configuration"]["FunctionArn"]
            found = await self._function(account, region, arn, None if arn.count(":") > 6 else qualifier)
            out["Code"] = image.code_location(found)
        return out
