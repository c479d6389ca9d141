"""BranchDesk: run a home-care branch under outcomes-based contracts."""

__version__ = "0.1.0"
APP_NAME = "BranchDesk"
