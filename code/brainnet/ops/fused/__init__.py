"""Fast twins: ops fused into one graph node with a hand-written backward.

Each function here computes exactly what a readable definition elsewhere in
``brainnet/ops`` computes, from the same formula, but as one node instead of several,
and with its first-order backward on raw arrays (no tensor ops, no graph). When a
graph is being recorded (``create_graph=True``), the backward uses tensor ops instead
(or the readable twin itself, ``twin.py``), so second derivatives still work. ``F``
and ``nn`` use these; the readable twins are what to read first.
``tests/unit/test_twins.py`` holds every pair equal, in values and in first and
second derivatives, and ``make bench`` measures what each one saves.

    fast (this package)                   readable twin
    relu                                  activation.relu          max(x, 0)
    gelu                                  activation.gelu          x Phi(x), tanh form
    linear                                arith.linear             x @ W.T + b
    layer_norm                            norm.layer_norm          (x - mean) / std w + b
    cross_entropy                         loss.cross_entropy       nll_loss(log_softmax(x), t)
    embedding                             embedding.embedding      weight[indices]
    scaled_dot_product_attention          attention.scaled_dot_product_attention
    lstm, rnn                             recurrent.lstm, recurrent.rnn   (time loop)
"""

from .attention import attention_with_weights, scaled_dot_product_attention, self_attention
from .basic import cross_entropy, embedding, gelu, layer_norm, linear, relu
from .recurrent import lstm, rnn

__all__ = ["attention_with_weights", "self_attention", "scaled_dot_product_attention",
           "cross_entropy", "embedding", "gelu", "layer_norm", "linear", "relu", "lstm", "rnn"]
