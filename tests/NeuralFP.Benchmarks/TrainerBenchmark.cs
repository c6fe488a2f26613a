using System.Diagnostics;
using System.Globalization;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Benchmarks;

/// <summary>
/// The build's floor in isolation: the default MLP autoencoder trained on the CNN fixture's widest layer (the 784 pixels,
/// standardised) for a few epochs, and the matrix products of one minibatch step alone, with 1 and 2 GEMM threads;
/// GFLOP/s counts the multiply-adds of forward, weight-gradient and back-propagated products. Epochs from NFP_TRAINER_EPOCHS
/// (default 5), records from NFP_TRAINER_RECORDS (default 5,100, what a 10,000-record build trains on).
/// </summary>
public static unsafe class TrainerBenchmark
{
    private const double Step = 2.0 * 128 * 784 * 128;

    public static Task RunAsync(TextWriter output)
    {
        int epochs = int.Parse(Environment.GetEnvironmentVariable("NFP_TRAINER_EPOCHS") ?? "5", CultureInfo.InvariantCulture);
        int records = int.Parse(Environment.GetEnvironmentVariable("NFP_TRAINER_RECORDS") ?? "5100", CultureInfo.InvariantCulture);
        var images = FashionMnist.Train().Take(records + 900).Images;
        var data = Standardizer.Fit(images, 1e-3).Transform(images);
        int width = data.RecordLength;
        var train = new FloatTensor(data.Data[..(records * width)], [records, width]);
        var validation = new FloatTensor(data.Data[(records * width)..], [900, width]);
        var options = new AutoencoderOptions { MaxEpochs = epochs, Patience = epochs + 1 };
        var architecture = AutoencoderArchitecture.For(width, options);
        int[] widths = [width, architecture.Hidden, architecture.Bottleneck, architecture.Hidden, width];
        double macsPerRecord = 0;
        for (int l = 0; l < 4; l++) macsPerRecord += (l == 0 ? 2.0 : 3.0) * widths[l] * widths[l + 1];
        double validationMacs = Enumerable.Range(0, 4).Sum(l => (double)widths[l] * widths[l + 1]) * validation.Records;

        output.WriteLine($"Autoencoder {string.Join("-", widths)} on {records:N0} standardised Fashion-MNIST images, batch {options.BatchSize}, {epochs} epochs ({Environment.ProcessorCount} cores, GEMM kernel {GemmKernels.Best}):");
        output.WriteLine();
        output.WriteLine("| GEMM threads | wall s per epoch | CPU s per epoch | GFLOP/s (wall) |");
        output.WriteLine("|---:|---:|---:|---:|");
        foreach (var threads in new[] { 1, 2, 1, 2 })
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            MlpTrainer.Fit(train, validation, options, architecture, CancellationToken.None, threads);
            double wall = clock.Elapsed.TotalSeconds, cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            double flops = 2 * (macsPerRecord * records + validationMacs) * epochs;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {threads} | {wall / epochs:F3} | {cpuSeconds / epochs:F3} | {flops / wall / 1e9:F1} |"));
        }

        output.WriteLine();
        output.WriteLine("One epoch's parts, 1 GEMM thread, CPU s (the same loop as the trainer's):");
        output.WriteLine();
        output.WriteLine("| gather rows | forward + backward | Adam step | validation errors |");
        output.WriteLine("|---:|---:|---:|---:|");
        for (int round = 0; round < 2; round++)
        {
            var trainer = new MlpTrainer(architecture, options.BatchSize, new Random(options.Seed), 1);
            var adam = new AdamOptimizer([.. trainer.Layers.Select(l => l.Weights), .. trainer.Layers.Select(l => l.Bias)], [.. trainer.WeightGradients, .. trainer.BiasGradients], options.LearningRate);
            var order = Enumerable.Range(0, records).ToArray();
            var errors = new float[validation.Records];
            var parts = new double[4];
            var mark = Process.GetCurrentProcess().TotalProcessorTime;
            void Lap(int part)
            {
                var now = Process.GetCurrentProcess().TotalProcessorTime;
                parts[part] += (now - mark).TotalSeconds;
                mark = now;
            }
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                for (int start = 0; start < records; start += options.BatchSize)
                {
                    int rows = Math.Min(options.BatchSize, records - start);
                    VectorMath.GatherRows(train.Data, width, order.AsSpan(start, rows), trainer.Batch);
                    Lap(0);
                    trainer.ComputeGradients(rows);
                    Lap(1);
                    adam.Step();
                    Lap(2);
                }
                ReconstructionErrors.Mean(trainer.Layers, validation.Data, validation.Records, errors, 1);
                Lap(3);
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {parts[0] / epochs:F4} | {parts[1] / epochs:F4} | {parts[2] / epochs:F4} | {parts[3] / epochs:F4} |"));
        }

        output.WriteLine();
        output.WriteLine("One product of a 128-record minibatch at the 784-wide layer (and a square product for reference), 1 thread:");
        output.WriteLine();
        output.WriteLine("| product | CPU µs each | GFLOP/s (CPU) |");
        output.WriteLine("|---|---:|---:|");
        var random = new Random(1);
        float[] Random(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] x = Random(128 * 784), w = Random(784 * 128), d = Random(128 * 128), y = new float[784 * 784];
        float[] big = Random(768 * 768), bigOut = new float[768 * 768];
        float* kernelA = stackalloc float[GemmKernels.MR * GemmKernels.KC], kernelB = stackalloc float[GemmKernels.NR * GemmKernels.KC], kernelC = stackalloc float[GemmKernels.MR * GemmKernels.NR];
        nint ka = (nint)kernelA, kb = (nint)kernelB, kc = (nint)kernelC;
        foreach (var (name, run, flops) in new (string, Action, double)[]
        {
            ("micro-kernel alone, operands in L1 (×1000)", () => { for (int i = 0; i < 1000; i++) GemmKernels.Tile(GemmKernels.Best, (float*)ka, GemmKernels.KC, 1, (float*)kb, (float*)kc, GemmKernels.NR, GemmKernels.KC, true, GemmKernels.MR, GemmKernels.NR); }, 1000.0 * 2 * GemmKernels.MR * GemmKernels.NR * GemmKernels.KC),
            ("reference: square 768³", () => Gemm.Multiply(big, big, bigOut, 768, 768, 768, 1), 2.0 * 768 * 768 * 768),
            ("forward X[128×784]·W[784×128]", () => Gemm.Multiply(x, w, y, 128, 784, 128, 1), Step),
            ("weight gradient Xᵀ[784×128]·Δ[128×128]", () => Gemm.MultiplyTransposedA(x, d, y, 784, 128, 128, 1), Step),
            ("back-propagation Δ[128×784]·Wᵀ (W [128×784])", () => Gemm.MultiplyTransposedB(x, w, y, 128, 784, 128, 1), Step),
        })
        {
            int repetitions = (int)Math.Clamp(2e11 / flops, 10, 2000);
            for (int i = 0; i < repetitions / 10; i++) run();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < repetitions; i++) run();
            double each = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / repetitions;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {each * 1e6:F1} | {flops / each / 1e9:F1} |"));
        }
        return Task.CompletedTask;
    }
}
