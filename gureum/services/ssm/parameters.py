"""Parameter Store's rules as pure functions: names and hierarchies, selectors (name:version, name:label), labels,
tiers and value sizes, parameter policies, filters, page tokens, and what each operation answers for a version."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import re2

from . import errors

TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced", "Intelligent-Tiering")
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
DEFAULT_KEY = "alias/aws/ssm"
STANDARD_MAX_VALUE = 4096  # characters
ADVANCED_MAX_VALUE = 8192
STANDARD_LIMIT = 10_000  # standard parameters per account and Region
ADVANCED_LIMIT = 100_000
MAX_VERSIONS = 100
MAX_LABELS = 10  # per version
MAX_LEVELS = 15
MAX_ARN = 1011  # a name's length limit counts its ARN
MAX_TAGS = 50
MAX_POLICIES = 10
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_ADVANCED_URL = "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"


@dataclass(slots=True)
class Version:
    """One version of a parameter: its settings, its value as stored (SecureString values encrypted) and labels."""

    name: str
    version: int
    type: str
    value: str
    modified: float
    user: str
    description: str = ""
    key_id: str | None = None
    allowed_pattern: str | None = None
    tier: str = "Standard"
    policies: list[dict[str, Any]] = field(default_factory=list)
    data_type: str = "text"
    labels: list[str] = field(default_factory=list)

    def doc(self) -> dict[str, Any]:
        """The settings stored beside the value (everything but name, version, value and labels)."""
        return {
            "type": self.type, "modified": self.modified, "user": self.user, "description": self.description,
            "key_id": self.key_id, "allowed_pattern": self.allowed_pattern, "tier": self.tier,
            "policies": self.policies, "data_type": self.data_type,
        }  # fmt: skip

    @classmethod
    def from_row(cls, name: str, version: int, doc: dict[str, Any], value: str, labels: list[str]) -> Version:
        return cls(
            name, version, doc["type"], value, doc["modified"], doc["user"], doc.get("description") or "",
            doc.get("key_id"), doc.get("allowed_pattern"), doc.get("tier") or "Standard", doc.get("policies") or [],
            doc.get("data_type") or "text", labels,
        )  # fmt: skip

    def expires_at(self) -> float | None:
        """The Expiration policy's time (epoch seconds), if it has one."""
        for policy in self.policies:
            if policy["Type"] == "Expiration":
                return _timestamp(policy["Attributes"]["Timestamp"])
        return None


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def check_name(name: str, region: str, account: str) -> None:
    """A name PutParameter accepts: ValidationException / HierarchyLevelLimitExceededException otherwise."""
    if not _NAME_CHARS.issuperset(name):
        raise errors.ValidationException(
            "Parameter name: must contain only letters, numbers and the symbols . - _ / (a fully qualified name "
            "such as /app/db/password, or a name without / such as db-password)."
        )
    first = name.lstrip("/").split("/", 1)[0].lower()
    if first.startswith(("aws", "ssm")):
        raise errors.ValidationException('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).')
    if "/" in name and not name.startswith("/"):
        raise errors.ValidationException("Parameter name must be a fully qualified name.")
    if "//" in name or (len(name) > 1 and name.endswith("/")) or name == "/":
        raise errors.ValidationException("Parameter name must be a fully qualified name.")
    if len(arn(account, region, name)) > MAX_ARN:
        raise errors.ValidationException(
            f"Parameter name: the name, with its ARN, is longer than the limit of {MAX_ARN} characters."
        )
    if name.count("/") > MAX_LEVELS:
        raise errors.HierarchyLevelLimitExceededException(
            "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints "
            "for parameter names in the AWS Systems Manager User Guide."
        )


