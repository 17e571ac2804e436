"""``F``: the functions layers are made of, named as in ``torch.nn.functional``.

    import brainnet.functional as F
    loss = F.cross_entropy(model(x), y)

Nothing is defined here: each name is an op from ``brainnet/ops``. Where an op has a
fused twin (one graph node, a hand-written backward), ``F`` hands out the fused one:
``relu``, ``gelu``, ``linear``, ``layer_norm``, ``cross_entropy``, ``embedding`` and
``scaled_dot_product_attention`` come from ``ops/fused/``; their readable definitions
are in ``ops/activation.py``, ``ops/arith.py``, ``ops/norm.py``, ``ops/loss.py``,
``ops/embedding.py`` and ``ops/attention.py``.
"""

from .ops.activation import (
    leaky_relu,
    log_softmax,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from .ops.conv import avg_pool2d, conv2d, max_pool2d
from .ops.embedding import one_hot
from .ops.fused import (
    cross_entropy,
    embedding,
    gelu,
    layer_norm,
    linear,
    relu,
    scaled_dot_product_attention,
)
from .ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .ops.norm import dropout

__all__ = [
    "relu", "tanh", "sigmoid", "leaky_relu", "gelu", "softplus", "softmax", "log_softmax",
    "linear", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "dropout", "layer_norm", "embedding", "one_hot",
    "conv2d", "max_pool2d", "avg_pool2d", "scaled_dot_product_attention",
]
