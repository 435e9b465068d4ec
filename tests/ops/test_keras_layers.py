"""Keras 3 layers as ``OpCase`` rows: a layer constructed with ``args``/``kwargs`` and called on
``inputs`` (``(None, ...)``: the unknown batch size ``keras.Input`` gives), through the registry's
layer rules and, where Keras 3 is installed (torch backend), built and called for real on
``keras.Input`` tensors of the same shapes (the oracle).

Layers that take a Python function (``Lambda``) need the interpreter and stay as source snippets
in test_keras_models.py.
"""
from __future__ import annotations

from harness import OpCase, S, layer, row_tests

KL = "keras.layers."

LAYER_ROWS = [
    OpCase("keras.layers.Dense", [8], inputs=["(None, 5)"], expect="(None, 8)"),
    OpCase("keras.layers.Dense", [8], inputs=["(None, 3, 5)"], expect="(None, 3, 8)"),
    OpCase("keras.layers.Dense", [8], {"use_bias": False}, inputs=["(None, 4)"], expect="(None, 8)"),
    OpCase("keras.layers.EinsumDense", ['ab,bc->ac'], {"output_shape": (16,), "bias_axes": 'c'}, inputs=["(None, 5)"], expect="(None, 16)"),
    OpCase("keras.layers.EinsumDense", ['abc,cd->abd'], {"output_shape": (7, 4)}, inputs=["(None, 7, 5)"], expect="(None, 7, 4)"),
    OpCase("keras.layers.EinsumDense", ['...b,bc->...c'], {"output_shape": (16,), "bias_axes": 'c'}, inputs=["(None, 7, 5)"], expect="(None, 7, 16)"),
    OpCase("keras.layers.EinsumDense", ['...ab,bcd->...acd'], {"output_shape": (3, 2, 4)}, inputs=["(None, 6, 3, 5)"], expect="(None, 6, 3, 2, 4)"),
    OpCase("keras.layers.Embedding", [100, 16], inputs=[S("(None, 10)", "int")], expect="(None, 10, 16)"),
    OpCase("keras.layers.Conv1D", [4, 3], inputs=["(None, 10, 2)"], expect="(None, 8, 4)"),
    OpCase("keras.layers.Conv1D", [4, 3], {"padding": 'same', "strides": 2}, inputs=["(None, 10, 2)"], expect="(None, 5, 4)"),
    OpCase("keras.layers.Conv1D", [4, 3], {"padding": 'causal', "dilation_rate": 2}, inputs=["(None, 10, 2)"], expect="(None, 10, 4)"),
    OpCase("keras.layers.Conv1D", [4, 3], inputs=["(None, 10)"], error="layer-rank"),
    OpCase("keras.layers.Conv1D", [4, 11], inputs=["(None, 10, 2)"], error="empty-spatial"),
    OpCase("keras.layers.Conv2D", [8, 3], inputs=["(None, 28, 28, 1)"], expect="(None, 26, 26, 8)"),
    OpCase("keras.layers.Conv2D", [8, (3, 5)], {"strides": (2, 1), "padding": 'same'}, inputs=["(None, 28, 28, 1)"], expect="(None, 14, 28, 8)"),
    OpCase("keras.layers.Conv2D", [8, 3], {"data_format": 'channels_first'}, inputs=["(None, 1, 28, 28)"], expect="(None, 8, 26, 26)"),
    OpCase("keras.layers.Conv2D", [8, 3], {"groups": 2}, inputs=["(None, 9, 9, 4)"], expect="(None, 7, 7, 8)"),
    OpCase("keras.layers.Conv2D", [8, 3], inputs=["(None, 28, 28)"], error="layer-rank"),
    OpCase("keras.layers.Convolution2D", [8, 3], inputs=["(None, 12, 12, 3)"], expect="(None, 10, 10, 8)"),
    OpCase("keras.layers.Conv3D", [2, 3], inputs=["(None, 8, 8, 8, 1)"], expect="(None, 6, 6, 6, 2)"),
    OpCase("keras.layers.Conv1DTranspose", [4, 3], {"strides": 2}, inputs=["(None, 10, 2)"], expect="(None, 21, 4)"),
    OpCase("keras.layers.Conv2DTranspose", [4, 3], {"strides": 2, "padding": 'same'}, inputs=["(None, 7, 7, 2)"], expect="(None, 14, 14, 4)"),
    OpCase("keras.layers.Conv2DTranspose", [4, 3], {"strides": 2, "output_padding": 1}, inputs=["(None, 7, 7, 2)"], expect="(None, 16, 16, 4)"),
    OpCase("keras.layers.Conv3DTranspose", [2, 2], {"strides": 2}, inputs=["(None, 4, 4, 4, 1)"], expect="(None, 8, 8, 8, 2)"),
    OpCase("keras.layers.SeparableConv1D", [6, 3], inputs=["(None, 10, 2)"], expect="(None, 8, 6)"),
    OpCase("keras.layers.SeparableConv2D", [6, 3], {"depth_multiplier": 2}, inputs=["(None, 9, 9, 3)"], expect="(None, 7, 7, 6)"),
    OpCase("keras.layers.DepthwiseConv2D", [3], {"depth_multiplier": 2}, inputs=["(None, 9, 9, 3)"], expect="(None, 7, 7, 6)"),
    OpCase("keras.layers.DepthwiseConv1D", [3], inputs=["(None, 9, 3)"], expect="(None, 7, 3)"),
    OpCase("keras.layers.MaxPooling1D", [], inputs=["(None, 10, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.MaxPooling1D", [3], {"strides": 1, "padding": 'same'}, inputs=["(None, 10, 3)"], expect="(None, 10, 3)"),
    OpCase("keras.layers.MaxPool2D", [], inputs=["(None, 9, 9, 3)"], expect="(None, 4, 4, 3)"),
    OpCase("keras.layers.AveragePooling2D", [3], {"strides": 2}, inputs=["(None, 9, 9, 3)"], expect="(None, 4, 4, 3)"),
    OpCase("keras.layers.AveragePooling3D", [2], inputs=["(None, 4, 4, 4, 2)"], expect="(None, 2, 2, 2, 2)"),
    OpCase("keras.layers.MaxPooling2D", [(4, 4)], inputs=["(None, 3, 3, 1)"], error="empty-spatial"),
    OpCase("keras.layers.MaxPooling2D", [], inputs=["(None, 9, 9)"], error="layer-rank"),
    OpCase("keras.layers.GlobalMaxPooling1D", [], inputs=["(None, 10, 3)"], expect="(None, 3)"),
    OpCase("keras.layers.GlobalAveragePooling2D", [], inputs=["(None, 9, 9, 3)"], expect="(None, 3)"),
    OpCase("keras.layers.GlobalAveragePooling2D", [], {"keepdims": True}, inputs=["(None, 9, 9, 3)"], expect="(None, 1, 1, 3)"),
    OpCase("keras.layers.GlobalMaxPooling3D", [], inputs=["(None, 4, 4, 4, 2)"], expect="(None, 2)"),
    OpCase("keras.layers.GlobalAvgPool1D", [], inputs=["(None, 10)"], error="layer-rank"),
    OpCase("keras.layers.BatchNormalization", [], inputs=["(None, 9, 9, 3)"], expect="(None, 9, 9, 3)"),
    OpCase("keras.layers.BatchNormalization", [], {"axis": 1}, inputs=["(None, 4, 5)"], expect="(None, 4, 5)"),
    OpCase("keras.layers.LayerNormalization", [], inputs=["(None, 7, 5)"], expect="(None, 7, 5)"),
    OpCase("keras.layers.GroupNormalization", [2], inputs=["(None, 7, 4)"], expect="(None, 7, 4)"),
    OpCase("keras.layers.GroupNormalization", [3], inputs=["(None, 7, 4)"], error="layer-input-mismatch"),
    OpCase("keras.layers.GroupNormalization", [-1], inputs=["(None, 7, 4)"], expect="(None, 7, 4)"),
    OpCase("keras.layers.GroupNormalization", [0], inputs=["(None, 7, 4)"], error="invalid-shape-argument"),
    OpCase("keras.layers.Dropout", [0.5], inputs=["(None, 7, 5)"], expect="(None, 7, 5)"),
    OpCase("keras.layers.SpatialDropout1D", [0.5], inputs=["(None, 7, 5)"], expect="(None, 7, 5)"),
    OpCase("keras.layers.SpatialDropout2D", [0.5], inputs=["(None, 7, 5)"], error="layer-rank"),
    OpCase("keras.layers.GaussianNoise", [0.1], inputs=["(None, 7, 5)"], expect="(None, 7, 5)"),
    OpCase("keras.layers.Flatten", [], inputs=["(None, 4, 5, 6)"], expect="(None, 120)"),
    OpCase("keras.layers.Flatten", [], inputs=["(None, 4)"], expect="(None, 4)"),
    OpCase("keras.layers.Reshape", [(3, 4)], inputs=["(None, 12)"], expect="(None, 3, 4)"),
    OpCase("keras.layers.Reshape", [(-1, 4)], inputs=["(None, 2, 6)"], expect="(None, 3, 4)"),
    OpCase("keras.layers.Reshape", [(5, 4)], inputs=["(None, 12)"], error="reshape-size"),
    OpCase("keras.layers.Reshape", [(-1, 5)], inputs=["(None, 12)"], error="reshape-size"),
    OpCase("keras.layers.Permute", [(2, 1)], inputs=["(None, 3, 4)"], expect="(None, 4, 3)"),
    OpCase("keras.layers.Permute", [(2, 1)], inputs=["(None, 3, 4, 5)"], error="layer-rank"),
    OpCase("keras.layers.RepeatVector", [3], inputs=["(None, 4)"], expect="(None, 3, 4)"),
    OpCase("keras.layers.RepeatVector", [3], inputs=["(None, 4, 2)"], error="layer-rank"),
    OpCase("keras.layers.SimpleRNN", [6], inputs=["(None, 5, 3)"], expect="(None, 6)"),
    OpCase("keras.layers.LSTM", [6], {"return_sequences": True}, inputs=["(None, 5, 3)"], expect="(None, 5, 6)"),
    OpCase("keras.layers.GRU", [6], inputs=["(None, 5, 3)"], expect="(None, 6)"),
    OpCase("keras.layers.GRU", [6], {"reset_after": False}, inputs=["(None, 5, 3)"], expect="(None, 6)"),
    OpCase("keras.layers.LSTM", [6], inputs=["(None, 3)"], error="layer-rank"),
    OpCase("keras.layers.LSTM", [6], inputs=["(None, 2, 5, 3)"], error="layer-rank"),
    OpCase("keras.layers.Bidirectional", [OpCase("keras.layers.LSTM", [6])], inputs=["(None, 5, 3)"], expect="(None, 12)"),
    OpCase("keras.layers.Bidirectional", [OpCase("keras.layers.GRU", [6], {"return_sequences": True})], {"merge_mode": 'sum'}, inputs=["(None, 5, 3)"], expect="(None, 5, 6)"),
    OpCase("keras.layers.TimeDistributed", [OpCase("keras.layers.Dense", [4])], inputs=["(None, 5, 3)"], expect="(None, 5, 4)"),
    OpCase("keras.layers.TimeDistributed", [OpCase("keras.layers.Conv2D", [2, 3])], inputs=["(None, 5, 8, 8, 1)"], expect="(None, 5, 6, 6, 2)"),
    OpCase("keras.layers.ZeroPadding1D", [2], inputs=["(None, 5, 3)"], expect="(None, 9, 3)"),
    OpCase("keras.layers.ZeroPadding2D", [((1, 2), (0, 1))], inputs=["(None, 5, 5, 3)"], expect="(None, 8, 6, 3)"),
    OpCase("keras.layers.ZeroPadding3D", [1], inputs=["(None, 2, 2, 2, 1)"], expect="(None, 4, 4, 4, 1)"),
    OpCase("keras.layers.Cropping1D", [(1, 2)], inputs=["(None, 5, 3)"], expect="(None, 2, 3)"),
    OpCase("keras.layers.Cropping2D", [((1, 1), (2, 0))], inputs=["(None, 5, 5, 3)"], expect="(None, 3, 3, 3)"),
    OpCase("keras.layers.Cropping1D", [(3, 3)], inputs=["(None, 5, 3)"], error="empty-spatial"),
    OpCase("keras.layers.UpSampling1D", [3], inputs=["(None, 5, 3)"], expect="(None, 15, 3)"),
    OpCase("keras.layers.UpSampling2D", [], inputs=["(None, 5, 4, 3)"], expect="(None, 10, 8, 3)"),
    OpCase("keras.layers.UpSampling3D", [2], inputs=["(None, 2, 2, 2, 1)"], expect="(None, 4, 4, 4, 1)"),
    OpCase("keras.layers.Activation", ['relu'], inputs=["(None, 5, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.Softmax", [], inputs=["(None, 5, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.ReLU", [], inputs=["(None, 5, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.LeakyReLU", [], inputs=["(None, 5, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.PReLU", [], inputs=["(None, 5, 3)"], expect="(None, 5, 3)"),
    OpCase("keras.layers.Rescaling", [0.00392156862745098], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.Normalization", [], inputs=["(None, 8, 3)"], expect="(None, 8, 3)"),
    OpCase("keras.layers.Resizing", [4, 6], inputs=["(None, 8, 8, 3)"], expect="(None, 4, 6, 3)"),
    OpCase("keras.layers.CenterCrop", [4, 6], inputs=["(None, 8, 8, 3)"], expect="(None, 4, 6, 3)"),
    OpCase("keras.layers.UnitNormalization", [], inputs=["(None, 8, 3)"], expect="(None, 8, 3)"),
    OpCase("keras.layers.RMSNormalization", [], inputs=["(None, 8, 3)"], expect="(None, 8, 3)"),
    OpCase("keras.layers.AdaptiveAveragePooling2D", [4], inputs=["(None, 9, 7, 3)"], expect="(None, 4, 4, 3)"),
    OpCase("keras.layers.RandomCrop", [4, 5], inputs=["(None, 8, 8, 3)"], expect="(None, 4, 5, 3)"),
    OpCase("keras.layers.RandomCrop", [4, 5], {"data_format": 'channels_first'}, inputs=["(None, 3, 8, 8)"], expect="(None, 3, 4, 5)"),
    OpCase("keras.layers.CategoryEncoding", [], {"num_tokens": 6}, inputs=[S("(None, 3)", "int")], expect="(None, 6)"),
    OpCase("keras.layers.CategoryEncoding", [], {"num_tokens": 6, "output_mode": 'one_hot'}, inputs=[S("(None, 1)", "int")], expect="(None, 6)"),
    OpCase("keras.layers.CategoryEncoding", [], {"num_tokens": 6, "output_mode": 'count'}, inputs=[S("(None, 4, 2)", "int")], expect="(None, 4, 6)"),
    OpCase("keras.layers.Hashing", [], {"num_bins": 4}, inputs=[S("(None, 5)", "int")], expect="(None, 5)"),
    OpCase("keras.layers.IntegerLookup", [], {"vocabulary": [1, 2, 3]}, inputs=[S("(None, 5)", "int")], expect="(None, 5)"),
    OpCase("keras.layers.Discretization", [], {"bin_boundaries": [0.0, 1.0]}, inputs=["(None, 5)"], expect="(None, 5)"),
    OpCase("keras.layers.AdaptiveMaxPooling2D", [(2, 3)], {"data_format": 'channels_first'}, inputs=["(None, 3, 9, 7)"], expect="(None, 3, 2, 3)"),
    OpCase("keras.layers.AdaptiveAveragePooling1D", [5], inputs=["(None, 16, 2)"], expect="(None, 5, 2)"),
    OpCase("keras.layers.AdaptiveMaxPooling3D", [2], inputs=["(None, 4, 4, 4, 1)"], expect="(None, 2, 2, 2, 1)"),
    OpCase("keras.layers.RandomFlip", ['horizontal'], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomRotation", [0.1], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomZoom", [0.1], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomTranslation", [0.1, 0.1], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomContrast", [0.2], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomBrightness", [0.2], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandomGrayscale", [], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RandAugment", [], inputs=["(None, 8, 8, 3)"], expect="(None, 8, 8, 3)"),
    OpCase("keras.layers.RNN", [OpCase("keras.layers.LSTMCell", [4])], inputs=["(None, 5, 3)"], expect="(None, 4)"),
    OpCase("keras.layers.RNN", [OpCase("keras.layers.GRUCell", [4])], {"return_sequences": True}, inputs=["(None, 5, 3)"], expect="(None, 5, 4)"),
    OpCase("keras.layers.RNN", [OpCase("keras.layers.SimpleRNNCell", [6])], inputs=["(None, 5, 3)"], expect="(None, 6)"),
    OpCase("keras.layers.RNN", [OpCase("keras.layers.LSTMCell", [4])], inputs=["(None, 5)"], error="layer-rank"),
    OpCase("keras.layers.ConvLSTM2D", [4, 3], inputs=["(None, 5, 9, 9, 2)"], expect="(None, 7, 7, 4)"),
    OpCase("keras.layers.ConvLSTM2D", [4, 3], {"padding": 'same', "return_sequences": True}, inputs=["(None, 5, 9, 9, 2)"], expect="(None, 5, 9, 9, 4)"),
    OpCase("keras.layers.ConvLSTM2D", [4, (3, 1)], {"strides": 2, "data_format": 'channels_first'}, inputs=["(None, 5, 2, 9, 9)"], expect="(None, 4, 4, 5)"),
    OpCase("keras.layers.ConvLSTM1D", [6, 2], {"return_sequences": True}, inputs=["(None, 5, 8, 3)"], expect="(None, 5, 7, 6)"),
    OpCase("keras.layers.ConvLSTM3D", [2, 2], inputs=["(None, 3, 4, 4, 4, 1)"], expect="(None, 3, 3, 3, 2)"),
    OpCase("keras.layers.ConvLSTM2D", [4, 3], inputs=["(None, 9, 9, 2)"], error="layer-rank"),
    OpCase("keras.layers.ConvLSTM2D", [4, 11], inputs=["(None, 5, 9, 9, 2)"], error="empty-spatial"),
]

MORE_LAYER_ROWS = [
    layer(KL + "Add", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Add", [], [["(None, 4)", "(None, 5)"]], "!broadcast-mismatch"),
    layer(KL + "Concatenate", [], [["(None, 4)", "(None, 5)"]], "(None, 9)"),
    layer(KL + "Multiply", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Subtract", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Maximum", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Average", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "AveragePooling1D", [2], ["(None, 10, 3)"], "(None, 5, 3)"),
    layer(KL + "GlobalAveragePooling3D", [], ["(None, 4, 4, 4, 2)"], "(None, 2)"),
    layer(KL + "Identity", [], ["(None, 4)"], "(None, 4)"),
    layer(KL + "ELU", [], ["(None, 4)"], "(None, 4)"),
    layer(KL + "GaussianDropout", [0.1], ["(None, 4)"], "(None, 4)"),
    layer(KL + "Cropping3D", [1], ["(None, 4, 4, 4, 2)"], "(None, 2, 2, 2, 2)"),
    layer(KL + "Minimum", [], [["(None, 4)", "(None, 4)"]], "(None, 4)"),
    layer(KL + "Dot", [], [["(None, 4)", "(None, 4)"]], "(None, 1)", axes=1),
    layer(KL + "Dot", [], [["(None, 4)", "(None, 5)"]], "!matmul-mismatch", axes=1),
    layer(KL + "AdditiveAttention", [], [["(None, 5, 8)", "(None, 7, 8)"]], "(None, 5, 8)"),
    layer(KL + "Attention", [], [["(None, 5, 8)", "(None, 7, 8)"]], "(None, 5, 8)"),
    layer(KL + "ActivityRegularization", [], ["(None, 4)"], "(None, 4)"),
    layer(KL + "AlphaDropout", [0.1], ["(None, 4)"], "(None, 4)"),
    layer(KL + "SpatialDropout3D", [0.1], ["(None, 4, 4, 4, 2)"], "(None, 4, 4, 4, 2)"),
    layer(KL + "SpatialDropout3D", [0.1], ["(None, 4, 4, 2)"], "!layer-rank"),
    layer(KL + "Masking", [], ["(None, 5, 3)"], "(None, 5, 3)"),
    layer(KL + "ThresholdedReLU", [], ["(None, 4)"], "(None, 4)"),
    OpCase(KL + "InputLayer", [], {"shape": (5, 3)}, expect="Layer(keras.layers.InputLayer)"),
    layer(KL + "GlobalMaxPooling2D", [], ["(None, 9, 9, 3)"], "(None, 3)"),
    layer(KL + "GlobalMaxPooling2D", [], ["(None, 9, 3)"], "!layer-rank"),
    layer(KL + "MaxPooling3D", [2], ["(None, 4, 4, 4, 2)"], "(None, 2, 2, 2, 2)"),
    layer(KL + "MaxPooling3D", [2], ["(None, 4, 4, 1, 2)"], "!empty-spatial"),
    layer(KL + "AdaptiveAveragePooling3D", [2], ["(None, 4, 6, 8, 3)"], "(None, 2, 2, 2, 3)"),
    layer(KL + "AdaptiveMaxPooling1D", [4], ["(None, 16, 3)"], "(None, 4, 3)"),
    layer(KL + "StringLookup", [], [S("(None, 5)", "string")], "(None, 5)", vocabulary=["a", "b"]),
    # image augmentation keeps the shape
    layer(KL + "AugMix", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "AutoContrast", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "Equalization", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "Solarization", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomColorDegeneration", [0.2], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomColorJitter", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomElasticTransform", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomErasing", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomGaussianBlur", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomHue", [0.2, (0, 255)], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomInvert", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomPerspective", [], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomPosterization", [(0, 255)], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomSaturation", [0.2], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomSharpness", [0.2], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
    layer(KL + "RandomShear", [0.2], ["(None, 8, 8, 3)"], "(None, 8, 8, 3)"),
]

# the functional merge spellings: layers.add([a, b]) is Add()([a, b])
MERGE_FUNCTION_ROWS = [
    OpCase(KL + "add", [["(None, 4)", "(None, 4)"]], expect="(None, 4)"),
    OpCase(KL + "add", [["(None, 4)", "(None, 5)"]], error="broadcast-mismatch"),
    OpCase(KL + "subtract", [["(None, 4)", "(None, 4)"]], expect="(None, 4)"),
    OpCase(KL + "multiply", [["(None, 4)", "(None, 1)"]], expect="(None, 4)"),
    OpCase(KL + "average", [["(None, 4)", "(None, 4)"]], expect="(None, 4)"),
    OpCase(KL + "maximum", [["(None, 4)", "(None, 4)"]], expect="(None, 4)"),
    OpCase(KL + "minimum", [["(None, 4)", "(None, 4)"]], expect="(None, 4)"),
    OpCase(KL + "concatenate", [["(None, 4)", "(None, 5)"]], expect="(None, 9)"),
    OpCase(KL + "concatenate", [["(None, 6, 3)", "(None, 6)"]], error="concat-rank"),
    OpCase(KL + "dot", [["(None, 4)", "(None, 4)"]], {"axes": 1}, expect="(None, 1)"),
]

# models: keras.Input, Sequential and functional Model, the applications (built by Keras for real
# only in slow runs: each is a whole network)
INP = OpCase("keras.Input", [], {"shape": (5,)})
MODEL_ROWS = [
    OpCase("keras.Input", [], {"shape": (5, 3)}, expect="(None, 5, 3)"),
    OpCase("keras.layers.Input", [(8,)], expect="(None, 8)"),
    layer("keras.Sequential", [[OpCase(KL + "Dense", [8]), OpCase(KL + "Dense", [3])]], ["(None, 5)"], "(None, 3)"),
    layer("keras.Sequential", [[OpCase(KL + "LSTM", [8]), OpCase(KL + "Dense", [3])]], ["(None, 5)"], "!layer-rank"),
    layer("keras.Model", [INP, OpCase(KL + "Dense", [3], inputs=[INP])], ["(None, 5)"], "(None, 3)"),
    OpCase("keras.utils.to_categorical", [S("(6,)", "int")], {"num_classes": 4}, expect="(6, 4)", fw="numpy"),
    # without num_classes Keras counts max(y) + 1 classes: a size of its own (and a trailing 1 is dropped)
    OpCase("keras.utils.to_categorical", [S("(6, 1)", "int")], expect="(6, num_classes)", fw="numpy",
           no_oracle="the class count is the labels' largest value + 1"),
]

_APPS = {  # name: its default input size (the top gives 1000 classes)
    "ConvNeXtTiny": 224, "ConvNeXtSmall": 224, "ConvNeXtBase": 224, "ConvNeXtLarge": 224, "ConvNeXtXLarge": 224,
    "DenseNet121": 224, "DenseNet169": 224, "DenseNet201": 224, "EfficientNetB0": 224, "EfficientNetB1": 240,
    "EfficientNetB2": 260, "EfficientNetB3": 300, "EfficientNetB4": 380, "EfficientNetB5": 456,
    "EfficientNetB6": 528, "EfficientNetB7": 600, "InceptionResNetV2": 299, "InceptionV3": 299, "MobileNet": 224,
    "MobileNetV2": 224, "MobileNetV3Large": 224, "MobileNetV3Small": 224, "NASNetLarge": 331,
    "NASNetMobile": 224, "ResNet50": 224, "ResNet101": 224, "ResNet152": 224, "ResNet50V2": 224,
    "ResNet101V2": 224, "ResNet152V2": 224, "VGG16": 224, "VGG19": 224, "Xception": 299,
}
APPLICATION_ROWS = [
    layer(f"keras.applications.{app}", [], [f"(None, {size}, {size}, 3)"], "(None, 1000)", weights=None)
    for app, size in _APPS.items()
]
for _row in APPLICATION_ROWS:
    _row.slow = True
    if "NASNet" in _row.name:
        _row.no_oracle = "Keras does not build NASNet on its torch backend"

_LOSSES = {"BinaryCrossentropy": "binary_crossentropy", "BinaryFocalCrossentropy": "binary_focal_crossentropy",
           "CategoricalCrossentropy": "categorical_crossentropy",
           "CategoricalFocalCrossentropy": "categorical_focal_crossentropy", "CategoricalHinge": "categorical_hinge",
           "CosineSimilarity": "cosine_similarity", "Hinge": "hinge", "Huber": "huber",
           "KLDivergence": "kl_divergence", "LogCosh": "log_cosh", "MeanAbsoluteError": "mean_absolute_error",
           "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
           "MeanSquaredError": "mean_squared_error", "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
           "Poisson": "poisson", "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
           "SquaredHinge": "squared_hinge"}
# a loss object stands for its function (what ``compile(loss=...)`` checks targets with)
LOSS_ROWS = [OpCase(f"keras.losses.{cls}", [], expect=f"Ext(qualname='keras.losses.{fn}')") for cls, fn in _LOSSES.items()]

ROWS = LAYER_ROWS + MORE_LAYER_ROWS + MERGE_FUNCTION_ROWS + MODEL_ROWS + APPLICATION_ROWS + LOSS_ROWS

test_row, test_row_against_the_framework = row_tests(ROWS)
