"""Every deliberate difference between our engine and hopeit.engine 0.24.0 that the suite observes.

Each is named, says why, and states what ours gives instead. A difference listed here is checked
both ways: ours must give the stated value, and 0.24 must still differ (a stale entry fails), so
this file stays the exact list of what users switching engines will see change. The engine
CHANGELOG's "Compatibility with 0.24" section lists the same differences for people.
"""

from dataclasses import dataclass
from typing import Any, Dict, Mapping

__all__ = ["Difference", "compare"]


@dataclass(frozen=True)
class Difference:
    """Ours gives ``ours`` where 0.24 gives something else, for ``reason``."""

    reason: str
    ours: Any


#: driver dataobjects_json: case -> difference
DATAOBJECTS: Dict[str, Difference] = {
    "to_json.list_with_none": Difference(
        "0.24 fails with AttributeError on a None inside a list; ours writes JSON null", "[1, null]"),
}

#: test_http without --api-auto: request case -> difference
HTTP: Dict[str, Difference] = {}

#: test_http with --api-auto (validation on): request case -> difference
HTTP_API_AUTO: Dict[str, Difference] = {}


def compare(oracle: Mapping[str, Any], ours: Mapping[str, Any], differences: Mapping[str, Difference]) -> None:
    """Assert ``ours`` equals ``oracle`` case by case, except the named ``differences``.

    Reports every mismatch at once, each with both values.
    """
    problems = []
    for case in sorted(set(oracle) | set(ours)):
        expected, got = oracle.get(case, "<missing>"), ours.get(case, "<missing>")
        difference = differences.get(case)
        if difference is None:
            if got != expected:
                problems.append(f"{case}:\n    0.24: {expected!r}\n    ours: {got!r}")
        elif got != difference.ours:
            problems.append(f"{case} (known difference: {difference.reason}):\n    expected ours: "
                            f"{difference.ours!r}\n    ours: {got!r}")
        elif expected == got:
            problems.append(f"{case}: listed as a difference ({difference.reason}) but 0.24 now gives the same")
    assert not problems, "ours differs from hopeit.engine 0.24.0:\n" + "\n".join(problems)
