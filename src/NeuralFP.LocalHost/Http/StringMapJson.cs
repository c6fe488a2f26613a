using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace NeuralFP.LocalHost.Http;

/// <summary>
/// A request's query or headers as the JSON object the Functions host puts in the invocation's trigger metadata
/// (<c>{"name":"value, value"}</c>), written straight from the collection: no dictionary and no reflection per request.
/// </summary>
internal static class StringMapJson
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;

    public static string Write(IEnumerable<KeyValuePair<string, StringValues>> map)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, values) in map) writer.WriteString(name, values.ToString());
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
