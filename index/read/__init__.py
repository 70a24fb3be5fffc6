"""File readers: one module per format, each turning a file into ``Block`` records.

``read_file`` is the entry point: it picks the reader by extension, turns
any surprise inside a reader into ``CorruptFile`` (the build logs one line
and goes on) and converts text still written in the old TCVN3/VNI font
encodings, which can hide in any format (a .docx converted from a 1990s
file, a PDF printed from ``.VnTime``).
"""

from __future__ import annotations

import importlib
import logging
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from index.errors import CorruptFile, EmptyDocument, ReadError, UnsupportedFormat
from index.read.vietnamese import repair_legacy
from index.records import Block

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".md", ".txt", ".docx", ".doc", ".pdf")

_MODULES = {
    ".md": "index.read.markdown",
    ".txt": "index.read.text",
    ".docx": "index.read.docx",
    ".doc": "index.read.doc",
    ".pdf": "index.read.pdf",
}


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: Word 97-2003


def _by_content(path: Path, suffix: str, module_name: str) -> str:
    """The reader for what the file is, not what it is called.

    Officials rename files: a .docx saved under a .doc name, or a Word 97 file
    given a .docx name, must still be read. An encrypted .docx is also an OLE
    file; it stays with the .docx reader, which reports the password.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return module_name
    if suffix == ".doc" and head.startswith(b"PK") and zipfile.is_zipfile(path):
        logger.info("%s: a .docx package with a .doc name, reading it as .docx", path)
        return _MODULES[".docx"]
    if suffix == ".docx" and head == _CFB_MAGIC and "WordDocument".encode("utf-16-le") in path.read_bytes():
        logger.info("%s: legacy Word file with a .docx name, reading it as .doc", path)
        return _MODULES[".doc"]
    return module_name


def read_file(path: Path, progress: Callable[[int, int], None] | None = None) -> list[Block]:
    """Blocks of one file; raises a ``ReadError`` subclass with a Vietnamese ``user_message``.

    ``progress(done_pages, total_pages)`` is called while scanned pages are
    recognised (the bot shows "đang nhận dạng trang 3/10"); OCR results are
    cached by the file's content, so reading the same scan again is quick.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    module_name = _MODULES.get(suffix)
    if module_name is None:
        raise UnsupportedFormat(f"{path}: unsupported file type {suffix or '(no extension)'!r}")
    if not path.is_file():
        raise ReadError(
            f"{path}: no such file", user_message="Không tìm thấy tệp hoặc không có quyền đọc tệp."
        )
    module_name = _by_content(path, suffix, module_name)
    try:
        reader = importlib.import_module(module_name)
        blocks = reader.read(path, progress=progress) if module_name == _MODULES[".pdf"] else reader.read(path)
    except ReadError:
        raise
    except PermissionError as exc:
        raise ReadError(f"{path}: {exc}", user_message="Máy chủ không có quyền đọc tệp này.") from exc
    except Exception as exc:  # noqa: BLE001 - a reader bug must cost one file, not the build
        raise CorruptFile(f"{path}: {type(exc).__name__}: {exc}") from exc
    if not any(block.text.strip() for block in blocks):
        raise EmptyDocument(f"{path}: no text found")
    repaired = repair_legacy([block.text for block in blocks])
    blocks = [
        b if b.text == text else replace(b, text=text) for b, text in zip(blocks, repaired, strict=True)
    ]
    logger.debug("%s: %d blocks", path, len(blocks))
    return blocks
