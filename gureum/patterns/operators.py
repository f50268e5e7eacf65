"""The value tests one element of a pattern array compiles to, and the IP/number rules behind them.

Each term answers ``matches(value)`` for one leaf value of an event (str, int, float, bool or None).
Semantics follow event-ruler, the engine behind EventBridge and SNS: string operators see only strings,
numeric operators only JSON numbers inside the comparable range, the ``anything-but`` family matches every
leaf that is not excluded (numbers, booleans and null included). Imports nothing from gureum.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from .wildcard import Glob

Number = int | float

# event-ruler's Constants.IPv4_REGEX / IPv6_REGEX: only strings shaped like these are treated as addresses.
_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:")  # IPv6_REGEX is [0-9a-fA-F:]*:[0-9a-fA-F:]*
_MAX_IPV6 = 39  # the longest IPv6 literal without an embedded IPv4 address (which the regex excludes)
_JAVA_INT = re.compile(r"[+-]?[0-9]+")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def fold(text: str) -> str:
    """Case folding for the ``equals-ignore-case`` family (event-ruler maps each character to its lower and upper
    case)."""
    return text.lower()


def java_double(value: float) -> str:
    """``Double.toString`` for the round limits used in messages (5.0E9, 1.0E9)."""
    mantissa, exponent = f"{value:.15e}".split("e")
    digits = mantissa.rstrip("0")
    return f"{digits}0E{int(exponent)}" if digits.endswith(".") else f"{digits}E{int(exponent)}"


def comparable(value: Number, limit: float) -> bool:
    return -limit <= value <= limit


def check_comparable(value: Number, limit: float) -> None:
    """ComparableNumber.generate: numbers outside +-limit cannot take part in numeric matching."""
    if not comparable(value, limit):
        raise ValueError(f"Value must be between {java_double(-limit)} and {java_double(limit)}, inclusive")


def _ipv6_shaped(text: str) -> bool:
    """IPv6_REGEX's fullmatch without a regex ("[...]*:[...]*" backtracks quadratically on runs of colons)."""
    return ":" in text and _IPV6_CHARS.issuperset(text)


def parse_ip(text: str) -> tuple[int, int] | None:
    """(bits, address) for strings event-ruler accepts as IPv4/IPv6 literals, else None."""
    if _IPV4.fullmatch(text):
        parts = [int(part.lstrip("0") or "0") if len(part.lstrip("0")) <= 3 else 256 for part in text.split(".")]
        if any(part > 255 for part in parts):
            return None
        return 32, parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    if len(text) <= _MAX_IPV6 and _ipv6_shaped(text):
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            return None
        # Java's InetAddress turns IPv4-mapped IPv6 literals into IPv4 addresses.
        if address.ipv4_mapped is not None:
            return 32, int(address.ipv4_mapped)
        return 128, int(address)
    return None


def cidr_bounds(text: str) -> tuple[int, int, int]:
    """(bits, low, high) for a ``cidr`` operand, raising ValueError with event-ruler's CIDR.java messages.

    Quirk kept from event-ruler: the range starts at the address as written, not at the network address,
    so "10.0.0.5/24" covers 10.0.0.5-10.0.0.255."""
    parts = text.split("/")
    while parts and parts[-1] == "":  # Java's String.split drops trailing empty strings
        parts.pop()
    if len(parts) != 2:
        raise ValueError("Malformed CIDR, one '/' required")
    if (
        not _JAVA_INT.fullmatch(parts[1])
        or len(parts[1].lstrip("+-").lstrip("0")) > 10
        or not -(2**31) <= int(parts[1]) < 2**31
    ):
        raise ValueError("Malformed CIDR, mask bits must be an integer")
    mask = int(parts[1])
    if mask < 0:
        raise ValueError("Malformed CIDR, mask bits must not be negative")
    address = parts[0]
    if not (_IPV4.fullmatch(address) or _ipv6_shaped(address)):
        raise ValueError(f"Nonstandard IP address: {address}")
    parsed = parse_ip(address)
    if parsed is None:
        raise ValueError(f"Invalid IP address: {address}")
    bits, value = parsed
    if bits == 32 and mask > 31:
        raise ValueError("IPv4 mask bits must be < 32")
    if bits == 128 and mask > 127:
        raise ValueError("IPv6 mask bits must be < 128")
    return bits, value, value | ((1 << (bits - mask)) - 1)


