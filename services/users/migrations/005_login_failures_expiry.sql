-- Counters whose window and lock are over are deleted by a sweep (use-cases/forget-login-failures.ts), found by this
-- index, instead of by a scan of the whole table at every successful login.
CREATE INDEX login_failures_first_at ON login_failures (first_at);
