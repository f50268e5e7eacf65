"""One running application's in-application streams and pumps, evaluated by an embedded DuckDB: rows of a stream
are staged as a table of that stream's name (schema "stage") and each pump's translated query runs over them —
per batch (plain pumps), per closed tumbling window (the pump's buffer, schema "buf"), per closed stagger window
(a window per partition key, opened by its first row and closed the interval later), or over the retained rows
plus the new ones (sliding windows). Results are rows of the pump's target stream, which feed the pumps reading it.
The rows a restart could not read again (a sliding window's history, a stagger pump's open windows, the open
windows of a tumbling pump over an in-application stream) are returned with what was emitted (Emission.history /
cuts / replace) for the store to keep.

Not thread-safe: the runner calls it from one worker thread (DuckDB releases the GIL while it works). What each
pump has emitted is returned with the rows (Emission) for the runner to commit in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import lazy
from .applications import ERROR_STREAM
from .dialect import Program, code_error
from .schema import parse_type
from .translate import NEW, PumpPlan

if TYPE_CHECKING:
    import duckdb
else:  # imported on first use: start-up stays light
    duckdb = lazy.module("duckdb")

ERROR_COLUMNS = [
    ("ERROR_TIME", "TIMESTAMP"),
    ("ERROR_LEVEL", "VARCHAR"),
    ("ERROR_NAME", "VARCHAR"),
    ("MESSAGE", "VARCHAR"),
    ("DATA_ROWTIME", "TIMESTAMP"),
    ("DATA_ROW", "VARCHAR"),
    ("PUMP_NAME", "VARCHAR"),
]
_MAX_SLIDING_ROWS = 200_000
_MAX_CHAIN = 32
_KEY = "__KEY"
_MAX_CLOSES = 100_000


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_ts(ms: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)


@dataclass(slots=True)
class Emission:
    """What one step produced: rows per in-application stream (ROWTIME ms, values), and the progress to commit."""

    rows: dict[str, list[tuple[int, tuple[Any, ...]]]] = field(default_factory=dict)
    through: dict[str, dict[str, int]] = field(default_factory=dict)  # pump → shard → last sequence accounted
    window_ends: dict[str, int] = field(default_factory=dict)  # tumbling pump → end (ms) of its last window
    history: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # pump → rows kept (ROWTIME ms, JSON)
    cuts: dict[str, int] = field(default_factory=dict)  # pump → kept rows before this ROWTIME (ms) are gone
    replace: set[str] = field(default_factory=set)  # pumps whose kept rows are all of ``history`` (the old go)

    def add(self, stream: str, rowtime: int, rows: list[tuple[Any, ...]]) -> None:
        self.rows.setdefault(stream, []).extend((rowtime, r) for r in rows)

    def empty(self) -> bool:
        return not self.rows and not self.through and not self.window_ends and not self.history and not self.replace


def _plain(value: Any) -> Any:
    """A DuckDB value as JSON text DuckDB casts back to the column's type."""
    if isinstance(value, bytes):
        return "".join(f"\\x{b:02x}" for b in value)
    return str(value)  # datetime, date, time, timedelta, Decimal: their text casts back


def _row_json(row: tuple[Any, ...]) -> str:
    return json.dumps(row, default=_plain)


