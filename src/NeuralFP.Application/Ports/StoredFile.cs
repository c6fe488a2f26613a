namespace NeuralFP.Application.Ports;

/// <summary>One stored file: its name within its folder, its length, and the store's tag for this content (changes on every write).</summary>
public sealed record StoredFile(string Name, long Length, string ETag);
