using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Pruning.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Pruning.Pruning;

/// <summary>
/// The state after a completed round: weights, masks (as bits), rewind and dense snapshots, the trainer's epoch
/// counter, TorchSharp's generator state and the report rows so far. Written atomically; a SHA-256 trailer detects
/// corruption.
/// </summary>
internal sealed class PruningCheckpoint : IDisposable
{
    public const string FileName = "checkpoint.bin";
    private static readonly byte[] Magic = "MLPRCKP2"u8.ToArray();
    private const int HashLength = 32;

    /// <summary>Identifies the network (its layer table) the checkpoint was written for.</summary>
    public required string NetworkFingerprint { get; init; }

    /// <summary>Identifies the run options (<see cref="IterativePrunerOptions.Fingerprint"/>).</summary>
    public required string OptionsFingerprint { get; init; }

    /// <summary>The data the run was made with (<see cref="DataIdentity.Serialize"/>).</summary>
    public required string DataIdentity { get; init; }

    /// <summary>The report so far (dense result, rows of completed rounds, totals).</summary>
    public required PruningReport Report { get; init; }

    /// <summary><see cref="Training.Trainer.EpochsTrained"/>.</summary>
    public required long TrainerEpochs { get; init; }

    /// <summary>TorchSharp's global generator state.</summary>
    public required byte[] RngState { get; init; }

    /// <summary>Named groups of tensors: <c>weights</c>, <c>dense</c>, <c>rewind</c>. The checkpoint owns them.</summary>
    public required Dictionary<string, Dictionary<string, Tensor>> Tensors { get; init; }

    /// <summary>Mask bits by layer name.</summary>
    public required Dictionary<string, byte[]> Masks { get; init; }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public void Save(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var hashing = new HashingStream(stream);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(Magic);
                w.Write(NetworkFingerprint);
                w.Write(OptionsFingerprint);
                w.Write(DataIdentity);
                w.Write(Report.ToJson());
                w.Write(TrainerEpochs);
                WriteBytes(w, RngState);
                w.Write(Masks.Count);
                foreach (var (name, bits) in Masks)
                {
                    w.Write(name);
                    WriteBytes(w, bits);
                }

                w.Write(Tensors.Count);
                foreach (var (group, tensors) in Tensors)
                {
                    w.Write(group);
                    w.Write(tensors.Count);
                    foreach (var (key, t) in tensors)
                    {
                        w.Write(key);
                        w.Write((int)t.dtype);
                        w.Write(t.shape.Length);
                        foreach (var d in t.shape)
                        {
                            w.Write(d);
                        }

                        // cpu() and contiguous() each make a new tensor handle: both must go with the scope.
                        using var scope = torch.NewDisposeScope();
                        WriteBytes(w, t.cpu().contiguous().bytes.ToArray());
                    }
                }
            }

            stream.Write(hashing.Hash());
        });
    }

    /// <summary>Reads a checkpoint and checks it belongs to this network, these options and this data.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt, or was written for another network, other options or other data.</exception>
    public static PruningCheckpoint Load(string path, string networkFingerprint, string networkName, string optionsFingerprint, DataIdentity data)
    {
        byte[] all = File.ReadAllBytes(path);
        if (all.Length < Magic.Length + HashLength || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a pruning checkpoint (bad header).");
        }

        var body = all.AsSpan(0, all.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(all.AsSpan(all.Length - HashLength)))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt: its checksum does not match its content.");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(all, 0, body.Length), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            string network = r.ReadString();
            if (network != networkFingerprint)
            {
                throw new InvalidDataException(
                    $"Checkpoint '{path}' was written for a different network than '{networkName}' (another architecture, input shape or class count); delete it or use another checkpoint folder.");
            }

            string options = r.ReadString();
            if (options != optionsFingerprint)
            {
                throw new InvalidDataException(
                    $"Checkpoint '{path}' was written with other run options ({options}) than this run ({optionsFingerprint}); resume with the same options or start afresh.");
            }

            string dataIdentity = r.ReadString();
            var differences = Pruning.DataIdentity.Parse(dataIdentity).Differences(data);
            if (differences.Count > 0)
            {
                throw new InvalidDataException(
                    $"Checkpoint '{path}' was made with other data ({string.Join("; ", differences)}); resume with the same data and split, or start afresh in another folder.");
            }

            var report = PruningReport.FromJson(r.ReadString());
            long trainerEpochs = r.ReadInt64();
            byte[] rng = ReadBytes(r);
            int maskCount = r.ReadInt32();
            var masks = new Dictionary<string, byte[]>();
            for (int i = 0; i < maskCount; i++)
            {
                masks[r.ReadString()] = ReadBytes(r);
            }

            var groups = new Dictionary<string, Dictionary<string, Tensor>>();
            int groupCount = r.ReadInt32();
            for (int g = 0; g < groupCount; g++)
            {
                string group = r.ReadString();
                int count = r.ReadInt32();
                var tensors = new Dictionary<string, Tensor>();
                for (int i = 0; i < count; i++)
                {
                    string key = r.ReadString();
                    var dtype = (ScalarType)r.ReadInt32();
                    var shape = new long[r.ReadInt32()];
                    for (int d = 0; d < shape.Length; d++)
                    {
                        shape[d] = r.ReadInt64();
                    }

                    byte[] bytes = ReadBytes(r);
                    var t = torch.empty(shape, dtype: dtype);
                    t.bytes = bytes;
                    tensors[key] = t.DetachFromDisposeScope();
                }

                groups[group] = tensors;
            }

            // A valid checksum over a file that lacks a part (only a hand-made file can) is still not a checkpoint.
            foreach (string required in new[] { "weights", "dense" })
            {
                if (!groups.ContainsKey(required))
                {
                    DisposeAll(groups);
                    throw new InvalidDataException($"Checkpoint '{path}' is incomplete: it holds no '{required}' weights.");
                }
            }

            if (report.Dense is null)
            {
                DisposeAll(groups);
                throw new InvalidDataException($"Checkpoint '{path}' is incomplete: its report has no dense result.");
            }

            return new PruningCheckpoint
            {
                NetworkFingerprint = network,
                OptionsFingerprint = options,
                DataIdentity = dataIdentity,
                Report = report,
                TrainerEpochs = trainerEpochs,
                RngState = rng,
                Masks = masks,
                Tensors = groups,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt: {e.Message}", e);
        }
    }

    private static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new EndOfStreamException($"a block of {n} bytes runs past the end of the file");
        }

        return r.ReadBytes(n);
    }

    public void Dispose() => DisposeAll(Tensors);

    private static void DisposeAll(Dictionary<string, Dictionary<string, Tensor>> groups)
    {
        foreach (var group in groups.Values)
        {
            foreach (var t in group.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Passes writes through while hashing them, so the trailer costs no second pass.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Hash() => _hash.GetHashAndReset();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _hash.AppendData(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
