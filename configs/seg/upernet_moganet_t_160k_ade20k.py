# UperNet + MogaNet-T (+ auxiliary FCN head on stage 3), ADE20K, 512x512,
# 160k iterations, batch 2 x 8.
# Original: segmentation/configs/upernet/moganet/upernet_moganet_tiny_512x512_160k_ade20k.py
# Released model (original repository, mmseg 0.x format);
# weights: ``mim download moganet_mm --config upernet_moganet_t_160k_ade20k --dest .``
_base_ = ['./_base_moganet_upernet.py']

size = _base_.moganet_sizes.t
model = dict(
    backbone=size.backbone,
    decode_head=dict(in_channels=size.widths),
    auxiliary_head=dict(in_channels=size.widths[2]))  # in_index=2: stage 3

train_dataloader = dict(batch_size=2)  # x 8 GPUs = 16
