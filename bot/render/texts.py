"""Fixed Vietnamese texts of the assistant, in one place so that wording is reviewed together.

HTML versions are for Telegram (parse_mode HTML); the terminal uses ``plain``.
"""

from __future__ import annotations

import re

from bot.render.html_split import visible_text

EXAMPLE_QUESTIONS = (
    "Ai chủ trì khảo sát sự hài lòng của người dân ở Sa Pa?",
    "Quyết định 737/QĐ-UBND của UBND tỉnh Quảng Ngãi ban hành quy chế gì?",
    "Kế hoạch 06/KH-UBND-BDVTU giao Sở Nội vụ nhiệm vụ gì?",
    "thoi gian to chuc hoi nghi doi thoai voi nhan dan",
)

# (command, description) as registered with setMyCommands; descriptions must be 1–256 characters.
COMMANDS = (
    ("start", "Giới thiệu trợ lý và cách đặt câu hỏi"),
    ("help", "Hướng dẫn sử dụng, câu hỏi mẫu"),
    ("docs", "Danh sách văn bản trong kho"),
    ("tasks", "Nhiệm vụ được giao theo cơ quan, kèm thời hạn và trích dẫn"),
    ("reindex", "Cập nhật chỉ mục từ kho văn bản (quản trị viên)"),
    ("hanchot", "Hạn chót: nhiệm vụ đến hạn trong 30 ngày tới và quá hạn, theo cơ quan"),
    ("nhacviec", "Đăng ký nhắc việc theo cơ quan: bản tin thứ Hai, nhắc trước hạn 7 ngày và 1 ngày"),
    ("huynhac", "Hủy nhắc việc của cuộc trò chuyện này"),
    ("vanban", "Thẻ văn bản: số hiệu, ngày, cơ quan, người ký, các phần, nhiệm vụ, văn bản dẫn chiếu"),
    ("thongke", "Thống kê câu hỏi và đánh giá 👍/👎 (quản trị viên)"),
)

_EXAMPLES_HTML = "\n".join(f"• <i>{q}</i>" for q in EXAMPLE_QUESTIONS)

START = (
    "Xin chào! Tôi là <b>trợ lý tra cứu văn bản</b> của cơ quan.\n\n"
    "Hãy đặt câu hỏi bằng tiếng Việt (có dấu hoặc không dấu). Tôi tìm trong các kế hoạch, chỉ thị, "
    "công văn đã có trong kho và trả lời bằng <b>nguyên văn đoạn trích</b>, kèm số hiệu, ngày, "
    "cơ quan ban hành và mục, để anh/chị trích dẫn trong cuộc họp.\n\n"
    f"Ví dụ:\n{_EXAMPLES_HTML}\n\n"
    "Gõ /help để xem hướng dẫn đầy đủ."
)

