"""``write_whole``: the one way a stored file (an uploaded export, a full-text PDF) is written,
so that a crash or a full disk never leaves half a file where a row could point to it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from screening.review.errors import StorageFull


def write_whole(path: Path, data: bytes, *, what: str) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk and rename it into
    place; on failure nothing is left. A full disk is ``StorageFull``, said so the user knows
    it is the server's and not their file's fault."""
    partial = path.with_name(path.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(f"The server's disk is full: {what} was not saved. Ask the administrator to free "
                              "space, then try again.") from error
        raise
