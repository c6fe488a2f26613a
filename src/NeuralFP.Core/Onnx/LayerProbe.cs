using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NeuralFP.Core.Onnx;

/// <summary>Learns which tensors are float, batch-major activations, and their record shapes, from one run.</summary>
internal static class LayerProbe
{
    // Two records, so that a leading axis of 2 identifies the batch axis.
    private const int ProbeRecords = 2;

    public static IReadOnlyList<LayerCandidate> Probe(OnnxModel model)
    {
        var names = model.Index.TappableNames;
        var tapped = TapRewriter.WithTaps(model, names);
        using var session = new OrtSession(tapped.Proto.ToByteArray(), optimize: false);

        var shape = new long[model.InputShape.Length + 1];
        shape[0] = ProbeRecords;
        for (var d = 0; d < model.InputShape.Length; d++) shape[d + 1] = model.InputShape[d];
        var zeros = new float[model.InputShape.Aggregate(ProbeRecords, (a, b) => checked(a * b))];
        using var input = OrtValue.CreateTensorValueFromMemory(zeros, shape);

        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = session.Run(model.InputName, input, tapped.TapOutputs, CancellationToken.None);
        }
        catch (OnnxModelException e)
        {
            throw new OnnxModelException(
                $"The model cannot run on a batch of {ProbeRecords} records" + (model.BatchFixedToOne ? " even after making its batch axis dynamic" : "") +
                $": {e.Message} Export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={{'input': {{0: 'N'}}}})).", e);
        }

        var roles = LayerRoles.Assign(model, out var tokenWise);
        var layers = new List<LayerCandidate>();
        using (results)
        {
            for (var i = 0; i < names.Count; i++)
            {
                var value = results[i];
                if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR) continue;
                var info = value.GetTensorTypeAndShape();
                if (info.ElementDataType != TensorElementType.Float || info.Shape.Length == 0 || info.Shape[0] != ProbeRecords) continue;
                var record = info.Shape[1..].Select(d => checked((int)d)).ToArray();
                var producer = model.Index.Producer(names[i]);
                var role = roles.GetValueOrDefault(names[i], LayerRole.Other);
                // Sequences are pooled over time, which needs [T, H] records; a token-wise activation with such records is one
                // (a [C, L] map comes from a Conv, whose channels come first).
                if (role == LayerRole.Sequence && record.Length != 2) role = LayerRole.Other;
                if (role == LayerRole.Hidden && record.Length == 2 && tokenWise.Contains(names[i])) role = LayerRole.Sequence;
                layers.Add(new LayerCandidate(names[i], producer?.OpType ?? "Input", record, role));
            }
        }
        return layers;
    }
}
