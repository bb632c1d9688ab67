# moganet_mm: every command installs what is missing into .venv/ first.
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: install test demo help

help:
	@echo "make install  - create .venv/ with the pinned OpenMMLab 2.0 stack (idempotent)"
	@echo "make test     - install if needed, run the test suite"
	@echo "make demo     - install if needed, run the main demo"

install:
	@bash tools/install.sh

test: install
	@$(PY) -m pytest tests $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

demo: install
	$(PY) tools/check_reference.py
