"""Checkpoint converters: the authors' releases to files that load here.

- :mod:`.moganet_to_mm`: an original MogaNet ImageNet release -> a moganet_mm
  backbone checkpoint (``moganet-convert-mm``);
- :mod:`.moganet_to_mmpretrain`: the same -> a whole mmpretrain ``ImageClassifier``
  checkpoint (``moganet-convert-mmpretrain``);
- :mod:`.openstl_to_mm`: an OpenSTL SimVP-MogaNet checkpoint -> a moganet_mm
  :class:`~moganet_mm.models.SimVP` checkpoint (``moganet-convert-openstl``).

Each runs as ``python -m moganet_mm.converters.<name> SRC DST``; the released
detection, segmentation and pose files need no conversion (docs/released_models.md).
"""
