"""The workspace's training catalogue and its competency matcher (a port several features use)."""
