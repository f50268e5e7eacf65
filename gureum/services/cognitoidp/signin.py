"""Sign-in: InitiateAuth / AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH,
REFRESH_TOKEN_AUTH, CUSTOM_AUTH) and RespondToAuthChallenge (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED,
SOFTWARE_TOKEN_MFA, SMS_MFA, MFA_SETUP, CUSTOM_CHALLENGE), the Lambda triggers they run, and the tokens they end
with. A challenge's state lives in the store under its Session (any node answers the next step); SRP's server
secret travels sealed in SECRET_BLOCK, as Cognito's does."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import secrets
import uuid
from typing import Any

from ...store.base import Tx
from . import clients, passwords, pools, srp, store, tokens, totp, triggers, users
from .core import Core
from .errors import (
    CodeMismatchException,
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    bad_credentials,
    user_not_found,
)

SRP_SECONDS = 300  # a SECRET_BLOCK is answered within five minutes
_PROTECTED = {
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "client_id",
    "username",
    "scope",
}
_FLOW_PERMISSION = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
}


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def _parse_timestamp(text: str) -> float | None:
    """The clients' "Tue Dec 7 01:02:03 UTC 2026" (day without a leading zero)."""
    try:
        return dt.datetime.strptime(text, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


class SignIn(Core):
    # --- InitiateAuth --------------------------------------------------------------------------------------------

    async def initiate_auth(
        self,
        client_id: str,
        flow: str,
        params: dict[str, str],
        metadata: dict[str, str] | None,
        admin_pool: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        client, pool = await self.read(lambda tx: self._client_and_pool(tx, client_id, admin_pool, account))
        admin_flows = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
        if (flow in admin_flows and admin_pool is None) or (flow == "USER_PASSWORD_AUTH" and admin_pool is not None):
            raise InvalidParameterException("Initiate Auth method not supported.")
        if flow not in _FLOW_PERMISSION:
            raise InvalidParameterException(
                f"Unsupported auth flow {flow}: USER_PASSWORD_AUTH, USER_SRP_AUTH, "
                "REFRESH_TOKEN_AUTH, CUSTOM_AUTH and ADMIN_USER_PASSWORD_AUTH are."
            )
        if not clients.allows(client, _FLOW_PERMISSION[flow]):
            raise InvalidParameterException(
                f"{flow} flow not enabled for this client"
                if flow == "USER_PASSWORD_AUTH"
                else "Auth flow not enabled for this client"
            )
        params = dict(params or {})
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return await self._refresh(pool, client, params, metadata)
        username = _required(params, "USERNAME")
        if flow == "USER_SRP_AUTH":
            return await self._srp_begin(pool, client, username, _required(params, "SRP_A"), params)
        if flow == "CUSTOM_AUTH":
            return await self._custom_begin(pool, client, username, params, metadata)
        return await self._password(pool, client, username, _required(params, "PASSWORD"), params, metadata)

    async def _known_user(self, pool: dict[str, Any], client: dict[str, Any], username: str) -> dict[str, Any]:
        user = await self.read(lambda tx: self._find_user(tx, pool, username))
        if user is None:
            if clients.prevents_existence_errors(client):
                raise bad_credentials()
            raise user_not_found()
        return user

    async def _pre_authentication(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        params: dict[str, str],
        metadata: dict[str, str] | None,
    ) -> None:
        request = {"userAttributes": dict(user["attributes"]), "validationData": {}, "userNotFound": False}
        if metadata:
            request["clientMetadata"] = metadata
        await self.trigger(
            pool, "PreAuthentication", "PreAuthentication_Authentication", user["username"], client["ClientId"], request
        )

    @staticmethod
    def _usable(user: dict[str, Any], now: float) -> None:
        if not user["enabled"]:
            raise NotAuthorizedException("User is disabled.")
        users.check_lockout(user, now)

    async def _password(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        username: str,
        password: str,
        params: dict[str, str],
        metadata: dict[str, str] | None,
        *,
        hosted: bool = False,
    ) -> dict[str, Any]:
        """The password factor of a sign-in; ``hosted`` for the managed login page, which never tells an unknown
        user apart and has no SECRET_HASH (the client's secret is checked at the token endpoint)."""
        now = self.clock.now()
        user = await self.read(lambda tx: self._find_user(tx, pool, username))
        if user is None:
            user = await self._migrate(pool, client, username, password, metadata)
            if user is None:
                if hosted or clients.prevents_existence_errors(client):
                    raise bad_credentials()
                raise user_not_found()
        if not hosted:
            clients.check_secret_hash(client, [username, user["username"]], params.get("SECRET_HASH"))
        self._usable(user, now)
        await self._pre_authentication(pool, client, user, params, metadata)
        if not await self.password_matches(pool["Id"], user, password):
            await self._failed(pool, user)
            raise bad_credentials()
        return await self._first_factor_done(pool, client, user, metadata)

    async def _failed(self, pool: dict[str, Any], user: dict[str, Any]) -> None:
        now = self.clock.now()

        def run(tx: Tx) -> None:
            current = store.get_user(tx, pool["Id"], user["username"])
            if current is not None:
                users.failed(current, now)
                store.put_user(tx, pool["Id"], current["username"], current)

        await self.write(run)

    async def _migrate(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        username: str,
        password: str,
        metadata: dict[str, str] | None,
    ) -> dict[str, Any] | None:
        """The UserMigration trigger: a user another directory knows is created here, confirmed, with the password
        they signed in with (AWS's UserMigration_Authentication)."""
        answer = await self.trigger(
            pool,
            "UserMigration",
            "UserMigration_Authentication",
            username,
            client["ClientId"],
            {"password": password, "validationData": {}, "clientMetadata": metadata or {}},
            {
                "userAttributes": None,
                "finalUserStatus": None,
                "messageAction": None,
                "desiredDeliveryMediums": None,
                "forceAliasCreation": None,
                "enableSMSMFA": None,
            },
        )
        if not answer or not isinstance(answer.get("userAttributes"), dict):
            return None
        now = self.clock.now()
        attributes = {str(k): str(v) for k, v in answer["userAttributes"].items() if k not in ("sub", "username")}
        name, attributes = self._username_for(pool, username, attributes)
        pools.check_attributes(pool, attributes, creating=True)
        user = users.new_user(
            name, name if pool.get("UsernameAttributes") else str(uuid.uuid4()), attributes, users.CONFIRMED, now
        )
        if answer.get("finalUserStatus") == "RESET_REQUIRED":
            user["status"] = users.RESET_REQUIRED
        user["password"] = await passwords.credentials(pool["Id"], name, password)
        await self.write(lambda tx: self._insert_user(tx, pool, user, now, case=True))
        return user

    async def _first_factor_done(
        self, pool: dict[str, Any], client: dict[str, Any], user: dict[str, Any], metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        if user["status"] == users.UNCONFIRMED:
            raise UserNotConfirmedException("User is not confirmed.")
        if user["status"] == users.RESET_REQUIRED:
            raise PasswordResetRequiredException("Password reset required for the user")
        if user.get("failures"):
            users.succeeded(user)
            await self.write(lambda tx: store.put_user(tx, pool["Id"], user["username"], user))
        if user["status"] == users.FORCE_CHANGE_PASSWORD:
            if user.get("temporary_expires", now + 1) < now:
                raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
            attributes = {
                k: v
                for k, v in user["attributes"].items()
                if k not in ("sub", "email_verified", "phone_number_verified")
            }
            required = [
                f"userAttributes.{e['Name']}"
                for e in pool["SchemaAttributes"]
                if e.get("Required") and e["Name"] != "sub" and not user["attributes"].get(e["Name"])
            ]
            return await self._challenge(
                pool,
                client,
                user,
                "NEW_PASSWORD_REQUIRED",
                {
                    "USER_ID_FOR_SRP": user["username"],
                    "requiredAttributes": json.dumps(required),
                    "userAttributes": json.dumps(attributes),
                },
                {"auth_time": now, "metadata": metadata},
            )
        return await self._second_factor(pool, client, user, metadata, now)

    async def _second_factor(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        metadata: dict[str, str] | None,
        auth_time: float,
    ) -> dict[str, Any]:
        setting = pool.get("MfaConfiguration", "OFF")
        if setting != "OFF":
            preferred, enabled = users.mfa_settings(user)
            kind = preferred or (enabled[0] if enabled else None)
            if kind is None and setting == "ON":
                if user["attributes"].get("phone_number") and pool.get("SmsConfiguration"):
                    kind = "SMS_MFA"
                else:
                    return await self._challenge(
                        pool,
                        client,
                        user,
                        "MFA_SETUP",
                        {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'},
                        {"auth_time": auth_time, "metadata": metadata},
                    )
            if kind == "SOFTWARE_TOKEN_MFA":
                return await self._challenge(
                    pool, client, user, kind, {}, {"auth_time": auth_time, "metadata": metadata}
                )
            if kind == "SMS_MFA":
                return await self._sms_challenge(pool, client, user, metadata, auth_time)
        return await self._success(pool, client, user, metadata, auth_time)

    async def _sms_challenge(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        metadata: dict[str, str] | None,
        auth_time: float,
    ) -> dict[str, Any]:
        now = self.clock.now()
        phone = user["attributes"].get("phone_number", "")
        code = self.new_code()
        subject, text = await self.compose(pool, "Authentication", user, client["ClientId"], "SMS", code, metadata)
        await self.write(
            lambda tx: self.record(tx, pool, user, "Authentication", "SMS", phone, code, subject, text, now)
        )
        return await self._challenge(
            pool,
            client,
            user,
            "SMS_MFA",
            {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": users.masked("SMS", phone)},
            {"auth_time": auth_time, "metadata": metadata, "code": code},
        )

    async def _challenge(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        name: str,
        parameters: dict[str, str],
        state: dict[str, Any],
    ) -> dict[str, Any]:
        now = self.clock.now()
        session = self.new_session()
        doc = {**state, "pool": pool["Id"], "client": client["ClientId"], "user": user["username"], "step": name}
        minutes = int(client.get("AuthSessionValidity") or 3)
        await self.write(lambda tx: store.put_challenge(tx, session, pool["Id"], now + 60 * minutes, doc))
        return {
            "ChallengeName": name,
            "Session": session,
            "ChallengeParameters": {**parameters, "USER_ID_FOR_SRP": user["username"]}
            if name != "CUSTOM_CHALLENGE"
            else {**parameters, "USERNAME": user["username"]},
        }

    async def _success(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        metadata: dict[str, str] | None,
        auth_time: float,
    ) -> dict[str, Any]:
        request = {"newDeviceUsed": False, "userAttributes": dict(user["attributes"]), "clientMetadata": metadata or {}}
        await self.trigger(
            pool,
            "PostAuthentication",
            "PostAuthentication_Authentication",
            user["username"],
            client["ClientId"],
            request,
        )
        result = await self.issue(pool, client, user, "TokenGeneration_Authentication", auth_time, None, metadata)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    # --- tokens --------------------------------------------------------------------------------------------------

    async def issue(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        source: str,
        auth_time: float,
        origin_jti: str | None,
        metadata: dict[str, str] | None,
        scopes: list[str] | None = None,
    ) -> dict[str, Any]:
        """AuthenticationResult: ID and access tokens (and a refresh token for a new sign-in, origin_jti None)."""
        now = self.clock.now()
        groups = await self.read(lambda tx: store.groups_of(tx, pool["Id"], user["username"]))
        granted = " ".join(scopes) if scopes else None  # an OAuth grant's scopes, kept for its refreshes
        scopes = scopes or ["aws.cognito.signin.user.admin"]
        fresh = origin_jti is None
        jti = origin_jti or secrets.token_hex(16)
        id_claims = tokens.id_claims(
            pool["Id"],
            client["ClientId"],
            user,
            groups,
            int(auth_time),
            int(now),
            clients.seconds(client, "IdToken"),
            jti,
            clients.readable(client),
        )
        access = tokens.access_claims(
            pool["Id"],
            client["ClientId"],
            user,
            groups,
            int(auth_time),
            int(now),
            clients.seconds(client, "AccessToken"),
            jti,
            scopes,
        )
        await self._pre_token(pool, client, user, groups, source, metadata, id_claims, access)
        kid, pem = await self._signing_key(pool["Id"])
        id_token, access_token = await asyncio.to_thread(
            lambda: (tokens.sign(kid, pem, id_claims), tokens.sign(kid, pem, access))
        )
        result: dict[str, Any] = {
            "AccessToken": access_token,
            "ExpiresIn": clients.seconds(client, "AccessToken"),
            "TokenType": "Bearer",
            "IdToken": id_token,
        }
        if fresh:
            refresh = tokens.new_refresh_token()
            result["RefreshToken"] = refresh
            expires = now + clients.seconds(client, "RefreshToken")
            await self.write(
                lambda tx: store.insert_session(
                    tx,
                    jti,
                    pool["Id"],
                    user["username"],
                    client["ClientId"],
                    tokens.refresh_hash(refresh),
                    auth_time,
                    expires,
                    granted,
                )
            )
        return result

    async def _signing_key(self, pool_id: str) -> tuple[str, str]:
        """(kid, private key PEM) of the pool's newest signing key, made on first use."""
        keys = await self.signing_keys(pool_id)
        if not keys:
            await self.new_signing_key(pool_id)
            keys = await self.signing_keys(pool_id, refresh=True)
        kid, _, pem = keys[0]
        return kid, pem

    async def sign_claims(self, pool_id: str, claims: dict[str, Any]) -> str:
        """A JWT of ``claims`` signed with the pool's newest key (off the event loop)."""
        kid, pem = await self._signing_key(pool_id)
        return await asyncio.to_thread(tokens.sign, kid, pem, claims)

    async def _pre_token(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        groups: list[dict[str, Any]],
        source: str,
        metadata: dict[str, str] | None,
        id_claims: dict[str, Any],
        access: dict[str, Any],
    ) -> None:
        """The PreTokenGeneration trigger's overrides (V1: claimsOverrideDetails on the ID token; V2:
        claimsAndScopeOverrideDetails on both tokens); claims AWS protects are left alone."""
        request: dict[str, Any] = {
            "userAttributes": dict(user["attributes"]),
            "groupConfiguration": {
                "groupsToOverride": [g["GroupName"] for g in groups],
                "iamRolesToOverride": [g["RoleArn"] for g in groups if g.get("RoleArn")],
                "preferredRole": id_claims.get("cognito:preferred_role"),
            },
            "clientMetadata": metadata or {},
        }
        version = ((pool.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}).get("LambdaVersion")
        if version in ("V2_0", "V3_0"):
            request["scopes"] = str(access.get("scope", "")).split()
        answer = await self.trigger(
            pool,
            "PreTokenGeneration",
            source,
            user["username"],
            client["ClientId"],
            request,
            {"claimsOverrideDetails": None},
        )
        if not answer:
            return
        v1 = answer.get("claimsOverrideDetails")
        v2 = answer.get("claimsAndScopeOverrideDetails")
        if v1 is not None and not isinstance(v1, dict) or v2 is not None and not isinstance(v2, dict):
            raise InvalidLambdaResponseException("Invalid lambda response: claimsOverrideDetails must be an object")
        details = v2 or v1 or {}
        if v2:
            self._override(id_claims, v2.get("idTokenGeneration") or {})
            access_part = v2.get("accessTokenGeneration") or {}
            self._override(access, access_part)
            scopes = [
                s for s in str(access.get("scope", "")).split() if s not in (access_part.get("scopesToSuppress") or [])
            ]
            scopes += [s for s in access_part.get("scopesToAdd") or [] if s not in scopes]
            access["scope"] = " ".join(scopes)
        elif v1:
            self._override(id_claims, v1)
        override = details.get("groupOverrideDetails")
        if isinstance(override, dict):
            for claims in (id_claims, access):
                if override.get("groupsToOverride") is not None:
                    claims["cognito:groups"] = list(override["groupsToOverride"])
            if override.get("iamRolesToOverride") is not None:
                id_claims["cognito:roles"] = list(override["iamRolesToOverride"])
            if override.get("preferredRole") is not None:
                id_claims["cognito:preferred_role"] = override["preferredRole"]

    @staticmethod
    def _override(claims: dict[str, Any], part: dict[str, Any]) -> None:
        for name, value in (part.get("claimsToAddOrOverride") or {}).items():
            if name not in _PROTECTED and not name.startswith("cognito:"):
                claims[name] = value
        for name in part.get("claimsToSuppress") or []:
            if name not in _PROTECTED and not name.startswith("cognito:"):
                claims.pop(name, None)

    @staticmethod
    def refresh_session(
        tx: Tx, pool_id: str, client_id: str, token: str, now: float
    ) -> tuple[str, str, float, list[str] | None]:
        """(session id, username, auth time, scopes) of a live refresh token this pool's client was issued;
        NotAuthorizedException with AWS's reason otherwise."""
        jti = store.session_by_refresh(tx, tokens.refresh_hash(token)) if token else None
        found = store.session(tx, jti) if jti else None
        if jti is None or found is None or found[0] != pool_id:
            raise NotAuthorizedException("Invalid Refresh Token")
        _, username, issued_to, auth_time, expires, revoked = found
        if revoked:
            raise NotAuthorizedException("Refresh Token has been revoked")
        if expires < now:
            raise NotAuthorizedException("Refresh Token has expired")
        if issued_to != client_id:
            raise NotAuthorizedException("Invalid Refresh Token")
        return jti, username, auth_time, store.session_scopes(tx, jti)

    async def _refresh(
        self, pool: dict[str, Any], client: dict[str, Any], params: dict[str, str], metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        token = _required(params, "REFRESH_TOKEN")
        now = self.clock.now()

        def run(tx: Tx) -> tuple[dict[str, Any], float, str, list[str] | None]:
            jti, username, auth_time, scopes = self.refresh_session(tx, pool["Id"], client["ClientId"], token, now)
            user = store.get_user(tx, pool["Id"], username)
            if user is None:
                raise NotAuthorizedException("Refresh Token has been revoked")
            return user, auth_time, jti, scopes

        user, auth_time, jti, scopes = await self.read(run)
        clients.check_secret_hash(
            client,
            [params.get("USERNAME") or user["username"], user["username"], user["sub"]],
            params.get("SECRET_HASH"),
        )
        if not user["enabled"]:
            raise NotAuthorizedException("User is disabled.")
        result = await self.issue(pool, client, user, "TokenGeneration_RefreshTokens", auth_time, jti, metadata, scopes)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    # --- SRP -----------------------------------------------------------------------------------------------------

    async def _srp_begin(
        self, pool: dict[str, Any], client: dict[str, Any], username: str, a_hex: str, params: dict[str, str]
    ) -> dict[str, Any]:
        user = await self._known_user(pool, client, username)
        clients.check_secret_hash(client, [username, user["username"]], params.get("SECRET_HASH"))
        stored = user.get("password") or {}
        try:
            big_a = int(a_hex, 16)
        except ValueError:
            raise InvalidParameterException("SRP_A is not a hexadecimal number") from None
        if big_a % srp.N == 0:
            raise NotAuthorizedException("Incorrect username or password.")
        if not stored.get("srp_verifier"):
            raise NotAuthorizedException("Incorrect username or password.")
        b, big_b = await asyncio.to_thread(srp.server_b, stored["srp_verifier"])
        block = self.seal(
            {
                "p": pool["Id"],
                "c": client["ClientId"],
                "u": user["username"],
                "a": a_hex,
                "b": f"{b:x}",
                "B": f"{big_b:x}",
                "t": self.clock.now(),
            }
        )
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": stored["srp_salt"],
                "SECRET_BLOCK": base64.b64encode(block).decode(),
                "SRP_B": f"{big_b:x}",
                "USERNAME": user["username"],
                "USER_ID_FOR_SRP": user["username"],
            },
        }

    async def _srp_verify(
        self, pool: dict[str, Any], client: dict[str, Any], responses: dict[str, str], metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        block_text = _required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
        signature = _required(responses, "PASSWORD_CLAIM_SIGNATURE")
        timestamp = _required(responses, "TIMESTAMP")
        state = self.unseal_text(block_text)
        if state is None or state.get("p") != pool["Id"] or state.get("c") != client["ClientId"]:
            raise NotAuthorizedException("Incorrect username or password.")
        if now - float(state["t"]) > SRP_SECONDS:
            raise NotAuthorizedException("Your session has expired.")
        stamp = _parse_timestamp(timestamp)
        if stamp is None or abs(stamp - now) > SRP_SECONDS:
            raise (
                NotAuthorizedException("Incorrect username or password.")
                if stamp is not None
                else InvalidParameterException("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
            )
        user = await self._known_user(pool, client, state["u"])
        clients.check_secret_hash(
            client, [responses.get("USERNAME", ""), user["username"]], responses.get("SECRET_HASH")
        )
        self._usable(user, now)
        await self._pre_authentication(pool, client, user, responses, metadata)
        stored = user.get("password") or {}
        expected = await asyncio.to_thread(
            srp.expected_signature,
            pool["Id"],
            user["username"],
            stored.get("srp_verifier", "0"),
            state["a"],
            int(state["b"], 16),
            int(state["B"], 16),
            base64.b64decode(block_text),
            timestamp,
        )
        if not srp.check_signature(expected, signature):
            await self._failed(pool, user)
            raise bad_credentials()
        return await self._first_factor_done(pool, client, user, metadata)

    # --- CUSTOM_AUTH ---------------------------------------------------------------------------------------------

    async def _custom_begin(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        username: str,
        params: dict[str, str],
        metadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        user = await self._known_user(pool, client, username)
        clients.check_secret_hash(client, [username, user["username"]], params.get("SECRET_HASH"))
        self._usable(user, self.clock.now())
        if user["status"] == users.UNCONFIRMED:
            raise UserNotConfirmedException("User is not confirmed.")
        await self._pre_authentication(pool, client, user, params, metadata)
        return await self._custom_next(pool, client, user, [], metadata, self.clock.now())

    async def _custom_next(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        history: list[dict[str, Any]],
        metadata: dict[str, str] | None,
        auth_time: float,
    ) -> dict[str, Any]:
        if triggers.function_of(pool, "DefineAuthChallenge") is None:
            raise InvalidParameterException("Custom auth lambda trigger is not configured for the user pool.")
        base = {
            "userAttributes": dict(user["attributes"]),
            "session": history,
            "clientMetadata": metadata or {},
            "userNotFound": False,
        }
        define = (
            await self.trigger(
                pool,
                "DefineAuthChallenge",
                "DefineAuthChallenge_Authentication",
                user["username"],
                client["ClientId"],
                base,
                {"challengeName": None, "issueTokens": None, "failAuthentication": None},
            )
            or {}
        )
        if define.get("failAuthentication"):
            raise bad_credentials()
        if define.get("issueTokens"):
            return await self._success(pool, client, user, metadata, auth_time)
        name = define.get("challengeName")
        if name != "CUSTOM_CHALLENGE":
            raise InvalidLambdaResponseException(
                f"DefineAuthChallenge answered challengeName {name!r}: gureum runs CUSTOM_CHALLENGE steps only."
            )
        create = (
            await self.trigger(
                pool,
                "CreateAuthChallenge",
                "CreateAuthChallenge_Authentication",
                user["username"],
                client["ClientId"],
                {**base, "challengeName": name},
                {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None},
            )
            or {}
        )
        public = {str(k): str(v) for k, v in (create.get("publicChallengeParameters") or {}).items()}
        return await self._challenge(
            pool,
            client,
            user,
            "CUSTOM_CHALLENGE",
            public,
            {
                "auth_time": auth_time,
                "metadata": metadata,
                "history": history,
                "private": create.get("privateChallengeParameters") or {},
                "challenge_metadata": create.get("challengeMetadata"),
            },
        )

    # --- RespondToAuthChallenge ----------------------------------------------------------------------------------

    async def respond_to_auth_challenge(
        self,
        client_id: str,
        name: str,
        responses: dict[str, str],
        session: str | None,
        metadata: dict[str, str] | None,
        admin_pool: str | None = None,
        account: str | None = None,
    ) -> dict[str, Any]:
        client, pool = await self.read(lambda tx: self._client_and_pool(tx, client_id, admin_pool, account))
        responses = dict(responses or {})
        if name == "PASSWORD_VERIFIER":
            return await self._srp_verify(pool, client, responses, metadata)
        now = self.clock.now()
        state = await self.write(lambda tx: store.take_challenge(tx, session or "", now))
        if state is None or state["client"] != client_id:
            raise NotAuthorizedException("Invalid session for the user, session is expired.")
        if state["step"] != name:
            raise InvalidParameterException(f"Invalid challenge name {name}, expected {state['step']}.")
        user = await self.read(lambda tx: store.get_user(tx, pool["Id"], state["user"]))
        if user is None:
            raise NotAuthorizedException("Invalid session for the user, session is expired.")
        metadata = metadata or state.get("metadata")
        auth_time = float(state.get("auth_time") or now)
        if name == "NEW_PASSWORD_REQUIRED":
            return await self._new_password(pool, client, user, responses, metadata, auth_time)
        if name == "SOFTWARE_TOKEN_MFA":
            secret = (user.get("mfa") or {}).get("totp_secret")
            if not secret or not totp.verify(secret, _required(responses, "SOFTWARE_TOKEN_MFA_CODE"), now):
                await self._retry(session or "", state, now)
                raise CodeMismatchException("Invalid code received for user")
            return await self._success(pool, client, user, metadata, auth_time)
        if name == "SMS_MFA":
            if _required(responses, "SMS_MFA_CODE") != state.get("code"):
                await self._retry(session or "", state, now)
                raise CodeMismatchException("Invalid code received for user")
            return await self._success(pool, client, user, metadata, auth_time)
        if name == "MFA_SETUP":
            if not state.get("totp_verified"):
                raise InvalidParameterException("The software token has not been verified (VerifySoftwareToken).")
            user.setdefault("mfa", {}).update(
                totp_secret=state["totp_secret"],
                totp_verified=True,
                SOFTWARE_TOKEN_MFA=True,
                preferred="SOFTWARE_TOKEN_MFA",
            )
            await self.write(lambda tx: store.put_user(tx, pool["Id"], user["username"], user))
            return await self._success(pool, client, user, metadata, auth_time)
        if name == "CUSTOM_CHALLENGE":
            answer = _required(responses, "ANSWER")
            verify = (
                await self.trigger(
                    pool,
                    "VerifyAuthChallengeResponse",
                    "VerifyAuthChallengeResponse_Authentication",
                    user["username"],
                    client_id,
                    {
                        "userAttributes": dict(user["attributes"]),
                        "privateChallengeParameters": state["private"],
                        "challengeAnswer": answer,
                        "clientMetadata": metadata or {},
                        "userNotFound": False,
                    },
                    {"answerCorrect": None},
                )
                or {}
            )
            history = list(state.get("history") or []) + [
                {
                    "challengeName": "CUSTOM_CHALLENGE",
                    "challengeResult": bool(verify.get("answerCorrect")),
                    "challengeMetadata": state.get("challenge_metadata"),
                }
            ]
            return await self._custom_next(pool, client, user, history, metadata, auth_time)
        raise InvalidParameterException(f"Unsupported challenge {name}.")

    async def _retry(self, session: str, state: dict[str, Any], now: float) -> None:
        """A wrong MFA code: the session stays usable for two more tries."""
        state["tries"] = int(state.get("tries", 0)) + 1
        if state["tries"] < 3:
            await self.write(lambda tx: store.put_challenge(tx, session, state["pool"], now + 180, state))

    async def _new_password(
        self,
        pool: dict[str, Any],
        client: dict[str, Any],
        user: dict[str, Any],
        responses: dict[str, str],
        metadata: dict[str, str] | None,
        auth_time: float,
    ) -> dict[str, Any]:
        now = self.clock.now()
        password = _required(responses, "NEW_PASSWORD")
        clients.check_secret_hash(
            client, [responses.get("USERNAME", ""), user["username"]], responses.get("SECRET_HASH")
        )
        passwords.check_policy(password, pools.password_policy(pool))
        changes = {k[len("userAttributes.") :]: v for k, v in responses.items() if k.startswith("userAttributes.")}
        if changes:
            pools.check_attributes(pool, changes, creating=False, existing=user["attributes"])
        user["attributes"].update(changes)
        missing = [
            e["Name"]
            for e in pool["SchemaAttributes"]
            if e.get("Required") and e["Name"] != "sub" and not user["attributes"].get(e["Name"])
        ]
        if missing:
            raise InvalidParameterException(f"Missing required attribute {missing[0]}")
        user["password"] = await passwords.credentials(pool["Id"], user["username"], password)
        user["status"] = users.CONFIRMED
        user.pop("temporary_expires", None)
        await self.write(lambda tx: self._save_user(tx, pool, user, now))
        return await self._second_factor(pool, client, user, metadata, auth_time)
