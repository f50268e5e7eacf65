"""Amazon Kinesis Data Analytics v2 (kinesisanalyticsv2, JSON protocol) for SQL applications (RuntimeEnvironment
SQL-1_0): the same applications as kinesisanalytics (v1), reached through the AnalyticsApplications port that
package provides. This package keeps no state: its operations translate v2's shapes (render.py). Flink and Zeppelin
runtimes are refused, naming what is supported."""

from __future__ import annotations

from .. import Service

SERVICE: Service = Service("kinesisanalyticsv2")

from . import ops_applications  # noqa: E402,F401  (register)
