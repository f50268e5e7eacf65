"""Service models: botocore's JSON models plus gureum's patches, indexed for routing.

Patches live in ``patches/<service>.json``.  Each file may ``derive`` extra protocol variants of a model
(SQS's query protocol, which botocore no longer ships) and list ``patches``: each entry sets one value at
a path in the model and says why.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import DataNotFoundError
from botocore.loaders import ExtrasProcessor, Loader
from botocore.model import OperationModel, ServiceModel

_PATCH_DIR = Path(__file__).parent / "patches"


def _set_path(doc: dict[str, Any], path: list[str], value: Any) -> None:
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def _apply(doc: dict[str, Any], patches: list[dict[str, Any]]) -> None:
    for entry in patches:
        _set_path(doc, entry["path"], entry.get("value"))


def _derive_query(base: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Turn a JSON-protocol model into its query-protocol twin (XML responses wrapped in <OpResult>)."""
    doc = copy.deepcopy(base)
    meta = doc["metadata"]
    meta["protocol"] = "query"
    meta["protocols"] = ["query"]
    meta.pop("jsonVersion", None)
    meta.pop("targetPrefix", None)
    meta.pop("awsQueryCompatible", None)
    meta["xmlNamespace"] = spec["xmlNamespace"]
    for name, op in doc["operations"].items():
        if "output" in op:
            op["output"]["resultWrapper"] = f"{name}Result"
    _apply(doc, spec.get("patches", []))
    return doc


@functools.cache
def _patch_file(service: str) -> dict[str, Any]:
    path = _PATCH_DIR / f"{service}.json"
    if not path.exists():
        return {}
    patches: dict[str, Any] = json.loads(path.read_text())
    return patches


def legacy_routes(service: str) -> list[dict[str, str]]:
    """A patch file's ``legacyRoutes``: {operation, method, requestUri} an older model gave an operation that a
    newer botocore moved (older SDKs and CLIs still send them; a GET's members are read from its query string)."""
    routes: list[dict[str, str]] = _patch_file(service).get("legacyRoutes", [])
    return routes


_INVALID_ACTION = "The action {action} is not valid for this web service."


@dataclass(frozen=True, slots=True)
class ServiceMeta:
    """What routing needs before a request reaches the service: read from the head of the model file."""

    protocols: tuple[str, ...]  # the model's own protocol first, then derived ones (SQS's query twin)
    target_prefix: str | None
    signing_name: str
    endpoint_prefix: str
    # unsigned query requests whose path matches belong to this service when several have the action (a patch's
    # "queryPath": SQS's queue URLs, /{account}/{queue})
    query_path: re.Pattern[str] | None = None
    # query actions the service refuses at such a path (SQS: CreateQueue and ListQueues sent to a queue URL)
    refused_at_query_path: frozenset[str] = frozenset()
    # the InvalidAction message for an action the service does not have ("{action}" is replaced)
    invalid_action: str = _INVALID_ACTION

    @property
    def primary(self) -> str:
        return self.protocols[0]


def _model_path(service: str) -> str | None:
    loader = Loader()
    version = loader.determine_latest_version(service, "service-2")
    for root in loader.search_paths:
        for suffix in (".json", ".json.gz"):
            path = os.path.join(root, service, version, "service-2" + suffix)
            if os.path.isfile(path):
                return path
    return None


def _head_metadata(path: str, size: int = 8192) -> dict[str, Any] | None:
    """The "metadata" object from the head of a model file (botocore writes it first), or None."""
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        head = f.read(size).decode("utf-8", "replace")
    at = head.find('"metadata"')
    start = head.find("{", at) if at >= 0 else -1
    if start >= 0:
        try:
            found, _ = json.JSONDecoder().raw_decode(head, start)
            if isinstance(found, dict) and "protocol" in found:
                return found
        except ValueError:
            pass
    return None


def _read_metadata(service: str) -> dict[str, Any]:
    """The model's "metadata" object without parsing the whole model; the whole model when the head does not
    hold it."""
    path = _model_path(service)
    found = _head_metadata(path) if path is not None else None
    if found is not None:
        return found
    return dict(Loader().load_service_model(service, "service-2")["metadata"])


