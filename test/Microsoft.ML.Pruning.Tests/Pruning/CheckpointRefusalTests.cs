using Microsoft.ML.Pruning.Native;
using Microsoft.ML.Pruning.Networks;
using Microsoft.ML.Pruning.Pruning;
using Microsoft.ML.Pruning.Stopping;
using Microsoft.ML.Pruning.Tests.Infrastructure;
using Microsoft.ML.Pruning.Training;
using static Microsoft.ML.Pruning.Tests.Pruning.PruningTestKit;

namespace Microsoft.ML.Pruning.Tests.Pruning;

/// <summary>
/// Resuming refuses, with an <see cref="InvalidDataException"/> that names the file and says why, a checkpoint of
/// another network, a corrupt or truncated one, and one written with other options — before any training, and
/// without touching the file.
/// </summary>
public sealed class CheckpointRefusalTests : IClassFixture<CheckpointRefusalTests.OneRoundCheckpoint>
{
    private readonly OneRoundCheckpoint _checkpoint;

    public CheckpointRefusalTests(OneRoundCheckpoint checkpoint)
    {
        TorchSharpNativeLoader.EnsureLoaded();
        _checkpoint = checkpoint;
    }

    [Fact]
    public void CheckpointOfAnotherNetworkIsRefused()
    {
        var e = Refused(FastOptions(), DigitMlp(24), bytes => bytes);

        Assert.Contains("different network", e.Message);
    }

    [Fact]
    public void CheckpointMadeWithOtherDataIsRefusedNamingWhatDiffers()
    {
        var otherSplit = Microsoft.ML.Pruning.Data.SyntheticDigits.Generate(400, seed: 21).SplitByIndex(0.5, 0.3, 0.2);
        var otherRows = Microsoft.ML.Pruning.Data.SyntheticDigits.Generate(400, seed: 22).SplitByIndex(0.6, 0.2, 0.2);

        var split = Refused(FastOptions(), DigitMlp(16), bytes => bytes, otherSplit);
        var rows = Refused(FastOptions(), DigitMlp(16), bytes => bytes, otherRows);

        Assert.Contains("other data", split.Message);
        Assert.Contains("240 training rows in the checkpoint but 200 now", split.Message);
        Assert.Contains("the training rows differ in content", rows.Message);
    }

    [Fact]
    public void FlippedByteIsRefused()
    {
        var e = Refused(FastOptions(), DigitMlp(16), bytes =>
        {
            bytes[bytes.Length / 2] ^= 0x10;
            return bytes;
        });

        Assert.Contains("corrupt", e.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void TruncatedCheckpointIsRefused(double keep)
    {
        var e = Refused(FastOptions(), DigitMlp(16), bytes => bytes[..(int)(bytes.Length * keep)]);

        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void FileThatIsNoCheckpointIsRefused()
    {
        var e = Refused(FastOptions(), DigitMlp(16), _ => "not a checkpoint at all, just some text"u8.ToArray());

        Assert.Contains("not a pruning checkpoint", e.Message);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("rate")]
    [InlineData("rewind")]
    [InlineData("stopping")]
    [InlineData("adam-epsilon")]
    public void CheckpointWithOtherOptionsIsRefused(string option)
    {
        var options = FastOptions();
        options = option switch
        {
            "seed" => options with { Seed = options.Seed + 1 },
            "rate" => options with { Rate = PruningRate.Fixed(0.3) },
            "rewind" => options with { Rewind = RewindPoint.Dense },
            "adam-epsilon" => options with { Training = options.Training with { Optimizer = OptimizerOptions.Adam(2e-3) with { Epsilon = 1e-6 } } },
            _ => options with { Stopping = StoppingPolicy.FixedEpochs(2) },
        };

        var e = Refused(options, DigitMlp(16), bytes => bytes);

        Assert.Contains("other run options", e.Message);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("weights")]
    public void CheckpointWithAValidChecksumButAMissingPartIsRefused(string missing)
    {
        // Only a hand-made file can be like this: written through Save, so its checksum is right.
        var options = FastOptions();
        var definition = DigitMlp(16);
        byte[] incomplete;
        using (var dir = new TempDirectory())
        {
            string source = PruningCheckpoint.PathIn(dir.Path);
            File.WriteAllBytes(source, _checkpoint.Bytes);
            using var full = PruningCheckpoint.Load(source, IterativePruner.NetworkFingerprint(definition), definition.Name, options.Fingerprint(), DataIdentity.Of(Digits));
            var tensors = full.Tensors.Where(g => g.Key != missing).ToDictionary(g => g.Key, g => g.Value);
            string target = Path.Combine(dir.Path, "incomplete.bin");
            new PruningCheckpoint
            {
                NetworkFingerprint = full.NetworkFingerprint,
                OptionsFingerprint = full.OptionsFingerprint,
                DataIdentity = full.DataIdentity,
                Report = full.Report,
                TrainerEpochs = full.TrainerEpochs,
                RngState = full.RngState,
                Masks = full.Masks,
                Tensors = tensors,
            }.Save(target);
            incomplete = File.ReadAllBytes(target);
        }

        var e = Refused(options, definition, _ => incomplete);

        Assert.Contains($"incomplete: it holds no '{missing}' weights", e.Message);
    }

    [Fact]
    public void SameNetworkAndOptionsAreAccepted()
    {
        // The control for the refusals above: the untouched checkpoint with the same options resumes.
        using var dir = new TempDirectory();
        File.WriteAllBytes(PruningCheckpoint.PathIn(dir.Path), _checkpoint.Bytes);
        var phases = new List<string>();

        using var result = Run(FastOptions() with { CheckpointDirectory = dir.Path, Resume = true }, DigitMlp(16), p => phases.Add(p.Phase));

        Assert.DoesNotContain("dense", phases);
        Assert.Equal(2, result.Report.Rounds.Count);
    }

    /// <summary>Writes a (possibly altered) copy of the checkpoint, resumes from it, and returns the refusal.</summary>
    private InvalidDataException Refused(IterativePrunerOptions options, NetworkDefinition definition, Func<byte[], byte[]> alter, Microsoft.ML.Pruning.Data.DataSplit? data = null)
    {
        using var dir = new TempDirectory();
        string path = PruningCheckpoint.PathIn(dir.Path);
        byte[] written = alter(_checkpoint.Bytes.ToArray());
        File.WriteAllBytes(path, written);
        int reports = 0;

        var progress = new Training.SynchronousProgress<PruningProgress>(_ => reports++);
        var e = Assert.Throws<InvalidDataException>(() =>
            new IterativePruner(options with { CheckpointDirectory = dir.Path, Resume = true }).Run(definition, data ?? Digits, progress));

        Assert.Contains(path, e.Message);
        Assert.Equal(0, reports); // refused before any training
        Assert.Equal(written, File.ReadAllBytes(path));
        return e;
    }

    /// <summary>The checkpoint of a one-round run of <see cref="PruningTestKit.FastOptions"/> on a 16-unit MLP.</summary>
    public sealed class OneRoundCheckpoint
    {
        public OneRoundCheckpoint()
        {
            using var dir = new TempDirectory();
            using (Run(FastOptions() with { Rounds = 1, CheckpointDirectory = dir.Path }))
            {
            }

            Bytes = File.ReadAllBytes(PruningCheckpoint.PathIn(dir.Path));
        }

        public byte[] Bytes { get; }
    }
}
