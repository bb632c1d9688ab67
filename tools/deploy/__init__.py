"""Deployment: ONNX export of MogaNet backbones, classifiers and whole task models,
and ONNX Runtime sessions to run them (docs/deploy.md).

- :mod:`tools.deploy.exporter`: ``torch.onnx.export`` with this project's choices
  (exporter, opset, dynamic axes) and :class:`~tools.deploy.exporter.ExportError`;
- :mod:`tools.deploy.ort`: ONNX Runtime sessions on the CPU or CUDA provider;
- :mod:`tools.deploy.models`: build a config's model (with a checkpoint, optionally
  in deploy mode) and wrap it as a tensors-in, tensors-out module with the
  post-processing mmdeploy adds (:mod:`tools.deploy.detection`,
  :mod:`tools.deploy.segmentation`, :mod:`tools.deploy.pose`);
- ``tools/deploy/export_onnx.py``: the command line.
"""