def split_reference(reference: str, account: str) -> tuple[str, str | None]:
    """A GetParameter name — a name or this account's parameter ARN, optionally with ":version" or ":label" — as
    (name, selector)."""
    if reference.startswith("arn:"):
        parts = reference.split(":", 6)
        if len(parts) < 6 or not parts[5].startswith("parameter/") or parts[4] != account:
            raise errors.not_found()
        rest = parts[5][len("parameter/") :] + (":" + parts[6] if len(parts) > 6 else "")
        name, _, selector = rest.partition(":")
        return ("/" + name if "/" in name else name), selector or None
    name, colon, selector = reference.partition(":")
    return name, (selector if colon else None)


def select(versions: list[Version], selector: str | None) -> Version:
    """The version a selector names (the latest without one); ParameterVersionNotFound when none has it."""
    if selector is None:
        return versions[-1]
    if selector.isdigit():
        found = next((v for v in versions if v.version == int(selector)), None)
    else:
        found = next((v for v in versions if selector in v.labels), None)
    if found is None:
        raise errors.ParameterVersionNotFound(
            f"Systems Manager could not find version {selector} of {versions[-1].name}. Verify the version and "
            "try again."
        )
    return found


def label_is_valid(label: str) -> bool:
    """Letters, digits, '.', '-', '_'; at most 100 characters; not starting with a digit, "aws" or "ssm"."""
    return (
        0 < len(label) <= 100
        and _LABEL_CHARS.issuperset(label)
        and not label[0].isdigit()
        and not label.lower().startswith(("aws", "ssm"))
    )


def tier_for(asked: str | None, value: str, policies: list[dict[str, Any]], current: str | None) -> str:
    """The tier a put stores: Intelligent-Tiering picks Advanced only when the value or policies need it; an
    Advanced parameter is never downgraded."""
    needs_advanced = len(value) > STANDARD_MAX_VALUE or bool(policies)
    tier = asked or current or "Standard"
    if tier == "Intelligent-Tiering":
        tier = "Advanced" if needs_advanced or current == "Advanced" else "Standard"
    if current == "Advanced" and tier == "Standard":
        raise errors.ValidationException(
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
            "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
            "parameter and recreate it as a standard parameter."
        )
    if tier == "Standard" and len(value) > STANDARD_MAX_VALUE:
        raise errors.ValidationException(
            f"Standard tier parameters support a maximum parameter value of {STANDARD_MAX_VALUE} characters. To "
            "create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more "
            f"information, see {_ADVANCED_URL}"
        )
    if len(value) > ADVANCED_MAX_VALUE:
        raise errors.ValidationException(
            f"Parameter value exceeds the maximum of {ADVANCED_MAX_VALUE} characters for advanced parameters."
        )
    if tier == "Standard" and policies:
        raise errors.IncompatiblePolicyException(
            "Parameter policies are supported only for parameters in the advanced-parameter tier."
        )
    return tier


def check_value(value: str, pattern: str | None) -> None:
    if not value:
        raise errors.ValidationException(
            "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1"
        )
    if pattern:
        if re2.fullmatch(compile_pattern(pattern), value) is None:
            raise errors.ParameterPatternMismatchException(
                f"Parameter value, cannot be validated against allowedPattern: {pattern}"
            )


def compile_pattern(pattern: str) -> Any:
    """An AllowedPattern (RE2: linear time on any value); InvalidAllowedPatternException when it does not parse."""
    try:
        return re2.compile(pattern)
    except re2.error:
        raise errors.InvalidAllowedPatternException(f"Invalid AllowedPattern: {pattern}") from None


