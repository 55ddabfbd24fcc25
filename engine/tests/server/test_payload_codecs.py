"""Payload codecs (``hopeit.contracts.codecs``): what a plugin registers to give payloads a stored form.

The engine encodes payloads a codec handles before writing them to a stream, decodes them after
reading, and decodes request bodies the codec parsed before the steps run.
"""

import uuid
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, Iterator, Optional

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.errors import BadRequest
from hopeit.contracts import codecs
from hopeit.contracts.codecs import PayloadCodec, StoredPayload
from hopeit.contracts.settings import LoggingConfig, ServerConfig, StreamsConfig
from hopeit.dataobjects import dataobject
from hopeit.server import logger as logger_module
from hopeit.server.engine import AppEngine
from hopeit.server.stream_loop import stored_datatypes
from hopeit.streams.memory import MemoryStreamManager
from hopeit.testing.apps import config
from steps_app import CONFIG, LoopData, LoopResult
from steps_app.events import loop_stream


@dataobject
@dataclass
class VaultRef:
    """Stored form: where the payload is kept."""

    key: str


class VaultCodec(PayloadCodec):
    """Keeps ``LoopData`` and ``LoopResult`` payloads in a dict; a ``VaultRef`` travels instead."""

    name = "vault"

    def __init__(self) -> None:
        self.vault: Dict[str, Any] = {}

    def stored_type(self, datatype: type) -> Optional[type]:
        return VaultRef if datatype in (LoopData, LoopResult) else None

    async def encode(self, payload: Any) -> Any:
        key = str(uuid.uuid4())
        self.vault[key] = payload
        return VaultRef(key=key)

    async def decode(self, stored: Any, datatype: type) -> Any:
        found = self.vault.get(stored.key)
        if not isinstance(found, datatype):
            raise ValueError(f"nothing in the vault under {stored.key}")
        return found


@pytest.fixture
def vault() -> Iterator[VaultCodec]:
    codec = VaultCodec()
    codecs.register_codec(codec)
    yield codec
    codecs.unregister_codec("vault")


def app_config() -> AppConfig:
    result = config(CONFIG)
    result.server = ServerConfig(
        streams=StreamsConfig(connection_str=f"test-{uuid.uuid4()}", delay_auto_start_seconds=0),
        logging=LoggingConfig(log_level="INFO"),
    )
    return result


@pytest.fixture
async def engine() -> AsyncIterator[AppEngine]:
    saved = (logger_module._config, logger_module._engine_name)
    app_engine = await AppEngine(app_config=app_config(), plugins=[]).start()
    yield app_engine
    await app_engine.stop()
    MemoryStreamManager.clear(app_engine.streams_config.connection_str)
    logger_module.init_logger(*saved)


def memory(engine: AppEngine) -> MemoryStreamManager:
    manager = engine.stream_manager.stream_manager  # type: ignore[union-attr]
    assert isinstance(manager, MemoryStreamManager)
    return manager


async def write_raw(engine: AppEngine, payload: Any) -> None:
    assert engine.stream_manager is not None
    settings = engine.event_settings("loop_stream").stream
    await engine.stream_manager.write_stream(
        stream_name="steps_app.in", queue="AUTO", payload=payload, track_ids={"track.request_id": "r1"},
        auth_info={}, compression=settings.compression, serialization=settings.serialization,  # type: ignore[arg-type]
    )


def test_registry_replaces_by_name_and_caches_by_type(vault: VaultCodec) -> None:
    assert codecs.codec_for(LoopData) == (vault, VaultRef)
    assert codecs.codec_for(VaultRef) is None
    again = VaultCodec()
    codecs.register_codec(again)  # same name: replaces, never stacks
    assert codecs.REGISTERED == (again,)
    assert codecs.codec_for(LoopData) == (again, VaultRef)
    codecs.unregister_codec("vault")
    assert codecs.REGISTERED == () and codecs.codec_for(LoopData) is None
    codecs.unregister_codec("vault")  # nothing registered: nothing happens


async def test_encode_and_decode_helpers(vault: VaultCodec) -> None:
    data = LoopData(id="1")
    [stored, plain, none] = await codecs.encode_payloads([data, "text", None])
    assert isinstance(stored, VaultRef) and plain == "text" and none is None
    assert await codecs.decode_stored(stored, {VaultRef: (vault, LoopData)}) is data
    assert await codecs.decode_stored("text", {VaultRef: (vault, LoopData)}) == "text"
    datatypes, decoders = stored_datatypes({"steps_app.LoopData": LoopData})
    assert datatypes == {"steps_app.LoopData": LoopData, f"{__name__}.VaultRef": VaultRef}
    assert decoders == {VaultRef: (vault, LoopData)}


def test_default_request_parsing(vault: VaultCodec) -> None:
    assert vault.parse_request(b'{"key": "k"}', LoopData) == VaultRef(key="k")
    with pytest.raises(TypeError, match="codec 'vault' does not handle str"):
        vault.parse_request(b"{}", str)


def test_no_codec_no_stored_forms() -> None:
    assert codecs.REGISTERED == ()
    datatypes: Dict[str, type] = {"steps_app.LoopData": LoopData}
    assert stored_datatypes(datatypes) == (datatypes, {})


async def test_stream_messages_carry_the_stored_form(engine: AppEngine, vault: VaultCodec) -> None:
    loop_stream.SEEN.clear()
    await write_raw(engine, await vault.encode(LoopData(id="m1")))
    await write_raw(engine, LoopData(id="plain"))  # written whole (e.g. before the codec was registered)
    await engine.read_stream(event_name="loop_stream", max_events=2, wait_start=False)
    assert loop_stream.SEEN == ["m1", "plain"]  # the step got LoopData back, both ways
    assert memory(engine).stream_length("steps_app.out") == 2
    assert [type(v) for v in vault.vault.values()] == [LoopData, LoopResult, LoopResult]  # results encoded too
    assert memory(engine).pending("steps_app.in", "steps_app.1x0.loop_stream") == []


async def test_a_message_that_cannot_be_decoded_stays_pending(engine: AppEngine, vault: VaultCodec) -> None:
    loop_stream.SEEN.clear()
    await write_raw(engine, VaultRef(key="missing"))
    await engine.read_stream(event_name="loop_stream", max_events=1, wait_start=False)
    assert loop_stream.SEEN == []
    assert len(memory(engine).pending("steps_app.in", "steps_app.1x0.loop_stream")) == 1


async def test_request_payloads_are_decoded_before_the_steps(engine: AppEngine, vault: VaultCodec) -> None:
    loop_stream.SEEN.clear()
    context = engine.create_context("loop_stream", {"track.request_id": "r2"}, {})
    stored = await vault.encode(LoopData(id="w1"))
    result = await engine.execute(context=context, query_args=None, payload=StoredPayload(vault, stored, LoopData))
    assert isinstance(result, LoopResult) and result.id == "w1" and loop_stream.SEEN == ["w1"]
    with pytest.raises(BadRequest, match="nothing in the vault under gone"):
        await engine.execute(context=context, query_args=None,
                             payload=StoredPayload(vault, VaultRef(key="gone"), LoopData))
    with pytest.raises(BadRequest, match="nothing in the vault under gone"):
        await engine.preprocess(context=context, query_args=None,
                                payload=StoredPayload(vault, VaultRef(key="gone"), LoopData), request=None)
