"""Model-driven XML writing and reading, shared by the query and rest-xml protocols."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape

from .base import MalformedInput, scalar_from_text, text_from_scalar, xml_escape


def member_xml_name(shape: Shape, member_name: str) -> str:
    """The element name a structure member appears under (flattened lists take their member's name)."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        inner = shape.member.serialization.get("name")
        if inner:
            return str(inner)
    return str(shape.serialization.get("name") or member_name)


def write_members(shape: Shape, value: dict[str, Any], out: list[str]) -> None:
    """Write a structure's members (not the structure's own element)."""
    members = shape.members
    for key, item in value.items():
        if item is None:
            continue
        member = members.get(key)
        if member is None or member.serialization.get("location"):
            continue
        if member.serialization.get("xmlAttribute"):
            continue
        write_value(member, item, member_xml_name(member, key), out)


def _attributes(shape: Shape, value: Any) -> str:
    if shape.type_name != "structure" or not isinstance(value, dict):
        return ""
    parts = []
    for key, member in shape.members.items():
        if member.serialization.get("xmlAttribute") and value.get(key) is not None:
            # attribute values are whitespace-normalised by parsers unless tabs and newlines are references
            text = xml_escape(text_from_scalar(member, value[key])).replace("\n", "&#10;").replace("\t", "&#9;")
            parts.append(f' {member.serialization.get("name", key)}="{text}"')
    ns = shape.serialization.get("xmlNamespace")
    if ns:
        prefix = ns.get("prefix")
        parts.append(f' xmlns{":" + prefix if prefix else ""}="{ns["uri"]}"')
    return "".join(parts)


def write_value(shape: Shape, value: Any, name: str, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{name}{_attributes(shape, value)}>")
        write_members(shape, value, out)
        out.append(f"</{name}>")
    elif kind == "list":
        member = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                write_value(member, item, name, out)
        else:
            inner = member.serialization.get("name", "member")
            out.append(f"<{name}>")
            for item in value:
                write_value(member, item, inner, out)
            out.append(f"</{name}>")
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flat = shape.serialization.get("flattened")
        if not flat:
            out.append(f"<{name}>")
        for k, v in value.items():
            out.append(f"<{name}>" if flat else "<entry>")
            out.append(f"<{key_name}>{xml_escape(str(k))}</{key_name}>")
            write_value(shape.value, v, value_name, out)
            out.append(f"</{name}>" if flat else "</entry>")
        if not flat:
            out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{xml_escape(text_from_scalar(shape, value))}</{name}>")


# --- reading -----------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema."


def parse_document(body: bytes) -> ElementTree.Element:
    # no AWS request document has a DTD: refusing one refuses entity expansion ("billion laughs") and external
    # entities before the parser sees them
    if b"<!DOCTYPE" in body:
        raise MalformedInput(_MALFORMED, code="MalformedXML")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise MalformedInput(_MALFORMED, code="MalformedXML") from exc


def read_value(shape: Shape, node: ElementTree.Element, where: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return read_members(shape, node, where)
    if kind == "list":
        inner = shape.member.serialization.get("name", "member")
        return [read_value(shape.member, child, where) for child in node if _local(child.tag) == inner]
    if kind == "map":
        return _read_map_entries(shape, [child for child in node if _local(child.tag) == "entry"], where)
    return scalar_from_text(shape, node.text or "", where)


def _read_map_entries(shape: Shape, entries: list[ElementTree.Element], where: str) -> dict[str, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    result: dict[str, Any] = {}
    for entry in entries:
        key = value = None
        for child in entry:
            tag = _local(child.tag)
            if tag == key_name:
                key = child.text or ""
            elif tag == value_name:
                value = read_value(shape.value, child, where)
        if key is not None:
            result[key] = value
    return result


def read_members(shape: Shape, node: ElementTree.Element, where: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    children: dict[str, list[ElementTree.Element]] = {}
    for child in node:
        children.setdefault(_local(child.tag), []).append(child)
    for key, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        if member.serialization.get("xmlAttribute"):
            # a prefixed name ("xsi:type") arrives namespace-qualified ("{http://...XMLSchema-instance}type")
            attr = member.serialization.get("name", key).rpartition(":")[2]
            for attr_name, attr_value in node.attrib.items():
                if _local(attr_name) == attr:
                    result[key] = scalar_from_text(member, attr_value, key)
            continue
        found = children.get(member_xml_name(member, key))
        if not found:
            continue
        if member.type_name == "list" and member.serialization.get("flattened"):
            result[key] = [read_value(member.member, child, key) for child in found]
        elif member.type_name == "map" and member.serialization.get("flattened"):
            result[key] = _read_map_entries(member, found, key)
        else:
            result[key] = read_value(member, found[0], key)
    return result
