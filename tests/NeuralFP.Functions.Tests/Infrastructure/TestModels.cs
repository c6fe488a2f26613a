using System.Text;
using System.Text.Json;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Application.Inputs;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.TestData;

namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>Real models and real Fashion-MNIST records, kept small so fingerprints build in seconds.</summary>
public static class TestModels
{
    public const int ReferenceRecords = 600;

    /// <summary>Small autoencoders and few epochs: the service path is under test here, not detection quality.</summary>
    public static readonly FingerprintOptions Options = new()
    {
        Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 16 },
        Seed = 7,
    };

    public static byte[] OptionsJson => JsonSerializer.SerializeToUtf8Bytes(Options, FingerprintJson.Options);

    public static byte[] Cnn => File.ReadAllBytes(RepoPaths.Model("fmnist_cnn.onnx"));

    public static byte[] ExternalDataModel => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "external_data.onnx"));

    public static FloatTensor Reference(int skip = 0, int count = ReferenceRecords)
        => FashionMnist.Train().Select(Enumerable.Range(skip, count)).Images;

    /// <summary>Fashion-MNIST test images, not seen by any fingerprint here.</summary>
    public static FloatTensor Probe(int count) => FashionMnist.Test().Take(count).Images;

    public static byte[] Npy(FloatTensor tensor) => Core.Tensors.Npy.ToBytes(tensor);

    /// <summary>Records as the JSON body clients send: nested to the record shape.</summary>
    public static string RecordsJson(FloatTensor tensor)
    {
        var builder = new StringBuilder("{\"records\":[");
        for (var r = 0; r < tensor.Records; r++)
        {
            if (r > 0) builder.Append(',');
            builder.Append('[');
            var record = tensor.Record(r);
            for (var i = 0; i < record.Length; i++)
            {
                if (i > 0) builder.Append(',');
                builder.Append(record[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
            builder.Append(']');
        }
        return builder.Append("]}").ToString();
    }

    /// <summary>Uploads options, then the two inputs in the given order (the last one starts the build).</summary>
    public static Task UploadAsync(TestApp app, string modelId, byte[] model, FloatTensor reference, bool referenceFirst = false)
        => UploadAsync((name, bytes) => app.UploadAsync(modelId, name, bytes), model, reference, referenceFirst);

    /// <summary>The same uploads through the storage adapter alone (no app, so no trigger fires).</summary>
    public static Task UploadAsync(IModelFileStore files, string modelId, byte[] model, FloatTensor reference)
        => UploadAsync((name, bytes) => files.UploadAsync(modelId, name, bytes, CancellationToken.None), model, reference, referenceFirst: false);

    private static async Task UploadAsync(Func<string, byte[], Task> upload, byte[] model, FloatTensor reference, bool referenceFirst)
    {
        await upload(ModelFiles.Options, OptionsJson);
        if (referenceFirst)
        {
            await upload(ModelFiles.Reference, Npy(reference));
            await upload(ModelFiles.Model, model);
        }
        else
        {
            await upload(ModelFiles.Model, model);
            await upload(ModelFiles.Reference, Npy(reference));
        }
    }

    /// <summary>The engine called directly, on the same inputs, for comparison with what the service answers.</summary>
    public static async Task<FingerprintScorer> DirectScorerAsync(byte[] model, FloatTensor reference)
        => new(await FingerprintBuilder.BuildAsync(model, reference, Options));

    /// <summary>
    /// Uploads the CNN fixture and its reference under <paramref name="modelId"/> and builds it with the job on the test's own
    /// adapters: a worker in this process cannot bind the blob trigger's BlobClient (a worker process can), so tests that
    /// run the worker in process build this way.
    /// </summary>
    public static async Task<ModelRecord> BuildReadyInProcessAsync(TestApp app, string modelId)
    {
        await UploadAsync(app, modelId, Cnn, Reference());
        await app.Services.GetRequiredService<Application.Jobs.FingerprintJob>().RunAsync(modelId, CancellationToken.None);
        return await app.WaitForStatusAsync(modelId, ModelStatus.Ready);
    }
}
