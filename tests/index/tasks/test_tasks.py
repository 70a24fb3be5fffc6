"""Assignments: who leads, who helps, by when — from lists, sentences, agency sections and tables."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from index.parse import parse_file
from index.tasks.agencies import matches, split_agencies
from index.tasks.deadlines import normalise, sort_key
from tests.bench.tasks import extraction_scores
from tests.conftest import CORPUS, ROOT


def _tasks(name: str):
    return [t for pd in parse_file(CORPUS / name, name) for t in pd.tasks]


def test_extraction_against_the_gold_table():
    scores = extraction_scores(CORPUS)
    assert scores["recall"] >= 0.9
    assert scores["precision (Sa Pa + Quảng Ngãi)"] >= 0.9
    assert scores["deadline normalised right"] == 1.0


def test_list_items_under_an_activity():
    survey = next(t for t in _tasks("sa-pa-2021-2025-kh-tang-cuong-dan-van.md")
                  if t.content.startswith("Tổ chức khảo sát, đánh giá sự hài lòng"))
    assert survey.lead == "Phòng Nội vụ"
    assert "Ban Dân vận Thị ủy" in survey.partners
    assert survey.deadline.period == "yearly" and "hàng năm" in survey.deadline.text
    assert survey.section[-1].startswith("3.3.")


def test_giao_sentence_with_partners_and_dated_deadline():
    tasks = _tasks("hoa-binh-2021-kh-dan-van-chinh-quyen.md")
    snv = next(t for t in tasks if t.lead == "Sở Nội vụ")
    assert snv.partners == ("các cơ quan liên quan",)
    assert snv.content.startswith("theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch này")
    report = next(t for t in tasks if t.deadline and t.deadline.date == "2021-05-20")
    assert "Ủy ban nhân dân các huyện, thành phố" in report.lead


def test_agency_headed_section_and_directed_agency():
    tasks = _tasks("quang-ngai-2021-kh40-phoi-hop-dan-van.md")
    by_lead = {}
    for t in tasks:
        by_lead.setdefault(t.lead, []).append(t)
    assert len(by_lead["Ban Dân vận Tỉnh ủy"]) == 3
    assert all(t.partners == ("Ban Dân vận Tỉnh ủy",) for t in by_lead["Ủy ban nhân dân tỉnh"])
    budget = next(t for t in tasks if t.lead == "Sở Nội vụ")
    assert "gửi Sở Tài chính thẩm định" in budget.content


def test_every_task_points_at_the_passage_that_states_it():
    for pd in parse_file(CORPUS / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md", "sa-pa.md"):
        for t in pd.tasks:
            passage = pd.chunks[t.chunk_id].text
            assert t.lead.split(";")[0].split(",")[0] in passage or t.content[:30] in passage


def test_task_table_in_a_docx(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph().add_run("KẾ HOẠCH").bold = True
    document.add_paragraph().add_run("Chuyển đổi số trong cơ quan nhà nước năm 2024").bold = True
    document.add_paragraph("Căn cứ Nghị quyết của Tỉnh ủy, Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau: "
                           "tập trung triển khai các nhiệm vụ trọng tâm về chuyển đổi số, bảo đảm an toàn thông tin "
                           "và nâng cao chất lượng dịch vụ công trực tuyến cho người dân và doanh nghiệp.")
    document.add_paragraph().add_run("III. TỔ CHỨC THỰC HIỆN").bold = True
    table = document.add_table(rows=4, cols=5)
    rows = [
        ("TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"),
        ("1", "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Thông tin và Truyền thông",
         "Sở Nội vụ; Văn phòng UBND tỉnh", "Quý II/2024"),
        ("2", "Đào tạo kỹ năng số cho cán bộ, công chức", "Sở Nội vụ", "Sở Thông tin và Truyền thông",
         "trước ngày 30/9/2024"),
        ("3", "Khảo sát mức độ hài lòng với dịch vụ công trực tuyến", "Sở Nội vụ", "UBND các huyện",
         "hằng năm"),
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(2, 2).merge(table.cell(3, 2))  # one lead agency for two rows
    table.cell(3, 2).text = "Sở Nội vụ"
    path = tmp_path / "01CT_20240509_154257.docx"
    document.save(path)

    tasks = [t for pd in parse_file(path, path.name) for t in pd.tasks]
    by_content = {t.content: t for t in tasks}
    kho = by_content["Xây dựng kho dữ liệu dùng chung của tỉnh"]
    assert kho.lead == "Sở Thông tin và Truyền thông"
    assert kho.partners == ("Sở Nội vụ", "Văn phòng UBND tỉnh")
    assert kho.deadline.period == "2024-Q2"
    training = by_content["Đào tạo kỹ năng số cho cán bộ, công chức"]
    assert training.lead == "Sở Nội vụ" and training.deadline.date == "2024-09-30"
    survey = by_content["Khảo sát mức độ hài lòng với dịch vụ công trực tuyến"]
    assert survey.lead == "Sở Nội vụ" and survey.deadline.period == "yearly"  # lead from the merged cell
    assert len(tasks) == 3
    assert [t.content for t in sorted(tasks, key=lambda t: sort_key(t.deadline))][0].startswith("Xây dựng kho")


@pytest.mark.parametrize("text, date, period", [
    ("trước ngày 30/6/2024", "2024-06-30", None), ("Quý II/2024", None, "2024-Q2"),
    ("Tháng 9/2024", None, "2024-09"), ("hằng năm", None, "yearly"), ("định kỳ 6 tháng", None, "every-6-months"),
    ("Thực hiện năm 2022 và Quý III/2024", None, "2022"), ("Năm 2022, 2023", None, "2022/2023"),
    ("thường xuyên", None, "ongoing"),
])
def test_deadlines_keep_wording_and_normalise(text, date, period):
    d = normalise(text)
    assert (d.date, d.period) == (date, period) and d.text == text


def test_agency_names_match_across_spellings():
    assert matches("phong noi vu", "Phòng Nội vụ") and matches("UBND tỉnh", "Ủy ban nhân dân tỉnh")
    assert not matches("so noi vu", "Phòng Nội vụ")
    assert not matches("phong noi vu", "Sở Nội vụ (Phòng Xây dựng chính quyền)")
    assert split_agencies("UBND các huyện, thành, thị, các sở, ban, ngành") == [
        "UBND các huyện, thành, thị", "các sở, ban, ngành"]


@pytest.mark.slow
def test_engine_tasks_by_agency_scoped_by_locality(engine):
    sa_pa = engine.tasks("phong noi vu")
    assert any(t.task.lead == "Phòng Nội vụ" and t.document.locality == "Sa Pa" for t in sa_pa)
    assert all("Sở Nội vụ" != t.task.lead for t in sa_pa)
    quang_ngai = engine.tasks("Sở Nội vụ Quảng Ngãi")
    assert quang_ngai and all(t.document.locality == "Quảng Ngãi" for t in quang_ngai)
    assert any("Sở Tài chính thẩm định" in t.task.content for t in quang_ngai)
    assert all(t.chunk is not None and t.task.doc_id == t.chunk.doc_id for t in quang_ngai)
    agencies = engine.agencies()
    assert any(a.name == "Phòng Nội vụ" and a.locality == "Sa Pa" for a in agencies)


@pytest.mark.slow
def test_tasks_cli_json(corpus_settings):
    out = subprocess.run([sys.executable, "-m", "index.tasks", "--index", str(corpus_settings.index_dir), "--json",
                          "--agency", "phòng nội vụ"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    survey = next(t for t in data if t["lead"] == "Phòng Nội vụ")
    assert survey["deadline"]["period"] == "yearly" and "Phòng Nội vụ" in survey["passage"]
    assert {"doc_id", "section", "content", "lead", "partners", "deadline", "chunk_id"} <= set(survey)
