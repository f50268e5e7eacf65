"""SES identities (email addresses and domains): what one is, its verification and DKIM state, and AWS's rules for
telling them apart and for which identity covers an address. No HTTP, no SQL."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace

from .errors import InvalidParameterValue

EMAIL = "EmailAddress"
DOMAIN = "Domain"
# verification states as SES v1 names them; SES v2 answers them upper-cased (Success → SUCCESS)
PENDING = "Pending"
SUCCESS = "Success"
NOT_STARTED = "NotStarted"
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$", re.I)
SIMULATOR_DOMAIN = "simulator.amazonses.com"


@dataclass(frozen=True, slots=True)
class Identity:
    account: str
    region: str
    name: str
    kind: str  # EMAIL or DOMAIN
    status: str  # PENDING or SUCCESS
    token: str  # the verification link's token (address) or the TXT record's value (domain)
    dkim_tokens: tuple[str, ...]
    dkim_status: str  # NOT_STARTED, PENDING or SUCCESS
    created_at: float

    @property
    def verified(self) -> bool:
        return self.status == SUCCESS

    def verified_now(self) -> Identity:
        dkim = SUCCESS if self.dkim_tokens else self.dkim_status
        return replace(self, status=SUCCESS, dkim_status=dkim)


def kind_of(identity: str) -> str:
    """EMAIL for anything with an @, else DOMAIN; InvalidParameterValue for neither."""
    if "@" in identity:
        check_address(identity)
        return EMAIL
    if not _DOMAIN_RE.match(identity):
        raise InvalidParameterValue(f"Invalid domain name {identity}.")
    return DOMAIN


def check_address(address: str) -> str:
    """An address SES takes (local@domain); InvalidParameterValue with AWS's wording otherwise."""
    local, at, domain = address.rpartition("@")
    if not at or not domain:
        raise InvalidParameterValue("Missing final '@domain'")
    if not local:
        raise InvalidParameterValue(f"Local address contains control or whitespace: {address}")
    plain = address.isascii() and address.isprintable() and " " not in address  # no control or white space
    if not plain and any(c.isspace() or ord(c) < 32 for c in address):
        raise InvalidParameterValue(f"Local address contains control or whitespace: {address}")
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise InvalidParameterValue(f"Domain contains illegal character: {address}")
    return address


def check_no_controls(address: str) -> None:
    """A display-name address ('Name <a@b>') without control characters (a line break in a name would start a
    header of its own); InvalidParameterValue as AWS answers it otherwise."""
    if not address.isprintable() and any(ord(c) < 32 or c == "\x7f" for c in address):
        raise InvalidParameterValue(f"Local address contains control or whitespace: {address}")


def new_identity(account: str, region: str, name: str, kind: str, now: float, auto_verify: bool) -> Identity:
    token = secrets.token_urlsafe(24) if kind == EMAIL else secrets.token_urlsafe(33)[:44]
    dkim: tuple[str, ...] = ()
    dkim_status = NOT_STARTED
    if kind == DOMAIN:  # Easy DKIM: three CNAME tokens, as CreateEmailIdentity / VerifyDomainDkim hand out
        dkim = tuple(secrets.token_hex(16) for _ in range(3))
        dkim_status = PENDING
    status = PENDING
    if auto_verify:
        status, dkim_status = SUCCESS, (SUCCESS if dkim else dkim_status)
    return Identity(account, region, name, kind, status, token, dkim, dkim_status, now)


def candidates(address: str) -> list[str]:
    """The identities that may cover ``address``: itself and its domain (any case)."""
    domain = address.rpartition("@")[2].lower()
    return [address, address.lower(), domain] if domain else [address]


def is_simulator(address: str) -> bool:
    return address.rpartition("@")[2].lower() == SIMULATOR_DOMAIN


def covered(address: str, statuses: dict[str, str]) -> bool:
    """Whether a verified identity in ``statuses`` (identity → status) covers ``address``."""
    return any(statuses.get(name) == SUCCESS for name in candidates(address))


def upper_status(status: str) -> str:
    """SES v2's spelling of a verification status."""
    return {"Pending": "PENDING", "Success": "SUCCESS", "NotStarted": "NOT_STARTED"}.get(status, status.upper())
