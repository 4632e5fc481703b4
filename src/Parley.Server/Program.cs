using Parley.Server.Hosting;

var app = ParleyServer.Build(ParleyServer.CreateBuilder(args));
app.Run();

/// <summary>Entry point (public so tests can reference the assembly's host).</summary>
public partial class Program;
