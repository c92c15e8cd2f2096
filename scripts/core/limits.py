"""What one answer may weigh, shared by the SQL limits (plugins/sql_limits.py) and the formats that render
a query's rows (plugins/calendar_feed.py): each counts the bytes it will send against the same budget."""

MAX_LENGTH = 2_000_000  # the longest string or blob a query may make (SQLite's SQLITE_LIMIT_LENGTH)
MAX_RESULT = 16_000_000  # the most an answer may weigh as it will be sent
