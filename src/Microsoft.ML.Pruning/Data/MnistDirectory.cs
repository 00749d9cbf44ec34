namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Loads an MNIST-style folder (MNIST, Fashion-MNIST): the IDX pairs <c>train-images-idx3-ubyte</c> /
/// <c>train-labels-idx1-ubyte</c> and <c>t10k-images-idx3-ubyte</c> / <c>t10k-labels-idx1-ubyte</c>, each raw or
/// with a <c>.gz</c> suffix (the <c>train-images.idx3-ubyte</c> spelling of some mirrors is accepted too).
/// </summary>
public static class MnistDirectory
{
    /// <summary>The default fraction of the training pair held out (its last rows) as validation.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>
    /// Loads the folder. When both pairs are present, the last <paramref name="validationFraction"/> of the
    /// training rows (by index) are the validation set and the <c>t10k</c> pair is the test set (60,000 / 10,000
    /// MNIST rows give 54,000 / 6,000 / 10,000). When only one pair is present it is split by index with
    /// <paramref name="singlePairSplit"/> (default 0.7 / 0.1 / 0.2).
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <param name="singlePairSplit">How a folder with one pair is split; null for <see cref="SplitFractions.Default"/>.</param>
    /// <param name="validationFraction">The fraction of the training pair held out as validation.</param>
    /// <param name="classCount">The number of classes; null for the ten of MNIST (see <see cref="IdxReader.Read"/>).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist, or the path is a file.</exception>
    /// <exception cref="FileNotFoundException">Neither pair, or only half of a pair, is present.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or a label is not below the class count.</exception>
    public static DataSplit Load(string directory, SplitFractions? singlePairSplit = null, double validationFraction = DefaultValidationFraction, int? classCount = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (validationFraction < 0 || validationFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        }

        DataFile.RequireDirectory(directory, "MNIST folder");

        var train = FindPair(directory, "train");
        var test = FindPair(directory, "t10k");
        if (train is { } t && test is { } s)
        {
            var trainRows = IdxReader.Read(t.Images, t.Labels, classCount);
            var testRows = IdxReader.Read(s.Images, s.Labels, classCount);
            int nVal = (int)Math.Round(trainRows.Count * validationFraction);
            if (nVal >= trainRows.Count || (validationFraction > 0 && nVal == 0))
            {
                throw new InvalidDataException($"MNIST folder '{directory}': {trainRows.Count} training rows are too few to hold out {validationFraction} as validation.");
            }

            int nTrain = trainRows.Count - nVal;
            return new DataSplit(
                trainRows.Slice(0, nTrain, $"{trainRows.Name} (train)"),
                trainRows.Slice(nTrain, nVal, $"{trainRows.Name} (validation)"),
                testRows.Slice(0, testRows.Count, $"{testRows.Name} (test)"));
        }

        if ((train ?? test) is { } only)
        {
            return (singlePairSplit ?? SplitFractions.Default).Apply(IdxReader.Read(only.Images, only.Labels, classCount));
        }

        throw new FileNotFoundException(
            $"MNIST folder '{directory}' holds neither 'train-images-idx3-ubyte[.gz]' + 'train-labels-idx1-ubyte[.gz]' nor 't10k-images-idx3-ubyte[.gz]' + 't10k-labels-idx1-ubyte[.gz]'.");
    }

    /// <summary>The images and labels files of one prefix, null when neither exists; half a pair is an error.</summary>
    private static (string Images, string Labels)? FindPair(string directory, string prefix)
    {
        string? images = FindFirst(directory, $"{prefix}-images-idx3-ubyte", $"{prefix}-images.idx3-ubyte");
        string? labels = FindFirst(directory, $"{prefix}-labels-idx1-ubyte", $"{prefix}-labels.idx1-ubyte");
        if (images is null && labels is null)
        {
            return null;
        }

        if (images is null || labels is null)
        {
            string missing = images is null ? $"{prefix}-images-idx3-ubyte[.gz]" : $"{prefix}-labels-idx1-ubyte[.gz]";
            string present = images ?? labels!;
            throw new FileNotFoundException($"MNIST folder '{directory}' has '{Path.GetFileName(present)}' but not its partner '{missing}'.", Path.Combine(directory, missing));
        }

        return (images, labels);
    }

    private static string? FindFirst(string directory, params string[] stems)
    {
        foreach (string stem in stems)
        {
            foreach (string candidate in new[] { stem, stem + ".gz" })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }
}
