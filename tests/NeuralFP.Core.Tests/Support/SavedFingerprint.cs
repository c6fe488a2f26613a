using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Tests.Support;

/// <summary>A fingerprint written to a temporary folder and read back as a service loads it; the folder is gone after.</summary>
internal static class SavedFingerprint
{
    public static async Task<Fingerprint> RoundTripAsync(Fingerprint fingerprint)
    {
        var directory = Directory.CreateTempSubdirectory("nfp-saved-").FullName;
        try
        {
            await fingerprint.SaveAsync(directory);
            return await Fingerprint.LoadAsync(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
