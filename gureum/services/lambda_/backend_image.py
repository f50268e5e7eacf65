"""Lambda's backend, container-image part: CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration of
PackageType Image functions (image.py runs them), and what GetFunction says of their code. Methods of the one
LambdaBackend object (backend.py), ahead of the zip path's (backend_functions.py) in its bases.
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
    """Image functions' operations; a .zip function's go on to FunctionsApi."""

    async def create_image_function(
        self, account: str, region: str, function_name: str, settings: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function_name(function_name)
        account, region = own_account(account, ref), ref.region or region
        uri = image.check_create(ref.name, settings, account, region)
        resolved = await self._resolve(account, region, settings["Code"]["ImageUri"], uri)
        config = image.image_config(settings.get("ImageConfig"))
        members = {**settings, "Runtime": ""}
        now = self.clock.now()
        fn = versions.new_function(
            account, region, ref.name, members, resolved["digest"].removeprefix("sha256:"), 0, now
        )
        fn = replace(fn, handler="", image={**resolved, "config": config})
        tags = dict(settings.get("Tags") or {})
        if not await self.store.write(lambda tx: store.insert_function(tx, fn, tags)):
            raise conflict(f"Function already exist: {ref.name}")
        self._activate_later(fn)
        if settings.get("Publish"):
            published = await self.store.write(lambda tx: versions.publish(tx, fn, None, "", self.clock.now()))
            return published.configuration() | {"Version": published.version}
        return fn.configuration()

    async def _resolve(self, account: str, region: str, given: str, uri: image.ImageRef) -> dict[str, Any]:
        """The image ``given`` names, pulled into the engine from gureum's registry: {"uri", "resolved",
        "repository", "digest"}; InvalidParameterValueException when there is no engine or no such image."""
        pool = self.pool
        assert isinstance(pool, ImagePool)
        try:
            await engine_state(self.runtime).require()
        except NoEngine as exc:
            raise invalid(
                f"Source image {given} cannot be run: container images (PackageType Image) need a container engine: "
                f"{exc}"
            ) from None
        local = f"{pool.registry_host}/{uri.repository}" + (f"@{uri.digest}" if uri.digest else f":{uri.tag}")
        try:
            await pool.pull(account, region, local)
            found = await pool.engine().inspect_image(local)
        except EngineError as exc:
            raise invalid(f"Source image {given} does not exist. Provide a valid source image. ({exc})") from None
        prefix = f"{pool.registry_host}/{uri.repository}@"
        digests = [d.removeprefix(prefix) for d in (found or {}).get("RepoDigests") or [] if d.startswith(prefix)]
        digest = uri.digest or (digests[0] if digests else None)
        if digest is None:
            raise invalid(f"Source image {given} does not exist. Provide a valid source image.")
        resolved = f"{uri.host}/{uri.repository}@{digest}"
        return {"uri": given, "resolved": resolved, "repository": uri.repository, "digest": digest}

    async def update_function_code(
        self,
        account: str,
        region: str,
        function_name: str,
        *,
        zip_file: bytes | None,
        s3_bucket: str | None,
        s3_key: str | None,
        image_uri: str | None,
        revision_id: str | None,
        dry_run: bool,
        publish: bool,
        s3_object_version: str | None = None,
        access_key: str = "",
    ) -> dict[str, Any]:
        """UpdateFunctionCode: an Image function takes a new ImageUri (resolved and pulled as at create), a .zip one
        a new package (FunctionsApi)."""
        ref = parse_function_name(function_name)
        owner, where = own_account(account, ref), ref.region or region
        current = await self.load_function(owner, where, ref.name, None)
        if current.image is None:
            if image_uri:
                raise invalid("Please provide ZipFile or S3 code: the function's PackageType is Zip.")
            return await super().update_function_code(
                account, region, function_name, zip_file=zip_file, s3_bucket=s3_bucket, s3_key=s3_key,
                image_uri=None, revision_id=revision_id, dry_run=dry_run, publish=publish,
                s3_object_version=s3_object_version, access_key=access_key,
            )  # fmt: skip
        if not image_uri or zip_file or s3_bucket or s3_key:
            raise invalid("Please provide ImageUri (and no ZipFile or S3 code): the function's PackageType is Image.")
        resolved = await self._resolve(owner, where, image_uri, image.parse_image_uri(image_uri, owner, where))
        now = self.clock.now()
        fn = await self.store.write(
            lambda tx: image.update_code(tx, owner, where, ref.name, resolved, revision_id, dry_run, now)
        )
        if dry_run:
            return fn.configuration()
        self._activate_later(fn)
        await self.pool.retire_function(fn.arn)
        if publish:
            return (await self._publish(fn, None, "")).configuration()
        return fn.configuration()

    async def update_function_configuration(
        self, account: str, region: str, function_name: str, settings: dict[str, Any]
    ) -> dict[str, Any]:
        """UpdateFunctionConfiguration: an Image function's ImageConfig (replaced as a whole), then the rest
        (FunctionsApi); Runtime, Handler and Layers are refused for an Image function, ImageConfig for a Zip one."""
        ref = parse_function_name(function_name)
        owner, where = own_account(account, ref), ref.region or region
        current = await self.load_function(owner, where, ref.name, None)
        if current.image is not None and any(settings.get(member) for member in ("Runtime", "Handler", "Layers")):
            raise invalid(image.PARAMETERS_WITH_IMAGE)
        if settings.get("ImageConfig") is not None:
            if current.image is None:
                raise invalid("ImageConfig is supported for functions of PackageType Image only.")
            versions.check_configuration(settings)
            config, revision_id = image.image_config(settings["ImageConfig"]), settings.get("RevisionId")
            await self.store.write(lambda tx: image.set_config(tx, owner, where, ref.name, config, revision_id))
        return await super().update_function_configuration(account, region, function_name, settings)

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
