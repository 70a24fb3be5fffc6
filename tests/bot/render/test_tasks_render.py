"""/tasks rendering and its page buttons, without the model."""

from __future__ import annotations

from bot import render
from bot.telegram import keyboards
from index import AgencySummary, Document, TaskHit
from index.records import Deadline, Task
from tests.fake_telegram import parse_html

DOC = Document(doc_id="a1b2c3d4-0", file="sa-pa.md", type="Kế hoạch", number=None, date=None, issuer="Thị ủy Sa Pa",
               locality="Sa Pa")


def _hit(n: int, role: str | None = "lead", content: str = "Tổ chức khảo sát <hài lòng> & đánh giá") -> TaskHit:
    task = Task(doc_id=DOC.doc_id, section=("III. NHIỆM VỤ", "3. Một số hoạt động", "3.3. Tổ chức khảo sát"),
                content=f"{content} {n}", lead="Phòng Nội vụ", partners=("Ban Dân vận Thị ủy",),
                deadline=Deadline("Thực hiện hàng năm", period="yearly"), chunk_id=n)
    return TaskHit(task, DOC, None, role)


def test_task_page_escapes_cites_and_fits():
    text, pages = render.tasks_page("phòng <nội vụ>", [_hit(i) for i in range(12)], 0)
    visible, _ = parse_html(text)  # valid Telegram HTML
    assert pages == 3 and "(trang 1/3)" in visible and len(visible) <= 4096
    assert "[Chủ trì]" in visible and "Chủ trì: Phòng Nội vụ" in visible
    assert "<hài lòng> & đánh giá" in visible and "Thời hạn: Thực hiện hàng năm" in visible
    assert "Kế hoạch – Thị ủy Sa Pa, mục III.3.3" in visible


def test_partner_role_and_empty_results():
    text, _ = render.tasks_page("ban dân vận", [_hit(1, role="partner")], 0)
    assert "[Phối hợp]" in parse_html(text)[0]
    text, pages = render.tasks_page("không có", [], 0)
    assert pages == 1 and "Không tìm thấy nhiệm vụ nào" in text


def test_agency_list_pages():
    agencies = [AgencySummary(f"Phòng số {i}", "Sa Pa", i) for i in range(45)]
    text, pages = render.agencies_page(agencies, 2)
    assert pages == 3 and "(trang 3/3)" in text and "Phòng số 44 (Sa Pa): 44 nhiệm vụ" in text


def test_tasks_page_button_roundtrip():
    data = keyboards.encode(keyboards.TasksPage(123456789, 7))
    assert len(data.encode()) <= 64 and keyboards.decode(data) == keyboards.TasksPage(123456789, 7)
    markup = keyboards.tasks_keyboard(5, 1, 3)
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels == ["◀ Trang trước", "Trang sau ▶"]
