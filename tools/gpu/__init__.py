"""The GPU run in one prepared call (docs/gpu.md): the kit (``make gpu-kit``), the
command run on the GPU machine (``tools/gpu/run_all.sh``), its steps and their CPU
rehearsal (``make gpu-rehearsal``)."""
