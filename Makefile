# cusdep: two commands do everything — `make demo` and `make test`.
# Every target sets itself up on first use (venv, npm tools, Debian packages) and is quick after.
SHELL := /bin/bash
PY    := .venv/bin/python
VENV_STAMP  := .venv/.installed
TOOLS_STAMP := tools/node_modules/.installed
APT_STAMP   := .venv/.apt-installed
export PATH := $(CURDIR)/tools/bin:$(CURDIR)/.venv/bin:$(PATH)

.PHONY: demo test setup check proto contracts bench clean-setup

setup: $(VENV_STAMP) $(TOOLS_STAMP) $(APT_STAMP)
	@# bytecode for our own packages (only stale files are rewritten): with PYTHONDONTWRITEBYTECODE
	@# set, as on CI here, every `cusdep` process would otherwise compile them (~0.3 s a start)
	@$(PY) -m compileall -q -j 0 node adapters verification simulator >/dev/null

$(VENV_STAMP): pyproject.toml
	@scripts/setup-venv.sh

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	@scripts/setup-tools.sh

$(APT_STAMP): scripts/apt-packages.txt
	@scripts/setup-apt.sh

demo: setup
	@$(PY) -m simulator.demo $(ARGS)

test: setup
	@$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

check: setup
	$(PY) -m ruff format --check node adapters verification simulator tests bench contracts
	$(PY) -m ruff check node adapters verification simulator tests bench contracts
	$(PY) -m mypy node adapters verification
	.venv/bin/lint-imports

proto: setup
	$(PY) protos/generate.py

contracts: setup
	$(PY) contracts/compile.py

bench: setup
	$(PY) bench/anchor.py

clean-setup:
	rm -rf .venv tools/node_modules
