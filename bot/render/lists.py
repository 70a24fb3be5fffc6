"""Lists an official browses: the documents in the corpus, agencies and their tasks.

Paged so that a province-sized corpus fits Telegram's 4096 characters per message.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import texts
from bot.render.citation import document_header, esc, section_number, shorten
from bot.render.html_split import MAX_MESSAGE
from index import AgencySummary, Document, TaskHit

DOCS_PER_PAGE = 10


def docs_page(documents: Sequence[Document], page: int) -> tuple[str, int]:
    """One page of the document list and the number of pages.

    Pages keep each message far below 4096 characters however long the titles,
    and let a province-sized corpus be browsed with two buttons.
    """
    if not documents:
        return texts.NO_DOCUMENTS, 1
    pages = (len(documents) + DOCS_PER_PAGE - 1) // DOCS_PER_PAGE
    page = min(max(page, 0), pages - 1)
    first = page * DOCS_PER_PAGE
    head = f"<b>Kho văn bản: {len(documents)} văn bản</b>" + (f" (trang {page + 1}/{pages})" if pages > 1 else "")
    # Escaping can multiply odd characters fivefold: shorten further until the page fits.
    for header_cap, title_cap in ((200, 120), (120, 60), (60, 0)):
        lines = [head]
        for n, doc in enumerate(documents[first:first + DOCS_PER_PAGE], start=first + 1):
            entry = f"{n}. <b>{esc(shorten(document_header(doc), header_cap))}</b>"
            if doc.title and title_cap:
                entry += f"\n    <i>{esc(shorten(doc.title, title_cap))}</i>"
            lines.append(entry)
        text = "\n\n".join(lines)
        if len(text) <= MAX_MESSAGE:
            break
    return text, pages


def plain_docs(documents: Sequence[Document]) -> str:
    if not documents:
        return texts.plain(texts.NO_DOCUMENTS)
    lines = [f"Kho văn bản: {len(documents)} văn bản"]
    for n, doc in enumerate(documents, start=1):
        lines.append(f"{n}. {document_header(doc)}")
        if doc.title:
            lines.append(f"    {' '.join(doc.title.split())}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- /tasks

TASKS_PER_PAGE = 5
AGENCIES_PER_PAGE = 20
_ROLE = {"lead": "Chủ trì", "partner": "Phối hợp"}


def _pages(count: int, per_page: int, page: int) -> tuple[int, int]:
    pages = max(1, (count + per_page - 1) // per_page)
    return min(max(page, 0), pages - 1), pages


def agencies_page(agencies: Sequence[AgencySummary], page: int) -> tuple[str, int]:
    """Agencies with their task counts; the official then asks ``/tasks <cơ quan>``."""
    if not agencies:
        return texts.NO_TASKS, 1
    page, pages = _pages(len(agencies), AGENCIES_PER_PAGE, page)
    first = page * AGENCIES_PER_PAGE
    head = f"<b>Cơ quan được giao nhiệm vụ: {len(agencies)}</b>" + (f" (trang {page + 1}/{pages})" if pages > 1 else "")
    lines = [head, ""]
    for a in agencies[first:first + AGENCIES_PER_PAGE]:
        place = f" ({esc(a.locality)})" if a.locality else ""
        lines.append(f"• {esc(shorten(a.name, 120))}{place}: {a.tasks} nhiệm vụ")
    lines += ["", texts.TASKS_HOW_TO]
    return "\n".join(lines), pages


def _task_html(n: int, hit: TaskHit) -> str:
    task, doc = hit.task, hit.document
    role = f"<i>[{_ROLE[hit.role]}]</i> " if hit.role else ""
    lines = [f"{role}<b>{n}. {esc(shorten(task.content, 350))}</b>",
             "👤 <i>Chủ trì:</i> " + esc(shorten(task.lead or "không nêu", 200))]
    if task.partners:
        lines.append("🤝 <i>Phối hợp:</i> " + esc(shorten("; ".join(task.partners), 250)))
    lines.append("⏰ <i>Thời hạn:</i> " + (esc(shorten(task.deadline.text, 150)) if task.deadline else "không nêu"))
    number = section_number(task.section)
    source = document_header(doc) + (f", mục {number}" if number else "")
    lines.append("📄 " + esc(shorten(source, 250)))
    return "\n".join(lines)


def tasks_page(agency: str, hits: Sequence[TaskHit], page: int) -> tuple[str, int]:
    """One page of an agency's tasks, soonest deadline first, each with its source to cite."""
    if not hits:
        return texts.NO_TASKS_FOR.format(agency=esc(agency)), 1
    page, pages = _pages(len(hits), TASKS_PER_PAGE, page)
    first = page * TASKS_PER_PAGE
    head = (f"<b>Nhiệm vụ của «{esc(shorten(agency, 80))}»: {len(hits)}</b>, sắp theo thời hạn"
            + (f" (trang {page + 1}/{pages})" if pages > 1 else ""))
    body = [_task_html(n, h) for n, h in enumerate(hits[first:first + TASKS_PER_PAGE], start=first + 1)]
    return "\n\n".join([head, *body]), pages
