"""EcrBackend: every ECR behaviour over the store and the blob files, one method per operation with plain arguments,
called by the operations (ops_*.py), the registry (registry.py, the OCI Distribution API) and the lifecycle sweep;
kept by the start hook and reached with backend(ctx).

Images are manifests in the store (by repository and digest) with tags beside them; the blobs they name are files
on disk shared by every repository (blobs.py), and a repository may refer only to blobs pushed into it (or mounted
from a repository of the account). Every push and deletion sends an "ECR Image Action" event through the outbox.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...clock import Clock
from ...delivery import Delivery
from ...policy import Principal, Request, evaluate, not_authorized
from ...store.base import Store, Tx
from . import events, lifecycle, manifests, store, tokens
from .backend_registry import RegistryBackend
from .blobs import BlobStore, FileStream
from .errors import (
    AccessDeniedException,
    EmptyUploadException,
    ImageAlreadyExistsException,
    ImageDigestDoesNotMatchException,
    ImageTagAlreadyExistsException,
    InvalidLayerException,
    InvalidLayerPartException,
    InvalidParameterException,
    LayerAlreadyExistsException,
    LifecyclePolicyNotFoundException,
    LifecyclePolicyPreviewNotFoundException,
    ReferencedImagesNotFoundException,
    RepositoryNotEmptyException,
    RepositoryPolicyNotFoundException,
    image_not_found,
    invalid_parameter,
    layers_not_found,
    repository_exists,
    repository_not_found,
    upload_not_found,
)
from .repositories import Repository, check_encryption, check_mutability, check_policy, merge_tags, parse_arn
from .settings import PART_SIZE, Settings

T = TypeVar("T")


class TagInvalid(Exception):
    """A push of an immutable tag to another digest (the registry's TAG_INVALID)."""


def backend(ctx: RequestContext) -> EcrBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(EcrBackend)


def _page(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(token.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException(
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is invalid'"
        ) from None


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


class EcrBackend(RegistryBackend):
    def __init__(
        self, store_: Store, clock: Clock, delivery: Delivery, blobs: BlobStore, settings: Settings, secret: str
    ) -> None:
        self.store = store_
        self.clock = clock
        self.delivery = delivery
        self.blobs = blobs
        self.settings = settings
        self.secret = secret

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    def registry_host(self, host: str) -> str:
        """The host[:port] images of this registry are named with (the configured one, else the caller's)."""
        return self.settings.registry_host or host

    @staticmethod
    def _repository(tx: Tx, account: str, region: str, name: str) -> Repository:
        repo = store.repository(tx, account, region, name)
        if repo is None:
            raise repository_not_found(name, account)
        return repo

    # --- another account's repositories -----------------------------------------------------------------------

    async def policy_by_arn(self, arn: str) -> str | None:
        """A repository's policy by its ARN (IAM enforcement reads it as the resource policy)."""
        parsed = parse_arn(arn)
        if parsed is None:
            return None
        region, account, name = parsed
        repo = await self.store.read(lambda tx: store.repository(tx, account, region, name))
        return repo.policy if repo is not None else None

    async def _decision(self, registry: str, region: str, name: str | None, principal: Principal, action: str) -> Any:
        repo = await self.store.read(lambda tx: store.repository(tx, registry, region, name)) if name else None
        arn = f"arn:aws:ecr:{region}:{registry}:repository/{name or '*'}"
        return arn, evaluate(repo.policy if repo else None, Request(principal, f"ecr:{action}", arn))

    async def allowed(self, registry: str, region: str, name: str | None, principal: Principal, action: str) -> bool:
        """Whether the repository's policy lets another account's principal perform ``ecr:<action>`` on it."""
        _, decision = await self._decision(registry, region, name, principal, action)
        return bool(decision.allowed)

    async def check_access(
        self, registry: str, region: str, name: str | None, principal: Principal, action: str
    ) -> None:
        """AccessDeniedException unless the repository's policy allows the call (calls across accounts)."""
        arn, decision = await self._decision(registry, region, name, principal, action)
        if not decision.allowed:
            raise AccessDeniedException(not_authorized(principal.arn or "", f"ecr:{action}", arn, decision))

    # --- repositories -----------------------------------------------------------------------------------------

    async def create_repository(
        self,
        account: str,
        region: str,
        name: str,
        tags: list[dict[str, Any]] | None,
        mutability: str | None,
        exclusions: list[dict[str, str]] | None,
        scanning: dict[str, Any] | None,
        encryption: dict[str, Any] | None,
        host: str,
    ) -> dict[str, Any]:
        mode = mutability or "MUTABLE"
        found_exclusions = check_mutability(mode, exclusions)
        kind, key = check_encryption(encryption)
        if kind.startswith("KMS") and key is None:
            key = f"arn:aws:kms:{region}:{account}:alias/aws/ecr"
        repo = Repository(
            0,
            account,
            region,
            name,
            self.clock.now(),
            mode,
            found_exclusions,
            bool((scanning or {}).get("scanOnPush", False)),
            kind,
            key,
            merge_tags([], tags or []),
        )

        def create(tx: Tx) -> None:
            if store.repository(tx, account, region, name) is not None:
                raise repository_exists(name, account)
            repo.id = store.insert_repository(tx, repo)

        await self._write(create)
        return repo.doc(self.registry_host(host))

    async def describe_repositories(
        self, account: str, region: str, names: list[str] | None, token: str | None, limit: int | None, host: str
    ) -> dict[str, Any]:
        registry = self.registry_host(host)
        if names:
            if token or limit:
                raise InvalidParameterException(
                    "Invalid parameter: maxResults and nextToken cannot be used with repositoryNames"
                )

            def named(tx: Tx) -> list[Repository]:
                return [self._repository(tx, account, region, name) for name in names]

            return {"repositories": [repo.doc(registry) for repo in await self.store.read(named)]}
        offset, size = _page(token), limit or 100
        everything = await self.store.read(lambda tx: store.repositories(tx, account, region, "", 1_000_000))
        page = everything[offset : offset + size]
        out: dict[str, Any] = {"repositories": [repo.doc(registry) for repo in page]}
        if offset + size < len(everything):
            out["nextToken"] = _token(offset + size)
        return out

    async def delete_repository(self, account: str, region: str, name: str, force: bool, host: str) -> dict[str, Any]:
        def delete(tx: Tx) -> Repository:
            repo = self._repository(tx, account, region, name)
            if store.image_count(tx, repo.id) and not force:
                raise RepositoryNotEmptyException(
                    f"The repository with name '{name}' in registry with id '{account}' cannot be deleted because "
                    "it still contains images"
                )
            store.delete_repository(tx, repo.id)
            return repo

        repo = await self._write(delete)
        return repo.doc(self.registry_host(host))

    async def _by_arn(self, arn: str, change: Callable[[Tx, Repository], T]) -> T:
        parsed = parse_arn(arn)
        if parsed is None:
            raise InvalidParameterException(
                f"Invalid parameter at 'resourceArn' failed to satisfy constraint: "
                f"'{arn} is not a valid repository ARN'"
            )
        region, account, name = parsed
        return await self._write(lambda tx: change(tx, self._repository(tx, account, region, name)))

    async def tag_resource(self, arn: str, tags: list[dict[str, Any]]) -> None:
        def tag(tx: Tx, repo: Repository) -> None:
            store.update_repository(tx, repo.id, tags=merge_tags(repo.tags, tags))

        await self._by_arn(arn, tag)

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        def untag(tx: Tx, repo: Repository) -> None:
            store.update_repository(tx, repo.id, tags=[tag for tag in repo.tags if tag["Key"] not in keys])

        await self._by_arn(arn, untag)

    async def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        return await self._by_arn(arn, lambda tx, repo: repo.tags)

    async def _update(self, account: str, region: str, name: str, **values: Any) -> Repository:
        def update(tx: Tx) -> Repository:
            repo = self._repository(tx, account, region, name)
            store.update_repository(tx, repo.id, **values)
            return repo

        return await self._write(update)

    async def put_image_tag_mutability(
        self, account: str, region: str, name: str, mutability: str, exclusions: list[dict[str, str]] | None
    ) -> dict[str, Any]:
        found = check_mutability(mutability, exclusions)
        await self._update(account, region, name, mutability=mutability, mutability_exclusions=found)
        out: dict[str, Any] = {"registryId": account, "repositoryName": name, "imageTagMutability": mutability}
        if found:
            out["imageTagMutabilityExclusionFilters"] = found
        return out

    async def put_image_scanning_configuration(
        self, account: str, region: str, name: str, scanning: dict[str, Any]
    ) -> dict[str, Any]:
        scan = bool(scanning.get("scanOnPush", False))
        await self._update(account, region, name, scan_on_push=scan)
        return {"registryId": account, "repositoryName": name, "imageScanningConfiguration": {"scanOnPush": scan}}

    # --- policies ---------------------------------------------------------------------------------------------

    async def set_repository_policy(self, account: str, region: str, name: str, text: str) -> dict[str, Any]:
        check_policy(text)
        await self._update(account, region, name, policy=text)
        return {"registryId": account, "repositoryName": name, "policyText": text}

    async def get_repository_policy(self, account: str, region: str, name: str) -> dict[str, Any]:
        repo = await self.store.read(lambda tx: self._repository(tx, account, region, name))
        if repo.policy is None:
            raise _no_policy(name, account)
        return {"registryId": account, "repositoryName": name, "policyText": repo.policy}

    async def delete_repository_policy(self, account: str, region: str, name: str) -> dict[str, Any]:
        def delete(tx: Tx) -> str:
            repo = self._repository(tx, account, region, name)
            if repo.policy is None:
                raise _no_policy(name, account)
            store.update_repository(tx, repo.id, policy=None)
            return repo.policy

        text = await self._write(delete)
        return {"registryId": account, "repositoryName": name, "policyText": text}

    async def put_lifecycle_policy(self, account: str, region: str, name: str, text: str) -> dict[str, Any]:
        _lifecycle_rules(text)
        await self._update(account, region, name, lifecycle=text, lifecycle_evaluated_at=None)
        return {"registryId": account, "repositoryName": name, "lifecyclePolicyText": text}

    async def get_lifecycle_policy(self, account: str, region: str, name: str) -> dict[str, Any]:
        repo = await self.store.read(lambda tx: self._repository(tx, account, region, name))
        if repo.lifecycle is None:
            raise _no_lifecycle(name, account)
        out: dict[str, Any] = {"registryId": account, "repositoryName": name, "lifecyclePolicyText": repo.lifecycle}
        if repo.lifecycle_evaluated_at is not None:
            out["lastEvaluatedAt"] = repo.lifecycle_evaluated_at
        return out

    async def delete_lifecycle_policy(self, account: str, region: str, name: str) -> dict[str, Any]:
        def delete(tx: Tx) -> Repository:
            repo = self._repository(tx, account, region, name)
            if repo.lifecycle is None:
                raise _no_lifecycle(name, account)
            store.update_repository(tx, repo.id, lifecycle=None, lifecycle_evaluated_at=None)
            return repo

        repo = await self._write(delete)
        out: dict[str, Any] = {"registryId": account, "repositoryName": name, "lifecyclePolicyText": repo.lifecycle}
        if repo.lifecycle_evaluated_at is not None:
            out["lastEvaluatedAt"] = repo.lifecycle_evaluated_at
        return out

    async def start_lifecycle_policy_preview(
        self, account: str, region: str, name: str, text: str | None
    ) -> dict[str, Any]:
        def start(tx: Tx) -> str:
            repo = self._repository(tx, account, region, name)
            chosen = text or repo.lifecycle
            if chosen is None:
                raise _no_lifecycle(name, account)
            _lifecycle_rules(chosen)
            store.update_repository(tx, repo.id, preview=chosen)
            return chosen

        chosen = await self._write(start)
        return {"registryId": account, "repositoryName": name, "lifecyclePolicyText": chosen, "status": "IN_PROGRESS"}

    async def get_lifecycle_policy_preview(self, account: str, region: str, name: str) -> dict[str, Any]:
        """The images the previewed policy would expire now (the preview completes at once)."""

        def read(tx: Tx) -> tuple[Repository, list[lifecycle.Candidate]]:
            repo = self._repository(tx, account, region, name)
            return repo, _candidates(tx, repo.id)

        repo, images = await self.store.read(read)
        if repo.preview is None:
            raise LifecyclePolicyPreviewNotFoundException(
                f"There is no lifecycle policy preview for the repository with name '{name}' in the registry with "
                f"id '{account}'"
            )
        chosen = lifecycle.expired(_lifecycle_rules(repo.preview), images, self.clock.now(), self.settings.day_seconds)
        results = [
            {
                "imageTags": image.tags,
                "imageDigest": image.digest,
                "imagePushedAt": image.pushed_at,
                "action": {"type": "EXPIRE"},
                "appliedRulePriority": rule.priority,
            }
            for image, rule in chosen
        ]
        return {
            "registryId": account,
            "repositoryName": name,
            "lifecyclePolicyText": repo.preview,
            "status": "COMPLETE",
            "previewResults": results,
            "summary": {"expiringImageTotalCount": len(results)},
        }

    async def apply_lifecycle(self) -> int:
        """One sweep: every lifecycle policy applied (its images expired); returns how many images went."""
        expired = 0
        for repo in await self.store.read(store.with_lifecycle):
            expired += await self._write(lambda tx, repo=repo: self._expire(tx, repo))  # type: ignore[misc]
        return expired

    def _expire(self, tx: Tx, repo: Repository) -> int:
        current = store.repository(tx, repo.account, repo.region, repo.name)
        if current is None or current.lifecycle is None:
            return 0
        now = self.clock.now()
        try:
            rules = lifecycle.parse(current.lifecycle)
        except lifecycle.InvalidPolicy:
            return 0
        chosen = lifecycle.expired(rules, _candidates(tx, current.id), now, self.settings.day_seconds)
        count = 0
        for image, _rule in chosen:
            if store.referrers(tx, current.id, image.digest):
                continue  # an index still lists it
            store.delete_image(tx, current.id, image.digest)
            self._event(tx, current, image.digest, image.tags[0] if image.tags else None, "DELETE", now)
            count += 1
        store.update_repository(tx, current.id, lifecycle_evaluated_at=now)
        return count

    # --- authorization ----------------------------------------------------------------------------------------

    def authorization_token(self, account: str, region: str, host: str) -> dict[str, Any]:
        expires = self.clock.now() + tokens.TOKEN_SECONDS
        return {
            "authorizationToken": tokens.authorization(self.secret, account, region, expires),
            "expiresAt": expires,
            "proxyEndpoint": f"http://{self.registry_host(host)}",
        }

    def pull_auth(self, account: str, region: str, image: str) -> dict[str, str] | None:
        """Registry credentials for the container engine when ``image`` names this registry (its configured host,
        a loopback host, or an <account>.dkr.ecr.<region>.localhost host): the ImageRegistry port."""
        host = image.split("/", 1)[0] if "/" in image else ""
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        ours = (
            host == self.settings.registry_host
            or name in ("localhost", "127.0.0.1")
            or name.startswith("127.")
            or ".dkr.ecr." in name
            and name.endswith(".localhost")
        )
        if not ours:
            return None
        expires = self.clock.now() + tokens.TOKEN_SECONDS
        return {
            "username": "AWS",
            "password": tokens.issue(self.secret, account, region, expires),
            "serveraddress": host,
        }

    def grant(self, header: str) -> tokens.Grant | None:
        """Who a registry request's Authorization header authenticates (None: nobody)."""
        return tokens.basic(self.secret, header, self.clock.now())

    def layer_url_valid(self, account: str, region: str, name: str, digest: str, expires: str, signature: str) -> bool:
        if not expires.isdigit() or int(expires) < self.clock.now():
            return False
        expected = tokens.layer_signature(self.secret, account, region, name, digest, int(expires))
        return secrets.compare_digest(expected, signature)

    # --- images -----------------------------------------------------------------------------------------------

    def _event(self, tx: Tx, repo: Repository, digest: str, tag: str | None, action: str, now: float) -> None:
        event = events.image_action(repo.account, repo.region, repo.name, digest, tag, action, now)
        self.delivery.enqueue(
            tx, "events", events.default_bus(repo.account, repo.region), {"event": event, "hops": 1}, source=repo.arn
        )

    def _resolve(self, tx: Tx, repo: Repository, image_id: dict[str, Any]) -> tuple[str | None, str | None]:
        """(digest, failure code) of an imageId: its digest, or its tag's."""
        digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
        if not digest and not tag:
            return None, "MissingDigestAndTag"
        if digest and not manifests.valid_digest(digest):
            return None, "InvalidImageDigest"
        if tag:
            found = store.tag_digest(tx, repo.id, tag)
            if found is None:
                return None, "ImageNotFound"
            if digest and digest != found:
                return None, "ImageTagDoesNotMatchDigest"
            return found, None
        if digest and store.image(tx, repo.id, digest) is not None:
            return digest, None
        return None, "ImageNotFound"

    async def describe_images(
        self,
        account: str,
        region: str,
        name: str,
        image_ids: list[dict[str, Any]] | None,
        tag_status: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            repo = self._repository(tx, account, region, name)
            tags = store.tags(tx, repo.id)
            rows = store.images(tx, repo.id)
            if image_ids:
                wanted: list[str] = []
                for image_id in image_ids:
                    digest, failure = self._resolve(tx, repo, image_id)
                    if digest is None:
                        if failure in ("ImageNotFound", "ImageTagDoesNotMatchDigest"):
                            raise image_not_found(image_id.get("imageDigest"), image_id.get("imageTag"), name, account)
                        raise InvalidParameterException(f"Invalid parameter: imageId {image_id} ({failure})")
                    wanted.append(digest)
                by_digest = {row[0]: row for row in rows}
                rows = [by_digest[digest] for digest in dict.fromkeys(wanted)]
            return [_detail(repo, row, tags.get(row[0], [])) for row in rows if _status_matches(tag_status, tags, row)]

        details = await self.store.read(read)
        offset, size = _page(token), limit or 100
        out: dict[str, Any] = {"imageDetails": details[offset : offset + size]}
        if offset + size < len(details):
            out["nextToken"] = _token(offset + size)
        return out

    async def list_images(
        self, account: str, region: str, name: str, tag_status: str | None, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, str]]:
            repo = self._repository(tx, account, region, name)
            tags = store.tags(tx, repo.id)
            ids: list[dict[str, str]] = []
            for row in store.images(tx, repo.id):
                digest = row[0]
                if tag_status == "TAGGED" and not tags.get(digest):
                    continue
                if tag_status == "UNTAGGED" and tags.get(digest):
                    continue
                ids += [{"imageDigest": digest, "imageTag": tag} for tag in tags.get(digest, [])] or [
                    {"imageDigest": digest}
                ]
            return ids

        ids = await self.store.read(read)
        offset, size = _page(token), limit or 100
        out: dict[str, Any] = {"imageIds": ids[offset : offset + size]}
        if offset + size < len(ids):
            out["nextToken"] = _token(offset + size)
        return out

    async def batch_get_image(
        self, account: str, region: str, name: str, image_ids: list[dict[str, Any]], accepted: list[str] | None
    ) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            repo = self._repository(tx, account, region, name)
            images, failures = [], []
            for image_id in image_ids:
                digest, failure = self._resolve(tx, repo, image_id)
                found = store.manifest(tx, repo.id, digest) if digest else None
                if digest is None or found is None:
                    failures.append(_failure(image_id, failure or "ImageNotFound"))
                    continue
                text, media_type = found
                if accepted and media_type not in accepted:
                    failures.append(
                        {
                            "imageId": image_id,
                            "failureCode": "UnsupportedImageType",
                            "failureReason": f"Image of media type {media_type} is not in acceptedMediaTypes",
                        }
                    )
                    continue
                images.append(
                    {
                        "registryId": account,
                        "repositoryName": name,
                        "imageId": {
                            "imageDigest": digest,
                            **({"imageTag": image_id["imageTag"]} if image_id.get("imageTag") else {}),
                        },
                        "imageManifest": text,
                        "imageManifestMediaType": media_type,
                    }
                )
            return {"images": images, "failures": failures}

        return await self.store.read(read)

    async def batch_delete_image(
        self, account: str, region: str, name: str, image_ids: list[dict[str, Any]]
    ) -> dict[str, Any]:
        def delete(tx: Tx) -> dict[str, Any]:
            repo = self._repository(tx, account, region, name)
            deleted, failures = [], []
            now = self.clock.now()
            for image_id in image_ids:
                digest, failure = self._resolve(tx, repo, image_id)
                if digest is None:
                    failures.append(_failure(image_id, failure or "ImageNotFound"))
                    continue
                tag = image_id.get("imageTag")
                tags = store.tags(tx, repo.id).get(digest, [])
                if tag and len(tags) > 1:  # the tag goes; the image stays with its other tags
                    store.delete_tag(tx, repo.id, tag)
                    deleted.append({"imageDigest": digest, "imageTag": tag})
                    continue
                if store.referrers(tx, repo.id, digest):
                    failures.append(
                        {
                            "imageId": image_id,
                            "failureCode": "ImageReferencedByManifestList",
                            "failureReason": "Requested image is referenced by a manifest list",
                        }
                    )
                    continue
                store.delete_image(tx, repo.id, digest)
                self._event(tx, repo, digest, tag or (tags[0] if tags else None), "DELETE", now)
                deleted += [{"imageDigest": digest, "imageTag": t} for t in tags] or [{"imageDigest": digest}]
            return {"imageIds": deleted, "failures": failures}

        return await self._write(delete)

    async def put_image(
        self,
        account: str,
        region: str,
        name: str,
        text: str,
        media_type: str | None,
        tag: str | None,
        digest: str | None,
    ) -> dict[str, Any]:
        data = text.encode()
        try:
            manifest = manifests.parse(data, media_type)
        except manifests.InvalidManifest as exc:
            raise invalid_parameter("imageManifest", f"Invalid manifest: {exc}") from None
        if digest is not None and digest != manifest.digest:
            raise ImageDigestDoesNotMatchException(
                f"The digest of the image manifest {manifest.digest} does not match the provided digest {digest}"
            )
        try:
            await self._put(account, region, name, manifest, text, tag, strict=True)
        except TagInvalid as exc:
            raise ImageTagAlreadyExistsException(str(exc)) from None
        image_id = {"imageDigest": manifest.digest, **({"imageTag": tag} if tag else {})}
        return {
            "registryId": account,
            "repositoryName": name,
            "imageId": image_id,
            "imageManifest": text,
            "imageManifestMediaType": manifest.media_type,
        }

    async def _put(
        self,
        account: str,
        region: str,
        name: str,
        manifest: manifests.Manifest,
        text: str,
        tag: str | None,
        *,
        strict: bool,
    ) -> None:
        """Store an image (and tag it): PutImage (``strict``: an image already there with that tag is an error)
        and the registry's manifest PUT (idempotent)."""

        def put(tx: Tx) -> None:
            repo = self._repository(tx, account, region, name)
            held = store.repo_blob_sizes(tx, repo.id, list(manifest.blobs))
            missing = [blob for blob in manifest.blobs if blob not in held]
            if missing:
                raise layers_not_found(missing, name, account)
            absent = [child for child in manifest.children if store.image(tx, repo.id, child) is None]
            if absent:
                raise ReferencedImagesNotFoundException(
                    f"Manifests with digests '[{', '.join(absent)}]' referenced by the manifest list do not exist in "
                    f"the repository with name '{name}' in registry with id '{account}'"
                )
            now = self.clock.now()
            current = store.tag_digest(tx, repo.id, tag) if tag else None
            if tag and current is not None and current != manifest.digest and repo.immutable(tag):
                raise TagInvalid(
                    f"The image tag '{tag}' already exists in the '{name}' repository and cannot be overwritten "
                    "because the tag is immutable."
                )
            references = [(blob, "blob") for blob in manifest.blobs] + [(c, "manifest") for c in manifest.children]
            size = manifest.size
            if not manifest.is_index:  # ECR's imageSizeInBytes: the layers' (compressed) sizes
                size = sum(held.get(layer[0], layer[1]) for layer in manifest.layers)
            created = store.put_image(
                tx, repo.id, manifest.digest, text, manifest.media_type, manifest.artifact_type, size, now, references
            )
            if not created and (current == manifest.digest or not tag) and strict:
                raise ImageAlreadyExistsException(
                    f"Image with digest '{manifest.digest}' and tag '{tag or 'null'}' already exists in the "
                    f"repository with name '{name}' in registry with id '{account}'"
                )
            if tag and current != manifest.digest:
                store.set_tag(tx, repo.id, tag, manifest.digest)
            if created or (tag and current != manifest.digest):
                self._event(tx, repo, manifest.digest, tag, "PUSH", now)

        await self._write(put)

    # --- layers (the API's upload path) -----------------------------------------------------------------------

    async def batch_check_layer_availability(
        self, account: str, region: str, name: str, digests: list[str]
    ) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            repo = self._repository(tx, account, region, name)
            valid = [digest for digest in digests if manifests.valid_digest(digest)]
            held = store.repo_blob_sizes(tx, repo.id, valid)
            layers, failures = [], []
            for digest in digests:
                if not manifests.valid_digest(digest):
                    failures.append(
                        {"layerDigest": digest, "failureCode": "InvalidLayerDigest", "failureReason": "Invalid digest"}
                    )
                elif digest in held:
                    layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": held[digest]})
                else:
                    layers.append({"layerDigest": digest, "layerAvailability": "UNAVAILABLE"})
            return {"layers": layers, "failures": failures}

        return await self.store.read(read)

    async def initiate_layer_upload(self, account: str, region: str, name: str) -> dict[str, Any]:
        upload_id = await self.start_upload(account, region, name)
        return {"uploadId": upload_id, "partSize": PART_SIZE}

    async def upload_layer_part(
        self, account: str, region: str, name: str, upload_id: str, first: int, last: int, data: bytes
    ) -> dict[str, Any]:
        received = await self._upload(account, region, name, upload_id)
        if first != received or last != first + len(data) - 1:
            raise InvalidLayerPartException(
                f"The layer part with first byte {first} and last byte {last} is not contiguous with the last byte "
                f"received ({received - 1}) or does not match the part's length ({len(data)})"
            )
        total = await self.append_upload(account, region, name, upload_id, _once(data))
        return {"registryId": account, "repositoryName": name, "uploadId": upload_id, "lastByteReceived": total - 1}

    async def complete_layer_upload(
        self, account: str, region: str, name: str, upload_id: str, digests: list[str]
    ) -> dict[str, Any]:
        received = await self._upload(account, region, name, upload_id)
        if received == 0:
            raise EmptyUploadException(f"The layer upload with upload ID '{upload_id}' contains no layer parts.")
        wanted = digests[0] if digests else ""
        if not manifests.valid_digest(wanted):
            raise InvalidLayerException(f"Invalid layer digest '{wanted}'")
        held = await self.store.read(
            lambda tx: store.repo_blob_sizes(tx, self._repository(tx, account, region, name).id, [wanted])
        )
        if held:
            await self.abandon_upload(upload_id)
            raise LayerAlreadyExistsException(
                f"The layer with digest '{wanted}' already exists in the repository with name '{name}' in registry "
                f"with id '{account}'"
            )
        try:
            await self.finish_upload(account, region, name, upload_id, wanted)
        except ValueError as exc:
            raise InvalidLayerException(str(exc)) from None
        return {"registryId": account, "repositoryName": name, "uploadId": upload_id, "layerDigest": wanted}

    async def download_url(self, account: str, region: str, name: str, digest: str, host: str) -> dict[str, Any]:
        held = await self.store.read(
            lambda tx: store.repo_blob_sizes(tx, self._repository(tx, account, region, name).id, [digest])
        )
        if not held:
            raise layers_not_found([digest], name, account)
        expires = int(self.clock.now()) + tokens.URL_SECONDS
        signature = tokens.layer_signature(self.secret, account, region, name, digest, expires)
        url = (
            f"http://{self.registry_host(host)}/v2/{name}/blobs/{digest}?X-Gureum-Account={account}"
            f"&X-Gureum-Region={region}&X-Gureum-Expires={expires}&X-Gureum-Signature={signature}"
        )
        return {"downloadUrl": url, "layerDigest": digest}

    # --- the registry's blob and manifest primitives ----------------------------------------------------------

    async def repository(self, account: str, region: str, name: str) -> Repository | None:
        return await self.store.read(lambda tx: store.repository(tx, account, region, name))

    async def blob_size(self, account: str, region: str, name: str, digest: str) -> int | None:
        """The blob's size when the repository holds it (None: it does not, or no such repository)."""

        def read(tx: Tx) -> int | None:
            repo = store.repository(tx, account, region, name)
            return store.repo_blob_sizes(tx, repo.id, [digest]).get(digest) if repo else None

        size = await self.store.read(read)
        return size if size is not None and self.blobs.exists(digest) else None

    def blob_stream(self, digest: str, start: int = 0, end: int | None = None) -> FileStream:
        return self.blobs.stream(digest, start, end)

    async def mount(self, account: str, region: str, name: str, digest: str, source: str) -> bool:
        """Cross-repository mount within the account: the target repository takes a blob the source holds."""

        def mount(tx: Tx) -> bool:
            repo = self._repository(tx, account, region, name)
            origin = store.repository(tx, account, region, source)
            size = store.repo_blob_sizes(tx, origin.id, [digest]).get(digest) if origin else None
            if size is None:
                return False
            store.add_blob(tx, repo.id, digest, size, self.clock.now())
            return True

        return await self._write(mount) and self.blobs.exists(digest)

    async def start_upload(self, account: str, region: str, name: str) -> str:
        upload_id = secrets.token_hex(16)

        def start(tx: Tx) -> None:
            repo = self._repository(tx, account, region, name)
            store.insert_upload(tx, upload_id, repo.id, self.clock.now())

        await self._write(start)
        await self.blobs.start(upload_id)
        return upload_id

    async def _upload(self, account: str, region: str, name: str, upload_id: str) -> int:
        """Bytes received so far by an upload of the repository."""

        def read(tx: Tx) -> int:
            repo = self._repository(tx, account, region, name)
            found = store.upload(tx, upload_id)
            if found is None or found[0] != repo.id:
                raise upload_not_found(upload_id, name, account)
            return found[1]

        received = await self.store.read(read)
        on_disk = self.blobs.received(upload_id)
        if on_disk is None:
            raise upload_not_found(upload_id, name, account)
        return on_disk if on_disk != received else received

    async def upload_offset(self, account: str, region: str, name: str, upload_id: str) -> int:
        return await self._upload(account, region, name, upload_id)

    async def append_upload(
        self, account: str, region: str, name: str, upload_id: str, chunks: AsyncIterator[bytes]
    ) -> int:
        """Append a body to an upload as it arrives; returns the upload's size after it."""
        await self._upload(account, region, name, upload_id)
        await self.blobs.append(upload_id, chunks)
        total = self.blobs.received(upload_id) or 0
        await self._write(lambda tx: store.set_received(tx, upload_id, total))
        return total

    async def finish_upload(self, account: str, region: str, name: str, upload_id: str, digest: str) -> int:
        """Complete an upload as blob ``digest`` of the repository (ValueError when its bytes hash otherwise)."""
        await self._upload(account, region, name, upload_id)
        actual, size = await self.blobs.digest(upload_id)
        if actual != digest:
            await self.abandon_upload(upload_id)
            raise ValueError(f"The calculated digest {actual} does not match the provided digest {digest}")
        # a blob file already there is kept: marked used first, so the sweep cannot take it from under this upload
        await self._write(lambda tx: store.touch_blob(tx, digest, self.clock.now()))
        await self.blobs.place(upload_id, digest)
        await self._write(lambda tx: store.delete_upload(tx, upload_id))

        def add(tx: Tx) -> None:
            store.add_blob(tx, self._repository(tx, account, region, name).id, digest, size, self.clock.now())

        await self._write(add)
        return size

    async def abandon_upload(self, upload_id: str) -> None:
        await self._write(lambda tx: store.delete_upload(tx, upload_id))
        await self.blobs.discard(upload_id)

    async def get_manifest(self, account: str, region: str, name: str, reference: str) -> tuple[str, str, str] | None:
        """(manifest text, media type, digest) by tag or digest; None when the repository has no such image."""

        def read(tx: Tx) -> tuple[str, str, str] | None:
            repo = self._repository(tx, account, region, name)
            digest = reference if reference.startswith("sha256:") else store.tag_digest(tx, repo.id, reference)
            found = store.manifest(tx, repo.id, digest) if digest else None
            return (found[0], found[1], digest) if found and digest else None

        return await self.store.read(read)

    async def pulled(self, account: str, region: str, name: str, digest: str) -> None:
        def mark(tx: Tx) -> None:
            repo = store.repository(tx, account, region, name)
            if repo is not None:
                store.pulled(tx, repo.id, digest, self.clock.now())

        await self._write(mark)

    async def push_manifest(
        self, account: str, region: str, name: str, reference: str, data: bytes, content_type: str
    ) -> str:
        """The registry's manifest PUT: its digest (manifests.InvalidManifest, TagInvalid or a ServiceError)."""
        manifest = manifests.parse(data, content_type)
        if reference.startswith("sha256:"):
            if reference != manifest.digest:
                raise manifests.InvalidManifest(f"digest {reference} does not match the manifest's {manifest.digest}")
            tag = None
        else:
            tag = reference
        await self._put(account, region, name, manifest, data.decode("utf-8"), tag, strict=False)
        return manifest.digest

    async def delete_manifest(self, account: str, region: str, name: str, digest: str) -> bool:
        result = await self.batch_delete_image(account, region, name, [{"imageDigest": digest}])
        return bool(result["imageIds"])

    async def tag_list(self, account: str, region: str, name: str, after: str, limit: int) -> list[str]:
        def read(tx: Tx) -> list[str]:
            return store.tag_names(tx, self._repository(tx, account, region, name).id, after, limit)

        return await self.store.read(read)

    async def catalog(self, account: str, region: str, after: str, limit: int) -> list[str]:
        repos = await self.store.read(lambda tx: store.repositories(tx, account, region, after, limit))
        return [repo.name for repo in repos]

    # --- maintenance ------------------------------------------------------------------------------------------

    async def collect(self) -> None:
        """Drop stale uploads and the files of blobs no repository holds any longer."""
        before = self.clock.now() - self.settings.orphan_seconds
        stale = await self.store.read(lambda tx: store.stale_uploads(tx, before))
        for upload_id in stale:
            await self.abandon_upload(upload_id)
        for digest in await self.store.read(lambda tx: store.orphan_blobs(tx, before, 100)):
            if await self._write(lambda tx, digest=digest: store.delete_blob(tx, digest, before)):  # type: ignore[misc]
                await self.blobs.remove(digest)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _candidates(tx: Tx, repo_id: int) -> list[lifecycle.Candidate]:
    tags = store.tags(tx, repo_id)
    return [lifecycle.Candidate(row[0], tags.get(row[0], []), float(row[4])) for row in store.images(tx, repo_id)]


def _lifecycle_rules(text: str) -> list[lifecycle.Rule]:
    try:
        return lifecycle.parse(text)
    except lifecycle.InvalidPolicy as exc:
        raise invalid_parameter("LifecyclePolicyText", f"Lifecycle policy validation failure: {exc}") from None


def _no_policy(name: str, account: str) -> ServiceError:
    return RepositoryPolicyNotFoundException(
        f"Repository policy does not exist for the repository with name '{name}' in the registry with id '{account}'"
    )


def _no_lifecycle(name: str, account: str) -> ServiceError:
    return LifecyclePolicyNotFoundException(
        f"Lifecycle policy does not exist for the repository with name '{name}' in the registry with id '{account}'"
    )


def _failure(image_id: dict[str, Any], code: str) -> dict[str, Any]:
    reasons = {
        "MissingDigestAndTag": "Invalid request parameters: both tag and digest cannot be null",
        "InvalidImageDigest": "Invalid request parameters: image digest should satisfy the regex "
        "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        "ImageTagDoesNotMatchDigest": "Invalid request parameters: image tag does not match digest",
        "ImageNotFound": "Requested image not found",
    }
    return {"imageId": image_id, "failureCode": code, "failureReason": reasons.get(code, code)}


def _status_matches(tag_status: str | None, tags: dict[str, list[str]], row: tuple[Any, ...]) -> bool:
    if tag_status == "TAGGED":
        return bool(tags.get(row[0]))
    if tag_status == "UNTAGGED":
        return not tags.get(row[0])
    return True


def _detail(repo: Repository, row: tuple[Any, ...], tags: list[str]) -> dict[str, Any]:
    digest, media_type, artifact_type, size, pushed_at, pulled_at = row
    out: dict[str, Any] = {
        "registryId": repo.account,
        "repositoryName": repo.name,
        "imageDigest": digest,
        "imageSizeInBytes": int(size),
        "imagePushedAt": float(pushed_at),
        "imageManifestMediaType": media_type,
    }
    if tags:
        out["imageTags"] = tags
    if artifact_type:
        out["artifactMediaType"] = artifact_type
    if pulled_at is not None:
        out["lastRecordedPullTime"] = float(pulled_at)
    return out
