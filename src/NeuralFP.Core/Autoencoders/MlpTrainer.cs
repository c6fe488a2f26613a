using System.Diagnostics;
using System.Numerics.Tensors;
using NeuralFP.Core.Numerics;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Trains the MLP autoencoder: MSE on standardised inputs, Adam on shuffled minibatches, early stopping on the
/// validation records keeping the best weights. One <see cref="Random"/>(Seed) per fit drives the initialisation and
/// every shuffle, and all parallel work splits outputs, so the same inputs and seed give bit-identical weights.
/// </summary>
internal sealed class MlpTrainer
{
    private readonly int[] _widths;
    private readonly Activation[] _activations;
    private readonly float[][] _weights, _biases, _weightGradients, _biasGradients, _outputs;
    private readonly float[] _batch, _deltaA, _deltaB;
    private readonly DenseLayer[] _layers;
    private readonly int _maxThreads;

    /// <param name="maxThreads">Threads for the matrix products; 0 for all cores. Results do not depend on it.</param>
    internal MlpTrainer(AutoencoderArchitecture architecture, int batchSize, Random random, int maxThreads = 0)
    {
        _maxThreads = maxThreads;
        int d = architecture.Width, h = architecture.Hidden, b = architecture.Bottleneck;
        _widths = h > 0 ? [d, h, b, h, d] : [d, b, d];
        _activations = h > 0 ? [Activation.Relu, Activation.Identity, Activation.Relu, Activation.Identity] : [Activation.Identity, Activation.Identity];
        int count = _activations.Length;
        _weights = new float[count][];
        _biases = new float[count][];
        _weightGradients = new float[count][];
        _biasGradients = new float[count][];
        _outputs = new float[count][];
        _layers = new DenseLayer[count];
        var gaussian = new Gaussian(random);
        for (int l = 0; l < count; l++)
        {
            int fanIn = _widths[l], fanOut = _widths[l + 1];
            _weights[l] = new float[fanIn * fanOut];
            // He for ReLU layers, Glorot for linear ones: keeps activation variance near 1 through the stack.
            double std = _activations[l] == Activation.Relu ? Math.Sqrt(2.0 / fanIn) : Math.Sqrt(2.0 / (fanIn + fanOut));
            gaussian.Fill(_weights[l], std);
            _biases[l] = new float[fanOut];
            _weightGradients[l] = new float[fanIn * fanOut];
            _biasGradients[l] = new float[fanOut];
            _outputs[l] = new float[batchSize * fanOut];
            _layers[l] = new DenseLayer(fanIn, fanOut, _weights[l], _biases[l], _activations[l]);
        }
        int maxWidth = _widths.Max();
        _batch = new float[batchSize * d];
        _deltaA = new float[batchSize * maxWidth];
        _deltaB = new float[batchSize * maxWidth];
    }

    /// <summary>The live layers (their arrays are updated in place by training).</summary>
    internal IReadOnlyList<DenseLayer> Layers => _layers;

    /// <summary>The minibatch buffer, [batch size × width], read by <see cref="ComputeGradients"/>.</summary>
    internal float[] Batch => _batch;

    internal float[][] WeightGradients => _weightGradients;

    internal float[][] BiasGradients => _biasGradients;