@dataclass(frozen=True, slots=True)
class ExactString:
    value: str
    ip: tuple[int, int] | None  # an address-shaped pattern string matches the same address however written

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return value == self.value or (self.ip is not None and parse_ip(value) == self.ip)


@dataclass(frozen=True, slots=True)
class ExactNumber:
    value: Number

    def matches(self, value: Any) -> bool:
        return is_number(value) and value == self.value


@dataclass(frozen=True, slots=True)
class ExactLiteral:
    value: bool | None

    def matches(self, value: Any) -> bool:
        return value is self.value


@dataclass(frozen=True, slots=True)
class Prefix:
    prefix: str
    ignore_case: bool = False

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return fold(value).startswith(fold(self.prefix)) if self.ignore_case else value.startswith(self.prefix)


@dataclass(frozen=True, slots=True)
class Suffix:
    suffix: str
    ignore_case: bool = False

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        return fold(value).endswith(fold(self.suffix)) if self.ignore_case else value.endswith(self.suffix)


@dataclass(frozen=True, slots=True)
class EqualsIgnoreCase:
    value: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and fold(value) == fold(self.value)


@dataclass(frozen=True, slots=True)
class Wildcard:
    pattern: str  # as written, escapes included
    glob: Glob

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and self.glob.fullmatch(value)


@dataclass(frozen=True, slots=True)
class NumericRange:
    low: float
    low_open: bool
    high: float
    high_open: bool
    limit: float

    def matches(self, value: Any) -> bool:
        if not is_number(value) or not comparable(value, self.limit):
            return False
        number = float(value)
        above = number > self.low if self.low_open else number >= self.low
        below = number < self.high if self.high_open else number <= self.high
        return above and below


def numeric_range(low: Number, low_open: bool, high: Number, high_open: bool, limit: float) -> NumericRange:
    """event-ruler's Range constructor: ordering is checked before the comparable-range check."""
    if low >= high:
        raise ValueError("Bottom must be less than top")
    check_comparable(low, limit)
    check_comparable(high, limit)
    return NumericRange(low, low_open, high, high_open, limit)


@dataclass(frozen=True, slots=True)
class Cidr:
    bits: int
    low: int
    high: int

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        parsed = parse_ip(value)
        return parsed is not None and parsed[0] == self.bits and self.low <= parsed[1] <= self.high


@dataclass(frozen=True, slots=True)
class Exists:
    present: bool

    def matches(self, value: Any) -> bool:  # decided per field, see match.FieldRule
        return self.present


@dataclass(frozen=True, slots=True)
class AnythingBut:
    strings: frozenset[str]
    numbers: frozenset[Number]

    def matches(self, value: Any) -> bool:
        if isinstance(value, str):
            return value not in self.strings
        if is_number(value):
            return value not in self.numbers
        return True


@dataclass(frozen=True, slots=True)
class AnythingButPrefix:
    prefixes: tuple[str, ...]

    def matches(self, value: Any) -> bool:
        return not isinstance(value, str) or not value.startswith(self.prefixes)


@dataclass(frozen=True, slots=True)
class AnythingButSuffix:
    suffixes: tuple[str, ...]

    def matches(self, value: Any) -> bool:
        return not isinstance(value, str) or not value.endswith(self.suffixes)


@dataclass(frozen=True, slots=True)
class AnythingButIgnoreCase:
    folded: frozenset[str]

    def matches(self, value: Any) -> bool:
        return not isinstance(value, str) or fold(value) not in self.folded


@dataclass(frozen=True, slots=True)
class AnythingButWildcard:
    patterns: tuple[Wildcard, ...]

    def matches(self, value: Any) -> bool:
        return not isinstance(value, str) or not any(p.glob.fullmatch(value) for p in self.patterns)


Term = (
    ExactString
    | ExactNumber
    | ExactLiteral
    | Prefix
    | Suffix
    | EqualsIgnoreCase
    | Wildcard
    | NumericRange
    | Cidr
    | Exists
    | AnythingBut
    | AnythingButPrefix
    | AnythingButSuffix
    | AnythingButIgnoreCase
    | AnythingButWildcard
)
NEGATIVE_TERMS = (AnythingBut, AnythingButPrefix, AnythingButSuffix, AnythingButIgnoreCase, AnythingButWildcard)
