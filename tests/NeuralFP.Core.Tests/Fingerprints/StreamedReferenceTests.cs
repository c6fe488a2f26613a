using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>
/// A reference streamed from a .npy file gives the same fingerprint as the same records in memory, is read in batches
/// (never whole), and is checked record by record as it is read.
/// </summary>
public sealed class StreamedReferenceTests
{
    private static readonly byte[] Cnn = File.ReadAllBytes(RepoPaths.Fixture("models/fmnist_cnn.onnx"));
    private static readonly FingerprintOptions Small = new() { Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 2, HiddenSize = 16 }, Detectors = [], BatchSize = 64, Seed = 3 };

    /// <summary>A stream that records the largest single read, so a test can see the file was never read whole.</summary>
    private sealed class CountingStream(byte[] bytes, List<int> reads) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = base.Read(buffer, offset, count);
            reads.Add(n);
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = base.Read(buffer);
            reads.Add(n);
            return n;
        }
    }

    [Fact]
    public async Task A_streamed_npy_reference_gives_the_same_fingerprint_as_the_tensor_and_is_read_in_pieces()
    {
        var records = FashionMnist.Train().Take(400).Images;
        var bytes = Npy.ToBytes(records);
        var reads = new List<int>();
        var opened = 0;
        var source = RecordSource.FromNpy(() => { opened++; return new CountingStream(bytes, reads); });

        var streamed = await FingerprintBuilder.BuildAsync(Cnn, source, Small, new BuildLimits());
        var inMemory = await FingerprintBuilder.BuildAsync(Cnn, records, Small, new BuildLimits());

        Assert.Equal(inMemory.ScorerOnnx, streamed.ScorerOnnx);
        Assert.Equal(inMemory.Manifest.ReferenceSha256, streamed.Manifest.ReferenceSha256);
        Assert.Equal(inMemory.Manifest.Rule.Upper, streamed.Manifest.Rule.Upper);
        // Header once, then two passes (activations; held-out errors); no read took more than a 64 KiB chunk.
        Assert.Equal(3, opened);
        Assert.True(reads.Max() <= 64 * 1024, $"largest read {reads.Max()} bytes");
    }

    [Fact]
    public async Task A_non_finite_value_deep_in_a_streamed_reference_names_its_record()
    {
        var data = FashionMnist.Train().Take(300).Images;
        var copy = (float[])data.Data.Clone();
        copy[250 * 784 + 5] = float.NaN;
        var bytes = Npy.ToBytes(new FloatTensor(copy, data.Shape));

        var error = await Assert.ThrowsAsync<FingerprintInputException>(() =>
            FingerprintBuilder.BuildAsync(Cnn, RecordSource.FromNpy(() => new MemoryStream(bytes)), Small, new BuildLimits()));

        Assert.Equal(FingerprintInput.Reference, error.Input);
        Assert.Contains("Record 250", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_streamed_reference_is_refused_when_opened()
    {
        var bytes = Npy.ToBytes(FashionMnist.Train().Take(150).Images);
        Assert.Throws<NpyFormatException>(() => RecordSource.FromNpy(() => new MemoryStream(bytes[..^100])));
    }
}
