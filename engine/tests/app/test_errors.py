"""``BadRequest``/``Unauthorized`` and ``ErrorInfo`` (spec engine §8.5)."""

import pytest
from hopeit.app.errors import BadRequest, ErrorInfo, Unauthorized
from hopeit.dataobjects.payload import Payload


def test_errors_are_base_exceptions() -> None:
    """``except Exception`` does not catch them; they expose ``ErrorInfo``."""
    for error in (BadRequest, Unauthorized):
        assert issubclass(error, BaseException) and not issubclass(error, Exception)
        assert error.ErrorInfo is ErrorInfo
    with pytest.raises(BadRequest):
        try:
            raise BadRequest("Malformed Authorization")
        except Exception:  # noqa: BLE001 - the point: this does not catch it
            pytest.fail("BadRequest was caught as an Exception")


def test_error_info_from_exception() -> None:
    """``msg`` is ``str(exc)``, ``tb`` the exception-only lines."""
    info = ErrorInfo.from_exception(AssertionError("Test for error"))
    assert info == ErrorInfo(msg="Test for error", tb=["AssertionError: Test for error\n"])
    assert Payload.to_json(info) == '{"msg": "Test for error", "tb": ["AssertionError: Test for error\\n"]}'
    bad = ErrorInfo.from_exception(BadRequest("Malformed Authorization"))
    assert bad.tb == ["hopeit.app.errors.BadRequest: Malformed Authorization\n"]


def test_error_info_without_traceback() -> None:
    """``with_traceback=False`` leaves ``tb`` empty."""
    assert ErrorInfo.from_exception(Unauthorized("Unsecured"), with_traceback=False) == ErrorInfo("Unsecured", [])
