"""Assignments found in plans: who leads, who helps, by when — each tied to its passage.

Plans assign work in four shapes, all handled here:
- task tables (.docx): columns for content, lead agency, partners, deadline;
- list items under an activity: "- Cơ quan chủ trì thực hiện: …", "- Cơ quan,
  đơn vị phối hợp: …", "- Thời gian thực hiện: …";
- sentences: "Giao Sở Nội vụ chủ trì, phối hợp với … theo dõi, đôn đốc …";
- "Tổ chức thực hiện / Phân công trách nhiệm" sections whose sub-headings are
  agencies ("1. Ban Dân vận Tỉnh ủy") followed by that agency's duties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.language.normalize import fold
from index.records import Block, Chunk, Deadline, Document, Section, Task
from index.tasks.agencies import AGENCY_HEAD, name_before_duty, split_agencies
from index.tasks.deadlines import find_in, normalise
from index.understand.structure import CLOSING, marker_of

_LEAD_FIELD = re.compile(r"^[-–+•*]?\s*(?:(?:Cơ quan|Đơn vị|cơ quan|đơn vị)[^:]{0,25})?\bchủ trì[^:]{0,25}:\s*(.+)$")
_PARTNER_FIELD = re.compile(r"^[-–+•*]?\s*(?:(?:Cơ quan|Đơn vị|cơ quan|đơn vị)[^:]{0,25})?\bphối hợp[^:]{0,25}:\s*(.+)$")
_TIME_FIELD = re.compile(r"^[-–+•*]?\s*(?:Thời gian|Thời hạn|Tiến độ|Thời điểm)[^:]{0,30}:\s*(.+)$")
_CONTENT_FIELD = re.compile(r"^[-–+•*]?\s*(?:Nội dung|Nhiệm vụ)[^:]{0,20}:\s*(.+)$")
_LABELLED_TIME = re.compile(r"^[-–+•*]?\s*([^:]{3,60}):\s*((?:Thực hiện|thực hiện)\s.+)$")
_GIAO = re.compile(r"(?:^|[.;:]\s+|,\s+|^[-–+•]\s*|\d\.\s+)(?:[^.;]{0,60}?\s)?[Gg]iao\s+(?:cho\s+)?(.+)")
_LEADS = re.compile(r"^(.{3,200}?)\s+chủ trì\s*(?:,|và|;)?\s*(.*)$")
_PARTNER_LEAD = re.compile(r"^phối hợp(?: chặt chẽ)?(?: với)?\s+(.+)$")
_PARTNER_INSIDE = re.compile(r"\bphối hợp(?: chặt chẽ)?(?: với)?\s+(.+)$")
_NOT_A_TASK = re.compile(r"^(Trên đây là|Quá trình thực hiện|Trong quá trình thực hiện|Nơi nhận)", re.IGNORECASE)
_DIRECTIVE = re.compile(r"\b[Cc]hỉ đạo\s+((?:Sở|Phòng|Ban|UBND|Ủy ban|Uỷ ban|Trung tâm|Văn phòng|Mặt trận|Công an|"
                        r"các sở|các cơ quan|các phòng|Đài|Báo)\b.+)")
_ORGANISING = re.compile(r"tổ chức thực hiện|phân công|trách nhiệm|nhiệm vụ của|tổ chức triển khai", re.IGNORECASE)
_DIRECTS = re.compile(r"^(.{3,120}?)\s+chỉ đạo\s+(.{3,120}?)(?:\s+phối hợp\s+(?:với\s+)?(.+?))?\s*:?\s*$")
_DASH = re.compile(r"^[-–+•*]\s*")
_HEADER_CELLS = {"lead": ("chu tri",), "partners": ("phoi hop",), "deadline": ("thoi gian", "thoi han", "tien do",
                 "hoan thanh"), "content": ("noi dung", "nhiem vu", "cong viec", "hoat dong", "ten")}


@dataclass(frozen=True)
class _Located:
    block: Block
    offset: int  # in the document text


def extract_tasks(document: Document, sections: list[Section], chunks: list[Chunk]) -> list[Task]:
    """Every assignment of the document; ``chunk_id`` holds the index of its passage in ``chunks``."""
    tasks: list[Task] = []
    for section in sections:
        if section.path[:1] == (CLOSING,):
            continue
        located = _locate(section)
        tasks += _table_tasks(document, section, located)
        field_tasks = _field_tasks(document, section, located)
        tasks += field_tasks
        tasks += _prose_tasks(document, section, located, skip_fields=bool(field_tasks))
    return [replace(t, chunk_id=_chunk_index(chunks, t)) for t in _dedupe(tasks)]


def _locate(section: Section) -> list[_Located]:
    out, pos = [], section.start
    for b in section.blocks:
        out.append(_Located(b, pos))
        pos += len(b.text) + 1
    return out


def _title(text: str) -> str:
    m = marker_of(text)
    return (text[m.end:] if m else text).strip(" :")


def _task(document: Document, section: Section, content: str, lead: str | None, partners: list[str],
          deadline: Deadline | None, offset: int) -> Task:
    # chunk_id temporarily carries the source offset; _chunk_index turns it into the passage.
    return Task(doc_id=document.doc_id, section=section.path, content=_DASH.sub("", content).strip(),
                lead=lead, partners=tuple(partners), deadline=deadline, chunk_id=offset)


# ---------------------------------------------------------------- shape 1: table
def _table_tasks(document: Document, section: Section, located: list[_Located]) -> list[Task]:
    rows = [loc for loc in located if loc.block.kind == "row"]
    if len(rows) < 2:
        return []
    tasks: list[Task] = []
    columns: dict[str, int] | None = None
    above: dict[str, str] = {}  # a vertically merged cell is printed once; rows below inherit it
    for loc in rows:
        cells = [c.strip() for c in loc.block.text.split(" | ")]
        header = _header_columns(cells)
        if header is not None:
            columns, above = header, {}
            continue
        if columns is None or len(cells) < 2:
            continue

        def get(key: str) -> str:
            value = cells[columns[key]] if key in columns and columns[key] < len(cells) else ""
            if value or key == "content":
                above[key] = value
                return value
            return above.get(key, "")

        content = get("content") or max(cells, key=len)
        lead = get("lead")
        if not lead or not content:
            continue
        tasks.append(_task(document, section, content, lead, split_agencies(get("partners")),
                           normalise(get("deadline")) if get("deadline") else None, loc.offset))
    return tasks


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    folded = [fold(c) for c in cells]
    columns: dict[str, int] = {}
    for key, words in _HEADER_CELLS.items():
        for i, f in enumerate(folded):
            if i not in columns.values() and any(w in f for w in words) and len(f) < 40:
                columns[key] = i
                break
    return columns if "lead" in columns else None


# ---------------------------------------------------- shape 2: labelled list items
def _field_tasks(document: Document, section: Section, located: list[_Located]) -> list[Task]:
    lead = partners = None
    times: list[str] = []
    content_extra: str | None = None
    anchor = None
    for loc in located:
        text = loc.block.text.strip()
        if m := _LEAD_FIELD.match(text):
            lead, anchor = m.group(1).strip(" ."), anchor or loc.offset
        elif m := _PARTNER_FIELD.match(text):
            partners = m.group(1)
        elif m := _TIME_FIELD.match(text):
            times.append(m.group(1).strip(" ."))
        elif m := _CONTENT_FIELD.match(text):
            content_extra = m.group(1).strip()
        elif m := _LABELLED_TIME.match(text):
            times.append(f"{m.group(1).strip()}: {m.group(2).strip(' .')}")
    if not lead:
        return []
    content = _title(section.blocks[0].text) if section.heading else (content_extra or section.path[-1])
    deadline = None
    if times:
        text = "; ".join(times)
        deadline = normalise(text) or Deadline(text=text)
    return [_task(document, section, content, lead, split_agencies(partners or ""), deadline, anchor or section.start)]


# ---------------------------------------- shapes 3 and 4: sentences, agency sections
def _section_agency(section: Section) -> tuple[str | None, list[str]]:
    """The agency a section is about, when it sits under "Tổ chức thực hiện" / "Phân công …"."""
    if not section.heading or not any(_ORGANISING.search(p) for p in section.path[:-1]):
        return None, []
    title = _title(section.blocks[0].text)
    if m := _DIRECTS.match(title):
        # "Ban Cán sự đảng UBND tỉnh chỉ đạo UBND tỉnh phối hợp với Ban Dân vận Tỉnh ủy:"
        return m.group(2).strip(), split_agencies(m.group(3) or "")
    if AGENCY_HEAD.match(title) and len(title) <= 100 and not title.endswith("."):
        return title, []
    return None, []


def _prose_tasks(document: Document, section: Section, located: list[_Located], skip_fields: bool) -> list[Task]:
    agency, agency_partners = _section_agency(section)
    organising = any(_ORGANISING.search(p) for p in section.path)
    tasks: list[Task] = []
    body = located[1:] if section.heading else located
    for loc in body:
        text = loc.block.text.strip()
        if _NOT_A_TASK.match(_DASH.sub("", text)):
            continue
        if loc.block.kind == "row" or (skip_fields and (_LEAD_FIELD.match(text) or _PARTNER_FIELD.match(text)
                                                        or _TIME_FIELD.match(text) or _LABELLED_TIME.match(text))):
            continue
        found = _assignments(text, organising)
        delegated = any(lead[:1].isupper() for _, lead, _, _ in found) and _GIAO.search(text)
        if agency is not None and not delegated:
            # Under "1. Ban Dân vận Tỉnh ủy" every duty is that agency's, even one that
            # directs another body; tasks it gives by name are added beside it.
            content, partners = _duty(_DASH.sub("", text))
            tasks.append(_task(document, section, content, agency, agency_partners + partners, find_in(text),
                               loc.offset))
            found = [f for f in found if f[1][:1].isupper()]
        elif agency is not None:
            # "Giao Phòng Nội vụ Thành phố chủ trì …" under "1. UBND Thành phố": the named office does it.
            found = [f for f in found if f[1][:1].isupper()]
        elif not found and organising:
            subject = _subject(text)
            if subject:
                lead, duty = subject
                content, partners = _duty(duty)
                tasks.append(_task(document, section, content, lead, partners, find_in(text), loc.offset))
        tasks += [_task(document, section, c or _DASH.sub("", text), lead, p, d, loc.offset)
                  for c, lead, p, d in found]
    return tasks


def _assignments(text: str, organising: bool) -> list[tuple[str, str, list[str], Deadline | None]]:
    """"Giao X chủ trì, phối hợp với Y <duty>", "Giao X <duty>" and "A chỉ đạo X <duty>" in a block."""
    out = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-ZĐ])", text):
        m = _GIAO.search(sentence)
        if not m:
            continue
        rest = m.group(1)
        lm = _LEADS.match(rest)
        if lm and AGENCY_HEAD.match(lm.group(1)):
            lead, after = lm.group(1).strip(" ,"), lm.group(2)
            content, partners = _duty(after)
        else:
            lead, duty = name_before_duty(rest)
            if not lead or not AGENCY_HEAD.match(lead) or len(lead) > 150:
                continue
            # "… giao Phòng Dân vận Chính quyền và Đoàn thể; …": the duty follows later in the block.
            content, partners = _duty(duty) if duty else ("", [])
        out.append((content, lead, partners, find_in(sentence)))
    for sentence in re.split(r"(?<=[.;])\s+", text):
        sentence = _DASH.sub("", sentence.strip())
        m = _DIRECTIVE.search(sentence)
        if not m or _GIAO.search(sentence):
            continue
        # Only when someone named does the directing, or in the part of the plan that assigns work:
        # "Phối hợp trong việc … chỉ đạo các cơ quan …" is joint work, not an assignment.
        if not organising and not AGENCY_HEAD.match(sentence):
            continue
        target = m.group(1)
        while (inner := re.search(r"\bchỉ đạo\s+(.+)", target)) and AGENCY_HEAD.match(inner.group(1)):
            target = inner.group(1)
        lead, duty = name_before_duty(target)
        if lead and duty and AGENCY_HEAD.match(lead) and len(lead) <= 100:
            content, partners = _duty(duty)
            out.append((content, lead, partners, find_in(sentence)))
    return out


def _duty(text: str) -> tuple[str, list[str]]:
    """Split "phối hợp với Y theo dõi, đôn đốc …" into the duty and the partners Y."""
    text = text.strip(" ,;")
    m = _PARTNER_LEAD.match(text)
    if m and AGENCY_HEAD.match(m.group(1)):
        names, rest = name_before_duty(m.group(1))
        return (rest or text), split_agencies(names)
    m = _PARTNER_INSIDE.search(text)
    if m and AGENCY_HEAD.match(m.group(1)):
        names, _ = name_before_duty(m.group(1))
        return text, split_agencies(names)
    return text, []


def _subject(text: str) -> tuple[str, str] | None:
    """"Căn cứ …, các Sở, ban, ngành, UBND các huyện, thành phố xây dựng Kế hoạch …" -> agency, duty."""
    body = _DASH.sub("", text)
    marker = marker_of(body)
    if marker:
        body = body[marker.end:]
    if fold(body).startswith("can cu"):
        parts = body.split(",", 1)
        body = parts[1] if len(parts) > 1 else ""
        # The clause may hold several commas ("Căn cứ Kế hoạch của UBND tỉnh, các Sở, …").
        m = re.search(r"\b(các Sở|các sở|Các Sở|UBND|Ủy ban|Ban|Sở|Phòng|Mặt trận|các cơ quan|Các cơ quan)\b", body)
        body = body[m.start():] if m else body
    body = body.strip(" ,")
    if not AGENCY_HEAD.match(body):
        return None
    lead, duty = name_before_duty(body)
    if not lead or not duty or len(lead) > 120:
        return None
    return lead, duty


# ------------------------------------------------------------------ helpers
def _dedupe(tasks: list[Task]) -> list[Task]:
    seen, out = set(), []
    for t in tasks:
        key = (fold(t.lead or ""), fold(t.content)[:80])
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def _chunk_index(chunks: list[Chunk], task: Task) -> int | None:
    offset = task.chunk_id
    if offset is None:
        return None
    for i, c in enumerate(chunks):
        if c.doc_id == task.doc_id and c.start <= offset < c.end:
            return i
    # The block may start in the gap between two passages (a skipped bare heading).
    after = [i for i, c in enumerate(chunks) if c.doc_id == task.doc_id and c.start >= offset]
    return after[0] if after else None
