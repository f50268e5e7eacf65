"""Service models: botocore's JSON models plus gureum's patches, indexed for routing.

Patches live in ``patches/<service>.json``.  Each file may ``derive`` extra protocol variants of a model
(SQS's query protocol, which botocore no longer ships) and list ``patches``: each entry sets one value at
a path in the model and says why.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

_PATCH_DIR = Path(__file__).parent / "patches"


@functools.cache
def _loader() -> Loader:
    return Loader()


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
    return json.loads(path.read_text())


@dataclass
class ServiceSpec:
    """One service's models (one per protocol it speaks) and lookup tables."""

    name: str
    models: dict[str, ServiceModel]
    primary: str
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # the model JSON per protocol
    # code a query-compatible JSON service answers with, keyed by error shape name
    query_error_codes: dict[str, str] = field(default_factory=dict)
    # error metadata keyed by the code the client sees: (shape name, http status, sender fault)
    errors_by_code: dict[str, tuple[str, int, bool]] = field(default_factory=dict)

    @property
    def model(self) -> ServiceModel:
        return self.models[self.primary]

    @property
    def signing_name(self) -> str:
        return self.model.signing_name or self.model.endpoint_prefix

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


@functools.cache
def load_spec(service: str) -> ServiceSpec:
    raw = _loader().load_service_model(service, "service-2")
    patchfile = _patch_file(service)
    raw = copy.deepcopy(raw)
    _apply(raw, patchfile.get("patches", []))
    primary = raw["metadata"]["protocol"]
    documents = {primary: raw}
    derived = patchfile.get("derive", {})
    if "query" in derived and primary != "query":
        documents["query"] = _derive_query(raw, derived["query"])
    models = {protocol: ServiceModel(doc, service_name=service) for protocol, doc in documents.items()}
    spec = ServiceSpec(name=service, models=models, primary=primary, documents=documents)
    spec.query_error_codes = dict(derived.get("query", {}).get("errorCodes", {}))
    for shape_name, shape in raw["shapes"].items():
        if not shape.get("exception"):
            continue
        err = shape.get("error", {})
        code = err.get("code") or spec.query_error_codes.get(shape_name) or shape_name
        status = int(err.get("httpStatusCode", 400 if not shape.get("fault") else 500))
        spec.errors_by_code[code] = (shape_name, status, err.get("senderFault", not shape.get("fault")))
        spec.errors_by_code.setdefault(shape_name, (shape_name, status, err.get("senderFault", True)))
    return spec


def available_protocols(spec: ServiceSpec) -> list[str]:
    return list(spec.models)
