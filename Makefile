# Set-up is part of every target: a fresh machine needs only python3.11 (or python3 >= 3.11) and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench docs clean golden chromium node cc serve story

serve: $(STAMP)
	$(BIN)/hyosan serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || (apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hyosan run hyosan-high --out runs/demo --force

# The browser tests drive Chromium from the distribution's packages (Playwright's own download is
# not used): install it when it is missing.
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The peer tests run the authors' Zombietown JavaScript (../shared/peers) under Node from the
# distribution's packages: install it when it is missing.
node:
	@command -v node >/dev/null || command -v nodejs >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs)

# ... and build the authors' C lattice (benchmarks/peers.py) with the distribution's compiler.
cc:
	@command -v cc >/dev/null || command -v gcc >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev)

test: $(STAMP) chromium node cc
	$(BIN)/python -m pytest -q

# docs/story.md's figures: 200 seeds of the bundled school, five story days each (about an hour on 2 cores)
story: $(STAMP)
	$(BIN)/hyosan ensemble hyosan-high --runs 200 --days 5 --seed 1 --out runs/story --force
	$(BIN)/python -m hyosan.ensemble.story runs/story docs/story.md

docs: $(STAMP)
	$(BIN)/hyosan models --markdown > docs/models.md
	$(BIN)/python -c "from pathlib import Path; from hyosan.scenario.docs import update; p = Path('docs/scenarios.md'); p.write_text(update(p.read_text()))"
	$(BIN)/python -c "from tests.test_scenario_docs import write_example; write_example('docs/example')"

golden: $(STAMP)
	$(BIN)/python -m tests.golden --update

clean:
	rm -rf $(VENV) runs build src/*.egg-info

bench: $(STAMP) node cc
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m benchmarks all
