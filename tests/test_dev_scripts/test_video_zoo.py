""".dev_scripts/model_zoo.py on the video configs: the paper's 46.8M / 16.5G."""
import pytest

import model_zoo
from conftest import REPO


@pytest.mark.parametrize('config', ['simvp_moganet_mmnist.py', 'simvp_moganet_mmnist_cifar.py'])
def test_counts_match_the_paper(config):
    """Params within 1% and FLOPs within 2% of OpenSTL's fvcore count, on one clip
    of 10 frames of 64x64 (1 or 3 channels)."""
    row = model_zoo.count(str(REPO / 'configs' / 'video' / config))
    assert row['task'] == 'video' and row['input'] == '64x64'
    assert (row['paper_params_M'], row['paper_flops_G']) == ('46.8', '16.5')
    assert abs(row['params_diff']) <= 0.01 and abs(row['flops_diff']) <= 0.02, row
    assert row['ok'], row


def test_toy_config_is_small():
    """The demo's config is the same model at smaller widths (not a zoo row)."""
    from mmengine.config import Config
    from mmengine.registry import MODELS
    cfg = Config.fromfile(REPO / 'configs' / 'video' / 'toy' / 'simvp_moganet_mmnist_toy.py')
    model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    assert 1.5 < params < 1.8  # 1.7M, as the feasibility run
    assert type(model).__name__ == 'SimVP' and model.N_T == 4
