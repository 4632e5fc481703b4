namespace Parley.Protocol;
internal static class ProtocolAssembly { }
