"""Cut Telegram HTML into messages of at most 4096 characters without breaking the markup.

Telegram refuses a message longer than 4096 characters and refuses HTML whose
tags do not balance, so a long passage cannot simply be sliced: a cut inside
``<blockquote>…</blockquote>`` must close the quote at the end of one message
and reopen it at the start of the next. Cuts go at paragraph breaks first,
then after sentences, then between words.
"""

from __future__ import annotations

import re

MAX_MESSAGE = 4096

# A tag, an entity (&amp; &lt; &#39;) or one character: the atoms a cut must not split.
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[\s\S]")
_EMPTY_PAIR = re.compile(r"<([a-z][\w-]*)(?:\s[^<>]*)?>(\s*)</\1>")
_SENTENCE_END = ".!?;:…"

# Cut priorities, best first.
_LINE, _SENTENCE, _WORD, _ANY = 3, 2, 1, 0


def _name(tag: str) -> str:
    return re.match(r"</?\s*([\w-]+)", tag).group(1).lower()  # type: ignore[union-attr]


def _closer(open_tag: str) -> str:
    return f"</{_name(open_tag)}>"


def _is_tag(token: str) -> bool:
    return token.startswith("<") and len(token) > 1


def _tidy(message: str) -> str:
    """Drop tag pairs a cut left empty (Telegram rejects nothing but they clutter)."""
    previous = None
    while previous != message:
        previous, message = message, _EMPTY_PAIR.sub(r"\2", message)
    return message.strip()


def visible_text(markup: str) -> str:
    """The text a reader sees (tags removed, entities decoded): what Telegram counts."""
    import html

    return html.unescape(re.sub(r"<[^<>]*>", "", markup))


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Messages of at most ``limit`` characters of markup, each with balanced tags.

    Measuring the markup (not the visible text) keeps every piece within
    Telegram's limit whatever the entities decode to.
    """
    tokens = _TOKEN.findall(markup)
    messages: list[str] = []
    reopen: list[str] = []  # tags open at the cut, reopened at the start of the next message
    i, n = 0, len(tokens)
    while i < n:
        # Text at the very start of a message is trimmed by Telegram anyway.
        while i < n and tokens[i].isspace():
            i += 1
        if i >= n:
            break
        prefix = "".join(reopen)
        stack = list(reopen)
        size = len(prefix)
        closing = sum(len(_closer(t)) for t in stack)
        if size + closing >= limit:
            raise ValueError("limit too small for the open tags")
        seen_text = False
        best: dict[int, tuple[int, int, list[str]]] = {}  # priority -> (end, size, open tags)
        j = i
        while j < n:
            token = tokens[j]
            if _is_tag(token) and token.startswith("</"):
                new_closing = closing - len(_closer(stack[-1])) if stack else closing
            elif _is_tag(token):
                new_closing = closing + len(_closer(token))
            else:
                new_closing = closing
            if size + len(token) + new_closing > limit:
                break
            size += len(token)
            closing = new_closing
            if _is_tag(token):
                if token.startswith("</"):
                    if stack:
                        stack.pop()
                elif not token.endswith("/>"):
                    stack.append(token)
            elif not token.isspace():
                seen_text = True
            j += 1
            if seen_text and not _is_tag(token):
                if token == "\n":
                    priority = _LINE
                elif token == " " and j >= 2 and tokens[j - 2][-1:] in _SENTENCE_END:
                    priority = _SENTENCE
                elif token.isspace():
                    priority = _WORD
                else:
                    priority = _ANY
                best[priority] = (j, size, list(stack))
        if j >= n:
            messages.append(_tidy(prefix + "".join(tokens[i:])))
            break
        cut = _choose(best, limit)
        if cut is None:  # only tags fit: cannot happen with a sane limit
            raise ValueError("cannot split markup within the limit")
        end, _, open_tags = cut
        body = prefix + "".join(tokens[i:end]) + "".join(_closer(t) for t in reversed(open_tags))
        messages.append(_tidy(body))
        reopen = open_tags
        i = end
    return [m for m in messages if visible_text(m).strip()]


def _choose(best: dict[int, tuple[int, int, list[str]]], limit: int) -> tuple[int, int, list[str]] | None:
    """The best cut that still fills a fair share of the message, else the best there is."""
    for priority in (_LINE, _SENTENCE, _WORD, _ANY):
        if priority in best and best[priority][1] >= limit // 3:
            return best[priority]
    for priority in (_LINE, _SENTENCE, _WORD, _ANY):
        if priority in best:
            return best[priority]
    return None
