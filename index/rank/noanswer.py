"""Deciding that the corpus does not answer a question.

A wrong citation is worse than "không tìm thấy". e5 cosines alone do not
separate answerable from unanswerable questions (every Vietnamese text scores
0.8–0.9). How much of the question's vocabulary the best passages contain
does, once Vietnamese words are counted as syllable pairs: "kết hôn" shares
the syllables of "kết quả" and "hơn", not the word. So the main signal is the
BM25 score of the best passages over the question's informative syllables and
syllable pairs, divided by their summed IDF (``fusion.coverage``); pairs the
corpus never uses count in full against it. The engine adds the cosine of the
nearest passage, centred and weighted, which rescues paraphrased questions
(laws asked in citizens' words) without letting in lookalike ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.language.normalize import canonical, fold
from index.language.segment import abbreviation_terms, syllables
from index.rank.answer import kind_score, split_sentences
from index.rank.ask import CONDITION, Ask
from index.rank.fusion import coverage
from index.rank.query import Query
from index.rank.retrieve import Searcher
from index.records import Chunk
from index.understand.context import context_text
from index.understand.places import province, provinces_named
from index.understand.structure import CLOSING, PREAMBLE


def question_terms(query: Query) -> list[str]:
    return list(dict.fromkeys([*query.content_syllables, *query.content_bigrams, *query.numbers]))


def answerability(searcher: Searcher, query: Query, chunk_ids: list[int]) -> float:
    """Best share of the question's IDF mass found in one of ``chunk_ids`` (0–1)."""
    field = searcher.fields["terms"]
    terms = question_terms(query)
    if not terms:
        return 0.0
    idf_sum = sum(field.idf(t) for t in terms)
    scores = field.scores(terms)
    rows = [searcher.row_of[c] for c in chunk_ids if c in searcher.row_of]
    return max((coverage(float(scores[r]), idf_sum) for r in rows), default=0.0)


def missing_place(searcher: Searcher, query: Query, chunk_ids: list[int]) -> str | None:
    """A province the question names that none of the evidence passages (or their documents) is about.

    "Ai là Chủ tịch UBND tỉnh Bắc Ninh?" matches plenty of words in a corpus
    of other provinces' plans; the place it names is what rules them out.
    """
    places = provinces_named(query.canonical)
    if not places:
        return None
    chunks = searcher.chunks(chunk_ids)
    seen = " ".join(
        fold(c.text + " " + context_text(searcher.documents[c.doc_id], c.section)) for c in chunks.values()
    )
    for place in places:
        if fold(place) not in seen:
            return place
    return None


# ----------------------------------------------------------------- bodies the question names

# An organisation is named by a head word and its proper part: "Sở Y tế", "Công an tỉnh",
# "Bộ Chỉ huy Quân sự", "Trường Đại học Phạm Văn Đồng". Read on the accented text
# (typed, or restored for a question without marks), where "Sở" is not "số" and
# "Trường" is not "trưởng"; "cơ sở", "trụ sở", "trường hợp", "cục bộ" are no bodies.
_BODY = re.compile(
    r"(?<![\w])(?<!cơ )(?<!trụ )(sở|công an|bộ chỉ huy|bệnh viện|trường(?! hợp)|đài|viện kiểm sát|học viện|"
    r"trung tâm|chi cục|cục(?! bộ)|kho bạc|ngân hàng|tòa án|liên đoàn)\s+((?:[\w-]+\s*){1,6})",
    re.IGNORECASE)
# Where a body's proper part ends: its locality ("tỉnh …"), then verbs and function words.
_BODY_END = frozenset(
    "tinh huyen xa phuong duoc co la phoi tham chu thuc trong cua o tai nhu nao gi ai khi "
    "voi va den cho de giao chiu lam can se da dang ve theo nam thang ngay moi tu".split())
_LOCALITY_PAIRS = frozenset({("thanh", "pho"), ("thi", "xa"), ("thi", "tran")})


