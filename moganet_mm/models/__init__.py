from .backbones import MogaNet

__all__ = ['MogaNet']
