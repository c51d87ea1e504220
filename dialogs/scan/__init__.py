"""The diagnostic scan of informal learning: a manager's own scan with its report, and the team
scan (sent to a team or the organisation, answered privately, shown only as a group)."""

from dialogs.scan import scan, team_answer, team_scan

DIALOGS = [scan.DIALOG, scan.DETAILS, team_scan.DIALOG, team_answer.DIALOG]
