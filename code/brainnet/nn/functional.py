"""``brainnet.nn.functional`` is ``brainnet.functional``, so that PyTorch's
``import torch.nn.functional as F`` reads the same here."""

from ..functional import *  # noqa: F403
from ..functional import __all__  # noqa: F401
