using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Parley.Benchmarks -- --filter *
// dotnet run -c Release --project bench/Parley.Benchmarks -- --job short --filter *Native*
BenchmarkSwitcher.FromAssembly(typeof(Parley.Benchmarks.Samples).Assembly).Run(args);
