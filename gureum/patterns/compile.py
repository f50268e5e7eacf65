"""Compiles pattern JSON into branches of per-field terms, checking it the way event-ruler does.

The compiler reads tokens in the same order as event-ruler's JsonRuleCompiler, so each error carries the
reason and Jackson location AWS reports. ``$or`` forks the branch list (fields are ANDed, branches ORed).
Like event-ruler's ``addRule``, a pattern the ``$or``-aware compiler rejects is retried with ``$or`` read as
an ordinary field name (the documented backward-compatible reading); if that fails too, the first error is
reported. Errors outside the JSON parser (bad CIDR, an out-of-range single anything-but number) are not
retried and carry no location.
A ``Dialect`` holds what differs between EventBridge and SNS. Imports nothing from gureum.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import operators as ops
from . import wildcard
from ._json import NUMBER_TOKENS, TOO_DEEP, JsonReader, JsonSyntaxError, Tok
from .errors import PatternError, TooManyBranches
from .operators import Term

OR = "$or"
# event-ruler Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
        "html", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
        "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    }
)  # fmt: skip
TOO_MANY = "Too many elements in numeric expression"  # event-ruler reuses this text for anything-but too
ONE_KEY = "Only one key allowed in match expression"
MAX_BRANCHES = 1024  # $or combinations one pattern may expand to (see errors.TooManyBranches)
TOO_MANY_BRANCHES = f"Pattern is too complex: its $or combinations exceed {MAX_BRANCHES}"

Branch = dict[str, tuple[Term, ...]]


@dataclass(frozen=True, slots=True)
class Dialect:
    """What a service's event-ruler build accepts."""

    operators: frozenset[str]
    anything_but_operators: frozenset[str]
    anything_but_sets: bool  # anything-but {"prefix": [...]} lists, and the newer messages that come with them
    ignore_case_objects: bool  # {"prefix": {"equals-ignore-case": ...}} and the suffix form
    numeric_limit: float


EVENTBRIDGE = Dialect(
    operators=frozenset(
        {"prefix", "suffix", "equals-ignore-case", "wildcard", "numeric", "anything-but", "exists", "cidr"}
    ),
    anything_but_operators=frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"}),
    anything_but_sets=True,
    ignore_case_objects=True,
    numeric_limit=5e9,
)
SNS = Dialect(
    operators=frozenset({"prefix", "suffix", "equals-ignore-case", "numeric", "anything-but", "exists", "cidr"}),
    anything_but_operators=frozenset({"prefix"}),
    anything_but_sets=False,
    ignore_case_objects=False,
    numeric_limit=1e9,
)


class _Located(Exception):
    """A JsonParseException in event-ruler: the reason plus Jackson's location."""

    def __init__(self, reason: str, location: str) -> None:
        super().__init__(reason)
        self.reason, self.location = reason, location


def compile_branches(source: str, dialect: Dialect) -> list[Branch]:
    """Branches of a pattern; raises PatternError (subclass chosen by the caller's except clause)."""
    first = _Compiler(source, dialect, or_enabled=True)
    try:
        return first.run()
    except RecursionError:  # Python's stack ends before Jackson's nesting limit does
        raise PatternError(TOO_DEEP) from None
    except _Located as error:
        if not first.saw_or:
            raise PatternError(error.reason, error.location) from None
        failure = error
    try:
        return _Compiler(source, dialect, or_enabled=False).run()
    except (_Located, PatternError):
        # Both readings fail. event-ruler's addRule would surface the second error; we report the
        # "$or" reading's, which names the problem the author made (AWS's choice here is not documented).
        raise PatternError(failure.reason, failure.location) from None


