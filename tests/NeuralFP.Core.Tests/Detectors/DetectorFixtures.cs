using System.IO.Compression;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralFP.Core.Onnx.Proto;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>Real parts for the detector tests: the committed ONNX fixtures, Fashion-MNIST, ONNX Runtime.</summary>
internal static class DetectorFixtures
{
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    public static string ModelPath(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralFP.Functions.sln")))
                return Path.Combine(dir.FullName, "tests", "fixtures", "models", file);
        throw new DirectoryNotFoundException("Could not find the repository root (NeuralFP.Functions.sln) above the test binaries.");
    }

    /// <summary>The first <paramref name="count"/> Fashion-MNIST test images as [count, 1, 28, 28], pixels / 255.</summary>
    public static float[] FashionMnistTestImages(int count)
    {
        var path = Path.Combine(FashionMnistDirectory, "t10k-images-idx3-ubyte.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[16];
        gz.ReadExactly(header);
        var pixels = new byte[count * 28 * 28];
        gz.ReadExactly(pixels);
        return pixels.Select(p => p / 255f).ToArray();
    }

    /// <summary>Runs a model with extra tensors exposed as graph outputs; returns every requested output's values.</summary>
    public static Dictionary<string, float[]> Run(ModelProto model, string inputName, float[] input, int[] inputShape, params string[] outputs)
    {
        var copy = model.Clone();
        foreach (var name in outputs)
            if (copy.Graph.Output.All(o => o.Name != name))
                copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(copy.ToByteArray(), options);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(input, inputShape))], outputs);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }
}
