"""Figures a test measured (counts, memory growth), printed as they are and again in the summary.

A fault test that passes says more with its numbers: ``sent=600 consumed=600 lost=0
duplicated=3`` is evidence, "passed" alone is not. ``Figures.report`` prints one line (seen with
``-s``), keeps the values in the test's ``user_properties``, and the suite's ``conftest.py`` lists
every line again in the terminal summary, so they are in the tox log whether the test passed or not.
(Not ``record_property``: the tox envs write junit ``xunit2``, which has no test case properties.)
"""

from __future__ import annotations

from typing import Any, List, Tuple

__all__ = ["REPORTED", "Figures"]

#: (test id, line) of every report of the session, for the terminal summary.
REPORTED: List[Tuple[str, str]] = []


class Figures:
    """The figures of one test."""

    def __init__(self, test_id: str, user_properties: List[Tuple[str, object]]) -> None:
        self.test_id = test_id
        self._properties = user_properties

    def report(self, title: str, **values: Any) -> str:
        """Print ``title: k=v ...`` now and keep it for the summary; returns the line."""
        line = f"{title}: " + " ".join(f"{key}={value}" for key, value in values.items())
        print(f"\nFIGURES {self.test_id} {line}", flush=True)
        REPORTED.append((self.test_id, line))
        self._properties.extend((f"{title}.{key}", value) for key, value in values.items())
        return line
