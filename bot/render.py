"""Answers, sections, citations and the document list as Telegram HTML or terminal text.

Pure functions of the engine's records: no I/O, no model, so every rule an
official relies on (the right header, the exact passage, the answer sentence in
bold, escaping, 4096 characters) is unit-tested directly. Document text is
always passed through ``html.escape``: a passage containing ``<`` or ``&``
would otherwise make Telegram refuse the whole message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from bot import texts
from bot.html_split import MAX_MESSAGE, split_html
from index import AgencySummary, Answer, Document, Hit, Span, TaskHit, document_label
from index import section_label as index_section_label

PAGE_SIZE = 5  # sources per page: the first reply shows one in full and four compactly
SHORT_ANSWER = 200  # characters of an answer sentence in the compact list of sources
DOCS_PER_PAGE = 10
SHORT_TITLE = 60  # a section title this short is named in the citation line
MAX_QUOTE = 1500  # a citation line stays one copyable message
PREAMBLE = "Phần mở đầu"  # the engine's path for text before the first numbered heading

_UBND = re.compile(r"[UỦ][ỷỶyY]\s+ban\s+nhân\s+dân", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-+•*–]\s+)")
# Numbering at the start of a section title: "III.", "3.3.", "2)", "a)", "(1)".
_NUMBERING = re.compile(
    r"^\s*(?:(?P<roman>[IVXLC]{1,6})\s*[.)]"
    r"|(?P<dotted>\d{1,2}(?:\.\d{1,2}){1,4})\.?"
    r"|(?P<arabic>\d{1,2})\s*[.)]"
    r"|(?P<letter>[a-zđ])\s*\)"
    r"|\((?P<paren>\d{1,2}|[a-zđ])\))\s*"
)


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


# --------------------------------------------------------------------------- naming a source


def short_issuer(issuer: str | None) -> str | None:
    """The issuer as officials write it in a heading: "Ủy ban nhân dân" becomes "UBND"."""
    if not issuer:
        return None
    return _UBND.sub("UBND", unicodedata.normalize("NFC", issuer))


def document_header(doc: Document) -> str:
    """``Kế hoạch số 06/KH-UBND-BDVTU ngày 24/3/2021 – UBND tỉnh Phú Thọ``; unknown parts left out."""
    label = document_label(doc)
    issuer = short_issuer(doc.issuer)
    return f"{label} – {issuer}" if issuer else label


def section_label(path: Sequence[str]) -> str:
    return " › ".join(path)


def section_number(path: Sequence[str]) -> str | None:
    """The numbering chain officials cite ("III.3.3", "Điều 5"), from the engine's own reading of it."""
    return index_section_label(tuple(path))


def section_title(title: str) -> str:
    """A section title without its numbering."""
    m = _NUMBERING.match(title)
    return title[m.end():].strip() if m else title.strip()


def section_reference(path: Sequence[str]) -> str | None:
    """How the minutes name a section: ``III.1 (Ủy ban nhân dân tỉnh)``, the title only when short."""
    number = section_number(path)
    if number is None:
        return None
    title = section_title(path[-1]) if path else ""
    if title and len(title) <= SHORT_TITLE and not title.endswith("…") and _NUMBERING.match(path[-1]):
        return f"{number} ({title})"
    return number


# --------------------------------------------------------------------------- answer sentences


