"""AWS Glue, the Data Catalog only: databases and tables (with their StorageDescriptor columns and types, and every
table version UpdateTable made), over the JSON protocol (target AWSGlue). Its GlueCatalog port gives Firehose the
schema of its data format conversion. Crawlers, jobs, partitions and every other Glue operation answer NotImplemented
through the engine."""

from __future__ import annotations

from pathlib import Path

from ... import ports
from ...aws.validate import Rules
from ...runtime import Runtime
from .. import Service
from .backend import GlueBackend

SERVICE: Service = Service(
    "glue",
    validation=Rules(code="InvalidInputException"),
    migrations=Path(__file__).parent / "migrations",
)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(GlueBackend(runtime.store, runtime.clock))
    runtime.provide(ports.GlueCatalog, be)


from . import ops_databases, ops_tables  # noqa: E402,F401  (register)
