"""Datasets registered in MMEngine's root ``DATASETS``."""
from .moving_mnist import (MovingMNIST, MovingMNISTGenerator, load_cifar10, load_clips,
                           load_mnist_digits)

__all__ = ['MovingMNIST', 'MovingMNISTGenerator', 'load_cifar10', 'load_clips', 'load_mnist_digits']
