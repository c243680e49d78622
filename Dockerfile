# syntax=docker/dockerfile:1
# Build:  docker build -t chatbots .            (runs the tests in the `test` stage first)
# Run:    docker run -d --name chatbots -e Telegram__BotToken=... -e OPENAI_API_KEY=... -v chatbots-data:/data chatbots

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files only, so the package layer is cached until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ChatBots.sln ./
COPY src/ChatBots.Engine/ChatBots.Engine.csproj src/ChatBots.Engine/
COPY src/ChatBots.Storage/ChatBots.Storage.csproj src/ChatBots.Storage/
COPY src/ChatBots.OpenAI/ChatBots.OpenAI.csproj src/ChatBots.OpenAI/
COPY src/ChatBots.Telegram/ChatBots.Telegram.csproj src/ChatBots.Telegram/
COPY src/ChatBots.Discord/ChatBots.Discord.csproj src/ChatBots.Discord/
COPY src/ChatBots.Host/ChatBots.Host.csproj src/ChatBots.Host/
COPY tests/ChatBots.Testing/ChatBots.Testing.csproj tests/ChatBots.Testing/
COPY tests/ChatBots.Engine.Tests/ChatBots.Engine.Tests.csproj tests/ChatBots.Engine.Tests/
COPY tests/ChatBots.Storage.Tests/ChatBots.Storage.Tests.csproj tests/ChatBots.Storage.Tests/
COPY tests/ChatBots.OpenAI.Tests/ChatBots.OpenAI.Tests.csproj tests/ChatBots.OpenAI.Tests/
COPY tests/ChatBots.Telegram.Tests/ChatBots.Telegram.Tests.csproj tests/ChatBots.Telegram.Tests/
COPY tests/ChatBots.Discord.Tests/ChatBots.Discord.Tests.csproj tests/ChatBots.Discord.Tests/
COPY tests/ChatBots.Host.Tests/ChatBots.Host.Tests.csproj tests/ChatBots.Host.Tests/
COPY tests/ChatBots.Benchmarks/ChatBots.Benchmarks.csproj tests/ChatBots.Benchmarks/
RUN dotnet restore ChatBots.sln
COPY . .
RUN dotnet build ChatBots.sln -c Release --no-restore

FROM build AS test
RUN dotnet test ChatBots.sln -c Release --no-build

FROM test AS publish
RUN dotnet publish src/ChatBots.Host/ChatBots.Host.csproj -c Release --no-build -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=publish /app ./
# config/ is baked in read-only; everything in it can be overridden by environment variables (Section__Key).
ENV DOTNET_ENVIRONMENT=Production \
    Storage__DataDirectory=/data \
    Health__Enabled=true \
    Health__Url=http://127.0.0.1:8080
RUN mkdir -p /data && chown "$APP_UID" /data && chmod -R a-w /app/config
VOLUME ["/data"]
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["dotnet", "/app/chatbots.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "/app/chatbots.dll"]
CMD ["run"]
