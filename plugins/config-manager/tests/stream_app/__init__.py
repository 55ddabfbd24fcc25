"""Test app ``stream-app``: a GET event feeding a STREAM event split in three SHUFFLE stages."""

from hopeit.dataobjects import dataclass, dataobject


@dataobject
@dataclass
class Item:
    """What flows through the stream."""

    id: str
    count: int = 0
