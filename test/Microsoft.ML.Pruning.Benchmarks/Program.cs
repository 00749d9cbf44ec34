using Microsoft.ML.Pruning.Benchmarks;
using Microsoft.ML.Pruning.Data;

// Experiments and throughput measurements; results go to docs/benchmarks.md. Not run by CI.
string command = args.Length > 0 ? args[0] : "help";
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

DataSplit LoadData() => DataSource.Load(Arg("data", BenchmarkData.DefaultSpec()), new DataLoadOptions { Split = SplitFractions.Parse(Arg("split", "0.7,0.1,0.2")) });

switch (command)
{
    case "trainer-overhead":
        Console.WriteLine(TrainerOverheadBenchmark.Run(LoadData(), Arg("arch", "lenet300"), int.Parse(Arg("epochs", "3")), int.Parse(Arg("repeats", "3"))));
        break;
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

    case "icp":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string arch = Arg("arch", "lenet300");
        double[] sweep = Arg("sweep", "0.02,0.05,0.11,0.2,0.4").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        string md = IcpHeadlineBenchmark.Run(spec, arch, int.Parse(Arg("rounds", "10")), int.Parse(Arg("epochs", "15")), int.Parse(Arg("seeds", "3")), sweep,
            double.Parse(Arg("lr", arch == "lenet300" ? "0.0012" : "0.001"), System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, $"ICP headline: {arch}", md, $"dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- icp --arch {arch} --write docs/benchmarks.md");
        }

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

    case "import":
    {
        string spec = Arg("data", BenchmarkData.DefaultSpec());
        string models = Arg("models", Path.Combine(BenchmarkData.RepositoryRoot() ?? ".", "test", "Microsoft.ML.Pruning.Tests", "TestModels"));
        string md = ImportBenchmark.Run(spec, models, Arg("python", "python3"), Arg("out", Path.Combine(Path.GetTempPath(), "mlnet-prune-import-benchmark")));
        Console.WriteLine(md);
        if (Arg("write", "") is { Length: > 0 } target)
        {
            MarkdownSection.Write(target, "Pruning imported PyTorch models", md, "dotnet run -c Release --project test/Microsoft.ML.Pruning.Benchmarks -- import --python python3 --write docs/benchmarks.md");
        }

        break;
    }

    default:
        Console.WriteLine("usage: Microsoft.ML.Pruning.Benchmarks <foundation|lth|icp|scoring|trainer-overhead|import> [--data SPEC] [--arch NAME] [--epochs N]");
        break;
}
