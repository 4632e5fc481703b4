using System.Net;
using System.Net.Sockets;

namespace Parley.Cluster.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A TCP port free on 127.0.0.1 right now (other engineers' tests run beside ours: never a fixed port).</summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
