"""The bad-input matrix of docs/reliability.md ("Bad input matrix"): each case fails
with an error that names the file / key / value and the valid choices, and leaves the
user's files as they were."""
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from moganet_mm import MogaNet
from tools.data.check_dataset import DatasetError, check_coco, check_image, check_seg_labels

from conftest import REPO

TINY = dict(embed_dims=[8, 16, 24, 32], depths=[1, 1, 1, 1], ffn_ratios=[2, 2, 2, 2])


def digest(path: Path) -> str:
    files = sorted(p for p in Path(path).rglob('*') if p.is_file()) if Path(path).is_dir() \
        else [Path(path)]
    return hashlib.sha256(b''.join(p.read_bytes() for p in files)).hexdigest()


def pretrained(path, arch=TINY):
    model = MogaNet(arch=arch, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    return model


def test_input_smaller_than_the_stride():
    model = MogaNet(arch=TINY).eval()
    with pytest.raises(ValueError, match=r'at least 32x32 pixels.*got 16x40'):
        model(torch.randn(1, 3, 16, 40))
    outs = model(torch.randn(1, 3, 32, 33))  # the smallest size that works
    assert [o.shape[-2:] for o in outs][-1] == (1, 2)


def test_truncated_checkpoint(tmp_path):
    path = tmp_path / 'moganet.pth'
    torch.save(dict(state_dict=MogaNet(arch=TINY).state_dict()), path)
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    before = digest(path)
    with pytest.raises(RuntimeError, match=r"moganet.pth.*truncated or corrupt"):
        pretrained(path)
    assert digest(path) == before


def test_checkpoint_of_another_task(tmp_path):
    """A ResNet-50 detector's weights: no MogaNet key in them."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    register_all_modules()
    resnet = MODELS.build(dict(type='ResNet', depth=18))
    path = tmp_path / 'retinanet_r18.pth'
    torch.save(dict(state_dict={f'backbone.{k}': v for k, v in resnet.state_dict().items()}), path)
    with pytest.raises(
            ValueError,
            match=r"retinanet_r18.pth': The checkpoint has no weights for "
            r"this MogaNet \(first keys: \['conv1.weight'"):
        pretrained(path)


def test_misspelt_backbone_argument_in_a_config():
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    register_all_modules()
    cfg = Config.fromfile(REPO / 'configs' / 'det' / 'mask_rcnn_moganet_xt_1x.py')
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.drop_paht_rate = 0.1
    with pytest.raises(
            TypeError,
            match=r"unknown argument\(s\) 'drop_paht_rate' \(did you "
            r"mean 'drop_path_rate'\?\); valid arguments are"):
        MODELS.build(cfg.model)


def test_code_in_a_checkpoint_does_not_run_through_mmengine(tmp_path):
    """The resume / load_from path (mmengine's loader) refuses it too."""
    from mmengine.runner import load_checkpoint
    marker = tmp_path / 'pwned'

    class Evil:

        def __reduce__(self):
            return (open, (str(marker), 'w'))

    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={'x': torch.zeros(1)}, meta=Evil()), path)
    with pytest.raises(Exception, match='Weights only load failed'):
        load_checkpoint(torch.nn.Linear(1, 1), str(path))
    assert not marker.exists()


# ---------------------------------------------------------------- datasets
@pytest.fixture
def coco(tmp_path):
    """A two-image COCO set that is valid until a test breaks it."""
    img_dir = tmp_path / 'train'
    img_dir.mkdir()
    for i in (1, 2):
        cv2.imwrite(str(img_dir / f'{i}.jpg'), np.full((40, 40, 3), 127, np.uint8))
    ann = dict(
        images=[dict(id=i, file_name=f'{i}.jpg', width=40, height=40) for i in (1, 2)],
        annotations=[
            dict(
                id=10 + i,
                image_id=i,
                category_id=1,
                bbox=[2, 2, 10, 10],
                area=100,
                iscrowd=0,
                segmentation=[[2, 2, 12, 2, 12, 12]]) for i in (1, 2)
        ],
        categories=[dict(id=1, name='circle'), dict(id=2, name='square')])
    ann_file = tmp_path / 'instances.json'
    ann_file.write_text(json.dumps(ann))
    assert check_coco(ann_file, img_dir)['annotations'] == 2
    return ann_file, img_dir, ann


def test_corrupt_image_file(coco, tmp_path):
    ann_file, img_dir, _ = coco
    (img_dir / '2.jpg').write_bytes(b'\xff\xd8 not really a jpeg')
    before = digest(tmp_path)
    with pytest.raises(DatasetError, match=r'2.jpg \(\d+ bytes\) cannot be decoded'):
        check_coco(ann_file, img_dir)
    assert digest(tmp_path) == before


def test_corrupt_image_in_the_training_pipeline(coco):
    """mmdet's own loading names the file too."""
    from mmcv.transforms import LoadImageFromFile
    _, img_dir, _ = coco
    (img_dir / '2.jpg').write_bytes(b'garbage')
    with pytest.raises(Exception, match=r'2.jpg'):
        LoadImageFromFile()(dict(img_path=str(img_dir / '2.jpg')))


@pytest.mark.parametrize('field,value,match', [
    ('category_id', 7, r'annotation id 12 \(image_id 2\) has category_id 7, which is not '
     r"among the categories \{1: 'circle', 2: 'square'\}"),
    ('bbox', [2, 2, -5, 10], r'annotation id 12 \(image_id 2\) has bbox \[2, 2, -5, 10\] '
     r'with non-positive width or height'),
    ('image_id', 99, r'annotation id 12 \(image_id 99\) refers to an image id'),
])
def test_bad_coco_annotation(coco, tmp_path, field, value, match):
    ann_file, img_dir, ann = coco
    ann['annotations'][1][field] = value
    ann_file.write_text(json.dumps(ann))
    before = digest(tmp_path)
    with pytest.raises(DatasetError, match=r'instances.json: ' + match):
        check_coco(ann_file, img_dir)
    assert digest(tmp_path) == before


def test_label_png_with_values_outside_the_classes(tmp_path):
    labels = tmp_path / 'annotations'
    labels.mkdir()
    good = np.zeros((8, 8), np.uint8)
    good[2:4] = 3
    cv2.imwrite(str(labels / 'a.png'), good)
    assert check_seg_labels(labels, num_classes=3) == 1
    bad = good.copy()
    bad[5] = 9
    cv2.imwrite(str(labels / 'b.png'), bad)
    before = digest(tmp_path)
    with pytest.raises(
            DatasetError,
            match=r'b.png holds values \[9\] outside the valid '
            r'classes 0..3 \(and ignore index 255\)'):
        check_seg_labels(labels, num_classes=3)
    assert digest(tmp_path) == before


def test_check_dataset_cli_exit_status(coco, capsys):
    from tools.data.check_dataset import main
    ann_file, img_dir, ann = coco
    assert main(['coco', str(ann_file), '--img-dir', str(img_dir)]) == 0
    ann['annotations'][0]['category_id'] = 5
    ann_file.write_text(json.dumps(ann))
    assert main(['coco', str(ann_file)]) == 1
    assert 'category_id 5' in capsys.readouterr().err


def test_missing_image(coco):
    ann_file, img_dir, _ = coco
    (img_dir / '1.jpg').unlink()
    with pytest.raises(DatasetError, match=r'1.jpg does not exist'):
        check_image(img_dir / '1.jpg')
