"""A document card (``/vanban`` and the 🗂 button): one document at a glance.

Type, number, date, issuer, signer, title, its top-level sections, its tasks
and the documents it cites, within one Telegram message.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.citation import document_header, esc, section_number, shorten
from bot.render.html_split import MAX_MESSAGE, split_html
from index import Document, DocumentCard

MAX_SECTIONS = 15
MAX_TASKS = 8
MAX_REFERENCES = 10

CARD_HOW_TO = (
    "Gõ <i>/vanban số hiệu</i> hoặc vài từ của tên văn bản, ví dụ <i>/vanban 06/KH-UBND-BDVTU</i>, "
    "<i>/vanban dân vận chính quyền Sa Pa</i>."
)
NO_DOCUMENT = "Không tìm thấy văn bản nào khớp với «{query}». Gõ /docs để xem danh sách văn bản trong kho."
STALE_DOCUMENT = "Văn bản này không còn trong kho (chỉ mục đã được cập nhật). Gõ /docs để xem danh sách."
CHOOSE = "<b>Có {count} văn bản khớp với «{query}»</b>, chọn một văn bản:"


def _day(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso.split("-")
    return f"{int(d)}/{int(m)}/{y}"


def card_messages(card: DocumentCard) -> list[str]:
    doc = card.document
    unknown = "<i>không rõ</i>"
    lines = [f"🗂 <b>{esc(document_header(doc))}</b>"]
    if doc.title:
        lines.append(f"<i>{esc(shorten(doc.title, 400))}</i>")
    lines += [
        "",
        f"• Loại văn bản: {esc(doc.type) if doc.type else unknown}",
        f"• Số hiệu: {esc(doc.number) if doc.number else unknown}",
        f"• Ngày ban hành: {esc(_day(doc.date)) if doc.date else unknown}",
        f"• Cơ quan ban hành: {esc(shorten(doc.issuer, 200)) if doc.issuer else unknown}",
        f"• Người ký: {esc(shorten(doc.signer, 120)) if doc.signer else unknown}",
        f"• Tệp: <code>{esc(shorten(doc.file, 150))}</code>",
    ]
    if card.sections:
        lines += ["", f"<b>Các phần chính ({len(card.sections)}):</b>"]
        lines += [f"• {esc(shorten(s, 150))}" for s in card.sections[:MAX_SECTIONS]]
        if len(card.sections) > MAX_SECTIONS:
            lines.append(f"… và {len(card.sections) - MAX_SECTIONS} phần khác")
    lines += ["", f"<b>Nhiệm vụ được giao: {len(card.tasks)}</b>"]
    for hit in card.tasks[:MAX_TASKS]:
        task = hit.task
        number = section_number(task.section)
        when = f" — hạn: {esc(shorten(task.deadline.text, 80))}" if task.deadline else ""
        lead = f" ({esc(shorten(task.lead, 80))})" if task.lead else ""
        lines.append(f"• {'mục ' + esc(number) + ': ' if number else ''}{esc(shorten(task.content, 140))}"
                     f"{lead}{when}")
    if len(card.tasks) > MAX_TASKS:
        lines.append(f"… và {len(card.tasks) - MAX_TASKS} nhiệm vụ khác (nút «Nhiệm vụ» bên dưới)")
    refs = [r for r in dict.fromkeys(" ".join(r.text.split()) for r in card.references) if r]
    lines += ["", f"<b>Văn bản được dẫn chiếu: {len(refs)}</b>"]
    lines += [f"• {esc(shorten(r, 200))}" for r in refs[:MAX_REFERENCES]]
    if len(refs) > MAX_REFERENCES:
        lines.append(f"… và {len(refs) - MAX_REFERENCES} văn bản khác")
    return split_html("\n".join(lines), MAX_MESSAGE)


def choose_message(query: str, documents: Sequence[Document]) -> str:
    return CHOOSE.format(count=len(documents), query=esc(shorten(query, 80)))
