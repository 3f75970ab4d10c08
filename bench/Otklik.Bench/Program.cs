using System.Globalization;
using System.Text.Json;
using Otklik.Bench;

// otklik-bench run --database sqlite|postgres [--postgres "Host=…;Port=…;Username=…"] --web-dll …/Otklik.Web.dll --out run.json
// otklik-bench report --out results.md run1.json [run2.json]
// bench/run.sh does both; see bench/README.md.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var options = Args.Parse(args);
try
{
    switch (options.Command)
    {
        case "run":
            var run = await BenchRun.RunAsync(options, cancel.Token);
            await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(run, Json.Options), cancel.Token);
            Console.WriteLine(FormattableString.Invariant($"Results for {run.Database} written to {options.Required("out")}"));
            return 0;
        case "report":
            var runs = options.Positional.Select(p => JsonSerializer.Deserialize<DatabaseRun>(File.ReadAllText(p), Json.Options)!).ToList();
            var markdown = Report.Write(runs, Machine.Describe());
            await File.WriteAllTextAsync(options.Required("out"), markdown, cancel.Token);
            Console.WriteLine(markdown);
            return 0;
        default:
            await Console.Error.WriteLineAsync("Usage: otklik-bench run --database sqlite|postgres [--postgres CONN] --web-dll DLL --out FILE | report --out FILE RUN.json…");
            return 2;
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Cancelled.");
    return 130;
}

/// <summary>--name value pairs and positional arguments after the command.</summary>
internal sealed record Args(string Command, Dictionary<string, string> Named, List<string> Positional)
{
    public static Args Parse(string[] args)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) named[args[i][2..]] = args[++i];
            else positional.Add(args[i]);
        }
        return new(args.Length > 0 ? args[0] : "", named, positional);
    }

    public string Required(string name) => Named.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");

    public string Get(string name, string fallback) => Named.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => Named.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Named.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
