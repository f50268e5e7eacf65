"""What every part of the user-pool backend shares: finding pools, clients and users (by username or alias),
signing keys (cached per node, the newest signs), sealed values (SRP secret blocks), codes sent to users (captured,
and mailed through SES when the pool sends with the developer's SES identity), and Lambda triggers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ...aws.errors import ServiceError
from ...ports import SesMail
from ...runtime import Runtime
from ...store.base import Tx
from . import clients, passwords, store, tokens, totp, triggers, users
from .errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UsernameExistsException,
    client_not_found,
    pool_not_found,
    user_not_found,
)

T = TypeVar("T")
log = logging.getLogger("gureum.cognito")
KEY_CACHE_SECONDS = 30.0
_MAX_VERIFIED = 100_000  # users whose verified password a node remembers
# the messages AWS sends when the pool sets none
DEFAULT_MESSAGES = {
    "SignUp": ("Your verification code", "Your verification code is {####}. "),
    "ResendCode": ("Your verification code", "Your verification code is {####}. "),
    "ForgotPassword": ("Your verification code", "Your password reset code is {####}. "),
    "UpdateUserAttribute": ("Your verification code", "Your verification code is {####}. "),
    "VerifyUserAttribute": ("Your verification code", "Your verification code is {####}. "),
    "Authentication": ("Your authentication code", "Your authentication code is {####}. "),
    "AdminCreateUser": ("Your temporary password", "Your username is {username} and temporary password is {####}. "),
}


class Core:
    """State and helpers the backend's parts share (they subclass it)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        key = hashlib.sha256(f"cognito-idp:{runtime.deployment_secret}".encode()).digest()
        self._box = AESGCM(key)
        self._keys: dict[str, tuple[float, list[tuple[str, float, str]]]] = {}
        # passwords this node verified against a user's current scrypt hash, as HMACs under a key that lives only in
        # this process: the same password again is checked in microseconds; anything else (a wrong password, a
        # changed one, another node) still pays the scrypt check, so guessing stays slow
        self._verified_key = secrets.token_bytes(32)
        self._verified: dict[tuple[str, str, str], bytes] = {}

    def forget(self) -> None:
        self._keys.clear()
        self._verified.clear()

    async def password_matches(self, pool_id: str, user: dict[str, Any], password: str) -> bool:
        """Does ``password`` match the user's stored hash (scrypt, or this node's record of a verified match)?"""
        stored = user.get("password")
        if not stored or not stored.get("hash"):
            return False
        key = (pool_id, str(user["username"]), str(stored["hash"]))
        tag = hmac.new(self._verified_key, password.encode(), hashlib.sha256).digest()
        known = self._verified.get(key)
        if known is not None and hmac.compare_digest(known, tag):
            return True
        if not await passwords.matches(password, stored):
            return False
        if len(self._verified) >= _MAX_VERIFIED:
            self._verified.clear()
        self._verified[key] = tag
        return True

    # --- finding things ------------------------------------------------------------------------------------------

    @staticmethod
    def _pool(tx: Tx, pool_id: str, account: str | None = None) -> dict[str, Any]:
        pool = store.get_pool(tx, pool_id)
        if pool is None or (account is not None and pool["_account"] != account):
            raise pool_not_found(pool_id)
        return pool

    @staticmethod
    def _client(tx: Tx, client_id: str, pool_id: str | None = None) -> dict[str, Any]:
        client = store.get_client(tx, client_id)
        if client is None or (pool_id is not None and client["UserPoolId"] != pool_id):
            raise client_not_found(client_id)
        return client

    @classmethod
    def _client_and_pool(
        cls, tx: Tx, client_id: str, admin_pool: str | None = None, account: str | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The app client and its pool; an admin operation names the pool (of its account) the client must be in."""
        if admin_pool is not None:
            named = cls._pool(tx, admin_pool, account)
            return cls._client(tx, client_id, admin_pool), named
        client = store.get_client(tx, client_id)
        if client is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        pool = store.get_pool(tx, client["UserPoolId"])
        if pool is None:
            raise client_not_found(client_id)
        return client, pool

    @staticmethod
    def _find_user(tx: Tx, pool: dict[str, Any], name: str) -> dict[str, Any] | None:
        """A user by username, or by an alias (e-mail address, phone number, preferred username), or by sub."""
        key = name if pool and users_case_sensitive(pool) else name.lower()
        found = store.get_user(tx, pool["Id"], key)
        if found is not None:
            return found
        for kind in ("email", "phone_number", "preferred_username"):
            owner = store.alias_owner(tx, pool["Id"], kind, users.normal(kind, name))
            if owner is not None:
                return store.get_user(tx, pool["Id"], owner)
        return store.user_by_sub(tx, pool["Id"], name) if len(name) == 36 and name.count("-") == 4 else None

    def _user(self, tx: Tx, pool: dict[str, Any], name: str) -> dict[str, Any]:
        found = self._find_user(tx, pool, name)
        if found is None:
            raise user_not_found()
        return found

    @staticmethod
    def _save_user(tx: Tx, pool: dict[str, Any], user: dict[str, Any], now: float, aliases: bool = True) -> None:
        user["modified"] = now
        store.put_user(tx, pool["Id"], user["username"], user)
        if aliases:
            store.set_aliases(tx, pool["Id"], user["username"], users.aliases(user, pool))

    @staticmethod
    def _pairs(items: list[dict[str, str]] | None) -> dict[str, str]:
        return {a["Name"]: a.get("Value", "") for a in items or []}

    @staticmethod
    def _username_for(pool: dict[str, Any], given: str, attributes: dict[str, str]) -> tuple[str, dict[str, str]]:
        """With UsernameAttributes the given name is an e-mail address or phone number, and the username is a new
        UUID; otherwise the given name (lower-cased in a case-insensitive pool)."""
        kinds = pool.get("UsernameAttributes") or []
        if not kinds:
            if "@" in given and "email" in (pool.get("AliasAttributes") or []):
                raise InvalidParameterException(
                    "Username cannot be of email format, since user pool is configured for email alias."
                )
            return (given if users_case_sensitive(pool) else given.lower()), attributes
        if "@" in given and "email" in kinds:
            attributes = {**attributes, "email": attributes.get("email") or given}
        elif given.startswith("+") and "phone_number" in kinds:
            attributes = {**attributes, "phone_number": attributes.get("phone_number") or given}
        else:
            wanted = " or ".join("email" if k == "email" else "phone number" for k in kinds)
            raise InvalidParameterException(f"Username should be either an {wanted}.".replace("an phone", "a phone"))
        return str(uuid.uuid4()), attributes

    def _insert_user(self, tx: Tx, pool: dict[str, Any], user: dict[str, Any], now: float, case: bool) -> None:
        pool_id = pool["Id"]
        if store.get_user(tx, pool_id, user["username"]) is not None:
            raise UsernameExistsException("User account already exists" if not case else "User already exists")
        for kind, value in users.aliases(user, pool).items():
            if kind in (pool.get("UsernameAttributes") or []) and store.alias_owner(tx, pool_id, kind, value):
                label = "email" if kind == "email" else "phone_number"
                raise UsernameExistsException(f"An account with the given {label} already exists.")
        store.insert_user(tx, pool_id, user["username"], user["sub"], now, user)
        store.set_aliases(tx, pool_id, user["username"], users.aliases(user, pool))

    # --- signing keys --------------------------------------------------------------------------------------------

    async def new_signing_key(self, pool_id: str) -> str:
        """Add a signing key (the newest signs from now on; older ones keep verifying until removed)."""
        kid, pem = await asyncio.to_thread(tokens.new_key)
        now = self.clock.now()
        await self.store.write(lambda tx: store.insert_key(tx, pool_id, kid, now, pem))
        self._keys.pop(pool_id, None)
        return kid

    async def signing_keys(self, pool_id: str, refresh: bool = False) -> list[tuple[str, float, str]]:
        now = self.clock.monotonic()
        cached = self._keys.get(pool_id)
        if cached is not None and not refresh and now - cached[0] < KEY_CACHE_SECONDS:
            return cached[1]
        found = await self.store.read(lambda tx: store.keys(tx, pool_id))
        self._keys[pool_id] = (now, found)
        return found

    async def jwks(self, pool_id: str) -> dict[str, Any] | None:
        found = await self.signing_keys(pool_id)
        if not found:
            exists = await self.store.read(lambda tx: store.get_pool(tx, pool_id))
            if exists is None:
                return None
        return {"keys": [tokens.jwk(kid, pem) for kid, _, pem in found]}

    async def verified_claims(self, token: str, use: str | None = None) -> tuple[str, dict[str, Any]]:
        """(pool id, claims) of a token this server signed that has not expired; NotAuthorizedException else."""
        kind = "Access" if use == "access" else "Id" if use == "id" else ""
        parsed = tokens.parse(token)
        pool_id = tokens.pool_of_issuer(str(parsed.claims.get("iss", ""))) if parsed else None
        if parsed is None or pool_id is None:
            raise NotAuthorizedException(f"Invalid {kind} Token".replace("  ", " "))
        found = await self.signing_keys(pool_id)
        pem = next((p for k, _, p in found if k == parsed.kid), None)
        if pem is None:
            found = await self.signing_keys(pool_id, refresh=True)
            pem = next((p for k, _, p in found if k == parsed.kid), None)
        if pem is None or not tokens.signature_holds(parsed, pem):
            raise NotAuthorizedException(f"Invalid {kind} Token".replace("  ", " "))
        if use is not None and parsed.claims.get("token_use") != use:
            raise NotAuthorizedException(f"Invalid {kind} Token")
        if float(parsed.claims.get("exp", 0)) <= self.clock.now():
            raise NotAuthorizedException(f"{kind} Token has expired".strip())
        return pool_id, parsed.claims

    # --- sealed values -------------------------------------------------------------------------------------------

    def seal(self, doc: dict[str, Any]) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._box.encrypt(nonce, json.dumps(doc, separators=(",", ":")).encode(), b"cognito")

    def unseal(self, blob: bytes) -> dict[str, Any] | None:
        try:
            doc = json.loads(self._box.decrypt(blob[:12], blob[12:], b"cognito"))
        except (InvalidTag, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    def unseal_text(self, text: str) -> dict[str, Any] | None:
        try:
            return self.unseal(base64.b64decode(text, validate=True))
        except ValueError:
            return None

    # --- triggers ------------------------------------------------------------------------------------------------

    async def trigger(
        self,
        pool: dict[str, Any],
        name: str,
        source: str,
        username: str,
        client_id: str | None,
        request: dict[str, Any],
        response: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        if triggers.function_of(pool, name) is None:
            return None
        doc = triggers.event(pool, source, username, client_id, request, response)
        return await triggers.invoke(self.runtime, pool, name, doc)

    # --- codes and messages --------------------------------------------------------------------------------------

    async def compose(
        self,
        pool: dict[str, Any],
        purpose: str,
        user: dict[str, Any],
        client_id: str | None,
        medium: str,
        code: str,
        metadata: dict[str, str] | None,
    ) -> tuple[str, str]:
        """(subject, text) of a message carrying ``code``: the pool's templates, or the CustomMessage trigger's."""
        subject, text = DEFAULT_MESSAGES[purpose]
        template = pool.get("VerificationMessageTemplate") or {}
        if purpose in ("SignUp", "ResendCode", "UpdateUserAttribute", "VerifyUserAttribute", "ForgotPassword"):
            if medium == "EMAIL":
                text = template.get("EmailMessage") or pool.get("EmailVerificationMessage") or text
                subject = template.get("EmailSubject") or pool.get("EmailVerificationSubject") or subject
            else:
                text = template.get("SmsMessage") or pool.get("SmsVerificationMessage") or text
        elif purpose == "AdminCreateUser":
            invite = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
            text = (invite.get("EmailMessage") if medium == "EMAIL" else invite.get("SMSMessage")) or text
            subject = invite.get("EmailSubject") or subject
        elif purpose == "Authentication":
            text = pool.get("SmsAuthenticationMessage") or text
        custom = await self.trigger(
            pool,
            "CustomMessage",
            f"CustomMessage_{purpose}",
            user["username"],
            client_id,
            {
                "userAttributes": dict(user["attributes"]),
                "codeParameter": "{####}",
                "usernameParameter": "{username}" if purpose == "AdminCreateUser" else None,
                "linkParameter": "{##Click Here##}",
                "clientMetadata": metadata or {},
            },
            {"smsMessage": None, "emailMessage": None, "emailSubject": None},
        )
        if custom:
            if medium == "EMAIL" and custom.get("emailMessage"):
                text = str(custom["emailMessage"])
                subject = str(custom.get("emailSubject") or subject)
            elif medium == "SMS" and custom.get("smsMessage"):
                text = str(custom["smsMessage"])
        return subject, text.replace("{####}", code).replace("{username}", user["username"])

    @staticmethod
    def destination(pool: dict[str, Any], user: dict[str, Any], prefer: str | None = None) -> tuple[str, str, str]:
        """(medium, attribute, address) a code goes to; InvalidParameterException when the user has none."""
        attrs = user["attributes"]
        order = [prefer] if prefer else []
        order += ["email", "phone_number"]
        for name in order:
            if name and attrs.get(name):
                return ("EMAIL" if name == "email" else "SMS"), name, attrs[name]
        raise InvalidParameterException(
            "Cannot send a code to the user as there is no registered/verified email or phone_number"
        )

    @staticmethod
    def record(
        tx: Tx,
        pool: dict[str, Any],
        user: dict[str, Any],
        kind: str,
        medium: str,
        address: str,
        code: str | None,
        subject: str,
        text: str,
        now: float,
    ) -> None:
        message = f"{subject}\n\n{text}" if medium == "EMAIL" else text
        store.insert_message(tx, pool["Id"], user["username"], kind, medium, address, code, message, now)

    async def mail(self, pool: dict[str, Any], medium: str, address: str, subject: str, text: str) -> None:
        """After commit: a pool that sends with the developer's SES identity sends the e-mail through SES too."""
        config = pool.get("EmailConfiguration") or {}
        ses = self.runtime.optional_port(SesMail)
        if medium != "EMAIL" or config.get("EmailSendingAccount") != "DEVELOPER" or ses is None:
            return
        source = config.get("From") or config.get("SourceArn", "").rsplit("/", 1)[-1]
        message = {
            "source": source,
            "to": [address],
            "cc": [],
            "bcc": [],
            "reply_to": [],
            "subject": subject,
            "text": text,
            "source_arn": config.get("SourceArn"),
        }
        try:
            await ses.send(pool["_account"], pool["_region"], message, config.get("ConfigurationSet"), {})
        except ServiceError as error:  # the code stays readable at /_gureum/cognito/codes
            log.warning("cognito: SES did not send to %s: %s %s", address, error.code, error.message)

    @staticmethod
    def delivery(medium: str, attribute: str, address: str) -> dict[str, str]:
        return {"Destination": users.masked(medium, address), "DeliveryMedium": medium, "AttributeName": attribute}

    @staticmethod
    def new_session() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(96)).decode()

    @staticmethod
    def new_code() -> str:
        return totp.random_code()

    async def write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    async def read(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.read(fn)


def users_case_sensitive(pool: dict[str, Any]) -> bool:
    return bool((pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def client_allows(client: dict[str, Any], flow: str) -> bool:
    return clients.allows(client, flow)
