using ChatBots.Engine.Costs;
using ChatBots.Engine.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatBots.Storage.Tests;

public sealed class StorageHostBuilderExtensionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AddSqliteStore_EmptyDataDirectory_FailsStartNamingTheKey(string dataDirectory)
    {
        using IHost host = BuildHost(dataDirectory);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Storage:DataDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSqliteStore_ConfiguredDirectory_OpensOneStoreAtStartForEveryContract()
    {
        string dataDirectory = Path.Combine(_directory.Path, "data");
        string databasePath = Path.Combine(dataDirectory, "chatbots.db");
        using (IHost host = BuildHost(dataDirectory))
        {
            await host.StartAsync();
            Assert.True(File.Exists(databasePath));

            SqliteStore store = host.Services.GetRequiredService<SqliteStore>();
            Assert.Same(store, host.Services.GetRequiredService<IConversationStore>());
            Assert.Same(store, host.Services.GetRequiredService<ILedgerStore>());
            Assert.Same(store, host.Services.GetRequiredService<IKeyValueStore>());
            await host.Services.GetRequiredService<IKeyValueStore>().SetAsync("telegram:offset", "9", CancellationToken.None);
            await host.StopAsync();
        }

        // The container disposed the store, so the file can be opened again with the value in it.
        await using SqliteStore reopened = await SqliteStore.OpenAsync(dataDirectory, CancellationToken.None);
        Assert.Equal("9", await reopened.GetAsync("telegram:offset", CancellationToken.None));
    }

    [Fact]
    public void AddSqliteStore_NoConfiguration_DefaultsToDataUnderTheCurrentDirectory()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddSqliteStore();
        using IHost host = builder.Build();

        Assert.Equal("./data", host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory);
    }

    private static IHost BuildHost(string dataDirectory)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Storage:DataDirectory", dataDirectory)]);
        builder.AddSqliteStore();
        return builder.Build();
    }
}
