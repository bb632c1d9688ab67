"""Checkpoint converters: original MogaNet releases to moganet_mm / mmpretrain files."""
