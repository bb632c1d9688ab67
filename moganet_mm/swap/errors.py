"""The one exception type of the swap tool: bad input or a model MogaNet cannot enter."""


class SwapError(ValueError):
    """A config that cannot take MogaNet, or bad arguments; the message names the
    config field (or argument) and why."""
