"""Whole task models exported to ONNX (tools/deploy) and run with ONNX Runtime, against
PyTorch on toy images: Mask R-CNN (boxes, labels, masks), UperNet (class maps) and
TopDown (keypoints), each against the exported module in torch (the same graph,
tight) and against the codebase's own ``predict`` (what a user gets, stated
tolerances)."""
import numpy as np
import pytest
import torch

from moganet_mm.deploy import detection
from moganet_mm.deploy.exporter import check_model, export
from moganet_mm.deploy.models import build_model, export_spec, load_config
from moganet_mm.deploy.ort import run, session

from conftest import REPO, rel_err


def build(config, seed=0):
    # fresh weights, but the same ones every run: some draws put proposals or masks
    # on a threshold, where float rounding decides (a flaky test, not a wrong graph)
    torch.manual_seed(seed)
    cfg = load_config(str(REPO / config))
    model = build_model(cfg, None)
    return cfg, model


def preprocess(model, img_bgr, data_sample=None):
    """The codebase's data preprocessor on one HxWx3 uint8 image (normalize, pad);
    mmpose's needs a data sample to write the input shape into."""
    data = dict(inputs=[torch.from_numpy(np.ascontiguousarray(img_bgr)).permute(2, 0, 1)])
    if data_sample is not None:
        data['data_samples'] = [data_sample]
    return model.data_preprocessor(data, False)['inputs']


def export_and_session(spec, path, dynamic=True):
    h, w = spec.input_hw
    export(spec.module, torch.randn(1, 3, h, w), str(path), spec.output_names,
           spec.dynamic_axes(dynamic))
    check_model(str(path))
    return session(str(path))


def box_iou(a, b):
    lt, rb = np.maximum(a[:, None, :2], b[None, :, :2]), np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area = lambda x: (x[:, 2:] - x[:, :2]).prod(-1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None] - inter)


def tie_order(dets, ref_dets, tie=1e-5):
    """The permutation of ``ref_dets`` (N x 5: box, score) that lines it up with
    ``dets``: each row goes to its nearest reference row, and rows may only trade
    places with rows whose score ties with theirs."""
    dist = np.abs(dets[:, None] - ref_dets[None]).max(-1)
    order = dist.argmin(1)
    assert sorted(order) == list(range(len(dets))), 'detections do not pair up'
    assert np.abs(ref_dets[order, 4] - ref_dets[:, 4]).max() <= tie, 'moved past a non-tie'
    return order


@pytest.mark.slow
def test_mask_rcnn_onnx_matches_pytorch_on_toy_images(tmp_path):
    from mmdet.structures import DetDataSample

    from tools.data.make_toy_coco import make_image
    _, model = build('configs/det/mask_rcnn_moganet_xt_1x.py')
    # fresh weights score every class near 1/81, under score_thr: spread two classes'
    # scores over (0, 1) so that the images have detections to compare; and spread the
    # RPN's scores, which fresh weights leave so close to 0.5 that some tie exactly
    # (tied proposals come out of mmdet's sort and ONNX's TopK in either order)
    with torch.no_grad():
        model.roi_head.bbox_head.fc_cls.weight[:2] *= 30
        model.roi_head.bbox_head.fc_cls.bias[:2] += 2
        model.rpn_head.rpn_cls.weight *= 100
        model.roi_head.mask_head.conv_logits.weight *= 100  # and the mask probabilities
    spec = detection.detector_spec(None, model)
    sess = export_and_session(spec, tmp_path / 'mask_rcnn.onnx')
    rng = np.random.default_rng(0)
    for size in [(256, 224), (200, 320)]:
        img, _ = make_image(max(size), rng)
        x = preprocess(model, img[:size[0], :size[1]])
        h, w = x.shape[2:]
        outs = run(sess, x)
        with torch.no_grad():
            ref = [t.numpy() for t in spec.module(x)]
        # the same graph in torch: same detections, boxes and masks to float rounding;
        # detections whose scores tie to rounding may come out in either order
        assert len(outs[0][0]) == len(ref[0][0]) > 10
        order = tie_order(outs[0][0], ref[0][0])
        np.testing.assert_array_equal(outs[1][0], ref[1][0][order])
        assert rel_err(torch.from_numpy(outs[0][0]), torch.from_numpy(ref[0][0][order])) <= 1e-4
        # the mask logits were scaled by 100 above, so their float rounding is too:
        # ORT and torch differ by ~1e-4 in probability (1.05e-4 measured in CI)
        assert np.abs(outs[2][0] - ref[2][0][order]).max() <= 1e-3
        # mmdet's own predict (mmcv's RoIAlign and NMS): the same detections
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(h, w),
                ori_shape=(h, w),
                batch_input_shape=(h, w),
                pad_shape=(h, w),
                scale_factor=(1., 1.)))
        with torch.no_grad():
            mm = model.predict(x, [sample], rescale=False)[0].pred_instances
        ours = detection.predictions(outs, (h, w), mask_thr=None)  # probabilities
        assert len(ours['bboxes']) == len(mm.bboxes)
        iou = box_iou(ours['bboxes'], mm.bboxes.numpy())
        same = ((iou > 0.999) & (ours['labels'][:, None] == mm.labels.numpy()[None])
                & (np.abs(ours['scores'][:, None] - mm.scores.numpy()[None]) < 1e-4))
        assert same.any(1).mean() >= 0.98 and same.any(0).mean() >= 0.98
        i, j = np.nonzero(same)
        # fresh mask heads predict ~0.5 everywhere: compare the binary masks where the
        # probability is clear of the threshold by more than float noise
        probs, mm_masks = ours['masks'][i], mm.masks.numpy()[j]
        clear = np.abs(probs - 0.5) > 1e-4
        assert clear.mean() > 0.5
        assert ((probs >= 0.5) == mm_masks)[clear].mean() >= 0.999


