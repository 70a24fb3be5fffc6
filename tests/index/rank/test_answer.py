"""Answers: the right passage first, the answering sentence marked, "không tìm thấy" when there is none."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from index.language.normalize import fold
from index.rank.answer import kind_score, split_sentences
from tests.bench.quality import evaluate, load_questions
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.slow


def _marked(answer, i: int = 0) -> str:
    text = answer.hits[i].chunk.text
    return " ".join(text[s.start:s.end] for s in answer.answer_spans[i])


@pytest.mark.parametrize("folded", [False, True])
def test_question_sets_with_and_without_diacritics(engine, folded):
    questions = load_questions(DATA / "eval" / "questions.jsonl") + load_questions(
        DATA / "eval" / "extra_questions.jsonl")
    scores = evaluate(engine, questions, "hybrid", fold_questions=folded)
    row = scores.row()
    assert row["hit@1"] >= 0.9, scores.failures
    assert row["hit@3"] >= 0.97, scores.failures
    assert row["no-ans R"] == 1.0 and scores.refused_positives == 0, scores.failures


def test_answer_sentence_is_marked(engine):
    answer = engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?")
    assert "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in _marked(answer)
    answer = engine.ask("Hạn gửi báo cáo 6 tháng về công tác dân vận chính quyền của Hòa Bình là khi nào?")
    assert "trước ngày 20/5/2021" in _marked(answer)
    answer = engine.ask("Ai ký Kế hoạch 06/KH-UBND-BDVTU thay mặt Ban Dân vận Tỉnh ủy?")
    assert "Nguyễn Thị Thanh Huyền" in _marked(answer)


def test_unanswerable_question_gets_suggestions_only(engine):
    answer = engine.ask("Thủ tục cấp hộ chiếu phổ thông cần những giấy tờ gì?")
    assert answer.no_answer
    answer = engine.ask("Ai là Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh?")
    assert answer.no_answer


def test_document_numbers_dates_and_places(engine):
    assert engine.ask("Kế hoạch 40 có mấy nội dung phối hợp?").hits[0].document.number == "40 KH/BDVTU-BCSDUBND"
    assert "ngày 24 tháng 3 năm 2021" in engine.ask("Kế hoạch 06/KH-UBND-BDVTU ban hành ngày nào?").hits[0].chunk.text
    top = engine.ask("Phòng Nội vụ ở Sa Pa được giao những việc gì?").hits[0]
    assert top.document.locality == "Sa Pa"


def test_old_tone_placement_and_nfd_match_modern_spelling(engine):
    modern = engine.ask("Ủy ban nhân dân tỉnh Hòa Bình giao ai theo dõi việc thực hiện kế hoạch?")
    old = engine.ask("Uỷ ban nhân dân tỉnh Hoà Bình giao ai theo dõi việc thực hiện kế hoạch?")
    import unicodedata

    nfd = engine.ask(unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Hòa Bình giao ai theo dõi việc thực hiện kế hoạch?"))
    assert modern.hits[0].chunk.chunk_id == old.hits[0].chunk.chunk_id == nfd.hits[0].chunk.chunk_id


def test_search_cli_json_and_batch(corpus_settings):
    env_args = ["--index", str(corpus_settings.index_dir)]
    single = subprocess.run([sys.executable, "-m", "index.search", *env_args, "--json", "-k", "3",
                             "Quảng Ngãi chỉ đạo thực hiện chủ trương nói không với gì?"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert single.returncode == 0, single.stderr
    data = json.loads(single.stdout)
    assert set(data) == {"query", "no_answer", "hits"} and len(data["hits"]) == 3
    hit = data["hits"][0]
    assert set(hit) == {"rank", "score", "doc_id", "file", "type", "number", "date", "issuer", "title", "section",
                        "text", "answer"}
    assert hit["file"] == "quang-ngai-2021-kh40-phoi-hop-dan-van.md" and hit["rank"] == 1
    assert any("rác thải nhựa" in s for s in hit["answer"])

    lines = "\n".join(json.dumps({"id": i, "q": q}, ensure_ascii=False) for i, q in
                      [("a", "Ai ký kế hoạch của thị ủy Sa Pa?"), ("b", "Mức lương cơ sở năm 2024 là bao nhiêu?")])
    batch = subprocess.run([sys.executable, "-m", "index.search", *env_args, "--batch"], input=lines, cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert batch.returncode == 0, batch.stderr
    results = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", "b"]
    assert "Thào A Sinh" in results[0]["hits"][0]["text"] and not results[0]["no_answer"]
    assert results[1]["no_answer"] is True


def test_sentences_and_answer_shapes():
    text = "3.3. Tổ chức khảo sát\n- Cơ quan chủ trì thực hiện: Phòng Nội vụ.\n- Thời gian thực hiện: Thực hiện hàng năm."
    spans = split_sentences(text)
    assert [text[s.start:s.end] for s in spans][1] == "- Cơ quan chủ trì thực hiện: Phòng Nội vụ."
    assert kind_score("- Cơ quan chủ trì thực hiện: Phòng Nội vụ.", ("agency",)) == 1.0
    assert kind_score("- Thời gian thực hiện: Thực hiện hàng năm.", ("date",)) == 1.0
    assert kind_score(fold("không có gì"), ("date",)) == 0.0
