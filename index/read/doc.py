"""Legacy Word 97-2003 (.doc) through antiword, or LibreOffice if that is what is installed.

No Python library reads the binary Word format well, and the product must
run without LibreOffice, so antiword (small, packaged everywhere) is the
reader. It writes one paragraph per line and tables as ``|cell|cell|``
rows wrapped to fixed-width columns, which are unwrapped here. What antiword
cannot give: bold, heading styles and Word's automatic numbering labels.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import CorruptFile, ProtectedFile, ToolUnavailable
from index.read.text import source_lines
from index.records import Block

logger = logging.getLogger(__name__)

TIMEOUT_S = 120
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_TEXT = {"[pic]", "[picture]"}


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path: Path) -> list[Block]:
    with path.open("rb") as handle:
        head = handle.read(8)
    if head != _CFB_MAGIC:
        kind = _other_format(head)
        if kind and _soffice():
            return _blocks(_libreoffice(path), from_antiword=False)
        raise CorruptFile(
            f"{path}: not a Word 97-2003 document ({kind or 'unknown content'})",
            user_message=(
                f"Tệp .doc này thực chất là {kind}, máy chủ không đọc được; "
                "hãy mở bằng Word và lưu lại ở dạng .docx."
                if kind
                else "Tệp .doc bị hỏng hoặc không phải tài liệu Word nên không đọc được."
            ),
        )
    if shutil.which("antiword"):
        return _blocks(_antiword(path), from_antiword=True)
    if _soffice():
        return _blocks(_libreoffice(path), from_antiword=False)
    raise ToolUnavailable(
        f"{path}: neither antiword nor LibreOffice is installed",
        user_message=(
            "Máy chủ chưa cài công cụ antiword (hoặc LibreOffice) để đọc tệp .doc; "
            "hãy báo quản trị viên, hoặc gửi bản .docx/.pdf."
        ),
    )


def _other_format(head: bytes) -> str | None:
    if head.startswith(b"{\\rtf"):
        return "tệp RTF"
    if head.lstrip().lower().startswith((b"<html", b"<!doc", b"<?xml", b"mime")):
        return "trang web (HTML/XML)"
    return None


def _antiword(path: Path) -> str:
    # antiword needs a locale it can set and a HOME for its (unused) settings;
    # the C locale is always there and -m UTF-8.txt still writes UTF-8.
    env = {**os.environ, "LC_ALL": "C", "HOME": os.environ.get("HOME") or tempfile.gettempdir()}
    try:
        done = subprocess.run(
            ["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)],
            capture_output=True,
            timeout=TIMEOUT_S,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptFile(f"{path}: antiword timed out after {TIMEOUT_S}s") from exc
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if "Encrypted documents are not supported" in stderr:
        raise ProtectedFile(f"{path}: encrypted Word document")
    if done.returncode != 0 or "is not a Word Document" in stderr:
        raise CorruptFile(f"{path}: antiword failed (exit {done.returncode}): {stderr[:300]}")
    if stderr:
        logger.debug("%s: antiword: %s", path, stderr[:300])
    return done.stdout.decode("utf-8", "replace")


def _libreoffice(path: Path) -> str:
    soffice = _soffice()
    assert soffice is not None
    with tempfile.TemporaryDirectory(prefix="doc2txt-") as tmp:
        tmp_dir = Path(tmp)
        # A private profile: a desktop LibreOffice already running would
        # otherwise swallow the request and convert nothing.
        command = [
            soffice,
            f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "txt:Text (encoded):UTF8",
            "--outdir",
            str(tmp_dir / "out"),
            str(path),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise CorruptFile(f"{path}: LibreOffice timed out after {TIMEOUT_S}s") from exc
        outputs = list((tmp_dir / "out").glob("*.txt"))
        if done.returncode != 0 or not outputs:
            stderr = done.stderr.decode("utf-8", "replace").strip()
            raise CorruptFile(
                f"{path}: LibreOffice could not convert (exit {done.returncode}): {stderr[:300]}"
            )
        return outputs[0].read_text(encoding="utf-8-sig", errors="replace")


@dataclass
class _Row:
    cells: list[list[str]]  # per column, its wrapped pieces
    widths: list[int]
    page_break_before: bool = False
    last: list[str] = field(default_factory=list)  # the last physical line's cells, for the wrap test


def _cells(line: str) -> list[str]:
    return line.strip()[1:-1].split("|")


def _is_table_line(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 2 and stripped.startswith("|") and stripped.endswith("|")


def _wrapped_from(row: _Row, cells: list[str]) -> bool:
    """True when this table line carries words antiword wrapped out of ``row``.

    antiword breaks a cell when the next word no longer fits the column, so
    a continuation shows: first cell empty, and some cell whose previous line
    plus its first word would have overflowed the column width.
    """
    if len(cells) != len(row.widths) or cells[0].strip():
        return False
    for width, before, now in zip(row.widths, row.last, cells):
        word = now.strip().split(" ", 1)[0]
        if word and len(before.rstrip()) + 1 + len(word) > width:
            return True
    return False


def _blocks(text: str, from_antiword: bool) -> list[Block]:
    blocks: list[Block] = []
    row: _Row | None = None
    pending_break = False  # a page break seen on a line that produced no block

    def close_row() -> None:
        nonlocal row
        if row is not None:
            texts = [" ".join(p for p in pieces if p) for pieces in row.cells]
            if any(texts):
                blocks.append(
                    Block(" | ".join(texts).strip(), "row", page_break_before=row.page_break_before)
                )
            row = None

    # antiword separates paragraphs with blank lines and puts extra ones
    # around tables and headings: only its form feeds are page breaks.
    for line in source_lines(text, blank_runs_break=not from_antiword):
        content = line.text.strip()
        page_break = line.page_break_before or pending_break
        if from_antiword and _is_table_line(content):
            cells = _cells(content)
            if row is not None and not page_break and _wrapped_from(row, cells):
                for pieces, cell in zip(row.cells, cells):
                    pieces.append(cell.strip())
                row.last = cells
                continue
            close_row()
            row = _Row([[c.strip()] for c in cells], [len(c) for c in cells], page_break, cells)
            pending_break = False
            continue
        close_row()
        if content in _NOT_TEXT:
            pending_break = page_break
            continue
        blocks.append(Block(content, page_break_before=page_break))
        pending_break = False
    close_row()
    return blocks
