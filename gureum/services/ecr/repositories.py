"""Repositories as ECR describes them: the record, its ARN and URI, its settings (tag mutability, scanning,
encryption) and tags, with the checks ECR makes on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from .errors import InvalidParameterException, InvalidTagParameterException, TooManyTagsException, invalid_parameter

MAX_TAGS = 50
MUTABILITY = ("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")
ENCRYPTION = ("AES256", "KMS", "KMS_DSSE")


@dataclass(slots=True)
class Repository:
    id: int
    account: str
    region: str
    name: str
    created_at: float
    mutability: str
    exclusions: list[dict[str, str]]
    scan_on_push: bool
    encryption: str
    kms_key: str | None
    tags: list[dict[str, str]] = field(default_factory=list)
    policy: str | None = None
    lifecycle: str | None = None
    lifecycle_evaluated_at: float | None = None
    preview: str | None = None  # the policy StartLifecyclePolicyPreview was last given

    @property
    def arn(self) -> str:
        return f"arn:aws:ecr:{self.region}:{self.account}:repository/{self.name}"

    def uri(self, registry_host: str) -> str:
        return f"{registry_host}/{self.name}"

    def doc(self, registry_host: str) -> dict[str, Any]:
        encryption: dict[str, Any] = {"encryptionType": self.encryption}
        if self.kms_key:
            encryption["kmsKey"] = self.kms_key
        out: dict[str, Any] = {
            "repositoryArn": self.arn,
            "registryId": self.account,
            "repositoryName": self.name,
            "repositoryUri": self.uri(registry_host),
            "createdAt": self.created_at,
            "imageTagMutability": self.mutability,
            "imageScanningConfiguration": {"scanOnPush": self.scan_on_push},
            "encryptionConfiguration": encryption,
        }
        if self.exclusions:
            out["imageTagMutabilityExclusionFilters"] = self.exclusions
        return out

    def immutable(self, tag: str) -> bool:
        """Whether pushing ``tag`` again (to another digest) is refused."""
        from .lifecycle import wildcard

        excluded = any(wildcard(item.get("filter", ""), tag) for item in self.exclusions)
        if self.mutability == "IMMUTABLE":
            return True
        if self.mutability == "IMMUTABLE_WITH_EXCLUSION":
            return not excluded
        if self.mutability == "MUTABLE_WITH_EXCLUSION":
            return excluded
        return False


def check_mutability(mutability: str, exclusions: list[dict[str, str]] | None) -> list[dict[str, str]]:
    if mutability not in MUTABILITY:
        raise invalid_parameter("imageTagMutability", f"Member must satisfy enum value set: {list(MUTABILITY)}")
    found = list(exclusions or [])
    if mutability.endswith("_WITH_EXCLUSION") and not found:
        raise InvalidParameterException(
            f"imageTagMutabilityExclusionFilters must be specified when imageTagMutability is {mutability}"
        )
    if not mutability.endswith("_WITH_EXCLUSION") and found:
        raise InvalidParameterException(
            f"imageTagMutabilityExclusionFilters cannot be specified when imageTagMutability is {mutability}"
        )
    return found


def check_encryption(config: dict[str, Any] | None) -> tuple[str, str | None]:
    if not config:
        return "AES256", None
    kind = config.get("encryptionType", "AES256")
    key = config.get("kmsKey")
    if kind not in ENCRYPTION:
        raise invalid_parameter(
            "encryptionConfiguration.encryptionType", f"Member must satisfy enum value set: {ENCRYPTION}"
        )
    if kind == "AES256" and key:
        raise InvalidParameterException("Invalid parameter: KMS key should not be specified for AES256 encryption")
    if kind.startswith("KMS") and not key:
        key = None  # the AWS managed key (aws/ecr)
    return kind, key


def merge_tags(existing: list[dict[str, str]], new: list[dict[str, Any]]) -> list[dict[str, str]]:
    merged = {tag["Key"]: tag["Value"] for tag in existing}
    for tag in new:
        key, value = tag.get("Key"), tag.get("Value")
        if not isinstance(key, str) or not key or key.lower().startswith("aws:"):
            raise InvalidTagParameterException(
                "Invalid parameter at 'tags': tag keys must not be empty or begin with aws:"
            )
        if not isinstance(value, str):
            raise InvalidTagParameterException(f"Invalid parameter at 'tags': the tag {key} has no value")
        merged[key] = value
    if len(merged) > MAX_TAGS:
        raise TooManyTagsException(f"Tag limit exceeded: a resource may have at most {MAX_TAGS} tags")
    return [{"Key": key, "Value": value} for key, value in merged.items()]


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """arn:aws:ecr:<region>:<account>:repository/<name> → (region, account, name)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "ecr" or not parts[5].startswith("repository/"):
        return None
    return parts[3], parts[4], parts[5][len("repository/") :]


def check_policy(text: str, kind: str = "repository") -> None:
    """A repository's or the registry's policy: a JSON document with statements."""
    try:
        doc = safejson.loads(text, max_size=10240)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list | dict):
        raise invalid_parameter("PolicyText", f"Invalid {kind} policy provided")


MAX_REPLICATION_DESTINATIONS = 25  # unique destinations across every rule (the ECR user guide's replication page)


def check_replication(config: dict[str, Any]) -> dict[str, Any]:
    """A registry's replication configuration as PutReplicationConfiguration takes it (the model bounds the rules,
    destinations and filters of each): at most 25 unique destinations in all; filters are PREFIX_MATCH."""
    destinations = {(d["region"], d["registryId"]) for rule in config["rules"] for d in rule["destinations"]}
    if len(destinations) > MAX_REPLICATION_DESTINATIONS:
        raise invalid_parameter(
            "replicationConfiguration",
            f"A replication configuration may name at most {MAX_REPLICATION_DESTINATIONS} unique destinations",
        )
    rules = []
    for rule in config["rules"]:
        out: dict[str, Any] = {
            "destinations": [{"region": d["region"], "registryId": d["registryId"]} for d in rule["destinations"]]
        }
        if rule.get("repositoryFilters"):
            out["repositoryFilters"] = [
                {"filter": f["filter"], "filterType": f["filterType"]} for f in rule["repositoryFilters"]
            ]
        rules.append(out)
    return {"rules": rules}
