using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Worker;

/// <summary>
/// Starts the worker, walks it through the host's handshake (StartStream, WorkerInitRequest, FunctionsMetadataRequest,
/// FunctionLoadRequest per function) and starts it again whenever it dies, until disposed.
/// </summary>
internal sealed class WorkerSupervisor : IAsyncDisposable
{
    /// <summary>How long a worker may take from start to loaded functions (generous: test machines are often loaded).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long a request or trigger waits for a (re)starting worker before it fails.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);
    private readonly WorkerLauncher _launcher;
    private readonly WorkerRegistry _registry;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Uri _grpcUri;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource<WorkerSession> _ready = NewReady();
    private Task? _loop;
    private volatile bool _terminating;

    public WorkerSupervisor(WorkerLauncher launcher, WorkerRegistry registry, IReadOnlyDictionary<string, string?> settings, Uri grpcUri, ILogger logger)
    {
        _launcher = launcher;
        _registry = registry;
        _settings = settings;
        _grpcUri = grpcUri;
        _logger = logger;
    }

    /// <summary>The current session, or null while the worker (re)starts.</summary>
    public WorkerSession? Current { get; private set; }

    /// <summary>Starts the first worker and returns once it is ready (or throws why it is not).</summary>
    public async Task<WorkerSession> StartAsync(CancellationToken cancellationToken)
    {
        var first = await StartWorkerAsync(cancellationToken).ConfigureAwait(false);
        Publish(first);
        _loop = Task.Run(() => SuperviseAsync(first));
        return first;
    }

