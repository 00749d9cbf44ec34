using Microsoft.ML.Pruning.Benchmarks;
using Microsoft.ML.Pruning.Data;
using Microsoft.ML.Pruning.Stopping;

// Experiments and throughput measurements; results go to docs/benchmarks.md. Not run by CI.
string command = args.Length > 0 ? args[0] : "help";
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// The command that reproduces a section: the arguments as given, writing to the repository's benchmarks page.
string Reproduce()
{
    // Paths of this machine stay out of the page: the target is the page itself, a trace file is named by its file name.
    var shown = args.Select((a, i) => i == 0 ? a
        : args[i - 1] == "--write" ? "docs/benchmarks.md"
        : args[i - 1] == "--json" ? Path.GetFileName(a)
        : a);
    return "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- " + string.Join(' ', shown);
}

DataSplit LoadData() => DataSource.Load(Arg("data", BenchmarkData.DefaultSpec()), new DataLoadOptions { Split = SplitFractions.Parse(Arg("split", "0.7,0.1,0.2")) });

switch (command)
{
    case "trainer-overhead":
    {
        string arch = Arg("arch", "lenet300");
        string md = TrainerOverheadBenchmark.Run(LoadData(), arch, int.Parse(Arg("pairs", "40")), int.Parse(Arg("batches", "30")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, $"Trainer overhead: {arch}", md, Reproduce());
        }

        break;
    }
    case "foundation":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string md = FoundationBenchmark.Run(spec, int.Parse(Arg("epochs", "20")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Foundation", md, "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- foundation --write docs/benchmarks.md");
        }

        break;
    }

    case "lth":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string md = LotteryTicketBenchmark.Run(spec, int.Parse(Arg("epochs", "15")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Lottery-ticket IMP on MNIST-10k", md, "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- lth --write docs/benchmarks.md");
        }

        break;
    }

    case "channel":
    {
        // Reduced to fit a 2-core machine in about an hour: few rounds and epochs, fewer synthetic rows (see docs/benchmarks.md).
        string mnist = Arg("data", BenchmarkData.DefaultSpec());
        int shapesRows = int.Parse(Arg("shapes-rows", "1000"));
        var cases = new List<ChannelBenchmark.Case>
        {
            new("lenet5", mnist, 10_000, Rounds: 3, Rate: 0.3, DenseEpochs: 5, MaxEpochsPerRound: 3),
            new("conv2", mnist, 10_000, Rounds: 3, Rate: 0.3, DenseEpochs: 3, MaxEpochsPerRound: 2, TrainRows: 3000),
            new("resnet20", "synthetic-shapes", shapesRows, Rounds: 3, Rate: 0.3, DenseEpochs: 4, MaxEpochsPerRound: 2),
            new("vgg11", "synthetic-shapes", shapesRows, Rounds: 3, Rate: 0.3, DenseEpochs: 4, MaxEpochsPerRound: 2),
            new("conv4", mnist, 10_000, Rounds: 3, Rate: 0.3, DenseEpochs: 3, MaxEpochsPerRound: 2, TrainRows: 2000),
        };
        var only = Arg("arch", "");
        if (only.Length > 0)
        {
            cases = cases.Where(c => only.Split(',').Contains(c.Architecture)).ToList();
        }

        var measurement = new Microsoft.ML.Pruning.Onnx.OnnxMeasurementOptions { MinRuns = 11, SecondsPerBatch = 0.5, WarmupRuns = 3, Threads = 1 };
        string reproduce = "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- channel --write docs/benchmarks.md --chart docs/images/channel-vs-weight.png";
        string? target = Arg("write", "") is { Length: > 0 } t ? t : null;
        string? chart = Arg("chart", "") is { Length: > 0 } ch ? ch : null;
        string md = ChannelBenchmark.Run(cases, measurement, chart, partialMd =>
        {
            Console.WriteLine(partialMd);
            if (target is not null)
            {
                MarkdownSection.Write(target, "Channel against weight pruning", partialMd, reproduce);
            }
        });
        Console.WriteLine(md);
        break;
    }

    case "scoring":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string md = ScoringBenchmark.Run(spec, int.Parse(Arg("repeats", "5")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Scoring: ML.NET over ONNX Runtime vs TorchSharp", md, "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- scoring --write docs/benchmarks.md");
        }

        break;
    }

    case "deployment":
    {
        // ONNX Runtime latency, dense against 90% weight-pruned, every built-in; rerun on a quiet machine for publication.
        var options = new Microsoft.ML.Pruning.Onnx.OnnxMeasurementOptions
        {
            MinRuns = int.Parse(Arg("runs", "20")),
            SecondsPerBatch = double.Parse(Arg("seconds", "2"), System.Globalization.CultureInfo.InvariantCulture),
            WarmupRuns = int.Parse(Arg("warmup", "5")),
            Threads = int.Parse(Arg("threads", "0")),
        };
        var networks = Arg("arch", "") is { Length: > 0 } only
            ? OnnxStorageModels.Networks.Where(n => n.Architecture == only).ToArray()
            : OnnxStorageModels.Networks;
        string md = DeploymentBenchmark.Run(options, networks);
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Deployment: dense against 90% weight-pruned in ONNX Runtime", md,
                $"dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- deployment --runs {options.MinRuns} --seconds {options.SecondsPerBatch.ToString(System.Globalization.CultureInfo.InvariantCulture)} --warmup {options.WarmupRuns} --threads {options.Threads} --write docs/benchmarks.md");
        }

        break;
    }

    case "flow-trace":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string arch = Arg("arch", "lenet300");
        string md = FlowTraceBenchmark.Run(spec, arch, int.Parse(Arg("rounds", "10")), int.Parse(Arg("pretrain-epochs", "10")),
            double.Parse(Arg("epochs", "3"), System.Globalization.CultureInfo.InvariantCulture), double.Parse(Arg("check-every", "0.25"), System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(Arg("lr", arch == "lenet300" ? "0.0012" : "0.001"), System.Globalization.CultureInfo.InvariantCulture), Arg("json", "") is { Length: > 0 } json ? json : null,
            int.Parse(Arg("probe", Microsoft.ML.Pruning.Stopping.IcpStoppingPolicy.DefaultProbeSize.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, $"Flow traces: {arch}", md, Reproduce());
        }

        break;
    }

    case "import":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string models = Arg("models", Path.Combine(BenchmarkData.RepositoryRoot() ?? ".", "test", "Microsoft.ML.Pruning.Tests", "TestModels"));
        if (Arg("granularity", "weight") == "channel")
        {
            // The CNN test models channel-pruned and compacted, measured against the original files.
            var measurement = new Microsoft.ML.Pruning.Onnx.OnnxMeasurementOptions { MinRuns = 11, SecondsPerBatch = 0.5, WarmupRuns = 3, Threads = 1 };
            string channelMd = ImportedChannelBenchmark.Run(spec, models, Arg("python", "python3"), Arg("out", Path.Combine(Path.GetTempPath(), "mlnet-prune-import-benchmark")), measurement);
            Console.WriteLine(channelMd);
            if (Arg("write", "") is { Length: > 0 } channelTarget)
            {
                MarkdownSection.Write(channelTarget, "Channel pruning of imported models", channelMd,
                    "OMP_NUM_THREADS=1 dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- import --granularity channel --python /usr/bin/python3 --write docs/benchmarks.md");
            }

            break;
        }

        string md = ImportBenchmark.Run(spec, models, Arg("python", "python3"), Arg("out", Path.Combine(Path.GetTempPath(), "mlnet-prune-import-benchmark")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Pruning imported PyTorch models", md, "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- import --python python3 --write docs/benchmarks.md");
        }

        break;
    }

    case "onnx-models":
        // Writes every built-in × storage mode for OnnxChecker/check_onnx.py; prints the file-size table.
        Console.WriteLine(OnnxStorageModels.Write(Arg("out", "onnx-models")));
        break;

    case "icp-study":
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string arch = Arg("arch", "lenet300");
        string optimizer = Arg("optimizer", "adam");
        string part = Arg("part", "like-for-like");
        int rounds = int.Parse(Arg("rounds", "10"), inv);
        int pretrain = int.Parse(Arg("pretrain-epochs", "10"), inv);
        double maxEpochs = double.Parse(Arg("epochs", "5"), inv);
        double every = double.Parse(Arg("check-every", "0.25"), inv);
        double[] Grid(string name, string fallback) => Arg(name, fallback).Split(',').Select(v => double.Parse(v, inv)).ToArray();
        GradientFlowStatistic? gradient = Arg("gf-statistic", "") switch
        {
            "" => null,
            "all" => GradientFlowStatistic.MeanOverAllWeights,
            "surviving" => GradientFlowStatistic.MeanOverSurvivingWeights,
            var other => throw new ArgumentException($"--gf-statistic '{other}': expected all or surviving."),
        };
        string md = part switch
        {
            "ablation" => IcpStudyBenchmark.Ablation(spec, arch, optimizer, rounds, pretrain, maxEpochs, every, Grid("if-grid", "0.08,0.1,0.11,0.12,0.15"), Grid("gf-grid", "0.3,0.4,0.5,0.6,0.7"), gradient,
                Arg("split", "") is { Length: > 0 } split ? split : null),
            "check-interval" => IcpStudyBenchmark.CheckInterval(spec, arch, rounds, pretrain, maxEpochs, Grid("intervals", "1,0.5,0.25")),
            _ => IcpStudyBenchmark.LikeForLike(spec, arch, optimizer, rounds, pretrain, maxEpochs, every, int.Parse(Arg("seeds", "3"), inv),
                Arg("methods", "") is { Length: > 0 } m ? m.Split(',') : null, Arg("probe", "") is { Length: > 0 } probe ? int.Parse(probe, inv) : null, gradient),
        };
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            string title = part switch
            {
                "ablation" => $"ICP epsilon ablation: {arch}, {optimizer}",
                "check-interval" => $"Check interval: {arch}",
                _ => $"ICP like for like: {arch}, {optimizer}",
            };
            MarkdownSection.Write(target, title, md, Reproduce());
        }

        break;
    }

    case "tabular":
    {
        string folder = Arg("tabular", Path.Combine("..", "shared", "data", "tabular"));
        string arch = Arg("arch", "lenet300");
        string? holdout = Arg("validation-fraction", "") is { Length: > 0 } h ? h : null;
        string md = TabularBenchmark.Run(folder, Arg("out", Path.Combine(Path.GetTempPath(), "tabular-benchmark")), int.Parse(Arg("seeds", "5")), arch,
            int.Parse(Arg("rounds", "3")), double.Parse(Arg("rate", "0.3"), System.Globalization.CultureInfo.InvariantCulture),
            holdout is null ? null : double.Parse(holdout, System.Globalization.CultureInfo.InvariantCulture), o =>
            {
                var c = System.Globalization.CultureInfo.InvariantCulture;
                if (Arg("pretrain", "") is { Length: > 0 } p) { o.PretrainEpochs = int.Parse(p, c); }
                if (Arg("epochs", "") is { Length: > 0 } e) { o.EpochsPerRound = int.Parse(e, c); }
                if (Arg("batch", "") is { Length: > 0 } b) { o.BatchSize = int.Parse(b, c); }
                if (Arg("min-epochs", "") is { Length: > 0 } m)
                {
                    o.Stopping = new Microsoft.ML.Pruning.Stopping.IcpStoppingPolicy(Microsoft.ML.Pruning.Stopping.FlowKind.Information, minEpochs: double.Parse(m, c), maxEpochs: o.EpochsPerRound ?? 10) { CheckEvery = 0.25 };
                }
            }, Arg("only", "") is { Length: > 0 } only ? only : null);
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            string flags = string.Join("", new[] { "seeds", "validation-fraction", "pretrain", "epochs", "min-epochs", "batch", "arch", "rounds", "rate" }
                .Where(a => Arg(a, "") is { Length: > 0 }).Select(a => $" --{a} {Arg(a, "")}"));
            MarkdownSection.Write(target, holdout is null ? "Tabular tasks" : $"Tabular tasks, ValidationFraction {holdout}", md,
                $"dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- tabular{flags} --write docs/benchmarks.md");
        }

        break;
    }

    default:
        Console.WriteLine("usage: Microsoft.ML.Pruning.Benchmarks <foundation|lth|icp-study|flow-trace|scoring|trainer-overhead|deployment|onnx-models|import|tabular> [--data SPEC] [--arch NAME] [--epochs N] [--out DIR]");
        break;
}
