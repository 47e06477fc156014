"""Formulas in spreadsheet forms (XLSForm `relevant`, `constraint`, ...): is one written correctly?

pyxform copies a formula into the form as it is, and only the phone that runs the form finds a
broken one, so an import would keep a rule that can never work. `expression_mistake` reads a
formula with the grammar of XPath 1.0 (the formula language of these forms) plus `${name}`
references, and says where it goes wrong in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<ref>\$\{[^}]*\})
    | (?P<string>"[^"]*"|'[^']*')
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<op>!=|<=|>=|//|::|\.\.|[=<>+\-*|()\[\],/.@])
    | (?P<name>[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*(?::[A-Za-z_\u00c0-\uffff][\w.\-\u00c0-\uffff]*)?(?::\*)?)
    | (?P<bad>.)
    """,
    re.VERBOSE,
)
_OPERATOR_NAMES = {"and", "or", "div", "mod"}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
# After these a `*` or a name such as `and` starts an operand, not an operator (XPath 1.0, 3.7).
_OPERAND_BEFORE = {"@", "::", "(", "[", ",", "and", "or", "div", "mod", "/", "//", "|", "+", "-", "=", "!=",
                   "<", "<=", ">", ">=", "*op"}


@dataclass
class _Token:
    kind: str
    text: str
    at: int


class ExpressionMistake(ValueError):
    """A formula that is not written correctly, with where it goes wrong."""


def _tokens(expr: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(expr):
        kind = match.lastgroup or "bad"
        text = match.group()
        if kind == "space":
            continue
        if kind == "bad":
            if text in "'\"":
                raise ExpressionMistake(f"a quote mark ({text}) is never closed")
            if expr[match.start():match.start() + 2] == "${":
                raise ExpressionMistake("a ${ is never closed with }")
            raise ExpressionMistake(f"it has a sign this kind of rule cannot use: {text!r}")
        if kind == "ref" and not re.fullmatch(r"\$\{\s*[A-Za-z_][\w.\-]*\s*\}", text):
            raise ExpressionMistake(f"{text!r} is not a question name in ${{...}}")
        previous = out[-1] if out else None
        operand_next = previous is None or previous.text in _OPERAND_BEFORE or previous.kind == "opname"
        if kind == "op" and text == "*" and not operand_next:
            kind, text = "op", "*op"
        elif kind == "name" and text in _OPERATOR_NAMES and not operand_next:
            kind = "opname"
        out.append(_Token(kind, text, match.start()))
    return out


class _Parser:
    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.tokens = _tokens(expr)
        self.i = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.i + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, *texts: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.text in texts and token.kind in ("op", "opname"):
            self.i += 1
            return token
        return None

    def fail(self, what: str) -> ExpressionMistake:
        token = self.peek()
        where = f"near {self.expr[token.at:token.at + 15].strip()!r}" if token else "at the end"
        return ExpressionMistake(f"{what} {where}")

    def expect(self, text: str, what: str) -> None:
        if not self.take(text):
            raise self.fail(what)

    def parse(self) -> None:
        if not self.tokens:
            raise ExpressionMistake("it is empty")
        self.binary(0)
        if self.peek() is not None:
            raise self.fail("something is missing between two parts, or there is a part too many,")

    LEVELS = (("or",), ("and",), ("=", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*op", "div", "mod"))

    def binary(self, level: int) -> None:
        if level == len(self.LEVELS):
            self.unary()
            return
        self.binary(level + 1)
        while self.take(*self.LEVELS[level]):
            self.binary(level + 1)

    def unary(self) -> None:
        while self.take("-"):
            pass
        self.path()
        while self.take("|"):
            self.path()

    def path(self) -> None:
        token = self.peek()
        if token is None:
            raise self.fail("a value is missing")
        if token.kind in ("ref", "string", "number"):
            self.i += 1
            self.predicates()
        elif token.text == "(":
            self.i += 1
            self.binary(0)
            self.expect(")", "a bracket is not closed")
            self.predicates()
        elif token.kind == "name" and self.peek(1) is not None and self.peek(1).text == "(" \
                and token.text not in _NODE_TYPES:
            self.function()
            self.predicates()
        elif token.text in ("/", "//"):
            self.i += 1
            nxt = self.peek()
            if nxt is not None and (nxt.kind == "name" or nxt.text in (".", "..", "@", "*")):
                self.relative()
            return
        elif token.kind == "name" or token.text in (".", "..", "@", "*"):
            self.relative()
            return
        else:
            raise self.fail("a value is missing")
        if self.peek() is not None and self.peek().text in ("/", "//"):
            self.i += 1
            self.relative()

    def function(self) -> None:
        self.i += 2  # the name and "("
        if self.take(")"):
            return
        self.binary(0)
        while self.take(","):
            self.binary(0)
        self.expect(")", "a bracket is not closed")

    def relative(self) -> None:
        self.step()
        while self.take("/", "//"):
            self.step()

    def step(self) -> None:
        token = self.peek()
        if token is None:
            raise self.fail("a name is missing")
        if token.text in (".", ".."):
            self.i += 1
            return
        self.take("@")
        token = self.peek()
        if token is not None and token.kind == "name" and self.peek(1) is not None and self.peek(1).text == "::":
            self.i += 2
            token = self.peek()
        if token is None or not (token.kind == "name" or token.text in ("*", "*op")):
            raise self.fail("a name is missing")
        self.i += 1
        if token.text in _NODE_TYPES and self.take("("):
            self.expect(")", "a bracket is not closed")
        self.predicates()

    def predicates(self) -> None:
        while self.take("["):
            self.binary(0)
            self.expect("]", "a square bracket is not closed")


def expression_mistake(expr: str) -> str:
    """Return what is wrong with the formula EXPR in plain words, or '' when it is written correctly."""
    try:
        _Parser(str(expr)).parse()
    except ExpressionMistake as exc:
        return str(exc)
    except RecursionError:
        return "it has too many brackets inside brackets"
    return ""


__all__ = ["ExpressionMistake", "expression_mistake"]
