using System.Text.Json;

namespace NeuralFP.Core.Verdicts;

/// <summary>
/// Writes a <see cref="VerdictBatch"/> in the wire format (<see cref="RecordVerdict"/>, <see cref="LayerThresholds"/>)
/// straight from its arrays onto a <see cref="Utf8JsonWriter"/>, so an answer is streamed without an object per record.
/// Property names and number formats are those System.Text.Json's web defaults give the same records (camelCase,
/// shortest round-trip numbers, non-finite numbers as named literals, absent rather than null).
/// </summary>
public static class VerdictJsonWriter
{
    private static readonly JsonEncodedText LayerName = JsonEncodedText.Encode("layer");
    private static readonly JsonEncodedText Lower = JsonEncodedText.Encode("lower");
    private static readonly JsonEncodedText Upper = JsonEncodedText.Encode("upper");
    private static readonly JsonEncodedText Ood = JsonEncodedText.Encode("ood");
    private static readonly JsonEncodedText Score = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText PValue = JsonEncodedText.Encode("pValue");
    private static readonly JsonEncodedText PredictedClass = JsonEncodedText.Encode("predictedClass");
    private static readonly JsonEncodedText MaxProbability = JsonEncodedText.Encode("maxProbability");
    private static readonly JsonEncodedText DecidingLayer = JsonEncodedText.Encode("decidingLayer");
    private static readonly JsonEncodedText Layers = JsonEncodedText.Encode("layers");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText Fired = JsonEncodedText.Encode("fired");

    /// <summary>The layers' thresholds as an array of <see cref="LayerThresholds"/> (write the property name first).</summary>
    public static void WriteThresholds(Utf8JsonWriter writer, VerdictBatch batch)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(batch);
        writer.WriteStartArray();
        for (var l = 0; l < batch.LayerCount; l++)
        {
            writer.WriteStartObject();
            writer.WriteString(LayerName, batch.Layers[l]);
            WriteNumber(writer, Lower, batch.Lower(l));
            WriteNumber(writer, Upper, batch.Upper(l));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>One record as a <see cref="RecordVerdict"/>; with <paramref name="layers"/>, its per-layer evidence too.</summary>
    public static void WriteVerdict(Utf8JsonWriter writer, VerdictBatch batch, int record, bool layers)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(batch);
        writer.WriteStartObject();
        writer.WriteBoolean(Ood, batch.Ood[record]);
        WriteNumber(writer, Score, batch.Scores[record]);
        WriteNumber(writer, PValue, batch.PValues[record]);
        writer.WriteNumber(PredictedClass, batch.PredictedClasses[record]);
        WriteNumber(writer, MaxProbability, batch.MaxProbabilities[record]);
        writer.WriteString(DecidingLayer, batch.Layers[batch.DecidingLayers[record]]);
        if (layers)
        {
            var errors = batch.Errors(record);
            var pValues = batch.LayerPValues(record);
            var fired = batch.Fired(record);
            writer.WriteStartArray(Layers);
            for (var l = 0; l < errors.Length; l++)
            {
                writer.WriteStartObject();
                WriteNumber(writer, Error, errors[l]);
                WriteNumber(writer, PValue, pValues[l]);
                writer.WriteBoolean(Fired, fired[l]);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    // Utf8JsonWriter refuses NaN and infinities; the serializer's AllowNamedFloatingPointLiterals writes them as strings.
    private static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumber(name, value);
        else writer.WriteString(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, float value)
    {
        if (float.IsFinite(value)) writer.WriteNumber(name, value);
        else writer.WriteString(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
