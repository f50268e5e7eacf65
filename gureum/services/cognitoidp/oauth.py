"""The OAuth 2.0 authorization server of a user pool, as Cognito runs it on a pool's domain: /oauth2/authorize
(authorization-code with PKCE S256, and implicit grants), the sign-in a managed login page submits, /oauth2/token
(authorization_code, refresh_token, client_credentials), /oauth2/userInfo, /oauth2/revoke and /logout's session end.

Pure behaviour over the backend (HTTP, HTML and cookies are hosted.py's). Authorization codes (single use, five
minutes) and signed-in browser sessions (one hour) are short-lived rows in the challenges table; a refresh token
from the token endpoint keeps the scopes it was granted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from ...aws.errors import ServiceError
from ...store.base import Tx
from . import clients, store, tokens
from .errors import NotAuthorizedException
from .selfservice import SelfService
from .signin import SignIn

CODE_SECONDS = 300  # an authorization code is redeemed within five minutes, once
LOGIN_SECONDS = 3600  # the managed login's session cookie
STANDARD_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
_CODE = "code:"
_LOGIN = "login:"


class OAuthError(Exception):
    """An OAuth 2.0 error (RFC 6749 §5.2 / §4.1.2.1): ``error`` code, HTTP status, and whether the client may be
    sent back to its redirect URI with it (an unknown client or a foreign redirect URI never is)."""

    def __init__(self, error: str, description: str = "", status: int = 400, redirectable: bool = True) -> None:
        super().__init__(description or error)
        self.error = error
        self.description = description
        self.status = status
        self.redirectable = redirectable


@dataclass(frozen=True)
class Authorization:
    """A checked /oauth2/authorize request."""

    pool_id: str
    client_id: str
    response_type: str  # "code" or "token"
    redirect_uri: str
    scopes: list[str]
    state: str | None
    nonce: str | None
    code_challenge: str | None

    def as_doc(self) -> dict[str, Any]:
        return {
            "pool": self.pool_id,
            "client": self.client_id,
            "response_type": self.response_type,
            "redirect_uri": self.redirect_uri,
            "scopes": self.scopes,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
        }


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(client id, secret) of an ``Authorization: Basic …`` header; None when there is none or it is malformed."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class OAuth(SignIn, SelfService):
    """The pool's OAuth 2.0 endpoints' behaviour."""

    # --- /oauth2/authorize -------------------------------------------------------------------------------------

    async def authorization(self, pool_id: str, query: dict[str, str]) -> Authorization:
        """Check an authorize request; OAuthError (redirectable or not) when it cannot go on."""
        client = await self.oauth_client(pool_id, query.get("client_id") or "")
        if client is None:
            raise OAuthError("invalid_request", "Client does not exist.", redirectable=False)
        redirect_uri = query.get("redirect_uri") or ""
        if redirect_uri not in (client.get("CallbackURLs") or []):
            raise OAuthError("redirect_mismatch", "redirect_mismatch", redirectable=False)
        response_type = query.get("response_type") or ""
        flow = {"code": "code", "token": "implicit"}.get(response_type)
        if flow is None:
            raise OAuthError("unsupported_response_type")
        if not client.get("AllowedOAuthFlowsUserPoolClient") or flow not in (client.get("AllowedOAuthFlows") or []):
            raise OAuthError("unauthorized_client")
        allowed = list(client.get("AllowedOAuthScopes") or [])
        asked = (query.get("scope") or "").split()
        if any(scope not in allowed for scope in asked):
            raise OAuthError("invalid_scope")
        challenge = query.get("code_challenge") or None
        if challenge is not None and (response_type != "code" or query.get("code_challenge_method") != "S256"):
            raise OAuthError("invalid_request", "code_challenge_method must be S256")
        return Authorization(
            pool_id,
            client["ClientId"],
            response_type,
            redirect_uri,
            asked or allowed,
            query.get("state"),
            query.get("nonce"),
            challenge,
        )

    async def sign_in_hosted(self, pool_id: str, client_id: str, username: str, password: str) -> dict[str, Any]:
        """The managed login page's sign-in: the user's password, then any challenge (a new password, MFA) as
        RespondToAuthChallenge runs it. Answers AuthenticationResult or ChallengeName/Session like InitiateAuth."""
        client, pool = await self.read(lambda tx: self._client_and_pool(tx, client_id))
        if pool["Id"] != pool_id:
            raise NotAuthorizedException("Client does not exist.")
        return await self._password(pool, client, username, password, {}, None, hosted=True)

    async def pool_of_domain(self, domain: str) -> str | None:
        found = await self.read(lambda tx: store.get_domain(tx, domain))
        return found[0] if found else None

    async def oauth_client(self, pool_id: str, client_id: str) -> dict[str, Any] | None:
        client = await self.read(lambda tx: store.get_client(tx, client_id)) if client_id else None
        return client if client is not None and client.get("UserPoolId") == pool_id else None

    async def signed_in(self, auth: Authorization, result: dict[str, Any]) -> tuple[str, str, float]:
        """After a sign-in's AuthenticationResult: (a managed-login session, the cookie's value; the username; the
        auth time). The API-style tokens of that sign-in are not handed out (their refresh session is ended); the
        grant issues its own."""
        _, claims = await self.verified_claims(str(result["AccessToken"]), "access")
        jti = str(claims.get("origin_jti") or "")
        login = secrets.token_urlsafe(32)
        now = self.clock.now()
        doc = {"user": claims["username"], "auth_time": claims["auth_time"], "client": auth.client_id}

        def run(tx: Tx) -> None:
            if jti:
                store.revoke_session(tx, jti)
            store.put_challenge(tx, _LOGIN + login, auth.pool_id, now + LOGIN_SECONDS, doc)

        await self.write(run)
        return login, str(doc["user"]), float(doc["auth_time"])

    async def login_session(self, pool_id: str, login: str | None) -> dict[str, Any] | None:
        """The signed-in user of a managed-login session cookie, if it is this pool's and still valid."""
        if not login:
            return None
        now = self.clock.now()
        found = await self.read(lambda tx: store.peek_challenge(tx, _LOGIN + login, now))
        if found is None or found[0] != pool_id:
            return None
        user = await self.read(lambda tx: store.get_user(tx, pool_id, str(found[1]["user"])))
        if user is None or not user["enabled"]:
            return None
        return found[1]

    async def end_login(self, login: str | None) -> None:
        if login:
            await self.write(lambda tx: store.take_challenge(tx, _LOGIN + login, 0.0))

    async def grant(self, auth: Authorization, username: str, auth_time: float) -> dict[str, str]:
        """What the redirect to the client carries: a code (code grant) or the tokens (implicit grant)."""
        if auth.response_type == "code":
            code = secrets.token_urlsafe(32)
            doc = {**auth.as_doc(), "user": username, "auth_time": auth_time}
            expires = self.clock.now() + CODE_SECONDS
            await self.write(lambda tx: store.put_challenge(tx, _CODE + code, auth.pool_id, expires, doc))
            return {"code": code}
        result = await self._issue_for(auth.pool_id, auth.client_id, username, auth_time, auth.scopes, fresh=False)
        out = {"access_token": result["AccessToken"], "token_type": "Bearer", "expires_in": str(result["ExpiresIn"])}
        if "IdToken" in result:
            out["id_token"] = result["IdToken"]
        return out

    # --- /oauth2/token -----------------------------------------------------------------------------------------

    async def _authenticated_client(
        self, pool_id: str, form: dict[str, str], authorization: str | None
    ) -> dict[str, Any]:
        basic = basic_credentials(authorization)
        client_id = basic[0] if basic else form.get("client_id", "")
        secret = basic[1] if basic else form.get("client_secret")
        client = await self.oauth_client(pool_id, client_id)
        # a client with a secret must present it; one without must present none
        expected = client.get("ClientSecret") if client is not None else None
        if client is None or not hmac.compare_digest(expected or "", secret or ""):
            raise OAuthError("invalid_client", status=401 if basic else 400)
        return client

    async def token(self, pool_id: str, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        grant_type = form.get("grant_type", "")
        if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
            raise OAuthError("unsupported_grant_type")
        client = await self._authenticated_client(pool_id, form, authorization)
        if grant_type == "authorization_code":
            return await self._redeem(pool_id, client, form)
        if grant_type == "refresh_token":
            return await self._refresh_grant(pool_id, client, form)
        return await self._client_credentials(pool_id, client, form)

    async def _redeem(self, pool_id: str, client: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
        code = form.get("code") or ""
        now = self.clock.now()
        doc = await self.write(lambda tx: store.take_challenge(tx, _CODE + code, now)) if code else None
        if doc is None or doc["client"] != client["ClientId"] or doc["pool"] != pool_id:
            raise OAuthError("invalid_grant")
        if form.get("redirect_uri") != doc["redirect_uri"]:
            raise OAuthError("invalid_grant")
        if doc.get("code_challenge") is not None:
            verifier = form.get("code_verifier") or ""
            if not verifier or not hmac.compare_digest(_s256(verifier), doc["code_challenge"]):
                raise OAuthError("invalid_grant")
        result = await self._issue_for(
            pool_id, client["ClientId"], doc["user"], float(doc["auth_time"]), doc["scopes"], fresh=True
        )
        return _token_response(result)

    async def _refresh_grant(self, pool_id: str, client: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token") or ""
        now = self.clock.now()

        def run(tx: Tx) -> tuple[str, str, float, list[str] | None]:
            try:
                return self.refresh_session(tx, pool_id, client["ClientId"], token, now)
            except NotAuthorizedException:
                raise OAuthError("invalid_grant") from None

        jti, username, auth_time, scopes = await self.read(run)
        result = await self._issue_for(pool_id, client["ClientId"], username, auth_time, scopes, origin=jti)
        return _token_response(result)

    async def _client_credentials(self, pool_id: str, client: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
        if not client.get("ClientSecret"):
            raise OAuthError("invalid_client")
        if "client_credentials" not in (client.get("AllowedOAuthFlows") or []):
            raise OAuthError("unauthorized_client")
        allowed = [s for s in client.get("AllowedOAuthScopes") or [] if s not in STANDARD_SCOPES]
        asked = (form.get("scope") or "").split()
        if any(scope not in allowed for scope in asked):
            raise OAuthError("invalid_scope")
        scopes = asked or allowed
        if not scopes:
            raise OAuthError("invalid_scope")
        now = int(self.clock.now())
        seconds = clients.seconds(client, "AccessToken")
        claims = tokens.access_claims(pool_id, client["ClientId"], None, [], now, now, seconds, None, scopes)
        access = await self.sign_claims(pool_id, claims)
        return {"access_token": access, "expires_in": seconds, "token_type": "Bearer"}

    async def _issue_for(
        self,
        pool_id: str,
        client_id: str,
        username: str,
        auth_time: float,
        scopes: list[str] | None,
        fresh: bool = False,
        origin: str | None = None,
    ) -> dict[str, Any]:
        def run(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            client, pool = self._client_and_pool(tx, client_id)
            user = store.get_user(tx, pool_id, username)
            if user is None or not user["enabled"]:
                raise OAuthError("invalid_grant")
            return client, pool, user

        client, pool, user = await self.read(run)
        source = "TokenGeneration_HostedAuth" if origin is None else "TokenGeneration_RefreshTokens"
        result = await self.issue(pool, client, user, source, auth_time, origin, None, scopes)
        if scopes is not None and "openid" not in scopes:
            result.pop("IdToken", None)  # an ID token is only for OpenID Connect sign-ins
        if not fresh:
            result.pop("RefreshToken", None)
        return result

    # --- /oauth2/userInfo, /oauth2/revoke -------------------------------------------------------------------------

    async def user_info(self, pool_id: str, access_token: str) -> dict[str, Any]:
        try:
            pool, user, claims, client = await self._access_checked(access_token)
        except ServiceError as error:
            raise OAuthError("invalid_token", error.message, status=401) from error
        scopes = str(claims.get("scope", "")).split()
        if pool["Id"] != pool_id or not ({"openid", "aws.cognito.signin.user.admin"} & set(scopes)):
            raise OAuthError("invalid_token", "Access token does not have the openid scope", status=401)
        readable = client.get("ReadAttributes")
        out: dict[str, Any] = {}
        for name, value in user["attributes"].items():
            if readable and name not in readable and name != "sub":
                continue
            out[name] = value
        out["username"] = user["username"]
        return out

    async def revoke(self, pool_id: str, form: dict[str, str], authorization: str | None) -> None:
        client = await self._authenticated_client(pool_id, form, authorization)
        try:
            await self.revoke_token(form.get("token") or "", client["ClientId"], client.get("ClientSecret"))
        except ServiceError as error:
            raise OAuthError("unsupported_token_type", error.message) from error


def _token_response(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"access_token": result["AccessToken"]}
    if "IdToken" in result:
        out["id_token"] = result["IdToken"]
    if "RefreshToken" in result:
        out["refresh_token"] = result["RefreshToken"]
    out.update({"token_type": "Bearer", "expires_in": result["ExpiresIn"]})
    return out
