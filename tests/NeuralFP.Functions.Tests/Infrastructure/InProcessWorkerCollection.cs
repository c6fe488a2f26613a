namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>
/// Test classes whose app runs the worker in this process (<c>TestApp.StartAsync(configure: …)</c>) run one at a time: the
/// worker's ASP.NET Core integration picks its Kestrel port once per process, so two in-process workers at once fail to
/// bind ("address already in use"). Apps with a worker process are not limited.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessWorkerCollection
{
    public const string Name = "In-process worker";
}