def policies(text: str | None, now: float) -> list[dict[str, Any]]:
    """Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) parsed and checked."""
    if not text:
        return []
    try:
        parsed = json.loads(text)
    except ValueError:
        raise errors.InvalidPolicyTypeException("Parameter policies must be a JSON array of policies.") from None
    if isinstance(parsed, dict):
        parsed = [parsed]
    if not isinstance(parsed, list) or not all(isinstance(p, dict) for p in parsed):
        raise errors.InvalidPolicyTypeException("Parameter policies must be a JSON array of policies.")
    if len(parsed) > MAX_POLICIES:
        raise errors.PoliciesLimitExceededException(f"A parameter can have at most {MAX_POLICIES} policies.")
    out = []
    for policy in parsed:
        kind, attributes = policy.get("Type"), policy.get("Attributes")
        if kind not in ("Expiration", "ExpirationNotification", "NoChangeNotification"):
            raise errors.InvalidPolicyTypeException(
                f"Invalid policy type: {kind}. Valid types are Expiration, ExpirationNotification and "
                "NoChangeNotification."
            )
        if not isinstance(attributes, dict):
            raise errors.InvalidPolicyAttributeException(f"The {kind} policy needs its Attributes.")
        if kind == "Expiration":
            at = _timestamp(attributes.get("Timestamp"))
            if at is None:
                raise errors.InvalidPolicyAttributeException(
                    "The Expiration policy's Timestamp must be a time in ISO 8601 form, e.g. 2030-01-31T21:00:00Z."
                )
            if at <= now:
                raise errors.InvalidPolicyAttributeException("The Expiration policy's Timestamp is in the past.")
        else:
            key = "Before" if kind == "ExpirationNotification" else "After"
            amount, unit = attributes.get(key), attributes.get("Unit")
            if not str(amount or "").isdigit() or unit not in ("Days", "Hours"):
                raise errors.InvalidPolicyAttributeException(
                    f"The {kind} policy needs {key} (a whole number) and Unit (Days or Hours)."
                )
        out.append({"Type": kind, "Version": str(policy.get("Version") or "1.0"), "Attributes": attributes})
    if sum(p["Type"] == "Expiration" for p in out) > 1:
        raise errors.InvalidPolicyTypeException("A parameter can have only one Expiration policy.")
    return out


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()


# --- answers ---------------------------------------------------------------------------------------------------


def parameter(account: str, region: str, version: Version, value: str, selector: str | None = None) -> dict[str, Any]:
    """GetParameter(s)' Parameter shape (``value`` decrypted or not, as asked)."""
    out: dict[str, Any] = {
        "Name": version.name, "Type": version.type, "Value": value, "Version": version.version,
        "LastModifiedDate": version.modified, "ARN": arn(account, region, version.name), "DataType": version.data_type,
    }  # fmt: skip
    if selector is not None:
        out["Selector"] = f":{selector}"
    return out


def metadata(account: str, region: str, version: Version) -> dict[str, Any]:
    """DescribeParameters' ParameterMetadata."""
    out: dict[str, Any] = {
        "Name": version.name, "ARN": arn(account, region, version.name), "Type": version.type,
        "LastModifiedDate": version.modified, "LastModifiedUser": version.user, "Version": version.version,
        "Tier": version.tier, "Policies": policy_statuses(version), "DataType": version.data_type,
    }  # fmt: skip
    _settings(out, version)
    return out


def history(version: Version, value: str) -> dict[str, Any]:
    """GetParameterHistory's ParameterHistory."""
    out: dict[str, Any] = {
        "Name": version.name, "Type": version.type, "LastModifiedDate": version.modified,
        "LastModifiedUser": version.user, "Value": value, "Version": version.version, "Labels": list(version.labels),
        "Tier": version.tier, "Policies": policy_statuses(version), "DataType": version.data_type,
    }  # fmt: skip
    _settings(out, version)
    return out


def _settings(out: dict[str, Any], version: Version) -> None:
    if version.key_id:
        out["KeyId"] = version.key_id
    if version.description:
        out["Description"] = version.description
    if version.allowed_pattern:
        out["AllowedPattern"] = version.allowed_pattern


def policy_statuses(version: Version) -> list[dict[str, Any]]:
    return [
        {"PolicyText": json.dumps(p, separators=(",", ":")), "PolicyType": p["Type"], "PolicyStatus": "Pending"}
        for p in version.policies
    ]


# --- filters and pages -------------------------------------------------------------------------------------------

