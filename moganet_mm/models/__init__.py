from .backbones import MogaNet
from .simvp import SimVP

__all__ = ['MogaNet', 'SimVP']