def bodies_named(text: str) -> list[str]:
    """Folded names of the organisations a question names, each cut at its locality or verb."""
    out = []
    text = canonical(text)
    # A question typed with capitals capitalises the body's own name ("Sở Y tế", "Bộ Chỉ huy Quân
    # sự"): it ends before the first lower-case word ("Tòa án tuyên bố…" names only "Tòa án").
    capitals = any(c.isupper() for c in text[1:])
    for m in _BODY.finditer(text):
        head = fold(m.group(1))
        proper: list[str] = []
        raw = re.findall(r"\w+", m.group(2))
        words = [fold(w) for w in raw]
        for i, word in enumerate(words):
            if capitals and not raw[i][:1].isupper():
                if proper:
                    proper.append(word)  # "Sở Nội vụ": the lower-case word closing a capitalised name
                break
            if (word in _BODY_END or tuple(words[i:i + 2]) in _LOCALITY_PAIRS or len(proper) == 4
                    or any(province(" ".join(words[i:i + n])) for n in (1, 2, 3))):
                break
            proper.append(word)
        if proper or " " in head:
            out.append(" ".join([head, *proper]))
    return list(dict.fromkeys(out))


def missing_body(question: str, evidence: str) -> str | None:
    """An organisation the question names that the cited passage (with its context) never mentions.

    "Sở Y tế được giao nhiệm vụ gì?" is not answered by a passage about the
    Mặt trận, however many of the question's other words it shares.
    """
    held = " " + " ".join(re.findall(r"[a-z0-9]+", fold(evidence))) + " "
    for body in bodies_named(question):
        if f" {body} " not in held:
            return body
    return None


# ----------------------------------------------------------------- does the passage answer the ask?

# A number that is not part of a date, a document number or a section number.
_NUM = r"(?<![\w/.,-])\d+(?:[.,]\d+)*(?:/\d+)?"
# "một số", "một vài" say "some", not one.
_NUMBER_WORDS = r"(?:mot(?! so\b| vai\b)|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin|mot nua|hai phan ba|mot phan ba)"
_MONEY = re.compile(rf"{_NUM}\s*(?:dong|d\b|trieu|ty|nghin|ngan|usd|vnd)|\b{_NUMBER_WORDS} (?:trieu|ty) dong")
_CONDITIONAL = re.compile(r"\b(khi|neu|truong hop|ke tu|sau khi|truoc khi|trong thoi han|chi duoc)\b")
_TIME_UNITS = ("nam", "thang", "ngay", "gio", "tuan", "phut", "quy")
_PERIODIC = re.compile(r"\b(dinh ky|hang nam|hang quy|hang thang|hang tuan|thuong xuyen|moi nam|moi thang)\b")
# "vào sáng thứ Năm hằng tuần", "lúc 14 giờ": a schedule answers "thời gian nào" as well as a date does.
_SCHEDULE = re.compile(r"\bthu (hai|ba|tu|nam|sau|bay)\b|\bchu nhat\b|\b\d{1,2}\s?(?:gio|h)(?:\s?\d{2})?\b")
_PHONE = re.compile(r"(?<!\d)(?:\(?0\d{1,3}\)?[\s.]?\d{3,4}[\s.]?\d{3,4}|1[89]00[\s.]?\d{3,4}|\+84[\s\d.]{8,12})(?!\d)")
_ADDRESS = re.compile(
    r"\b(dia chi|tru so|so nha)\b|(?<![\w/.])\d{1,4}[a-z]?\s+(?:duong|pho)?\s*[A-ZĐÀ-Ỹ][a-zà-ỹ]+\s+[A-ZĐÀ-Ỹ]|"
    r"\b(?:tai|o) (?:hoi truong|phong hop|nha van hoa|tru so)\b")
_SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đình Thào Hà Đào Đoàn Trịnh Mai "
    "Trương Lương Lâm Tạ Cao Châu Tô Quách Vương Thái Kiều Lò Giàng Sùng Lương Đinh Triệu Nông Hứa Lưu Tống Chu "
    "Khổng Mạc Thân Lại Từ Phùng Âu Doãn Diệp Kim Cù Hầu Lục Ông Vi"
).split()
# "Hà Nội", "Lâm Đồng", "Thái Bình", "Cao Bằng" start like a person's name and are places.
_PLACE_AFTER_SURNAME = r"(?!\s+(?:Nội|Giang|Tĩnh|Nam|Đồng|Bình|Nguyên|Bằng|Thuận|Lạt|Đốc|Thành|Hòa|Minh\b))"
_PERSON = re.compile(rf"\b(?:{'|'.join(_SURNAMES)}){_PLACE_AFTER_SURNAME}(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹ]*){{1,3}}\b")
# A counted noun may be written shorter than asked ("bao nhiêu xã, phường" ← "16 xã"), or as a kin word.
_UNIT_SYNONYMS = {"xa": ("xa", "don vi"), "xa phuong": ("xa", "don vi"), "hec ta": ("ha", "hec ta", "hecta"),
                  "nguoi": ("nguoi", "dai bieu", "dong chi", "thanh vien"), "phan tram": ("%",)}
_SHORT_UNITS = {"xa", "huyen", "tinh", "nguoi", "lan", "tuoi", "hoi", "lop", "ho", "thon", "du", "co", "don"}

ANSWER_SHAPED = ("count", "amount", "duration", "date", "person", "phone", "place")
DOCUMENT_ASKS = ("signer", "recipient", "document")


def unit_forms(unit: str) -> tuple[str, ...]:
    """The ways a counted noun may be written after its number (folded)."""
    forms = [unit, *_UNIT_SYNONYMS.get(unit, ())]
    head = unit.split()[0] if unit else ""
    if head in _SHORT_UNITS:
        forms.append(head)
    return tuple(dict.fromkeys(f for f in forms if f))


def has_shape(ask: Ask, sentence: str) -> bool:
    """The sentence holds an answer of the asked kind: a count of the asked unit, money, a phone number…"""
    f = fold(sentence)
    kind = ask.kind
    if kind == "count":
        if not ask.units:
            return kind_score(sentence, ("quantity",)) > 0 or bool(
                re.search(rf"\b{_NUMBER_WORDS} phan (?:hai|ba|tu|nam|muoi)\b|{_NUM}\s*%", f))
        for unit in ask.units:
            if unit == "%":
                if re.search(rf"{_NUM}\s*(?:%|phan tram)", f):
                    return True
                continue
            forms = "|".join(re.escape(u) for u in unit_forms(unit))
            if re.search(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s+(?:[a-z]+\s+){{0,2}}?(?:{forms})\b", f):
                return True
        return False
    if kind == "amount":
        return bool(_MONEY.search(f))
    if kind == "duration":
        units = ask.units or _TIME_UNITS
        forms = "|".join(units)
        return bool(re.search(rf"(?:{_NUM}|\b{_NUMBER_WORDS})\s+(?:{forms})\b", f) or _PERIODIC.search(f))
    if kind == "date":
        return (kind_score(sentence, ("date",)) > 0 or bool(_PERIODIC.search(f) or _SCHEDULE.search(f))
                or (CONDITION in ask.units and bool(_CONDITIONAL.search(f))))
    if kind == "person":
        return bool(_PERSON.search(canonical(sentence)))
    if kind == "phone":
        return bool(_PHONE.search(sentence))
    if kind == "place":
        return bool(_ADDRESS.search(canonical(sentence)) or _ADDRESS.search(f))
    return True


def subject_terms(ask: Ask) -> list[str]:
    """The subject's syllables and the pairs adjacent in the question ("thanh_lap")."""
    return list(dict.fromkeys([*ask.subject, *ask.pairs]))


def subject_share(terms: list[str], text: str, idf: Callable[[str], float]) -> float:
    """IDF share of ``terms`` present in ``text`` (folded syllables and syllable pairs)."""
    if not terms:
        return 1.0
    bag = _bag(text)
    # A pair counts half: pairs across two words of the question ("quyen_tinh") are weak evidence.
    weight = {t: idf(t) * (0.5 if "_" in t else 1.0) for t in terms}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in bag) / total if total > 0 else 1.0


