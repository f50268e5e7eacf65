"""DynamoDB's PartiQL parsed: a hand-written tokenizer and a depth-bounded recursive-descent parser (no regular
expression, no unbounded recursion) for the SELECT, INSERT, UPDATE, DELETE and EXISTS forms DynamoDB runs. `?`
parameters are bound while parsing; WHERE clauses become the expression trees of expressions.py, so evaluate.py
tests them exactly as it tests a ConditionExpression. Errors read as DynamoDB's ("Statement wasn't well formed,
can't be processed: …")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import expressions, limits, values
from .errors import ServiceError, ValidationException
from .expressions import Arith, Between, Call, Compare, In, Lit, Logic, Path, Ref
from .values import Item, Value

MAX_DEPTH = 64  # nesting of parentheses, NOT, functions and literal documents the parser follows
RETURNING = {"ALL OLD": "ALL_OLD", "MODIFIED OLD": "UPDATED_OLD", "ALL NEW": "ALL_NEW", "MODIFIED NEW": "UPDATED_NEW"}
_FUNCTIONS = {"begins_with": 2, "contains": 2, "attribute_type": 2, "exists": 1, "missing": 1}


def malformed(detail: str) -> ServiceError:
    return ValidationException(f"Statement wasn't well formed, can't be processed: {detail}")


# --- statements --------------------------------------------------------------------------------------------------


@dataclass
class Select:
    table: str
    index: str | None
    paths: list[Path] | None  # None: *
    where: Any
    order: Path | None = None
    descending: bool = False


@dataclass
class Insert:
    table: str
    item: Item


@dataclass
class Modify:
    """UPDATE (``update`` set) or DELETE (``update`` None) of the one item the WHERE clause's keys name."""

    table: str
    where: Any
    update: expressions.Update | None = None
    returning: str | None = None  # ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW


@dataclass
class Exists:
    """EXISTS(SELECT * FROM t WHERE …) in a transaction: a condition check of one item."""

    select: Select


Statement = Select | Insert | Modify | Exists


# --- tokens ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted ("identifier"), string ('text'), number, ?, punctuation itself, EOF
    text: str


_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_WORD = _WORD_START | frozenset("0123456789$")
_DIGITS = frozenset("0123456789")
_PUNCTUATION = ("<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "*",
                "+", "-", "?", ";")  # fmt: skip


def _quoted(text: str, i: int, quote: str) -> tuple[str, int]:
    """The text of a quoted token starting at ``i`` (a doubled quote stands for one) and the index after it."""
    out: list[str] = []
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == quote:
            if j + 1 < n and text[j + 1] == quote:
                out.append(quote)
                j += 2
                continue
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise malformed("Unexpected end of input: missing closing quote" if quote == "'" else "Unterminated identifier")


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "-" and text.startswith("--", i):  # a comment to the end of the line
            while i < n and text[i] != "\n":
                i += 1
        elif c in _WORD_START:
            start = i
            while i < n and text[i] in _WORD:
                i += 1
            out.append(Token("word", text[start:i]))
        elif c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            start = i
            while i < n and text[i] in _DIGITS:
                i += 1
            if i < n and text[i] == ".":
                i += 1
                while i < n and text[i] in _DIGITS:
                    i += 1
            if i < n and text[i] in "eE":
                j = i + 1
                if j < n and text[j] in "+-":
                    j += 1
                if j < n and text[j] in _DIGITS:
                    i = j
                    while i < n and text[i] in _DIGITS:
                        i += 1
            out.append(Token("number", text[start:i]))
        elif c in "'\"":
            body, i = _quoted(text, i, c)
            out.append(Token("string" if c == "'" else "quoted", body))
        else:
            for p in _PUNCTUATION:
                if text.startswith(p, i):
                    out.append(Token(p, p))
                    i += len(p)
                    break
            else:
                raise malformed(f"Unexpected character: {c}")
    out.append(Token("EOF", "<EOF>"))
    return out


# --- the parser --------------------------------------------------------------------------------------------------


