using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralFP.Core.Detectors.State;

/// <summary>
/// Writes a numeric array as base64 of its little-endian bytes: exact, and about half the size of a
/// JSON number list for the large arrays (k-NN bank, weights). Reads that or a plain JSON array.
/// </summary>
public sealed class PackedArrayJsonConverter<T> : JsonConverter<T[]> where T : unmanaged
{
    public override T[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var bytes = reader.GetBytesFromBase64();
                var size = Marshal.SizeOf<T>();
                if (bytes.Length % size != 0)
                    throw new JsonException($"A packed {typeof(T).Name} array holds {bytes.Length} bytes, not a multiple of {size}; the state is corrupt.");
                if (!BitConverter.IsLittleEndian)
                    throw new PlatformNotSupportedException("Packed detector state is little-endian; this machine is big-endian.");
                return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
            case JsonTokenType.StartArray:
                var list = new List<T>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    list.Add(JsonSerializer.Deserialize<T>(ref reader, options));
                return [.. list];
            default:
                throw new JsonException($"Expected a base64 string or an array of {typeof(T).Name}, found {reader.TokenType}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Packed detector state is little-endian; this machine is big-endian.");
        writer.WriteBase64StringValue(MemoryMarshal.AsBytes(value.AsSpan()));
    }
}
