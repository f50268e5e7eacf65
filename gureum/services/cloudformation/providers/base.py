"""What a resource provider is: one per resource type, acting only through AWS operations (ctx.aws, an AwsCaller).

A provider declares its type, the properties whose change forces replacement (``replace``; every property when
it has no ``update``), the property that names it (``name_property``: a custom-named resource cannot be replaced
in place) and implements create (→ physical id and the attributes Fn::GetAtt reads), update and delete."""

from __future__ import annotations

import secrets
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from ..errors import ResourceFailure

Caller = Callable[[str, str, dict[str, Any]], Awaitable[dict[str, Any]]]
_SUFFIX = string.ascii_uppercase + string.digits


class Signals(Protocol):
    """Wait condition handles: URLs gureum serves that signals are PUT to."""

    def url(self) -> str: ...

    async def read(self, url: str) -> list[dict[str, Any]]: ...

    async def forget(self, url: str) -> None: ...


class Macros(Protocol):
    """The account's and region's macro registrations a stack makes (AWS::CloudFormation::Macro)."""

    async def register(self, name: str, function: str) -> None: ...

    async def forget(self, name: str) -> None: ...


@dataclass
class Context:
    """One resource operation: the caller and where it happens."""

    aws: Caller
    account: str
    region: str
    stack_name: str
    stack_id: str
    logical_id: str
    host: str
    tags: list[dict[str, str]] = field(default_factory=list)
    resource_type: str = ""
    # how a provider waits between polls of a resource that becomes ready later (the engine's clock)
    sleep: Callable[[float], Awaitable[None]] | None = None
    # custom resources: send the request and wait for the response (the engine provides it)
    custom: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]] | None = None
    signals: Signals | None = None
    macros: Macros | None = None
    # the stack's tags the resource carried before an update that changed them (None: unchanged)
    previous_tags: list[dict[str, str]] | None = None

    @property
    def old_tags(self) -> list[dict[str, str]]:
        """The stack's tags on the resource before this change (what an update's ``old`` side carried)."""
        return self.tags if self.previous_tags is None else self.previous_tags

    def name(self, limit: int = 64, lower: bool = False, separator: str = "-") -> str:
        """A physical name as CloudFormation makes one: {stack}-{logical}-{random}, trimmed to ``limit``."""
        suffix = "".join(secrets.choice(_SUFFIX) for _ in range(12 if limit >= 40 else 8))
        room = max(limit - len(suffix) - 2 * len(separator), 2)
        stack, logical = self.stack_name, self.logical_id
        if len(stack) + len(logical) > room:
            logical = logical[: max(room // 2, room - len(stack))]
            stack = stack[: room - len(logical)]
        name = separator.join(p for p in (stack, logical, suffix) if p)
        return name.lower() if lower else name

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"

    async def pause(self, seconds: float) -> None:
        if self.sleep is not None:
            await self.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Created:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


class Provider:
    """Base of every provider; subclasses set ``type`` and implement create/delete (update when AWS updates some
    properties in place)."""

    type: ClassVar[str] = ""
    replace: ClassVar[frozenset[str]] = frozenset()
    name_property: ClassVar[str | None] = None
    updatable: ClassVar[bool] = True
    # whether the resource gets the aws:cloudformation:stack-name / stack-id / logical-id tags besides the stack's
    # own (False where AWS does not add them, or where gureum's service refuses keys starting with aws:)
    system_tags: ClassVar[bool] = True
    # whether update() carries a change of the stack's tags alone (with the properties unchanged)
    tags_in_place: ClassVar[bool] = False

    # the properties whose live values read() returns (drift detection); empty: the type is not checked
    drift: ClassVar[frozenset[str]] = frozenset()

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        raise NotImplementedError

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        """The resource's live values of the ``drift`` properties, as a template writes them (a service's
        not-found error when the resource is gone)."""
        raise NotImplementedError

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        """The resource's attributes after updating it in place from ``old`` to ``new``."""
        raise NotImplementedError

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        raise NotImplementedError

    def needs_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        if not self.updatable:
            return True
        changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        return bool(changed & self.replace)


_WAIT_SECONDS = 300.0


async def until(ctx: Context, check: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    """What ``check`` returns once it is not None (polled with a growing pause, as CloudFormation waits for a
    resource to stabilize); a failure after five minutes."""
    delay, waited = 0.01, 0.0
    while True:
        found = await check()
        if found is not None:
            return dict(found)
        if waited > _WAIT_SECONDS:
            raise ResourceFailure("Exceeded attempts to wait for the resource to stabilize")
        await ctx.pause(delay)
        waited += delay
        delay = min(delay * 2, 1.0)


def required(props: dict[str, Any], name: str) -> Any:
    if name not in props:
        raise ResourceFailure(f"Properties validation failed for resource: #: required key [{name}] not found")
    return props[name]


def tags_list(props: dict[str, Any], extra: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The Tags property ([{Key, Value}]) with the stack's tags added."""
    merged = {t["Key"]: str(t.get("Value", "")) for t in extra or []}
    for tag in props.get("Tags") or []:
        if isinstance(tag, dict) and "Key" in tag:
            merged[str(tag["Key"])] = str(tag.get("Value", ""))
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def tags_map(props: dict[str, Any], extra: list[dict[str, str]] | None = None) -> dict[str, str]:
    tags = props.get("Tags")
    merged = {t["Key"]: str(t.get("Value", "")) for t in extra or []}
    if isinstance(tags, dict):
        merged.update({str(k): str(v) for k, v in tags.items()})
    else:
        merged.update({t["Key"]: v for t in tags_list(props) for v in [t["Value"]]})
    return merged


def tag_changes(
    old: dict[str, Any], new: dict[str, Any], extra: list[dict[str, str]], previous: list[dict[str, str]] | None = None
) -> tuple[list[str], dict[str, str]]:
    """(keys to untag, tags to set) between two property sets' Tags, with the stack's tags (``previous`` on the old
    side when the stack's tags changed)."""
    before, after = tags_map(old, extra if previous is None else previous), tags_map(new, extra)
    gone = [k for k in before if k not in after]
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    return gone, changed


def text_map(values: dict[str, Any] | None) -> dict[str, str]:
    """Attribute maps (SQS, SNS): every value as text, booleans lower case, documents as JSON."""
    import json

    out = {}
    for key, value in (values or {}).items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, dict | list):
            out[key] = json.dumps(value)
        else:
            out[key] = str(value)
    return out


def ignore_missing(codes: tuple[str, ...]) -> Callable[[BaseException], bool]:
    def test(error: BaseException) -> bool:
        return getattr(error, "code", None) in codes

    return test