@dataclass
class _State:
    tokens: list[Token]
    parameters: list[Value]
    i: int = 0
    depth: int = 0
    used: int = 0
    operators: int = 0
    names: list[str] = field(default_factory=list)


class Parser(expressions.Conditions):
    def __init__(self, text: str, parameters: list[Value]) -> None:
        self.s = _State(tokenize(text), parameters)

    # tokens
    def peek(self, ahead: int = 0) -> Token:
        tokens = self.s.tokens
        return tokens[min(self.s.i + ahead, len(tokens) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        if tok.kind != "EOF":
            self.s.i += 1
        return tok

    def is_word(self, word: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.kind == "word" and tok.text.upper() == word

    def keyword(self, word: str) -> bool:
        if self.is_word(word):
            self.take()
            return True
        return False

    def need(self, word: str) -> None:
        if not self.keyword(word):
            raise self.unexpected(f"expected {word}")

    def expect(self, kind: str) -> Token:
        if self.peek().kind != kind:
            raise self.unexpected(f"expected {kind}")
        return self.take()

    def unexpected(self, wanted: str) -> ServiceError:
        tok = self.peek()
        if tok.kind == "EOF":
            return malformed(f"Unexpected end of statement, {wanted}")
        if tok.kind == "word" and tok.text.upper() in _KEYWORDS:
            return malformed(f"Unexpected keyword: {tok.text}")
        return malformed(f"Unexpected token: {tok.text}")

    def enter(self) -> None:
        self.s.depth += 1
        if self.s.depth > MAX_DEPTH:
            raise malformed(f"The statement has too many nested levels; maximum: {MAX_DEPTH}")

    def leave(self) -> None:
        self.s.depth -= 1

    def operator(self) -> None:
        self.s.operators += 1
        if self.s.operators > limits.EXPRESSION_OPERATORS:
            raise malformed(f"The statement contains too many operators; operator count: {self.s.operators}")

    # statements
    def statement(self) -> Statement:
        tok = self.peek()
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            stmt: Statement = self.select()
        elif word == "INSERT":
            stmt = self.insert()
        elif word == "UPDATE":
            stmt = self.update()
        elif word == "DELETE":
            stmt = self.delete()
        elif word == "EXISTS":
            self.take()
            self.expect("(")
            stmt = Exists(self.select())
            self.expect(")")
        else:
            raise malformed("Expected data manipulation")
        if self.peek().kind == ";":
            self.take()
        if self.peek().kind != "EOF":
            raise self.unexpected("expected end of statement")
        if self.s.used != len(self.s.parameters):
            raise ValidationException("Number of parameters in request and statement don't match.")
        return stmt

    def identifier(self) -> str:
        tok = self.peek()
        if tok.kind == "quoted":
            self.take()
            return tok.text
        if tok.kind == "word" and tok.text.upper() not in _KEYWORDS:
            self.take()
            return tok.text
        raise self.unexpected("expected identifier")

    def table(self) -> tuple[str, str | None]:
        name = self.identifier()
        index = None
        if self.peek().kind == ".":
            self.take()
            index = self.identifier()
        return name, index

    def select(self) -> Select:
        self.need("SELECT")
        paths: list[Path] | None = None
        if self.peek().kind == "*":
            self.take()
        else:
            paths = [self.path()]
            while self.peek().kind == ",":
                self.take()
                paths.append(self.path())
            expressions.check_overlaps(paths, "ProjectionExpression")
        self.need("FROM")
        table, index = self.table()
        where = self.condition_clause() if self.keyword("WHERE") else None
        out = Select(table, index, paths, where)
        if self.keyword("ORDER"):
            self.need("BY")
            out.order = self.path()
            if self.keyword("DESC"):
                out.descending = True
            else:
                self.keyword("ASC")
        return out

    def insert(self) -> Insert:
        self.need("INSERT")
        self.need("INTO")
        table = self.identifier()
        self.need("VALUE")
        value = self.literal()
        if values.kind_of(value) != "M":
            raise ValidationException("Unsupported operation: Inserting a non-map value is not supported")
        return Insert(table, dict(value["M"]))

    def update(self) -> Modify:
        self.need("UPDATE")
        table = self.identifier()
        change = expressions.Update()
        clauses = 0
        while True:
            if self.keyword("SET"):
                self.assignment(change)
                while self.peek().kind == ",":
                    self.take()
                    self.assignment(change)
            elif self.keyword("REMOVE"):
                change.removes.append(self.path())
                while self.peek().kind == ",":
                    self.take()
                    change.removes.append(self.path())
            else:
                break
            clauses += 1
        if not clauses:
            raise self.unexpected("expected SET or REMOVE")
        expressions.check_overlaps(change.paths(), "UpdateExpression")
        self.need("WHERE")
        where = self.condition_clause()
        return Modify(table, where, change, self.returning())

    def assignment(self, change: expressions.Update) -> None:
        target = self.path()
        self.expect("=")
        self.operator()
        tok = self.peek()
        name = tok.text.lower() if tok.kind == "word" else ""
        if name in ("set_add", "set_delete") and self.peek(1).kind == "(":
            self.take()
            self.expect("(")
            first = self.path()
            self.expect(",")
            value = self.literal()
            self.expect(")")
            if first != target:
                raise ValidationException(f"{name} must name the attribute it assigns: {_show(target)}")
            if values.kind_of(value) not in values.SETS:
                raise ValidationException(f"{name} requires a set operand")
            (change.adds if name == "set_add" else change.deletes).append((target, Lit(value, "?")))
            return
        left = self.set_operand()
        if self.peek().kind in ("+", "-"):
            op = self.take().kind
            change.sets.append((target, Arith(op, left, self.set_operand())))
            return
        change.sets.append((target, left))

    def set_operand(self) -> Any:
        tok = self.peek()
        name = tok.text.lower() if tok.kind == "word" else ""
        if name in ("list_append", "if_not_exists") and self.peek(1).kind == "(":
            self.take()
            self.enter()
            self.expect("(")
            first = self.set_operand()
            self.expect(",")
            second = self.set_operand()
            self.expect(")")
            self.leave()
            if name == "if_not_exists" and not isinstance(first, Ref):
                raise ValidationException("if_not_exists requires a document path as its first operand")
            return Call(name, (first, second))
        if self.starts_path():
            return Ref(self.path())
        return Lit(self.literal(), "?")

    def delete(self) -> Modify:
        self.need("DELETE")
        self.need("FROM")
        table = self.identifier()
        self.need("WHERE")
        where = self.condition_clause()
        returning = self.returning()
        if returning not in (None, "ALL_OLD"):
            shown = next(k for k, v in RETURNING.items() if v == returning)
            raise ValidationException(
                f"Invalid returning clause: RETURNING {shown} *. Only RETURNING ALL OLD * is allowed in DELETE "
                "statements."
            )
        return Modify(table, where, None, returning)

    def returning(self) -> str | None:
        if not self.keyword("RETURNING"):
            return None
        first = self.take().text.upper()
        second = self.take().text.upper()
        mode = RETURNING.get(f"{first} {second}")
        if mode is None or self.peek().kind != "*":
            raise malformed("Expected RETURNING ALL OLD *, MODIFIED OLD *, ALL NEW * or MODIFIED NEW *")
        self.take()
        return mode

    # paths
    def starts_path(self) -> bool:
        tok = self.peek()
        return tok.kind == "quoted" or (
            tok.kind == "word" and tok.text.upper() not in _KEYWORDS and tok.text.upper() not in _LITERAL_WORDS
        )

    def path(self) -> Path:
        elements: list[str | int] = [self.identifier()]
        while True:
            tok = self.peek()
            if tok.kind == ".":
                self.take()
                elements.append(self.identifier())
            elif tok.kind == "[":
                self.take()
                index = self.take()
                if index.kind == "number" and index.text.isdigit():
                    elements.append(int(index.text))
                elif index.kind == "string":
                    elements.append(index.text)
                else:
                    raise malformed(f"Unexpected token: {index.text}")
                self.expect("]")
            else:
                break
            if len(elements) > limits.MAX_DEPTH:
                raise ValidationException(f"The document path has too many nesting levels; nesting levels: "
                                          f"{len(elements)}")  # fmt: skip
        return tuple(elements)

    # literals
    def literal(self) -> Value:
        self.enter()
        try:
            return self._literal()
        finally:
            self.leave()

    def _literal(self) -> Value:
        tok = self.take()
        kind = tok.kind
        if kind == "?":
            if self.s.used >= len(self.s.parameters):
                raise ValidationException("Number of parameters in request and statement don't match.")
            value = self.s.parameters[self.s.used]
            self.s.used += 1
            return value
        if kind == "string":
            return {"S": tok.text}
        if kind == "number":
            return {"N": values.normalise_number(tok.text)}
        if kind == "-" and self.peek().kind == "number":
            return {"N": values.normalise_number("-" + self.take().text)}
        if kind == "word":
            word = tok.text.upper()
            if word in ("TRUE", "FALSE"):
                return {"BOOL": word == "TRUE"}
            if word == "NULL":
                return {"NULL": True}
        if kind == "[":
            items: list[Value] = []
            if self.peek().kind != "]":
                items.append(self.literal())
                while self.peek().kind == ",":
                    self.take()
                    items.append(self.literal())
            self.expect("]")
            return {"L": items}
        if kind == "{":
            members: dict[str, Value] = {}
            if self.peek().kind != "}":
                while True:
                    key = self.take()
                    if key.kind not in ("string", "quoted"):
                        raise malformed(f"Unexpected token: {key.text}")
                    self.expect(":")
                    members[key.text] = self.literal()
                    if self.peek().kind != ",":
                        break
                    self.take()
            self.expect("}")
            return {"M": members}
        if kind == "<<":
            return self.set_literal()
        self.s.i -= 1 if kind != "EOF" else 0
        raise self.unexpected("expected a value")

    def set_literal(self) -> Value:
        members = [self.literal()]
        while self.peek().kind == ",":
            self.take()
            members.append(self.literal())
        self.expect(">>")
        kinds = {values.kind_of(m) for m in members}
        if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
            raise ValidationException("Unsupported operation: A set must hold strings, numbers or binaries of one type")
        kind = next(iter(kinds))
        return values.check({kind + "S": [m[kind] for m in members]})

    # conditions
    def condition_clause(self) -> Any:
        return self.condition()

    def predicate(self) -> Any:
        self.operator()
        tok = self.peek()
        if tok.kind == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        name = tok.text.lower() if tok.kind == "word" else ""
        if name in _FUNCTIONS and self.peek(1).kind == "(":
            return self.function(name)
        left = self.operand()
        nxt = self.peek()
        if nxt.kind in ("=", "<>", "!=", "<", "<=", ">", ">="):
            self.take()
            return Compare("<>" if nxt.kind == "!=" else nxt.kind, left, self.operand())
        if self.keyword("BETWEEN"):
            low = self.operand()
            self.need("AND")
            return Between(left, low, self.operand())
        negated = self.keyword("NOT")
        if self.keyword("IN"):
            node: Any = In(left, tuple(self.choices()))
            return Logic("NOT", node) if negated else node
        if negated:
            raise self.unexpected("expected IN")
        if self.keyword("IS"):
            negated = self.keyword("NOT")
            if self.keyword("MISSING"):
                node = Call("attribute_not_exists", (self._path_of(left, "IS MISSING"),))
            elif self.keyword("NULL"):
                path = self._path_of(left, "IS NULL")
                node = Logic("OR", Call("attribute_not_exists", (path,)),
                             Call("attribute_type", (path, Lit({"S": "NULL"}, "NULL"))))  # fmt: skip
            else:
                raise self.unexpected("expected MISSING or NULL")
            return Logic("NOT", node) if negated else node
        raise self.unexpected("expected a comparison")

    @staticmethod
    def _path_of(node: Any, what: str) -> Ref:
        if not isinstance(node, Ref):
            raise ValidationException(f"{what} requires a document path")
        return node

    def choices(self) -> list[Any]:
        close = {"[": "]", "(": ")"}.get(self.peek().kind)
        if close is None:
            raise self.unexpected("expected ( or [")
        self.take()
        found = [self.operand()]
        while self.peek().kind == ",":
            self.take()
            found.append(self.operand())
        self.expect(close)
        if len(found) > 100:
            raise ValidationException(
                f"The IN operator is provided with too many operands; number of operands: {len(found)}"
            )
        return found

    def function(self, name: str) -> Any:
        self.take()
        self.enter()
        self.expect("(")
        args = [self.operand()]
        while self.peek().kind == ",":
            self.take()
            args.append(self.operand())
        self.expect(")")
        self.leave()
        if len(args) != _FUNCTIONS[name]:
            raise ValidationException(
                f"Incorrect number of operands for operator or function; operator or function: {name}, number of "
                f"operands: {len(args)}"
            )
        subject = args[0]
        if not isinstance(subject, Ref) and not (name == "contains" and isinstance(subject, Lit)):
            raise ValidationException(f"Operator or function requires a document path; operator or function: {name}")
        if name == "exists":
            return Call("attribute_exists", (subject,))
        if name == "missing":
            return Call("attribute_not_exists", (subject,))
        if name == "attribute_type":
            kind = args[1].value.get("S") if isinstance(args[1], Lit) else None
            if kind not in expressions.ATTRIBUTE_TYPES:
                raise ValidationException(f"Invalid attribute type name found; type: {kind}")
        return Call(name, tuple(args))

    def operand(self) -> Any:
        tok = self.peek()
        if tok.kind == "word" and tok.text.lower() == "size" and self.peek(1).kind == "(":
            self.take()
            self.expect("(")
            target = Ref(self.path())
            self.expect(")")
            return Call("size", (target,))
        if self.starts_path():
            return Ref(self.path())
        return Lit(self.literal(), "?")


_KEYWORDS = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "BETWEEN", "INSERT", "INTO",
                       "VALUE", "VALUES", "UPDATE", "SET", "REMOVE", "DELETE", "RETURNING", "ORDER", "BY", "ASC",
                       "DESC", "EXISTS", "MISSING", "LIMIT"})  # fmt: skip
_LITERAL_WORDS = frozenset({"TRUE", "FALSE", "NULL"})


def _show(path: Path) -> str:
    return "".join(f"[{e}]" if isinstance(e, int) else ("." if i else "") + e for i, e in enumerate(path))


def parse(text: str, parameters: list[Any] | None) -> Statement:
    """A statement parsed with its parameters bound (each checked as an AttributeValue)."""
    checked = []
    for value in parameters or []:
        checked.append(values.check(value))
    return Parser(text, checked).statement()


# --- what a WHERE clause says about keys -------------------------------------------------------------------------


def conjuncts(node: Any) -> list[Any]:
    """The top-level AND terms of a condition (iteratively: a long chain is as deep as it is long)."""
    out: list[Any] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, Logic) and current.op == "AND":
            stack.append(current.right)
            stack.append(current.left)
        else:
            out.append(current)
    return out


def equality(term: Any) -> tuple[str, Value] | None:
    """(attribute, value) when a term is `name = literal` (either way round) on a top-level attribute."""
    if not isinstance(term, Compare) or term.op != "=":
        return None
    ref, lit = (term.left, term.right) if isinstance(term.left, Ref) else (term.right, term.left)
    if isinstance(ref, Ref) and isinstance(lit, Lit) and len(ref.path) == 1 and isinstance(ref.path[0], str):
        return ref.path[0], lit.value
    return None


def key_and_rest(where: Any, keys: list[str]) -> tuple[Item, Any]:
    """The item key a WHERE clause's equalities name and the condition left over (None: nothing), or DynamoDB's
    error when it does not name every key attribute by equality."""
    key: Item = {}
    rest = []
    for term in conjuncts(where):
        found = equality(term)
        if found is not None and found[0] in keys and found[0] not in key:
            key[found[0]] = found[1]
        else:
            rest.append(term)
    if len(key) != len(keys):
        raise ValidationException("Where clause does not contain a mandatory equality on all key attributes")
    condition = None
    for term in rest:
        condition = term if condition is None else Logic("AND", condition, term)
    return key, condition
