"""tools/swap_backbone.py: the edits it works out from the models, on the codebases'
own configs, and its answers to bad input."""
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from moganet_mm.codebases import load_config
from moganet_mm.swap import SwapError, plan_swap, swap_backbone
from moganet_mm.swap.cli import main
from tools.paths import REPO

XT = [32, 64, 96, 192]  # MogaNet-XT widths, strides 4..32


def edits(plan):
    return {'.'.join(map(str, e.path)): (e.old, e.new) for e in plan.edits}


def test_dino_maps_strides_and_channel_mapper(tmp_path):
    """DETR family: ResNet out_indices (1, 2, 3) -> MogaNet stages at strides 8/16/32;
    only the ChannelMapper's in_channels change, not the transformer's widths."""
    out = tmp_path / 'dino_moganet.py'
    plan = swap_backbone(
        'mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', arch='xt', pretrained='none', out=str(out))
    assert [f.stride for f in plan.old_features] == [8, 16, 32]
    assert plan.out_indices == (1, 2, 3)
    assert edits(plan) == {'neck.in_channels': ([512, 1024, 2048], XT[1:])}
    cfg = Config.fromfile(str(out))
    assert cfg.model.backbone.type == 'MogaNet' and 'depth' not in cfg.model.backbone
    assert cfg.model.neck.in_channels == XT[1:]
    assert 'moganet_mm' in cfg.custom_imports.imports
    assert cfg.model.encoder.layer_cfg.self_attn_cfg.embed_dims == 256  # untouched


def test_released_weights_and_normalisation():
    """--pretrained released points at the arch's ImageNet release; a caffe-style
    BGR preprocessor becomes RGB with ImageNet mean/std for those weights."""
    plan = plan_swap('mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', arch='t')
    assert plan.backbone['init_cfg']['checkpoint'].endswith(
        'moganet_tiny_sz224_8xbs128_ep300.pth.tar')
    pre = plan.model_overrides['data_preprocessor']
    assert pre['bgr_to_rgb'] is True and pre['std'] == [58.395, 57.12, 57.375]
    none = plan_swap(
        'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py', arch='t', pretrained='none')
    assert none.backbone['init_cfg'] is None and 'data_preprocessor' not in none.model_overrides
    assert 'frozen_stages' not in none.backbone  # random weights are never frozen


def test_dilated_pspnet_and_pretrained_field():
    """PSPNet's dilated ResNetV1c (strides 4/8/8/8) maps output by output, with a
    warning; in_index picks each head's width; model.pretrained is dropped."""
    plan = plan_swap(
        'mmseg::pspnet/pspnet_r50-d8_4xb4-80k_ade20k-512x512.py', arch='xt', pretrained='none')
    assert [f.stride for f in plan.old_features] == [4, 8, 8, 8]
    assert plan.out_indices == (0, 1, 2, 3)
    assert edits(plan) == {
        'decode_head.in_channels': (2048, 192),
        'auxiliary_head.in_channels': (1024, 96)
    }
    assert any('dilated' in w for w in plan.warnings)
    assert plan.model_overrides['pretrained'] is None
    assert any('model.pretrained' in w for w in plan.warnings)


def test_deeplabv3plus_low_level_channels():
    plan = plan_swap(
        'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb4-80k_ade20k-512x512.py',
        arch='xt',
        pretrained='none')
    assert edits(plan)['decode_head.c1_in_channels'] == (256, 32)
    assert edits(plan)['decode_head.in_channels'] == (2048, 192)


def test_knet_keeps_fields_not_fed_by_the_backbone():
    """KNet's kernel update heads have in_channels=256, ResNet's stage-1 width, but
    read the UPerHead's output: the trace leaves them alone."""
    plan = plan_swap(
        'mmseg::knet/knet-s3_r50-d8_upernet_8xb2-adamw-80k_ade20k-512x512.py',
        arch='xt',
        pretrained='none')
    changed = edits(plan)
    assert changed['decode_head.kernel_generate_head.in_channels'] == ([256, 512, 1024, 2048], XT)
    assert not any('kernel_update_head' in k for k in changed)


def test_query_based_segmentor_mask2former():
    plan = plan_swap(
        'mmseg::mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py',
        arch='xt',
        pretrained='none')
    assert plan.out_indices == (0, 1, 2, 3)
    assert edits(plan) == {'decode_head.in_channels': ([256, 512, 1024, 2048], XT)}


