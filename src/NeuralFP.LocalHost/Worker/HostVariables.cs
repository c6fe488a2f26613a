namespace NeuralFP.LocalHost.Worker;

/// <summary>The environment the Functions host gives a dotnet-isolated worker.</summary>
internal static class HostVariables
{
    public const string ApplicationDirectory = "FUNCTIONS_APPLICATION_DIRECTORY";
    public const string WorkerDirectory = "FUNCTIONS_WORKER_DIRECTORY";
    public const string WorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";
    public const string ScriptRoot = "AzureWebJobsScriptRoot";

    /// <summary>The real host's maximum gRPC message length (int.MaxValue).</summary>
    public const int GrpcMaxMessageLength = int.MaxValue;

    /// <summary>
    /// The same startup values as configuration keys: an in-process worker needs them as settings, because the worker
    /// reads its command line from Environment.GetCommandLineArgs (the test runner's), not from the args it is given.
    /// </summary>
    public static Dictionary<string, string?> Configuration(Uri grpcUri, string workerId, string requestId) => new()
    {
        ["Functions:Worker:HostEndpoint"] = grpcUri.AbsoluteUri,
        ["Functions:Worker:WorkerId"] = workerId,
        ["Functions:Worker:RequestId"] = requestId,
        ["Functions:Worker:GrpcMaxMessageLength"] = GrpcMaxMessageLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The command line the Functions host passes (both the legacy and the functions-prefixed spellings).</summary>
    public static string[] Arguments(Uri grpcUri, string workerId, string requestId) =>
    [
        "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--workerId", workerId, "--requestId", requestId,
        "--grpcMaxMessageLength", GrpcMaxMessageLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
        "--functions-grpc-max-message-length", GrpcMaxMessageLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}
