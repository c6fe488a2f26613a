using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

/// <summary>
/// The committed ONNX fixtures, fed by the C# loaders through real ONNX Runtime, reach the accuracy
/// tools/build_models.py measured in PyTorch (floors a little under tests/fixtures/models/README.md), which
/// proves the exports and the C# pixel pipelines (scaling, digits upsampling, split) match training.
/// </summary>
public class ReferenceModelAccuracyTests
{
    public static TheoryData<string, string, double> Models => new()
    {
        { "fmnist_cnn.onnx", "fmnist", 0.89 },
        { "fmnist_mlp.onnx", "fmnist", 0.86 },
        { "fmnist_0to4_cnn.onnx", "fmnist0to4", 0.90 },
        { "fmnist_5to9_cnn.onnx", "fmnist5to9", 0.90 },
        { "digits_cnn.onnx", "digits", 0.93 },
        // The panel's second table (tools/build_panel_table.py): 88.2% in PyTorch on its 900 test rows.
        { "panel/synthetic_table_mlp.onnx", "syntheticTable", 0.87 },
        // The held-out architectures (tools/build_holdout.py; no default is ever chosen on them).
        { "holdout/mobilenet.onnx", "fmnist", 0.79 },
        { "holdout/mixer.onnx", "fmnist", 0.82 },
        { "holdout/bilstm.onnx", "fmnist", 0.78 },
        { "holdout/logsoftmax_cnn.onnx", "fmnist", 0.84 },
        { "holdout/resnet20.onnx", "fmnist", 0.81 },
        { "holdout/digits_table.onnx", "digitsTable", 0.96 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Model_reaches_its_documented_accuracy(string model, string testSet, double floor)
    {
        var set = testSet switch
        {
            "fmnist" => FashionMnist.Test(),
            "fmnist0to4" => FashionMnist.Test().WhereClass(0, 4),
            "fmnist5to9" => FashionMnist.Test().WhereClass(5, 9).WithLabelOffset(-5),
            "digitsTable" => Digits.Table(test: true),
            "syntheticTable" => SyntheticTable.Test(),
            _ => Digits.HeldOut28(),
        };
        using var session = new InferenceSession(RepoPaths.Model(model));

        var logits = Run(session, set.Images);
        var classes = logits.Length / set.Count;
        var correct = Enumerable.Range(0, set.Count).Count(r => ArgMax(logits.AsSpan(r * classes, classes)) == set.Labels[r]);

        var accuracy = (double)correct / set.Count;
        Assert.True(accuracy >= floor, $"{model} scored {accuracy:P2} on {set.Count} records; expected at least {floor:P0}.");
    }

    [Fact]
    public void Fixed_batch_export_has_batch_one_and_the_same_weights()
    {
        var images = FashionMnist.Test().Take(4).Images;
        using var dynamicBatch = new InferenceSession(RepoPaths.Model("fmnist_cnn.onnx"));
        using var fixedBatch = new InferenceSession(RepoPaths.Model("fmnist_cnn_fixedbatch.onnx"));

        Assert.Equal([1, 1, 28, 28], fixedBatch.InputMetadata["input"].Dimensions);
        Assert.Equal(-1, dynamicBatch.InputMetadata["input"].Dimensions[0]);
        var expected = Run(dynamicBatch, images);
        for (var r = 0; r < images.Records; r++)
        {
            var one = new FloatTensor(images.Record(r).ToArray(), [1, 1, 28, 28]);
            var actual = Run(fixedBatch, one);
            for (var k = 0; k < actual.Length; k++)
                Assert.Equal(expected[r * actual.Length + k], actual[k], 1e-4f);
        }
    }

    private static float[] Run(InferenceSession session, FloatTensor images)
    {
        var input = new DenseTensor<float>(images.Data, images.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        // The graph's one output: logits, or log-probabilities (the LogSoftmax model), argmax alike.
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