def test_simcc_pose_head():
    plan = plan_swap(
        'mmpose::body_2d_keypoint/simcc/coco/simcc_res50_8xb64-210e_coco-256x192.py',
        arch='xt',
        pretrained='none')
    assert plan.out_indices == (3, )
    assert edits(plan) == {'head.in_channels': (2048, 192)}


def test_pass_through_neck_classifier():
    """mmpretrain: GlobalAveragePooling has no channel field; the head's in_channels
    is read through it."""
    plan = plan_swap('mmpretrain::resnet/resnet50_8xb32_in1k.py', arch='xt', pretrained='none')
    assert edits(plan) == {'head.in_channels': (2048, 192)}


def test_config_in_memory():
    cfg, _ = load_config('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py')  # mmengine.hub.get_config
    plan = swap_backbone(cfg, arch='xt', pretrained='none')
    swapped = plan.apply(cfg)
    assert swapped.model.backbone.type == 'MogaNet'
    assert swapped.model.neck.in_channels == XT
    assert cfg.model.backbone.type == 'ResNet'  # the source is not changed


# ---- bad input: one clear error, nothing overwritten


@pytest.mark.parametrize('src, message', [
    ('mmdet::nope/nope.py', 'not found'),
    ('no/such/config.py', 'no such config file'),
    ('mmfoo::x.py', "unknown codebase 'mmfoo'"),
])
def test_unknown_config(src, message):
    with pytest.raises(SwapError, match=message):
        plan_swap(src)


def test_config_without_backbone(tmp_path):
    cfg = tmp_path / 'nobackbone.py'
    cfg.write_text("default_scope = 'mmdet'\nmodel = dict(type='RPN')\n")
    with pytest.raises(SwapError, match='no model.backbone'):
        plan_swap(str(cfg))


def test_bad_arch():
    with pytest.raises(SwapError, match=r"'huge' is not a MogaNet arch; choose one of"):
        plan_swap('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', arch='huge')


def test_existing_out_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / 'mine.py'
    out.write_text('# my config\n')
    rc = main(['mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', '--out', str(out)])
    assert rc == 2
    assert 'exists; pass --force' in capsys.readouterr().err
    assert out.read_text() == '# my config\n'


def test_out_equal_to_src_refused_even_with_force(tmp_path):
    src = tmp_path / 'src.py'
    src.write_text("_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'\n")
    before = src.read_text()
    with pytest.raises(SwapError, match='is the source config itself'):
        swap_backbone(str(src), out=str(src), force=True)
    assert src.read_text() == before


def test_force_overwrites_and_local_base_is_relative(tmp_path):
    src = tmp_path / 'a' / 'retina.py'
    src.parent.mkdir()
    src.write_text("_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'\n")
    out = tmp_path / 'b' / 'retina_moganet.py'
    out.parent.mkdir()
    out.write_text('old')
    assert main([str(src), '--arch', 'xt', '--pretrained', 'none', '--out',
                 str(out), '--force']) == 0
    assert "_base_ = '../a/retina.py'" in out.read_text()
    assert Config.fromfile(str(out)).model.neck.in_channels == XT


@pytest.mark.parametrize('argv', [['tools/swap_backbone.py'], ['-m', 'moganet_mm.swap.cli']])
def test_runs_as_script_and_module(argv):
    out = subprocess.run([sys.executable, *argv, '--help'],
                         cwd=REPO,
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert '--pretrained' in out.stdout


def test_written_config_trains_a_step(tmp_path):
    """The printed config, saved, builds and its model gives a finite loss."""
    from moganet_mm.codebases import build_model

    from swap_synthetic import det_batch
    plan = swap_backbone('mmdet::atss/atss_r50_fpn_1x_coco.py', arch='xt', pretrained='none')
    path = tmp_path / 'atss.py'
    path.write_text(plan.text)
    cfg = Config.fromfile(str(path))
    model = build_model(cfg.model, 'mmdet')
    data = model.data_preprocessor(det_batch(cfg.model), True)
    loss, _ = model.parse_losses(model(**data, mode='loss'))
    assert torch.isfinite(loss)
