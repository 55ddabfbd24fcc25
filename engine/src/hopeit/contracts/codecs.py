"""Payload codecs: how a plugin gives payloads of its types a stored form that travels instead of them.

Some payloads are too big, or not JSON at all, to travel whole: a plugin registers a
``PayloadCodec`` that saves such a payload somewhere (a file, a bucket...) and hands back a small
*stored form*, a ``@dataobject`` pointing at it, and turns that form back into the payload on the
other side. The engine calls the registered codecs, asynchronously, where payloads cross a process
boundary:

- **streams and SHUFFLE**: a payload a codec handles is encoded before it is written to a stream
  (the message carries the stored form: its ``type`` field names the stored type) and decoded
  after it is read, before the steps see it; a message that cannot be decoded is logged and left
  unacknowledged, like a message that cannot be parsed;
- **web request bodies**: a body whose event takes a type a codec handles is parsed by the codec
  (``parse_request``, at once: a body that does not fit answers 400) and decoded before
  ``__preprocess__`` and the steps run (``decode``; a ``ValueError`` there answers 400 too).

With no codec registered (``REGISTERED`` empty) the engine's paths skip all this with one test of
that tuple. Registering is idempotent: a codec replaces the one registered under the same ``name``,
so a SETUP event that runs twice does not stack codecs::

    from hopeit.contracts.codecs import PayloadCodec, register_codec

    class BlobCodec(PayloadCodec):
        name = "blobs"
        def stored_type(self, datatype): return BlobRef if issubclass(datatype, Blob) else None
        async def encode(self, payload): return BlobRef(key=await save(payload))
        async def decode(self, stored, datatype): return await load(stored.key)

    register_codec(BlobCodec())
"""

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple

from hopeit.dataobjects.payload import Payload

__all__ = [
    "REGISTERED",
    "PayloadCodec",
    "StoredPayload",
    "codec_for",
    "decode_stored",
    "encode_payloads",
    "register_codec",
    "unregister_codec",
]


class PayloadCodec(ABC):
    """Turns payloads of the types it handles into a stored form, and back.

    ``name`` identifies the codec in the registry: registering another codec of the same name
    replaces it.
    """

    name: str = ""

    @abstractmethod
    def stored_type(self, datatype: type) -> Optional[type]:
        """The ``@dataobject`` class the stored form of ``datatype`` parses as; None: not handled here.

        Called once per type: the answer is cached until the registry changes.
        """

    @abstractmethod
    async def encode(self, payload: Any) -> Any:
        """The stored form of ``payload`` (an instance of a type this codec handles), saved where it belongs."""

    @abstractmethod
    async def decode(self, stored: Any, datatype: type) -> Any:
        """``datatype`` rebuilt from its stored form ``stored`` (or from what ``parse_request`` returned).

        :raises ValueError: the stored form points at nothing, or at data that does not fit ``datatype``.
        """

    def parse_request(self, body: bytes, datatype: type) -> Any:
        """What a web request body for ``datatype`` parses as, before ``decode`` turns it into ``datatype``.

        By default the body must be the stored form (``stored_type``); codecs may accept more shapes.

        :raises ValueError: the body does not fit (the web server answers 400 with the message).
        """
        stored = self.stored_type(datatype)
        if stored is None:
            raise TypeError(f"codec {self.name!r} does not handle {datatype.__qualname__}")
        return Payload.from_json(body, stored)


class StoredPayload:
    """A request payload parsed by a codec, still to be decoded (by the engine, before the steps see it)."""

    __slots__ = ("codec", "datatype", "stored")

    def __init__(self, codec: PayloadCodec, stored: Any, datatype: type) -> None:
        self.codec = codec
        self.stored = stored
        self.datatype = datatype

    async def decode(self) -> Any:
        """The payload itself, as the codec rebuilds it."""
        return await self.codec.decode(self.stored, self.datatype)


#: The registered codecs, in registration order. Empty unless a plugin registered one: the engine
#: tests this tuple before doing anything codec related.
REGISTERED: Tuple[PayloadCodec, ...] = ()

_by_type: Dict[type, Optional[Tuple[PayloadCodec, type]]] = {}


def register_codec(codec: PayloadCodec) -> None:
    """Register ``codec``, replacing the one registered under the same ``name`` (so it is idempotent)."""
    global REGISTERED
    REGISTERED = (*(c for c in REGISTERED if c.name != codec.name), codec)
    _by_type.clear()


def unregister_codec(name: str) -> None:
    """Remove the codec registered under ``name`` (nothing happens when there is none)."""
    global REGISTERED
    REGISTERED = tuple(c for c in REGISTERED if c.name != name)
    _by_type.clear()


def codec_for(datatype: type) -> Optional[Tuple[PayloadCodec, type]]:
    """The first registered codec handling ``datatype`` and the type of its stored form, or None."""
    try:
        return _by_type[datatype]
    except KeyError:
        pass
    found: Optional[Tuple[PayloadCodec, type]] = None
    for codec in REGISTERED:
        stored = codec.stored_type(datatype)
        if stored is not None:
            found = (codec, stored)
            break
    _by_type[datatype] = found
    return found


async def encode_payloads(payloads: List[Any]) -> List[Any]:
    """``payloads`` with each one a codec handles replaced by its stored form (others kept as they are)."""
    result = []
    for payload in payloads:
        found = codec_for(type(payload)) if payload is not None else None
        result.append(payload if found is None else await found[0].encode(payload))
    return result


async def decode_stored(stored: Any, datatypes: Dict[type, Tuple[PayloadCodec, type]]) -> Any:
    """``stored`` decoded when its type is a stored form in ``datatypes``, else ``stored`` itself.

    ``datatypes`` maps each stored type to its codec and the payload type it stands for.
    """
    found = datatypes.get(type(stored))
    if found is None:
        return stored
    return await found[0].decode(stored, found[1])
