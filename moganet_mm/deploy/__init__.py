"""Deployment: ONNX export of MogaNet backbones, classifiers and whole task models,
ONNX Runtime sessions and OpenVINO to run them, and post-training int8 (docs/deploy.md).

- :mod:`.exporter`: ``torch.onnx.export`` with this project's choices (exporter,
  opset, dynamic axes) and :class:`ExportError`;
- :mod:`.ort`: ONNX Runtime sessions on the CPU or CUDA provider;
- :mod:`.openvino`: OpenVINO on the CPU at an explicit precision (f32, or bf16 / f16
  where the CPU has it), ``openvino.compile`` and ``openvino.run``;
- :mod:`.quantize`: post-training static int8 of an exported model (ONNX Runtime's
  quantizer, QDQ, per-channel weights), run by ONNX Runtime and OpenVINO;
- :mod:`.evaluate`: a trained model's test metrics by its codebase's own test loop and
  metric, in PyTorch and exported to each runtime at f32 and int8
  (``python -m moganet_mm.deploy.evaluate``);
- :mod:`.models`: build a config's model (with a checkpoint, optionally in deploy
  mode) and wrap it as a tensors-in, tensors-out module with the post-processing
  mmdeploy adds (:mod:`.detection`, :mod:`.segmentation`, :mod:`.pose`);
- :mod:`.cli`: the command line, ``moganet-export`` or ``python -m moganet_mm.deploy``
  (``tools/deploy/export_onnx.py`` in a checkout).

    from moganet_mm.deploy import build_model, export, export_spec, load_config, run, session
    cfg = load_config('configs/cls/moganet_xt_in1k.py')
    spec = export_spec(cfg, build_model(cfg, checkpoint=None))
    export(spec.module, torch.randn(1, 3, 224, 224), 'xt.onnx', spec.output_names)
    scores, = run(session('xt.onnx'), torch.randn(1, 3, 224, 224))
    scores, = openvino.run(openvino.compile('xt.onnx', 'f32'), torch.randn(1, 3, 224, 224))
    quantize.quantize('xt.onnx', 'xt.int8.onnx', [torch.randn(1, 3, 224, 224) for _ in range(8)])
"""
from . import openvino, quantize
from .exporter import ExportError, export
from .models import build_model, export_spec, load_config, switch_to_deploy
from .ort import run, session
from .spec import ExportSpec

__all__ = [
    'ExportError', 'ExportSpec', 'build_model', 'export', 'export_spec', 'load_config', 'openvino',
    'quantize', 'run', 'session', 'switch_to_deploy'
]
