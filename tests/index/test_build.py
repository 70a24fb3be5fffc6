"""Building the index: complete, incremental, honest about failures, calm on pathological files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from index.build import build_index
from index.engine import Engine
from index.errors import ModelMismatch
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SA_PA = "sa-pa-2021-2025-kh-tang-cuong-dan-van.md"


def _cli(*args: str, env_extra: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_corpus_index_is_complete(engine):
    docs = engine.documents()
    assert len(docs) == 6
    assert {d.number for d in docs} >= {"113-CV/ĐUK", "06/KH-UBND-BDVTU", "40 KH/BDVTU-BCSDUBND"}
    answer = engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?")
    top = answer.hits[0]
    assert top.document.file == SA_PA and "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in top.chunk.text
    assert not answer.no_answer


def test_second_run_embeds_nothing(fresh_settings, embedder):
    report = build_index(fresh_settings, embedder=embedder)
    assert report.embedded == 0
    assert {f.status for f in report.files} == {"unchanged"}
    assert sum(len(f.documents) for f in report.files) == 6


def test_changed_file_reembeds_only_its_changed_passages(fresh_settings, embedder):
    path = fresh_settings.corpus_dir / SA_PA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("mỗi năm tổ chức khảo sát đánh giá 5 - 8 cơ quan, đơn vị",
                                 "mỗi năm tổ chức khảo sát đánh giá 10 - 12 cơ quan, đơn vị"), encoding="utf-8")
    report = build_index(fresh_settings, embedder=embedder)
    by_file = {f.file: f for f in report.files}
    assert by_file[SA_PA].status == "indexed"
    assert all(f.status == "unchanged" for name, f in by_file.items() if name != SA_PA)
    assert 1 <= report.embedded <= 2  # the edited passage (and at most a neighbour), not the whole file
    answer = Engine(fresh_settings, embedder=embedder).ask("Mỗi năm Sa Pa khảo sát đánh giá bao nhiêu cơ quan?")
    assert "10 - 12 cơ quan" in answer.hits[0].chunk.text


def test_removed_file_leaves_the_index(fresh_settings, embedder):
    (fresh_settings.corpus_dir / SA_PA).unlink()
    report = build_index(fresh_settings, embedder=embedder)
    assert {f.file: f.status for f in report.files}[SA_PA] == "removed"
    engine = Engine(fresh_settings, embedder=embedder)
    assert all(d.file != SA_PA for d in engine.documents())
    answer = engine.ask("Thào A Sinh ký kế hoạch nào?")
    assert all(h.document.file != SA_PA for h in answer.hits)


def test_unreadable_file_is_reported_and_the_rest_indexed(fresh_settings, embedder):
    (fresh_settings.corpus_dir / "hong.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (fresh_settings.corpus_dir / "bang-tinh.xlsx").write_bytes(b"whatever")
    report = build_index(fresh_settings, embedder=embedder)
    failed = {f.file: f.error for f in report.failed}
    assert set(failed) == {"hong.docx", "bang-tinh.xlsx"}
    assert all(msg and any(c in msg for c in "ăâđêôơư") for msg in failed.values())  # Vietnamese reasons
    assert report.documents == 6


def test_cli_json_contract_and_exit_codes(fresh_settings):
    (fresh_settings.corpus_dir / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    env = {"CORPUS_DIR": str(fresh_settings.corpus_dir), "INDEX_DIR": str(fresh_settings.index_dir)}
    out = _cli("build_index.py", "--json", env_extra=env)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"index_dir", "model", "documents", "chunks", "embedded", "seconds", "files"}
    files = {f["file"]: f for f in data["files"]}
    assert files["hong.pdf"]["status"] == "failed" and files["hong.pdf"]["error"]
    assert "cannot read hong.pdf" in out.stderr  # one log line for the operator
    kh06 = next(d for f in data["files"] for d in f["documents"] if d["number"] == "06/KH-UBND-BDVTU")
    assert set(kh06) == {"doc_id", "type", "number", "date", "issuer", "title", "chunks"}
    assert kh06["date"] == "2021-03-24" and kh06["chunks"] > 0

    (fresh_settings.corpus_dir / "hong.pdf").unlink()
    again = _cli("build_index.py", "--json", env_extra=env)
    assert again.returncode == 0 and json.loads(again.stdout)["embedded"] == 0

    missing = _cli("build_index.py", "--json", "--corpus", str(fresh_settings.corpus_dir / "khong-co"), env_extra=env)
    assert missing.returncode == 2 and missing.stdout == ""


# A build killed at each of its phases (reading, embedding, writing segments, committing, collecting
# files) is tests/index/test_crash.py; damaged files tests/index/test_damaged.py; the lock test_lock.py.


def test_pathological_file_of_one_repeated_line_is_indexed_as_a_few_passages(fresh_settings, embedder):
    """2 MB of one line pasted over and over once took 303 s and made 3,585 identical passages."""
    line = "Ủy ban nhân dân tỉnh giao Sở Văn hóa chủ trì tổ chức Hội thi cán bộ dân vận khéo cấp tỉnh."
    body = (line + "\n") * (2 * 2**20 // len((line + "\n").encode()) + 1)
    (fresh_settings.corpus_dir / "lap-lai.md").write_text("# KẾ HOẠCH\n\n" + body, encoding="utf-8")
    assert (fresh_settings.corpus_dir / "lap-lai.md").stat().st_size >= 2 * 2**20
    report = build_index(fresh_settings, embedder=embedder)
    [pathological] = [f for f in report.files if f.file == "lap-lai.md"]
    assert pathological.status == "indexed" and not report.failed
    assert sum(n for _, n in pathological.documents) <= 5  # a handful of passages, not thousands
    assert report.embedded <= 5
    engine = Engine(fresh_settings, embedder=embedder)
    answer = engine.ask("Ai chủ trì tổ chức Hội thi cán bộ dân vận khéo cấp tỉnh?")
    assert answer.hits[0].document.file == "lap-lai.md" and line in answer.hits[0].chunk.text
    assert len({h.chunk.text for h in answer.hits}) == len(answer.hits)  # no duplicate sources listed
    sa_pa = engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?")
    assert "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in sa_pa.hits[0].chunk.text


def test_search_refuses_an_index_built_with_another_model(fresh_settings, embedder, tmp_path):
    from index.store.embed import prepare_default_model

    folder = tmp_path / "other-model"
    source = prepare_default_model(fresh_settings)
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(source / "model.safetensors")
    from index.store.embed import load_embedder

    other = load_embedder(replace(fresh_settings, embedding_model=str(folder)))
    assert other.model_id != embedder.model_id
    with pytest.raises(ModelMismatch) as exc:
        Engine(fresh_settings, embedder=other).ask("Ai ký kế hoạch?")
    assert "xây dựng lại" in exc.value.user_message


def test_full_rebuild_publishes_a_new_generation_the_engine_follows(fresh_settings, embedder):
    from index.store.database import current_version

    engine = Engine(fresh_settings, embedder=embedder)
    before = current_version(fresh_settings.index_dir)
    assert engine.ask("Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?").hits[0].document.file == SA_PA
    (fresh_settings.corpus_dir / SA_PA).unlink()
    report = build_index(fresh_settings, full=True, embedder=embedder)
    assert report.embedded == 0 and current_version(fresh_settings.index_dir) > before  # vectors from the cache
    assert all(d.file != SA_PA for d in engine.documents())  # the same Engine switched to the new generation


def test_an_index_of_the_old_layout_is_rebuilt_with_a_log_line(fresh_settings, embedder, caplog):
    old = fresh_settings.index_dir / "versions" / "20250101-000000-1-000001"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}")
    (fresh_settings.index_dir / "CURRENT").write_text(old.name)
    with caplog.at_level("WARNING", logger="index.build"):
        report = build_index(fresh_settings, embedder=embedder)
    assert "old layout" in caplog.text and report.documents == 6 and not report.failed
    assert not (fresh_settings.index_dir / "versions").exists() and not (fresh_settings.index_dir / "CURRENT").exists()
