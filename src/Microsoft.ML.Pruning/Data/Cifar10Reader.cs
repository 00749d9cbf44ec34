namespace Microsoft.ML.Pruning.Data;

/// <summary>
/// Reads the CIFAR-10 binary format: files of 3073-byte records, each one label byte (0-9) followed by a 32x32
/// colour image as 3072 bytes, channel-major (1024 red, then 1024 green, then 1024 blue, rows top to bottom).
/// </summary>
/// <remarks>Pixels are scaled to [0, 1] (<c>byte / 255</c>); rows have shape <c>(3, 32, 32)</c>, which is already
/// the channel-major layout networks expect, so no transposition is needed. Files may be raw or gzip-compressed.</remarks>
public static class Cifar10Reader
{
    /// <summary>Bytes of one record: the label byte and 3 x 32 x 32 pixel bytes.</summary>
    public const int RecordBytes = 1 + 3 * 32 * 32;

    /// <summary>The number of CIFAR-10 classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The image shape of every row.</summary>
    public static ImageShape Shape { get; } = new(3, 32, 32);

    /// <summary>The class names, indexed by label (from the data set's <c>batches.meta.txt</c>).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        new[] { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" };

    /// <summary>The training batch files of the official release, in order.</summary>
    public static IReadOnlyList<string> TrainFileNames { get; } =
        new[] { "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin" };

    /// <summary>The test batch file of the official release.</summary>
    public const string TestFileName = "test_batch.bin";

    /// <summary>Reads one or more batch files into one data set, records in file and argument order.</summary>
    /// <exception cref="ArgumentException">No file is given.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is empty, is not a whole number of records, or holds a label above 9.</exception>
    public static InMemoryDataset Read(params string[] batchFiles)
    {
        ArgumentNullException.ThrowIfNull(batchFiles);
        if (batchFiles.Length == 0)
        {
            throw new ArgumentException("Give at least one CIFAR-10 batch file.", nameof(batchFiles));
        }

        var contents = batchFiles.Select(f => (Path: f, Bytes: DataFile.ReadAllBytes(f, "CIFAR-10 batch file"))).ToList();
        foreach (var (path, bytes) in contents)
        {
            if (bytes.Length == 0)
            {
                throw new InvalidDataException($"CIFAR-10 batch file '{path}' is empty.");
            }

            if (bytes.Length % RecordBytes != 0)
            {
                throw new InvalidDataException(
                    $"CIFAR-10 batch file '{path}' is {bytes.Length} bytes, not a whole number of {RecordBytes}-byte records " +
                    $"(1 label byte + 3072 pixel bytes): {bytes.Length / RecordBytes} full records and {bytes.Length % RecordBytes} bytes left over. " +
                    "The file is truncated or is not a CIFAR-10 binary batch (CIFAR-100 records are 3074 bytes).");
            }
        }

        int count = contents.Sum(c => c.Bytes.Length / RecordBytes);
        int size = Shape.Size;
        var features = new float[(long)count * size];
        var labels = new long[count];
        int row = 0;
        foreach (var (path, bytes) in contents)
        {
            for (int record = 0; record < bytes.Length / RecordBytes; record++, row++)
            {
                int offset = record * RecordBytes;
                byte label = bytes[offset];
                if (label >= ClassCount)
                {
                    throw new InvalidDataException(
                        $"CIFAR-10 batch file '{path}': record {record} (byte offset {offset}) has label {label}; CIFAR-10 labels are 0-9.");
                }

                labels[row] = label;
                var pixels = bytes.AsSpan(offset + 1, size);
                var target = features.AsSpan(row * size, size);
                for (int i = 0; i < size; i++)
                {
                    target[i] = pixels[i] / 255f;
                }
            }
        }

        string name = batchFiles.Length == 1 ? Path.GetFileName(batchFiles[0]) : $"{Path.GetFileName(batchFiles[0])} (+{batchFiles.Length - 1} more)";
        return new InMemoryDataset(features, labels, size, Shape, ClassCount, name);
    }

    /// <summary>
    /// Loads the official layout from <paramref name="directory"/> (or its <c>cifar-10-batches-bin</c> sub-folder,
    /// where the release archive unpacks): <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c> are the training rows,
    /// of which the last <paramref name="validationFraction"/> (by index; 5,000 of 50,000 by default) are the
    /// validation set, and <c>test_batch.bin</c> is the test set.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the six batch files is missing.</exception>
    /// <exception cref="InvalidDataException">A batch file is malformed.</exception>
    public static DataSplit ReadDirectory(string directory, double validationFraction = 0.1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (validationFraction < 0 || validationFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        }

        DataFile.RequireDirectory(directory, "CIFAR-10 folder");

        string folder = directory;
        string nested = Path.Combine(directory, "cifar-10-batches-bin");
        if (!File.Exists(Path.Combine(folder, TestFileName)) && Directory.Exists(nested))
        {
            folder = nested;
        }

        foreach (string file in TrainFileNames.Append(TestFileName))
        {
            string path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"CIFAR-10 folder '{folder}' has no '{file}'; it needs {string.Join(", ", TrainFileNames)} and {TestFileName} (the binary version of the data set).",
                    path);
            }
        }

        var train = Read(TrainFileNames.Select(f => Path.Combine(folder, f)).ToArray());
        var test = Read(Path.Combine(folder, TestFileName));
        int nVal = (int)Math.Round(train.Count * validationFraction);
        int nTrain = train.Count - nVal;
        return new DataSplit(
            train.Slice(0, nTrain, "cifar10 (train)"),
            train.Slice(nTrain, nVal, "cifar10 (validation)"),
            test.Slice(0, test.Count, "cifar10 (test)"));
    }
}
