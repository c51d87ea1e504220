"""Runtime: settings, storage, channels (console, web chat, Slack, Teams), scheduler, CLI."""
