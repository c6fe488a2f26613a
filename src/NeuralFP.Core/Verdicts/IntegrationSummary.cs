namespace NeuralFP.Core.Verdicts;

/// <summary>
/// How a fingerprint's verdict joins its statistics, as the model view and the report show it: the integration's kind
/// (<see cref="IntegrationKinds"/>) and the statistics it leaves out, each with why.
/// </summary>
/// <param name="Kind">The integration's kind; <see cref="IntegrationKinds.OneOut"/> when the one-out rule decides.</param>
/// <param name="LeftOut">The statistics the integration does not read (constant, or barely moved by the build's response
/// shifts), each with the reason fingerprint.json gives (<c>integration.excluded</c>).</param>
public sealed record IntegrationSummary(string Kind, IReadOnlyList<ExcludedLayer> LeftOut)
{
    /// <summary>The summary of a fingerprint's integration (null: the one-out rule, which reads every layer's error).</summary>
    public static IntegrationSummary Of(LayerIntegration? integration) =>
        integration is null ? new(IntegrationKinds.OneOut, []) : new(integration.Kind, integration.Excluded);
}
