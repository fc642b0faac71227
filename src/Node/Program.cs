using TaskGraph.Node.Cli;

return await TaskGraphCli.RunAsync(args);
