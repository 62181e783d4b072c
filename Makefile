# Two commands: `make run` starts the app on the bundled demo pool, `make test` runs every check
# (ruff, mypy, pytest).
# Both create .venv from the pinned requirements.txt (and node_modules/ from package-lock.json) on first use
# and reuse them afterwards.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint types demo bench clean

$(STAMP): requirements.txt package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo 'npm not found: /karte falls back to the Folium map (apt-get install npm for the vector map)'; fi
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run serve.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# Type check: what and how strictly is set in pyproject.toml ([tool.mypy]).
types: $(STAMP)
	$(BIN)/python -m mypy

demo: $(STAMP)
	$(BIN)/python -m geo.demo

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
