"""The demos: one runner (:mod:`tools.demo.runner`) and a small task description per task."""
