"""IdentityBackend: Cognito identity pools, one method per operation with plain arguments, kept by the start hook
and reached with backend(ctx). Logins are verified through the CognitoTokens port (user pools of this server);
credentials are sessions of the chosen IAM role, issued as gureum's STS issues them (gureum.aws.authorize), so they
work everywhere in gureum, strict mode included."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...aws.authorize import role_credentials
from ...aws.context import RequestContext
from ...ports import CognitoTokens
from ...runtime import Runtime
from ...store.base import Tx
from . import roles, store
from .errors import InvalidParameterException, NotAuthorizedException, ResourceNotFoundException

COGNITO_PROVIDER = "cognito-idp."
TOKEN_SECONDS = 600  # GetOpenIdToken's tokens last ten minutes
CREDENTIAL_SECONDS = 3600


def backend(ctx: RequestContext) -> IdentityBackend:
    return ctx.runtime.state(IdentityBackend)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return secrets.token_hex(8), pem.decode()


def _sign(kid: str, pem: str, claims: dict[str, Any]) -> str:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    head = _b64(json.dumps({"kid": kid, "typ": "JWS", "alg": "RS512"}).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{_b64(key.sign(f'{head}.{body}'.encode(), padding.PKCS1v15(), hashes.SHA512()))}"


def _describe(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class IdentityBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock

    # --- identity pools ------------------------------------------------------------------------------------------

    @staticmethod
    def _pool(tx: Tx, pool_id: str, account: str | None = None) -> dict[str, Any]:
        found = store.get_pool(tx, pool_id)
        if found is None or (account is not None and found["_account"] != account):
            raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
        return found

    @staticmethod
    def _settings(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
        doc["IdentityPoolName"] = req["IdentityPoolName"]
        doc["AllowUnauthenticatedIdentities"] = bool(req["AllowUnauthenticatedIdentities"])
        doc["AllowClassicFlow"] = bool(req.get("AllowClassicFlow", False))
        for key in (
            "SupportedLoginProviders",
            "DeveloperProviderName",
            "OpenIdConnectProviderARNs",
            "CognitoIdentityProviders",
            "SamlProviderARNs",
            "IdentityPoolTags",
        ):
            if req.get(key) is not None:
                doc[key] = req[key]
            elif key != "IdentityPoolTags":
                doc.pop(key, None)
        return doc

    async def create_pool(self, account: str, region: str, req: dict[str, Any]) -> dict[str, Any]:
        pool_id = f"{region}:{uuid.uuid4()}"
        doc = self._settings({"IdentityPoolId": pool_id, "_account": account, "_region": region}, req)
        now = self.clock.now()
        await self.store.write(lambda tx: store.insert_pool(tx, pool_id, account, region, now, doc))
        return _describe(doc)

    async def describe_pool(self, account: str, pool_id: str) -> dict[str, Any]:
        return _describe(await self.store.read(lambda tx: self._pool(tx, pool_id, account)))

    async def update_pool(self, account: str, req: dict[str, Any]) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            doc = self._settings(self._pool(tx, req["IdentityPoolId"], account), req)
            store.put_pool(tx, doc["IdentityPoolId"], doc)
            return _describe(doc)

        return await self.store.write(run)

    async def delete_pool(self, account: str, pool_id: str) -> None:
        def run(tx: Tx) -> None:
            self._pool(tx, pool_id, account)
            store.delete_pool(tx, pool_id)

        await self.store.write(run)

    async def list_pools(self, account: str, region: str, limit: int, token: str | None) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.list_pools(tx, account, region))
        start = next((i for i, p in enumerate(found) if p["IdentityPoolId"] > token), len(found)) if token else 0
        chunk = found[start : start + limit]
        out: dict[str, Any] = {
            "IdentityPools": [
                {"IdentityPoolId": p["IdentityPoolId"], "IdentityPoolName": p["IdentityPoolName"]} for p in chunk
            ]
        }
        if start + limit < len(found) and chunk:
            out["NextToken"] = chunk[-1]["IdentityPoolId"]
        return out

    async def set_roles(
        self, account: str, pool_id: str, pool_roles: dict[str, str], mappings: dict[str, Any] | None
    ) -> None:
        for provider, mapping in (mappings or {}).items():
            if mapping.get("Type") == "Rules" and not (mapping.get("RulesConfiguration") or {}).get("Rules"):
                raise InvalidParameterException(f"RulesConfiguration is required for role mapping of {provider}.")

        def run(tx: Tx) -> None:
            doc = self._pool(tx, pool_id, account)
            doc["_roles"] = dict(pool_roles)
            doc["_role_mappings"] = dict(mappings or {})
            store.put_pool(tx, pool_id, doc)

        await self.store.write(run)

    async def get_roles(self, account: str, pool_id: str) -> dict[str, Any]:
        doc = await self.store.read(lambda tx: self._pool(tx, pool_id, account))
        out: dict[str, Any] = {"IdentityPoolId": pool_id, "Roles": doc.get("_roles") or {}}
        if doc.get("_role_mappings"):
            out["RoleMappings"] = doc["_role_mappings"]
        return out

    async def tag(self, arn: str, tags: dict[str, str] | None, remove: list[str] | None) -> dict[str, str]:
        pool_id = arn.rsplit("/", 1)[-1]

        def run(tx: Tx) -> dict[str, str]:
            doc = self._pool(tx, pool_id)
            current = {**(doc.get("IdentityPoolTags") or {}), **(tags or {})}
            for key in remove or []:
                current.pop(key, None)
            doc["IdentityPoolTags"] = current
            store.put_pool(tx, pool_id, doc)
            return current

        return await self.store.write(run)

    # --- logins --------------------------------------------------------------------------------------------------

    async def _login(self, pool: dict[str, Any], logins: dict[str, str]) -> tuple[str, str, dict[str, Any]] | None:
        """(provider, subject, claims) of the one login given; None for none. Only this server's user pools are
        verified providers; other providers are refused clearly."""
        if not logins:
            return None
        if len(logins) > 1:
            raise InvalidParameterException("gureum links one login per identity: pass a single provider in Logins.")
        provider, token = next(iter(logins.items()))
        if not provider.startswith(COGNITO_PROVIDER):
            raise InvalidParameterException(
                f"Login provider {provider} is not supported by gureum: only Cognito user pools "
                "(cognito-idp.<region>.amazonaws.com/<pool-id>) are."
            )
        configured = {p.get("ProviderName"): p for p in pool.get("CognitoIdentityProviders") or []}
        if provider not in configured:
            raise NotAuthorizedException(f"Invalid login token. Provider {provider} is not configured for this pool.")
        tokens = self.runtime.optional_port(CognitoTokens)
        if tokens is None:
            raise NotAuthorizedException("Invalid login token. Cognito user pools are not available.")
        try:
            claims = await tokens.verify(token)
        except ValueError as error:
            raise NotAuthorizedException(f"Invalid login token. {error}") from None
        if claims.get("iss") != f"https://{provider}" or claims.get("token_use") != "id":
            raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
        client = configured[provider].get("ClientId")
        if client and claims.get("aud") != client:
            raise NotAuthorizedException("Invalid login token. Audience doesn't match the configured client.")
        return provider, str(claims["sub"]), claims

    async def get_id(self, account: str | None, pool_id: str, logins: dict[str, str] | None) -> str:
        pool = await self.store.read(lambda tx: self._pool(tx, pool_id))
        if account and pool["_account"] != account:
            raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
        login = await self._login(pool, logins or {})
        if login is None and not pool["AllowUnauthenticatedIdentities"]:
            raise NotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        now = self.clock.now()
        region = pool_id.split(":", 1)[0]

        def run(tx: Tx) -> str:
            subject = f"{login[0]}|{login[1]}" if login else None
            if subject is not None:
                found = store.identity_by_subject(tx, pool_id, subject)
                if found is not None:
                    return found
            identity_id = f"{region}:{uuid.uuid4()}"
            doc = {"Logins": [login[0]] if login else [], "CreationDate": now, "LastModifiedDate": now}
            store.insert_identity(tx, identity_id, pool_id, subject, now, doc)
            return identity_id

        return await self.store.write(run)

    async def _identity(
        self, identity_id: str, logins: dict[str, str] | None
    ) -> tuple[dict[str, Any], dict[str, Any], tuple[str, str, dict[str, Any]] | None]:
        def run(tx: Tx) -> tuple[dict[str, Any], dict[str, Any]]:
            found = store.get_identity(tx, identity_id)
            if found is None:
                raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
            return self._pool(tx, found[0]), found[1]

        pool, identity = await self.store.read(run)
        login = await self._login(pool, logins or {})
        if identity["Logins"]:
            if login is None or login[0] not in identity["Logins"]:
                raise NotAuthorizedException("Invalid login token. Logins don't match this identity's.")
            expected = await self.store.read(
                lambda tx: store.identity_by_subject(tx, pool["IdentityPoolId"], f"{login[0]}|{login[1]}")
            )
            if expected != identity_id:
                raise NotAuthorizedException("Invalid login token. The token is another identity's.")
        elif login is not None:
            raise NotAuthorizedException("Invalid login token. This identity is unauthenticated.")
        elif not pool["AllowUnauthenticatedIdentities"]:
            raise NotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        return pool, identity, login

    async def credentials(
        self, identity_id: str, logins: dict[str, str] | None, custom_role: str | None
    ) -> dict[str, Any]:
        pool, _, login = await self._identity(identity_id, logins)
        role = roles.choose(pool, login[0] if login else None, login[2] if login else None, custom_role)
        issued = role_credentials(self.runtime, role, "CognitoIdentityCredentials", CREDENTIAL_SECONDS)
        return {
            "IdentityId": identity_id,
            "Credentials": {
                "AccessKeyId": issued.access_key,
                "SecretKey": issued.secret,
                "SessionToken": issued.token,
                "Expiration": issued.expires,
            },
        }

    async def open_id_token(self, identity_id: str, logins: dict[str, str] | None) -> dict[str, Any]:
        pool, _, login = await self._identity(identity_id, logins)
        key = await self.store.read(store.signing_key)
        if key is None:
            kid, pem = await asyncio.to_thread(_new_key)
            now = self.clock.now()
            await self.store.write(lambda tx: store.insert_key(tx, kid, now, pem))
            key = await self.store.read(store.signing_key)
            assert key is not None
        now_s = int(self.clock.now())
        claims = {
            "sub": identity_id,
            "aud": pool["IdentityPoolId"],
            "amr": ["authenticated", login[0]] if login else ["unauthenticated"],
            "iss": "https://cognito-identity.amazonaws.com",
            "exp": now_s + TOKEN_SECONDS,
            "iat": now_s,
        }
        token = await asyncio.to_thread(_sign, key[0], key[1], claims)
        return {"IdentityId": identity_id, "Token": token}

    async def describe_identity(self, identity_id: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: store.get_identity(tx, identity_id))
        if found is None:
            raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
        return {"IdentityId": identity_id, **found[1]}

    async def list_identities(self, account: str, pool_id: str, limit: int, token: str | None) -> dict[str, Any]:
        def run(tx: Tx) -> list[tuple[str, dict[str, Any]]]:
            self._pool(tx, pool_id, account)
            return store.list_identities(tx, pool_id, token or "", limit + 1)

        found = await self.store.read(run)
        out: dict[str, Any] = {
            "IdentityPoolId": pool_id,
            "Identities": [{"IdentityId": i, **doc} for i, doc in found[:limit]],
        }
        if len(found) > limit:
            out["NextToken"] = found[limit - 1][0]
        return out

    async def delete_identities(self, ids: list[str]) -> list[dict[str, str]]:
        def run(tx: Tx) -> list[dict[str, str]]:
            return [
                {"IdentityId": i, "ErrorCode": "InternalServerError"} for i in ids if not store.delete_identity(tx, i)
            ]

        await self.store.write(run)
        return []
