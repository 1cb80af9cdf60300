"""Safe reading of the files an editor put in the content folder.

A content folder comes from people (a git checkout, a shared drive), and a name
ending in ``.yaml`` may be something else than a text file: a symbolic link to a
secret (a link to ``.env`` once put the bot token into a problem message sent to
staff), a named pipe (FIFO) that blocks its reader forever (it held the reload
lock), a device (a link to ``/dev/zero`` grew the bot to 3.7 GB), or simply a
huge file. So a file is read only when

- it is inside the content folder once every link is followed (links between
  files of the content folder are fine);
- it is a regular file, checked with ``stat`` before it is opened and with
  ``fstat`` on the open descriptor (opened with ``O_NONBLOCK``, so even a FIFO
  swapped in between cannot block);
- it is at most :data:`MAX_FILE_BYTES` long, checked before reading, and no more
  than that is ever read.

Otherwise :class:`UnreadableFile` says why, for the editor, without a byte of
the file and without the link's target.
"""

from __future__ import annotations

import os
import stat

#: A content file larger than this (1 MiB) is refused before it is read: no real
#: entry is that long (the demo entries have 1-4 KB; the longest file,
#: categories.yaml, about 16 KB), and parsing a huge file would stall a reload.
MAX_FILE_BYTES = 1024 * 1024

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opened for reading must not wait for a writer
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

LINK_OUTSIDE = (
    "this file is a link (symlink) to a file outside the content folder, and the bot reads "
    "only files inside it — replace the link with a copy of the file"
)
FOLDER_LINK_OUTSIDE = (
    "this file is in a folder that is a link (symlink) to a place outside the content folder, "
    "and the bot reads only files inside it — replace the link with a real folder holding "
    "copies of the files"
)
LINK_BROKEN = (
    "this file is a link (symlink) to a file that does not exist — replace the link with the "
    "file itself, or delete it"
)


class UnreadableFile(Exception):
    """A file the loader will not read; ``message`` is the editor's explanation."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def kind_of(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in the editor's words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def not_regular(mode: int) -> str:
    """Message for a file that is a folder, pipe, socket or device."""
    return (
        f"this is {kind_of(mode)}, not a regular file, so the bot does not read it — a content "
        "file is a plain text file: delete this one and save the content as a normal file"
    )


def too_big(size: int, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Message for a file of ``size`` bytes, over the cap ``max_bytes``."""
    return (
        f"the file is {size / 1_048_576:.1f} MB, but a content file must be under "
        f"{max_bytes // 1_048_576} MB (an entry has a few KB) — is this the right "
        "file? Remove it, or split it into one file per entry"
    )


def cannot_read(exc: OSError) -> str:
    """Message for an error of the operating system while reading."""
    return f"cannot read the file ({exc.strerror or exc}) — check that it exists"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def read_content_file(
    path: str | os.PathLike[str], root: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES
) -> bytes:
    """The bytes of the content file ``path``, which must lie inside the folder ``root``.

    Raises :class:`UnreadableFile` (never anything else) when ``path`` is missing,
    a link whose target is outside ``root`` or does not exist, inside a linked
    folder that leads outside ``root``, not a regular file, larger than
    ``max_bytes`` or unreadable. Links that stay inside ``root`` are followed.
    """
    try:
        link = os.lstat(path)
        real = os.path.realpath(path)
        outside = not _inside(real, os.path.realpath(root))
    except OSError as exc:
        raise UnreadableFile(cannot_read(exc)) from None
    if outside:
        raise UnreadableFile(LINK_OUTSIDE if stat.S_ISLNK(link.st_mode) else FOLDER_LINK_OUTSIDE)
    if stat.S_ISLNK(link.st_mode) and not os.path.exists(real):
        raise UnreadableFile(LINK_BROKEN)  # also a loop of links
    # ``real`` has no links left; O_NOFOLLOW refuses one swapped in since.
    return _read_regular(real, max_bytes, getattr(os, "O_NOFOLLOW", 0))


def read_regular_file(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` (links followed: for a settings file such as the staff
    file, which may live anywhere). Raises :class:`UnreadableFile` when it is not a
    regular file, larger than ``max_bytes`` or unreadable."""
    return _read_regular(os.fspath(path), max_bytes, 0)


def _read_regular(path: str, max_bytes: int, extra_flags: int) -> bytes:
    try:
        # Looked at before opening: opening a device can have effects of its own.
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(not_regular(st.st_mode))
        if st.st_size > max_bytes:
            raise UnreadableFile(too_big(st.st_size, max_bytes))
        fd = os.open(path, _OPEN_FLAGS | extra_flags)
        try:
            # And again on what was opened, in case the file was replaced meanwhile.
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise UnreadableFile(not_regular(st.st_mode))
            if st.st_size > max_bytes:
                raise UnreadableFile(too_big(st.st_size, max_bytes))
            chunks: list[bytes] = []
            total = 0
            while total <= max_bytes:  # a file growing while it is read stops here too
                chunk = os.read(fd, max_bytes + 1 - total)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise UnreadableFile(cannot_read(exc)) from None
    if total > max_bytes:
        raise UnreadableFile(too_big(total, max_bytes))
    return b"".join(chunks)
