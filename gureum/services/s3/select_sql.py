"""S3 Select's SQL dialect, parsed: a hand-written lexer and recursive-descent parser (bounded length and depth,
no regex) of ``SELECT list FROM S3Object[*][.path] [alias] [WHERE cond] [LIMIT n]`` into a small tree that
select_duck.py translates for DuckDB. What S3 Select refuses is refused here with its error codes (LexerInvalidChar,
ParseUnexpectedToken, ParseExpectedExpression, UnsupportedSyntax, InvalidColumnIndex, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...aws.errors import ServiceError

MAX_EXPRESSION = 256 * 1024  # S3 Select's limit on the SQL expression's length
MAX_DEPTH = 64  # nesting of parentheses and operators
MAX_HEIGHT = 128  # an expression tree's height (chains of AND, OR, ||, + ... included)

AGGREGATES = {"COUNT", "SUM", "AVG", "MIN", "MAX"}
# function name -> (fewest, most) arguments (special forms, CAST/EXTRACT/SUBSTRING/TRIM/DATE_*, parsed apart)
FUNCTIONS = {
    "CHAR_LENGTH": (1, 1),
    "CHARACTER_LENGTH": (1, 1),
    "LOWER": (1, 1),
    "UPPER": (1, 1),
    "COALESCE": (1, 64),
    "NULLIF": (2, 2),
    "TO_STRING": (2, 2),
    "TO_TIMESTAMP": (1, 1),
    "UTCNOW": (0, 0),
}
DATE_PARTS = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}
CAST_TYPES = {
    "BOOL": "BOOLEAN",
    "BOOLEAN": "BOOLEAN",
    "INT": "BIGINT",
    "INTEGER": "BIGINT",
    "STRING": "VARCHAR",
    "VARCHAR": "VARCHAR",
    "FLOAT": "DOUBLE",
    "DOUBLE": "DOUBLE",
    "REAL": "DOUBLE",
    "DECIMAL": "DOUBLE",
    "NUMERIC": "DOUBLE",
    "TIMESTAMP": "TIMESTAMP",
}
_RESERVED = {
    "SELECT", "FROM", "WHERE", "LIMIT", "AS", "AND", "OR", "NOT", "LIKE", "ESCAPE", "BETWEEN", "IN", "IS", "NULL",
    "MISSING", "TRUE", "FALSE", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "GROUP", "ORDER", "BY", "HAVING",
    "JOIN", "UNION", "DISTINCT", "FOR", "ON",
}  # fmt: skip
_CLAUSES = {"FROM", "WHERE", "LIMIT", "AS", "AND", "OR", "THEN", "ELSE", "END", "WHEN"}
_UNSUPPORTED = {"GROUP", "ORDER", "HAVING", "JOIN", "UNION", "DISTINCT", "OFFSET", "INTERSECT", "EXCEPT"}


def select_error(code: str, message: str) -> ServiceError:
    return ServiceError(message, code=code, status=400)


def _unexpected(token: Token) -> ServiceError:
    shown = token.text or "end of input"
    return select_error(
        "ParseUnexpectedToken",
        f"Unexpected token found {shown} at line 1, column {token.at + 1}. Check the SQL expression and try again.",
    )


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ident, qident, string, number, op, eof
    text: str
    at: int

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "ident" else ""


_OPS2 = {"<=", ">=", "<>", "!=", "||"}
_OPS1 = set("(),.*+-/%=<>[]")


def tokenize(text: str) -> list[Token]:
    """The expression's tokens; LexerInvalidChar on a character S3 Select's lexer does not know."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c.isalpha() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(Token("ident", text[i:j], i))
            i = j
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isdigit():
                    j = k
                    while j < n and text[j].isdigit():
                        j += 1
            out.append(Token("number", text[i:j], i))
            i = j
        elif c in "'\"":
            j, parts = i + 1, []
            while True:
                if j >= n:
                    raise select_error(
                        "LexerInvalidLiteral" if c == "'" else "LexerInvalidName",
                        f"Unterminated {'string' if c == chr(39) else 'quoted identifier'} at line 1, column {i + 1}.",
                    )
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        parts.append(c)
                        j += 2
                        continue
                    break
                parts.append(text[j])
                j += 1
            out.append(Token("string" if c == "'" else "qident", "".join(parts), i))
            i = j + 1
        elif text[i : i + 2] in _OPS2:
            out.append(Token("op", text[i : i + 2], i))
            i += 2
        elif c in _OPS1:
            out.append(Token("op", c, i))
            i += 1
        else:
            raise select_error(
                "LexerInvalidChar",
                f"The SQL expression contains an invalid character {c!r} at line 1, column {i + 1}.",
            )
    out.append(Token("eof", "", n))
    return out


