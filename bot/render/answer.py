"""The reply to a question, further sources and whole sections, as Telegram HTML or terminal text.

Each message stays within Telegram's 4096 characters (``split_html``); a
question the engine refused gets the "không tìm thấy" text, never a passage.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render import texts
from bot.render.citation import (
    answer_sentences,
    citation_line,
    document_header,
    esc,
    marked_passage_html,
    marked_passage_plain,
    page_label,
    section_label,
    section_reference,
    shorten,
)
from bot.render.html_split import split_html
from index import Answer, Document, Hit, Span

PAGE_SIZE = 5  # sources per page: the first reply shows one in full and four compactly
SHORT_ANSWER = 200  # characters of an answer sentence in the compact list of sources


# --------------------------------------------------------------------------- Telegram HTML


def _section_line_html(path: Sequence[str], pages: Sequence[int] = ()) -> str:
    """``📌 Mục: … · trang 2``; a passage without a section still says its page."""
    page = page_label(pages)
    if path:
        return f"\n📌 Mục: {esc(section_label(path))}" + (f" · {page}" if page else "")
    return f"\n📌 {page[:1].upper()}{page[1:]}" if page else ""


def _ocr_line_html(hit: Hit) -> str:
    """A passage read by OCR may hold misread words: say so before the official quotes it."""
    return f"\n🔎 <i>{texts.OCR_MARK}</i>" if hit.chunk.ocr else ""


def _source_head_html(doc: Document) -> str:
    head = f"📄 <b>{esc(document_header(doc))}</b>"
    if doc.title:
        head += f"\n<i>{esc(shorten(doc.title, 300))}</i>"
    return head


def _compact_source_html(rank: int, hit: Hit, spans: Sequence[Span]) -> str:
    ref = section_reference(hit.chunk.section)
    where = f" · mục {esc(ref)}" if ref else ""
    page = page_label(hit.chunk.pages)
    where += f" · {page}" if page else ""
    where += " · OCR" if hit.chunk.ocr else ""
    sentences = answer_sentences(hit.chunk.text, spans)
    said = shorten(" … ".join(sentences) if sentences else hit.chunk.text, SHORT_ANSWER)
    return f"{rank}. <b>{esc(shorten(document_header(hit.document), 200))}</b>{where}\n<i>“{esc(said)}”</i>"


def answer_messages(answer: Answer) -> list[str]:
    """The reply to a question: the top source in full, then the next sources compactly."""
    if answer.no_answer and answer.related and answer.hits:
        return split_html(f"{texts.NO_ANSWER}\n\n⚠️ <b>{texts.RELATED_ONLY}</b>\n"
                          f"{_compact_source_html(1, answer.hits[0], ())}")
    if answer.no_answer or not answer.hits:
        return [texts.NO_ANSWER]
    top, spans = answer.hits[0], answer.answer_spans[0]
    body = (
        f"{_source_head_html(top.document)}{_section_line_html(top.chunk.section, top.chunk.pages)}"
        f"{_ocr_line_html(top)}\n"
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
            f"{rank}. <b>{esc(document_header(hit.document))}</b>"
            f"{_section_line_html(hit.chunk.section, hit.chunk.pages)}{_ocr_line_html(hit)}\n"
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


# --------------------------------------------------------------------------- terminal


def plain_answer(answer: Answer) -> str:
    """The same reply as Telegram's, as plain text: answer sentences between «…»."""
    if answer.no_answer and answer.related and answer.hits:
        hit = answer.hits[0]
        return "\n".join([texts.plain(texts.NO_ANSWER), "", "⚠️ " + texts.RELATED_ONLY,
                          f" {document_header(hit.document)}", f"    “{shorten(hit.chunk.text, SHORT_ANSWER)}”"])
    if answer.no_answer or not answer.hits:
        return texts.plain(texts.NO_ANSWER)
    top, spans = answer.hits[0], answer.answer_spans[0]
    lines = [document_header(top.document)]
    if top.document.title:
        lines.append(" ".join(top.document.title.split()))
    if top.chunk.section:
        lines.append(f"Mục: {section_label(top.chunk.section)}")
    page = page_label(top.chunk.pages)
    if page:
        lines.append(page[:1].upper() + page[1:])
    if top.chunk.ocr:
        lines.append(texts.OCR_MARK)
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
