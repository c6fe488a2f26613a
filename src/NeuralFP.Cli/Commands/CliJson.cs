using System.Text.Json;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Cli.Commands;

internal static class CliJson
{
    public static void Write<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, FingerprintJson.Options));
}
