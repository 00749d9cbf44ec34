using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Pruning.Onnx.Proto;
using Microsoft.ML.Pruning.Pruning;

namespace Microsoft.ML.Pruning.Onnx;

/// <summary>
/// Measures what an ONNX model costs where it is deployed, with ONNX Runtime (CPU): file bytes, weights and their
/// non-zeros, multiply-accumulates per matrix operator from the shapes that actually flow through the graph, latency
/// per batch size (median and quartiles of repeated runs) and a session's peak memory. Given a baseline (the dense
/// counterpart of a pruned model), measures it the same way, times the two interleaved run by run, and gives the ratios.
/// </summary>
/// <remarks>
/// <para>Input: seeded random values in each fed input's shape with the first (batch) dimension set to the batch size
/// (uniform in [-1, 1) for float inputs, zeros for integer and boolean ones). Every dimension but the first must be
/// fixed; a model that fixes its batch dimension is timed at that batch size only.</para>
/// <para>Peak memory (Linux): the peak of the process's resident set (VmHWM, reset through
/// <c>/proc/self/clear_refs</c>) while a session is created from the model's bytes and run once at each batch size,
/// minus the resident set just before, after a full garbage collection and <c>malloc_trim</c>. It counts all ONNX
/// Runtime allocates for the session: its copy of the weights (sparse weights made dense), the arena that holds
/// activations, thread stacks. Inputs are made before the measurement starts; model bytes are in memory already. The
/// median over <see cref="OnnxMeasurementOptions.MemoryRuns"/> sessions per model (model and baseline alternating),
/// after one unmeasured session each: the figure is what one more session costs in a process that runs ONNX Runtime
/// already, so the costs a process pays once (the runtime's environment, its per-thread GEMM buffers) are left out.
/// Allocations served from memory the process holds already are not seen; this undercounts by at most what earlier
/// sessions left resident, which the garbage collection and <c>malloc_trim</c> before each session keep small.
/// Elsewhere than Linux, memory is not measured (the figures say so).</para>
/// <para>Sessions use ONNX Runtime's defaults (all graph optimisations, its own thread count unless
/// <see cref="OnnxMeasurementOptions.Threads"/> says otherwise), as a host that sets nothing gets them.</para>
/// </remarks>
public static class OnnxModelMeasurement
{
    /// <summary>Measures the ONNX file <paramref name="modelPath"/>, against <paramref name="baselinePath"/> when given.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not an ONNX model, ONNX Runtime cannot load it, or an input
    /// cannot be made for it; the message names the file.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public static DeploymentMeasurement Measure(string modelPath, string? baselinePath = null, OnnxMeasurementOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        (options ?? new OnnxMeasurementOptions()).Validate();
        byte[] model = ReadFile(modelPath);
        byte[]? baseline = baselinePath is null ? null : ReadFile(baselinePath);
        return Measure(model, modelPath, baseline, baselinePath, options, cancellationToken);
    }

    /// <summary>Measures a serialised model, against a serialised baseline when given.</summary>
    /// <param name="model">The model's bytes.</param>
    /// <param name="modelName">What to call it in figures and messages (a path, "model.onnx", ...).</param>
    /// <param name="baseline">The baseline's bytes (e.g. the dense counterpart), or null.</param>
    /// <param name="baselineName">What to call the baseline; "baseline" when null.</param>
    /// <param name="options">How to measure; defaults when null.</param>
    /// <param name="cancellationToken">Checked between runs.</param>
    /// <exception cref="InvalidDataException">A model is not ONNX, ONNX Runtime cannot load it, or an input cannot be made for it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static DeploymentMeasurement Measure(byte[] model, string modelName, byte[]? baseline = null, string? baselineName = null,
        OnnxMeasurementOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        options ??= new OnnxMeasurementOptions();
        options.Validate();

        var notes = new List<string>();
        var subjects = new List<Subject> { Subject.Parse(model, modelName) };
        if (baseline is not null)
        {
            subjects.Add(Subject.Parse(baseline, baselineName ?? "baseline"));
        }

        foreach (var subject in subjects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CountOperators(subject, options, notes);
        }

        string? memoryUnavailable = options.MemoryRuns > 0 ? ProcessMemory.WhyUnavailable : "not measured (memory runs 0)";
        if (memoryUnavailable is null)
        {
            MeasureMemory(subjects, options, cancellationToken);
        }

        var ratios = TimeAll(subjects, options, notes, cancellationToken);
        return new DeploymentMeasurement
        {
            Runtime = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} (CPU)",
            Threads = options.Threads,
            MemoryMethod = memoryUnavailable ?? MemoryMethodDescription,
            Model = subjects[0].Figures(),
            Baseline = subjects.Count > 1 ? subjects[1].Figures() : null,
            LatencyRatios = ratios,
            Notes = notes,
        };
    }

    /// <summary>How peak memory is measured, as the figures say it.</summary>
    internal const string MemoryMethodDescription =
        "peak resident set (Linux VmHWM, reset via /proc/self/clear_refs) while a session is created from the model bytes and run once " +
        "at each batch size, minus the resident set just before (after a full GC and malloc_trim); median of the measured sessions, after one unmeasured session per model";

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file: {path}", path);
        }

        return File.ReadAllBytes(path);
    }

    private static SessionOptions SessionOptions(OnnxMeasurementOptions options, bool optimize = true)
    {
        var session = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        if (options.Threads > 0)
        {
            session.IntraOpNumThreads = options.Threads;
        }

        if (!optimize)
        {
            session.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        }

        return session;
    }

    /// <summary>A session, or an <see cref="InvalidDataException"/> naming the model when ONNX Runtime refuses it.</summary>
    private static InferenceSession Load(Subject subject, SessionOptions options)
    {
        try
        {
            return new InferenceSession(subject.Bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{subject.Name}: ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    /// <summary>Multiply-accumulates per matrix operator, at batch 1 (or the batch the model fixes).</summary>
    private static void CountOperators(Subject subject, OnnxMeasurementOptions options, List<string> notes)
    {
        // Loading the model for real first: a model ONNX Runtime refuses is bad input, named as such.
        using (var sessionOptions = SessionOptions(options))
        using (Load(subject, sessionOptions))
        {
        }

        subject.ShapeBatch = subject.FixedBatch ?? 1;
        using var inputs = OnnxRandomInputs.Create(subject.Model, subject.Name, subject.ShapeBatch, options.Seed, out string? whyNot);
        if (inputs is null)
        {
            notes.Add($"{subject.Name}: MACs not counted: {whyNot}");
            return;
        }

        try
        {
            using var probeOptions = SessionOptions(options, optimize: false);
            var shapes = OnnxShapeProbe.Shapes(subject.Model, inputs, probeOptions);
            var stored = subject.Info.Initializers.GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            subject.Operators = OnnxOperatorCounter.Count(subject.Model.Graph, shapes, stored);
        }
        catch (OnnxRuntimeException e)
        {
            notes.Add($"{subject.Name}: MACs not counted: ONNX Runtime cannot list the graph's intermediate values ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>Each model's median peak over <see cref="OnnxMeasurementOptions.MemoryRuns"/> sessions, models alternating.</summary>
    private static void MeasureMemory(List<Subject> subjects, OnnxMeasurementOptions options, CancellationToken cancellationToken)
    {
        // One unmeasured session each first: what a process pays once, whatever it runs (ONNX Runtime's environment and
        // kernel registries, the per-thread buffers of its GEMM), would otherwise land on whichever model comes first.
        subjects.ForEach(s => PeakMemory(s, options));
        var peaks = subjects.Select(_ => new List<double>()).ToArray();
        for (int run = 0; run < options.MemoryRuns; run++)
        {
            for (int k = 0; k < subjects.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int i = run % 2 == 0 ? k : subjects.Count - 1 - k;
                peaks[i].Add(PeakMemory(subjects[i], options));
            }
        }

        for (int i = 0; i < subjects.Count; i++)
        {
            subjects[i].PeakMemoryBytes = (long)Percentile(peaks[i].ToArray(), 0.5);
        }
    }

    private static long PeakMemory(Subject subject, OnnxMeasurementOptions options)
    {
        var runnable = options.BatchSizes.Distinct()
            .Select(b => OnnxRandomInputs.Create(subject.Model, subject.Name, b, options.Seed, out _))
            .Where(i => i is not null).Select(i => i!).ToList();
        using var sessionOptions = SessionOptions(options);
        using var runOptions = new RunOptions();
        try
        {
            ProcessMemory.Settle();
            ProcessMemory.ResetPeak();
            long before = ProcessMemory.ResidentBytes(); // read after the reset: the peak can only be at or above it
            using (var session = Load(subject, sessionOptions))
            {
                foreach (var inputs in runnable)
                {
                    using var outputs = session.Run(runOptions, inputs.Names.ToArray(), inputs.Values.ToArray(), session.OutputNames);
                }
            }

            return Math.Max(0, ProcessMemory.PeakBytes() - before);
        }
        finally
        {
            runnable.ForEach(i => i.Dispose());
            ProcessMemory.Settle();
        }
    }

    /// <summary>Times every batch size; with a baseline, the two interleaved pair by pair. Returns the ratios.</summary>
    private static List<LatencyRatio> TimeAll(List<Subject> subjects, OnnxMeasurementOptions options, List<string> notes, CancellationToken cancellationToken)
    {
        var ratios = new List<LatencyRatio>();
        using var sessionOptions = SessionOptions(options);
        var sessions = subjects.Select(s => Load(s, sessionOptions)).ToList();
        try
        {
            foreach (int batch in options.BatchSizes.Distinct())
            {
                var runners = new List<Runner>();
                try
                {
                    for (int i = 0; i < subjects.Count; i++)
                    {
                        var inputs = OnnxRandomInputs.Create(subjects[i].Model, subjects[i].Name, batch, options.Seed, out string? whyNot);
                        if (inputs is null)
                        {
                            notes.Add($"batch {batch} not timed for {whyNot}");
                            continue;
                        }

                        runners.Add(new Runner(subjects[i], sessions[i], inputs));
                    }

                    var samples = Sample(runners, options, cancellationToken);
                    for (int i = 0; i < runners.Count; i++)
                    {
                        runners[i].Subject.Latency.Add(Summarise(batch, samples[i]));
                    }

                    if (runners.Count == 2)
                    {
                        var pairs = samples[0].Zip(samples[1], (m, b) => m / b).ToArray();
                        ratios.Add(new LatencyRatio { Batch = batch, Pairs = pairs.Length, Median = Percentile(pairs, 0.5), P25 = Percentile(pairs, 0.25), P75 = Percentile(pairs, 0.75) });
                    }
                }
                finally
                {
                    runners.ForEach(r => r.Dispose());
                }
            }
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }

        return ratios;
    }

    /// <summary>Warm-up runs, then timed rounds of one run per runner (order alternating between rounds) until both the
    /// minimum runs and the time budget are done, or the maximum is reached. Milliseconds per run, per runner.</summary>
    private static List<double>[] Sample(List<Runner> runners, OnnxMeasurementOptions options, CancellationToken cancellationToken)
    {
        var samples = runners.Select(_ => new List<double>()).ToArray();
        if (runners.Count == 0)
        {
            return samples;
        }

        for (int w = 0; w < options.WarmupRuns; w++)
        {
            runners.ForEach(r => r.Time());
        }

        var budget = Stopwatch.StartNew();
        for (int round = 0; round < options.MaxRuns && (round < options.MinRuns || budget.Elapsed.TotalSeconds < options.SecondsPerBatch); round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int k = 0; k < runners.Count; k++)
            {
                int i = round % 2 == 0 ? k : runners.Count - 1 - k;
                samples[i].Add(runners[i].Time());
            }
        }

        return samples;
    }

    private static LatencyFigures Summarise(int batch, List<double> milliseconds)
    {
        var sorted = milliseconds.ToArray();
        return new LatencyFigures
        {
            Batch = batch,
            Runs = sorted.Length,
            MedianMs = Percentile(sorted, 0.5),
            P25Ms = Percentile(sorted, 0.25),
            P75Ms = Percentile(sorted, 0.75),
            MinMs = sorted.Min(),
            MaxMs = sorted.Max(),
        };
    }

    /// <summary>The <paramref name="q"/> quantile with linear interpolation between order statistics.</summary>
    internal static double Percentile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    /// <summary>One model's session and inputs at one batch size.</summary>
    private sealed class Runner(Subject subject, InferenceSession session, OnnxRandomInputs inputs) : IDisposable
    {
        private readonly string[] _inputNames = inputs.Names.ToArray();
        private readonly OrtValue[] _inputValues = inputs.Values.ToArray();
        private readonly RunOptions _runOptions = new();

        public Subject Subject { get; } = subject;

        /// <summary>Milliseconds of one <c>Run</c> (outputs allocated by ONNX Runtime, as a caller's would be).</summary>
        public double Time()
        {
            long start = Stopwatch.GetTimestamp();
            var outputs = session.Run(_runOptions, _inputNames, _inputValues, session.OutputNames);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            outputs.Dispose();
            return ms;
        }

        public void Dispose()
        {
            _runOptions.Dispose();
            inputs.Dispose();
        }
    }

    /// <summary>A model being measured and the figures gathered so far.</summary>
    private sealed class Subject
    {
        private Subject(string name, byte[] bytes, ModelProto model, OnnxModelInfo info)
        {
            Name = name;
            Bytes = bytes;
            Model = model;
            Info = info;
        }

        public string Name { get; }

        public byte[] Bytes { get; }

        public ModelProto Model { get; }

        public OnnxModelInfo Info { get; }

        /// <summary>The batch size the model's inputs fix, or null when the batch dimension is free.</summary>
        public int? FixedBatch => OnnxRandomInputs.FedInputs(Model.Graph)
            .Select(i => i.Type?.TensorType?.Shape?.Dim.FirstOrDefault())
            .Where(d => d is { ValueCase: TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, DimValue: > 0 })
            .Select(d => (int?)d!.DimValue).FirstOrDefault();

        public int ShapeBatch { get; set; } = 1;

        public List<OperatorCost>? Operators { get; set; }

        public List<LatencyFigures> Latency { get; } = new();

        public long? PeakMemoryBytes { get; set; }

        public static Subject Parse(byte[] bytes, string name)
        {
            OnnxModelInfo info;
            try
            {
                info = OnnxModelInfo.FromBytes(bytes);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{name}: {e.Message}", e);
            }

            return new Subject(name, bytes, ModelProto.Parser.ParseFrom(bytes), info);
        }

        public DeploymentFigures Figures() => new()
        {
            Name = Name,
            FileBytes = Bytes.LongLength,
            Weights = Info.PrunableWeightCount,
            NonZeroWeights = Info.PrunableNonZeros,
            ShapeBatch = ShapeBatch,
            Macs = Operators?.Sum(o => o.Macs),
            EffectiveMacs = Operators?.Sum(o => o.EffectiveMacs),
            Operators = Operators ?? new List<OperatorCost>(),
            Latency = Latency,
            PeakMemoryBytes = PeakMemoryBytes,
        };
    }
}
