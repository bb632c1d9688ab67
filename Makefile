# moganet_mm: every command installs what is missing into .venv/ first.
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: install test test-matrix demo demo-seg demo-pose demo-cls demo-video demo-reference help

help:
	@echo "make install  - create .venv/ with the pinned OpenMMLab 2.0 stack (idempotent)"
	@echo "make test     - install if needed, run the test suite"
	@echo "make test-matrix - only the backbone-swap compatibility matrix's tests (part of make test)"
	@echo "make demo      - install if needed; train + evaluate Mask R-CNN MogaNet-XT on a toy COCO"
	@echo "make demo-seg  - same for Semantic FPN on a toy ADE20K"
	@echo "make demo-pose - same for TopDown pose on a toy COCO-keypoints set"
	@echo "make demo-cls  - same for ImageNet-style classification on a toy ImageNet"
	@echo "make demo-video - same for SimVP-MogaNet video prediction on Moving MNIST (real digits)"
	@echo "make demo-reference - compare the backbone with the original's reference outputs"

install:
	@bash tools/install.sh

test: install
	@$(PY) -m pytest tests -n auto --dist loadfile --no-loadscope-reorder --durations=25 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

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
