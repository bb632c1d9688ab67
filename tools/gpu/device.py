"""Which device a step of the GPU run uses, and what the machine is (tools/gpu/run_all.sh)."""
import os
import platform

import torch


def machine(device: str) -> dict:
    """The device, torch and the cores a step ran on (the GPU's name and memory on CUDA)."""
    info = dict(
        device=device,
        torch=torch.__version__,
        cuda=torch.version.cuda,
        cores=os.cpu_count(),
        cpu=platform.processor() or platform.machine())
    if device == 'cuda':
        props = torch.cuda.get_device_properties(0)
        info.update(
            gpu=torch.cuda.get_device_name(0),
            capability='.'.join(map(str, torch.cuda.get_device_capability(0))),
            gpu_memory_GiB=round(props.total_memory / 2**30, 1),
            cudnn=torch.backends.cudnn.version())
    return info


def device_of(smoke: bool) -> str:
    """'cuda' where torch sees a GPU; 'cpu' for a smoke run. A GPU step run without a GPU
    and without --smoke is an error (run_all.sh skips it there)."""
    if torch.cuda.is_available():
        return 'cuda'
    if smoke:
        return 'cpu'
    raise SystemExit('no CUDA device here: run on a GPU, or pass --smoke for the CPU smoke')