    public static Autoencoder Fit(FloatTensor train, FloatTensor validation, AutoencoderOptions options, AutoencoderArchitecture architecture, CancellationToken cancellationToken, int maxThreads = 0)
    {
        var clock = Stopwatch.StartNew();
        int n = train.Records, d = architecture.Width;
        int batchSize = Math.Min(options.BatchSize, n);
        var random = new Random(options.Seed);
        var trainer = new MlpTrainer(architecture, batchSize, random, maxThreads);
        var adam = new AdamOptimizer([.. trainer._weights, .. trainer._biases], [.. trainer._weightGradients, .. trainer._biasGradients], options.LearningRate, maxThreads);

        bool selfValidate = validation.Records == 0;
        var check = selfValidate ? train : validation;
        var checkErrors = new float[check.Records];

        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var bestWeights = Array.ConvertAll(trainer._weights, w => (float[])w.Clone());
        var bestBiases = Array.ConvertAll(trainer._biases, b => (float[])b.Clone());
        var stopping = new EarlyStopping(options.Patience);
        bool stoppedEarly = false;
        var history = new List<double>();

        for (int epoch = 1; epoch <= options.MaxEpochs; epoch++)
        {
            random.Shuffle(order);
            for (int start = 0; start < n; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(batchSize, n - start);
                VectorMath.GatherRows(train.Data, d, order.AsSpan(start, rows), trainer._batch);
                trainer.ComputeGradients(rows);
                adam.Step();
            }

            double error = ReconstructionErrors.Mean(trainer._layers, check.Data, check.Records, checkErrors, maxThreads);
            history.Add(error);
            if (!double.IsFinite(error))
            {
                if (stopping.BestEpoch == 0)
                    throw new InvalidOperationException($"Autoencoder training diverged in epoch {epoch} (validation error {error}); lower {nameof(AutoencoderOptions)}.{nameof(AutoencoderOptions.LearningRate)} (now {options.LearningRate}).");
                stoppedEarly = true;
                break;
            }
            bool stop = stopping.Observe(error, out bool isBest);
            if (isBest)
            {
                for (int l = 0; l < bestWeights.Length; l++)
                {
                    trainer._weights[l].CopyTo(bestWeights[l], 0);
                    trainer._biases[l].CopyTo(bestBiases[l], 0);
                }
            }
            if (stop)
            {
                stoppedEarly = epoch < options.MaxEpochs;
                break;
            }
        }

        var layers = new DenseLayer[bestWeights.Length];
        for (int l = 0; l < layers.Length; l++)
            layers[l] = new DenseLayer(trainer._widths[l], trainer._widths[l + 1], bestWeights[l], bestBiases[l], trainer._activations[l]);
        var summary = new TrainingSummary(AutoencoderKind.Mlp, architecture, n, validation.Records, history.Count, stopping.BestEpoch, stopping.Best, stoppedEarly, history, selfValidate, clock.Elapsed);
        return new Autoencoder(layers, summary);
    }

    /// <summary>Forward and backward pass on the first <paramref name="rows"/> rows of the batch; fills the gradients.</summary>
    internal void ComputeGradients(int rows)
    {
        int count = _layers.Length;
        ReadOnlySpan<float> input = _batch.AsSpan(0, rows * _widths[0]);
        for (int l = 0; l < count; l++)
        {
            DenseForward.Apply(_layers[l], input, _outputs[l], rows, _maxThreads);
            input = _outputs[l].AsSpan(0, rows * _widths[l + 1]);
        }

        // dLoss/dOutput for loss = mean over rows and features of (y − x)².
        int d = _widths[0];
        var delta = _deltaA.AsSpan(0, rows * d);
        TensorPrimitives.Subtract(_outputs[count - 1].AsSpan(0, rows * d), _batch.AsSpan(0, rows * d), delta);
        TensorPrimitives.Multiply(delta, 2f / (rows * d), delta);

        bool inA = true;
        for (int l = count - 1; l >= 0; l--)
        {
            int fanIn = _widths[l], fanOut = _widths[l + 1];
            if (_activations[l] == Activation.Relu)
                VectorMath.MaskByPositive(delta, _outputs[l].AsSpan(0, rows * fanOut));
            ReadOnlySpan<float> layerInput = l == 0 ? _batch.AsSpan(0, rows * fanIn) : _outputs[l - 1].AsSpan(0, rows * fanIn);
            Gemm.MultiplyTransposedA(layerInput, delta, _weightGradients[l], fanIn, rows, fanOut, _maxThreads);
            VectorMath.ColumnSums(delta, _biasGradients[l], rows);
            if (l == 0) break; // the gradient with respect to the data is not needed
            var previous = (inA ? _deltaB : _deltaA).AsSpan(0, rows * fanIn);
            Gemm.MultiplyTransposedB(delta, _weights[l], previous, rows, fanOut, fanIn, _maxThreads);
            delta = previous;
            inA = !inA;
        }
    }
}
