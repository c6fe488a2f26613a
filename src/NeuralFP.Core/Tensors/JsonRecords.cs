using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NeuralFP.Core.Tensors;

/// <summary>Records as JSON: an array of records, each a (nested) array of numbers matching the record shape.</summary>
public static class JsonRecords
{
    /// <summary>
    /// Parses <c>[[…],[…]]</c> into an [N, ...recordShape] tensor. Each record is either flat (recordLength numbers)
    /// or nested exactly as the record shape, e.g. <c>[[[…28…], …28 rows…]]</c> for [1,28,28].
    /// </summary>
    /// <exception cref="InvalidRecordsException">Empty batch, wrong length, non-numbers, NaN or infinity; the message names the record.</exception>
    public static FloatTensor Parse(JsonElement records, int[] recordShape)
    {
        int recordLength = ShapeText.RecordLength(recordShape, nameof(recordShape));
        if (records.ValueKind != JsonValueKind.Array)
            throw new InvalidRecordsException(
                $"Records must be a JSON array of records, e.g. [[…],[…]], each of shape {ShapeText.Format(recordShape)}; got a JSON {Describe(records.ValueKind)}.");

        int count = records.GetArrayLength();
        if (count == 0)
            throw new InvalidRecordsException(
                $"The batch is empty: send at least one record of shape {ShapeText.Format(recordShape)} ({recordLength} numbers).");
        if ((long)count * recordLength > Array.MaxLength)
            throw new InvalidRecordsException($"{count} records of {recordLength} values are more than one batch can hold; send fewer records.");

        var data = new float[count * recordLength];
        var parser = new RecordParser(recordShape, recordLength);
        int index = 0;
        foreach (JsonElement record in records.EnumerateArray())
        {
            parser.Parse(record, index, data.AsSpan(index * recordLength, recordLength));
            index++;
        }
        return new FloatTensor(data, [count, .. recordShape]);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    /// <summary>Fills one record's values, tracking where it is so an error can say exactly which value is wrong.</summary>
    private sealed class RecordParser(int[] recordShape, int recordLength)
    {
        private readonly int[] _path = new int[Math.Max(recordShape.Length, 1)];
        private int _record;

        public void Parse(JsonElement record, int index, Span<float> destination)
        {
            _record = index;
            if (recordShape.Length == 0 && record.ValueKind == JsonValueKind.Number)
            {
                destination[0] = ReadNumber(record, depth: 0, flatIndex: -1);
                return;
            }
            if (record.ValueKind != JsonValueKind.Array)
                throw Fail($"is a JSON {Describe(record.ValueKind)}; expected an array of {recordLength} numbers, or nested as {ShapeText.Format(recordShape)}");

            int length = record.GetArrayLength();
            bool nested = length > 0 && record[0].ValueKind == JsonValueKind.Array;
            if (nested && recordShape.Length > 1)
            {
                int written = ReadNested(record, depth: 0, destination);
                System.Diagnostics.Debug.Assert(written == recordLength);
                return;
            }

            if (length != recordLength)
            {
                string problem = nested
                    ? $"is nested deeper than the record shape {ShapeText.Format(recordShape)}"
                    : $"has {length} values; expected {recordLength}";
                throw Fail($"{problem} (send {recordLength} numbers flat, or nested as {ShapeText.Format(recordShape)})");
            }
            int i = 0;
            foreach (JsonElement value in record.EnumerateArray())
            {
                destination[i] = ReadNumber(value, depth: 0, flatIndex: i);
                i++;
            }
        }

        private int ReadNested(JsonElement array, int depth, Span<float> destination)
        {
            int expected = recordShape[depth];
            int length = array.GetArrayLength();
            if (length != expected)
                throw Fail($"does not match the record shape {ShapeText.Format(recordShape)}: {Where(depth)} has {length} entries, expected {expected}");

            bool last = depth == recordShape.Length - 1;
            int written = 0;
            int i = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                _path[depth] = i;
                if (last)
                {
                    destination[written++] = ReadNumber(item, depth + 1, flatIndex: -1);
                }
                else if (item.ValueKind == JsonValueKind.Array)
                {
                    written += ReadNested(item, depth + 1, destination[written..]);
                }
                else
                {
                    throw Fail($"does not match the record shape {ShapeText.Format(recordShape)}: {Where(depth + 1)} is a JSON {Describe(item.ValueKind)}, expected an array of {recordShape[depth + 1]}");
                }
                i++;
            }
            return written;
        }

        private float ReadNumber(JsonElement value, int depth, int flatIndex)
        {
            string where = flatIndex >= 0 ? $"value {flatIndex}" : Where(depth);
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    if (!value.TryGetDouble(out double d) || !float.IsFinite((float)d))
                        throw Fail($"{where} ({value.GetRawText()}) is outside the float32 range; values must be finite numbers");
                    return (float)d;
                case JsonValueKind.String:
                    string text = value.GetString() ?? "";
                    bool nonFinite = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && !double.IsFinite(parsed)
                        || text.Trim().TrimStart('+', '-').Equals("inf", StringComparison.OrdinalIgnoreCase);
                    throw Fail(nonFinite
                        ? $"{where} is \"{text}\": NaN and Infinity are not allowed, values must be finite numbers"
                        : $"{where} is a string (\"{Truncate(text)}\"); expected a number (unquoted)");
                case JsonValueKind.Array:
                    throw Fail($"{where} is an array; expected a number (the record is nested deeper than the record shape {ShapeText.Format(recordShape)})");
                default:
                    throw Fail($"{where} is a JSON {Describe(value.ValueKind)}; expected a number");
            }
        }

        private string Where(int depth)
        {
            if (depth == 0) return "the record";
            var text = new StringBuilder("element ");
            for (int d = 0; d < depth; d++) text.Append('[').Append(_path[d]).Append(']');
            return text.ToString();
        }

        private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

        private InvalidRecordsException Fail(string problem) => new($"Record {_record} {problem}.");
    }
}
