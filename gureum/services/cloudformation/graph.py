"""The dependency graph of a template's resources (Ref, Fn::GetAtt, Fn::Sub and DependsOn) with AWS's errors for
references to nothing and for cycles, and the order deletions must follow. Pure."""

from __future__ import annotations

from typing import Any

from .errors import TemplateError
from .intrinsics import PSEUDO, references


def depends_on(resource: dict[str, Any]) -> list[str]:
    found = resource.get("DependsOn") or []
    return [found] if isinstance(found, str) else [str(d) for d in found]


def dependencies(doc: dict[str, Any]) -> dict[str, set[str]]:
    """{resource: the resources it depends on}; TemplateError for a reference to nothing declared, or a cycle."""
    resources: dict[str, Any] = doc.get("Resources") or {}
    parameters = set(doc.get("Parameters") or {})
    graph: dict[str, set[str]] = {}
    unresolved: list[str] = []
    for logical, resource in resources.items():
        refs = references(
            [resource.get("Properties") or {}, resource.get("Metadata") or {}, resource.get("UpdatePolicy") or {}],
            set(),
        )
        explicit = depends_on(resource)
        for name in explicit:
            if name not in resources:
                raise TemplateError(
                    f"Template format error: Unresolved resource dependencies [{name}] in the "
                    "Resources block of the template"
                )
        for name in sorted(refs):
            if name not in resources and name not in parameters and name not in PSEUDO and name not in unresolved:
                unresolved.append(name)
        graph[logical] = {r for r in refs if r in resources} | set(explicit)
    if unresolved:
        raise TemplateError(
            f"Template format error: Unresolved resource dependencies [{', '.join(unresolved)}] in "
            "the Resources block of the template"
        )
    outputs = references([o.get("Value") for o in (doc.get("Outputs") or {}).values() if isinstance(o, dict)], set())
    missing = sorted(n for n in outputs if n not in resources and n not in parameters and n not in PSEUDO)
    if missing:
        raise TemplateError(
            f"Template format error: Unresolved resource dependencies [{', '.join(missing)}] in the "
            "Outputs block of the template"
        )
    cycle = find_cycle(graph)
    if cycle:
        raise TemplateError(f"Circular dependency between resources: [{', '.join(cycle)}]")
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """The resources left when every resource that can be ordered is removed (Kahn), sorted; [] without cycles."""
    remaining = {k: set(v) & set(graph) for k, v in graph.items()}
    ready = [k for k, v in remaining.items() if not v]
    while ready:
        done = ready.pop()
        del remaining[done]
        for name, deps in remaining.items():
            if done in deps:
                deps.discard(done)
                if not deps:
                    ready.append(name)
    return sorted(remaining)
