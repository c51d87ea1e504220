"""Runtime: settings, storage, channels (console, web chat, Slack, Microsoft Teams), scheduler,
CLI."""
