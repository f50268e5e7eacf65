"""A user pool's third-party identity providers (a part of CognitoBackend): CreateIdentityProvider,
DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders and
GetIdentityProviderByIdentifier, with the details each provider type requires and the defaults AWS fills in.
Signing in through them (the hosted UI's redirect to the provider) is not served: the providers are kept, listed
and described."""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from ...store.base import Tx
from . import store
from .core import Core
from .errors import DuplicateProviderException, InvalidParameterException, ResourceNotFoundException

PROVIDERS_PER_POOL = 300
# the details each type requires (SAML: one of MetadataFile and MetadataURL)
_REQUIRED = {
    "Google": ("client_id", "client_secret", "authorize_scopes"),
    "Facebook": ("client_id", "client_secret", "authorize_scopes"),
    "LoginWithAmazon": ("client_id", "client_secret", "authorize_scopes"),
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "OIDC": ("client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes"),
    "SAML": (),
}
# the endpoints AWS fills in for a social provider
_DEFAULT_DETAILS = {
    "Google": {
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
    },
}
# the provider attribute a pool's username maps to unless the mapping says otherwise
_USERNAME_ATTRIBUTE = {"Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id", "SignInWithApple": "sub",
                       "OIDC": "sub"}  # fmt: skip


def _details(kind: str, given: dict[str, str]) -> dict[str, str]:
    missing = [key for key in _REQUIRED[kind] if not given.get(key)]
    if kind == "SAML" and not (given.get("MetadataFile") or given.get("MetadataURL")):
        missing = ["MetadataFile or MetadataURL"]
    if missing:
        raise InvalidParameterException(f"{', '.join(missing)} must be specified in ProviderDetails for {kind}.")
    return {**_DEFAULT_DETAILS.get(kind, {}), **given}


def _mapping(kind: str, given: dict[str, str] | None) -> dict[str, str]:
    mapping = dict(given or {})
    if kind in _USERNAME_ATTRIBUTE:
        mapping.setdefault("username", _USERNAME_ATTRIBUTE[kind])
    return mapping


def _not_found(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Identity provider {name} does not exist.")


def _check_identifiers(tx: Tx, pool_id: str, name: str, identifiers: list[str]) -> None:
    """An IdP identifier names one provider of the pool."""
    for other in store.list_identity_providers(tx, pool_id):
        if other["ProviderName"] != name and set(other.get("IdpIdentifiers") or []) & set(identifiers):
            raise InvalidParameterException("Duplicate IdpIdentifier for another provider in this user pool.")


class IdentityProviders(Core):
    async def create_identity_provider(
        self,
        account: str,
        pool_id: str,
        name: str,
        kind: str,
        details: dict[str, str],
        mapping: dict[str, str] | None,
        identifiers: list[str] | None,
    ) -> dict[str, Any]:
        if kind not in _REQUIRED:
            raise InvalidParameterException(f"Provider type {kind} is not supported.")
        if name.lower() == "cognito":
            raise InvalidParameterException("Provider name COGNITO is reserved.")
        now = self.clock.now()
        idp_identifiers = list(identifiers or [])
        doc: dict[str, Any] = {
            "UserPoolId": pool_id,
            "ProviderName": name,
            "ProviderType": kind,
            "ProviderDetails": _details(kind, details),
            "AttributeMapping": _mapping(kind, mapping),
            "IdpIdentifiers": idp_identifiers,
            "LastModifiedDate": now,
            "CreationDate": now,
        }

        def run(tx: Tx) -> dict[str, Any]:
            tx.lock("cognito-identity-providers", pool_id)  # the limit and identifiers span the pool's providers
            self._pool(tx, pool_id, account)
            _check_identifiers(tx, pool_id, name, idp_identifiers)
            if len(store.list_identity_providers(tx, pool_id)) >= PROVIDERS_PER_POOL:
                raise InvalidParameterException(f"A user pool can have at most {PROVIDERS_PER_POOL} providers.")
            if not store.insert_identity_provider(tx, pool_id, name, doc):
                raise DuplicateProviderException(f"A provider with the name {name} already exists in this user pool.")
            return doc

        return await self.write(run)

    async def describe_identity_provider(self, account: str, pool_id: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            self._pool(tx, pool_id, account)
            found = store.get_identity_provider(tx, pool_id, name)
            if found is None:
                raise _not_found(name)
            return found

        return await self.read(run)

    async def identity_provider_by_identifier(self, account: str, pool_id: str, identifier: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            self._pool(tx, pool_id, account)
            for doc in store.list_identity_providers(tx, pool_id):
                if identifier in (doc.get("IdpIdentifiers") or []):
                    return doc
            raise ResourceNotFoundException(f"Identity provider with identifier {identifier} does not exist.")

        return await self.read(run)

    async def update_identity_provider(
        self,
        account: str,
        pool_id: str,
        name: str,
        details: dict[str, str] | None,
        mapping: dict[str, str] | None,
        identifiers: list[str] | None,
    ) -> dict[str, Any]:
        now = self.clock.now()

        def run(tx: Tx) -> dict[str, Any]:
            tx.lock("cognito-identity-providers", pool_id)
            self._pool(tx, pool_id, account)
            doc = store.get_identity_provider(tx, pool_id, name)
            if doc is None:
                raise _not_found(name)
            kind = doc["ProviderType"]
            if details is not None:
                doc["ProviderDetails"] = _details(kind, details)
            if mapping is not None:
                doc["AttributeMapping"] = _mapping(kind, mapping)
            if identifiers is not None:
                _check_identifiers(tx, pool_id, name, identifiers)
                doc["IdpIdentifiers"] = list(identifiers)
            doc["LastModifiedDate"] = now
            store.put_identity_provider(tx, pool_id, name, doc)
            return doc

        return await self.write(run)

    async def delete_identity_provider(self, account: str, pool_id: str, name: str) -> None:
        def run(tx: Tx) -> None:
            self._pool(tx, pool_id, account)
            if not store.delete_identity_provider(tx, pool_id, name):
                raise _not_found(name)

        await self.write(run)

    async def list_identity_providers(
        self, account: str, pool_id: str, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        def run(tx: Tx) -> list[dict[str, Any]]:
            self._pool(tx, pool_id, account)
            return store.list_identity_providers(tx, pool_id)

        docs = await self.read(run)
        start = next((i for i, d in enumerate(docs) if d["ProviderName"] > token), len(docs)) if token else 0
        chunk = docs[start : start + (limit or 60)]
        keys = ("ProviderName", "ProviderType", "LastModifiedDate", "CreationDate")
        out: dict[str, Any] = {"Providers": [{k: d[k] for k in keys} for d in chunk]}
        if start + len(chunk) < len(docs) and chunk:
            out["NextToken"] = chunk[-1]["ProviderName"]
        return out
