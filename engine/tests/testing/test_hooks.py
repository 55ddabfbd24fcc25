"""Multipart stand-ins of the test kit (spec engine §14 hooks)."""

from hopeit.testing.hooks import MockField, MockFileHook, MockMultipartReader


async def test_mock_field_kinds() -> None:
    """Files get their file name and octet-stream (sic); dicts are JSON; the rest is text."""
    file_field = MockField("doc", "doc.txt", b"data")
    assert file_field.filename == "doc.txt"
    assert file_field.headers == {"Content-Type": "application/octect-stream"}
    json_field = MockField("meta", {"k": 1})
    assert json_field.filename is None and json_field.headers == {"Content-Type": "application/json"}
    assert await json_field.json() == {"k": 1} and await json_field.text() == '{"k": 1}'
    text_field = MockField("id", '{"a": 2}', headers={"X": "y"})
    assert text_field.headers == {"X": "y"} and text_field.filename is None
    assert await text_field.text() == '{"a": 2}' and await text_field.json() == {"a": 2}
    assert MockField("plain", "v").headers == {"Content-Type": "text/plain"}


async def test_mock_field_reads_file_data_in_chunks() -> None:
    """``read_chunk`` walks the file data, ``b""`` at the end (and for fields without data)."""
    field = MockField("doc", "doc.txt", b"abcde")
    assert [await field.read_chunk(2) for _ in range(4)] == [b"ab", b"cd", b"e", b""]
    assert await MockField("id", "1").read_chunk() == b""


async def test_mock_file_hook_from_bytes_or_field() -> None:
    """Chunks of ``chunk_size`` (16 by default); ``read`` reads the rest or the next bytes."""
    hook = MockFileHook(name="f", file_name="f.bin", data=b"x" * 40)
    assert [len(c) async for c in hook.read_chunks()] == [16, 16, 8] and hook.size == 40
    from_field = MockFileHook(name="f", file_name="f.bin", data=MockField("f", "f.bin", b"abcdef"))
    assert await from_field.read(2) == b"ab" and await from_field.read() == b"cdef"
    assert from_field.size == 6 and await from_field.read() == b""
    assert MockFileHook(name="f", file_name="f", data=MockField("f", "text")).data == b""


async def test_mock_multipart_reader_iterates_parts() -> None:
    """Fields in order, attachments attached to the field of the same name; sync and async iteration."""
    reader = MockMultipartReader({"id": "1", "doc": "doc.txt"}, {"doc": b"bytes"})
    names = [part.name for part in reader]
    assert names == ["id", "doc"]
    parts = [part async for part in reader]
    assert [(p.name, p.filename, p.file_data) for p in parts] == [("id", None, None), ("doc", "doc.txt", b"bytes")]
