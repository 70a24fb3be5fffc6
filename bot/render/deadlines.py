"""Deadlines as officials read them: ``/hanchot``, the weekly digest, the 7-day and 1-day reminders.

A task is due on the last day its deadline allows (``index.due_date``:
"Quý II/2024" → 30/6/2024); recurring wording ("hằng năm", "thường xuyên")
has no day and is never listed here. Each entry carries the citation of the
plan that set it, so the reminder can be forwarded to the meeting as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.render.citation import esc, section_reference, shorten
from bot.render.html_split import split_html
from index import TaskHit, document_label, due_date

AHEAD_DAYS = 30  # /hanchot shows what falls due within a month…
BEHIND_DAYS = 90  # …and what is overdue by up to three months
MAX_LISTED = 40  # beyond this the list says how many more there are

DEADLINES_HOW_TO = (
    "Gõ <i>/hanchot tên cơ quan</i> để xem hạn chót của một cơ quan, ví dụ <i>/hanchot phòng nội vụ</i>; "
    "<i>/nhacviec tên cơ quan</i> để nhận nhắc việc trong nhóm này."
)


@dataclass(frozen=True)
class DueTask:
    hit: TaskHit
    due: date

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def due_tasks(hits: Sequence[TaskHit], today: date, ahead: int = AHEAD_DAYS,
              behind: int = BEHIND_DAYS) -> list[DueTask]:
    """Tasks due from ``behind`` days ago to ``ahead`` days on, by date (the same task once)."""
    found: dict[tuple, DueTask] = {}
    for hit in hits:
        due = due_date(hit.task.deadline)
        if due is None or not -behind <= (due - today).days <= ahead:
            continue
        key = (hit.document.doc_id, hit.task.chunk_id, hit.task.content)
        found.setdefault(key, DueTask(hit, due))
    return sorted(found.values(), key=lambda d: (d.due, d.hit.document.doc_id, d.hit.task.chunk_id or 0))


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _when(item: DueTask, today: date) -> str:
    left = item.days_left(today)
    if left < 0:
        return f"⚠️ <b>{_day(item.due)}</b> · <b>quá hạn {-left} ngày</b>"
    if left == 0:
        return f"⏰ <b>{_day(item.due)}</b> · hạn chót hôm nay"
    return f"⏰ <b>{_day(item.due)}</b> · còn {left} ngày"


def task_citation(hit: TaskHit) -> str:
    """``Theo Kế hoạch số … của …, mục …`` of the plan that set the task."""
    doc = hit.document
    line = f"Theo {document_label(doc)}"
    if not doc.number and doc.title:  # as the answer's citation line: a plan without a number by its title
        line += f" “{shorten(doc.title, 150)}”"
    if doc.issuer:
        line += f" của {' '.join(doc.issuer.split())}"
    ref = section_reference(hit.task.section)
    if ref:
        line += f", mục {ref}"
    return line


def _entry(item: DueTask, today: date) -> str:
    task = item.hit.task
    role = " · <i>[Phối hợp]</i>" if item.hit.role == "partner" else ""
    lines = [_when(item, today) + role, f"<b>{esc(shorten(task.content, 300))}</b>",
             "👤 <i>Chủ trì:</i> " + esc(shorten(task.lead or "không nêu", 160))]
    if task.partners:
        lines.append("🤝 <i>Phối hợp:</i> " + esc(shorten("; ".join(task.partners), 200)))
    if task.deadline is not None:
        lines.append("🗓 <i>Thời hạn ghi trong văn bản:</i> " + esc(shorten(task.deadline.text, 120)))
    lines.append("📄 " + esc(shorten(task_citation(item.hit), 300)))
    return "\n".join(lines)


def _listing(head: str, items: Sequence[DueTask], today: date) -> list[str]:
    body = [_entry(item, today) for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        body.append(f"… và {len(items) - MAX_LISTED} nhiệm vụ khác.")
    return split_html("\n\n".join([head, *body]))


def deadlines_messages(agency: str | None, items: Sequence[DueTask], today: date) -> list[str]:
    """The reply to ``/hanchot [cơ quan]``: overdue first (marked), then the coming month, by date."""
    who = f" của «{esc(shorten(agency, 80))}»" if agency else ""
    if not items:
        return [f"Không có nhiệm vụ{who} đến hạn trong {AHEAD_DAYS} ngày tới hoặc quá hạn trong {BEHIND_DAYS} "
                f"ngày qua (tính đến ngày {_day(today)}).\n\n{DEADLINES_HOW_TO}"]
    overdue = sum(1 for i in items if i.days_left(today) < 0)
    head = (f"<b>Hạn chót{who}</b> (ngày {_day(today)}): {len(items)} nhiệm vụ"
            + (f", trong đó <b>{overdue} quá hạn</b>" if overdue else "") + ".")
    return _listing(head, items, today)


def digest_messages(agency: str, items: Sequence[DueTask], today: date) -> list[str]:
    """The Monday digest of one subscription."""
    head = f"🗓 <b>Nhắc việc tuần</b> – «{esc(shorten(agency, 80))}» (ngày {_day(today)})"
    if not items:
        return [f"{head}\nKhông có nhiệm vụ đến hạn trong {AHEAD_DAYS} ngày tới hoặc quá hạn chưa quá "
                f"{BEHIND_DAYS} ngày."]
    return _listing(head + f": {len(items)} nhiệm vụ.", items, today)


def reminder_messages(agency: str, items: Sequence[DueTask], today: date) -> list[str]:
    """A 7-day or 1-day reminder: the tasks of one agency due on one day."""
    left = items[0].days_left(today)
    when = "ngày mai" if left == 1 else ("hôm nay" if left == 0 else f"còn {left} ngày")
    head = (f"🔔 <b>Nhắc hạn chót</b> – «{esc(shorten(agency, 80))}»: {len(items)} nhiệm vụ đến hạn "
            f"<b>{_day(items[0].due)}</b> ({when}).")
    return _listing(head, items, today)


def subscriptions_message(agencies: Sequence[str]) -> str:
    if not agencies:
        return ("Nhóm này chưa đăng ký nhắc việc. Gõ <i>/nhacviec tên cơ quan</i>, ví dụ "
                "<i>/nhacviec phòng nội vụ</i>: bản tin thứ Hai hằng tuần lúc 7:30 và lời nhắc 7 ngày, 1 ngày "
                "trước mỗi hạn chót.")
    lines = ["<b>Nhắc việc đã đăng ký</b> trong cuộc trò chuyện này:"]
    lines += [f"• {esc(shorten(a, 120))}" for a in agencies]
    lines.append("\nHủy bằng <i>/huynhac tên cơ quan</i> hoặc <i>/huynhac</i> để hủy tất cả.")
    return "\n".join(lines)


def subscribed_message(agency: str, new: bool, items: Sequence[DueTask], today: date) -> str:
    who = esc(shorten(agency, 80))
    head = (f"✅ Đã đăng ký nhắc việc cho «{who}»" if new else f"«{who}» đã được đăng ký nhắc việc từ trước")
    head += (": bản tin thứ Hai hằng tuần lúc 7:30 và lời nhắc 7 ngày, 1 ngày trước mỗi hạn chót. "
             "Hủy bằng /huynhac.")
    upcoming = [i for i in items if i.days_left(today) >= 0]
    if upcoming:
        head += f"\nSắp đến hạn: {len(upcoming)} nhiệm vụ, gần nhất ngày {_day(upcoming[0].due)}."
    return head


def unsubscribed_message(gone: Sequence[str], asked: str | None) -> str:
    if not gone:
        return (f"Không có đăng ký nhắc việc nào cho «{esc(shorten(asked, 80))}»." if asked
                else "Cuộc trò chuyện này chưa đăng ký nhắc việc nào.")
    return "Đã hủy nhắc việc: " + "; ".join(f"«{esc(shorten(a, 80))}»" for a in gone) + "."


NO_AGENCY_TASKS = (
    "Không tìm thấy nhiệm vụ nào của «{agency}» trong các văn bản, nên chưa đăng ký nhắc việc. "
    "Gõ /tasks để xem tên các cơ quan được giao nhiệm vụ."
)
