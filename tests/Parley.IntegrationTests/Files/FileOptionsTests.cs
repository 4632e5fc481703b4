using Microsoft.Extensions.Options;
using Parley.Core.Options;
using Parley.IntegrationTests.Infrastructure;
using Parley.Server.Hosting;

namespace Parley.IntegrationTests.Files;

public sealed class FileOptionsTests
{
    [Theory]
    [InlineData("Parley:Files:S3:Bucket is required", "S3", null, "00:10:00", "1000")]
    [InlineData("Parley:Files:OrphanAfter must be at least 1 second", "Local", "b", "00:00:00.5", "1000")]
    [InlineData("MaxImageBytes", "Local", "b", "01:00:00", "0")]
    public void Bad_file_settings_are_named_at_start(string message, string provider, string? bucket, string orphanAfter, string maxImage)
    {
        var options = new ParleyOptions
        {
            Files = new FilesOptions
            {
                Provider = Enum.Parse<FileStorageProvider>(provider),
                OrphanAfter = TimeSpan.Parse(orphanAfter, System.Globalization.CultureInfo.InvariantCulture),
                MaxImageBytes = long.Parse(maxImage, System.Globalization.CultureInfo.InvariantCulture),
                S3 = new FilesS3Options { Bucket = bucket, Region = "eu-west-1" },
            },
        };
        var result = new ParleyOptionsValidation().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
        Assert.True(new ParleyOptionsValidation().Validate(null, new ParleyOptions()).Succeeded);
    }

    [Fact]
    public async Task A_server_configured_for_s3_without_a_bucket_does_not_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Files:Provider"] = "S3",
            ["Parley:Files:S3:ServiceUrl"] = "http://127.0.0.1:9",
        }));
        Assert.Contains("Parley:Files:S3:Bucket is required", error.Message);
    }
}
