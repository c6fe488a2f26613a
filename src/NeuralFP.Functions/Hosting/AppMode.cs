namespace NeuralFP.Functions.Hosting;

/// <summary>How the app was started: behind the Functions host (custom handler) or standalone with its own local host.</summary>
public sealed record AppMode(bool Standalone)
{
    public string Name => Standalone ? "standalone" : "custom-handler";
}
