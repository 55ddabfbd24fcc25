"""Errors of the dataframes plugin: data that does not fit its dataframe type, datasets that are gone."""

from typing import Any, List, Sequence

__all__ = ["ColumnProblem", "DataFrameValidationError", "DatasetNotFoundError"]

#: Rows and values quoted per column in an error message: enough to find the bad data, short to log.
_SHOWN = 5


class ColumnProblem:
    """What is wrong with one column: missing, or rows whose values do not convert to its type."""

    __slots__ = ("column", "detail", "rows", "values")

    def __init__(self, column: str, detail: str, rows: Sequence[int] = (), values: Sequence[Any] = ()) -> None:
        self.column = column
        self.detail = detail
        self.rows = list(rows)
        self.values = list(values)

    def __str__(self) -> str:
        if not self.rows:
            return f"column '{self.column}' {self.detail}"
        shown = ", ".join(str(r) for r in self.rows[:_SHOWN]) + (", ..." if len(self.rows) > _SHOWN else "")
        values = ", ".join(repr(v) for v in self.values[:_SHOWN])
        return f"column '{self.column}' {self.detail}: {len(self.rows)} bad row(s) [{shown}] (values: {values})"


class DataFrameValidationError(ValueError):
    """Data that does not fit a ``@dataframe`` type; the message names each bad column and its bad rows.

    A ``ValueError``: the web server answers it with 400 when it comes from a request.
    """

    def __init__(self, datatype: str, problems: List[ColumnProblem]) -> None:
        self.datatype = datatype
        self.problems = problems
        super().__init__(f"{datatype}: " + "; ".join(str(p) for p in problems))


class DatasetNotFoundError(ValueError):
    """A ``Dataset`` pointer to data that is not (or no longer) in the storage."""
