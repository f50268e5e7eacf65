"""SES templates rendered as AWS renders them: Handlebars-style {{var}} / {{{var}}}, dotted paths, {{#if}} /
{{#unless}} with {{else}}, {{#each}} with {{this}} and {{@index}}. Parsing is one linear pass with an explicit stack;
rendering recurses at most MAX_TEMPLATE_DEPTH blocks deep and stops at MAX_RENDERED_BYTES. A variable missing from
the data is AWS's MissingRenderingAttribute. No HTTP, no SQL."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from . import limits
from .errors import InvalidRenderingParameter, InvalidTemplate, MissingRenderingAttribute

_TAG = re.compile(r"\{\{\{\s*([^{}]*?)\s*\}\}\}|\{\{\s*([^{}]*?)\s*\}\}")
_MISSING = object()


@dataclass(slots=True)
class _Block:
    kind: str  # "root", "if", "unless", "each"
    arg: str
    body: list[Any] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)  # after {{else}}
    in_else: bool = False

    def add(self, node: Any) -> None:
        (self.other if self.in_else else self.body).append(node)


@dataclass(frozen=True, slots=True)
class _Var:
    name: str
    escape: bool


def parse(text: str) -> _Block:
    """The template as a tree; InvalidTemplate for unbalanced or unknown blocks."""
    root = _Block("root", "")
    stack = [root]
    pos = 0
    for match in _TAG.finditer(text):
        if match.start() > pos:
            stack[-1].add(text[pos : match.start()])
        pos = match.end()
        if match.group(1) is not None:
            stack[-1].add(_Var(match.group(1), False))
            continue
        tag = match.group(2)
        if tag.startswith("!"):
            continue  # a comment
        if tag.startswith("#"):
            kind, _, arg = tag[1:].partition(" ")
            if kind not in ("if", "unless", "each", "with") or not arg.strip():
                raise InvalidTemplate(f"Template has an invalid block: {{{{{tag}}}}}")
            if len(stack) > limits.MAX_TEMPLATE_DEPTH:
                raise InvalidTemplate("Template blocks are nested too deeply.")
            block = _Block(kind, arg.strip())
            stack[-1].add(block)
            stack.append(block)
        elif tag.startswith("/"):
            if len(stack) == 1 or stack[-1].kind != tag[1:].strip():
                raise InvalidTemplate(f"Template has an unmatched closing tag: {{{{{tag}}}}}")
            stack.pop()
        elif tag == "else":
            if len(stack) == 1 or stack[-1].in_else:
                raise InvalidTemplate("Template has an {{else}} outside a block.")
            stack[-1].in_else = True
        else:
            stack[-1].add(_Var(tag, True))
    if len(stack) > 1:
        raise InvalidTemplate(f"Template has an unclosed block: {{{{#{stack[-1].kind} {stack[-1].arg}}}}}")
    if pos < len(text):
        root.add(text[pos:])
    return root


@dataclass(slots=True)
class _Frame:
    value: Any
    index: int | None = None


def _lookup(name: str, frames: list[_Frame]) -> Any:
    if name == "@index":
        for frame in reversed(frames):
            if frame.index is not None:
                return frame.index
        return _MISSING
    if name in ("this", "."):
        return frames[-1].value
    parts = name.removeprefix("this.").split(".") if name.startswith("this.") else name.split(".")
    scopes = [frames[-1]] if name.startswith("this.") else list(reversed(frames))
    for frame in scopes:
        value = frame.value
        found = True
        for part in parts:
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                found = False
                break
        if found:
            return value
    return _MISSING


def _truthy(value: Any) -> bool:
    return value is not _MISSING and value not in (None, False, "", 0) and value != [] and value != {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return "[object Object]" if isinstance(value, dict) else ",".join(_text(v) for v in value)
    return str(value)


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.size += len(text)
        if self.size > limits.MAX_RENDERED_BYTES:
            raise InvalidRenderingParameter("The rendered template is too large.")
        self.parts.append(text)


def _render(nodes: list[Any], frames: list[_Frame], out: _Out, escape_html: bool, depth: int) -> None:
    if depth > limits.MAX_TEMPLATE_DEPTH + 1:  # parse() bounds nesting; this guards the recursion regardless
        raise InvalidTemplate("Template blocks are nested too deeply.")
    for node in nodes:
        if isinstance(node, str):
            out.write(node)
        elif isinstance(node, _Var):
            value = _lookup(node.name, frames)
            if value is _MISSING:
                raise MissingRenderingAttribute(f"Attribute '{node.name}' is not present in the rendering data.")
            text = _text(value)
            out.write(html.escape(text) if escape_html and node.escape else text)
        else:
            value = _lookup(node.arg, frames)
            if node.kind == "if" or node.kind == "unless":
                chosen = node.body if _truthy(value) == (node.kind == "if") else node.other
                _render(chosen, frames, out, escape_html, depth + 1)
            elif node.kind == "with":
                if _truthy(value):
                    _render(node.body, [*frames, _Frame(value)], out, escape_html, depth + 1)
                else:
                    _render(node.other, frames, out, escape_html, depth + 1)
            elif isinstance(value, list) and value:
                for i, item in enumerate(value):
                    _render(node.body, [*frames, _Frame(item, i)], out, escape_html, depth + 1)
            elif isinstance(value, dict) and value:
                for i, item in enumerate(value.values()):
                    _render(node.body, [*frames, _Frame(item, i)], out, escape_html, depth + 1)
            else:
                _render(node.other, frames, out, escape_html, depth + 1)


def render(text: str, data: dict[str, Any], escape_html: bool = False) -> str:
    out = _Out()
    _render(parse(text).body, [_Frame(data)], out, escape_html, 0)
    return "".join(out.parts)


def template_data(text: str | None) -> dict[str, Any]:
    """The TemplateData JSON object; InvalidRenderingParameter when it is no JSON object."""
    if text is None or text == "":
        return {}
    try:
        data = safejson.loads(text)
    except ValueError:
        raise InvalidRenderingParameter("Template data must be a valid JSON object.") from None
    if not isinstance(data, dict):
        raise InvalidRenderingParameter("Template data must be a valid JSON object.")
    return data


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str | None
    html: str | None


def render_parts(subject: str | None, text: str | None, html_part: str | None, data: dict[str, Any]) -> Rendered:
    """Subject, text and HTML parts of a template rendered with ``data`` (HTML values escaped)."""
    return Rendered(
        render(subject or "", data),
        render(text, data) if text is not None else None,
        render(html_part, data, escape_html=True) if html_part is not None else None,
    )


def check_template(subject: str | None, text: str | None, html_part: str | None) -> None:
    """InvalidTemplate for a part that does not parse or a template over AWS's size limit."""
    size = sum(len(p.encode()) for p in (subject, text, html_part) if p)
    if size > limits.MAX_TEMPLATE_BYTES:
        raise InvalidTemplate(f"Template size exceeds the limit of {limits.MAX_TEMPLATE_BYTES} bytes.")
    for part in (subject, text, html_part):
        if part:
            parse(part)
