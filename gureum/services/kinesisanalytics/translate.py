"""The streaming dialect → DuckDB: each pump becomes a plan (which in-application stream it reads, which it
inserts into, how it is evaluated: per row, per tumbling window, or over a sliding window) and one DuckDB query
over the source stream's name (the engine puts the rows to evaluate under that name). Expressions pass through to
DuckDB unchanged except for the streaming constructs: SELECT STREAM, STEP(… BY INTERVAL …), FLOOR(… TO unit),
RANGE INTERVAL … PRECEDING, ROWS n PRECEDING, WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL …),
TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING and CURRENT_ROW_TIMESTAMP. A tumbling pump's windows close on
ROWTIME: a STEP/FLOOR over ROWTIME sets their size, else the first over another (event-time) column does."""

from __future__ import annotations

from dataclasses import dataclass

from .dialect import MAX_DEPTH, PumpDef, Token, close_paren, code_error, split_commas

NEW = "__NEW"
_UNITS_MS = {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
_AGGREGATES = ("COUNT", "SUM", "AVG", "MIN", "MAX", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP")
_REFUSED = {
    "RANDOM_CUT_FOREST": "anomaly detection (RANDOM_CUT_FOREST) is not available here",
    "RANDOM_CUT_FOREST_WITH_EXPLANATION": "anomaly detection (RANDOM_CUT_FOREST_WITH_EXPLANATION) is not available",
    "HOTSPOTS": "hotspot detection (HOTSPOTS) is not available here",
}
_CLAUSE_WORDS = ("FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION")


@dataclass(slots=True)
class PumpPlan:
    name: str
    source: str
    target: str
    target_columns: list[str] | None
    kind: str  # "row", "tumbling", "sliding" or "stagger"
    sql: str
    window_ms: int
    history_ms: int
    history_rows: int
    line: int
    keys: str = ""  # a stagger pump's partition keys (DuckDB expressions, comma-separated)


class _State:
    def __init__(self, pump: PumpDef, streams: set[str]) -> None:
        self.pump, self.streams = pump, streams
        self.sources: set[str] = set()
        self.window_ms = 0
        self.rowtime_ms = 0  # the size of the first window over ROWTIME (the one that closes windows)
        self.stagger_ms = 0
        self.stagger_keys = ""
        self.history_ms = 0
        self.history_rows = 0
        self.sliding = False


def translate(pump: PumpDef, streams: set[str]) -> PumpPlan:
    """``streams``: every in-application stream name (declared and the inputs') the pump may read."""
    state = _State(pump, streams)
    tokens = pump.select
    _check_top_level(tokens, pump)
    sql = _emit(tokens, state, 0)
    if not state.sources:
        raise code_error(pump.line, f"pump {pump.name} reads no stream")
    if len(state.sources) > 1:
        raise code_error(
            pump.line,
            f"pump {pump.name} joins streams {', '.join(sorted(state.sources))}: stream-to-stream joins are not "
            "supported here (join a stream with a reference table, or chain pumps)",
        )
    if state.stagger_ms and state.sliding:
        raise code_error(pump.line, f"pump {pump.name}: WINDOWED BY STAGGER and an OVER window cannot be combined")
    kind = "tumbling" if state.window_ms else ("sliding" if state.sliding else "row")
    if state.stagger_ms:
        kind = "stagger"
    if kind == "sliding":
        sql = _mark_new(sql)
    return PumpPlan(
        pump.name,
        next(iter(state.sources)),
        pump.target,
        pump.target_columns,
        kind,
        sql,
        state.stagger_ms or state.rowtime_ms or state.window_ms,
        state.history_ms,
        state.history_rows,
        pump.line,
        state.stagger_keys,
    )


def _check_top_level(tokens: list[Token], pump: PumpDef) -> None:
    """AWS's rules a query over a stream keeps: an aggregate or a GROUP BY needs a window."""
    depth = 0
    group_by: list[Token] = []
    in_group = False
    aggregate: Token | None = None
    windowed = False
    windowed_by: Token | None = None
    for i, tok in enumerate(tokens):
        if tok.punct("("):
            depth += 1
        elif tok.punct(")"):
            depth -= 1
        if tok.is_("TOP_K_ITEMS_TUMBLING", "COUNT_DISTINCT_ITEMS_TUMBLING"):
            windowed = True
        if depth == 0 and tok.is_("WINDOWED"):
            windowed = True
            windowed_by = tok
            in_group = False
        if depth != 0 and not in_group:
            if tok.is_(*_AGGREGATES) and i + 1 < len(tokens) and tokens[i + 1].punct("(") and depth == 0:
                pass
            continue
        if tok.is_("GROUP") and depth == 0:
            in_group = True
            continue
        if in_group and depth == 0 and tok.is_("HAVING", "WINDOW", "WINDOWED", "ORDER", "LIMIT", "UNION"):
            in_group = False
        if in_group:
            group_by.append(tok)
        if depth == 0 and tok.is_(*_AGGREGATES) and i + 1 < len(tokens) and tokens[i + 1].punct("("):
            end = close_paren(tokens, i + 1)
            if not (end + 1 < len(tokens) and tokens[end + 1].is_("OVER")):
                aggregate = aggregate or tok
    if group_by and windowed_by is not None:
        raise code_error(windowed_by.line, "WINDOWED BY STAGGER is used instead of GROUP BY, not with it")
    if group_by:
        has_window = any(t.is_("STEP") for t in group_by) or any(
            t.is_("FLOOR") and j + 1 < len(group_by) and _has_to(group_by, j + 1) for j, t in enumerate(group_by)
        )
        if not has_window:
            raise code_error(
                group_by[0].line,
                "GROUP BY on a stream needs a window: group by STEP(ROWTIME BY INTERVAL 'n' SECOND) or "
                "FLOOR(ROWTIME TO MINUTE)",
            )
    elif aggregate is not None and not windowed:
        raise code_error(
            aggregate.line,
            f"{aggregate.text.upper()} over a stream needs a window: a GROUP BY STEP(ROWTIME BY INTERVAL …) "
            "(tumbling) or an OVER window (sliding)",
        )


def _has_to(tokens: list[Token], open_index: int) -> bool:
    if not tokens[open_index].punct("("):
        return False
    end = close_paren(tokens, open_index)
    depth = 0
    for tok in tokens[open_index + 1 : end]:
        depth += tok.punct("(") - tok.punct(")")
        if depth == 0 and tok.is_("TO"):
            return True
    return False


def _text(tok: Token) -> str:
    if tok.kind == "quoted":
        return '"' + tok.text.replace('"', '""') + '"'
    if tok.is_("ROWTIME"):
        return '"ROWTIME"'
    return tok.text


def _interval(tokens: list[Token], start: int, line: int) -> tuple[str, int, int]:
    """INTERVAL 'n' UNIT at ``start``: (DuckDB text, milliseconds, index after it)."""
    if start + 2 >= len(tokens) or not tokens[start].is_("INTERVAL") or tokens[start + 1].kind != "string":
        raise code_error(line, "expected INTERVAL 'n' SECOND|MINUTE|HOUR|DAY")
    amount = tokens[start + 1].text.strip("'").strip()
    unit = tokens[start + 2].upper.removesuffix("S")
    if unit not in _UNITS_MS or not amount.isdigit() or int(amount) <= 0:
        raise code_error(line, f"unsupported interval '{amount}' {tokens[start + 2].text}")
    return f"INTERVAL '{amount}' {unit}", int(amount) * _UNITS_MS[unit], start + 3


def _emit(tokens: list[Token], state: _State, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise code_error(tokens[0].line if tokens else state.pump.line, "expressions nest too deeply")
    out: list[str] = []
    i, n = 0, len(tokens)
    prev: Token | None = None
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if tok.upper in _REFUSED:
            raise code_error(tok.line, _REFUSED[tok.upper] + " (no well-kept implementation is bundled)")
        if tok.is_("SELECT") and nxt is not None and nxt.is_("STREAM"):
            out.append("SELECT")
            i += 2
        elif tok.is_("STEP") and nxt is not None and nxt.punct("("):
            end = close_paren(tokens, i + 1)
            inner = tokens[i + 2 : end]
            by = next((j for j, t in enumerate(inner) if t.is_("BY")), -1)
            if by < 0:
                raise code_error(tok.line, "STEP needs (expression BY INTERVAL 'n' unit)")
            interval, ms, _after = _interval(inner, by + 1, tok.line)
            state.window_ms = state.window_ms or ms
            if any(t.is_("ROWTIME") for t in inner[:by]):
                state.rowtime_ms = state.rowtime_ms or ms
            out.append(f"time_bucket({interval}, {_emit(inner[:by], state, depth + 1)})")
            i = end + 1
        elif tok.is_("FLOOR", "CEIL") and nxt is not None and nxt.punct("(") and _has_to(tokens, i + 1):
            end = close_paren(tokens, i + 1)
            inner = tokens[i + 2 : end]
            to = max(j for j, t in enumerate(inner) if t.is_("TO"))
            unit = inner[to + 1].upper if to + 1 < len(inner) else ""
            if unit not in _UNITS_MS:
                raise code_error(tok.line, f"FLOOR(… TO unit): unit must be SECOND, MINUTE, HOUR or DAY, not {unit!r}")
            expr = _emit(inner[:to], state, depth + 1)
            if tok.is_("FLOOR"):
                state.window_ms = state.window_ms or _UNITS_MS[unit]
                if any(t.is_("ROWTIME") for t in inner[:to]):
                    state.rowtime_ms = state.rowtime_ms or _UNITS_MS[unit]
                out.append(f"date_trunc('{unit.lower()}', {expr})")
            else:
                out.append(f"(date_trunc('{unit.lower()}', {expr}) + INTERVAL '1' {unit})")
            i = end + 1
        elif tok.is_("WINDOWED") and nxt is not None and nxt.is_("BY"):
            out.append(_stagger(tokens, i + 2, state, depth))
            i = close_paren(tokens, i + 3) + 1
        elif tok.is_("CURRENT_ROW_TIMESTAMP"):
            out.append('"ROWTIME"')
            i += 1
        elif tok.is_("TABLE") and nxt is not None and nxt.punct("("):
            end = close_paren(tokens, i + 1)
            out.append(_table_function(tokens[i + 2 : end], state, depth, tok.line))
            i = end + 1
        elif tok.is_("RANGE") and nxt is not None and nxt.is_("INTERVAL"):
            interval, ms, after = _interval(tokens, i + 1, tok.line)
            if after >= n or not tokens[after].is_("PRECEDING"):
                raise code_error(tok.line, "expected PRECEDING after RANGE INTERVAL …")
            state.sliding = True
            state.history_ms = max(state.history_ms, ms)
            out.append(f'ORDER BY "ROWTIME" RANGE BETWEEN {interval} PRECEDING AND CURRENT ROW')
            i = after + 1
        elif (
            tok.is_("ROWS")
            and nxt is not None
            and nxt.kind == "number"
            and i + 2 < n
            and tokens[i + 2].is_("PRECEDING")
        ):
            state.sliding = True
            state.history_rows = max(state.history_rows, int(float(nxt.text)) + 1)
            out.append(f'ORDER BY "ROWTIME" ROWS BETWEEN {int(float(nxt.text))} PRECEDING AND CURRENT ROW')
            i += 3
        elif tok.is_("OVER"):
            state.sliding = True
            out.append("OVER")
            i += 1
        elif (
            tok.kind in ("word", "quoted")
            and prev is not None
            and prev.is_("FROM", "JOIN")
            and (tok.name in state.streams)
        ):
            state.sources.add(tok.name)
            out.append('"' + tok.name.replace('"', '""') + '"')
            i += 1
        elif tok.kind in ("word", "quoted") and prev is not None and prev.is_("FROM", "JOIN") and _input_name(tok.name):
            state.sources.add(tok.name)  # an input's stream, configured later (checked once it is)
            out.append('"' + tok.name.replace('"', '""') + '"')
            i += 1
        else:
            out.append(_text(tok))
            i += 1
        prev = tok
    return " ".join(out)


def _stagger(tokens: list[Token], start: int, state: _State, depth: int) -> str:
    """STAGGER (PARTITION BY keys RANGE INTERVAL 'n' unit) at ``start``: a GROUP BY on the keys; the engine opens
    a window per key at its first row and closes it the interval later."""
    line = tokens[start - 1].line
    if not (start + 1 < len(tokens) and tokens[start].is_("STAGGER") and tokens[start + 1].punct("(")):
        raise code_error(line, "expected WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL 'n' unit)")
    inner = tokens[start + 2 : close_paren(tokens, start + 1)]
    level, at = 0, -1
    for j, t in enumerate(inner):
        level += t.punct("(") - t.punct(")")
        if level == 0 and t.is_("RANGE"):
            at = j
    if len(inner) < 3 or not (inner[0].is_("PARTITION") and inner[1].is_("BY")) or at <= 2:
        raise code_error(line, "STAGGER needs (PARTITION BY key, … RANGE INTERVAL 'n' unit)")
    _text_, ms, after = _interval(inner, at + 1, line)
    if after != len(inner):
        raise code_error(line, f"unexpected {inner[after].text!r} after STAGGER's RANGE INTERVAL")
    keys = [_emit(part, state, depth + 1) for part in split_commas(inner[2:at])]
    state.stagger_ms = ms
    state.stagger_keys = ", ".join(keys)
    return "GROUP BY " + state.stagger_keys


def _input_name(name: str) -> bool:
    """An input's in-application stream is named <prefix>_NNN (SOURCE_SQL_STREAM_001)."""
    return len(name) > 4 and name[-4] == "_" and name[-3:].isdigit()


def _table_function(inner: list[Token], state: _State, depth: int, line: int) -> str:
    """TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM …), 'column', k, seconds)) and
    TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(…), 'column', seconds)) as one tumbling window's query."""
    if len(inner) < 3 or not inner[0].is_("TOP_K_ITEMS_TUMBLING", "COUNT_DISTINCT_ITEMS_TUMBLING"):
        raise code_error(line, "TABLE(…) supports TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING")
    fn = inner[0].upper
    end = close_paren(inner, 1)
    args = split_commas(inner[2:end])
    cursor = args[0]
    if len(cursor) < 3 or not cursor[0].is_("CURSOR") or not cursor[1].punct("("):
        raise code_error(line, f"{fn}'s first argument is CURSOR(SELECT STREAM …)")
    query = _emit(cursor[2 : close_paren(cursor, 1)], state, depth + 1)
    want = 4 if fn == "TOP_K_ITEMS_TUMBLING" else 3
    if len(args) != want or any(len(a) != 1 for a in args[1:]):
        raise code_error(line, f"{fn} takes {want} arguments")
    column = args[1][0].text.strip("'") if args[1][0].kind == "string" else args[1][0].name
    seconds = args[-1][0].text
    if not seconds.isdigit() or int(seconds) <= 0:
        raise code_error(line, f"{fn}: the window size is a positive number of seconds")
    state.window_ms = state.window_ms or int(seconds) * 1000
    col = '"' + column.replace('"', '""') + '"'
    if fn == "COUNT_DISTINCT_ITEMS_TUMBLING":
        return f'(SELECT COUNT(DISTINCT {col}) AS "NUMBER_OF_DISTINCT_ITEMS" FROM ({query}))'
    k = args[2][0].text
    if not k.isdigit():
        raise code_error(line, "TOP_K_ITEMS_TUMBLING: k is a positive number")
    return (
        f'(SELECT {col} AS "ITEM", COUNT(*) AS "ITEM_COUNT" FROM ({query}) GROUP BY 1 '
        f"ORDER BY 2 DESC, 1 LIMIT {int(k)})"
    )


def _mark_new(sql: str) -> str:
    """A sliding pump's query runs over the retained rows and the new ones; only the new rows' results go out."""
    return f'SELECT * EXCLUDE ("{NEW}") FROM ({_with_new(sql)}) WHERE "{NEW}"'


def _with_new(sql: str) -> str:
    """Add the new-row marker to the outermost select list (before its FROM)."""
    depth = 0
    i = 0
    n = len(sql)
    in_string = False
    while i < n:
        ch = sql[i]
        if ch == "'":
            in_string = not in_string
        elif not in_string:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and sql.startswith(" FROM ", i):
                return f'{sql[:i]}, "{NEW}" {sql[i:]}'
        i += 1
    return sql
