"""The ops: every differentiable operation in brainnet, each defined once.

One file per family, each op written as compute, backward, ``record``:

    arith.py        + - * / **, matmul, linear, exp, log, sqrt, abs, clip, where, astype
    shape.py        reshape, permute, transpose, broadcast_to, indexing, cat, stack
    reduce.py       sum, mean, var, max, min, argmax, logsumexp
    activation.py   tanh, sigmoid, relu, leaky_relu, gelu, softplus, softmax, log_softmax
    loss.py         cross_entropy, nll_loss, mse_loss, l1_loss, huber_loss, binary ones
    norm.py         layer_norm, dropout
    embedding.py    embedding, one_hot
    conv.py         conv2d, conv2d_naive, max_pool2d, avg_pool2d (conv_grad.py: their
                    backward ops)
    fused.py        fast twins of linear, cross_entropy and embedding

These modules import the tensor, the engine and each other, never the facades above
them (``brainnet.functional``, ``brainnet.nn``, the package itself).
"""