@functools.cache
def service_meta(service: str) -> ServiceMeta:
    meta = _read_metadata(service)
    protocols = [meta["protocol"]]
    if "query" in _patch_file(service).get("derive", {}) and protocols[0] != "query":
        protocols.append("query")
    endpoint_prefix = meta.get("endpointPrefix") or service
    patchfile = _patch_file(service)
    query_path = patchfile.get("queryPath")
    return ServiceMeta(
        tuple(protocols),
        meta.get("targetPrefix"),
        meta.get("signingName") or endpoint_prefix,
        endpoint_prefix,
        re.compile(query_path) if query_path else None,
        frozenset(patchfile.get("refusedAtQueryPath", ())),
        patchfile.get("invalidAction", _INVALID_ACTION),
    )


class ServiceSpec:
    """One service's models (one per protocol it speaks) and lookup tables.

    Made cheaply (``meta`` only); the botocore model is loaded the first time anything else is asked for, so a
    service no request has reached costs neither start-up time nor memory.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.meta = service_meta(name)
        self._loaded = False
        self._lock = threading.Lock()
        self._models: dict[str, ServiceModel] = {}
        self._documents: dict[str, dict[str, Any]] = {}  # the model JSON per protocol
        # code a query-compatible JSON service answers with, keyed by error shape name
        self._query_error_codes: dict[str, str] = {}
        # message → the query protocol's wording of it, where AWS words an error differently there
        self._query_error_messages: dict[str, str] = {}
        # whether the query protocol's <Error> carries an empty <Detail/> (SQS does; SNS does not)
        self.query_error_detail = bool(_patch_file(name).get("queryErrorDetail", True))
        # error metadata keyed by the code the client sees: (shape name, http status, sender fault)
        self._errors_by_code: dict[str, tuple[str, int, bool]] = {}

    def __repr__(self) -> str:
        return f"ServiceSpec({self.name!r}, loaded={self._loaded})"

    def _load(self) -> None:
        with self._lock:  # a thread (an in-process AWS call) may get here at the same time as the loop
            if not self._loaded:
                _build(self)
                self._loaded = True

    @property
    def models(self) -> dict[str, ServiceModel]:
        if not self._loaded:
            self._load()
        return self._models

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        if not self._loaded:
            self._load()
        return self._documents

    @property
    def query_error_codes(self) -> dict[str, str]:
        if not self._loaded:
            self._load()
        return self._query_error_codes

    @property
    def query_error_messages(self) -> dict[str, str]:
        if not self._loaded:
            self._load()
        return self._query_error_messages

    @property
    def errors_by_code(self) -> dict[str, tuple[str, int, bool]]:
        if not self._loaded:
            self._load()
        return self._errors_by_code

    @property
    def primary(self) -> str:
        return self.meta.primary

    @property
    def model(self) -> ServiceModel:
        return self.models[self.primary]

    @property
    def signing_name(self) -> str:
        return self.meta.signing_name

    def operation(self, protocol: str, name: str) -> OperationModel | None:
        model = self.models.get(protocol)
        if model is None:
            return None
        try:
            return _operation(model, name)
        except Exception:
            return None


@functools.lru_cache(maxsize=4096)
def _operation(model: ServiceModel, name: str) -> OperationModel:
    return model.operation_model(name)


def _load_model(service: str) -> dict[str, Any]:
    """botocore's model of ``service`` with its SDK extras, as Loader.load_service_model returns it, without the
    scan of every service's folder that method makes first (~8 ms per model). A loader of its own: botocore's
    caches what it loads, and the model is patched in place."""
    loader = Loader()
    version = loader.determine_latest_version(service, "service-2")
    model: dict[str, Any] = loader.load_data(os.path.join(service, version, "service-2"))
    extras = []
    for kind in loader.extras_types:
        try:
            extras.append(loader.load_data(os.path.join(service, version, f"service-2.{kind}-extras")))
        except DataNotFoundError:
            pass
    ExtrasProcessor().process(model, extras)
    return model


def _build(spec: ServiceSpec) -> None:
    service = spec.name
    raw = _load_model(service)
    patchfile = _patch_file(service)
    _apply(raw, patchfile.get("patches", []))
    primary = raw["metadata"]["protocol"]
    documents = {primary: raw}
    derived = patchfile.get("derive", {})
    if "query" in derived and primary != "query":
        documents["query"] = _derive_query(raw, derived["query"])
    spec._documents = documents
    spec._models = {protocol: ServiceModel(doc, service_name=service) for protocol, doc in documents.items()}
    spec._query_error_codes = dict(derived.get("query", {}).get("errorCodes", {}))
    spec._query_error_messages = dict(derived.get("query", {}).get("errorMessages", {}))
    for shape_name, shape in raw["shapes"].items():
        if not shape.get("exception"):
            continue
        err = shape.get("error", {})
        code = err.get("code") or spec._query_error_codes.get(shape_name) or shape_name
        status = int(err.get("httpStatusCode", 400 if not shape.get("fault") else 500))
        spec._errors_by_code[code] = (shape_name, status, err.get("senderFault", not shape.get("fault")))
        spec._errors_by_code.setdefault(shape_name, (shape_name, status, err.get("senderFault", True)))


@functools.cache
def load_spec(service: str) -> ServiceSpec:
    """The service's spec (its model loads on first use)."""
    return ServiceSpec(service)