HELP = (
    "<b>Hướng dẫn sử dụng</b>\n\n"
    "<b>Đặt câu hỏi:</b> gửi câu hỏi như khi hỏi đồng nghiệp. Nên ghi rõ cơ quan, địa phương, "
    "nhiệm vụ hoặc số hiệu văn bản.\n"
    f"{_EXAMPLES_HTML}\n\n"
    "<b>Câu trả lời gồm:</b> văn bản nguồn (loại, số, ngày, cơ quan ban hành), mục, đoạn trích nguyên văn "
    "với câu trả lời được in đậm, rồi các nguồn khác. Các nút bên dưới:\n"
    "• <b>Thêm nguồn</b>: các đoạn liên quan tiếp theo;\n"
    "• <b>Toàn văn mục</b>: cả mục chứa đoạn trích;\n"
    "• <b>Trích dẫn</b>: một dòng trích dẫn sẵn để dán vào biên bản;\n"
    "• <b>Tệp gốc</b>: tệp văn bản gốc;\n"
    "• <b>Ảnh trang gốc</b>: ảnh chụp đúng chỗ đoạn trích trên trang PDF (các dòng được khoanh đỏ), "
    "để đối chiếu chữ nhận dạng từ bản quét với bản gốc trước khi trích dẫn.\n\n"
    "<b>Lệnh:</b>\n"
    "/docs – danh sách văn bản trong kho\n"
    "/tasks – các cơ quan được giao nhiệm vụ; /tasks và tên cơ quan – nhiệm vụ của cơ quan đó "
    "(chủ trì hay phối hợp, thời hạn, trích dẫn), ví dụ <i>/tasks phòng nội vụ</i>\n"
    "/hanchot – nhiệm vụ đến hạn trong 30 ngày tới và quá hạn đến 90 ngày; /hanchot và tên cơ quan – "
    "của riêng cơ quan đó\n"
    "/nhacviec và tên cơ quan – đăng ký nhắc việc cho cuộc trò chuyện này (bản tin 7:30 thứ Hai, nhắc trước "
    "hạn 7 ngày và 1 ngày); /nhacviec – xem các đăng ký\n"
    "/huynhac – hủy nhắc việc (thêm tên cơ quan để hủy riêng cơ quan đó)\n"
    "/vanban và số hiệu hoặc vài từ của tên văn bản – thẻ văn bản, ví dụ <i>/vanban 06/KH-UBND-BDVTU</i>\n"
    "/reindex – cập nhật chỉ mục (quản trị viên); /thongke – thống kê sử dụng (quản trị viên)\n\n"
    "<b>Hỏi tiếp:</b> trả lời (reply) tin nhắn của tôi hoặc hỏi ngắn ngay sau đó, ví dụ «hạn khi nào?», "
    "«ai phối hợp?», «còn ở Phú Thọ thì sao?»: tôi hiểu theo câu hỏi và văn bản trước. "
    "Nút 👍/👎 dưới câu trả lời giúp cải thiện trợ lý.\n"
    "<b>Trích dẫn ở mọi cuộc trò chuyện:</b> gõ @tên_bot và câu hỏi, rồi chọn đoạn trích để gửi.\n\n"
    "<b>Trong nhóm:</b> nhắc tên tôi (@…), trả lời tin nhắn của tôi, hoặc dùng lệnh.\n"
    "<b>Quản trị viên</b> gửi tệp .md, .txt, .docx, .doc, .pdf để thêm văn bản vào kho "
    "(kèm chú thích «thay thế» để thay tệp cùng tên), hoặc gửi ảnh chụp văn bản giấy (một ảnh hay "
    "một album nhiều trang): các ảnh được ghép thành một tệp PDF và nhận dạng chữ như bản quét."
)

NO_ANSWER = (
    "Không tìm thấy đoạn văn bản nào trả lời câu hỏi này trong kho văn bản.\n\n"
    "Anh/chị có thể thử:\n"
    "• dùng từ khóa khác hoặc cụ thể hơn (tên cơ quan, nhiệm vụ, địa phương);\n"
    "• ghi số hiệu văn bản, ví dụ «Kế hoạch 06/KH-UBND-BDVTU»;\n"
    "• xem danh sách văn bản trong kho bằng lệnh /docs."
)

# Shown under NO_ANSWER when the best passage is on the topic but does not hold the fact asked.
RELATED_ONLY = "Đoạn liên quan nhất, không trả lời trực tiếp câu hỏi (chỉ để tham khảo, không dùng để trích dẫn):"

EMPTY_QUESTION = "Anh/chị muốn hỏi gì? Ví dụ: <i>" + EXAMPLE_QUESTIONS[0] + "</i>"

TASKS_HOW_TO = "Gõ <i>/tasks tên cơ quan</i> để xem nhiệm vụ, ví dụ: <i>/tasks phòng nội vụ</i>, <i>/tasks so noi vu quang ngai</i>."
NO_TASKS = "Chưa tìm thấy nhiệm vụ được giao nào trong các văn bản đã lập chỉ mục."
NO_TASKS_FOR = (
    "Không tìm thấy nhiệm vụ nào của «{agency}».\n"
    "Anh/chị thử viết tên cơ quan khác đi (ví dụ «UBND tỉnh», «Sở Nội vụ», «phòng nội vụ»), "
    "hoặc gõ /tasks để xem danh sách cơ quan."
)

