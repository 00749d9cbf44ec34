using Microsoft.ML.Pruning.Cli;

using var signals = new TerminationSignals();
return await CliApplication.RunAsync(args, Console.Out, Console.Error, signals.Token);
