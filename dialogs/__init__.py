"""Every conversation of the bot, written once and channel-neutral, with persisted state."""
