namespace NeuralFP.Functions.Tests.Infrastructure;

/// <summary>Waits for an asynchronous outcome (a trigger firing, a message moving). The limit only stops a hung test; it asserts nothing about speed.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromMinutes(3);

    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? limit = null) where T : class
    {
        var deadline = DateTime.UtcNow + (limit ?? DefaultLimit);
        while (true)
        {
            var value = await probe();
            if (value is not null) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for {what}.");
            await Task.Delay(100);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null)
        => await WaitAsync<object>(async () => await condition() ? new object() : null, what, limit);
}
