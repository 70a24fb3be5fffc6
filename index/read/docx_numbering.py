"""Word automatic numbering (numbering.xml) rendered as the labels a reader sees.

Plans number their sections with Word's list feature ("I.", "1.", "a)"),
so the numbers are not in the paragraph text at all. The section tree is
built from those numbers, so the labels are recomputed here the way Word
counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml import etree

_W_VAL = qn("w:val")


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str  # numFmt: decimal, upperRoman, lowerLetter, bullet…
    text: str  # lvlText: "%1.", "%1.%2.", "a)", ""
    restart: int | None  # lvlRestart: None = after any higher level, 0 = never
    legal: bool  # isLgl: show higher levels as decimal ("1.1" under "I.")
    style: str | None  # pStyle: the paragraph style this level is attached to


@dataclass
class _Instance:
    abstract_id: str
    levels: dict[int, Level]
    start_overrides: dict[int, int]
    used: bool = False


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    if element is None:
        return default
    return element.get(_W_VAL, default)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _parse_level(lvl: etree._Element) -> Level:
    # Custom formats ("001, 002") sit in mc:AlternateContent, not a direct
    # child, and fall back to decimal here as in old Word versions.
    fmt = _val(lvl.find(qn("w:numFmt")), "decimal") or "decimal"
    restart = lvl.find(qn("w:lvlRestart"))
    legal = lvl.find(qn("w:isLgl"))
    return Level(
        start=_int(_val(lvl.find(qn("w:start"))), 1),
        fmt=fmt,
        text=_val(lvl.find(qn("w:lvlText")), "") or "",
        restart=_int(_val(restart), 0) if restart is not None else None,
        legal=legal is not None and _val(legal, "1") not in ("0", "false", "off"),
        style=_val(lvl.find(qn("w:pStyle"))),
    )


def _roman(number: int) -> str:
    if number <= 0 or number >= 4000:
        return str(number)
    out = []
    for value, symbol in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while number >= value:
            out.append(symbol)
            number -= value
    return "".join(out)


def _letter(number: int) -> str:
    # Word goes a…z, then aa…zz, aaa…: the letter repeats, it does not carry.
    if number <= 0:
        return str(number)
    letter = chr(ord("a") + (number - 1) % 26)
    return letter * ((number - 1) // 26 + 1)


def format_number(number: int, fmt: str) -> str:
    if fmt in ("upperRoman",):
        return _roman(number)
    if fmt == "lowerRoman":
        return _roman(number).lower()
    if fmt == "upperLetter":
        return _letter(number).upper()
    if fmt == "lowerLetter":
        return _letter(number)
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt == "none":
        return ""
    return str(number)


def _bullet(text: str) -> str:
    # Bullets are usually a Symbol/Wingdings glyph in the private-use area or
    # "•"; Vietnamese plans read them as "-". A "+" bullet marks sub-items and stays.
    return "+" if text.strip() == "+" else "-"


@dataclass
class Numbering:
    """Counters for one document; ``label`` must be called in document order."""

    abstracts: dict[str, dict[int, Level]] = field(default_factory=dict)
    instances: dict[str, _Instance] = field(default_factory=dict)
    # Word continues counting across w:num instances that share an abstract
    # definition (unless one restarts with a startOverride), so counters are
    # kept per abstract definition.
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    style_levels: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def from_document(cls, document: object) -> Numbering:
        numbering = cls()
        try:
            part = document.part.numbering_part  # type: ignore[attr-defined]
        except (KeyError, NotImplementedError, AttributeError):
            return numbering
        root = part.element
        style_links: dict[str, str] = {}
        for abstract in root.findall(qn("w:abstractNum")):
            abstract_id = abstract.get(qn("w:abstractNumId"))
            levels = {
                _int(lvl.get(qn("w:ilvl")), 0): _parse_level(lvl) for lvl in abstract.findall(qn("w:lvl"))
            }
            numbering.abstracts[abstract_id] = levels
            link = _val(abstract.find(qn("w:numStyleLink")))
            if link:
                style_links[abstract_id] = link
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            abstract_id = _val(num.find(qn("w:abstractNumId")))
            if num_id is None or abstract_id is None:
                continue
            levels = dict(numbering.abstracts.get(abstract_id, {}))
            overrides: dict[int, int] = {}
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    overrides[ilvl] = _int(_val(start), 1)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels[ilvl] = _parse_level(lvl)
            numbering.instances[num_id] = _Instance(abstract_id, levels, overrides)
        numbering._resolve_style_links(document, style_links)
        for num_id, instance in numbering.instances.items():
            for ilvl, level in instance.levels.items():
                if level.style:
                    numbering.style_levels.setdefault(level.style, (num_id, ilvl))
        return numbering

    def _resolve_style_links(self, document: object, style_links: dict[str, str]) -> None:
        """An abstract with numStyleLink only points at a numbering style that holds the real list."""
        if not style_links:
            return
        styles = document.styles.element  # type: ignore[attr-defined]
        for instance in self.instances.values():
            link = style_links.get(instance.abstract_id)
            if not link:
                continue
            for style in styles.findall(qn("w:style")):
                if style.get(qn("w:styleId")) != link:
                    continue
                num_id = _val(style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}"))
                target = self.instances.get(num_id or "")
                if target and target is not instance:
                    instance.abstract_id = target.abstract_id
                    instance.levels = (
                        {**target.levels, **instance.levels} if instance.levels else target.levels
                    )

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list and return the label of this paragraph ("II.", "1.2.", "a)", "-")."""
        instance = self.instances.get(num_id)
        if instance is None or num_id == "0":
            return None
        level = instance.levels.get(ilvl)
        if level is None:
            return None
        counters = self.counters.setdefault(instance.abstract_id, {})
        if not instance.used:
            instance.used = True
            for lvl, start in instance.start_overrides.items():
                counters[lvl] = start - 1
        if ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = level.start
        # A higher level advancing restarts the lower ones (unless lvlRestart says otherwise).
        for lower in list(counters):
            if lower <= ilvl:
                continue
            lower_level = instance.levels.get(lower)
            restart = lower_level.restart if lower_level else None
            if restart == 0:
                continue
            if restart is None or ilvl < restart:
                del counters[lower]
        if level.fmt == "bullet":
            return _bullet(level.text)
        text = level.text
        for n in range(9, 0, -1):
            placeholder = f"%{n}"
            if placeholder not in text:
                continue
            ref = n - 1
            ref_level = instance.levels.get(ref)
            value = counters.get(ref, ref_level.start if ref_level else 1)
            fmt = ref_level.fmt if ref_level else "decimal"
            if level.legal:
                fmt = "decimal"
            text = text.replace(placeholder, format_number(value, fmt))
        return text.strip() or None
