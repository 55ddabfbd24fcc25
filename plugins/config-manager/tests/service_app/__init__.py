"""Test app ``service-app``: a SERVICE event and a STREAM event that has a ``__service__`` too."""

from hopeit.dataobjects import dataclass, dataobject


@dataobject
@dataclass
class Tick:
    """One beat of a service."""

    n: int
