using ChatBots.Host.Cli;

// chatbots [run | chat | tokens | usage | help] — see README.md.
return await ChatBotsCli.RunAsync(args);
