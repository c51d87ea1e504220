"""The diagnostic scan of informal learning (managers and HR), with its report."""

from dialogs.scan import scan

DIALOGS = [scan.DIALOG]
