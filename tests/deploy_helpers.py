"""MogaNets whose deploy-mode folding changes every output if it is wrong: shared by
the deploy-mode and the ONNX tests."""
import torch

TINY = dict(embed_dims=[8, 16, 24, 32], depths=[1, 1, 2, 1], ffn_ratios=[2, 2, 2, 2])


def randomize(model, seed=0):
    """Layer scales, sigmas and BN affines of order 0.1-1 and BN statistics
    calibrated on random data, so that every folded term changes the output."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model.init_weights()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'scale' in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)
            elif p.dim() == 1 and ('norm' in name or 'projection.1' in name
                                   or 'projection.4' in name):
                p.copy_(
                    torch.rand(p.shape, generator=g) +
                    0.5 if name.endswith('weight') else torch.randn(p.shape, generator=g) * 0.1)
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.momentum = None  # cumulative average over the calibration passes
        model.train()
        for _ in range(2):
            model(torch.randn(4, 3, 48, 80, generator=g))
    return model.eval()


def deployed_copy(model):
    other = type(model)(arch=model.arch_settings)
    other.load_state_dict(model.state_dict())
    other.switch_to_deploy()
    return other
