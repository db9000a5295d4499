-- The dashboard pages through every partition's reminders in due order, and counts the late and the soon: one index
-- on the due time (with the key, so that pages in due order are stable and served from the index alone).

CREATE INDEX reminders_by_due ON reminders (next_due_at, grain_type, grain_key, reminder_name);