def available_protocols(spec: ServiceSpec) -> list[str]:
    return list(spec.meta.protocols)


# --- every service botocore knows: to name the one a request meant when gureum does not serve it -------------


@dataclass(frozen=True, slots=True)
class KnownService:
    """What a request shows of a service botocore has a model of (gureum may not serve it)."""

    name: str
    protocols: tuple[str, ...]  # the model's, most preferred first
    target_prefix: str | None
    signing_name: str
    endpoint_prefix: str

    @property
    def primary(self) -> str:
        return self.protocols[0]


class Catalog:
    """botocore's services indexed by X-Amz-Target prefix, SigV4 signing name and endpoint prefix."""

    def __init__(self, services: list[KnownService]) -> None:
        self.by_name = {service.name: service for service in services}
        self.by_target: dict[str, KnownService] = {}
        self.by_signing: dict[str, list[KnownService]] = {}
        self.by_endpoint: dict[str, list[KnownService]] = {}
        for service in services:
            if service.target_prefix:
                self.by_target.setdefault(service.target_prefix, service)
            self.by_signing.setdefault(service.signing_name, []).append(service)
            self.by_endpoint.setdefault(service.endpoint_prefix, []).append(service)


_PREFERRED = ("json", "rest-json", "rest-xml", "smithy-rpc-v2-cbor", "query", "ec2")


def _latest_model(service_dir: str) -> str | None:
    try:
        versions = sorted((v.name for v in os.scandir(service_dir) if v.is_dir()), reverse=True)
    except OSError:
        return None
    for version in versions:
        for suffix in (".json.gz", ".json"):
            path = os.path.join(service_dir, version, "service-2" + suffix)
            if os.path.isfile(path):
                return path
    return None


def _known_service(name: str, path: str) -> KnownService | None:
    try:
        meta = _head_metadata(path, 2048) or _head_metadata(path, 1 << 20)
    except (OSError, ValueError):
        return None
    if meta is None:
        return None
    listed = meta.get("protocols") or [meta["protocol"]]
    # in the order botocore prefers them (CloudWatch lists cbor, json, query: botocore speaks json)
    protocols = tuple(sorted(listed, key=lambda p: _PREFERRED.index(p) if p in _PREFERRED else len(_PREFERRED)))
    endpoint_prefix = meta.get("endpointPrefix") or name
    return KnownService(
        name, protocols, meta.get("targetPrefix"), meta.get("signingName") or endpoint_prefix, endpoint_prefix
    )


@functools.cache
def catalog() -> Catalog:
    """Read once, when a request first names a service gureum does not serve: the head of each model file
    (~60 ms for botocore's ~420 services), never at start-up."""
    services: dict[str, KnownService] = {}
    for root in Loader().search_paths:  # ~/.aws/models first, as botocore looks
        try:
            entries = [entry for entry in os.scandir(root) if entry.is_dir()]
        except OSError:
            continue
        for entry in entries:
            if entry.name in services:
                continue
            path = _latest_model(entry.path)
            known = _known_service(entry.name, path) if path is not None else None
            if known is not None:
                services[entry.name] = known
    return Catalog(sorted(services.values(), key=lambda service: service.name))


@functools.cache
def rest_prefixes(service: str) -> tuple[str, ...]:
    """The literal starts of a REST service's request URIs (up to the first label), to tell apart services that
    sign with one name (sesv2's /v2/email/... and pinpoint-email's /v1/email/... both sign as "ses")."""
    try:
        model = Loader().load_service_model(service, "service-2")
    except Exception:
        return ()
    prefixes = set()
    for op in model.get("operations", {}).values():
        uri = op.get("http", {}).get("requestUri", "/").split("?", 1)[0]
        literal = uri.split("{", 1)[0]
        prefixes.add(literal if "{" not in uri else literal[: literal.rfind("/") + 1] or "/")
    return tuple(sorted(prefixes, key=len, reverse=True))