_DESCRIBE_KEYS = ("Name", "Type", "KeyId", "Path", "Tier", "DataType")
_BY_PATH_KEYS = ("Type", "KeyId", "Label", "Tier", "DataType")


@dataclass(frozen=True, slots=True)
class Filter:
    key: str
    option: str
    values: tuple[str, ...]


def filters(raw: Iterable[dict[str, Any]], legacy: Iterable[dict[str, Any]], *, by_path: bool) -> list[Filter]:
    """ParameterFilters (and DescribeParameters' older Filters) checked: keys, options and values as AWS takes
    them (InvalidFilterKey / InvalidFilterOption / InvalidFilterValue otherwise)."""
    out = [Filter(f["Key"], "Equals", tuple(f.get("Values") or ())) for f in legacy]
    allowed = _BY_PATH_KEYS if by_path else _DESCRIBE_KEYS
    for f in raw:
        key, values = f["Key"], tuple(f.get("Values") or ())
        option = f.get("Option") or ("OneLevel" if key == "Path" else "Equals")
        if not (key in allowed or key.startswith("tag:")):
            raise errors.InvalidFilterKey(
                f"The following filter key is not valid: {key}. Valid filter keys include: [{', '.join(allowed)}]."
            )
        options = {"Path": ("Recursive", "OneLevel"), "Name": ("Equals", "BeginsWith", "Contains")}.get(
            key, ("Equals",) if key in ("Type", "Tier", "DataType", "Label") else ("Equals", "BeginsWith")
        )
        if option not in options:
            raise errors.InvalidFilterOption(
                f"The following filter option is not valid: {option}. Valid options include: [{', '.join(options)}]."
            )
        if key == "Path" and not all(v.startswith("/") for v in values):
            raise errors.InvalidFilterValue("The parameter path must begin with a forward slash (/).")
        if key == "Type" and not set(values) <= set(TYPES):
            raise errors.InvalidFilterValue(f"The following filter value is not valid: {', '.join(values)}.")
        if not values and not key.startswith("tag:"):
            raise errors.InvalidFilterValue(f"The filter {key} needs at least one value.")
        out.append(Filter(key, option, values))
    return out


def matches(version: Version, tags: dict[str, str], wanted: list[Filter]) -> bool:
    return all(_match(version, tags, f) for f in wanted)


def _match(version: Version, tags: dict[str, str], f: Filter) -> bool:
    if f.key.startswith("tag:"):
        key = f.key[4:]
        return key in tags and (not f.values or tags[key] in f.values)
    if f.key == "Path":
        return any(in_path(version.name, path, recursive=f.option == "Recursive") for path in f.values)
    if f.key == "Label":
        return any(label in version.labels for label in f.values)
    have = {
        "Name": version.name, "Type": version.type, "KeyId": version.key_id or "", "Tier": version.tier,
        "DataType": version.data_type,
    }[f.key]  # fmt: skip
    if f.option == "BeginsWith":
        return any(
            have.startswith(v) or (f.key == "Name" and have.lstrip("/").startswith(v.lstrip("/"))) for v in f.values
        )
    if f.option == "Contains":
        return any(v in have for v in f.values)
    if f.key == "Name":
        return any(have == v or have.lstrip("/") == v.lstrip("/") for v in f.values)
    return have in f.values


def in_path(name: str, path: str, *, recursive: bool) -> bool:
    """Whether ``name`` is below ``path`` (directly, or at any depth when recursive)."""
    prefix = path if path.endswith("/") else path + "/"
    if not name.startswith(prefix) or name == prefix:
        return False
    return recursive or "/" not in name[len(prefix) :]


def token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def untoken(value: str | None) -> str | None:
    """A page token's position (the last name or version listed); InvalidNextToken for anything else."""
    if value is None:
        return None
    try:
        position = base64.urlsafe_b64decode(value.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        position = ""
    if not position or token(position) != value:
        raise errors.InvalidNextToken("The specified token isn't valid.")
    return position
