# moganet_mm: every command installs what is missing into .venv/ first.
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: install test test-quick test-matrix lint format demo demo-seg demo-pose demo-cls demo-video demo-reference help \
	gpu-kit gpu-rehearsal

# what `make lint` checks (setup.cfg holds the settings)
LINT_PATHS := moganet_mm tools tests .dev_scripts configs setup.py
# yapf leaves configs/ as written (their tables read better hand-aligned)
FORMAT_PATHS := moganet_mm tools tests .dev_scripts setup.py

help:
	@echo "make install  - create .venv/ with the pinned OpenMMLab 2.0 stack (idempotent)"
	@echo "make test     - install if needed, run the test suite"
	@echo "make test-quick - the suite without slow tests (trainings, subprocess runs) and the swap matrix: the edit-run loop"
	@echo "make test-matrix - only the backbone-swap compatibility matrix's tests (part of make test)"
	@echo "make lint     - flake8, isort and yapf over the code (make format applies isort + yapf)"
	@echo "make demo      - install if needed; train + evaluate Mask R-CNN MogaNet-XT on a toy COCO"
	@echo "make demo-seg  - same for Semantic FPN on a toy ADE20K"
	@echo "make demo-pose - same for TopDown pose on a toy COCO-keypoints set"
	@echo "make demo-cls  - same for ImageNet-style classification on a toy ImageNet"
	@echo "make demo-video - same for SimVP-MogaNet video prediction on Moving MNIST (real digits)"
	@echo "make demo-reference - compare the backbone with the original's reference outputs"
	@echo "make gpu-kit    - download into .gpu_kit/ what the GPU machine lacks (docs/gpu.md)"
	@echo "make gpu-rehearsal - run the GPU command on the CPU in a venv like the GPU image"
	@echo "                  (REHEARSAL_ARGS=--tests: also the toy trainings there)"

install:
	@bash tools/install.sh

test: install
	@$(PY) -m pytest tests -n auto --dist loadfile --no-loadscope-reorder --durations=25 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

test-quick: install
	$(PY) -m pytest tests -n auto -m "not slow and not matrix" $(PYTEST_ARGS)

lint: install
	$(PY) -m flake8 $(LINT_PATHS)
	$(PY) -m isort --check-only --diff $(LINT_PATHS)
	$(PY) -m yapf --diff --recursive $(FORMAT_PATHS)

format: install
	$(PY) -m isort $(LINT_PATHS)
	$(PY) -m yapf --in-place --recursive --parallel $(FORMAT_PATHS)

test-matrix: install
	$(PY) -m pytest tests -m matrix --durations=10 $(PYTEST_ARGS)

demo: install
	$(PY) tools/demo/det.py

demo-seg: install
	$(PY) tools/demo/seg.py

demo-pose: install
	$(PY) tools/demo/pose.py

demo-cls: install
	$(PY) tools/demo/cls.py

demo-video: install
	$(PY) tools/demo/video.py

demo-reference: install
	$(PY) tools/check_reference.py

# the GPU run in one prepared call (docs/gpu.md): the kit, and its CPU rehearsal
gpu-kit: install
	@bash tools/gpu/make_kit.sh

gpu-rehearsal: install
	@bash tools/gpu/rehearsal.sh $(REHEARSAL_ARGS)
