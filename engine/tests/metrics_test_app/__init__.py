"""A small app the metrics tests send traffic to: GET, POST, a failing GET, a stream and its consumer."""

from dataclasses import dataclass

from hopeit.dataobjects import dataobject


@dataobject(event_id="id")
@dataclass
class Item:
    """An item; its consumer fails the ones marked ``fail``."""

    id: str
    fail: bool = False