def merged_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    """Spans sorted, clipped to the text and merged where they overlap."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(0, s.start), min(len(text), s.end)
        if end <= start:
            continue
        if out and start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, end))
        else:
            out.append(Span(start, end))
    return out


def answer_sentences(text: str, spans: Sequence[Span]) -> list[str]:
    """The marked sentences, each as written (a leading list dash dropped)."""
    out = []
    for s in merged_spans(text, spans):
        sentence = " ".join(_BULLET.sub("", text[s.start:s.end]).split())
        if sentence:
            out.append(sentence)
    return out


def marked_passage_html(text: str, spans: Sequence[Span]) -> str:
    """The passage, escaped, with the answer sentences in ``<b>``."""
    out, pos = [], 0
    for s in merged_spans(text, spans):
        out.append(esc(text[pos:s.start]))
        out.append(f"<b>{esc(text[s.start:s.end])}</b>")
        pos = s.end
    out.append(esc(text[pos:]))
    return "".join(out)


def marked_passage_plain(text: str, spans: Sequence[Span]) -> str:
    """The passage with the answer sentences between «…», for the terminal."""
    out, pos = [], 0
    for s in merged_spans(text, spans):
        out.append(text[pos:s.start])
        out.append(f"«{text[s.start:s.end]}»")
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def _quote(text: str, spans: Sequence[Span]) -> str:
    sentences = answer_sentences(text, spans)
    quote = " … ".join(sentences) if sentences else " ".join(text.split())
    return shorten(quote, MAX_QUOTE)


def citation_line(hit: Hit, spans: Sequence[Span]) -> str:
    """``Theo Kế hoạch số … ngày … của …, mục …: "…"`` for the minutes of a meeting.

    Without answer sentences the whole passage is quoted: a longer quote is
    better than a sentence the engine did not choose.
    """
    doc = hit.document
    source = document_label(doc)
    if not doc.number and doc.title:
        source += f" “{' '.join(doc.title.split())}”"
    line = f"Theo {source}"
    if doc.issuer:
        line += f" của {' '.join(doc.issuer.split())}"
    ref = section_reference(hit.chunk.section)
    if ref:
        line += f", mục {ref}"
    return f'{line}: "{_quote(hit.chunk.text, spans)}"'


# --------------------------------------------------------------------------- Telegram HTML


def _section_line_html(path: Sequence[str]) -> str:
    return f"\n📌 Mục: {esc(section_label(path))}" if path else ""


def _source_head_html(doc: Document) -> str:
    head = f"📄 <b>{esc(document_header(doc))}</b>"
    if doc.title:
        head += f"\n<i>{esc(shorten(doc.title, 300))}</i>"
    return head


def _compact_source_html(rank: int, hit: Hit, spans: Sequence[Span]) -> str:
    ref = section_reference(hit.chunk.section)
    where = f" · mục {esc(ref)}" if ref else ""
    sentences = answer_sentences(hit.chunk.text, spans)
    said = shorten(" … ".join(sentences) if sentences else hit.chunk.text, SHORT_ANSWER)
    return f"{rank}. <b>{esc(shorten(document_header(hit.document), 200))}</b>{where}\n<i>“{esc(said)}”</i>"


def answer_messages(answer: Answer) -> list[str]:
    """The reply to a question: the top source in full, then the next sources compactly."""
    if answer.no_answer or not answer.hits:
        return [texts.NO_ANSWER]
    top, spans = answer.hits[0], answer.answer_spans[0]
    body = (
        f"{_source_head_html(top.document)}{_section_line_html(top.chunk.section)}\n"
        f"<blockquote>{marked_passage_html(top.chunk.text, spans)}</blockquote>"
    )
    others = [
        _compact_source_html(rank, hit, sp)
        for rank, (hit, sp) in enumerate(zip(answer.hits[1:PAGE_SIZE], answer.answer_spans[1:PAGE_SIZE]), start=2)
    ]
    if others:
        body += "\n\n<b>Nguồn khác:</b>\n" + "\n\n".join(others)
    return split_html(body)


def sources_messages(answer: Answer, start: int) -> list[str]:
    """A further page of sources for the same question, from rank ``start + 1`` on."""
    page = list(zip(answer.hits, answer.answer_spans))[start:start + PAGE_SIZE]
    if answer.no_answer or not page:
        return [texts.NO_MORE_SOURCES]
    blocks = []
    for rank, (hit, spans) in enumerate(page, start=start + 1):
        sentences = answer_sentences(hit.chunk.text, spans)
        said = " … ".join(sentences) if sentences else hit.chunk.text
        blocks.append(
            f"{rank}. <b>{esc(document_header(hit.document))}</b>{_section_line_html(hit.chunk.section)}\n"
            f"<blockquote>{esc(shorten(said, 600))}</blockquote>"
        )
    head = f"<b>Nguồn {start + 1}–{start + len(page)}</b> cho câu hỏi: <i>{esc(shorten(answer.question, 200))}</i>"
    return split_html(head + "\n\n" + "\n\n".join(blocks))


def section_messages(document: Document, path: Sequence[str], text: str) -> list[str]:
    """A whole section as the source wrote it, split across messages when long."""
    head = f"{_source_head_html(document)}{_section_line_html(path)}"
    # Telegram folds an expandable quote; a short section reads better unfolded.
    tag = "<blockquote expandable>" if len(text) > 1500 else "<blockquote>"
    return split_html(f"{head}\n{tag}{esc(text.strip())}</blockquote>")


def citation_messages(line: str) -> list[str]:
    """The citation line inside ``<code>``: one tap copies it in Telegram."""
    return [f"📝 Dòng trích dẫn (chạm để sao chép):\n<code>{esc(line)}</code>"]


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


# --------------------------------------------------------------------------- terminal


def plain_answer(answer: Answer) -> str:
    """The same reply as Telegram's, as plain text: answer sentences between «…»."""
    if answer.no_answer or not answer.hits:
        return texts.plain(texts.NO_ANSWER)
    top, spans = answer.hits[0], answer.answer_spans[0]
    lines = [document_header(top.document)]
    if top.document.title:
        lines.append(" ".join(top.document.title.split()))
    if top.chunk.section:
        lines.append(f"Mục: {section_label(top.chunk.section)}")
    lines.append("")
    lines += ["  │ " + line for line in marked_passage_plain(top.chunk.text, spans).splitlines()]
    lines += ["", "Trích dẫn: " + citation_line(top, spans)]
    others = list(zip(answer.hits[1:PAGE_SIZE], answer.answer_spans[1:PAGE_SIZE]))
    if others:
        lines += ["", "Nguồn khác:"]
        for rank, (hit, sp) in enumerate(others, start=2):
            ref = section_reference(hit.chunk.section)
            sentences = answer_sentences(hit.chunk.text, sp)
            said = shorten(" … ".join(sentences) if sentences else hit.chunk.text, SHORT_ANSWER)
            lines.append(f" {rank}. {document_header(hit.document)}" + (f" · mục {ref}" if ref else ""))
            lines.append(f"    “{said}”")
    return "\n".join(lines)


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
