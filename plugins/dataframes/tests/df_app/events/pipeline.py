# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""POST a batch that goes through SHUFFLE stages: split the bad readings out, then add up the rest."""

from hopeit.app.context import EventContext
from hopeit.app.events import SHUFFLE

from df_app import Batch, Summary
from df_app.events.storage import save

__steps__ = ["split", SHUFFLE, "total"]


def split(payload: Batch, context: EventContext) -> Batch:
    bad = payload.readings.value < 0
    return Batch(batch_id=payload.batch_id, readings=payload.readings[~bad], rejected=payload.readings[bad])


async def total(payload: Batch, context: EventContext) -> Summary:
    assert payload.rejected is not None
    summary = Summary(
        batch_id=payload.batch_id,
        rows=len(payload.readings),
        total=float(payload.readings.value.sum()),
        rejected=len(payload.rejected),
    )
    return await save(summary, context, "-pipeline")
