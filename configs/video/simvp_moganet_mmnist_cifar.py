# SimVP with a MogaNet translator on Moving MNIST-CIFAR (10 frames of 3x64x64 in,
# 10 out): OpenSTL configs/mmnist_cifar/simvp/SimVP_MogaNet.py (as MMNIST, lr 5e-3).
# Paper: MSE 49.48 / MAE 184.11 / SSIM 0.9521 / PSNR 25.07.
#
# Data: data/moving_mnist/train-images-idx3-ubyte.gz (MNIST digits),
# data/cifar10/cifar-10-batches-py (CIFAR-10 backgrounds; not shipped: without it
# the dataset stops with an error saying so) and
# data/moving_mnist/mnist_cifar_test_seq.npy (the test clips; or make held-out clips
# with tools/data/moving_mnist.py --cifar-root data/cifar10).
_base_ = ['./simvp_moganet_mmnist.py']

in_shape = (10, 3, 64, 64)
model = dict(in_shape=in_shape)

train_dataloader = dict(dataset=dict(backgrounds='../cifar10'))
val_dataloader = dict(dataset=dict(clips_file='mnist_cifar_test_seq.npy'))
test_dataloader = val_dataloader

max_epochs = 200
lr = 5e-3
optim_wrapper = dict(optimizer=dict(lr=lr))
param_scheduler = [
    dict(type='OneCycleLR', eta_max=lr, pct_start=0.3, div_factor=25., final_div_factor=1e4,
         anneal_strategy='cos', begin=0, end=max_epochs, by_epoch=True,
         convert_to_iter_based=True),
    dict(type='OneCycleMomentum', base_momentum=0.85, max_momentum=0.95, pct_start=0.3,
         begin=0, end=max_epochs, by_epoch=True, convert_to_iter_based=True),
]