@pytest.mark.slow
def test_upernet_onnx_matches_pytorch_on_toy_images(tmp_path):
    from mmseg.structures import SegDataSample

    from tools.data.make_toy_ade20k import make_scene
    _, model = build('configs/seg/upernet_moganet_xt_160k_ade20k.py')
    with torch.no_grad():  # fresh weights give near-equal logits: spread them
        model.decode_head.conv_seg.weight.mul_(100)
    spec = export_spec(
        load_config(str(REPO / 'configs/seg/upernet_moganet_xt_160k_ade20k.py')), model)
    sess = export_and_session(spec, tmp_path / 'upernet.onnx')
    rng = np.random.default_rng(0)
    for size in [(160, 128), (97, 203)]:  # PPM bins of 1, 2, 3, 6 over 5x4 and 4x7 maps
        img, _ = make_scene(rng, max(size))
        x = preprocess(model, np.asarray(img)[:size[0], :size[1], ::-1])
        seg = run(sess, x)[0]
        assert seg.shape == (1, 1, *x.shape[2:]) and seg.dtype == np.int64
        h, w = x.shape[2:]
        sample = SegDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        with torch.no_grad():
            pred = model.predict(x, [sample])[0]
        mm_seg = pred.pred_sem_seg.data.numpy()
        logits = pred.seg_logits.data
        top2 = logits.topk(2, dim=0).values
        clear = ((top2[0] - top2[1]) > 1e-4 * logits.abs().max()).numpy()
        # every pixel whose top two classes differ by more than float noise agrees
        assert (seg[0, 0][clear] == mm_seg[0][clear]).all()
        assert (seg[0] == mm_seg).mean() >= 0.999


@pytest.mark.slow
def test_topdown_onnx_matches_pytorch_on_toy_crops(tmp_path):
    from mmpose.structures import PoseDataSample

    from tools.data.make_toy_coco_keypoints import make_image
    cfg, model = build('configs/pose/topdown_moganet_xt_coco_256x192.py')
    spec = export_spec(cfg, model)
    assert spec.input_hw == (256, 192)
    sess = export_and_session(spec, tmp_path / 'topdown.onnx')
    rng = np.random.default_rng(0)
    img, _ = make_image(rng, 256)
    crops = [img[:, :192], img[:, 64:]]
    x = torch.cat([preprocess(model, c, PoseDataSample()) for c in crops])
    heatmaps, keypoints, scores = run(sess, x)
    with torch.no_grad():
        ref = [t.numpy() for t in spec.module(x)]
    assert rel_err(torch.from_numpy(heatmaps), torch.from_numpy(ref[0])) <= 1e-4
    np.testing.assert_allclose(keypoints, ref[1], atol=1e-4)
    # mmpose's predict without flip test, in crop pixels (centre and scale of the crop)
    model.test_cfg['flip_test'] = False
    meta = dict(
        input_size=(192, 256),
        input_center=np.array([96., 128.]),
        input_scale=np.array([192., 256.]))
    samples = []
    for _ in crops:
        s = PoseDataSample(metainfo=meta)
        from mmengine.structures import InstanceData
        s.gt_instances = InstanceData(
            bboxes=np.array([[0., 0., 192., 256.]]), bbox_scores=np.ones(1))
        samples.append(s)
    with torch.no_grad():
        preds = model.predict(x, samples)
    mm_kpts = np.stack([p.pred_instances.keypoints[0] for p in preds])
    mm_scores = np.stack([p.pred_instances.keypoint_scores[0] for p in preds])
    np.testing.assert_allclose(keypoints, mm_kpts, atol=1e-3)
    np.testing.assert_allclose(scores, mm_scores, rtol=1e-4, atol=1e-6)
