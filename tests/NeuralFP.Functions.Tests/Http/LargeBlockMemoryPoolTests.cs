using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralFP.Functions.Hosting;
using NeuralFP.Hosting;

namespace NeuralFP.Functions.Tests.Http;

/// <summary>Kestrel's 32 KiB-block pool: what it hands out, keeps and refuses, and that Kestrel really takes it.</summary>
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Blocks_have_the_block_size_and_a_returned_one_is_handed_out_again()
    {
        using var pool = new LargeBlockMemoryPool(blockSize: 8192, retainedBlocks: 4);
        var first = pool.Rent(100);
        Assert.Equal(8192, first.Memory.Length);
        Assert.Equal(8192, pool.MaxBufferSize);
        first.Memory.Span[0] = 42;
        first.Dispose();
        Assert.Equal(1, pool.FreeBlocks);

        using var again = pool.Rent();
        Assert.Equal(0, pool.FreeBlocks);
        Assert.Equal(42, again.Memory.Span[0]); // the same block, not a new one
    }

    [Fact]
    public void It_keeps_at_most_its_retained_blocks()
    {
        using var pool = new LargeBlockMemoryPool(blockSize: 4096, retainedBlocks: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(2, pool.FreeBlocks);
    }

    [Fact]
    public void A_block_returned_twice_and_a_rent_over_the_block_size_are_refused()
    {
        using var pool = new LargeBlockMemoryPool(blockSize: 4096, retainedBlocks: 2);
        var block = pool.Rent();
        block.Dispose();
        Assert.Throws<InvalidOperationException>(() => block.Dispose());
        Assert.Equal(1, pool.FreeBlocks);

        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(4097));
        Assert.Contains("4096 bytes", tooLarge.Message);
    }

    [Fact]
    public void A_disposed_pool_refuses_rents_and_drops_what_comes_back()
    {
        var pool = new LargeBlockMemoryPool(blockSize: 4096, retainedBlocks: 2);
        var block = pool.Rent();
        pool.Rent().Dispose();
        pool.Dispose();

        Assert.Equal(0, pool.FreeBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
        block.Dispose();
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void The_worker_registers_it_for_Kestrel()
    {
        var services = new ServiceCollection().AddNeuralFp(new ConfigurationBuilder().Build());
        var registered = Assert.Single(services, d => d.ServiceType == typeof(IMemoryPoolFactory<byte>));
        Assert.Equal(typeof(LargeBlockMemoryPoolFactory), registered.ImplementationType);
    }

    /// <summary>
    /// Guards the registration against a framework that stops reading the factory from the container: Kestrel must rent
    /// the request's buffers from the pools it makes.
    /// </summary>
    [Fact]
    public async Task Kestrel_receives_a_request_body_in_its_blocks()
    {
        var factory = new CountingFactory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(factory);
        await using var app = builder.Build();
        app.MapPost("/length", async (HttpRequest request) =>
        {
            long length = 0;
            var buffer = new byte[64 * 1024];
            for (int read; (read = await request.Body.ReadAsync(buffer)) > 0;) length += read;
            return Results.Text(length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var body = new byte[1 << 20];
        using var response = await http.PostAsync("/length", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
        Assert.True(factory.Rented > 0, "Kestrel rented no block from the registered factory's pools.");
        await app.StopAsync();
    }

    private sealed class CountingFactory : IMemoryPoolFactory<byte>
    {
        private int _rented;

        public int Rented => Volatile.Read(ref _rented);

        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Counting(new LargeBlockMemoryPoolFactory().Create(options), this);

        private sealed class Counting(MemoryPool<byte> inner, CountingFactory owner) : MemoryPool<byte>
        {
            public override int MaxBufferSize => inner.MaxBufferSize;

            public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
            {
                Interlocked.Increment(ref owner._rented);
                return inner.Rent(minBufferSize);
            }

            protected override void Dispose(bool disposing) => inner.Dispose();
        }
    }
}
