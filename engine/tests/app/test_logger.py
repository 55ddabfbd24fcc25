"""App logger placeholders (spec engine §11.2)."""

import logging

from hopeit.app.logger import app_extra_logger, app_logger


def test_placeholders() -> None:
    """Before the engine wires a module, ``logger`` is a plain logger and ``extra`` formats values."""
    logger, extra = app_extra_logger()
    assert isinstance(logger, logging.Logger) and logger is app_logger()
    assert extra(item_id="1", n=2) == {"extra": "extra.item_id=1 | extra.n=2"}
    assert extra() == {"extra": ""}
