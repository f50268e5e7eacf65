"""Wire protocols: one module per protocol, each with a parser and a serialiser.

ProtocolHandler (base.py)
  ├── JsonProtocol       json.py       awsJson 1.0/1.1, X-Amz-Target
  ├── QueryProtocol      query.py      form-encoded in, XML out
  └── RestProtocol       rest.py       URI/header/query bindings, payload members
        ├── RestJsonProtocol   rest_json.py  JSON body
        └── RestXmlProtocol    rest_xml.py   XML body
"""

from __future__ import annotations

from .base import ProtocolHandler


def get_protocol(name: str) -> ProtocolHandler:
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
    return _HANDLERS