    /// <summary>Waits for a ready worker (across a restart).</summary>
    public async Task<WorkerSession> ReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_terminating) throw new WorkerUnavailableException("The host is stopping.");
            if (Current is { } current && IsAlive(current)) return current;
            // A killed worker may still be Current for a moment, until the loop notices; so look again shortly.
            await Task.WhenAny(_ready.Task, Task.Delay(50, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static bool IsAlive(WorkerSession session) => !session.Connection.Closed.IsCompleted && !session.Worker.Exited.IsCompleted;

    private async Task SuperviseAsync(WorkerSession session)
    {
        var stopped = new TaskCompletionSource();
        using var registration = _stopping.Token.Register(() => stopped.TrySetResult());
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            await Task.WhenAny(session.Worker.Exited, session.Connection.Closed, stopped.Task).ConfigureAwait(false);
            Current = null;
            if (_terminating)
            {
                await stopped.Task.ConfigureAwait(false);
                await session.Worker.DisposeAsync().ConfigureAwait(false);
                session.Connection.Abort();
                return;
            }
            _ready = _ready.Task.IsCompleted ? NewReady() : _ready;
            _logger.LogWarning("The worker (pid {Pid}) stopped; starting a new one.", session.Worker.ProcessId);
            await session.Worker.DisposeAsync().ConfigureAwait(false);
            session.Connection.Abort();
            while (true)
            {
                try
                {
                    session = await StartWorkerAsync(_stopping.Token).ConfigureAwait(false);
                    Publish(session);
                    delay = TimeSpan.FromMilliseconds(200);
                    break;
                }
                catch (Exception) when (_terminating)
                {
                    return;
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "The worker failed to start; trying again in {Delay}.", delay);
                    await Task.WhenAny(Task.Delay(delay), stopped.Task).ConfigureAwait(false);
                    if (_terminating) return;
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                }
            }
        }
    }

    private void Publish(WorkerSession session)
    {
        Current = session;
        _ready.TrySetResult(session);
    }

    private async Task<WorkerSession> StartWorkerAsync(CancellationToken cancellationToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var connected = _registry.Expect(workerId);
        var settings = new Dictionary<string, string?>(_settings)
        {
            [HostVariables.ApplicationDirectory] = _launcher.AppDirectory,
            [HostVariables.WorkerDirectory] = _launcher.AppDirectory,
            [HostVariables.ScriptRoot] = _launcher.AppDirectory,
            [HostVariables.WorkerRuntime] = "dotnet-isolated",
        };
        var requestId = Guid.NewGuid().ToString();
        var worker = _launcher.Start(new WorkerStartInfo(
            HostVariables.Arguments(_grpcUri, workerId, requestId), settings, HostVariables.Configuration(_grpcUri, workerId, requestId)), _logger);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var exited = worker.Exited.ContinueWith<WorkerConnection>(
                _ => throw new InvalidOperationException("The worker exited before it connected (see its output in the log)."),
                TaskScheduler.Default);
            var connection = await (await Task.WhenAny(connected, exited).ConfigureAwait(false)).WaitAsync(timeout.Token).ConfigureAwait(false);
            return await HandshakeAsync(connection, worker, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            _registry.Forget(workerId);
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<WorkerSession> HandshakeAsync(WorkerConnection connection, IRunningWorker worker, CancellationToken cancellationToken)
    {
        var initId = Guid.NewGuid().ToString();
        var init = (await connection.RequestAsync(initId, new StreamingMessage
        {
            RequestId = initId,
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = "4.1000.0 (NeuralFP.LocalHost)",
                WorkerDirectory = _launcher.AppDirectory,
                FunctionAppDirectory = _launcher.AppDirectory,
            },
        }, cancellationToken).ConfigureAwait(false)).WorkerInitResponse;
        EnsureSuccess(init.Result, "initialise");
        Uri? httpUri = init.Capabilities.TryGetValue("HttpUri", out var uri) && !string.IsNullOrEmpty(uri) ? new Uri(uri) : null;

        var metadataId = Guid.NewGuid().ToString();
        var metadata = (await connection.RequestAsync(metadataId, new StreamingMessage
        {
            RequestId = metadataId,
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _launcher.AppDirectory },
        }, cancellationToken).ConfigureAwait(false)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "index its functions");
        if (metadata.UseDefaultMetadataIndexing)
            throw new InvalidOperationException("The worker asks for host indexing (function.json files), which the local host does not do.");

        var functions = metadata.FunctionMetadataResults.Select(m => new IndexedFunction(m)).ToArray();
        foreach (var function in functions)
        {
            var loaded = (await connection.RequestAsync(function.Id, new StreamingMessage
            {
                RequestId = Guid.NewGuid().ToString(),
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.Id, Metadata = function.Metadata },
            }, cancellationToken).ConfigureAwait(false)).FunctionLoadResponse;
            EnsureSuccess(loaded.Result, $"load function '{function.Name}'");
        }
        _logger.LogInformation("Worker (pid {Pid}) ready with {Count} functions: {Names}; HTTP at {HttpUri}.",
            worker.ProcessId, functions.Length, string.Join(", ", functions.Select(f => f.Name)), httpUri);
        return new WorkerSession(connection, worker, httpUri, functions);
    }

    private static void EnsureSuccess(StatusResult? result, string step)
    {
        if (result is { Status: StatusResult.Types.Status.Success }) return;
        throw new InvalidOperationException($"The worker failed to {step}: {result?.Exception?.Message ?? result?.Result ?? "no result"}");
    }

    /// <summary>Asks the worker to stop (WorkerTerminate), then ends it; no process is left behind.</summary>
    public async ValueTask DisposeAsync()
    {
        _terminating = true;
        if (Current is { } session)
        {
            try
            {
                await session.Connection.SendAsync(new StreamingMessage
                {
                    WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) },
                }).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                await session.Worker.Exited.WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WorkerUnavailableException or TimeoutException or InvalidOperationException or IOException)
            {
                _logger.LogDebug("The worker did not stop on request ({Reason}); killing it.", e.Message);
            }
        }
        _stopping.Cancel();
        _ready.TrySetException(new ObjectDisposedException(nameof(LocalFunctionsHost)));
        _ = _ready.Task.Exception; // observed: nobody may be waiting
        // The loop owns the sessions: it disposes (kills) the current worker, or one it was starting, on its way out.
        if (_loop is not null) await _loop.ConfigureAwait(false);
        Current = null;
        _stopping.Dispose();
    }

    public async Task KillAsync()
    {
        if (Current is { } session) await session.Worker.KillAsync().ConfigureAwait(false);
    }

    public async Task TerminateAsync()
    {
        if (Current is { } session) await session.Worker.TerminateAsync().ConfigureAwait(false);
    }

    private static TaskCompletionSource<WorkerSession> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
