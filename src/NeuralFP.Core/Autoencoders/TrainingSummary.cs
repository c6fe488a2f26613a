namespace NeuralFP.Core.Autoencoders;

/// <summary>How a fit went: for reports and manifests, not needed to score.</summary>
/// <param name="Epochs">Epochs run (0 for PCA).</param>
/// <param name="BestEpoch">The epoch whose weights were kept (0 for PCA).</param>
/// <param name="BestValidationError">Mean reconstruction error on the validation records with the kept weights.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before MaxEpochs.</param>
/// <param name="ValidationErrors">Mean validation error after each epoch.</param>
/// <param name="UsedTrainingForValidation">No validation records were given, so the training records stood in for them.</param>
public sealed record TrainingSummary(
    AutoencoderKind Kind,
    AutoencoderArchitecture Architecture,
    int TrainingRecords,
    int ValidationRecords,
    int Epochs,
    int BestEpoch,
    double BestValidationError,
    bool StoppedEarly,
    IReadOnlyList<double> ValidationErrors,
    bool UsedTrainingForValidation,
    TimeSpan Elapsed);
