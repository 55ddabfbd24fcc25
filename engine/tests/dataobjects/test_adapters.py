"""pydantic adapters and readable validation errors."""

from dataclasses import dataclass
from typing import Dict, List

import pytest
from hopeit.dataobjects import dataobject
from hopeit.dataobjects.adapters import DataObjectValidationError, adapter, type_name, validation_error
from pydantic import ValidationError


@dataobject
@dataclass
class Checked:
    name: str
    size: int = 0

    def __post_init__(self) -> None:
        if self.name == "bad":
            raise ValueError("name cannot be bad")
        if self.size < 0:
            # explicit raise: pytest rewrites assert statements in test modules
            raise AssertionError("size must not be negative")


def test_adapter_is_cached_per_type() -> None:
    """One TypeAdapter per type, reused."""
    assert adapter(Checked) is adapter(Checked)
    assert adapter(List[Checked]) is adapter(List[Checked])
    assert adapter(Checked) is not adapter(List[Checked])


def test_error_message_joins_field_problems() -> None:
    """``<action> <type>: <path>: <problem>; ...``, problems without a path shown alone."""
    error = DataObjectValidationError("Thing", [("a.b", "wrong"), ("", "whole object bad")], "Cannot read")
    assert str(error) == "Cannot read Thing: a.b: wrong; whole object bad"
    assert error.type_name == "Thing" and error.errors == [("a.b", "wrong"), ("", "whole object bad")]
    assert isinstance(error, ValueError)


def test_type_name_of_classes() -> None:
    """Classes are named by their qualified name."""
    assert type_name(Checked) == "Checked"
    assert type_name(int) == "int"


def test_type_name_of_generic_aliases_names_the_items() -> None:
    """``type_name`` documents ``List[Something]`` for generic aliases."""
    assert type_name(List[Checked]) == "List[Checked]"
    assert type_name(Dict[str, Checked]) == "Dict[str, Checked]"


def test_validation_error_strips_value_error_and_assertion_prefixes() -> None:
    """Errors raised in ``__post_init__`` read as their own message."""
    with pytest.raises(ValidationError) as bad_name:
        adapter(Checked).validate_python({"name": "bad"})
    assert str(validation_error(Checked, bad_name.value)) == "Invalid Checked: name cannot be bad"
    with pytest.raises(ValidationError) as negative:
        adapter(Checked).validate_python({"name": "ok", "size": -1})
    assert str(validation_error(Checked, negative.value, "Rejected")) == "Rejected Checked: size must not be negative"


def test_validation_error_paths_of_lists_and_dicts() -> None:
    """List indexes are written ``[i]``, dict keys and fields joined by dots."""
    with pytest.raises(ValidationError) as info:
        adapter(Dict[str, List[Checked]]).validate_python({"k": [{"name": "a"}, {"size": 1}]})
    error = validation_error(Dict[str, List[Checked]], info.value)
    assert error.errors == [("k[1].name", "Field required")]


def test_validation_error_without_details_uses_the_title() -> None:
    """A pydantic error with no line items still produces a message."""
    empty = ValidationError.from_exception_data("Checked", [])
    assert str(validation_error(Checked, empty)) == "Invalid Checked: Checked"