_HEADER_LINE = re.compile(
    r"^\s*(so\s*[:.]|kinh gui|noi nhan|v/v|cong hoa xa hoi|doc lap\s*-|(tm|kt|tl|tuq|t/m|k/t)[.\s]|luu[:\s])|"
    r"^[^.]{0,60}, ngay [\d.… ]+ thang [\d.… ]+ nam|cong hoa xa hoi chu nghia|doc lap\s*[-–]\s*tu do")


def header_line(sentence: str) -> bool:
    """A line of the letterhead or the signature block: number, place and date, titles, a lone name, capitals."""
    s = sentence.strip()
    letters = [c for c in s if c.isalpha()]
    if not letters:
        return True
    if _HEADER_LINE.search(fold(s)) or (len(s) < 60 and _PERSON.fullmatch(canonical(s))):
        return True
    return len(s) < 160 and sum(c.isupper() for c in letters) / len(letters) > 0.6


def answers_ask(ask: Ask, chunk: Chunk, context: str, idf: Callable[[str], float],
                min_subject: float = 0.5) -> bool:
    """Whether a passage can be cited as the answer to a question with this ``ask``.

    Rule:
    1. The header and the signature block answer only questions about the
       document itself: in sections ``Phần mở đầu`` and ``Chữ ký và nơi nhận``
       the letterhead and signature lines (``header_line``: "Số: …", "<place>,
       ngày …", "Kính gửi", titles in capitals, a lone name, "Nơi nhận") count
       only for who signed, to whom, which document, and — when the question
       names the document — when it was issued. A count, an amount, a phone
       number, a person's office is never answered by a letterhead. Other
       sentences of the header section (a scan whose body the structure could
       not split off) count as body text.
    2. Asks with an answer shape (count, amount, duration, date, person, phone,
       place) need one sentence that has that shape (a count carries the asked
       unit: "bao nhiêu đảng viên" needs "… N đảng viên") and that, with the
       passage's context (document, section path), holds at least
       ``min_subject`` of the IDF mass of what the question is about.
    3. Other asks ("ai chủ trì", "văn bản nào", "nhiệm vụ gì") need some body
       sentence; the rest is left to the vocabulary and cosine support.
    """
    spans = split_sentences(chunk.text)
    sentences = [chunk.text[sp.start:sp.end] for sp in spans]
    if chunk.section[:1] in ((PREAMBLE,), (CLOSING,)):
        if ask.kind in DOCUMENT_ASKS or (ask.names_document and ask.kind in ("date", "agency", "open")):
            return True
        # The signature block and recipient list hold no body text; a scan's header page may.
        usable = [chunk.section[:1] == (PREAMBLE,) and not header_line(s) for s in sentences]
    else:
        usable = [True] * len(sentences)
    if ask.kind not in ANSWER_SHAPED:
        return any(usable)
    terms = subject_terms(ask)
    # What the context (document, section) already says is given; the rest of what the
    # question names ("thành lập" in "ngày thành lập Đảng ủy Khối…") must be in the passage itself
    # (not only in one sentence: a law states its subject in the clause before its figure).
    # Syllables only: pairs across two of the question's words ("xa_sa") are no evidence either way.
    own = [t for t in _not_in(terms, context) if "_" not in t]
    passage = chunk.text
    for i, sentence in enumerate(sentences):
        if not usable[i] or not has_shape(ask, sentence):
            continue
        if (subject_share(terms, sentence + " " + context, idf) >= min_subject
                and subject_share(own, passage, idf) >= min_subject):
            return True
    return False


def _bag(text: str) -> set[str]:
    """Folded syllables and adjacent pairs of ``text``, and the words its abbreviations stand for
    ("BTV Tỉnh ủy" holds "ban thường vụ")."""
    syl = syllables(text)
    return set(syl) | {f"{a}_{b}" for a, b in zip(syl, syl[1:])} | set(abbreviation_terms(text))


def _not_in(terms: list[str], text: str) -> list[str]:
    bag = _bag(text)
    return [t for t in terms if t not in bag]
