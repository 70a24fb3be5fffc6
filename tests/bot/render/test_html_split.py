"""Splitting Telegram HTML: every piece within the limit, balanced, and nothing lost."""

from __future__ import annotations

import html
import random

import pytest

from bot.render.html_split import split_html, visible_text
from tests.fake_telegram import parse_html


def _words(rng: random.Random, n: int) -> str:
    vocab = ["Ủy", "ban", "nhân", "dân", "tỉnh", "a<b", "R&D", "*đậm*", "3.3.", "kế", "hoạch", "số", "06/KH"]
    return " ".join(rng.choice(vocab) for _ in range(n))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_short_markup_is_one_message() -> None:
    assert split_html("<b>Xin chào</b>") == ["<b>Xin chào</b>"]


def test_cut_inside_a_quote_closes_and_reopens_it() -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * 30 for i in range(40)]
    markup = "<b>Tiêu đề</b>\n<blockquote expandable>" + "\n".join(paragraphs) + "</blockquote>"
    parts = split_html(markup, limit=500)
    assert len(parts) > 5
    for part in parts:
        assert len(part) <= 500
        parse_html(part)  # raises on unbalanced tags
    assert all(p.count("<blockquote expandable>") == 1 for p in parts)
    # Paragraph boundaries are preferred: every piece after the first starts a paragraph.
    assert all(visible_text(p).lstrip().startswith("Đoạn") for p in parts[1:])
    assert _flat(" ".join(visible_text(p) for p in parts)) == _flat(visible_text(markup))


def test_a_paragraph_longer_than_the_limit_is_cut_between_words() -> None:
    sentence = "Giao Sở Nội vụ chủ trì, phối hợp với các sở. "
    markup = "<blockquote><b>" + html.escape(sentence * 200) + "</b></blockquote>"
    parts = split_html(markup, limit=4096)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= 4096
        text, entities = parse_html(part)
        assert {e["type"] for e in entities} == {"blockquote", "bold"}
        assert text.endswith(".")  # cut after a sentence, not inside a word
    assert _flat(" ".join(visible_text(p) for p in parts)) == _flat(sentence * 200)


def test_entities_are_never_split() -> None:
    markup = "&lt;&amp;&gt;" * 2000
    parts = split_html(markup, limit=100)
    for part in parts:
        parse_html(part)
    assert "".join(visible_text(p) for p in parts) == "<&>" * 2000


@pytest.mark.parametrize("seed", range(20))
def test_random_nested_markup(seed: int) -> None:
    rng = random.Random(seed)
    pieces = []
    for _ in range(rng.randint(5, 40)):
        words = html.escape(_words(rng, rng.randint(1, 120)), quote=False)
        tag = rng.choice(["b", "i", "code", "blockquote", None])
        inner = f"<b>{words}</b>" if tag == "blockquote" and rng.random() < 0.5 else words
        pieces.append(f"<{tag}>{inner}</{tag}>" if tag else inner)
    markup = rng.choice(["\n", "\n\n", " "]).join(pieces)
    limit = rng.choice([200, 700, 4096])
    parts = split_html(markup, limit=limit)
    for part in parts:
        assert len(part) <= limit
        parse_html(part)
    assert _flat(" ".join(visible_text(p) for p in parts)) == _flat(visible_text(markup))
