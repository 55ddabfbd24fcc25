"""GET: ``count`` items."""

from typing import List

from hopeit.app.context import EventContext

from target_app import Something, host_name

__steps__ = ["items"]


def items(payload: None, context: EventContext, *, count: str = "2") -> List[Something]:
    return [Something(id=str(i), host=host_name(context)) for i in range(int(count))]
