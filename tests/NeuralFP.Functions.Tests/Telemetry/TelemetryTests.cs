using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.TestData;
using OpenTelemetry.Metrics;

namespace NeuralFP.Functions.Tests.Telemetry;

/// <summary>
/// The app's OpenTelemetry signals, caught by an in-memory exporter: one span per function invocation carrying the
/// model id and version (and batch id and invocation id), log records whose scopes carry the same, the counters of
/// records scored and OOD verdicts by layer, the build duration, and the queue gauges.
/// </summary>
[Collection(InProcessWorkerCollection.Name)]
public sealed class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private const string ModelId = TelemetryFixture.ModelId;

    private TestApp App => fixture.App;

    private async Task<JsonElement> PostVerdictsAsync(Core.Tensors.FloatTensor records)
    {
        var response = await App.Http.PostAsync($"api/models/{ModelId}/verdicts", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private long Sum(string metric, string? layer = null) => fixture.Points(metric)
        .Where(p => Equals(TelemetryFixture.Tag(p, "neuralfp.model.id"), ModelId) && (layer is null || Equals(TelemetryFixture.Tag(p, "neuralfp.layer"), layer)))
        .Sum(p => p.GetSumLong());

    [Fact]
    public async Task A_verdicts_call_has_a_span_with_model_id_version_and_invocation_id_under_the_request_span()
    {
        var before = fixture.Spans("Verdicts").Count;
        await PostVerdictsAsync(TestModels.Probe(3));

        var span = await Eventually.WaitAsync(() => Task.FromResult(fixture.Spans("Verdicts").Skip(before).FirstOrDefault()), "the Verdicts span");

        Assert.Equal(fixture.Ready.CurrentVersion, span.GetTagItem("neuralfp.model.version"));
        Assert.Equal("http", span.GetTagItem("faas.trigger"));
        Assert.False(string.IsNullOrEmpty(span.GetTagItem("faas.invocation_id") as string));
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        // Under the worker's own invocation span (or the request it serves), in the same trace.
        var parent = fixture.AllSpans().Single(a => a.SpanId == span.ParentSpanId);
        Assert.Equal(span.TraceId, parent.TraceId);
        Assert.True(parent.Kind == ActivityKind.Server || parent.Source.Name.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal), $"{parent.Source.Name} {parent.Kind} {parent.OperationName}");
    }

    [Fact]
    public async Task A_queue_batch_has_a_span_and_logs_carrying_model_id_version_batch_id_and_the_hosts_invocation_id()
    {
        var records = TestModels.RecordsJson(TestModels.Probe(4))[1..^1];
        await App.SendAsync(App.Clients.ScoreRequests, $"{{\"batchId\":\"otel-batch\",\"modelId\":\"{ModelId}\",{records}}}");

        var span = await Eventually.WaitAsync(() => Task.FromResult(fixture.Spans("ScoreBatch").FirstOrDefault(s => Equals(s.GetTagItem("neuralfp.batch.id"), "otel-batch"))), "the ScoreBatch span");

        Assert.Equal(fixture.Ready.CurrentVersion, span.GetTagItem("neuralfp.model.version"));
        Assert.Equal("pubsub", span.GetTagItem("faas.trigger"));
        var invocationId = Assert.IsType<string>(span.GetTagItem("faas.invocation_id"));
        Assert.True(Guid.TryParse(invocationId, out _), $"Expected the local host's invocation id, got {invocationId}.");

        var log = await Eventually.WaitAsync(() => Task.FromResult(fixture.Logs().FirstOrDefault(l => l.FormattedMessage?.StartsWith("Batch otel-batch:", StringComparison.Ordinal) == true && l.FormattedMessage.Contains("scored", StringComparison.Ordinal))), "the batch's log record");
        var scopes = new Dictionary<string, object?>();
        log.ForEachScope((scope, all) =>
        {
            foreach (var item in scope) all[item.Key] = item.Value;
        }, scopes);
        Assert.Equal(invocationId, scopes["InvocationId"]);
        Assert.Equal((ModelId, (object?)fixture.Ready.CurrentVersion, "otel-batch"), (scopes["ModelId"], scopes["ModelVersion"], scopes["BatchId"]));
        Assert.Equal(span.TraceId, log.TraceId);
    }

    [Fact]
    public async Task Records_scored_and_ood_verdicts_are_counted_by_model_and_deciding_layer()
    {
        var scoredBefore = Sum("neuralfp.records.scored");
        var oodBefore = Sum("neuralfp.verdicts.ood");

        var noise = await PostVerdictsAsync(OodSets.UniformNoise(6, seed: 5));
        await PostVerdictsAsync(TestModels.Probe(5));

        Assert.Equal(scoredBefore + 11, Sum("neuralfp.records.scored"));
        var ood = noise.GetProperty("oodRecords").GetInt32();
        Assert.True(ood > 0, "Uniform noise should be out of distribution for the CNN.");
        Assert.True(Sum("neuralfp.verdicts.ood") >= oodBefore + ood);
        var byLayer = fixture.Points("neuralfp.verdicts.ood").Where(p => Equals(TelemetryFixture.Tag(p, "neuralfp.model.id"), ModelId)).ToList();
        Assert.All(byLayer, p => Assert.Contains(TelemetryFixture.Tag(p, "neuralfp.layer") as string, fixture.Ready.Layers));

        var latency = fixture.Points("neuralfp.scoring.duration").Where(p => Equals(TelemetryFixture.Tag(p, "neuralfp.model.id"), ModelId)).ToList();
        Assert.True(latency.Sum(p => p.GetHistogramCount()) >= 2);
        var bounds = new List<double>();
        foreach (var bucket in latency[0].GetHistogramBuckets()) bounds.Add(bucket.ExplicitBound);
        Assert.Contains(0.001, bounds); // second-scale buckets, not the SDK's millisecond defaults
        var builds = fixture.Points("neuralfp.fingerprint.build.duration").Single(p => Equals(TelemetryFixture.Tag(p, "neuralfp.model.id"), ModelId));
        Assert.Equal(("built", 1L), (TelemetryFixture.Tag(builds, "neuralfp.outcome"), builds.GetHistogramCount()));
        Assert.True(builds.GetHistogramSum() > 0);
    }

    [Fact]
    public async Task Queue_gauges_report_depth_oldest_age_and_poison_depth()
    {
        // Nothing consumes the alerts queue locally, and the poison queue only fills: both hold what is put there.
        await App.SendAsync(App.Clients.Alerts, "{\"kind\":\"drift-alarm\"}");
        await App.SendAsync(App.Clients.Alerts, "{\"kind\":\"drift-alarm\"}");
        await App.SendAsync(App.Clients.ScoreRequestsPoison, "{}");

        double Gauge(string metric, string queue) => fixture.Points(metric)
            .Where(p => Equals(TelemetryFixture.Tag(p, "messaging.destination.name"), queue))
            .Select(p => metric.EndsWith(".age", StringComparison.Ordinal) ? p.GetGaugeLastValueDouble() : p.GetGaugeLastValueLong())
            .DefaultIfEmpty(-1).Single();

        // The QueueGauges timer reads the queues; the local host fires it on demand as the schedule would.
        await Eventually.UntilAsync(async () =>
        {
            await App.Host.InvokeTimerAsync(Hosting.FunctionNames.QueueGauges);
            return Gauge("neuralfp.queue.depth", App.Names.Alerts) == 2 && Gauge("neuralfp.queue.poison.depth", App.Names.ScoreRequestsPoison) == 1;
        }, "the queue gauges to show the messages");
        Assert.True(Gauge("neuralfp.queue.oldest.age", App.Names.Alerts) >= 0);
        Assert.Equal(-1, Gauge("neuralfp.queue.poison.depth", App.Names.Alerts));
    }
}
