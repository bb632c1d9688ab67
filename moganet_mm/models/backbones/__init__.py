from .moganet import MogaNet

__all__ = ['MogaNet']
