"""The bot end to end for admins: uploads, /reindex, limits, and buttons across a restart.

These tests change the corpus and the index, so the module's bot works on its
own copy of them; each test uploads files under its own names.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from bot.render import texts
from index.build import build_lock
from index.errors import CorruptFile
from index.settings import Settings
from tests.bot.harness import (
    BotProcess,
    ask,
    bold_inside_quote,
    bot_env,
    button,
    copy_index,
    entity_texts,
    message_text,
    press,
    say,
)
from tests.fake_telegram import Call, FakeTelegramServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(300)]

ADMIN = 700001000
OFFICIAL = 700001001
MB = 1024 * 1024



def filler(count: int) -> list[str]:
    """Numbered tasks that make a plan long enough for indexing it to take seconds, not milliseconds."""
    return [
        f"{i}. Nhiệm vụ bổ sung số {i}: rà soát, số hóa hồ sơ lưu trữ của các phòng chuyên môn thuộc nhóm {i}, "
        f"cập nhật dữ liệu văn bản đã ban hành vào kho dữ liệu dùng chung, báo cáo tiến độ định kỳ hằng tháng "
        f"về Văn phòng UBND tỉnh trước ngày {i % 28 + 1} hằng tháng."
        for i in range(3, 3 + count)
    ]


def make_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def plan(number: str, task: str, tasks: int = 27) -> bytes:
    """A plan not in the corpus, assigning ``task`` under "II. NHIỆM VỤ"."""
    return make_docx([
        "ỦY BAN NHÂN DÂN TỈNH LÀO CAI", f"Số: {number}", "Lào Cai, ngày 5 tháng 6 năm 2024", "KẾ HOẠCH",
        "Ứng dụng trợ lý ảo trong tra cứu văn bản hành chính năm 2024",
        "I. MỤC ĐÍCH, YÊU CẦU", "Nâng cao hiệu quả tra cứu văn bản của cán bộ, công chức.",
        "II. NHIỆM VỤ", "1. Xây dựng nền tảng trợ lý ảo", task,
        "2. Đào tạo cán bộ", "Sở Nội vụ phối hợp tổ chức tập huấn sử dụng trợ lý ảo cho cán bộ cấp xã.",
        *filler(tasks),
        "III. TỔ CHỨC THỰC HIỆN", "Các sở, ban, ngành triển khai thực hiện Kế hoạch này.",
    ])


@dataclass
class RunningBot:
    process: BotProcess
    settings: Settings

    def restart(self, tg: FakeTelegramServer) -> None:
        assert self.process.stop() == 0, self.process.log_text()[-3000:]
        self.process = BotProcess(self.process.env, self.process.log_path).start(tg)


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, corpus_settings: Settings, tmp_path_factory) -> Iterator[RunningBot]:
    root = tmp_path_factory.mktemp("bot-admin")
    settings = copy_index(corpus_settings, root)
    # 30 MB: above the cloud Bot API's own 20 MB download limit, so both limits can be seen.
    env = bot_env(settings, root / "state", tg, ADMIN_USER_IDS=f"{ADMIN},1", MAX_UPLOAD_MB="30")
    running = RunningBot(BotProcess(env, root / "bot.log").start(tg), settings)
    yield running
    assert running.process.stop() == 0, running.process.log_text()[-3000:]


def upload(tg: FakeTelegramServer, name: str, content: bytes, caption: str | None = None) -> Call:
    """An admin sends a file; returns the final report (the edit of the "working…" message)."""
    since = tg.mark()
    tg.send_document(name, content, user_id=ADMIN, caption=caption)
    progress = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=ADMIN, since=since)[0]
    assert "Đã nhận tệp" in message_text(progress)
    return tg.wait_for("editMessageText", lambda c: c.ok, chat_id=ADMIN, since=since, timeout=120)[0]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def passages(calls: list[Call]) -> list[str]:
    return entity_texts(calls[0], "blockquote")


# --------------------------------------------------------------------------- uploads


def test_admin_docx_upload_is_indexed_while_questions_go_on(bot: RunningBot, tg: FakeTelegramServer) -> None:
    since = tg.mark()
    # Another build holds the index (as build_index.py would): the upload's indexing must wait for it,
    # not fail, and questions must still be answered meanwhile. Holding the lock here makes "while the
    # upload is being indexed" a fact of the test rather than a race against the clock.
    with build_lock(bot.settings.index_dir):
        tg.send_document("ke-hoach-tro-ly-ao.docx",
                         plan("125/KH-UBND", "Giao Sở Khoa học và Công nghệ chủ trì xây dựng nền tảng trợ lý ảo "
                                             "tra cứu văn bản, hoàn thành trong quý III năm 2024.", tasks=5),
                         user_id=ADMIN)
        tg.wait_for("sendMessage", lambda c: c.ok and "Đã nhận tệp" in message_text(c), chat_id=ADMIN,
                    since=since)
        answer = ask(tg, "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?", OFFICIAL)
        assert "Cơ quan chủ trì thực hiện: Phòng Nội vụ" in passages(answer)[0]
        assert not tg.calls("editMessageText", ADMIN, since=since), "the upload was reported before it was indexed"
    report = tg.wait_for("editMessageText", lambda c: c.ok, chat_id=ADMIN, since=since, timeout=120)[0]

    text = message_text(report)
    assert "Đã thêm «ke-hoach-tro-ly-ao.docx»" in text
    assert "Văn bản tìm thấy: 1" in text and "Kế hoạch số 125/KH-UBND ngày 5/6/2024" in text and "đoạn" in text
    assert "giây" in text
    assert (bot.settings.corpus_dir / "ke-hoach-tro-ly-ao.docx").is_file()

    answer = ask(tg, "Ai chủ trì xây dựng nền tảng trợ lý ảo tra cứu văn bản?", OFFICIAL)
    assert message_text(answer[0]).startswith("📄 Kế hoạch số 125/KH-UBND ngày 5/6/2024 – UBND tỉnh Lào Cai")
    assert "Giao Sở Khoa học và Công nghệ chủ trì" in passages(answer)[0]


def test_corrupt_upload_is_refused_and_changes_nothing(bot: RunningBot, tg: FakeTelegramServer) -> None:
    question = "Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?"
    corpus_before, index_before = listing(bot.settings.corpus_dir), tree(bot.settings.index_dir)
    docs_before = message_text(say(tg, "/docs", OFFICIAL, "Kho văn bản"))
    answer_before = message_text(ask(tg, question, OFFICIAL)[0])

    report = upload(tg, "bao-cao-quy-2.docx", b"PK\x03\x04 this is not a real Word file" * 50)
    text = message_text(report)
    assert "Không thêm được tệp «bao-cao-quy-2.docx»" in text
    assert CorruptFile.user_message in text and "không thay đổi" in text

    assert listing(bot.settings.corpus_dir) == corpus_before
    assert tree(bot.settings.index_dir) == index_before
    assert message_text(say(tg, "/docs", OFFICIAL, "Kho văn bản")) == docs_before
    assert message_text(ask(tg, question, OFFICIAL)[0]) == answer_before


def test_passage_with_markup_characters_is_answered(bot: RunningBot, tg: FakeTelegramServer) -> None:
    content = (
        "THÔNG BÁO\n"
        "Về phí dịch vụ công trực tuyến\n\n"
        "1. Chỉ tiêu\n"
        "Tỷ lệ hồ sơ nộp trực tuyến <50% & phí dịch vụ *giảm* còn 5 nghìn đồng cho mẫu A<B>.\n\n"
        "2. Tổ chức thực hiện\n"
        "Văn phòng UBND tỉnh theo dõi, đôn đốc.\n"
    )
    report = upload(tg, "thong-bao-phi.txt", content.encode("utf-8"))
    assert "Đã thêm «thong-bao-phi.txt»" in message_text(report)
    answer = ask(tg, "Tỷ lệ hồ sơ nộp trực tuyến và phí dịch vụ giảm còn bao nhiêu?", OFFICIAL)
    assert all(c.ok for c in answer)
    quote = passages(answer)[0]
    assert "<50% & phí dịch vụ *giảm* còn 5 nghìn đồng cho mẫu A<B>." in quote
    assert bold_inside_quote(answer[0])


def test_duplicate_rename_replace_and_stale_buttons(bot: RunningBot, tg: FakeTelegramServer) -> None:
    original = plan("130/KH-UBND", "Giao Sở Tài chính chủ trì bố trí kinh phí cho nền tảng số dùng chung của tỉnh.")
    assert "Đã thêm «ke-hoach-so-hoa.docx»" in message_text(upload(tg, "ke-hoach-so-hoa.docx", original))

    duplicate = message_text(upload(tg, "ban-sao.docx", original))
    assert "tệp đã có trong kho" in duplicate and "ke-hoach-so-hoa.docx" in duplicate
    assert not (bot.settings.corpus_dir / "ban-sao.docx").exists()

    other = plan("131/KH-UBND", "Giao Sở Xây dựng chủ trì số hóa hồ sơ quy hoạch đô thị của tỉnh.")
    renamed = message_text(upload(tg, "ke-hoach-so-hoa.docx", other))
    assert "ke-hoach-so-hoa (2).docx" in renamed and "thay thế" in renamed
    assert (bot.settings.corpus_dir / "ke-hoach-so-hoa.docx").read_bytes() == original

    answer = ask(tg, "Ai chủ trì bố trí kinh phí cho nền tảng số dùng chung?", OFFICIAL)
    assert "Giao Sở Tài chính chủ trì" in passages(answer)[0]

    replacement = plan("130/KH-UBND", "Giao Sở Kế hoạch và Đầu tư chủ trì thẩm định dự án nền tảng số của tỉnh.")
    replaced = message_text(upload(tg, "ke-hoach-so-hoa.docx", replacement, caption="thay thế"))
    assert "Đã thay thế tệp cũ cùng tên «ke-hoach-so-hoa.docx»" in replaced
    assert (bot.settings.corpus_dir / "ke-hoach-so-hoa.docx").read_bytes() == replacement

    # The passage behind the old answer's buttons is gone: say so, never show another text.
    [stale] = press(tg, button(answer[-1], "📖 Toàn văn mục"), answer[-1], OFFICIAL)
    assert message_text(stale) == texts.plain(texts.STALE_PASSAGE)
    [stale] = press(tg, button(answer[-1], "📝 Trích dẫn"), answer[-1], OFFICIAL)
    assert "không còn trong kho" in message_text(stale)


def test_upload_format_and_size_limits(bot: RunningBot, tg: FakeTelegramServer) -> None:
    since = tg.mark()
    tg.send_document("bang-tong-hop.xlsx", b"PK\x03\x04 spreadsheet", user_id=ADMIN)
    refusal = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=ADMIN, since=since)[0]
    assert "chưa được hỗ trợ" in message_text(refusal) and ".docx" in message_text(refusal)

    since = tg.mark()
    tg.send_document("ho-so-lon.pdf", file_size=40 * MB, user_id=ADMIN)
    refusal = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=ADMIN, since=since)[0]
    assert "vượt giới hạn 30 MB" in message_text(refusal)
    assert not tg.calls("getFile", since=since)  # refused from the size in the update, nothing downloaded

    since = tg.mark()
    tg.send_document("ho-so-vua.pdf", file_size=25 * MB, user_id=ADMIN)
    edit = tg.wait_for("editMessageText", lambda c: c.ok, chat_id=ADMIN, since=since)[0]
    assert "tối đa 20 MB" in message_text(edit)
    assert not (bot.settings.corpus_dir / "ho-so-vua.pdf").exists()


def test_reindex_reports_new_and_unreadable_files(bot: RunningBot, tg: FakeTelegramServer) -> None:
    corpus = bot.settings.corpus_dir
    (corpus / "bo-sung-lich-tiep-dan.md").write_text(
        "# THÔNG BÁO\n\nLịch tiếp công dân định kỳ\n\n1. Thời gian\n\n"
        "Chủ tịch UBND xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở tiếp dân.\n", encoding="utf-8")
    (corpus / "tai-lieu-hong.pdf").write_bytes(b"%PDF-1.4 broken " * 20)
    try:
        since = tg.mark()
        tg.send_text("/reindex", user_id=ADMIN)
        progress = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=ADMIN, since=since)[0]
        assert "Đang cập nhật chỉ mục" in message_text(progress)
        report = message_text(tg.wait_for("editMessageText", lambda c: c.ok, chat_id=ADMIN, since=since,
                                          timeout=120)[0])
        assert "Đã cập nhật chỉ mục" in report and "văn bản" in report and "đoạn" in report
        assert "Tệp mới hoặc đã sửa: 1" in report and "bo-sung-lich-tiep-dan.md" in report
        assert "Không đọc được: 1 tệp" in report
        failed_line = next(line for line in report.splitlines() if "tai-lieu-hong.pdf" in line)
        assert len(failed_line) > len("• tai-lieu-hong.pdf: ") + 10  # with the engine's Vietnamese reason
        answer = ask(tg, "Chủ tịch UBND xã tiếp công dân vào thời gian nào?", OFFICIAL)
        assert "sáng thứ Năm hằng tuần" in passages(answer)[0]
    finally:
        (corpus / "tai-lieu-hong.pdf").unlink()


def test_docs_pages_through_a_larger_corpus(bot: RunningBot, tg: FakeTelegramServer) -> None:
    for n in range(1, 13):
        (bot.settings.corpus_dir / f"thong-bao-{n:02d}.md").write_text(
            f"# THÔNG BÁO\n\nSố: {n}/TB-UBND\n\nVề lịch họp giao ban tuần {n}\n\n"
            f"1. Nội dung\n\nHọp giao ban tuần {n} vào sáng thứ Hai tại phòng họp số {n}.\n", encoding="utf-8")
    report = say(tg, "/reindex", ADMIN, "Đang cập nhật")
    tg.wait_for("editMessageText", lambda c: c.ok and c.params.get("message_id") == report.result["message_id"],
                chat_id=ADMIN, timeout=120)
    first = say(tg, "/docs", OFFICIAL, "Kho văn bản")
    total = int(message_text(first).split("Kho văn bản: ")[1].split()[0])
    assert total >= 18 and "(trang 1/" in message_text(first)
    assert "11. " not in message_text(first)
    [page2] = press(tg, button(first, "Trang sau"), first, OFFICIAL, method="editMessageText")
    assert page2.result["message_id"] == first.result["message_id"]  # the same message, edited
    assert "(trang 2/" in message_text(page2) and "\n11. " in message_text(page2)
    assert all(len(c.result["text"]) <= 4096 for c in (first, page2))
    [back] = press(tg, button(page2, "◀ Trang trước"), page2, OFFICIAL, method="editMessageText")
    assert message_text(back) == message_text(first)


# --------------------------------------------------------------------------- restart (keep last)


def test_buttons_still_work_after_a_restart(bot: RunningBot, tg: FakeTelegramServer) -> None:
    user = 700001002
    answer = ask(tg, "Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?", user)
    bot.restart(tg)
    [citation] = press(tg, button(answer[-1], "📝 Trích dẫn"), answer[-1], user)
    [line] = entity_texts(citation, "code")
    assert line.startswith("Theo Kế hoạch số 40 KH/BDVTU-BCSDUBND") and "Quy chế thực hiện dân chủ" in line
    more = press(tg, button(answer[-1], "📚 Thêm nguồn"), answer[-1], user, done=lambda c: "Nguồn 6–" in c.text)
    assert "cho câu hỏi: Quyết định 737/QĐ-UBND" in message_text(more[-1])
    section = press(tg, button(answer[-1], "📖 Toàn văn mục"), answer[-1], user)
    assert message_text(section[0]).startswith("📄 Kế hoạch số 40 KH/BDVTU-BCSDUBND")
    [sent] = press(tg, button(answer[-1], "📎 Tệp gốc"), answer[-1], user, method="sendDocument")
    original = bot.settings.corpus_dir / "quang-ngai-2021-kh40-phoi-hop-dan-van.md"
    assert sent.files["document"][1] == original.read_bytes()
