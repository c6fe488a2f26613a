using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Errors;

namespace NeuralFP.Functions.Http;

/// <summary>
/// Reads records from a request body within the configured limits: content type first (415), then size
/// (413, before reading when Content-Length tells), then syntax (400), then record count and size (413).
/// </summary>
internal static class RecordsBodyReader
{
    public const string NpyContentType = "application/x-npy";

    public static async Task<RecordsBody> ReadAsync(HttpRequest request, ApiOptions limits, CancellationToken cancellationToken)
    {
        var isNpy = ClassifyContentType(request.ContentType);
        if (request.ContentLength > limits.MaxRequestBytes)
            throw TooLarge(request.ContentLength.Value, limits);
        var (buffer, length) = await ReadBodyAsync(request, limits, cancellationToken).ConfigureAwait(false);
        RecordsBody body;
        try
        {
            if (length == 0)
                throw new BadRequestException(isNpy ? "The request body is empty: send a float32 .npy file." : "The request body is empty: send {\"records\": [[…], …]}.");
            body = isNpy ? FromNpy(buffer.AsSpan(0, length)) : FromJson(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (isNpy) ArrayPool<byte>.Shared.Return(buffer); // decoded into the tensor; a JSON document keeps reading it
        try
        {
            if (body.Count > limits.MaxRecordsPerRequest)
                throw new InputTooLargeException("The batch (records)", body.Count, limits.MaxRecordsPerRequest, SettingNames.MaxRecordsPerRequest);
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }

        RecordsBody FromNpy(ReadOnlySpan<byte> npy)
        {
            // Decoded into a pooled array of the exact length (a request of a recurring size reuses one), returned when the body is disposed.
            var tensor = Npy.Read(npy, FloatArrayPool.Shared.Rent);
            if (tensor.RecordLength > limits.MaxRecordValues)
            {
                FloatArrayPool.Shared.Return(tensor.Data);
                throw new InputTooLargeException("One record (values)", tensor.RecordLength, limits.MaxRecordValues, SettingNames.MaxRecordValues);
            }
            return RecordsBody.FromTensor(tensor, pooled: true);
        }

        RecordsBody FromJson(byte[] json, int jsonLength)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json.AsMemory(0, jsonLength), new JsonDocumentOptions { MaxDepth = 16 });
            }
            catch (JsonException e)
            {
                throw new BadRequestException($"The body is not valid JSON ({e.Message}). Send {{\"records\": [[…], …]}}; NaN and Infinity are not JSON numbers.");
            }
            try
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("records", out var records))
                    throw new BadRequestException("The body must be a JSON object with a \"records\" array: {\"records\": [[…], …]}.");
                if (records.ValueKind != JsonValueKind.Array)
                    throw new BadRequestException($"\"records\" must be an array of records; got {records.ValueKind.ToString().ToLowerInvariant()}.");
                if (records.GetArrayLength() > 0 && CountValues(records[0], limits.MaxRecordValues) > limits.MaxRecordValues)
                    throw new InputTooLargeException("One record (values)", CountValues(records[0], long.MaxValue), limits.MaxRecordValues, SettingNames.MaxRecordValues);
                return RecordsBody.FromJson(document, records, json);
            }
            catch
            {
                document.Dispose();
                throw;
            }
        }
    }

    /// <returns>True for .npy, false for JSON.</returns>
    /// <exception cref="UnsupportedContentTypeException">Neither.</exception>
    public static bool ClassifyContentType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
            throw new UnsupportedContentTypeException(contentType);
        var type = media.MediaType.Value ?? "";
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return false;
        if (type.Equals(NpyContentType, StringComparison.OrdinalIgnoreCase) || type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            return true;
        throw new UnsupportedContentTypeException(contentType);
    }

    /// <summary>The whole body in a pooled buffer (the caller returns it): large bodies would otherwise churn the large-object heap on every request.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, ApiOptions limits, CancellationToken cancellationToken)
    {
        // Our own limit is the one users see; lift the server's so it does not answer first with a bare 413.
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = limits.MaxRequestBytes + 1;

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is long expected ? (int)Math.Min(expected + 1, limits.MaxRequestBytes + 1) : 64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, limits.MaxRequestBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) return (buffer, length);
                length += read;
                if (length > limits.MaxRequestBytes)
                    throw TooLarge(length, limits);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static InputTooLargeException TooLarge(long actual, ApiOptions limits)
        => new("The request body (bytes)", actual, limits.MaxRequestBytes, SettingNames.MaxRequestBytes);

    /// <summary>Numbers in one (possibly nested) record, stopping once past <paramref name="stopAfter"/>.</summary>
    private static long CountValues(JsonElement record, long stopAfter)
    {
        if (record.ValueKind != JsonValueKind.Array) return 1;
        long count = 0;
        foreach (var item in record.EnumerateArray())
        {
            count += CountValues(item, stopAfter - count);
            if (count > stopAfter) break;
        }
        return count;
    }
}