class _Compiler:
    def __init__(self, source: str, dialect: Dialect, *, or_enabled: bool) -> None:
        self.r = JsonReader(source)
        self.d = dialect
        self.or_enabled = or_enabled
        self.saw_or = False

    # -- structure ---------------------------------------------------------------------------------
    def run(self) -> list[Branch]:
        branches: list[dict[str, tuple[Term, ...]]] = []
        try:
            if self.next() is not Tok.START_OBJECT:
                raise self.fail("Filter is not an object")
            self.object(branches, "", inside_or=False)
        except JsonSyntaxError as error:
            raise _Located(error.reason, error.location) from None
        return branches

    def next(self) -> Tok | None:
        return self.r.next_token()

    def fail(self, reason: str, *, doubled: bool = False) -> _Located:
        location = self.r.location()
        # event-ruler re-wraps some errors with getMessage(), which already ends in the location.
        return _Located(reason + location if doubled else reason, location)

    def object(self, branches: list[Branch], path: str, *, inside_or: bool) -> None:
        present = False
        while self.next() is not Tok.END_OBJECT:
            present = True
            name = self.r.name
            if name == OR and self.or_enabled:
                self.or_relationship(branches, path)
                continue
            if inside_or and name in RESERVED_IN_OR:
                raise self.fail(f"{name} is Ruler reserved fieldName which cannot be used inside {OR}.")
            field = f"{path}.{name}" if path else name
            token = self.next()
            if token is Tok.START_OBJECT:
                self.object(branches, field, inside_or=inside_or)
            elif token is Tok.START_ARRAY:
                self.write(branches, field)
            else:
                raise self.fail(f'"{name}" must be an object or an array')
        if not present:
            raise self.fail("Empty objects are not allowed")

    def or_relationship(self, branches: list[Branch], path: str) -> None:
        self.saw_or = True
        current = [dict(b) for b in branches]
        branches.clear()
        if self.next() is not Tok.START_ARRAY:
            raise self.fail(f"It must be an Array followed with {OR}.")
        count = 0
        while (token := self.next()) is not Tok.END_ARRAY:
            count += 1
            if token is not Tok.START_OBJECT:
                raise self.fail(f"Only JSON object is allowed in array of {OR} relationship.")
            forked = [dict(b) for b in current] or [{}]
            self.object(forked, path, inside_or=True)
            branches.extend(forked)
            if len(branches) > MAX_BRANCHES:
                raise TooManyBranches(TOO_MANY_BRANCHES)
        if count < 2:
            raise self.fail(f"There must have at least 2 Objects in {OR} relationship.")

    def write(self, branches: list[Branch], field: str) -> None:
        terms: list[Term] = []
        while (token := self.next()) is not Tok.END_ARRAY:
            if token is Tok.START_OBJECT:
                terms.append(self.match_expression())
            elif token is Tok.STRING:
                text = self.r.text()
                terms.append(ops.ExactString(text, ops.parse_ip(text)))
            elif token in NUMBER_TOKENS:
                terms.append(ops.ExactNumber(self.number()))
            elif token in (Tok.TRUE, Tok.FALSE, Tok.NULL):
                terms.append(ops.ExactLiteral({Tok.TRUE: True, Tok.FALSE: False}.get(token)))
            else:
                raise self.fail("Match value must be String, number, true, false, or null")
        if not terms:
            raise self.fail("Empty arrays are not allowed")
        if not branches:
            branches.append({})
        for branch in branches:  # a repeated key: the last one wins, as AWS documents
            branch.pop(field, None)
            branch[field] = tuple(terms)

    def number(self) -> ops.Number:
        raw = self.r.text()
        return float(raw) if self.r.token is Tok.FLOAT else int(raw)

    # -- match expressions -------------------------------------------------------------------------
    def match_expression(self) -> Term:
        if self.next() is not Tok.FIELD_NAME:
            raise self.fail("Match expression name not found")
        op = self.r.name
        if op not in self.d.operators:
            raise self.fail(f"Unrecognized match type {op}")
        if op in ("prefix", "suffix"):
            return self.affix(op)
        if op == "numeric":
            if self.next() is not Tok.START_ARRAY:
                raise self.fail("Value of numeric must be an array.")
            term: Term = self.numeric()
            if self.next() is not Tok.END_OBJECT:
                raise self.fail(TOO_MANY)
            return term
        if op == "anything-but":
            return self.anything_but()
        if op == "exists":
            token = self.next()
            if token not in (Tok.TRUE, Tok.FALSE):
                raise self.fail("exists match pattern must be either true or false.")
            term = ops.Exists(token is Tok.TRUE)
        elif op == "cidr":
            if self.next() is not Tok.STRING:
                raise self.fail("prefix match pattern must be a string")  # sic: event-ruler's text for cidr
            try:
                term = ops.Cidr(*ops.cidr_bounds(self.r.text()))
            except ValueError as error:  # IllegalArgumentException: escapes the JSON compiler, no location
                raise PatternError(str(error)) from None
        elif op == "equals-ignore-case":
            if self.next() is not Tok.STRING:
                raise self.fail("equals-ignore-case match pattern must be a string")
            term = ops.EqualsIgnoreCase(self.r.text())
        else:  # wildcard
            if self.next() is not Tok.STRING:
                raise self.fail("wildcard match pattern must be a string")
            term = self.wildcard(self.r.text())
        if self.next() is not Tok.END_OBJECT:
            raise self.fail(ONE_KEY)
        return term

    def wildcard(self, text: str) -> ops.Wildcard:
        try:
            return ops.Wildcard(text, wildcard.compile_wildcard(text))
        except ValueError as error:
            raise self.fail(str(error)) from None

    def affix(self, op: str) -> Term:
        token = self.next()
        if token is Tok.START_OBJECT and self.d.ignore_case_objects:
            kind = op.capitalize()
            if self.next() is not Tok.FIELD_NAME:
                raise self.fail(f"{kind} expression name not found")
            if self.r.name != "equals-ignore-case":
                raise self.fail(f"Unsupported {op} pattern: {self.r.name}")
            if self.next() is not Tok.STRING:
                raise self.fail("equals-ignore-case match pattern must be a string")
            text = self.r.text()
            for _ in range(2):
                if self.next() is not Tok.END_OBJECT:
                    raise self.fail(ONE_KEY)
            return ops.Prefix(text, ignore_case=True) if op == "prefix" else ops.Suffix(text, ignore_case=True)
        if token is not Tok.STRING:
            raise self.fail(f"{op} match pattern must be a string")
        text = self.r.text()
        if self.next() is not Tok.END_OBJECT:
            raise self.fail(ONE_KEY)
        return ops.Prefix(text) if op == "prefix" else ops.Suffix(text)

    def numeric(self) -> ops.NumericRange | ops.ExactNumber:
        limit = self.d.numeric_limit
        if self.next() is not Tok.STRING:
            raise self.fail(f"Invalid member in numeric match: {self.r.text()}")
        op = self.r.text()
        token = self.next()
        if op not in ("=", "<", "<=", ">", ">="):
            raise self.fail(f"Unrecognized numeric range operator: {op}")
        if token not in NUMBER_TOKENS:
            raise self.fail(f"Value of {'equals' if op == '=' else op} must be numeric")
        value = self.number()
        try:
            if op == "=":
                if self.next() is not Tok.END_ARRAY:
                    raise self.fail(TOO_MANY)
                ops.check_comparable(value, limit)
                return ops.NumericRange(value, False, value, False, limit)
            if op in ("<", "<="):
                if self.next() is not Tok.END_ARRAY:
                    raise self.fail(TOO_MANY)
                return ops.numeric_range(-limit, False, value, op == "<", limit)
            token = self.next()
            if token is Tok.END_ARRAY:
                return ops.numeric_range(value, op == ">", limit, False, limit)
            if token is not Tok.STRING:
                raise self.fail(f"Bad value in numeric range: {self.r.text()}")
            upper = self.r.text()
            if upper not in ("<", "<="):
                raise self.fail(f"Bad numeric range operator: {upper}")
            if self.next() not in NUMBER_TOKENS:
                raise self.fail(f"Value of {upper} must be numeric")
            top = self.number()
            if self.next() is not Tok.END_ARRAY:
                raise self.fail("Too many terms in numeric range expression")
            return ops.numeric_range(value, op == ">", top, upper == "<", limit)
        except ValueError as error:  # event-ruler catches the Range's IllegalArgumentException and barfs
            raise self.fail(str(error)) from None

    def anything_but(self) -> Term:
        kind = ""
        token = self.next()
        if token is Tok.START_OBJECT:
            if self.next() is not Tok.FIELD_NAME:
                raise self.fail("Anything-But expression name not found")
            kind = self.r.name
            if kind not in self.d.anything_but_operators:
                raise self.fail(f"Unsupported anything-but pattern: {kind}")
            if not self.d.anything_but_sets:
                return self.anything_but_legacy_affix(kind)
            token = self.next()
        if token not in (Tok.START_ARRAY, Tok.STRING, *NUMBER_TOKENS):
            raise self.fail("Value of anything-but must be an array or single string/number value.")
        if kind:
            term = self.anything_but_set(kind, single=token is not Tok.START_ARRAY)
        elif token is Tok.START_ARRAY:
            term = self.anything_but_list()
        elif token is Tok.STRING:
            term = ops.AnythingBut(frozenset([self.r.text()]), frozenset())
        else:
            value = self.number()
            try:
                ops.check_comparable(value, self.d.numeric_limit)
            except ValueError as error:  # uncaught IllegalArgumentException in event-ruler: no location
                raise PatternError(str(error)) from None
            term = ops.AnythingBut(frozenset(), frozenset([value]))
        for _ in range(2 if kind else 1):
            if self.next() is not Tok.END_OBJECT:
                raise self.fail(TOO_MANY)
        return term

    def anything_but_legacy_affix(self, kind: str) -> Term:
        """Older event-ruler (SNS): one non-empty prefix string, closed with "Only one key" checks."""
        if self.next() is not Tok.STRING:
            raise self.fail("prefix/suffix match pattern must be a string")
        text = self.r.text()
        if not text:
            raise self.fail("Null prefix/suffix not allowed")
        for _ in range(2):
            if self.next() is not Tok.END_OBJECT:
                raise self.fail(ONE_KEY)
        return ops.AnythingButPrefix((text,)) if kind == "prefix" else ops.AnythingButSuffix((text,))

    def anything_but_list(self) -> Term:
        strings: set[str] = set()
        numbers: set[ops.Number] = set()
        while (token := self.next()) is not Tok.END_ARRAY:
            if token is Tok.STRING:
                strings.add(self.r.text())
            elif token in NUMBER_TOKENS:
                value = self.number()
                try:
                    ops.check_comparable(value, self.d.numeric_limit)
                except ValueError as error:
                    raise self.fail(str(error)) from None
                numbers.add(value)
            else:
                raise self.fail("Inside anything but list, start|null|boolean is not supported.", doubled=True)
        if bool(strings) == bool(numbers):
            raise self.fail(
                "Inside anything but list, either all values are number or string, mixed type is not supported"
            )
        return ops.AnythingBut(frozenset(strings), frozenset(numbers))

    def anything_but_set(self, kind: str, *, single: bool) -> Term:
        values: list[str] = []
        token = self.r.token
        while True:
            if not single:
                token = self.next()
                if token is Tok.END_ARRAY:
                    break
            if token is not Tok.STRING:
                if kind == "equals-ignore-case":
                    reason = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                elif kind == "wildcard":
                    reason = "wildcard match pattern must be a string"
                else:
                    reason = "prefix/suffix match pattern must be a string"
                raise self.fail(reason, doubled=not single)
            text = self.r.text()
            if kind in ("prefix", "suffix") and not text:
                raise self.fail("Null prefix/suffix not allowed", doubled=not single)
            values.append(text)
            if single:
                break
        if kind == "prefix":
            return ops.AnythingButPrefix(tuple(values))
        if kind == "suffix":
            return ops.AnythingButSuffix(tuple(values))
        if kind == "equals-ignore-case":
            return ops.AnythingButIgnoreCase(frozenset(ops.fold(v) for v in values))
        return ops.AnythingButWildcard(tuple(self.wildcard(v) for v in values))
