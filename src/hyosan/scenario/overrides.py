"""`--set NAME=VALUE` on a scenario: dotted names into its TOML tables, checked by the same schema.

`virus.turn_median_seconds=60` sets a field of a table, `days=2` a top-level field and
`population.0.count=30` a field of the first `[[population]]` entry. The values go into the
file's data before validation, so a wrong name or value gets the schema's own message, naming
the `--set` it came from.
"""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import HyosanError
from .schema import error_text


def parse_sets(items: list[str] | tuple[str, ...]) -> dict[str, float]:
    """Turn ['beta=0.01', 'S=999'] into {'beta': 0.01, 'S': 999.0}, refusing malformed items."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise HyosanError(f"malformed --set {item!r}: expected NAME=VALUE, e.g. --set beta=0.01")
        try:
            values[name] = float(text)
        except ValueError:
            raise HyosanError(f"malformed --set {item!r}: {text!r} is not a number") from None
    return values


def _number(value: float) -> int | float:
    # a whole number goes in as an int, so integer fields (counts, seeds) take it as written
    return int(value) if float(value).is_integer() else float(value)


def apply_sets(data: dict, sets: dict[str, float]) -> dict:
    """Write each dotted NAME's value into the scenario's TOML data (in place; returned)."""
    for name, value in sets.items():
        parts = name.split(".")
        node = data
        for i, part in enumerate(parts[:-1]):
            where = ".".join(parts[: i + 1])
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise HyosanError(
                        f"--set {name}: {where!r} is a list of {len(node)} entries; "
                        f"expected an index 0-{len(node) - 1}"
                    )
                node = node[int(part)]
            else:
                node = node.setdefault(part, {})
            if not isinstance(node, (dict, list)):
                raise HyosanError(f"--set {name}: {where!r} is a value, not a table")
        if isinstance(node, list):
            raise HyosanError(f"--set {name}: {'.'.join(parts[:-1])!r} is a list; name an entry's field")
        node[parts[-1]] = _number(value)
    return data


def set_error(exc: ValidationError, sets: dict[str, float]) -> HyosanError | None:
    """The schema's first complaint as one line about the `--set` that caused it, if one did."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    for name, value in sets.items():
        if field == name or field.startswith(name + "."):
            msg = "no such field" if err["type"] == "extra_forbidden" else error_text(err)
            return HyosanError(f"--set {name}={value:g}: {msg}")
    return None
