"""The bot end to end on scans: the picture of a passage's place on the page, and photos sent by an admin.

The corpus is one generated two-page scan (real tesseract reads it); the bot
runs as ``python -m bot`` against the fake Bot API, so the photo travels as
a real multipart ``sendPhoto`` and the admin's photos as real ``getFile``
downloads.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from PIL import Image

from bot.render import texts
from index.read import ocr
from index.settings import Settings
from tests.bot.harness import BotProcess, ask, bot_env, button, entity_texts, message_text, press, say
from tests.fake_telegram import FakeTelegramServer
from tests.index.read.conftest import PdfWriter, render_page

pytestmark = [
    pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900),
    pytest.mark.skipif(not ocr.available(), reason="tesseract with Vietnamese (vie) is not installed"),
]

ADMIN = 700004000
OFFICIAL = 700004001

PAGE_1 = [
    ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", True),
    ("Số: 245/UBND-NC", False),
    ("Lào Cai, ngày 12 tháng 3 năm 2025", False),
    ("V/v triển khai số hóa hồ sơ lưu trữ", False),
    ("Kính gửi: Các sở, ban, ngành tỉnh", False),
    ("Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2025 về chuyển đổi số, Ủy ban nhân dân tỉnh yêu cầu các cơ "
     "quan, đơn vị thực hiện một số nội dung sau đây:", False),
    ("1. Sở Nội vụ chủ trì hướng dẫn các cơ quan số hóa hồ sơ lưu trữ, hoàn thành trước ngày 30/6/2025.", False),
    ("2. Sở Tài chính bố trí kinh phí thực hiện số hóa hồ sơ trong dự toán ngân sách năm 2025.", False),
]
PAGE_2 = [
    ("3. Sở Khoa học và Công nghệ chủ trì xây dựng kho dữ liệu dùng chung, kết nối với hệ thống quản lý văn bản "
     "của tỉnh, báo cáo kết quả trước ngày 15/9/2025.", False),
    ("Nơi nhận:", False), ("- Như trên;", False), ("- Lưu: VT.", False),
    ("KT. CHỦ TỊCH", True), ("PHÓ CHỦ TỊCH", True),
]
PHOTO_1 = [
    ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", True),
    ("Số: 31/TB-UBND", False),
    ("Lào Cai, ngày 4 tháng 4 năm 2025", False),
    ("THÔNG BÁO", True),
    ("Kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp về phòng cháy rừng mùa khô năm 2025", False),
    ("1. Sở Nông nghiệp và Môi trường chủ trì kiểm tra các điểm nóng về cháy rừng, báo cáo trước ngày 20/4/2025.",
     False),
]
PHOTO_2 = [
    ("2. Công an tỉnh chủ trì tuần tra, xử lý nghiêm các trường hợp đốt nương làm rẫy trái phép trong mùa khô.",
     False),
    ("Nơi nhận:", False), ("- Như trên;", False), ("- Lưu: VT.", False),
    ("TL. CHỦ TỊCH", True), ("CHÁNH VĂN PHÒNG", True),
]


@dataclass
class RunningBot:
    process: BotProcess
    settings: Settings


@pytest.fixture(scope="module")
def bot(tg: FakeTelegramServer, embedder, tmp_path_factory) -> Iterator[RunningBot]:
    from index.build import build_index

    root = tmp_path_factory.mktemp("bot-scans")
    corpus = root / "corpus"
    corpus.mkdir()
    writer = PdfWriter().new_page(image=render_page(PAGE_1)).new_page(image=render_page(PAGE_2))
    writer.save(corpus / "cong-van-quet.pdf")
    settings = replace(Settings.from_env(), corpus_dir=corpus, index_dir=root / "index")
    report = build_index(settings, embedder=embedder)
    assert not report.failed, report.failed
    env = bot_env(settings, root / "state", tg, ADMIN_USER_IDS=str(ADMIN))
    running = RunningBot(BotProcess(env, root / "bot.log").start(tg), settings)
    yield running
    assert running.process.stop() == 0, running.process.log_text()[-3000:]


def _jpeg(paragraphs: list[tuple[str, bool]]) -> bytes:
    out = io.BytesIO()
    render_page(paragraphs).convert("RGB").save(out, format="JPEG", quality=85)
    return out.getvalue()


def _red_pixels(image: Image.Image) -> int:
    return sum(1 for r, g, b in image.convert("RGB").getdata() if r > 180 and g < 80 and b < 80)


def test_page_picture_of_a_scanned_passage(bot: RunningBot, tg: FakeTelegramServer) -> None:
    answer = ask(tg, "Ai chủ trì xây dựng kho dữ liệu dùng chung?", OFFICIAL)
    text = message_text(answer[0])
    assert "Sở Khoa học và Công nghệ chủ trì xây dựng kho dữ liệu" in entity_texts(answer[0], "blockquote")[0]
    assert "trang 2" in text and texts.OCR_MARK in text  # where it is, and that OCR read it

    citation = press(tg, button(answer[-1], "📝"), answer[-1], OFFICIAL)
    assert "(văn bản quét, nhận dạng OCR – đối chiếu bản gốc)" in message_text(citation[-1])

    [photo] = press(tg, button(answer[-1], "🖼"), answer[-1], OFFICIAL, method="sendPhoto")
    assert photo.ok, photo.description
    caption = photo.result["caption"]
    assert "Công văn số 245/UBND-NC" in caption and "Trang 2" in caption
    assert "đối chiếu với bản gốc trước khi trích dẫn" in caption
    png = photo.files["photo"][1]
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    # A crop of page 2 around the passage, at 150 dpi: wide as the text, far shorter than the A4 page.
    assert image.width > 800 and 100 < image.height < 0.5 * 842 * 150 / 72
    assert _red_pixels(image) > 500  # its lines are outlined


def test_album_of_photos_becomes_a_searchable_document(bot: RunningBot, tg: FakeTelegramServer) -> None:
    since = tg.mark()
    tg.send_album([_jpeg(PHOTO_1), _jpeg(PHOTO_2)], user_id=ADMIN, caption="Thông báo 31 phòng cháy rừng")
    received = tg.wait_for("sendMessage", lambda c: c.ok and "Đã nhận 2 ảnh" in message_text(c), chat_id=ADMIN,
                           since=since)
    assert len(received) == 1  # one document for the album, not one per photo
    report = tg.wait_for("editMessageText", lambda c: c.ok and "Đã thêm" in message_text(c), chat_id=ADMIN,
                         since=since, timeout=600)[-1]
    edits = [message_text(c) for c in tg.calls("editMessageText", ADMIN, since=since) if c.ok]
    assert any("đang nhận dạng trang" in e and "/2" in e for e in edits), edits
    assert edits[-1] == message_text(report)  # no progress line lands after the report
    text = message_text(report)
    assert "«Thông báo 31 phòng cháy rừng.pdf»" in text and "Thông báo số 31/TB-UBND" in text

    saved = bot.settings.corpus_dir / "Thông báo 31 phòng cháy rừng.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(str(saved))) == 2

    answer = ask(tg, "Ai chủ trì tuần tra xử lý đốt nương làm rẫy trái phép?", OFFICIAL)
    assert message_text(answer[0]).startswith("📄 Thông báo số 31/TB-UBND")
    assert "Công an tỉnh chủ trì tuần tra" in entity_texts(answer[0], "blockquote")[0]
    assert "trang 2" in message_text(answer[0])


def test_photos_from_an_official_are_refused(bot: RunningBot, tg: FakeTelegramServer) -> None:
    before = sorted(p.name for p in bot.settings.corpus_dir.iterdir())
    since = tg.mark()
    tg.send_photo(_jpeg(PHOTO_2), user_id=OFFICIAL)
    reply = tg.wait_for("sendMessage", lambda c: c.ok, chat_id=OFFICIAL, since=since)[0]
    assert message_text(reply) == texts.plain(texts.ADMIN_ONLY_UPLOAD)
    assert sorted(p.name for p in bot.settings.corpus_dir.iterdir()) == before
    assert say(tg, "/start", OFFICIAL, "Xin chào")  # the bot carries on
