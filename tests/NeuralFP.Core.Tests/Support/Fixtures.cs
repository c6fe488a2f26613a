using NeuralFP.Core.Onnx;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Support;

/// <summary>The reference models, loaded once per test run (their layer probe is cached on the instance).</summary>
internal static class Fixtures
{
    public const string Cnn = "fmnist_cnn.onnx";
    public const string Mlp = "fmnist_mlp.onnx";
    public const string CnnFixedBatch = "fmnist_cnn_fixedbatch.onnx";

    private static readonly Dictionary<string, Lazy<OnnxModel>> Models = new[] { Cnn, Mlp, CnnFixedBatch }
        .ToDictionary(n => n, n => new Lazy<OnnxModel>(() => OnnxModel.Load(Fixtures.Bytes(n))));

    public static OnnxModel Model(string fileName) => Models[fileName].Value;

    public static byte[] Bytes(string fileName) => File.ReadAllBytes(RepoPaths.Model(fileName));
}
