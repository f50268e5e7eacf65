"""S3 Select's parsed query (select_sql.Query) as DuckDB SQL over the input's columns (select_input.py names them
c1..cN, or j for a JSON record's text): every literal a bound parameter, every column one the input has, JSON paths
and Parquet fields written by this module, so no text of the user's reaches DuckDB as SQL. CSV fields are strings
and JSON values JSON; both are cast as S3 Select coerces them (to numbers beside numbers, to text beside text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .select_sql import Node, Query, select_error

JSON_INVALID = "S3SelectJSONParsingError"  # the text of the error() a malformed JSON record raises in DuckDB
# the kinds of a translated expression: str (CSV text), json (a JSON value), num, bool, ts, any (typed Parquet)
_NUMERIC = {"BIGINT", "DOUBLE"}


@dataclass(slots=True)
class Columns:
    """What the query may name: ``names`` (a CSV header or Parquet's columns; None: positional only), ``width``
    (c1..c<width>), ``json`` (the record is the JSON column j) and ``fields`` (Parquet's types, for nested steps)."""

    kind: str  # csv, json, parquet
    names: list[str] | None = None
    width: int = 0
    referenced: int = 0  # the highest _N the query names (CSV: the reader pads to it)


@dataclass(slots=True)
class Translated:
    sql: str
    params: list[Any]
    names: list[str]  # output field names, in order
    json_columns: list[bool]  # which output columns are JSON text
    references: list[bool]  # which are a field of the input (absent, not null, in JSON output when it has none)
    star: bool = False
    aggregate: bool = False
    notes: list[str] = field(default_factory=list)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_path(steps: list[Any]) -> str:
    out = "$"
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += "." + '"' + step.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return out


# S3 Select matches an unquoted name case-insensitively (a quoted one exactly): the key itself when the object has
# it, else the first of its keys equal but for case. DuckDB takes a path without $ or / as one key.
MACROS = (
    "CREATE MACRO s3_key(x, k) AS coalesce(json_extract(x, k), "
    "json_extract(x, list_filter(json_keys(x), lambda kk: lower(kk) = lower(k))[1]))"
)
CASELESS_STEPS = 3  # s3_key repeats its object three times: deeper steps of a path match exactly


def _json_steps(path: tuple[Any, ...]) -> str:
    """A JSON record's value at ``path`` (names (text, quoted) and indexes) as DuckDB's expression over j."""
    sql = "j"
    for number, step in enumerate(path):
        if isinstance(step, int):
            sql = f"json_extract({sql}, '$[{step}]')"
            continue
        name, quoted = step
        if name[:1] in ("$", "/"):
            sql = f"json_extract({sql}, {_sql_string(_json_path([name]))})"
        elif quoted or number >= CASELESS_STEPS:
            sql = f"json_extract({sql}, {_sql_string(name)})"
        else:
            sql = f"s3_key({sql}, {_sql_string(name)})"
    return sql


def positional(name: str) -> int | None:
    """N of a positional reference _N (None for other names); InvalidColumnIndex for _0."""
    if len(name) > 1 and name[0] == "_" and name[1:].isdigit():
        index = int(name[1:])
        if index < 1:
            raise select_error(
                "InvalidColumnIndex",
                f"The column index at line 1, column {name} is invalid. Check the column index and try again.",
            )
        return index
    return None


def referenced_index(query: Query) -> int:
    """The highest positional column the query names (0 for none)."""
    best = 0

    def walk(node: Node) -> None:
        nonlocal best
        if node.op == "col":
            first = node.value[0]
            if isinstance(first, tuple):
                index = positional(first[0])
                if index is not None:
                    best = max(best, index)
        for arg in node.args:
            walk(arg)

    for node, _ in query.items:
        walk(node)
    if query.where is not None:
        walk(query.where)
    return best


class _Translator:
    def __init__(self, columns: Columns, now: Any) -> None:
        self.columns = columns
        self.params: list[Any] = []
        self.now = now

    def param(self, value: Any, sql_type: str) -> str:
        self.params.append(value)
        return f"CAST(${len(self.params)} AS {sql_type})"  # numbered: a fragment used twice names one value

    # columns ----------------------------------------------------------------------------------------------
    def column(self, path: tuple[Any, ...]) -> tuple[str, str]:
        cols = self.columns
        first = path[0]
        if cols.kind == "json":
            return _json_steps(path), "json"
        if not isinstance(first, tuple):
            raise select_error("UnsupportedSyntax", "A column is named before an index.")
        name, quoted = first
        index = positional(name)
        if index is None:
            index = self._named(name, quoted)
        elif cols.kind == "parquet" and index > cols.width:
            raise select_error(
                "InvalidColumnIndex",
                f"The column index at line 1, column {name} is invalid. Check the column index and try again.",
            )
        sql = f"c{index}"
        if cols.kind == "csv":
            if len(path) > 1:
                raise select_error("UnsupportedSyntax", "CSV fields have no nested paths.")
            return sql, "str"
        for step in path[1:]:
            if isinstance(step, int):
                sql = f"{sql}[{step + 1}]"
            else:
                sql = f"struct_extract({sql}, {_sql_string(step[0])})"
        return sql, "any"

    def _named(self, name: str, quoted: bool) -> int:
        names = self.columns.names
        if names is None:
            raise select_error("MissingHeaders", "Some headers in the query are missing from the file. Check the file "
                               "and try again.")  # fmt: skip
        if quoted:
            found = [i for i, have in enumerate(names) if have == name]
        else:
            found = [i for i, have in enumerate(names) if have.lower() == name.lower()]
        if not found:
            raise select_error(
                "MissingHeaders", "Some headers in the query are missing from the file. Check the file and try again."
            )
        if len(found) > 1:
            raise select_error(
                "AmbiguousFieldName",
                "The field name matches to multiple fields in the file. Check the SQL expression and the file, and "
                "try again.",
            )
        return found[0] + 1

    # coercions --------------------------------------------------------------------------------------------
    @staticmethod
    def as_number(sql: str, kind: str) -> str:
        if kind == "json":
            return f"TRY_CAST(json_extract_string({sql}, '$') AS DOUBLE)"
        if kind == "str":
            return f"TRY_CAST({sql} AS DOUBLE)"
        return sql

    @staticmethod
    def as_text(sql: str, kind: str) -> str:
        if kind == "json":
            return f"json_extract_string({sql}, '$')"
        if kind in ("num", "bool", "ts"):
            return f"CAST({sql} AS VARCHAR)"
        return sql

    def as_bool(self, sql: str, kind: str) -> str:
        if kind in ("json", "str"):
            return f"TRY_CAST({self.as_text(sql, kind)} AS BOOLEAN)"
        return sql

    def as_ts(self, sql: str, kind: str) -> str:
        if kind in ("json", "str"):
            return f"CAST({self.as_text(sql, kind)} AS TIMESTAMP)"
        return sql

    def pair(self, left: Node, right: Node) -> tuple[str, str, str]:
        """Two operands of a comparison, brought to one type as S3 Select compares them."""
        a, ka = self.expr(left)
        b, kb = self.expr(right)
        loose = ("str", "json")
        if ka in loose and kb == "num":
            return self.as_number(a, ka), b, "num"
        if kb in loose and ka == "num":
            return a, self.as_number(b, kb), "num"
        if ka in loose and kb == "bool":
            return self.as_bool(a, ka), b, "bool"
        if kb in loose and ka == "bool":
            return a, self.as_bool(b, kb), "bool"
        if ka in loose and kb == "ts":
            return self.as_ts(a, ka), b, "ts"
        if kb in loose and ka == "ts":
            return a, self.as_ts(b, kb), "ts"
        if ka == "json" or kb == "json":
            return self.as_text(a, ka), self.as_text(b, kb), "str"
        return a, b, ka

    # expressions ------------------------------------------------------------------------------------------
    def expr(self, node: Node) -> tuple[str, str]:
        op = node.op
        if op == "lit":
            value = node.value
            if value is None:
                return "NULL", "any"
            if isinstance(value, bool):
                return ("TRUE" if value else "FALSE"), "bool"
            if isinstance(value, int):
                return self.param(value, "BIGINT"), "num"
            if isinstance(value, float):
                return self.param(value, "DOUBLE"), "num"
            return self.param(value, "VARCHAR"), "str"
        if op == "col":
            return self.column(node.value)
        if op == "star":
            raise select_error("UnsupportedSyntax", "* is only allowed alone in the SELECT list.")
        if op in ("and", "or"):
            a, ka = self.expr(node.args[0])
            b, kb = self.expr(node.args[1])
            return f"({self.as_bool(a, ka)} {op.upper()} {self.as_bool(b, kb)})", "bool"
        if op == "not":
            a, ka = self.expr(node.args[0])
            return f"(NOT {self.as_bool(a, ka)})", "bool"
        if op == "cmp":
            a, b, _ = self.pair(node.args[0], node.args[1])
            return f"({a} {node.value} {b})", "bool"
        if op == "between":
            value, low, kind = self.pair(node.args[0], node.args[1])
            _, high, _ = self.pair(node.args[0], node.args[2])
            return f"({value} BETWEEN {low} AND {high})", "bool"
        if op == "in":
            parts = [self.pair(node.args[0], arg) for arg in node.args[1:]]
            return "(" + " OR ".join(f"({a} = {b})" for a, b, _ in parts) + ")", "bool"
        if op == "like":
            a, ka = self.expr(node.args[0])
            b, kb = self.expr(node.args[1])
            out = f"({self.as_text(a, ka)} LIKE {self.as_text(b, kb)}"
            if len(node.args) > 2:
                c, kc = self.expr(node.args[2])
                out += f" ESCAPE {self.as_text(c, kc)}"
            return out + ")", "bool"
        if op == "isnull":
            a, ka = self.expr(node.args[0])
            return f"({a} IS {'NOT ' if node.value else ''}NULL)", "bool"
        if op == "concat":
            a, ka = self.expr(node.args[0])
            b, kb = self.expr(node.args[1])
            return f"({self.as_text(a, ka)} || {self.as_text(b, kb)})", "str"
        if op == "arith":
            a, ka = self.expr(node.args[0])
            b, kb = self.expr(node.args[1])
            sign = node.value
            if sign == "/":
                return f"({self.as_number(a, ka)} / NULLIF({self.as_number(b, kb)}, 0))", "num"
            return f"({self.as_number(a, ka)} {sign} {self.as_number(b, kb)})", "num"
        if op == "neg":
            a, ka = self.expr(node.args[0])
            return f"(- {self.as_number(a, ka)})", "num"
        if op == "cast":
            a, ka = self.expr(node.args[0])
            target = node.value
            kind = "num" if target in _NUMERIC else {"BOOLEAN": "bool", "TIMESTAMP": "ts"}.get(target, "str")
            if ka == "json":
                a = self.as_text(a, ka)
            if target in _NUMERIC and ka in ("str", "json"):
                a = f"TRIM({a})"
            return f"CAST({a} AS {target})", kind
        if op == "case":
            words = ["CASE"]
            args = list(node.args)
            kinds = set()
            while len(args) >= 2:
                cond, ck = self.expr(args.pop(0))
                value, vk = self.expr(args.pop(0))
                kinds.add(vk)
                words.append(f"WHEN {self.as_bool(cond, ck)} THEN {self.as_text(value, vk) if vk == 'json' else value}")
            if args:
                value, vk = self.expr(args.pop(0))
                kinds.add(vk)
                words.append(f"ELSE {self.as_text(value, vk) if vk == 'json' else value}")
            kinds.discard("json")
            return " ".join(words) + " END", (kinds.pop() if len(kinds) == 1 else "any")
        if op == "agg":
            return self.aggregate(node)
        if op == "func":
            return self.function(node)
        if op == "extract":
            a, ka = self.expr(node.args[0])
            return f"CAST(EXTRACT({node.value} FROM {self.as_ts(a, ka)}) AS BIGINT)", "num"
        if op == "date_add":
            n, kn = self.expr(node.args[0])
            ts, kt = self.expr(node.args[1])
            amount = f"CAST({self.as_number(n, kn)} AS BIGINT)"
            return f"({self.as_ts(ts, kt)} + to_{node.value.lower()}s({amount}))", "ts"
        if op == "date_diff":
            a, ka = self.expr(node.args[0])
            b, kb = self.expr(node.args[1])
            return f"date_diff('{node.value.lower()}', {self.as_ts(a, ka)}, {self.as_ts(b, kb)})", "num"
        if op == "substring":
            a, ka = self.expr(node.args[0])
            start, ks = self.expr(node.args[1])
            text = self.as_text(a, ka)
            begin = f"CAST({self.as_number(start, ks)} AS BIGINT)"
            if len(node.args) == 3:
                length, kl = self.expr(node.args[2])
                count = f"CAST({self.as_number(length, kl)} AS BIGINT)"
                # SQL-92: the characters of positions [start, start+length) that exist (start may be below 1)
                return (
                    f"substring({text}, greatest({begin}, 1), greatest(0, {begin} + {count} - greatest({begin}, 1)))",
                    "str",
                )
            return f"substring({text}, greatest({begin}, 1))", "str"
        if op == "trim":
            a, ka = self.expr(node.args[0])
            chars = "' '"
            if len(node.args) > 1:
                c, kc = self.expr(node.args[1])
                chars = self.as_text(c, kc)
            fn = {"BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}[node.value]
            return f"{fn}({self.as_text(a, ka)}, {chars})", "str"
        raise select_error("UnsupportedSyntax", f"Unsupported expression {op}.")

    def aggregate(self, node: Node) -> tuple[str, str]:
        name = node.value
        if not node.args:
            return "count(*)", "num"
        a, ka = self.expr(node.args[0])
        if name == "COUNT":
            return f"count({a})", "num"
        if name in ("SUM", "AVG"):
            return f"{name.lower()}({self.as_number(a, ka)})", "num"
        if ka == "json":
            # MIN/MAX of JSON values: numbers as numbers
            return f"{name.lower()}({self.as_number(a, ka)})", "num"
        return f"{name.lower()}({a})", ka

    def function(self, node: Node) -> tuple[str, str]:
        name = node.value
        args = [self.expr(arg) for arg in node.args]
        if name in ("CHAR_LENGTH", "CHARACTER_LENGTH"):
            return f"length({self.as_text(*args[0])})", "num"
        if name in ("LOWER", "UPPER"):
            return f"{name.lower()}({self.as_text(*args[0])})", "str"
        if name == "COALESCE":
            kinds = {kind for _, kind in args}
            if kinds & {"json"} and len(kinds) > 1:
                args = [(self.as_text(sql, kind), "str") for sql, kind in args]
            kind = args[0][1] if len({k for _, k in args}) == 1 else "any"
            return "coalesce(" + ", ".join(sql for sql, _ in args) + ")", kind
        if name == "NULLIF":
            (a, ka), (b, kb) = args
            if ka != kb:
                a, b = self.as_text(a, ka), self.as_text(b, kb)
            return f"nullif({a}, {b})", ka if ka == kb else "str"
        if name == "TO_TIMESTAMP":
            return self.as_ts(args[0][0], "str" if args[0][1] == "any" else args[0][1]), "ts"
        if name == "UTCNOW":
            return self.param(self.now, "TIMESTAMP"), "ts"
        if name == "TO_STRING":
            (ts, kt), (pattern, kp) = args
            if node.args[1].op != "lit" or not isinstance(node.args[1].value, str):
                raise select_error("EvaluatorInvalidArguments", "TO_STRING's format pattern is a string literal.")
            self.params.pop()  # the pattern literal's parameter, replaced by its strftime form
            return f"strftime({self.as_ts(ts, kt)}, {self.param(strftime_pattern(node.args[1].value), 'VARCHAR')})", (
                "str"
            )
        raise select_error("UnsupportedFunction", f"Function {name} is not supported by S3 Select.")


_PATTERN = {
    "yyyy": "%Y", "yy": "%y", "y": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m", "dd": "%d", "d": "%-d",
    "HH": "%H", "H": "%-H", "hh": "%I", "h": "%-I", "mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S", "a": "%p",
    "SSS": "%g", "n": "%n", "XXX": "%z", "X": "%z", "x": "%z",
}  # fmt: skip


def strftime_pattern(pattern: str) -> str:
    """TO_STRING's pattern (Java-like letters: yyyy MM dd HH mm ss ...) as DuckDB's strftime format."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise select_error(
                    "EvaluatorUnterminatedTimestampFormatPatternToken",
                    "Time stamp format pattern contains an unterminated token.",
                )
            out.append(pattern[i + 1 : end].replace("%", "%%"))
            i = end + 1
            continue
        if c.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == c:
                j += 1
            run = pattern[i:j]
            while run and run not in _PATTERN:
                run = run[:-1]
            if not run:
                raise select_error(
                    "EvaluatorInvalidTimestampFormatPatternSymbol",
                    f"Time stamp format pattern contains an invalid symbol {c!r}.",
                )
            out.append(_PATTERN[run])
            i += len(run)
            continue
        out.append("%%" if c == "%" else c)
        i += 1
    return "".join(out)


def translate(query: Query, columns: Columns, now: Any) -> Translated:
    """DuckDB's SELECT over the view ``src`` for ``query`` (LIMIT included)."""
    tr = _Translator(columns, now)
    names: list[str] = []
    json_cols: list[bool] = []
    selects: list[str] = []
    star = not query.items
    aggregate = query.aggregate
    if star:
        if columns.kind == "json":
            selects, names, json_cols = ["j"], ["*"], [True]
        else:
            width = columns.width
            selects = [f"c{i}" for i in range(1, width + 1)]
            if columns.names is not None:
                names = list(columns.names) + [f"_{i}" for i in range(len(columns.names) + 1, width + 1)]
            else:
                names = [f"_{i}" for i in range(1, width + 1)]
            json_cols = [False] * width
    for position, (node, alias) in enumerate(query.items, start=1):
        if aggregate and not _all_in_aggregates(node):
            raise select_error(
                "UnsupportedSyntax", "An aggregate query selects only aggregate functions (S3 Select has no GROUP BY)."
            )
        sql, kind = tr.expr(node)
        selects.append(sql)
        json_cols.append(kind == "json")
        if alias is not None:
            names.append(alias)
        elif node.op == "col" and isinstance(node.value[-1], tuple):
            names.append(node.value[-1][0])
        else:
            names.append(f"_{position}")
    where = ""
    if query.where is not None:
        sql, kind = tr.expr(query.where)
        where = f" WHERE {tr.as_bool(sql, kind)}"
    source = "src"
    if columns.kind == "json":  # every record valid JSON, whether the query reads it or not
        source = f"(SELECT j FROM src WHERE json_valid(j) OR error('{JSON_INVALID}')) AS records"
    sql = "SELECT " + ", ".join(f"{s} AS o{i}" for i, s in enumerate(selects)) + f" FROM {source}" + where
    if query.limit is not None:
        sql += f" LIMIT {int(query.limit)}"
    references = [True] * len(selects) if star else [node.op == "col" for node, _ in query.items]
    return Translated(sql, tr.params, names, json_cols, references, star, aggregate)


def _all_in_aggregates(node: Node) -> bool:
    if node.op == "agg":
        return True
    if node.op == "col":
        return False
    return all(_all_in_aggregates(arg) for arg in node.args)
