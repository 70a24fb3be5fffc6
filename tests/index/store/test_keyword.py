"""BM25 over merged segments scores exactly as bm25s rebuilt from every live passage did."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from index.store.keyword import KeywordField, write_segment

DOCS = {
    1: "uy ban nhan dan tinh ban hanh ke hoach dan van".split(),
    2: "phong noi vu chu tri khao sat su hai long".split(),
    3: "so noi vu phoi hop voi uy ban mat tran to quoc".split(),
    4: [],  # a passage without terms
    5: "ke hoach dan van chinh quyen nam 2021 dan van kheo".split(),
    6: "bao cao ket qua truoc ngay 15 thang 12 hang nam".split(),
    7: "phong noi vu tong hop bao cao uy ban nhan dan".split(),
}
QUERIES = [["noi", "vu", "chu", "tri"], ["dan", "van", "dan"], ["bao", "cao", "khong_co"], ["uy", "ban"]]


def test_merged_segments_score_like_bm25s_over_the_live_passages(tmp_path: Path) -> None:
    write_segment(tmp_path / "a.npz", [1, 2, 3, 4], [DOCS[i] for i in (1, 2, 3, 4)])
    write_segment(tmp_path / "b.npz", [5, 6, 7], [DOCS[i] for i in (5, 6, 7)])
    live = np.asarray([1, 3, 4, 5, 7], dtype=np.int64)  # passages 2 and 6 were deleted since
    field = KeywordField.load("terms", [tmp_path / "b.npz", tmp_path / "a.npz"], live)
    assert list(field.ids) == [1, 3, 4, 5, 7]

    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index([DOCS[int(i)] or ["\u2205"] for i in live], show_progress=False)
    for terms in QUERIES:
        known = [t for t in terms if t in reference.vocab_dict]
        assert np.allclose(field.scores(terms), reference.get_scores(known), atol=1e-5), terms
    assert field.df("noi") == 2 and field.df("chu") == 0  # "chu tri" was only in a deleted passage
    assert field.idf("khong_co") > field.idf("dan") > 0
