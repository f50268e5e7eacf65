"""What each operation asks IAM for, as data (one JSON table per service, from AWS's Service Authorization
Reference): the action (``prefix:Name``, where it differs from the operation's name), the resource ARNs the
operation touches (templates over its input members), the service's condition keys, and the error a refusal is
answered with. ``required(service, operation, params, region, account, method, path)`` reads it. Pure: imports
nothing from gureum outside this package.

A template is an ARN with ``{region}``, ``{account}``, ``{Member}`` and ``{Member|transform}`` placeholders; a
table lists named resources and, per operation, which one (``"*"`` for none). An operation not listed takes the
first resource of ``default`` whose members are all in its input, else ``"*"``. An operation marked ``"perEntry"``
needs one permission per entry of a collection and is answered entry by entry (S3's DeleteObjects): its service
decides them (Requirement.per_entry), not the dispatcher.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Needed:
    """One permission an operation needs: the action and the resource ARN."""

    action: str
    resource: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one call needs: its permissions (all of them), the service's condition keys from its input, and the
    error code a refusal is answered with (and its status)."""

    needs: tuple[Needed, ...]
    keys: Mapping[str, Any] = field(default_factory=dict)
    code: str = "AccessDenied"
    type_name: str | None = None
    # an operation AWS answers without any permission (sts:GetCallerIdentity), or one its service authorises itself
    # (the table's "service": DynamoDB's PartiQL, whose tables and actions are in the statements' text)
    skip: bool = False
    # the actions (without prefix) a resource policy can grant another account (the table's "crossAccount"); None:
    # any. Another account's call of any other action is refused whatever the resource's policy says.
    cross_account: frozenset[str] | None = None
    # the operations' actions no resource policy grants another account (the table's "ownerOnly": S3's bucket
    # policy operations are the owner's alone)
    owner_only: frozenset[str] = frozenset()
    # each need is one entry of the call, which the service answers on its own (the table's "perEntry": S3's
    # DeleteObjects answers AccessDenied per key): the dispatcher leaves them to the service
    per_entry: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    prefix: str
    resources: Mapping[str, str]
    default: tuple[str, ...]
    operations: Mapping[str, Mapping[str, Any]]
    keys: Mapping[str, str]  # condition key -> input member, for every operation that has it
    code: str | None
    type_name: str | None
    http: bool  # API Gateway's management API: the action is the HTTP method, the resource the path
    cross_account: frozenset[str] | None = None
    owner_only: frozenset[str] = frozenset()


@functools.cache
def table(service: str) -> Table | None:
    """The service's table (botocore service name), None when gureum has none for it."""
    path = HERE / f"{service}.json"
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    return Table(
        raw["prefix"],
        raw.get("resources", {}),
        tuple(raw.get("default", ())),
        raw.get("operations", {}),
        raw.get("keys", {}),
        raw.get("code"),
        raw.get("type"),
        bool(raw.get("http")),
        frozenset(raw["crossAccount"]) if "crossAccount" in raw else None,
        frozenset(raw.get("ownerOnly", ())),
    )


def services() -> list[str]:
    return sorted(path.stem for path in HERE.glob("*.json"))


# --- transforms of input values ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _queue_url(value: str) -> tuple[str | None, str | None, str]:
    """(region named by the host, account, name) of a queue URL."""
    split = urlsplit(value)
    segments = [s for s in split.path.split("/") if s]
    labels = (split.hostname or "").split(".")
    named = labels[1] if len(labels) > 2 and labels[0] == "sqs" and labels[1] != "localhost" else None
    return named, segments[-2] if len(segments) >= 2 else None, segments[-1] if segments else ""


