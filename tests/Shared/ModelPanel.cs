namespace NeuralFP.TestData;

/// <summary>
/// The image models of the detection panel (issue 8; tools/build_panel.py, with fmnist_cnn and fmnist_mlp from
/// tools/build_models.py) and the held-out architectures, as files under tests/fixtures/models: one list for the panel
/// benchmark and the performance benchmark.
/// </summary>
public static class ModelPanel
{
    /// <summary>The panel's image models: name, file, shape.</summary>
    public static IReadOnlyList<(string Name, string File, string Shape)> Images { get; } =
    [
        ("cnn", "fmnist_cnn.onnx", "Conv/MaxPool/Flatten CNN (the old defaults' model)"),
        ("bn-gap-cnn", "panel/bn_gap_cnn.onnx", "Conv+BatchNorm, stride 2, ReduceMean head, one Gemm"),
        ("bn-gap-cnn-folded", "panel/bn_gap_cnn_folded.onnx", "the same, BatchNorm folded into the convs"),
        ("resnet", "panel/resnet.onnx", "small ResNet, residual Adds, GAP head"),
        ("mlp", "fmnist_mlp.onnx", "MLP 784-128-64-10"),
        ("transformer", "panel/transformer.onnx", "transformer encoder over the 28 rows"),
        ("gru", "panel/gru.onnx", "GRU over the 28 rows, last step"),
        ("softmax-cnn", "panel/softmax_cnn.onnx", "Tanh/AvgPool CNN whose output is softmax probabilities"),
    ];

    /// <summary>
    /// Architectures built after the last default was chosen (tools/build_holdout.py). No choice is ever made on them:
    /// they show how the defaults carry to shapes nobody tuned on.
    /// </summary>
    public static IReadOnlyList<(string Name, string File, string Shape)> HeldOutImages { get; } =
    [
        ("mobilenet", "holdout/mobilenet.onnx", "depthwise-separable convs, BatchNorm folded, HardSwish, GlobalAveragePool head"),
        ("mixer", "holdout/mixer.onnx", "MLP-Mixer over 49 patches, LayerNormalization, GELU"),
        ("bilstm", "holdout/bilstm.onnx", "bidirectional LSTM over the 28 rows, mean over time"),
        ("logsoftmax-cnn", "holdout/logsoftmax_cnn.onnx", "LeakyReLU CNN, input normalised in the graph, output LogSoftmax"),
        ("resnet20", "holdout/resnet20.onnx", "CIFAR-style ResNet-20: 9 basic blocks, 19 ReLUs, BatchNorm folded, GlobalAveragePool head"),
    ];
}
