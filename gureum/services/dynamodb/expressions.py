"""DynamoDB's expression language parsed: a tokenizer and recursive-descent parsers (depth-limited, no regular
expression that can backtrack) for condition, key condition, filter, projection and update expressions, with
ExpressionAttributeNames / Values resolved while parsing and AWS's syntax error messages
(Invalid UpdateExpression: Syntax error; token: "x", near: "…"). The trees it builds are evaluated by evaluate.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import limits, values
from .errors import ServiceError, ValidationException, expression_error
from .values import Value

PathElement = str | int
Path = tuple[PathElement, ...]

CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2,
                       "contains": 2}  # fmt: skip
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
ATTRIBUTE_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")


# --- trees -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    path: Path


@dataclass(frozen=True)
class Lit:
    value: Value
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Arith:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Between:
    operand: Any
    low: Any
    high: Any


@dataclass(frozen=True)
class In:
    operand: Any
    choices: tuple[Any, ...]


@dataclass(frozen=True)
class Logic:
    op: str  # AND, OR, NOT (right is None)
    left: Any
    right: Any = None


@dataclass
class Update:
    sets: list[tuple[Path, Any]] = field(default_factory=list)
    removes: list[Path] = field(default_factory=list)
    adds: list[tuple[Path, Lit]] = field(default_factory=list)
    deletes: list[tuple[Path, Lit]] = field(default_factory=list)

    def paths(self) -> list[Path]:
        return [p for p, _ in self.sets] + self.removes + [p for p, _ in self.adds] + [p for p, _ in self.deletes]


# --- the names and values of one request ------------------------------------------------------------------------


class Attributes:
    """ExpressionAttributeNames / Values of one request and which of them its expressions used."""

    def __init__(self, names: dict[str, str] | None, vals: dict[str, Any] | None, expressions: bool) -> None:
        if names is not None and not expressions:
            raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
        if vals is not None and not expressions:
            raise ValidationException("ExpressionAttributeValues can only be specified when using expressions")
        if names is not None and not names:
            raise ValidationException("ExpressionAttributeNames must not be empty")
        if vals is not None and not vals:
            raise ValidationException("ExpressionAttributeValues must not be empty")
        for key in names or {}:
            if not key.startswith("#") or len(key) < 2:
                raise ValidationException(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
        checked: dict[str, Value] = {}
        for key, value in (vals or {}).items():
            if not key.startswith(":") or len(key) < 2:
                raise ValidationException(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                checked[key] = values.check(value)
            except ServiceError as exc:
                raise ValidationException(
                    f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                ) from None
        self.names = names or {}
        self.values = checked
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def check_unused(self) -> None:
        unused = [k for k in self.names if k not in self.used_names]
        if unused:
            raise ValidationException(
                f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused)}}}"
            )
        unused = [k for k in self.values if k not in self.used_values]
        if unused:
            raise ValidationException(
                f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused)}}}"
            )


# --- tokens ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name, #name, :value, number, punctuation itself, EOF
    text: str
    start: int
    end: int


_PUNCTUATION = ("<>", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def tokenize(text: str, kind: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        start = i
        if c in "#:" or c in _WORD:
            i += 1
            while i < n and text[i] in _WORD:
                i += 1
            word = text[start:i]
            if c == "#":
                tk = "#name"
            elif c == ":":
                tk = ":value"
            elif word.isdigit():
                tk = "number"
            elif c.isdigit():
                tk = "bad"
            else:
                tk = "name"
            if tk == "bad" or len(word) == 1 and c in "#:":
                _syntax(kind, text, out, Token("bad", word, start, i))
            out.append(Token(tk, word, start, i))
            continue
        for p in _PUNCTUATION:
            if text.startswith(p, i):
                out.append(Token(p, p, i, i + len(p)))
                i += len(p)
                break
        else:
            _syntax(kind, text, out, Token("bad", c, i, i + 1))
    out.append(Token("EOF", "<EOF>", n, n))
    return out


def _syntax(kind: str, text: str, tokens: list[Token], bad: Token) -> None:
    start = tokens[-1].start if tokens else bad.start
    near = text[start : bad.end]
    raise expression_error(kind, f'Syntax error; token: "{bad.text}", near: "{near}"')


# --- the parser --------------------------------------------------------------------------------------------------


class Conditions:
    """The boolean grammar of conditions, shared by this parser and PartiQL's: OR binds loosest, then AND, then NOT;
    each OR level and NOT nests one level (no deeper than the parser allows), each AND/OR counts one operator. A
    subclass gives the tokens (`keyword`), the limits (`enter`, `leave`, `operator`) and the `predicate`."""

    def keyword(self, word: str) -> bool:
        raise NotImplementedError

    def enter(self) -> None:
        raise NotImplementedError

    def leave(self) -> None:
        raise NotImplementedError

    def operator(self) -> None:
        raise NotImplementedError

    def predicate(self) -> Any:
        raise NotImplementedError

    def condition(self) -> Any:
        self.enter()
        node = self.conjunction()
        while self.keyword("OR"):
            self.operator()
            node = Logic("OR", node, self.conjunction())
        self.leave()
        return node

    def conjunction(self) -> Any:
        node = self.negation()
        while self.keyword("AND"):
            self.operator()
            node = Logic("AND", node, self.negation())
        return node

    def negation(self) -> Any:
        if self.keyword("NOT"):
            self.enter()
            node = Logic("NOT", self.negation())
            self.leave()
            return node
        return self.predicate()


Tokenizer = Callable[[str, str], list[Token]]  # tokenize, or a memo of it (the tokens are only read)


class Parser(Conditions):
    def __init__(self, text: str, kind: str, attrs: Attributes, tokenized: Tokenizer = tokenize) -> None:
        self.kind = kind
        self.text = text
        self.attrs = attrs
        if not text.strip():
            raise expression_error(kind, "The expression can not be empty;")
        if len(text.encode()) > limits.EXPRESSION_BYTES:
            raise expression_error(
                kind, f"Expression size has exceeded the maximum allowed size; expression size: {len(text.encode())}"
            )
        self.tokens = tokenized(text, kind)
        self.i = 0
        self.depth = 0
        self.operators = 0

    # tokens
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    def error(self, tok: Token | None = None) -> ServiceError:
        tok = tok or self.peek()
        index = self.tokens.index(tok)
        start = self.tokens[index - 1].start if index else tok.start
        return expression_error(self.kind, f'Syntax error; token: "{tok.text}", near: "{self.text[start : tok.end]}"')

    def expect(self, kind: str) -> Token:
        if self.peek().kind != kind:
            raise self.error()
        return self.take()

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok.kind == "name" and tok.text.upper() == word:
            self.take()
            return True
        return False

    def end(self) -> None:
        if self.peek().kind != "EOF":
            raise self.error()

    def operator(self) -> None:
        """Count one operator or function: a long AND chain nests as deep as it is long when evaluated."""
        self.operators += 1
        if self.operators > limits.EXPRESSION_OPERATORS:
            raise expression_error(
                self.kind, f"The expression contains too many operators; operator count: {self.operators}"
            )

    def enter(self) -> None:
        self.depth += 1
        if self.depth > limits.EXPRESSION_DEPTH:
            raise expression_error(
                self.kind, f"The expression has too many nested levels; maximum: {limits.EXPRESSION_DEPTH}"
            )

    def leave(self) -> None:
        self.depth -= 1

    # paths and values
    def path(self) -> Path:
        tok = self.take()
        elements: list[PathElement] = [self.name(tok)]
        while True:
            nxt = self.peek()
            if nxt.kind == ".":
                self.take()
                elements.append(self.name(self.take()))
            elif nxt.kind == "[":
                self.take()
                index = self.take()
                if index.kind != "number":
                    raise self.error(index)
                self.expect("]")
                elements.append(int(index.text))
            else:
                break
            if len(elements) > limits.MAX_DEPTH:
                raise expression_error(
                    self.kind, f"The document path has too many nesting levels; nesting levels: {len(elements)}"
                )
        return tuple(elements)

    def name(self, tok: Token) -> str:
        if tok.kind == "#name":
            if tok.text not in self.attrs.names:
                raise expression_error(
                    self.kind,
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {tok.text}",
                )
            self.attrs.used_names.add(tok.text)
            return self.attrs.names[tok.text]
        if tok.kind != "name" or tok.text.upper() in KEYWORDS:
            raise self.error(tok)
        if tok.text.upper() in limits.RESERVED_WORDS:
            raise expression_error(self.kind, f"Attribute name is a reserved keyword; reserved keyword: {tok.text}")
        return tok.text

    def value(self, tok: Token) -> Lit:
        if tok.text not in self.attrs.values:
            raise expression_error(
                self.kind,
                f"An expression attribute value used in expression is not defined; attribute value: {tok.text}",
            )
        self.attrs.used_values.add(tok.text)
        return Lit(self.attrs.values[tok.text], tok.text)

    # conditions
    def predicate(self) -> Any:
        self.operator()
        tok = self.peek()
        if tok.kind == "(":
            self.take()
            node = self.condition()
            self.expect(")")
            return node
        if tok.kind == "name" and self.peek(1).kind == "(" and tok.text in CONDITION_FUNCTIONS:
            return self.function(CONDITION_FUNCTIONS)
        left = self.operand()
        nxt = self.peek()
        if nxt.kind in COMPARATORS:
            self.take()
            return Compare(nxt.kind, left, self.operand())
        if self.keyword("BETWEEN"):
            low = self.operand()
            if not self.keyword("AND"):
                raise self.error()
            return Between(left, low, self.operand())
        if self.keyword("IN"):
            self.expect("(")
            choices = [self.operand()]
            while self.peek().kind == ",":
                self.take()
                choices.append(self.operand())
            self.expect(")")
            if len(choices) > 100:
                raise expression_error(
                    self.kind,
                    f"The IN operator is provided with too many operands; number of operands: {len(choices)}",
                )
            return In(left, tuple(choices))
        raise self.error()

    def operand(self) -> Any:
        tok = self.peek()
        if tok.kind == ":value":
            return self.value(self.take())
        if tok.kind == "name" and self.peek(1).kind == "(":
            if tok.text == "size":
                return self.function({"size": 1})
            if tok.text in CONDITION_FUNCTIONS or tok.text in UPDATE_FUNCTIONS:
                raise expression_error(
                    self.kind, f"The function is not allowed to be used this way in an expression; function: {tok.text}"
                )
            raise expression_error(self.kind, f"Invalid function name; function: {tok.text}")
        if tok.kind in ("name", "#name"):
            return Ref(self.path())
        raise self.error()

    def function(self, known: dict[str, int]) -> Call:
        name_tok = self.take()
        if name_tok.text not in known:
            raise expression_error(self.kind, f"Invalid function name; function: {name_tok.text}")
        self.enter()
        self.expect("(")
        args = [self.function_arg()]
        while self.peek().kind == ",":
            self.take()
            args.append(self.function_arg())
        self.expect(")")
        self.depth -= 1
        name = name_tok.text
        if len(args) != known[name]:
            raise expression_error(
                self.kind,
                f"Incorrect number of operands for operator or function; operator or function: {name}, "
                f"number of operands: {len(args)}",
            )
        self.check_function(name, args)
        return Call(name, tuple(args))

    def function_arg(self) -> Any:
        return self.operand()

    def check_function(self, name: str, args: list[Any]) -> None:
        """AWS's static checks of a function's operands."""
        if name in ("attribute_exists", "attribute_not_exists", "size") and not isinstance(args[0], Ref):
            raise expression_error(
                self.kind,
                f"Operator or function requires a document path; operator or function: {name}",
            )
        if name in ("begins_with", "contains", "attribute_type") and not isinstance(args[0], Ref):
            if name != "contains" or not isinstance(args[0], Lit):
                raise expression_error(
                    self.kind, f"Operator or function requires a document path; operator or function: {name}"
                )
        if name == "begins_with":
            for arg in args:
                if isinstance(arg, Lit) and values.kind_of(arg.value) not in ("S", "B"):
                    raise expression_error(
                        self.kind,
                        "Incorrect operand type for operator or function; operator or function: begins_with, "
                        f"operand type: {values.kind_of(arg.value)}",
                    )
        if name == "attribute_type":
            arg = args[1]
            if not isinstance(arg, Lit) or values.kind_of(arg.value) != "S":
                kind = values.kind_of(arg.value) if isinstance(arg, Lit) else "PATH"
                raise expression_error(
                    self.kind,
                    f"Incorrect operand type for operator or function; operator or function: attribute_type, "
                    f"operand type: {kind}",
                )
            if arg.value["S"] not in ATTRIBUTE_TYPES:
                raise expression_error(
                    self.kind,
                    f"Invalid attribute type name found; type: {arg.value['S']}, "
                    "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                )

    # updates
    def update(self) -> Update:
        out = Update()
        seen: set[str] = set()
        while self.peek().kind != "EOF":
            tok = self.take()
            clause = tok.text.upper() if tok.kind == "name" else ""
            if clause not in CLAUSES:
                raise self.error(tok)
            if clause in seen:
                raise expression_error(
                    self.kind, f'The "{clause}" section can only be used once in an update expression;'
                )
            seen.add(clause)
            while True:
                if clause == "SET":
                    path = self.path()
                    self.expect("=")
                    out.sets.append((path, self.set_value()))
                elif clause == "REMOVE":
                    out.removes.append(self.path())
                else:
                    path = self.path()
                    tok = self.peek()
                    if tok.kind != ":value":
                        raise self.error()
                    lit = self.value(self.take())
                    (out.adds if clause == "ADD" else out.deletes).append((path, lit))
                if self.peek().kind != ",":
                    break
                self.take()
        if not seen:
            raise self.error()
        return out

    def set_value(self) -> Any:
        self.operator()
        left = self.set_operand()
        tok = self.peek()
        if tok.kind in ("+", "-"):
            self.take()
            return Arith(tok.kind, left, self.set_operand())
        return left

    def set_operand(self) -> Any:
        tok = self.peek()
        if tok.kind == "name" and self.peek(1).kind == "(":
            if tok.text not in UPDATE_FUNCTIONS:
                if tok.text in CONDITION_FUNCTIONS or tok.text == "size":
                    raise expression_error(
                        self.kind,
                        f"The function is not allowed to be used this way in an expression; function: {tok.text}",
                    )
                raise expression_error(self.kind, f"Invalid function name; function: {tok.text}")
            self.take()
            self.enter()
            self.expect("(")
            first = self.set_operand()
            self.expect(",")
            second = self.set_value() if tok.text == "list_append" else self.set_operand()
            self.expect(")")
            self.depth -= 1
            if tok.text == "if_not_exists" and not isinstance(first, Ref):
                raise expression_error(
                    self.kind, "Operator or function requires a document path; operator or function: if_not_exists"
                )
            return Call(tok.text, (first, second))
        if tok.kind == ":value":
            return self.value(self.take())
        if tok.kind in ("name", "#name"):
            return Ref(self.path())
        raise self.error()

    # projections
    def projection(self) -> list[Path]:
        paths = [self.path()]
        while self.peek().kind == ",":
            self.take()
            paths.append(self.path())
        self.end()
        return paths


def parse_condition(text: str, kind: str, attrs: Attributes, tokenized: Tokenizer = tokenize) -> Any:
    parser = Parser(text, kind, attrs, tokenized)
    node = parser.condition()
    parser.end()
    return node


def parse_update(text: str, attrs: Attributes, tokenized: Tokenizer = tokenize) -> Update:
    parser = Parser(text, "UpdateExpression", attrs, tokenized)
    update = parser.update()
    check_overlaps(update.paths(), "UpdateExpression")
    return update


def parse_projection(text: str, attrs: Attributes, tokenized: Tokenizer = tokenize) -> list[Path]:
    paths = Parser(text, "ProjectionExpression", attrs, tokenized).projection()
    check_overlaps(paths, "ProjectionExpression")
    return paths


def show(path: Path) -> str:
    return ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path)


def check_overlaps(paths: list[Path], kind: str) -> None:
    """Two paths where one is the other or lies under it (AWS refuses both in one expression)."""
    ordered = sorted(paths, key=lambda p: tuple((isinstance(e, int), str(e)) for e in p))
    by_prefix = set()
    for path in ordered:
        for n in range(1, len(path) + 1):
            if path[:n] in by_prefix:
                other = path[:n]
                raise expression_error(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                    f"path one: [{show(other)}], path two: [{show(path)}]",
                )
        by_prefix.add(path)