class Engine:
    def __init__(
        self,
        program: Program,
        plans: list[PumpPlan],
        sources: dict[str, list[tuple[str, str]]],
        references: dict[str, tuple[list[tuple[str, str]], list[tuple[Any, ...]]]],
        through: dict[str, dict[str, int]] | None = None,
        window_ends: dict[str, int] | None = None,
        history: dict[str, list[tuple[int, str]]] | None = None,
    ) -> None:
        """``sources``: input stream name → [(column, DuckDB type)]; ``references``: table → (columns, rows);
        ``through``, ``window_ends``, ``history``: what the store kept (store.progress)."""
        self.db = duckdb.connect(":memory:")
        self.db.execute("SET TimeZone = 'UTC'")
        self.db.execute("CREATE SCHEMA stage")
        self.db.execute("CREATE SCHEMA buf")
        self.plans = plans
        self.columns: dict[str, list[tuple[str, str]]] = dict(sources)
        for stream in program.streams.values():
            self.columns[stream.name] = [(c, parse_type(t)[1]) for c, t in stream.columns]
        self.columns[ERROR_STREAM] = list(ERROR_COLUMNS)
        for table, (cols, rows) in references.items():
            self.db.execute(f"CREATE TABLE main.{_q(table)} ({', '.join(f'{_q(c)} {t}' for c, t in cols)})")
            self._insert(f"main.{_q(table)}", cols, rows)
        self.through: dict[str, dict[str, int]] = {p.name: dict((through or {}).get(p.name, {})) for p in plans}
        self.window_ends: dict[str, int] = {p.name: (window_ends or {}).get(p.name, 0) for p in plans}
        self.pending: dict[str, deque[tuple[int, dict[str, int]]]] = {p.name: deque() for p in plans}
        self.readers: dict[str, list[PumpPlan]] = {}
        for plan in plans:
            if plan.source not in self.columns:
                raise code_error(plan.line, f"stream {plan.source} is not defined (no such input or CREATE STREAM)")
            if plan.target not in self.columns:
                raise code_error(plan.line, f"stream {plan.target} is not defined by CREATE STREAM")
            self.readers.setdefault(plan.source, []).append(plan)
            cols = self.columns[plan.source]
            defs = ", ".join(['"ROWTIME" TIMESTAMP', *(f"{_q(c)} {t}" for c, t in cols)])
            if plan.kind == "sliding":
                defs += f', "{NEW}" BOOLEAN'
            if plan.kind == "stagger":
                defs += f', "{_KEY}" VARCHAR'
            if plan.kind != "row":
                self.db.execute(f"CREATE TABLE buf.{_q(plan.name)} ({defs})")
        for name, cols in self.columns.items():
            defs = ", ".join(['"ROWTIME" TIMESTAMP', *(f"{_q(c)} {t}" for c, t in cols), f'"{NEW}" BOOLEAN'])
            self.db.execute(f"CREATE TABLE stage.{_q(name)} ({defs})")
        self.db.execute("SET search_path = 'stage,main'")
        chained = {st.name for st in program.streams.values()}
        # which pumps' rows the store keeps: sliding and stagger windows, tumbling windows over in-application streams
        self.kept = {
            p.name for p in plans if p.kind in ("sliding", "stagger") or (p.kind == "tumbling" and p.source in chained)
        }
        for plan in plans:
            if plan.name in self.kept and (history or {}).get(plan.name):
                self._restore(plan, (history or {})[plan.name])

    def _restore(self, plan: PumpPlan, rows: list[tuple[int, str]]) -> None:
        cols = [("ROWTIME", "TIMESTAMP"), *self.columns[plan.source]]
        if plan.kind == "sliding":
            cols.append((NEW, "BOOLEAN"))
        values: list[tuple[Any, ...]] = []
        for ms, text in rows:
            row = json.loads(text)
            if len(row) != len(self.columns[plan.source]):
                return  # the code changed the stream's columns: the history does not fit
            values.append((to_ts(ms), *row, *((False,) if plan.kind == "sliding" else ())))
        try:
            if plan.kind == "stagger":
                self._stagger_buffer(plan, values)
            else:
                self._insert(f"buf.{_q(plan.name)}", cols, values)
        except duckdb.Error:
            self.db.execute(f"DELETE FROM buf.{_q(plan.name)}")  # a type the code changed: start empty

    def close(self) -> None:
        self.db.close()

    # --- validation ------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Bind every pump's query against the (empty) streams: CodeValidationException with the pump's line."""
        for plan in self.plans:
            if plan.kind == "stagger":
                try:
                    self.db.execute(f"SELECT {self._key_sql(plan)} FROM {_q(plan.source)} LIMIT 0")
                except duckdb.Error as error:
                    message = str(error).split("\n", 1)[0]
                    raise code_error(plan.line, f"in pump {plan.name}'s PARTITION BY: {message}") from None
            width = len(self._describe(plan))
            target = self._target_width(plan)
            if width != target and len(self._kept(self._describe(plan))) != target:
                raise code_error(
                    plan.line,
                    f"pump {plan.name} selects {width} columns but INSERT INTO {plan.target} takes {target}",
                )

    def _describe(self, plan: PumpPlan) -> list[str]:
        try:
            self.db.execute(f"SELECT * FROM ({plan.sql}) LIMIT 0")
        except duckdb.Error as error:
            message = str(error).split("\n", 1)[0]
            raise code_error(plan.line, f"in pump {plan.name}: {message}") from None
        return [d[0] for d in self.db.description or []]

    def _target_width(self, plan: PumpPlan) -> int:
        return len(plan.target_columns) if plan.target_columns else len(self.columns[plan.target])

    @staticmethod
    def _kept(names: list[str]) -> list[int]:
        return [i for i, n in enumerate(names) if n.upper() not in ("ROWTIME", NEW)]

    # --- staging ---------------------------------------------------------------------------------------------

    def _insert(self, table: str, cols: list[tuple[str, str]], rows: list[tuple[Any, ...]], extra: str = "") -> None:
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        parts = [f"UNNEST(CAST(? AS {t}[]))" for _c, t in cols]
        self.db.execute(f"INSERT INTO {table} SELECT {', '.join(parts)}{extra}", [list(c) for c in columns])

    def _stage(self, stream: str, rows: list[tuple[Any, ...]]) -> None:
        """Rows (ROWTIME first) as stage.<stream>."""
        table = f"stage.{_q(stream)}"
        self.db.execute(f"DELETE FROM {table}")
        cols = [("ROWTIME", "TIMESTAMP"), *self.columns[stream], (NEW, "BOOLEAN")]
        self._insert(table, cols, [(*r, True) for r in rows])

    # --- evaluation --------------------------------------------------------------------------------------------

    def ingest(
        self,
        stream: str,
        rowtime: int,
        rows: list[tuple[Any, ...]],
        positions: list[tuple[str, int]] | None,
        out: Emission,
        depth: int = 0,
        read: dict[str, int] | None = None,
    ) -> None:
        """New rows of ``stream`` at ROWTIME ``rowtime`` (ms); ``positions``: each row's (shard, sequence) when the
        rows come from the input (a pump skips those it emitted before a restart); ``read``: the last sequence
        read per shard (records that gave no row included), which the pumps account once they emitted."""
        if depth > _MAX_CHAIN:
            return
        ts = to_ts(rowtime)
        for plan in self.readers.get(stream, []):
            mine = rows
            if positions is not None:
                mine = self._unseen(plan, rows, positions)
                self._advance(plan, rowtime, read or {}, out)
            if not mine:
                continue
            stamped = [(ts, *r) for r in mine]
            if plan.kind == "row":
                self._stage(stream, stamped)
                self._run(plan, rowtime, out, depth)
            elif plan.kind == "sliding":
                self._slide(plan, stream, stamped, rowtime, out, depth)
            elif plan.kind == "stagger":
                try:
                    self._stagger_buffer(plan, stamped)
                except duckdb.Error as error:
                    message = str(error).split("\n", 1)[0]
                    self.error(rowtime, "Pump evaluation failed", message, "", plan.name, out)
                    continue
            else:
                cols = [("ROWTIME", "TIMESTAMP"), *self.columns[stream]]
                self._insert(f"buf.{_q(plan.name)}", cols, stamped)
            if plan.name in self.kept:
                out.history.setdefault(plan.name, []).extend((rowtime, _row_json(r)) for r in mine)

    def _unseen(self, plan: PumpPlan, rows: list[tuple[Any, ...]], positions: list[tuple[str, int]]) -> list[Any]:
        done = self.through[plan.name]
        if not done:
            return rows
        return [r for r, (shard, seq) in zip(rows, positions, strict=True) if seq > done.get(shard, -1)]

    def _advance(self, plan: PumpPlan, rowtime: int, last: dict[str, int], out: Emission) -> None:
        if plan.kind == "tumbling":
            self.pending[plan.name].append((rowtime, last))
            return
        self._account(plan, last, out)

    def _account(self, plan: PumpPlan, last: dict[str, int], out: Emission) -> None:
        done = self.through[plan.name]
        for shard, seq in last.items():
            if seq > done.get(shard, -1):
                done[shard] = seq
                out.through.setdefault(plan.name, {})[shard] = seq

    def _results(self, plan: PumpPlan, sql: str, rowtime: int, out: Emission) -> list[tuple[Any, ...]] | None:
        try:
            rows = self.db.execute(sql).fetchall()
        except duckdb.Error as error:
            self.error(rowtime, "Pump evaluation failed", str(error).split("\n", 1)[0], "", plan.name, out)
            return None
        names = [d[0] for d in self.db.description or []]
        if len(names) != self._target_width(plan):
            keep = self._kept(names)
            rows = [tuple(r[i] for i in keep) for r in rows]
        return rows

    def _deliver(self, plan: PumpPlan, rowtime: int, rows: list[tuple[Any, ...]], out: Emission, depth: int) -> None:
        if not rows:
            return
        if plan.target_columns:
            order = [c for c, _t in self.columns[plan.target]]
            index = {c.upper(): i for i, c in enumerate(plan.target_columns)}
            rows = [tuple(r[index[c.upper()]] if c.upper() in index else None for c in order) for r in rows]
        out.add(plan.target, rowtime, rows)
        self.ingest(plan.target, rowtime, rows, None, out, depth + 1)

    def _run(self, plan: PumpPlan, rowtime: int, out: Emission, depth: int) -> None:
        rows = self._results(plan, plan.sql, rowtime, out)
        if rows is not None:
            self._deliver(plan, rowtime, rows, out, depth)

    def _slide(
        self, plan: PumpPlan, stream: str, stamped: list[tuple[Any, ...]], rowtime: int, out: Emission, depth: int
    ) -> None:
        table = f"buf.{_q(plan.name)}"
        cols = [("ROWTIME", "TIMESTAMP"), *self.columns[stream], (NEW, "BOOLEAN")]
        self._insert(table, cols, [(*r, True) for r in stamped])
        self.db.execute(f"DELETE FROM stage.{_q(stream)}")
        self.db.execute(f"INSERT INTO stage.{_q(stream)} SELECT * FROM {table}")
        self._run(plan, rowtime, out, depth)
        self.db.execute(f'UPDATE {table} SET "{NEW}" = false')
        if plan.history_ms:
            self.db.execute(f'DELETE FROM {table} WHERE "ROWTIME" < ?', [to_ts(rowtime - plan.history_ms)])
        keep = max(plan.history_rows * 1000, 10_000) if plan.history_rows else _MAX_SLIDING_ROWS
        self.db.execute(
            f'DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY "ROWTIME" DESC OFFSET ?)', [keep]
        )
        oldest = self.db.execute(f'SELECT epoch_ms(MIN("ROWTIME")) FROM {table}').fetchone()
        if oldest is not None and oldest[0] is not None:
            out.cuts[plan.name] = int(oldest[0])

    # --- stagger windows -----------------------------------------------------------------------------------------

    @staticmethod
    def _key_sql(plan: PumpPlan) -> str:
        """The partition key of a row as one text (a JSON object of the key values: NULL equals NULL)."""
        return f"CAST(to_json(ROW({plan.keys})) AS VARCHAR)"

    def _stagger_buffer(self, plan: PumpPlan, stamped: list[tuple[Any, ...]]) -> None:
        """Rows (ROWTIME first) into the pump's buffer with their partition key."""
        self._stage(plan.source, stamped)
        self.db.execute(
            f'INSERT INTO buf.{_q(plan.name)} SELECT * EXCLUDE ("{NEW}"), {self._key_sql(plan)} '
            f"FROM stage.{_q(plan.source)}"
        )

    def _stagger_due(self, plan: PumpPlan) -> int | None:
        got = self.db.execute(f'SELECT epoch_ms(MIN("ROWTIME")) FROM buf.{_q(plan.name)}').fetchone()
        return None if got is None or got[0] is None else int(got[0]) + plan.window_ms

    def _stagger_tick(self, plan: PumpPlan, now: int, out: Emission) -> None:
        """Close, earliest first, every key's window opened at least the interval before ``now``: the rows of
        that key arrived before its end are aggregated and emitted at ROWTIME = its end, then let go."""
        table = f"buf.{_q(plan.name)}"
        closed = False
        for _ in range(_MAX_CLOSES):
            opened = self.db.execute(
                f'SELECT "{_KEY}", epoch_ms(MIN("ROWTIME")) AS o FROM {table} GROUP BY 1 HAVING o + ? <= ? ORDER BY o',
                [plan.window_ms, now],
            ).fetchall()
            if not opened:
                break
            end = int(opened[0][1]) + plan.window_ms
            keys = [k for k, o in opened if int(o) + plan.window_ms == end]
            where = f'list_contains(?, "{_KEY}") AND "ROWTIME" < ?'
            self.db.execute(f"DELETE FROM stage.{_q(plan.source)}")
            self.db.execute(
                f'INSERT INTO stage.{_q(plan.source)} SELECT * EXCLUDE ("{_KEY}"), true FROM {table} WHERE {where}',
                [keys, to_ts(end)],
            )
            self._run(plan, end, out, 0)
            self.db.execute(f"DELETE FROM {table} WHERE {where}", [keys, to_ts(end)])
            closed = True
        if closed:  # the store keeps exactly the rows of the windows still open
            cols = ", ".join(_q(c) for c, _t in self.columns[plan.source])
            rows = self.db.execute(f'SELECT epoch_ms("ROWTIME"), {cols} FROM {table} ORDER BY "ROWTIME"').fetchall()
            out.history[plan.name] = [(int(r[0]), _row_json(tuple(r[1:]))) for r in rows]
            out.replace.add(plan.name)

    # --- tumbling windows ----------------------------------------------------------------------------------------

    def next_close(self) -> int | None:
        """The ROWTIME (ms) at which the next window holding rows closes, if any pump buffers rows."""
        due: int | None = None
        for plan in self.plans:
            if plan.kind == "stagger":
                end = self._stagger_due(plan)
                if end is not None:
                    due = end if due is None else min(due, end)
                continue
            if plan.kind != "tumbling" or not self.pending[plan.name]:
                continue
            first = self.pending[plan.name][0][0]
            end = (first // plan.window_ms + 1) * plan.window_ms
            due = end if due is None else min(due, end)
        return due

    def tick(self, now: int, out: Emission) -> None:
        """Close every tumbling window that ended by ``now`` (ms): its rows aggregated, emitted once at its end."""
        for plan in self.plans:
            if plan.kind == "stagger":
                self._stagger_tick(plan, now, out)
            if plan.kind != "tumbling":
                continue
            closed_until = now // plan.window_ms * plan.window_ms
            table = f"buf.{_q(plan.name)}"
            buckets = self.db.execute(
                f'SELECT DISTINCT epoch_ms("ROWTIME") // ? AS b FROM {table} WHERE "ROWTIME" < ? ORDER BY b',
                [plan.window_ms, to_ts(closed_until)],
            ).fetchall()
            for (bucket,) in buckets:
                start, end = int(bucket) * plan.window_ms, (int(bucket) + 1) * plan.window_ms
                if end > self.window_ends[plan.name]:
                    self.db.execute(f"DELETE FROM stage.{_q(plan.source)}")
                    self.db.execute(
                        f'INSERT INTO stage.{_q(plan.source)} SELECT *, true FROM {table} WHERE "ROWTIME" >= ? '
                        'AND "ROWTIME" < ?',
                        [to_ts(start), to_ts(end)],
                    )
                    self._run(plan, end, out, 0)
                    self.window_ends[plan.name] = end
                    out.window_ends[plan.name] = end
            if buckets:
                self.db.execute(f'DELETE FROM {table} WHERE "ROWTIME" < ?', [to_ts(closed_until)])
                if plan.name in self.kept:
                    out.cuts[plan.name] = closed_until
            pending = self.pending[plan.name]
            last: dict[str, int] = {}
            while pending and pending[0][0] < closed_until:
                for shard, seq in pending.popleft()[1].items():
                    last[shard] = max(seq, last.get(shard, -1))
            if last:
                self._account(plan, last, out)

    def error(self, rowtime: int, name: str, message: str, data: str, pump: str, out: Emission) -> None:
        """A row of the in-application error stream (AWS's columns), fed to the pumps and outputs reading it."""
        ts = to_ts(rowtime)
        row = (ts, "ERROR", name, message, ts, data, pump)
        out.add(ERROR_STREAM, rowtime, [row])
