"""An application's code, compiled: parsed (dialect.py), its pumps translated (translate.py) and bound against its
streams, input schema and reference schemas in DuckDB (engine.py), so CreateApplication and UpdateApplication
answer CodeValidationException with the line, as AWS does. Runs in a worker thread (DuckDB work)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .applications import ERROR_STREAM
from .dialect import Program, parse
from .engine import Engine
from .schema import RecordParser
from .translate import PumpPlan, translate


@dataclass(slots=True)
class Compiled:
    program: Program
    plans: list[PumpPlan]
    sources: dict[str, list[tuple[str, str]]]  # input in-application stream → columns
    reference_columns: dict[str, list[tuple[str, str]]]


def input_streams(config: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for item in config.get("Inputs") or []:
        parser = RecordParser(item["InputSchema"])
        for name in item["InAppStreamNames"]:
            out[name.upper()] = [(c.name, c.duck_type) for c in parser.columns]
    return out


def compile_code(config: dict[str, Any]) -> Compiled:
    sources = input_streams(config)
    program = parse(str(config.get("Code") or ""))
    streams = set(program.streams) | set(sources) | {ERROR_STREAM, ERROR_STREAM.upper()}
    plans = [translate(pump, streams) for pump in program.pumps.values()]
    for plan in plans:  # error_stream is spelled in lower case, as AWS names it
        if plan.source == ERROR_STREAM.upper():
            plan.source = ERROR_STREAM
    refs = {}
    for item in config.get("References") or []:
        parser = RecordParser(item["ReferenceSchema"])
        refs[str(item["TableName"])] = [(c.name, c.duck_type) for c in parser.columns]
    return Compiled(program, plans, sources, refs)


def validate(config: dict[str, Any]) -> None:
    """CodeValidationException when the code does not parse or a pump does not bind. Pumps reading an input that
    is not configured yet are checked once it is (AWS too accepts code before its input)."""
    compiled = compile_code(config)
    known = set(compiled.program.streams) | set(compiled.sources) | {ERROR_STREAM}
    plans = [p for p in compiled.plans if p.source in known]
    engine = Engine(
        compiled.program, plans, compiled.sources, {t: (c, []) for t, c in compiled.reference_columns.items()}
    )
    try:
        engine.check()
    finally:
        engine.close()
