"""An event module that exists but imports a package that does not."""

import hopeit_test_no_such_dependency  # type: ignore[import-not-found]  # noqa: F401

__steps__ = ["step"]
