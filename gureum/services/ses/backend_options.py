"""SesBackend, the options kept as settings (ses_settings): a configuration set's delivery, reputation, VDM and
archiving options and its tags; an email identity's tags, default configuration set and DKIM signing (Easy DKIM
or BYODKIM); the tags of contact lists and email templates. SES v1's operations and SES v2's (through the SesMail
port) call it; it imports no other service."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...clock import Clock
from ...store.base import Store, Tx
from . import notifications, store, store_extras
from .backend_extras import config_scope, list_scope, template_scope
from .backend_pools import POOL, pool_exists, pool_scope
from .errors import ConfigurationSetDoesNotExist, InvalidParameterValue, NotFound
from .identities import DOMAIN, PENDING, SUCCESS, candidates
from .tags import TAGS, check_tags

T = TypeVar("T")

# configuration-set options kept as settings, under SES v2's member names
CONFIG_OPTIONS = ("delivery", "reputation", "vdm", "archiving", "suppression_validation", "tags")
FRESH_START, DEFAULT_SET, DKIM = "fresh_start", "configuration_set", "dkim"


def check_delivery(tx: Tx, account: str, region: str, options: dict[str, Any]) -> None:
    """The sending pool must exist (AWS: "SendingPool <name> doesn't exist"): a built-in one or the account's."""
    pool = options.get("SendingPoolName")
    if pool is not None and not pool_exists(tx, account, region, pool):
        raise NotFound(f"SendingPool <{pool}> doesn't exist")


def check_private_key(key: str) -> None:
    """BYODKIM's DomainSigningPrivateKey: a base64-encoded 1024- or 2048-bit RSA private key (AWS API reference:
    DkimSigningAttributes), DER (PKCS#1 or PKCS#8)."""
    try:
        loaded = serialization.load_der_private_key(base64.b64decode(key, validate=True), password=None)
    except (binascii.Error, ValueError, TypeError, UnsupportedAlgorithm):
        loaded = None
    if not isinstance(loaded, rsa.RSAPrivateKey) or loaded.key_size not in (1024, 2048):
        raise InvalidParameterValue("The private key must be a base64-encoded 1024-bit or 2048-bit RSA private key.")


def default_configuration_set(tx: Tx, account: str, region: str, source: str) -> str | None:
    """The configuration set a send without one uses: the sending address's identity's default, else its domain's
    (AWS: a set named in the request takes precedence); read from the store's cache, as every send asks."""
    scopes = [notifications.identity_scope(n) for n in dict.fromkeys(candidates(source))]
    found = store_extras.first_setting(tx, account, region, scopes, DEFAULT_SET, cached=True)
    if not found or store.get_configuration_set(tx, account, region, found) is None:
        return None  # none, or deleted since: the send goes without one
    return str(found)


