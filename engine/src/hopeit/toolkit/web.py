"""Helpers for web events: save an uploaded file to disk as it arrives."""

import asyncio
import os
from pathlib import Path
from typing import IO, Any, List, Union

__all__ = ["save_multipart_attachment"]

#: Bytes gathered before one write to disk: few executor hops, bounded memory.
_WRITE_BUFFER = 1024 * 1024


async def save_multipart_attachment(file_hook: Any, path: Union[str, Path], *, chunk_size: int = 8192) -> int:
    """Stream the file of a multipart upload (a ``PreprocessFileHook``) to ``path``.

    The upload is read in chunks of ``chunk_size`` bytes and written in blocks of about 1 MiB from a
    worker thread, so large files neither fill memory nor block the event loop. Parent folders are
    created. Returns the number of bytes written. If reading fails (the client went away, or the
    upload is larger than the server accepts) the partial file is removed and the error re-raised.
    The path is recorded on the file hook (``record_saved``): when the server refuses the request
    afterwards (a later part too large or malformed, or a status of 400 or more) it removes the file.
    """
    target = Path(path)
    record_saved = getattr(file_hook, "record_saved", None)
    if record_saved is not None:  # the server removes the file if the request is then refused
        record_saved(target)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: target.parent.mkdir(parents=True, exist_ok=True))
    handle: IO[bytes] = await loop.run_in_executor(None, target.open, "wb")
    written = 0
    pending: List[bytes] = []
    pending_size = 0
    try:
        async for chunk in file_hook.read_chunks(chunk_size=chunk_size):
            pending.append(chunk)
            pending_size += len(chunk)
            if pending_size >= _WRITE_BUFFER:
                block = b"".join(pending)
                await loop.run_in_executor(None, handle.write, block)
                written += len(block)
                pending, pending_size = [], 0
        if pending:
            block = b"".join(pending)
            await loop.run_in_executor(None, handle.write, block)
            written += len(block)
    except BaseException:
        await loop.run_in_executor(None, handle.close)
        await loop.run_in_executor(None, lambda: os.unlink(target) if target.exists() else None)
        raise
    await loop.run_in_executor(None, handle.close)
    return written
