# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""POST a dataframe of readings (rows or a Dataset pointer); the positive ones come back as rows."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from df_app import Reading

__steps__ = ["positive"]

__api__ = event_api(payload=(Reading, "readings"), responses={200: (Reading, "positive readings")})


def positive(payload: Reading, context: EventContext) -> Reading:
    return payload[payload.value >= 0]
