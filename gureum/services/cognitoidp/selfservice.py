"""A user's own operations: SignUp → ConfirmSignUp (codes sent by e-mail or SMS, captured), ResendConfirmationCode,
ForgotPassword → ConfirmForgotPassword, and what an access token lets its user do (GetUser, attributes and their
verification, ChangePassword, DeleteUser, GlobalSignOut, RevokeToken, MFA preferences and TOTP tokens)."""

from __future__ import annotations

import uuid
from typing import Any

from ...store.base import Tx
from . import clients, passwords, pools, store, tokens, totp, users
from .core import Core
from .errors import (
    AliasExistsException,
    CodeMismatchException,
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
    UnsupportedTokenTypeException,
    bad_credentials,
    user_not_found,
)


class SelfService(Core):
    async def post_confirmation(
        self,
        pool: dict[str, Any],
        user: dict[str, Any],
        client_id: str | None,
        source: str,
        metadata: dict[str, str] | None,
    ) -> None:
        request = {"userAttributes": dict(user["attributes"]), "clientMetadata": metadata or {}}
        await self.trigger(pool, "PostConfirmation", source, user["username"], client_id, request)

    # --- sign-up -------------------------------------------------------------------------------------------------

    async def sign_up(
        self,
        client_id: str,
        username: str,
        password: str,
        secret_hash: str | None,
        attributes_in: list[dict[str, str]] | None,
        validation: list[dict[str, str]] | None,
        metadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        client, pool = await self.read(lambda tx: self._client_and_pool(tx, client_id))
        if (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise NotAuthorizedException("SignUp is not permitted for this user pool")
        clients.check_secret_hash(client, [username], secret_hash)
        attributes = self._pairs(attributes_in)
        writable = clients.writable(client)
        if writable is not None:
            for name in attributes:
                if name not in writable:
                    raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        name, attributes = self._username_for(pool, username, attributes)
        pools.check_attributes(pool, attributes, creating=True)
        passwords.check_policy(password, pools.password_policy(pool))
        sub = name if pool.get("UsernameAttributes") else str(uuid.uuid4())
        user = users.new_user(name, sub, attributes, users.UNCONFIRMED, now)
        pre = (
            await self.trigger(
                pool,
                "PreSignUp",
                "PreSignUp_SignUp",
                name,
                client_id,
                {
                    "userAttributes": dict(user["attributes"]),
                    "validationData": self._pairs(validation),
                    "clientMetadata": metadata or {},
                },
                {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
            )
            or {}
        )
        if pre.get("autoConfirmUser"):
            user["status"] = users.CONFIRMED
            if pre.get("autoVerifyEmail") and attributes.get("email"):
                user["attributes"]["email_verified"] = "true"
            if pre.get("autoVerifyPhone") and attributes.get("phone_number"):
                user["attributes"]["phone_number_verified"] = "true"
        user["password"] = await passwords.credentials(pool["Id"], name, password)
        send = None
        if user["status"] == users.UNCONFIRMED:
            auto = pool.get("AutoVerifiedAttributes") or []
            prefer = "phone_number" if "phone_number" in auto and attributes.get("phone_number") else "email"
            if (prefer == "email" and "email" in auto and attributes.get("email")) or prefer == "phone_number":
                medium, attribute, address = self.destination(pool, user, prefer)
                code = self.new_code()
                subject, text = await self.compose(pool, "SignUp", user, client_id, medium, code, metadata)
                users.put_code(user, "signup", code, now)
                send = (medium, attribute, address, code, subject, text)

        def run(tx: Tx) -> None:
            self._insert_user(tx, pool, user, now, case=True)
            if send is not None:
                self.record(tx, pool, user, "SignUp", send[0], send[2], send[3], send[4], send[5], now)

        await self.write(run)
        out: dict[str, Any] = {"UserConfirmed": user["status"] == users.CONFIRMED, "UserSub": sub}
        if send is not None:
            await self.mail(pool, send[0], send[2], send[4], send[5])
            out["CodeDeliveryDetails"] = self.delivery(send[0], send[1], send[2])
        if user["status"] == users.CONFIRMED:
            await self.post_confirmation(pool, user, client_id, "PostConfirmation_ConfirmSignUp", metadata)
        return out

    async def confirm_sign_up(
        self,
        client_id: str,
        username: str,
        code: str,
        secret_hash: str | None,
        force_alias: bool,
        metadata: dict[str, str] | None,
    ) -> None:
        now = self.clock.now()

        def run(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], Exception | None]:
            client, pool = self._client_and_pool(tx, client_id)
            user = self._user(tx, pool, username)
            clients.check_secret_hash(client, [username, user["username"]], secret_hash)
            if user["status"] != users.UNCONFIRMED:
                raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user['status']}")
            try:
                users.take_code(user, "signup", code, now)
            except Exception as error:  # failed tries are counted (committed) before answering
                self._save_user(tx, pool, user, now, aliases=False)
                return pool, user, error
            user["status"] = users.CONFIRMED
            auto = pool.get("AutoVerifiedAttributes") or []
            for kind in ("email", "phone_number"):
                if kind in auto and user["attributes"].get(kind):
                    user["attributes"][f"{kind}_verified"] = "true"
                    self._claim_alias(tx, pool, user, kind, force_alias)
            self._save_user(tx, pool, user, now)
            return pool, user, None

        pool, user, error = await self.write(run)
        if error is not None:
            raise error
        await self.post_confirmation(pool, user, client_id, "PostConfirmation_ConfirmSignUp", metadata)

    @staticmethod
    def _claim_alias(tx: Tx, pool: dict[str, Any], user: dict[str, Any], kind: str, force: bool) -> None:
        """A verified alias another user holds: AliasExistsException unless forced (then it moves)."""
        if kind not in (pool.get("AliasAttributes") or []):
            return
        owner = store.alias_owner(tx, pool["Id"], kind, users.normal(kind, user["attributes"][kind]))
        if owner is not None and owner != user["username"] and not force:
            raise AliasExistsException(
                "An account with the email already exists."
                if kind == "email"
                else "An account with the phone_number already exists."
            )
        if owner is not None and owner != user["username"]:
            other = store.get_user(tx, pool["Id"], owner)
            if other is not None:
                other["attributes"][f"{kind}_verified"] = "false"
                store.put_user(tx, pool["Id"], owner, other)

    async def resend_confirmation_code(
        self, client_id: str, username: str, secret_hash: str | None, metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()

        def find(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            client, pool = self._client_and_pool(tx, client_id)
            return client, pool, self._user(tx, pool, username)

        client, pool, user = await self.read(find)
        clients.check_secret_hash(client, [username, user["username"]], secret_hash)
        if user["status"] != users.UNCONFIRMED:
            raise InvalidParameterException("User is already confirmed.")
        medium, attribute, address = self.destination(pool, user)
        await self._send_code(pool, user, client_id, "ResendCode", "signup", medium, address, metadata, now)
        return {"CodeDeliveryDetails": self.delivery(medium, attribute, address)}

    async def _send_code(
        self,
        pool: dict[str, Any],
        user: dict[str, Any],
        client_id: str,
        trigger: str,
        purpose: str,
        medium: str,
        address: str,
        metadata: dict[str, str] | None,
        now: float,
    ) -> None:
        """A new code for `purpose` kept on the user, recorded and sent with the message the trigger composes."""
        code = self.new_code()
        subject, text = await self.compose(pool, trigger, user, client_id, medium, code, metadata)

        def run(tx: Tx) -> None:
            current = self._user(tx, pool, user["username"])
            users.put_code(current, purpose, code, now)
            self._save_user(tx, pool, current, now, aliases=False)
            self.record(tx, pool, current, trigger, medium, address, code, subject, text, now)

        await self.write(run)
        await self.mail(pool, medium, address, subject, text)

    # --- forgotten passwords -------------------------------------------------------------------------------------

    async def forgot_password(
        self, client_id: str, username: str, secret_hash: str | None, metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()

        def find(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
            client, pool = self._client_and_pool(tx, client_id)
            return client, pool, self._find_user(tx, pool, username)

        client, pool, user = await self.read(find)
        if user is None:
            if clients.prevents_existence_errors(client):  # a plausible answer that reveals nothing
                return {
                    "CodeDeliveryDetails": {
                        "Destination": "u***@e***",
                        "DeliveryMedium": "EMAIL",
                        "AttributeName": "email",
                    }
                }
            raise user_not_found()
        clients.check_secret_hash(client, [username, user["username"]], secret_hash)
        if not user["enabled"]:
            raise NotAuthorizedException("User is disabled.")
        attrs = user["attributes"]
        medium, attribute, address = "", "", ""
        for kind in ("email", "phone_number"):
            if attrs.get(kind) and attrs.get(f"{kind}_verified") == "true":
                medium, attribute, address = ("EMAIL" if kind == "email" else "SMS"), kind, attrs[kind]
                break
        if not medium:
            raise InvalidParameterException(
                "Cannot reset password for the user as there is no registered/verified email or phone_number"
            )
        await self._send_code(pool, user, client_id, "ForgotPassword", "reset", medium, address, metadata, now)
        return {"CodeDeliveryDetails": self.delivery(medium, attribute, address)}

    async def confirm_forgot_password(
        self,
        client_id: str,
        username: str,
        code: str,
        password: str,
        secret_hash: str | None,
        metadata: dict[str, str] | None,
    ) -> None:
        now = self.clock.now()
        client, pool = await self.read(lambda tx: self._client_and_pool(tx, client_id))
        user = await self.read(lambda tx: self._user(tx, pool, username))
        clients.check_secret_hash(client, [username, user["username"]], secret_hash)
        passwords.check_policy(password, pools.password_policy(pool))
        credentials = await passwords.credentials(pool["Id"], user["username"], password)

        def run(tx: Tx) -> Exception | None:
            current = self._user(tx, pool, user["username"])
            try:
                users.take_code(current, "reset", code, now)
            except Exception as error:
                self._save_user(tx, pool, current, now, aliases=False)
                return error
            current["password"] = credentials
            if current["status"] in (users.RESET_REQUIRED, users.FORCE_CHANGE_PASSWORD):
                current["status"] = users.CONFIRMED
            users.succeeded(current)
            self._save_user(tx, pool, current, now, aliases=False)
            return None

        error = await self.write(run)
        if error is not None:
            raise error
        if user["status"] == users.UNCONFIRMED:
            return
        await self.post_confirmation(pool, user, client_id, "PostConfirmation_ConfirmForgotPassword", metadata)

    # --- with an access token ------------------------------------------------------------------------------------

    async def _access(self, token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(pool, user, claims, client) of a valid, unrevoked access token that may act for its user."""
        pool, user, claims, client = await self._access_checked(token)
        if "aws.cognito.signin.user.admin" not in str(claims.get("scope", "")).split():
            raise NotAuthorizedException("Access Token does not have required scopes")
        return pool, user, claims, client

    async def _access_checked(
        self, token: str
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(pool, user, claims, client) of a valid, unrevoked access token of an enabled user, whatever its scopes."""
        pool_id, claims = await self.verified_claims(token, "access")

        def run(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
            pool = store.get_pool(tx, pool_id)
            if pool is None:
                raise NotAuthorizedException("Invalid Access Token")
            jti = claims.get("origin_jti")
            found = store.session(tx, str(jti)) if jti else None
            if found is not None and found[5]:
                raise NotAuthorizedException("Access Token has been revoked")
            user = store.get_user(tx, pool_id, str(claims.get("username", "")))
            if user is None or user["sub"] != claims.get("sub"):
                raise NotAuthorizedException("User does not exist.")
            if not user["enabled"]:
                raise NotAuthorizedException("User is disabled.")
            client = store.get_client(tx, str(claims.get("client_id"))) or {}
            return pool, user, client

        pool, user, client = await self.read(run)
        return pool, user, claims, client

    async def get_user(self, token: str) -> dict[str, Any]:
        _, user, _, client = await self._access(token)
        return users.self_view(user, clients.readable(client))

    async def update_user_attributes(
        self, token: str, items: list[dict[str, str]], metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        pool, user, _, client = await self._access(token)
        changes = self._pairs(items)
        writable = clients.writable(client)
        for name in changes:
            if writable is not None and name not in writable:
                raise NotAuthorizedException("A client attempted to write unauthorized attribute")
            if name.endswith("_verified"):
                raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        pools.check_attributes(pool, changes, creating=False, existing=user["attributes"])
        auto = pool.get("AutoVerifiedAttributes") or []
        sends = []
        for kind in ("email", "phone_number"):
            if kind in changes and changes[kind] != user["attributes"].get(kind):
                user["attributes"][f"{kind}_verified"] = "false"
                if kind in auto:
                    code = self.new_code()
                    user["attributes"][kind] = changes[kind]
                    medium = "EMAIL" if kind == "email" else "SMS"
                    subject, text = await self.compose(
                        pool, "UpdateUserAttribute", user, client.get("ClientId"), medium, code, metadata
                    )
                    users.put_code(user, f"verify:{kind}", code, now)
                    sends.append((medium, kind, changes[kind], code, subject, text))
        user["attributes"].update(changes)

        def run(tx: Tx) -> None:
            self._save_user(tx, pool, user, now)
            for medium, _, address, code, subject, text in sends:
                self.record(tx, pool, user, "UpdateUserAttribute", medium, address, code, subject, text, now)

        await self.write(run)
        for medium, _, address, _, subject, text in sends:
            await self.mail(pool, medium, address, subject, text)
        return {"CodeDeliveryDetailsList": [self.delivery(m, k, a) for m, k, a, *_ in sends]}

    async def delete_user_attributes(self, token: str, names: list[str]) -> None:
        now = self.clock.now()
        pool, user, _, _ = await self._access(token)
        schema = {e["Name"]: e for e in pool["SchemaAttributes"]}
        for name in names:
            if name in schema and schema[name].get("Required"):
                raise InvalidParameterException(f"Cannot delete the required attribute {name}")
            user["attributes"].pop(name, None)
        await self.write(lambda tx: self._save_user(tx, pool, user, now))

    async def get_user_attribute_verification_code(
        self, token: str, attribute: str, metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        pool, user, _, client = await self._access(token)
        if attribute not in ("email", "phone_number") or not user["attributes"].get(attribute):
            raise InvalidParameterException(f"User has no attribute matching {attribute}")
        medium = "EMAIL" if attribute == "email" else "SMS"
        address = user["attributes"][attribute]
        code = self.new_code()
        subject, text = await self.compose(
            pool, "VerifyUserAttribute", user, client.get("ClientId"), medium, code, metadata
        )
        users.put_code(user, f"verify:{attribute}", code, now)

        def run(tx: Tx) -> None:
            self._save_user(tx, pool, user, now, aliases=False)
            self.record(tx, pool, user, "VerifyUserAttribute", medium, address, code, subject, text, now)

        await self.write(run)
        await self.mail(pool, medium, address, subject, text)
        return {"CodeDeliveryDetails": self.delivery(medium, attribute, address)}

    async def verify_user_attribute(self, token: str, attribute: str, code: str) -> None:
        now = self.clock.now()
        pool, user, _, _ = await self._access(token)

        def run(tx: Tx) -> Exception | None:
            current = self._user(tx, pool, user["username"])
            try:
                users.take_code(current, f"verify:{attribute}", code, now)
            except Exception as error:
                self._save_user(tx, pool, current, now, aliases=False)
                return error
            current["attributes"][f"{attribute}_verified"] = "true"
            self._claim_alias(tx, pool, current, attribute, False)
            self._save_user(tx, pool, current, now)
            return None

        error = await self.write(run)
        if error is not None:
            raise error

    async def change_password(self, token: str, previous: str | None, proposed: str) -> None:
        now = self.clock.now()
        pool, user, _, _ = await self._access(token)
        users.check_lockout(user, now)
        if not await self.password_matches(pool["Id"], user, previous or ""):
            users.failed(user, now)
            await self.write(lambda tx: self._save_user(tx, pool, user, now, aliases=False))
            raise bad_credentials()
        passwords.check_policy(proposed, pools.password_policy(pool))
        user["password"] = await passwords.credentials(pool["Id"], user["username"], proposed)
        users.succeeded(user)
        await self.write(lambda tx: self._save_user(tx, pool, user, now, aliases=False))

    async def delete_user(self, token: str) -> None:
        pool, user, _, _ = await self._access(token)
        await self.write(lambda tx: store.delete_user(tx, pool["Id"], user["username"]))

    async def global_sign_out(self, token: str) -> None:
        pool, user, _, _ = await self._access(token)
        await self.write(lambda tx: store.revoke_user_sessions(tx, pool["Id"], user["username"]))

    async def revoke_token(self, token: str, client_id: str, secret: str | None) -> None:
        def run(tx: Tx) -> None:
            client, _ = self._client_and_pool(tx, client_id)
            if client.get("ClientSecret") and client["ClientSecret"] != secret:
                raise NotAuthorizedException(
                    f"Client {client_id} is configured with secret but secret was not received"
                    if not secret
                    else "Invalid client secret"
                )
            if not client.get("EnableTokenRevocation", True):
                raise UnsupportedTokenTypeException("Token revocation is not enabled for this client.")
            jti = store.session_by_refresh(tx, tokens.refresh_hash(token))
            if jti is None:
                raise UnsupportedTokenTypeException("Unsupported token type or token was not issued by this pool.")
            found = store.session(tx, jti)
            if found is not None and found[2] != client_id:
                raise NotAuthorizedException("Refresh token was not issued to this client.")
            store.revoke_session(tx, jti)

        await self.write(run)

    # --- MFA -----------------------------------------------------------------------------------------------------

    @staticmethod
    def apply_mfa_preference(user: dict[str, Any], sms: dict[str, Any] | None, software: dict[str, Any] | None) -> None:
        mfa = user.setdefault("mfa", {})
        if software is not None:
            if software.get("Enabled") and not mfa.get("totp_verified"):
                raise InvalidParameterException("User has not verified software token mfa")
            mfa["SOFTWARE_TOKEN_MFA"] = bool(software.get("Enabled"))
            if software.get("PreferredMfa"):
                mfa["preferred"] = "SOFTWARE_TOKEN_MFA"
        if sms is not None:
            if sms.get("Enabled") and not user["attributes"].get("phone_number"):
                raise InvalidParameterException("User does not have a phone number for SMS MFA.")
            mfa["SMS_MFA"] = bool(sms.get("Enabled"))
            if sms.get("PreferredMfa"):
                mfa["preferred"] = "SMS_MFA"
        if mfa.get("preferred") and not mfa.get(mfa["preferred"]):
            mfa.pop("preferred")

    async def set_user_mfa_preference(
        self, token: str, sms: dict[str, Any] | None, software: dict[str, Any] | None
    ) -> None:
        now = self.clock.now()
        pool, user, _, _ = await self._access(token)
        self.apply_mfa_preference(user, sms, software)
        await self.write(lambda tx: self._save_user(tx, pool, user, now, aliases=False))

    async def associate_software_token(self, token: str | None, session: str | None) -> dict[str, Any]:
        """A new TOTP secret for the user (by access token, or by the Session of an MFA_SETUP challenge)."""
        now = self.clock.now()
        secret = totp.new_secret()
        if token:
            pool, user, _, _ = await self._access(token)
            user.setdefault("mfa", {})["totp_secret"] = secret
            user["mfa"]["totp_verified"] = False
            await self.write(lambda tx: self._save_user(tx, pool, user, now, aliases=False))
            return {"SecretCode": secret}
        state = await self.write(lambda tx: store.take_challenge(tx, session or "", now))
        if state is None:
            raise NotAuthorizedException("Invalid session for the user, session is expired.")
        state["totp_secret"] = secret
        new_session = self.new_session()
        await self.write(lambda tx: store.put_challenge(tx, new_session, state["pool"], now + 180, state))
        return {"SecretCode": secret, "Session": new_session}

    async def verify_software_token(
        self, token: str | None, session: str | None, code: str, device: str | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        if token:
            pool, user, _, _ = await self._access(token)
            secret = (user.get("mfa") or {}).get("totp_secret")
            if not secret:
                raise SoftwareTokenMFANotFoundException("Software Token MFA has not been associated with the user.")
            if not totp.verify(secret, code, now):
                raise EnableSoftwareTokenMFAException("Code mismatch")
            user["mfa"]["totp_verified"] = True
            await self.write(lambda tx: self._save_user(tx, pool, user, now, aliases=False))
            return {"Status": "SUCCESS"}
        state = await self.write(lambda tx: store.take_challenge(tx, session or "", now))
        if state is None or not state.get("totp_secret"):
            raise NotAuthorizedException("Invalid session for the user, session is expired.")
        if not totp.verify(state["totp_secret"], code, now):
            raise CodeMismatchException("Invalid code received for user")
        state["totp_verified"] = True
        new_session = self.new_session()
        await self.write(lambda tx: store.put_challenge(tx, new_session, state["pool"], now + 180, state))
        return {"Status": "SUCCESS", "Session": new_session}
