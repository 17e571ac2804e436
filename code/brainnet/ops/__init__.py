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
    attention.py    scaled_dot_product_attention and the masks it takes
    recurrent.py    rnn and lstm over a sequence, one time step at a time
    fused/          fast twins: relu, gelu, linear, layer_norm, cross_entropy,
                    embedding (basic.py), attention, lstm and rnn, each one node

These modules import the tensor, the engine and each other, never the facades above
them (``brainnet.functional``, ``brainnet.nn``, the package itself).
"""