def _queue_part(index: int) -> Callable[[str, Mapping[str, Any], str, str], str]:
    def part(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
        if "://" not in value:  # a bare queue name (AWS takes one for QueueUrl): the caller's account
            return (region, account, value)[index]
        named, owner, name = _queue_url(value)
        return (named or region, owner or account, name)[index]

    return part


def _function(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """A Lambda FunctionName (name, partial ARN "123456789012:function:name", or ARN) as the function's ARN,
    qualified when the call names a Qualifier."""
    if value.startswith("arn:"):
        arn = value
    elif ":function:" in value:
        arn = f"arn:aws:lambda:{region}:{value}"
    else:
        name, _, qualifier = value.partition(":")
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}" + (f":{qualifier}" if qualifier else "")
    given = params.get("Qualifier")
    if isinstance(given, str) and given and arn.count(":") == 6:
        arn = f"{arn}:{given}"
    return arn


def _last(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """The name at the end of an ARN or the value itself (Kinesis StreamARN or StreamName, …)."""
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def _topic(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """The topic of a subscription ARN (arn:aws:sns:r:a:topic:id)."""
    return value.rsplit(":", 1)[0] if value.count(":") >= 6 else value


def _bus(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """An EventBridge bus name or ARN as the bus's ARN."""
    return value if value.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{value}"


def _rule_prefix(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """The "bus/" part of a rule's ARN (from EventBusName, a name or an ARN): none on the default bus."""
    bus = value.rsplit("/", 1)[-1]
    return "" if bus in ("", "default") else f"{bus}/"


def _table(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """A DynamoDB TableName (a name or the table's ARN) as the table's ARN."""
    return value if value.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{value}"


def _group(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """A Logs log group identifier (a name or an ARN, with or without its ":*") as its name."""
    if value.startswith("arn:"):
        value = value.split(":log-group:", 1)[-1]
        return value[:-2] if value.endswith(":*") else value
    return value


def _stack(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """A CloudFormation StackName (a name or the stack's id, an ARN) as the stack's ARN (a name's stack id is not
    known here: its unique suffix is a wildcard)."""
    return value if value.startswith("arn:") else f"arn:aws:cloudformation:{region}:{account}:stack/{value}/*"


def _batch(kind: str) -> Callable[[str, Mapping[str, Any], str, str], str]:
    def arn(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
        """A Batch job queue or job definition (a name, name:revision, or an ARN) as its ARN."""
        return value if value.startswith("arn:") else f"arn:aws:batch:{region}:{account}:{kind}/{value}"

    return arn


def _ssm_parameter(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    """A Parameter Store name, path or ARN (with or without a ":version" / ":label" selector) as the parameter's
    ARN (a name's leading "/" is not part of it)."""
    if value.startswith("arn:"):
        return ":".join(value.split(":", 6)[:6])
    return f"arn:aws:ssm:{region}:{account}:parameter/{value.partition(':')[0].lstrip('/')}"


def copy_source_object(value: str) -> str:
    """An S3 x-amz-copy-source ("/bucket/key?versionId=…", URL-encoded) as "bucket/key"."""
    return unquote(value.lstrip("/")).partition("?versionId=")[0]


def _copy_source(value: str, params: Mapping[str, Any], region: str, account: str) -> str:
    return copy_source_object(value)


TRANSFORMS: dict[str, Callable[[str, Mapping[str, Any], str, str], str]] = {
    "queue_region": _queue_part(0),
    "queue_account": _queue_part(1),
    "queue_name": _queue_part(2),
    "function": _function,
    "last": _last,
    "topic": _topic,
    "bus": _bus,
    "rule_prefix": _rule_prefix,
    "table": _table,
    "group": _group,
    "copy_source": _copy_source,
    "ssm_parameter": _ssm_parameter,
    "stack": _stack,
    "batch_queue": _batch("job-queue"),
    "batch_definition": _batch("job-definition"),
}


# a template's pieces: literal text, or a placeholder (member path or "region"/"account", its "?default" when it has
# one, its transform's name)
_Piece = str | tuple[str, str | None, str]


@functools.lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple[_Piece, ...]:
    """A template read once into its literal text and placeholders."""
    out: list[_Piece] = []
    i = 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            out.append(template[i:])
            break
        end = template.find("}", start)
        if start > i:
            out.append(template[i:start])
        name, _, transform = template[start + 1 : end].partition("|")
        name, fallback, default = name.partition("?")
        out.append((name, default if fallback else None, transform))
        i = end + 1
    return tuple(out)


def _fill(template: str, params: Mapping[str, Any], region: str, account: str) -> str | None:
    """The template with its placeholders filled; None when a member it names is absent."""
    out: list[str] = []
    for piece in _pieces(template):
        if isinstance(piece, str):
            out.append(piece)
            continue
        name, default, transform = piece
        if name == "region":
            value: Any = region
        elif name == "account":
            value = account
        else:
            # a dotted path reaches into a structure ("TableInput.Name")
            value = _member(params, name) if "." in name else params.get(name)
            if value is None and default is not None:
                value = default
        if value is None or not isinstance(value, (str, int)):
            return None
        text = str(value)
        if transform:
            text = TRANSFORMS[transform](text, params, region, account)
        out.append(text)
    return "".join(out)


def _member(params: Mapping[str, Any], path: str) -> Any:
    """A member of the input by a dotted path ("Delete.Objects")."""
    value: Any = params
    for name in path.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _many(
    spec: Mapping[str, Any], params: Mapping[str, Any], region: str, account: str
) -> list[tuple[str, Mapping[str, Any]]]:
    """Resources from a collection member, each with the item it came from: {"each": member (a dotted path),
    "key": ... or "keys": true (a map's keys as "_"), "strings": true (a list of names, each as "_"),
    "template": ...}."""
    items = _member(params, spec["each"])
    out: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(items, dict) and spec.get("keys"):
        for key in items:
            filled = _fill(spec["template"], {**params, "_": key}, region, account)
            if filled:
                out.append((filled, {}))
    elif isinstance(items, list):
        for item in items:
            if isinstance(item, str) and spec.get("strings"):  # a list of names: each is "_"
                filled = _fill(spec["template"], {**params, "_": item}, region, account)
                if filled:
                    out.append((filled, {}))
                continue
            if not isinstance(item, dict):
                continue
            inner = item.get(spec["in"]) if spec.get("in") else item
            if isinstance(inner, dict):
                filled = _fill(spec["template"], {**params, **inner}, region, account)
                if filled:
                    out.append((filled, inner))
    return out


def _action(prefix: str, spec: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> str:
    """The action of an operation (or of one item of it): its "versioned" action when the input names a version
    (a VersionId member, or "versionId=" in the member "versionedIn" names: S3's copy source)."""
    versioned = spec.get("versioned")
    if versioned:
        where = spec.get("versionedIn")
        if (where and "versionId=" in str(params.get(where) or "")) or (not where and params.get("VersionId")):
            return f"{prefix}:{versioned}"
    return f"{prefix}:{spec.get('action', operation)}"


def _items(
    prefix: str, specs: list[Mapping[str, Any]], params: Mapping[str, Any], region: str, account: str
) -> list[Needed]:
    """Permissions of a call whose items each name an action and a resource (DynamoDB's TransactWriteItems: a Put
    item needs dynamodb:PutItem on its table, …): [{"each", "kind", "action", "template"}, …]."""
    out: list[Needed] = []
    for spec in specs:
        items = params.get(spec["each"])
        for item in items if isinstance(items, list) else []:
            inner = item.get(spec["kind"]) if isinstance(item, dict) else None
            if isinstance(inner, dict):
                filled = _fill(spec["template"], {**params, **inner}, region, account)
                if filled:
                    out.append(Needed(f"{prefix}:{spec['action']}", filled))
    return out


def _http(table_: Table, method: str, path: str, region: str) -> Requirement:
    """API Gateway's management APIs: the HTTP method on the path's ARN (HTTP and WebSocket APIs' paths, /v2/…
    on the wire, are /… in their ARNs)."""
    if path.startswith("/v2/"):
        path = path[3:]
    return Requirement(
        (Needed(f"{table_.prefix}:{method.upper()}", f"arn:aws:apigateway:{region}::{path.rstrip('/') or '/'}"),),
        code=table_.code or "AccessDeniedException",
        type_name=table_.type_name,
    )


# the transforms that read input members besides the value they transform
_TRANSFORM_READS = {"function": ("Qualifier",)}


@functools.lru_cache(maxsize=1024)
def _members(service: str, operation: str) -> tuple[str, ...] | None:
    """Every input member (a dotted path) ``required`` reads for the operation: the placeholders of the templates
    it may fill, what its transforms and versioned actions read, its condition keys' members. None when it reads
    more (a collection member's items, an HTTP table's method and path): such a call is not remembered."""
    found = table(service)
    if found is None or found.http:
        return None
    spec = found.operations.get(operation, {})
    named = spec.get("resource")
    if isinstance(named, dict) or (isinstance(named, list) and named and isinstance(named[0], dict)):
        return None
    if named is None:
        templates = [found.resources[name] for name in found.default]
    else:
        templates = [found.resources.get(name, name) for name in ([named] if isinstance(named, str) else named)]
    members: set[str] = set()
    for source in (spec, *spec.get("plus", ())):
        templates += [source["template"]] if source is not spec else []
        if source.get("versioned"):
            members.add(source.get("versionedIn") or "VersionId")
    for template in templates:
        for piece in _pieces(template):
            if not isinstance(piece, str):
                name, _, transform = piece
                if name not in ("region", "account"):
                    members.add(name)
                members.update(_TRANSFORM_READS.get(transform, ()))
    members.update({**found.keys, **spec.get("keys", {})}.values())
    return tuple(sorted(members))


def required(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    region: str,
    account: str,
    *,
    method: str = "POST",
    path: str = "/",
    default_code: str = "AccessDenied",
) -> Requirement | None:
    """What ``operation`` of ``service`` needs, None when gureum has no table for the service. Remembered for the
    values of the members it reads (a SendMessage's queue URL, not its body)."""
    members = _members(service, operation)
    if members is None:
        return _required(service, operation, params, region, account, method, path, default_code)
    values: list[tuple[type, Any]] = []
    for name in members:
        value = _member(params, name) if "." in name else params.get(name)
        if isinstance(value, list):
            if not all(isinstance(v, (str, int, float, bool)) for v in value):
                return _required(service, operation, params, region, account, method, path, default_code)
            values.append((list, tuple(value)))
        elif value is None or isinstance(value, (str, int, float, bool)):
            values.append((type(value), value))  # the type too: True and 1 are equal keys but not equal values
        else:
            return _required(service, operation, params, region, account, method, path, default_code)
    return _remembered(service, operation, region, account, default_code, tuple(values))


@functools.lru_cache(maxsize=4096)
def _remembered(
    service: str, operation: str, region: str, account: str, default_code: str, values: tuple[tuple[type, Any], ...]
) -> Requirement | None:
    """``required`` of an input made of just the members it reads (_members), with these values."""
    params: dict[str, Any] = {}
    for name, (kind, value) in zip(_members(service, operation) or (), values):
        if value is None:
            continue
        *outer, last = name.split(".")
        into = params
        for part in outer:
            into = into.setdefault(part, {})
        into[last] = list(value) if kind is list else value
    return _required(service, operation, params, region, account, "POST", "/", default_code)


def _required(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    region: str,
    account: str,
    method: str,
    path: str,
    default_code: str,
) -> Requirement | None:
    found = table(service)
    if found is None:
        return None
    if found.http:
        return _http(found, method, path, region)
    spec = found.operations.get(operation, {})
    if spec.get("skip") or spec.get("service"):
        return Requirement((), skip=True)
    action = _action(found.prefix, spec, operation, params)
    resources: list[str] = []
    named = spec.get("resource")
    itemised: list[Needed] = []
    if isinstance(named, dict):  # several resources from a collection member (each item may name a version)
        for resource, item in _many(named, params, region, account):
            itemised.append(Needed(_action(found.prefix, spec, operation, item), resource))
        resources = [need.resource for need in itemised]
    elif isinstance(named, list) and named and isinstance(named[0], dict):  # per item, with its own action
        return Requirement(
            tuple(_items(found.prefix, named, params, region, account)), {}, found.code or default_code, found.type_name
        )
    elif named is not None:
        for name in [named] if isinstance(named, str) else named:
            template = found.resources.get(name, name)
            filled = "*" if template == "*" else _fill(template, params, region, account)
            if filled is not None:
                resources = [filled]
                break
    else:
        for name in found.default:
            filled = _fill(found.resources[name], params, region, account)
            if filled is not None:
                resources = [filled]
                break
    needs = tuple(dict.fromkeys(itemised or [Needed(action, resource) for resource in (resources or ["*"])]))
    extra = tuple(Needed(f"{found.prefix}:{name}", needs[0].resource) for name in spec.get("also", ()))
    for plus in spec.get("plus", ()):  # another resource the call reads (S3's copy source)
        filled = _fill(plus["template"], params, region, account)
        if filled is not None:
            extra += (Needed(_action(found.prefix, plus, operation, params), filled),)
    keys: dict[str, Any] = {}
    for key, member in {**found.keys, **spec.get("keys", {})}.items():
        value = params.get(member)
        if isinstance(value, (str, int, float, bool)):
            keys[key] = str(value).lower() if isinstance(value, bool) else str(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            keys[key] = list(value)
    return Requirement(
        needs + extra,
        keys,
        found.code or default_code,
        found.type_name,
        False,
        found.cross_account,
        found.owner_only,
        bool(spec.get("perEntry")),
    )
