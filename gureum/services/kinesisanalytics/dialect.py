"""Kinesis Data Analytics' streaming SQL, read: a linear tokenizer and a bounded parser of the program's structure
(CREATE [OR REPLACE] STREAM, CREATE [OR REPLACE] PUMP … AS INSERT INTO … SELECT STREAM …). Expressions are not
interpreted here: their tokens go to translate.py, which hands them to DuckDB. No regex, no recursion."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import CodeValidationException, ServiceError

MAX_TOKENS = 200_000
MAX_DEPTH = 64
_PUNCT2 = ("<>", "!=", "<=", ">=", "||", "::")
_PUNCT1 = "(),;.*+-/%=<>[]:?"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word", "quoted" (a "double-quoted" identifier), "string", "number", "punct"
    text: str  # as written (quoted: the name inside the quotes; string: the literal, quotes included)
    line: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    def is_(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    def punct(self, *marks: str) -> bool:
        return self.kind == "punct" and self.text in marks

    @property
    def name(self) -> str:
        """As an identifier: unquoted names fold to upper case (SQL's rule), quoted ones keep theirs."""
        return self.text if self.kind == "quoted" else self.text.upper()


def code_error(line: int, message: str) -> ServiceError:
    """AWS's CodeValidationException wording: where (the line) and what is wrong."""
    return CodeValidationException(f"Invalid SQL code: line {line}: {message}")


def tokenize(code: str) -> list[Token]:
    tokens: list[Token] = []
    i, n, line = 0, len(code), 1
    while i < n:
        ch = code[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch.isspace():
            i += 1
        elif code.startswith("--", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            if j < 0:
                raise code_error(line, "unterminated comment")
            line += code.count("\n", i, j)
            i = j + 2
        elif ch == "'":
            j = i + 1
            while True:
                j = code.find("'", j)
                if j < 0:
                    raise code_error(line, "unterminated string literal")
                if code.startswith("''", j):
                    j += 2
                    continue
                break
            tokens.append(Token("string", code[i : j + 1], line))
            line += code.count("\n", i, j)
            i = j + 1
        elif ch == '"':
            j = code.find('"', i + 1)
            if j < 0:
                raise code_error(line, "unterminated quoted identifier")
            tokens.append(Token("quoted", code[i + 1 : j], line))
            i = j + 1
        elif ch.isdigit() or (ch == "." and i + 1 < n and code[i + 1].isdigit()):
            j = i + 1
            while j < n and (code[j].isdigit() or code[j] in ".eE" or (code[j] in "+-" and code[j - 1] in "eE")):
                j += 1
            tokens.append(Token("number", code[i:j], line))
            i = j
        elif ch.isalpha() or ch == "_" or ch == "$":
            j = i + 1
            while j < n and (code[j].isalnum() or code[j] in "_$"):
                j += 1
            tokens.append(Token("word", code[i:j], line))
            i = j
        elif code[i : i + 2] in _PUNCT2:
            tokens.append(Token("punct", code[i : i + 2], line))
            i += 2
        elif ch in _PUNCT1:
            tokens.append(Token("punct", ch, line))
            i += 1
        else:
            raise code_error(line, f"unexpected character {ch!r}")
        if len(tokens) > MAX_TOKENS:
            raise code_error(line, "the program is too long")
    return tokens


def statements(tokens: list[Token]) -> list[list[Token]]:
    """Split at top-level semicolons; parentheses must balance (and nest at most MAX_DEPTH deep)."""
    out: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    for tok in tokens:
        if tok.punct("("):
            depth += 1
            if depth > MAX_DEPTH:
                raise code_error(tok.line, "expressions nest too deeply")
        elif tok.punct(")"):
            depth -= 1
            if depth < 0:
                raise code_error(tok.line, "unbalanced parenthesis ')'")
        if tok.punct(";") and depth == 0:
            if current:
                out.append(current)
            current = []
            continue
        current.append(tok)
    if depth:
        raise code_error(current[-1].line if current else 1, "missing ')'")
    if current:
        out.append(current)
    return out


def close_paren(tokens: list[Token], start: int) -> int:
    """Index of the ')' matching the '(' at ``start``."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].punct("("):
            depth += 1
        elif tokens[i].punct(")"):
            depth -= 1
            if depth == 0:
                return i
    raise code_error(tokens[start].line, "missing ')'")


def split_commas(tokens: list[Token]) -> list[list[Token]]:
    """Split a token list at its top-level commas."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.punct("("):
            depth += 1
        elif tok.punct(")"):
            depth -= 1
        if tok.punct(",") and depth == 0:
            parts.append([])
            continue
        parts[-1].append(tok)
    return parts


@dataclass(slots=True)
class StreamDef:
    name: str
    columns: list[tuple[str, str]]  # (name, AWS SQL type as written)
    line: int


@dataclass(slots=True)
class PumpDef:
    name: str
    target: str
    target_columns: list[str] | None
    select: list[Token]  # from SELECT on
    line: int


@dataclass(slots=True)
class Program:
    streams: dict[str, StreamDef] = field(default_factory=dict)
    pumps: dict[str, PumpDef] = field(default_factory=dict)


class _Cursor:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else None

    def line(self) -> int:
        tok = self.peek() or (self.tokens[-1] if self.tokens else None)
        return tok.line if tok else 1

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise code_error(self.line(), "unexpected end of statement")
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.is_(*words):
            self.i += 1
            return True
        return False

    def expect(self, *words: str) -> None:
        tok = self.peek()
        if tok is None or not tok.is_(*words):
            found = tok.text if tok else "end of statement"
            raise code_error(self.line(), f"expected {' or '.join(words)} but found {found!r}")
        self.i += 1

    def name(self) -> str:
        tok = self.take()
        if tok.kind not in ("word", "quoted"):
            raise code_error(tok.line, f"expected a name but found {tok.text!r}")
        return tok.name


def parse(code: str) -> Program:
    program = Program()
    for stmt in statements(tokenize(code)):
        cur = _Cursor(stmt)
        first = stmt[0]
        if not cur.word("CREATE"):
            raise code_error(first.line, f"expected CREATE but found {first.text!r}")
        replace = cur.word("OR")
        if replace:
            cur.expect("REPLACE")
        if cur.word("STREAM"):
            stream = _stream(cur, first.line)
            if stream.name in program.streams and not replace:
                raise code_error(first.line, f"stream {stream.name} is already defined")
            program.streams[stream.name] = stream
        elif cur.word("PUMP"):
            pump = _pump(cur, first.line)
            if pump.name in program.pumps and not replace:
                raise code_error(first.line, f"pump {pump.name} is already defined")
            program.pumps[pump.name] = pump
        elif cur.word("VIEW", "TABLE", "FUNCTION"):
            raise code_error(
                first.line,
                f"CREATE {stmt[cur.i - 1].text.upper()} is not supported here; "
                "supported: CREATE [OR REPLACE] STREAM and CREATE [OR REPLACE] PUMP",
            )
        else:
            tok = cur.peek()
            raise code_error(cur.line(), f"expected STREAM or PUMP but found {tok.text if tok else 'nothing'!r}")
    return program


def _stream(cur: _Cursor, line: int) -> StreamDef:
    name = cur.name()
    tok = cur.take()
    if not tok.punct("("):
        raise code_error(tok.line, f"expected '(' after stream name {name}")
    end = close_paren(cur.tokens, cur.i - 1)
    columns = []
    for part in split_commas(cur.tokens[cur.i : end]):
        if len(part) < 2 or part[0].kind not in ("word", "quoted"):
            raise code_error(part[0].line if part else tok.line, f"invalid column definition in stream {name}")
        col_type = " ".join(t.text for t in part[1:]).replace("( ", "(").replace(" )", ")").replace(" ,", ",")
        columns.append((part[0].name, col_type))
    cur.i = end + 1
    if cur.word("DESCRIPTION"):
        cur.take()
    if cur.peek() is not None:
        raise code_error(cur.line(), f"unexpected {cur.peek().text!r} after stream {name}")  # type: ignore[union-attr]
    return StreamDef(name, columns, line)


def _pump(cur: _Cursor, line: int) -> PumpDef:
    name = cur.name()
    if cur.word("DESCRIPTION"):
        cur.take()
    cur.expect("AS")
    cur.expect("INSERT")
    cur.expect("INTO")
    target = cur.name()
    target_columns: list[str] | None = None
    tok = cur.peek()
    if tok is not None and tok.punct("("):
        end = close_paren(cur.tokens, cur.i)
        target_columns = []
        for part in split_commas(cur.tokens[cur.i + 1 : end]):
            if len(part) != 1 or part[0].kind not in ("word", "quoted"):
                raise code_error(tok.line, f"invalid column list of INSERT INTO {target}")
            target_columns.append(part[0].name)
        cur.i = end + 1
    start = cur.peek()
    if start is None or not start.is_("SELECT"):
        raise code_error(cur.line(), f"expected SELECT STREAM after INSERT INTO {target}")
    return PumpDef(name, target, target_columns, cur.tokens[cur.i :], line)
