"""Wire protocols: one module per protocol, each with a parser and a serialiser.

ProtocolHandler (base.py)
  ├── JsonProtocol       json.py       awsJson 1.0/1.1, X-Amz-Target
  │     └── CborProtocol cbor.py       the same with application/x-amz-cbor-1.1 bodies (get_protocol picks it)
  ├── QueryProtocol      query.py      form-encoded in, XML out
  └── RestProtocol       rest.py       URI/header/query bindings, payload members
        ├── RestJsonProtocol   rest_json.py  JSON body
        └── RestXmlProtocol    rest_xml.py   XML body
"""

from __future__ import annotations

from ..http import Request
from .base import ProtocolHandler


def get_protocol(name: str, request: Request | None = None) -> ProtocolHandler:
    """The handler of protocol ``name``; for a json ``request`` with a CBOR body, the CBOR one."""
    if name == "json" and request is not None and request.content_type == "application/x-amz-cbor-1.1":
        return _handlers()["cbor"]
    return _handlers()[name]


_HANDLERS: dict[str, ProtocolHandler] = {}


def _handlers() -> dict[str, ProtocolHandler]:
    if not _HANDLERS:
        from .json import JsonProtocol
        from .query import QueryProtocol

        _HANDLERS["json"] = JsonProtocol()
        _HANDLERS["query"] = QueryProtocol()
        from .rest_json import RestJsonProtocol
        from .rest_xml import RestXmlProtocol

        _HANDLERS["rest-json"] = RestJsonProtocol()
        _HANDLERS["rest-xml"] = RestXmlProtocol()
        from .cbor import CborProtocol

        _HANDLERS["cbor"] = CborProtocol()
    return _HANDLERS
