"""Hand-made engine records for the bot's unit tests (no model, no index)."""

from __future__ import annotations

from index.records import Answer, Chunk, Document, Hit, Span

PHU_THO = Document(
    doc_id="76991fdf-1", file="phu-tho-2021-cv113-kh06-dan-van.md", type="Kế hoạch", number="06/KH-UBND-BDVTU",
    date="2021-03-24", issuer="Ủy ban nhân dân tỉnh Phú Thọ", title="Phối hợp thực hiện công tác dân vận năm 2021",
)
SA_PA = Document(
    doc_id="038fe142-0", file="sa-pa.md", type="Kế hoạch", issuer="Thị ủy Sa Pa",
    title="tăng cường công tác dân vận giai đoạn 2021 - 2025",
)
NO_METADATA = Document(doc_id="aaaaaaaa-0", file="x.txt")

PHU_THO_TEXT = (
    "1. Ủy ban nhân dân tỉnh\n"
    "- Chỉ đạo UBND các huyện, thành, thị tổ chức triển khai thực hiện kế hoạch này. "
    "Giao Sở Nội vụ tỉnh theo dõi, tham mưu trực tiếp các nội dung triển khai thực hiện."
)
PHU_THO_ANSWER = "Giao Sở Nội vụ tỉnh theo dõi, tham mưu trực tiếp các nội dung triển khai thực hiện."


def hit(doc: Document, text: str, section: tuple[str, ...] = ("III. TỔ CHỨC THỰC HIỆN", "1. Ủy ban nhân dân tỉnh"),
        chunk_id: int = 59) -> Hit:
    return Hit(chunk=Chunk(chunk_id, doc.doc_id, section, text, 0, len(text)), document=doc, score=1.0)


def span_of(text: str, sentence: str) -> Span:
    start = text.index(sentence)
    return Span(start, start + len(sentence))


def phu_tho_hit() -> tuple[Hit, tuple[Span, ...]]:
    return hit(PHU_THO, PHU_THO_TEXT), (span_of(PHU_THO_TEXT, PHU_THO_ANSWER),)


def answer_of(*pairs: tuple[Hit, tuple[Span, ...]], no_answer: bool = False, question: str = "câu hỏi") -> Answer:
    return Answer(question=question, hits=tuple(h for h, _ in pairs), answer_spans=tuple(s for _, s in pairs),
                  no_answer=no_answer)
