"""The 384x288 input of the TopDown configs, for the ``*_384x288.py`` configs to take
over their 256x192 siblings (``input_384x288.codec`` / ``train_pipeline`` /
``val_pipeline``; one name, since MMEngine forbids a key in two bases).

The pipelines are mmpose's ``td-hm_res50_8xb64-210e_coco-384x288.py``; the heatmap
sigma stays 2, as in the original ``moganet_*_coco_384x288.py`` (mmpose's ResNet
384x288 config uses 3).
"""
_codec = dict(type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=2)
input_384x288 = dict(
    codec=_codec,
    train_pipeline=[
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomFlip', direction='horizontal'),
        dict(type='RandomHalfBody'),
        dict(type='RandomBBoxTransform'),
        dict(type='TopdownAffine', input_size=_codec['input_size']),
        dict(type='GenerateTarget', encoder=_codec),
        dict(type='PackPoseInputs')
    ],
    val_pipeline=[
        dict(type='LoadImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=_codec['input_size']),
        dict(type='PackPoseInputs')
    ])
del _codec