NOT_ALLOWED = (
    "Xin lỗi, anh/chị chưa được cấp quyền sử dụng trợ lý này. "
    "Vui lòng liên hệ quản trị viên và cung cấp mã người dùng: <code>{user_id}</code>."
)
ADMIN_ONLY_UPLOAD = (
    "Xin lỗi, chỉ quản trị viên mới được thêm văn bản vào kho. "
    "Nếu cần bổ sung văn bản, anh/chị vui lòng gửi tệp cho quản trị viên."
)
ADMIN_ONLY_REINDEX = "Xin lỗi, chỉ quản trị viên mới được cập nhật chỉ mục (/reindex)."
UNKNOWN_COMMAND = "Không có lệnh này. Gõ /help để xem các lệnh và cách đặt câu hỏi."
APOLOGY = "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Anh/chị vui lòng thử lại sau ít phút."

STALE_PASSAGE = (
    "Đoạn trích này không còn trong kho văn bản (chỉ mục đã được cập nhật sau khi câu trả lời được gửi). "
    "Vui lòng đặt lại câu hỏi để nhận trích dẫn mới."
)
STALE_QUESTION = "Không còn lưu câu hỏi của nút này. Vui lòng đặt lại câu hỏi."
NO_MORE_SOURCES = "Không còn nguồn nào khác cho câu hỏi này."
NO_SOURCE_FILE = "Không còn tệp gốc của văn bản này trong kho (tệp có thể đã bị xóa hoặc đổi tên)."
SOURCE_FILE_TOO_BIG = "Tệp gốc lớn hơn 50 MB nên Telegram không cho gửi; vui lòng lấy tệp từ kho văn bản."
UNKNOWN_BUTTON = "Nút này không còn dùng được. Vui lòng đặt lại câu hỏi."
NO_DOCUMENTS = "Kho văn bản chưa có văn bản nào đã được lập chỉ mục."

UPLOAD_UNSUPPORTED = "Định dạng tệp chưa được hỗ trợ (chỉ nhận .md, .txt, .docx, .doc, .pdf)."
UPLOAD_TOO_BIG = "Tệp «{name}» có dung lượng {size:.1f} MB, vượt giới hạn {limit:g} MB nên không được tải về."
UPLOAD_TELEGRAM_LIMIT = (
    "Telegram chỉ cho phép bot tải về tệp tối đa 20 MB, nên không nhận được tệp «{name}». "
    "Vui lòng nén hoặc tách tệp, hoặc chép trực tiếp vào thư mục kho văn bản rồi dùng /reindex."
)
UPLOAD_RECEIVED = "⏳ Đã nhận tệp «{name}». Đang đọc và lập chỉ mục…"
UPLOAD_FAILED = "❌ Không thêm được tệp «{name}»: {reason}\nKho văn bản và chỉ mục không thay đổi."
REINDEX_STARTED = "⏳ Đang cập nhật chỉ mục từ kho văn bản…"

REPLACE_CAPTIONS = ("thay thế", "thay the", "replace")

OCR_MARK = "Đoạn này được nhận dạng từ bản quét (OCR), có thể sai chữ: đối chiếu bản gốc trước khi trích dẫn."
PAGE_PHOTO_CAPTION = "🖼 {document}\n{page}: đối chiếu với bản gốc trước khi trích dẫn."
NO_PAGE_PHOTO = "Không tạo được ảnh trang gốc cho đoạn này (tệp gốc không còn trong kho hoặc không phải PDF)."
PHOTO_RECEIVED = "⏳ Đã nhận {count} ảnh. Đang ghép thành tệp PDF, nhận dạng chữ và lập chỉ mục…"
PHOTO_NOT_READ = "❌ Không đọc được ảnh đã gửi: {reason}\nKho văn bản và chỉ mục không thay đổi."
OCR_PROGRESS = "⏳ «{name}»: đang nhận dạng trang {done}/{total}…"
OCR_DONE = "⏳ «{name}»: đã nhận dạng {total} trang, đang lập chỉ mục…"
PHOTO_TOO_BIG = "Ảnh có dung lượng {size:.1f} MB, vượt giới hạn {limit:g} MB nên không được tải về."


def plain(markup: str) -> str:
    """The same text for the terminal: tags dropped, entities decoded."""
    return visible_text(re.sub(r"<br\s*/?>", "\n", markup))
