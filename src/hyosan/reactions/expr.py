"""Rate expressions: small arithmetic over parameter names, checked before use."""

from __future__ import annotations

import ast
import math
from functools import lru_cache

from ..errors import HyosanError

_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
)


@lru_cache(maxsize=None)
def _parse(text: str) -> tuple[ast.Expression, frozenset[str]]:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise HyosanError(f"rate expression {text!r} is not valid arithmetic ({exc.msg})") from None
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise HyosanError(
                f"rate expression {text!r} may only use numbers, parameter names and + - * / **"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise HyosanError(f"rate expression {text!r} has a non-numeric constant {node.value!r}")
        if isinstance(node, ast.Name):
            names.add(node.id)
    return tree, frozenset(names)


def names_in(text: str) -> frozenset[str]:
    """Return the parameter names an expression refers to."""
    return _parse(text)[1]


def evaluate(text: str, values: dict[str, float]) -> float:
    """Evaluate a rate expression with the given parameter values."""
    tree, names = _parse(text)
    missing = names - values.keys()
    if missing:
        raise HyosanError(f"rate expression {text!r} uses unknown parameter(s) {', '.join(sorted(missing))}")
    result = eval(compile(tree, "<rate>", "eval"), {"__builtins__": {}}, dict(values))  # noqa: S307 - checked AST
    result = float(result)
    if not math.isfinite(result):
        raise HyosanError(f"rate expression {text!r} is not finite ({result}) with these parameters")
    return result


def pretty(text: str) -> str:
    """Show an expression compactly, as it is written in equations (a*b, not a * b)."""
    return text.replace(" ", "")
