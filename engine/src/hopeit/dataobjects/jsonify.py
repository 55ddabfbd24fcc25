"""Deprecated: ``Json`` is the name ``Payload`` had in early hopeit.engine versions.

Kept so that apps importing it keep working; importing this module warns. Use
``from hopeit.dataobjects.payload import Payload``.
"""

import warnings

from hopeit.dataobjects.payload import Payload

__all__ = ["Json"]

warnings.warn(
    "hopeit.dataobjects.jsonify.Json is deprecated: use Payload from hopeit.dataobjects.payload instead",
    DeprecationWarning,
    stacklevel=2,
)


class Json(Payload):
    """Deprecated alias of ``Payload``: the same static methods (``to_json``, ``from_json``...)."""
