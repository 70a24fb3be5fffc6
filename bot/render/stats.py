"""``/thongke`` for admins: how much the assistant is used and where it disappoints."""

from __future__ import annotations

from collections.abc import Callable

from bot.render.citation import document_header, esc, section_reference, shorten
from bot.render.html_split import split_html
from index import Hit

NO_QUESTIONS = "Chưa có câu hỏi nào được ghi nhận."
ADMIN_ONLY = "Xin lỗi, chỉ quản trị viên mới xem được thống kê (/thongke)."


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def stats_messages(stats, passage: Callable[[int], Hit | None]) -> list[str]:
    """``stats`` is the ledger's ``Stats``; ``passage`` fetches the top passage of a 👎 answer."""
    if not stats.questions:
        return [NO_QUESTIONS]
    lines = [
        "<b>Thống kê sử dụng</b>",
        f"• Tổng số câu hỏi: {stats.questions}",
        f"• Không tìm thấy câu trả lời: {stats.not_found} ({_share(stats.not_found, stats.questions)})",
        f"• Lượt đánh giá: {stats.votes}, trong đó 👎: {stats.down} ({_share(stats.down, stats.votes)})",
        "",
        "<b>Câu hỏi theo ngày</b> (gần nhất trước):",
    ]
    for day in stats.days:
        y, m, d = day.day.split("-")
        lines.append(f"• {int(d)}/{int(m)}/{y}: {day.questions} câu hỏi, {day.not_found} không tìm thấy")
    if stats.latest_down:
        lines += ["", "<b>Các câu hỏi bị đánh giá 👎 gần nhất:</b>"]
        for row in stats.latest_down:
            entry = f"• <i>{esc(shorten(row.question, 200))}</i>"
            hit = passage(row.chunk_ids[0]) if row.chunk_ids else None
            if hit is not None:
                ref = section_reference(hit.chunk.section)
                entry += (f"\n   ↳ {esc(shorten(document_header(hit.document), 150))}"
                          + (f", mục {esc(ref)}" if ref else "")
                          + f": “{esc(shorten(hit.chunk.text, 200))}”")
            elif row.no_answer:
                entry += "\n   ↳ (không tìm thấy)"
            lines.append(entry)
    return split_html("\n".join(lines))
