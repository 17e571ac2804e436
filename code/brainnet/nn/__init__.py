"""Layers and models: ``Module`` and the building blocks made from it."""

from . import functional, init, utils
from .attention import (
    MultiheadAttention,
    PositionalEmbedding,
    SinusoidalPositionalEncoding,
    sinusoids,
)
from .convolutional import AvgPool2d, Conv2d, MaxPool2d
from .layers import (
    GELU,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .module import Module, Parameter
from .rnn import LSTM, RNN, LSTMCell, RNNCell
from .transformer import TransformerEncoderLayer

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "Linear", "Identity", "ReLU", "Tanh",
    "Sigmoid", "GELU", "LeakyReLU", "Softmax", "Flatten", "Dropout", "LayerNorm",
    "Embedding", "functional", "init", "utils", "Conv2d", "MaxPool2d", "AvgPool2d",
    "RNNCell", "RNN", "LSTMCell", "LSTM", "MultiheadAttention", "PositionalEmbedding",
    "SinusoidalPositionalEncoding", "sinusoids", "TransformerEncoderLayer",
]
