"""Velocity mapping templates (airspeed) with API Gateway's variables: $input, $util, $context, $stageVariables.

Parsed JSON is wrapped in dict/list/str subclasses that answer the Java methods templates call (size(),
keySet(), get(), length(), …). Compiled templates are cached by their text. Also the template GetModelTemplate
generates from a model's schema.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed

from ... import safejson
from .errors import BadRequestException


class JStr(str):
    def length(self) -> int:
        return len(self)

    def toLowerCase(self) -> JStr:  # noqa: N802  (Java names, as templates call them)
        return JStr(self.lower())

    def toUpperCase(self) -> JStr:  # noqa: N802
        return JStr(self.upper())

    def trim(self) -> JStr:
        return JStr(self.strip())

    def contains(self, other: str) -> bool:
        return other in self

    def equals(self, other: Any) -> bool:
        return str(self) == str(other)

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def startsWith(self, other: str) -> bool:  # noqa: N802
        return self.startswith(other)

    def endsWith(self, other: str) -> bool:  # noqa: N802
        return self.endswith(other)

    def indexOf(self, other: str) -> int:  # noqa: N802
        return self.find(other)

    def substring(self, start: int, end: int | None = None) -> JStr:
        return JStr(self[start:end])

    def replaceAll(self, pattern: str, replacement: str) -> JStr:  # noqa: N802
        return JStr(re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", replacement), self))

    def replace(self, old: str, new: str, count: int = -1) -> JStr:  # type: ignore[override]
        return JStr(str.replace(self, old, new, count))

    def matches(self, pattern: str) -> bool:
        return re.fullmatch(pattern, self) is not None

    def split(self, sep: str | None = None, maxsplit: int = -1) -> JList:  # type: ignore[override]
        return JList(JStr(p) for p in (re.split(sep, self) if sep else str.split(self)))


class JDict(dict):  # type: ignore[type-arg]
    def size(self) -> int:
        return len(self)

    def keySet(self) -> JList:  # noqa: N802
        return JList(self.keys())

    def entrySet(self) -> JList:  # noqa: N802
        return JList(JDict(key=k, value=v) for k, v in self.items())

    def containsKey(self, key: str) -> bool:  # noqa: N802
        return key in self

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def put(self, key: str, value: Any) -> None:
        self[key] = value

    def __str__(self) -> str:  # Java's Map.toString, as AWS renders a map: {a=1, b=2}
        return "{" + ", ".join(f"{k}={v}" for k, v in self.items()) + "}"


class JList(list):  # type: ignore[type-arg]
    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def contains(self, item: Any) -> bool:
        return item in self

    def get(self, index: int) -> Any:
        return self[index]

    def add(self, item: Any) -> bool:
        self.append(item)
        return True

    def __str__(self) -> str:
        return "[" + ", ".join(str(v) for v in self) + "]"


class JBool:
    """A boolean as Velocity on Java shows one ("true", not Python's "True"), true or false in #if and == as well."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, JBool) else other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return "true" if self.value else "false"

    __repr__ = __str__


def wrap(value: Any) -> Any:
    if isinstance(value, bool):
        return JBool(value)
    if isinstance(value, dict):
        return JDict((k, wrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return JList(wrap(v) for v in value)
    if isinstance(value, str):
        return JStr(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, JStr):
        return str(value)
    if isinstance(value, JBool):
        return value.value
    return value


_TOKEN = re.compile(r"\.([A-Za-z0-9_$-]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(\d+|\*)\s*\]|\.\*")


def json_path(document: Any, path: str) -> Any:
    """A JSONPath subset: $, .name, ['name'], [index], [*] and .* (which map over lists)."""
    path = (path or "$").strip()
    if not path.startswith("$"):
        raise BadRequestException(f"Invalid JSONPath: {path}")
    values, many, pos = [document], False, 1
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            raise BadRequestException(f"Invalid JSONPath: {path}")
        pos = match.end()
        key = match.group(1) or match.group(2) or match.group(3)
        index = match.group(4)
        nxt: list[Any] = []
        for value in values:
            if key is not None:
                if isinstance(value, dict) and key in value:
                    nxt.append(value[key])
            elif index == "*" or match.group(0) == ".*":
                many = True
                nxt.extend(value if isinstance(value, list) else value.values() if isinstance(value, dict) else [])
            elif isinstance(value, list) and int(index) < len(value):
                nxt.append(value[int(index)])
        values = nxt
    if many:
        return values
    return values[0] if values else None


class Input:
    """$input: the request (or, in response templates, the integration response) body and parameters."""

    def __init__(self, body: str, params: dict[str, dict[str, str]]) -> None:
        self.body = JStr(body)
        self._params = params
        self._parsed: Any = None
        self._parsed_ok = False

    def _document(self) -> Any:
        if not self._parsed_ok:
            try:
                self._parsed = safejson.loads(self.body) if self.body.strip() else {}
            except ValueError:
                self._parsed = None
                self._parsed_ok = True
                raise BadRequestException("Invalid JSON in request body") from None
            self._parsed_ok = True
        return self._parsed

    def json(self, path: str = "$") -> str:
        return json.dumps(json_path(self._document(), path))

    def path(self, path: str = "$") -> Any:
        return wrap(json_path(self._document(), path))

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return JDict((k, JDict(v)) for k, v in self._params.items())
        for part in ("path", "querystring", "header"):
            found = self._params.get(part, {})
            if part == "header":
                found = {k.lower(): v for k, v in found.items()}
                name_key = name.lower()
            else:
                name_key = name
            if name_key in found:
                return JStr(found[name_key])
        return JStr("")


def escape_javascript(text: Any) -> str:
    out = []
    for ch in str(text):
        out.append(
            {
                "\\": "\\\\",
                '"': '\\"',
                "'": "\\'",
                "\n": "\\n",
                "\r": "\\r",
                "\t": "\\t",
                "\b": "\\b",
                "\f": "\\f",
                "/": "\\/",
            }.get(ch, ch)
        )
    return "".join(out)


class Util:
    """$util (API Gateway's mapping template reference)."""

    def escapeJavaScript(self, text: Any) -> str:  # noqa: N802
        return escape_javascript(text)

    def urlEncode(self, text: Any) -> str:  # noqa: N802
        return quote_plus(str(text))

    def urlDecode(self, text: Any) -> str:  # noqa: N802
        return unquote_plus(str(text))

    def base64Encode(self, text: Any) -> str:  # noqa: N802
        return base64.b64encode(str(text).encode()).decode()

    def base64Decode(self, text: Any) -> str:  # noqa: N802
        return base64.b64decode(str(text)).decode("utf-8", "replace")

    def parseJson(self, text: Any) -> Any:  # noqa: N802
        try:
            return wrap(safejson.loads(str(text)))
        except ValueError:
            raise BadRequestException("Invalid JSON passed to $util.parseJson") from None


UTIL = Util()


@lru_cache(maxsize=512)
def _compile(text: str) -> airspeed.Template:
    return airspeed.Template(text)


class TemplateError(Exception):
    pass


def render(
    text: str, body: str, params: dict[str, dict[str, str]], context: dict[str, Any], stage_variables: dict[str, str]
) -> str:
    """Render one mapping template. ``context`` may carry requestOverride/responseOverride dicts that the
    template changes with #set."""
    try:
        template = _compile(text)
    except Exception as exc:  # airspeed's TemplateSyntaxError and friends
        raise TemplateError(str(exc)) from None
    namespace = {
        "input": Input(body, params),
        "util": UTIL,
        "context": context,
        "stageVariables": wrap(stage_variables),
    }
    try:
        return str(template.merge(namespace))
    except BadRequestException:
        raise
    except Exception as exc:
        raise TemplateError(str(exc)) from None


def context_view(context: dict[str, Any]) -> JDict:
    return wrap(context)  # type: ignore[no-any-return]


# --- GetModelTemplate ------------------------------------------------------------------------------------------------


def model_template(schema_text: str | None) -> str:
    """A mapping template that outputs a model's shape (API Gateway's "Generate template")."""
    return _template(json.loads(schema_text or "{}"), "$input.path('$')", 0)


def _template(schema: dict[str, Any], expr: str, depth: int) -> str:
    kind = schema.get("type")
    if kind == "object" and depth < 5:
        var = f"$o{depth}"
        lines = [f"#set({var} = {expr})", "{"]
        props = list((schema.get("properties") or {}).items())
        for i, (name, sub) in enumerate(props):
            comma = "," if i < len(props) - 1 else ""
            lines.append(f'  "{name}" : {_template(sub, f"{var}.{name}", depth + 1)}{comma}')
        lines.append("}")
        return "\n".join(lines)
    if kind == "array" and depth < 5:
        var = f"$e{depth}"
        item = _template(schema.get("items") or {}, var, depth + 1)
        return f"[\n#foreach({var} in {expr})\n{item}#if($foreach.hasNext),#end\n#end\n]"
    if kind in ("integer", "number", "boolean"):
        return expr
    return f'"{expr}"'
