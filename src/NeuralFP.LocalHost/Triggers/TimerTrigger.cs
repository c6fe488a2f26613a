using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralFP.LocalHost.Functions;
using NeuralFP.LocalHost.Rpc;

namespace NeuralFP.LocalHost.Triggers;

/// <summary>Fires one timer-triggered function on its schedule (and at start when runOnStartup), and on demand.</summary>
internal sealed class TimerTrigger : IAsyncDisposable
{
    private readonly string _functionName;
    private readonly CronSchedule _schedule;
    private readonly bool _runOnStartup;
    private readonly FunctionInvoker _invoker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private DateTime? _last;
    private Task _loop = Task.CompletedTask;

    public TimerTrigger(IndexedFunction function, FunctionInvoker invoker, AppSettings settings, ILogger logger)
    {
        _functionName = function.Name;
        _schedule = CronSchedule.Parse(settings.Resolve(function.Trigger.String("schedule") ?? throw new InvalidOperationException($"Timer '{function.Name}' has no schedule.")));
        _runOnStartup = function.Trigger.Bool("runOnStartup");
        _invoker = invoker;
        _logger = logger;
    }

    public string FunctionName => _functionName;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            if (_runOnStartup) await FireAsync(isPastDue: false, token).ConfigureAwait(false);
            while (!token.IsCancellationRequested)
            {
                var next = _schedule.Next(DateTime.UtcNow);
                var wait = next - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, token).ConfigureAwait(false);
                await FireAsync(isPastDue: DateTime.UtcNow - next > TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task FireAsync(bool isPastDue, CancellationToken token)
    {
        try
        {
            var result = await InvokeAsync(isPastDue, token).ConfigureAwait(false);
            if (!result.Succeeded) _logger.LogWarning("Timer '{Function}' failed: {Error}", _functionName, result.Error);
        }
        catch (WorkerUnavailableException e)
        {
            _logger.LogWarning("Timer '{Function}' skipped: {Error}", _functionName, e.Message);
        }
    }

    /// <summary>Invokes the function now, with the TimerInfo payload the Functions host sends.</summary>
    public Task<InvocationResult> InvokeAsync(bool isPastDue, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var info = JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = _last ?? DateTime.MinValue, Next = _schedule.Next(now), LastUpdated = now },
            IsPastDue = isPastDue,
        });
        _last = now;
        return _invoker.InvokeAsync(_functionName, (request, f) =>
            request.InputData.Add(new ParameterBinding { Name = f.Trigger.Name, Data = Typed.Json(info) }), null, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
