using System.Text.Json;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Functions.Http;

/// <summary>A request's records before they meet a model: JSON records (shaped by the model) or a decoded .npy tensor.</summary>
internal sealed class RecordsBody : IDisposable
{
    private readonly JsonDocument? _document;
    private byte[]? _pooledJson;
    private readonly JsonElement _records;
    private readonly FloatTensor? _tensor;
    private bool _pooledTensor;
    private readonly Dictionary<string, FloatTensor> _shaped = new(StringComparer.Ordinal);

    private RecordsBody(JsonDocument document, JsonElement records, byte[] pooledJson)
    {
        _document = document;
        _pooledJson = pooledJson;
        _records = records;
        Count = records.GetArrayLength();
    }

    private RecordsBody(FloatTensor tensor, bool pooled)
    {
        _tensor = tensor;
        _pooledTensor = pooled;
        Count = tensor.Records;
    }

    public int Count { get; }

    /// <summary>Records in a JSON document that reads from <paramref name="pooledJson"/>, a pooled buffer returned on dispose.</summary>
    public static RecordsBody FromJson(JsonDocument document, JsonElement records, byte[] pooledJson) => new(document, records, pooledJson);

    /// <summary>Records in a decoded tensor; with <paramref name="pooled"/>, its array came from <see cref="FloatArrayPool.Shared"/> and goes back on dispose.</summary>
    public static RecordsBody FromTensor(FloatTensor tensor, bool pooled = false) => new(tensor, pooled);

    /// <summary>The records as <c>[N, ...recordShape]</c>.</summary>
    /// <exception cref="InvalidRecordsException">They do not fit the shape, or hold NaN/infinity, or there are none.</exception>
    public FloatTensor ToTensor(int[] recordShape)
    {
        var key = string.Join(',', recordShape);
        if (_shaped.TryGetValue(key, out var cached)) return cached;
        var tensor = _tensor is not null ? RecordValidator.Validate(_tensor, recordShape) : JsonRecords.Parse(_records, recordShape);
        _shaped[key] = tensor;
        return tensor;
    }

    /// <summary>Returns the pooled buffers: no tensor from <see cref="ToTensor"/> may be used afterwards.</summary>
    public void Dispose()
    {
        if (_pooledTensor && _tensor is not null)
        {
            _pooledTensor = false;
            FloatArrayPool.Shared.Return(_tensor.Data);
        }
        _document?.Dispose();
        if (_pooledJson is { } buffer)
        {
            _pooledJson = null;
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