class OptionsBackend:
    """Mixed into SesBackend (which sets these attributes)."""

    store: Store
    clock: Clock
    auto_verify: bool

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        return await self.store.write(fn)

    # --- configuration sets -------------------------------------------------------------------------------------

    @staticmethod
    def _need_configuration_set(tx: Tx, account: str, region: str, name: str) -> tuple[bool, float]:
        found = store.get_configuration_set(tx, account, region, name)
        if found is None:
            raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
        return found

    async def set_configuration_set_sending(self, account: str, region: str, name: str, enabled: bool) -> None:
        """UpdateConfigurationSetSendingEnabled / PutConfigurationSetSendingOptions; sending enabled again after a
        pause is a fresh start of the set's reputation metrics (ReputationOptions.LastFreshStart)."""
        now = self.clock.now()

        def run(tx: Tx) -> None:
            was, _ = self._need_configuration_set(tx, account, region, name)
            store.set_configuration_set_sending(tx, account, region, name, enabled)
            if enabled and not was:
                store_extras.put_setting(tx, account, region, config_scope(name), FRESH_START, now)

        await self._write(run)

    def _put_options(self, tx: Tx, account: str, region: str, name: str, options: dict[str, Any]) -> None:
        scope = config_scope(name)
        for key, value in options.items():
            if key == "delivery" and value:
                check_delivery(tx, account, region, value)
            if key == TAGS and value is not None:
                check_tags(value)
            store_extras.put_setting(tx, account, region, scope, key, value)

    async def put_configuration_set_options(
        self, account: str, region: str, name: str, options: dict[str, Any], merge: bool = False
    ) -> None:
        """Some of CONFIG_OPTIONS (None removes one) of an existing configuration set; ``merge``: each a dict of
        members to set (None removes a member) into what is kept (SES v1's TlsPolicy beside v2's delivery options)."""

        def run(tx: Tx) -> None:
            self._need_configuration_set(tx, account, region, name)
            if merge:
                scope = config_scope(name)
                for key, value in list(options.items()):
                    kept = {**(store_extras.setting(tx, account, region, scope, key) or {}), **value}
                    options[key] = {k: v for k, v in kept.items() if v is not None} or None
            self._put_options(tx, account, region, name, options)

        await self._write(run)

    @staticmethod
    def configuration_set_options(tx: Tx, account: str, region: str, name: str) -> dict[str, Any]:
        scope = config_scope(name)
        out = {key: store_extras.setting(tx, account, region, scope, key) for key in CONFIG_OPTIONS}
        out[FRESH_START] = store_extras.setting(tx, account, region, scope, FRESH_START)
        return out

    # --- tags (SES v2's TagResource: configuration sets and email identities) -----------------------------------

    def _tag_scope(self, tx: Tx, account: str, region: str, arn: str) -> str:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "ses" or "/" not in parts[5]:
            raise InvalidParameterValue(f"Invalid resource ARN: {arn}")
        kind, name = parts[5].split("/", 1)
        if parts[3] == region and parts[4] == account:
            if kind == "configuration-set" and store.get_configuration_set(tx, account, region, name) is not None:
                return config_scope(name)
            if kind == "identity" and store.get_identity(tx, account, region, name) is not None:
                return notifications.identity_scope(name)
            if kind == "contact-list" and store_extras.contact_list(tx, account, region, name) is not None:
                return list_scope(name)
            if kind == "template" and store.get_template(tx, account, region, name) is not None:
                return template_scope(name)
            if kind == "dedicated-ip-pool" and store_extras.setting(tx, account, region, pool_scope(name), POOL):
                return pool_scope(name)
        raise NotFound(f"Resource not found: {arn}")

    async def resource_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        def run(tx: Tx) -> dict[str, str]:
            scope = self._tag_scope(tx, account, region, arn)
            return dict(store_extras.setting(tx, account, region, scope, TAGS) or {})

        return await self.store.read(run)

    async def scope_tags(self, account: str, region: str, scope: str) -> dict[str, str]:
        return dict(await self.store.read(lambda tx: store_extras.setting(tx, account, region, scope, TAGS)) or {})

    async def tag_resource(
        self, account: str, region: str, arn: str, add: dict[str, str], remove: list[str] | None = None
    ) -> None:
        def run(tx: Tx) -> None:
            scope = self._tag_scope(tx, account, region, arn)
            tags = dict(store_extras.setting(tx, account, region, scope, TAGS) or {})
            tags.update(add)
            for key in remove or []:
                tags.pop(key, None)
            check_tags(tags)
            store_extras.put_setting(tx, account, region, scope, TAGS, tags or None)

        await self._write(run)

    # --- email identities: tags, default configuration set, DKIM signing ------------------------------------------

    def _identity_options(self, tx: Tx, account: str, region: str, name: str, options: dict[str, Any]) -> None:
        scope = notifications.identity_scope(name)
        for key, value in options.items():
            if key == DEFAULT_SET and value is not None:
                self._need_configuration_set(tx, account, region, value)
            if key == TAGS and value is not None:
                check_tags(value)
            store_extras.put_setting(tx, account, region, scope, key, value)

    @staticmethod
    def identity_options(tx: Tx, account: str, region: str, name: str) -> dict[str, Any]:
        scope = notifications.identity_scope(name)
        return {key: store_extras.setting(tx, account, region, scope, key) for key in (TAGS, DEFAULT_SET, DKIM)}

    async def identity_settings(self, account: str, region: str, name: str) -> dict[str, Any]:
        """{"tags", "configuration_set", "dkim"} of an identity (None when not set)."""
        return await self.store.read(lambda tx: self.identity_options(tx, account, region, name))

    async def dkim_enabled(self, account: str, region: str, names: list[str]) -> dict[str, bool]:
        """Whether DKIM signing is on for each identity of ``names`` that has a setting for it."""

        def run(tx: Tx) -> dict[str, bool]:
            out = {}
            for name in names:
                doc = store_extras.setting(tx, account, region, notifications.identity_scope(name), DKIM) or {}
                if "enabled" in doc:
                    out[name] = bool(doc["enabled"])
            return out

        return await self.store.read(run)

    async def put_identity_options(self, account: str, region: str, name: str, options: dict[str, Any]) -> None:
        """Some of an identity's options: "tags", "configuration_set" (the default set; None clears it)."""

        def run(tx: Tx) -> None:
            if store.get_identity(tx, account, region, name) is None:
                raise NotFound(f"Email identity {name} does not exist.")
            self._identity_options(tx, account, region, name, options)

        await self._write(run)

    @staticmethod
    def dkim_signing(attributes: dict[str, Any] | None, origin: str, now: float) -> dict[str, Any]:
        """The identity's "dkim" setting for SES v2's SigningAttributesOrigin and DkimSigningAttributes:
        {"origin", "selector" (BYODKIM), "key_length" / "next_key_length" (Easy DKIM), "generated_at"}."""
        attributes = attributes or {}
        if origin == "EXTERNAL":
            selector, key = attributes.get("DomainSigningSelector"), attributes.get("DomainSigningPrivateKey")
            if not selector or not key:
                raise InvalidParameterValue(
                    "DomainSigningSelector and DomainSigningPrivateKey are required for EXTERNAL signing attributes."
                )
            check_private_key(key)
            # the key is kept to sign the domain's mail (dkim_signing); no answer shows it
            return {"origin": "EXTERNAL", "selector": selector, "private_key": key, "generated_at": now}
        if attributes.get("DomainSigningSelector") or attributes.get("DomainSigningPrivateKey"):
            raise InvalidParameterValue(
                "DomainSigningSelector and DomainSigningPrivateKey are only for EXTERNAL signing attributes."
            )
        length = attributes.get("NextSigningKeyLength") or "RSA_2048_BIT"
        return {"origin": origin, "key_length": length, "next_key_length": length, "generated_at": now}

    async def put_dkim_signing(
        self, account: str, region: str, name: str, origin: str, attributes: dict[str, Any] | None
    ) -> tuple[str, list[str]]:
        """PutEmailIdentityDkimSigningAttributes: BYODKIM (EXTERNAL: the selector is the one token, PENDING until
        the DNS stand-in finds it) or Easy DKIM (three new tokens, PENDING); (DKIM status, tokens)."""
        now = self.clock.now()

        def run(tx: Tx) -> tuple[str, list[str]]:
            identity = store.get_identity(tx, account, region, name)
            if identity is None:
                raise NotFound(f"Email identity {name} does not exist.")
            if identity.kind != DOMAIN:
                raise InvalidParameterValue(f"DKIM signing attributes apply to domain identities only: {name}")
            doc = self.dkim_signing(attributes, origin, now)
            old = store_extras.setting(tx, account, region, notifications.identity_scope(name), DKIM) or {}
            if "enabled" in old:
                doc["enabled"] = old["enabled"]
            if origin == "EXTERNAL":
                tokens: tuple[str, ...] = (doc["selector"],)
            else:
                tokens = tuple(secrets.token_hex(16) for _ in range(3))
            # the tokens changed: the DNS stand-in (or auto-verify) has to find the new records
            status = SUCCESS if identity.dkim_status == SUCCESS and tokens == identity.dkim_tokens else PENDING
            if self.auto_verify:
                status = SUCCESS
            store.put_identity(tx, replace(identity, dkim_tokens=tokens, dkim_status=status))
            self._identity_options(tx, account, region, name, {DKIM: doc})
            return status, list(tokens)

        return await self._write(run)

    async def set_dkim_enabled(self, account: str, region: str, name: str, enabled: bool, v1: bool) -> None:
        """SetIdentityDkimEnabled (v1: an identity that does not exist is InvalidParameterValue) and SES v2's
        PutEmailIdentityDkimAttributes (SigningEnabled)."""

        def run(tx: Tx) -> None:
            identity = store.get_identity(tx, account, region, name)
            if identity is None:
                if v1:
                    raise InvalidParameterValue(f"Identity {name} is invalid. Must be a verified domain or address.")
                raise NotFound(f"Email identity {name} does not exist.")
            if enabled and identity.kind != DOMAIN:
                # AWS: DKIM signing for an address needs its domain set up for DKIM
                domain = store.get_identity(tx, account, region, name.rpartition("@")[2])
                if domain is None or not domain.dkim_tokens:
                    raise InvalidParameterValue(
                        f"Cannot enable DKIM for {name}: its domain is not set up for DKIM signing."
                    )
            scope = notifications.identity_scope(name)
            doc = dict(store_extras.setting(tx, account, region, scope, DKIM) or {})
            doc["enabled"] = enabled
            store_extras.put_setting(tx, account, region, scope, DKIM, doc)

        await self._write(run)
