"""The line that tells an official how a follow-up question was read."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.citation import document_header, esc, shorten
from bot.render.html_split import MAX_MESSAGE, visible_text
from index import Document


def followup_note(topic: str, assumed: Document | None, place_changed: bool) -> str:
    """``↪️ Câu hỏi tiếp theo của «…»; hiểu theo văn bản: Kế hoạch số …``."""
    note = f"↪️ <i>Hiểu là câu hỏi tiếp theo của «{esc(shorten(topic, 160))}»</i>"
    if assumed is not None and not place_changed:
        note += f"; theo văn bản: <b>{esc(shorten(document_header(assumed), 250))}</b>"
    elif place_changed:
        note += "; địa phương khác nên tìm trong tất cả văn bản"
    return note + "."


def with_note(note: str, parts: Sequence[str]) -> list[str]:
    """The note above the first part, or as its own message when the first is already full."""
    parts = list(parts)
    joined = f"{note}\n\n{parts[0]}"
    if len(visible_text(joined)) <= MAX_MESSAGE:
        return [joined, *parts[1:]]
    return [note, *parts]
