"""``torch.onnx.export`` with this project's choices, and the error for what cannot export.

The exporter is torch's TorchScript-based one (``dynamo=False``), the one mmdeploy
drives: it records data-dependent sizes (the number of boxes NMS keeps, RoIs per FPN
level) as ONNX ops, where ``torch.export`` needs every such size declared, and it
exports the backbone with dynamic batch and input size as well.
"""
import os
import warnings
from typing import Dict, Optional, Sequence

import torch

#: 16: ``RoiAlign`` with ``coordinate_transformation_mode='half_pixel'`` (mmcv's
#: ``aligned=True``) and ``GridSample``; ONNX Runtime >= 1.11 runs it.
OPSET = 17


class ExportError(RuntimeError):
    """A model or an argument that this project cannot export, with the reason."""


def export(module: torch.nn.Module,
           example: torch.Tensor,
           path: str,
           output_names: Sequence[str],
           dynamic_axes: Optional[Dict[str, Dict[int, str]]] = None,
           opset: int = OPSET) -> str:
    """Export ``module(example)`` to ``path`` (the graph's input is named ``input``);
    returns ``path``.

    ``dynamic_axes`` names the free axes of ``input`` and of each output (see
    :func:`dynamic_axes`); without it every shape is fixed to ``example``'s. The
    module runs in eval mode under ``no_grad``.
    """
    module.eval()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter's deprecation notice, and tracer warnings about
        # Python values computed from shapes (they are recorded as ONNX shape ops)
        warnings.simplefilter('ignore', DeprecationWarning)
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.filterwarnings('ignore', message='.*Constant folding.*')
        torch.onnx.export(
            module, (example, ),
            path,
            dynamo=False,
            opset_version=opset,
            input_names=['input'],
            output_names=list(output_names),
            dynamic_axes=dynamic_axes,
            do_constant_folding=True)
    return path


def dynamic_axes(output_names: Sequence[str],
                 batch: bool = True,
                 size: bool = True,
                 outputs: Optional[Dict[str, Dict[int, str]]] = None):
    """``dynamic_axes`` for :func:`export`: the input's batch (``batch``) and height and
    width (``size``) free, and ``outputs`` (default: each output's axis 0, the batch)."""
    axes = {
        'input': {
            **({
                0: 'batch'
            } if batch else {}),
            **({
                2: 'height',
                3: 'width'
            } if size else {})
        }
    }
    axes.update(outputs if outputs is not None else {n: {0: 'batch'} for n in output_names})
    return axes


def check_model(path: str):
    """ONNX's checker with full shape inference: an invalid graph (such as a Concat of
    inputs whose ranks differ) is an :class:`ExportError` here, not at load time."""
    import onnx  # optional: only checking an exported graph needs it
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as err:
        raise ExportError(f'{path} is not a valid ONNX model: {err}') from err
