"""The Slack transport: turns Slack requests into domain calls and results into Block Kit."""