# --- the tree ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """One expression: ``op`` names it (lit, col, star, not, and, or, cmp, arith, concat, neg, like, between, in,
    isnull, cast, case, func, agg, extract, substring, trim, date_add, date_diff); ``args`` its parts; ``value``
    what it carries (a literal, an operator, a column path, a function name)."""

    op: str
    args: tuple[Node, ...] = ()
    value: Any = None
    height: int = field(default=1, compare=False)

    def __post_init__(self) -> None:
        height = 1 + max((arg.height for arg in self.args), default=0)
        if height > MAX_HEIGHT:  # what walks the tree (translation) recurses: a chain of 5,000 ORs must not
            raise select_error("ParseExpressionTooComplex", "The SQL expression is too complex.")
        object.__setattr__(self, "height", height)


@dataclass(slots=True)
class Query:
    items: list[tuple[Node, str | None]]  # (expression, alias); [] is SELECT *
    alias: str | None
    source_path: list[str | int] = field(default_factory=list)  # steps after S3Object[*]; "*" unnests an array
    where: Node | None = None
    limit: int | None = None

    @property
    def aggregate(self) -> bool:
        return any(_has_aggregate(node) for node, _ in self.items)


def _has_aggregate(node: Node) -> bool:
    return node.op == "agg" or any(_has_aggregate(arg) for arg in node.args)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.alias: str | None = None

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "eof":
            self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        return self.peek.word in words

    def at_op(self, *ops: str) -> bool:
        return self.peek.kind == "op" and self.peek.text in ops

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            raise _unexpected(self.peek)
        return self.take()

    def expect_op(self, op: str) -> Token:
        if not self.at_op(op):
            raise _unexpected(self.peek)
        return self.take()

    # SELECT ... FROM ... ------------------------------------------------------------------------------------
    def query(self) -> Query:
        self.expect_word("SELECT")
        if self.at_op("*"):
            self.take()
            items: list[tuple[Node, str | None]] = []
        else:
            items = [self.select_item()]
            while self.at_op(","):
                self.take()
                items.append(self.select_item())
        if self.at_op(","):
            raise select_error(
                "ParseAsteriskIsNotAloneInSelectList",
                "Other expressions are not allowed in the SELECT list when * is used without dot notation in the "
                "SQL expression.",
            )
        self.expect_word("FROM")
        query = Query(items, None)
        self.source(query)
        if self.at_word("WHERE"):
            self.take()
            query.where = self.expr()
        if self.at_word("LIMIT"):
            self.take()
            token = self.take()
            if token.kind != "number" or not token.text.isdigit():
                raise _unexpected(token)
            query.limit = int(token.text)
        if self.peek.word in _UNSUPPORTED:
            raise select_error("UnsupportedSyntax", f"{self.peek.word} is not supported by S3 Select.")
        if self.peek.kind != "eof":
            raise _unexpected(self.peek)
        self._bind_alias(query)
        return query

    def select_item(self) -> tuple[Node, str | None]:
        node = self.expr()
        name = None
        if self.at_word("AS"):
            self.take()
            token = self.take()
            if token.kind not in ("ident", "qident") or token.word in _RESERVED:
                raise _unexpected(token)
            name = token.text
        elif self.peek.kind == "qident" or (self.peek.kind == "ident" and self.peek.word not in _RESERVED):
            name = self.take().text
        return node, name

    def source(self, query: Query) -> None:
        token = self.take()
        if token.kind != "ident" or token.word != "S3OBJECT":
            if token.kind in ("ident", "qident"):
                raise select_error(
                    "UnsupportedSyntax", "The FROM clause names S3Object (the object queried), no other table."
                )
            raise _unexpected(token)
        if self.at_op("["):
            self.take()
            self.expect_op("*")
            self.expect_op("]")
            while self.at_op(".", "["):
                if self.take().text == ".":
                    step = self.take()
                    if step.kind not in ("ident", "qident"):
                        raise _unexpected(step)
                    query.source_path.append(step.text)
                else:
                    index = self.take()
                    if index.kind == "op" and index.text == "*":
                        query.source_path.append("*")
                    elif index.kind == "number" and index.text.isdigit():
                        query.source_path.append(int(index.text))
                    else:
                        raise _unexpected(index)
                    self.expect_op("]")
        if self.at_word("AS"):
            self.take()
        if self.peek.kind == "ident" and self.peek.word not in _RESERVED and self.peek.word not in _UNSUPPORTED:
            query.alias = self.take().text
        if self.at_word("JOIN") or self.at_op(","):
            raise select_error("UnsupportedSyntax", "Joins are not supported by S3 Select.")

    def _bind_alias(self, query: Query) -> None:
        """Column paths that start with the FROM clause's alias (or S3Object) lose that first step."""
        query.alias = query.alias or "S3Object"
        alias = query.alias

        def fix(node: Node) -> Node:
            if node.op == "col":
                path = list(node.value)
                if len(path) > 1 and isinstance(path[0], tuple) and path[0][0].upper() == alias.upper():
                    path = path[1:]
                elif len(path) == 1 and isinstance(path[0], tuple) and path[0][0].upper() == alias.upper():
                    return Node("star")
                return Node("col", (), tuple(path))
            if node.op == "colstar":
                return Node("star")
            return Node(node.op, tuple(fix(arg) for arg in node.args), node.value)

        query.items = [(fix(node), name) for node, name in query.items]
        if any(node.op == "star" for node, _ in query.items):
            if len(query.items) > 1:
                raise select_error(
                    "ParseAsteriskIsNotAloneInSelectList",
                    "Other expressions are not allowed in the SELECT list when * is used without dot notation in "
                    "the SQL expression.",
                )
            query.items = []
        if query.where is not None:
            query.where = fix(query.where)
            if _has_aggregate(query.where):
                raise select_error("UnsupportedSyntax", "Aggregate functions are not allowed in the WHERE clause.")

    # expressions ---------------------------------------------------------------------------------------------
    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise select_error("ParseExpressionTooComplex", "The SQL expression is too complex (nested too deeply).")
        try:
            return self.or_expr()
        finally:
            self.depth -= 1

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at_word("OR"):
            self.take()
            node = Node("or", (node, self.and_expr()))
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at_word("AND"):
            self.take()
            node = Node("and", (node, self.not_expr()))
        return node

    def not_expr(self) -> Node:
        if self.at_word("NOT"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise select_error("ParseExpressionTooComplex", "The SQL expression is too complex.")
            try:
                return Node("not", (self.not_expr(),))
            finally:
                self.depth -= 1
        return self.predicate()

    def predicate(self) -> Node:
        node = self.concat()
        if self.at_op("=", "!=", "<>", "<", "<=", ">", ">="):
            op = self.take().text
            return Node("cmp", (node, self.concat()), "<>" if op == "!=" else op)
        negate = False
        if self.at_word("NOT"):
            self.take()
            negate = True
            if not self.at_word("LIKE", "BETWEEN", "IN"):
                raise _unexpected(self.peek)
        if self.at_word("LIKE"):
            self.take()
            args = [node, self.concat()]
            if self.at_word("ESCAPE"):
                self.take()
                args.append(self.concat())
            out = Node("like", tuple(args))
        elif self.at_word("BETWEEN"):
            self.take()
            low = self.concat()
            self.expect_word("AND")
            out = Node("between", (node, low, self.concat()))
        elif self.at_word("IN"):
            self.take()
            self.expect_op("(")
            values = [self.expr()]
            while self.at_op(","):
                self.take()
                values.append(self.expr())
            self.expect_op(")")
            out = Node("in", (node, *values))
        elif self.at_word("IS"):
            self.take()
            negated = False
            if self.at_word("NOT"):
                self.take()
                negated = True
            if not self.at_word("NULL", "MISSING"):
                raise _unexpected(self.peek)
            self.take()
            return Node("isnull", (node,), negated)
        else:
            return node
        return Node("not", (out,)) if negate else out

    def concat(self) -> Node:
        node = self.additive()
        while self.at_op("||"):
            self.take()
            node = Node("concat", (node, self.additive()))
        return node

    def additive(self) -> Node:
        node = self.term()
        while self.at_op("+", "-"):
            op = self.take().text
            node = Node("arith", (node, self.term()), op)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at_op("*", "/", "%"):
            op = self.take().text
            node = Node("arith", (node, self.unary()), op)
        return node

    def unary(self) -> Node:
        if self.at_op("-", "+"):
            op = self.take().text
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise select_error("ParseExpressionTooComplex", "The SQL expression is too complex.")
            try:
                inner = self.unary()
            finally:
                self.depth -= 1
            return Node("neg", (inner,)) if op == "-" else inner
        return self.primary()

    def primary(self) -> Node:
        token = self.peek
        if token.kind == "number":
            self.take()
            return Node("lit", (), float(token.text) if any(c in token.text for c in ".eE") else int(token.text))
        if token.kind == "string":
            self.take()
            return Node("lit", (), token.text)
        if self.at_op("("):
            self.take()
            node = self.expr()
            self.expect_op(")")
            return node
        if token.kind == "qident":
            return self.column()
        if token.kind != "ident":
            if token.kind == "eof" or self.at_op(")", ","):
                raise select_error(
                    "ParseExpectedExpression",
                    f"Expected expression at line 1, column {token.at + 1}. Check the SQL expression and try again.",
                )
            raise _unexpected(token)
        word = token.word
        if word in ("TRUE", "FALSE"):
            self.take()
            return Node("lit", (), word == "TRUE")
        if word in ("NULL", "MISSING"):
            self.take()
            return Node("lit", (), None)
        if word == "CASE":
            return self.case()
        if word == "CAST":
            self.take()
            self.expect_op("(")
            inner = self.expr()
            self.expect_word("AS")
            kind = self.take()
            if kind.word not in CAST_TYPES:
                raise select_error(
                    "ParseInvalidTypeParam", f"The SQL expression contains an invalid type {kind.text or 'here'}."
                )
            self.expect_op(")")
            return Node("cast", (inner,), CAST_TYPES[kind.word])
        if self.tokens[self.pos + 1].kind == "op" and self.tokens[self.pos + 1].text == "(":
            return self.call()
        if word in _CLAUSES:
            raise select_error(
                "ParseExpectedExpression",
                f"Expected expression at line 1, column {token.at + 1}. Check the SQL expression and try again.",
            )
        if word in _RESERVED:
            raise _unexpected(token)
        return self.column()

    def column(self) -> Node:
        first = self.take()
        path: list[Any] = [(first.text, first.kind == "qident")]
        while self.at_op(".", "["):
            if self.take().text == ".":
                if self.at_op("*"):
                    self.take()
                    return Node("colstar", (), tuple(path))
                step = self.take()
                if step.kind not in ("ident", "qident"):
                    raise _unexpected(step)
                path.append((step.text, step.kind == "qident"))
            else:
                index = self.take()
                if index.kind != "number" or not index.text.isdigit():
                    raise select_error("UnsupportedSyntax", "Array indexes are whole numbers.")
                path.append(int(index.text))
                self.expect_op("]")
        return Node("col", (), tuple(path))

    def case(self) -> Node:
        self.take()
        args: list[Node] = []
        subject = None if self.at_word("WHEN") else self.expr()
        while self.at_word("WHEN"):
            self.take()
            cond = self.expr()
            if subject is not None:
                cond = Node("cmp", (subject, cond), "=")
            self.expect_word("THEN")
            args.extend([cond, self.expr()])
        if not args:
            raise _unexpected(self.peek)
        if self.at_word("ELSE"):
            self.take()
            args.append(self.expr())
        self.expect_word("END")
        return Node("case", tuple(args))

    def call(self) -> Node:
        name = self.take()
        word = name.word
        self.expect_op("(")
        if word in AGGREGATES:
            if word == "COUNT" and self.at_op("*"):
                self.take()
                self.expect_op(")")
                return Node("agg", (), "COUNT")
            inner = self.expr()
            self.expect_op(")")
            if _has_aggregate(inner):
                raise select_error("UnsupportedSyntax", "Aggregate functions cannot be nested.")
            return Node("agg", (inner,), word)
        if word == "EXTRACT":
            part = self.take()
            if part.word not in DATE_PARTS:
                raise select_error("ParseExpectedDatePart", f"Expected a date part, found {part.text or 'nothing'}.")
            self.expect_word("FROM")
            inner = self.expr()
            self.expect_op(")")
            return Node("extract", (inner,), part.word)
        if word in ("DATE_ADD", "DATE_DIFF"):
            part = self.take()
            if part.word not in DATE_PARTS:
                raise select_error("ParseExpectedDatePart", f"Expected a date part, found {part.text or 'nothing'}.")
            self.expect_op(",")
            first = self.expr()
            self.expect_op(",")
            second = self.expr()
            self.expect_op(")")
            return Node(word.lower(), (first, second), part.word)
        if word == "SUBSTRING":
            inner = self.expr()
            if self.at_word("FROM"):
                self.take()
                args = [inner, self.expr()]
                if self.at_word("FOR"):
                    self.take()
                    args.append(self.expr())
            else:
                args = [inner]
                while self.at_op(","):
                    self.take()
                    args.append(self.expr())
                if len(args) not in (2, 3):
                    raise select_error("IncorrectSqlFunctionArgumentType", "SUBSTRING takes 2 or 3 arguments.")
            self.expect_op(")")
            return Node("substring", tuple(args))
        if word == "TRIM":
            where = "BOTH"
            if self.at_word("LEADING", "TRAILING", "BOTH"):
                where = self.take().word
            chars: Node | None = None
            subject: Node | None = None if self.at_word("FROM") else self.expr()
            if self.at_word("FROM"):
                self.take()
                chars, subject = subject, self.expr()
            if subject is None:
                raise _unexpected(self.peek)
            self.expect_op(")")
            return Node("trim", (subject,) if chars is None else (subject, chars), where)
        if word not in FUNCTIONS:
            raise select_error(
                "UnsupportedFunction" if word else "ParseUnexpectedToken",
                f"Function {name.text} is not supported by S3 Select.",
            )
        args = []
        if not self.at_op(")"):
            args.append(self.expr())
            while self.at_op(","):
                self.take()
                args.append(self.expr())
        self.expect_op(")")
        low, high = FUNCTIONS[word]
        if not low <= len(args) <= high:
            raise select_error(
                "IncorrectSqlFunctionArgumentType", f"{word} takes {low}..{high} arguments, {len(args)} given."
            )
        return Node("func", tuple(args), word)


def parse(expression: str) -> Query:
    """The expression's query; S3 Select's errors for what it cannot parse or does not support."""
    if len(expression.encode()) > MAX_EXPRESSION:
        raise select_error("ExpressionTooLong", "The SQL expression is too long: The maximum byte-length is 256 KB.")
    if not expression.strip():
        raise select_error("MissingRequiredParameter", "The SQL expression is empty.")
    return _Parser(tokenize(expression)).query()
