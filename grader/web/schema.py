"""The web app's SQLite schema (a Python string, so it ships with the package as code)."""

SCHEMA = """\
-- The web app's state. Uploads and derived images live on disk under the
-- instance folder; rows here point at them by relative path.
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',          -- queued | running | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  priority INTEGER NOT NULL DEFAULT 0,           -- lower runs first: a trainee waiting (0) before a batch (1)
  run_alone INTEGER NOT NULL DEFAULT 0,          -- 1: it may kill its worker (in flight when a worker pool broke or
                                                 -- the server died): it runs alone until it is finished
  error_code TEXT, error_id TEXT, error_en TEXT,
  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);

CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  client_token TEXT UNIQUE,                      -- the form's token once every photo is stored (see db.STORING)
  form_token TEXT,                               -- the form's token, kept for good: sent again after a failure,
                                                 -- whatever it holds, it stores what is missing into this batch
  exercise TEXT,
  created_by TEXT,
  skipped TEXT NOT NULL DEFAULT '[]',            -- JSON list of {"file", "code", "message_id", "message_en"}
  merged INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  removed_at TEXT                                -- its exercise was removed (grader.web.removal)
);

CREATE TABLE IF NOT EXISTS submissions (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,                    -- unguessable, used in trainee URLs
  client_token TEXT UNIQUE,                      -- from the upload form: a double submit finds the first one
  content_hash TEXT NOT NULL,
  source TEXT NOT NULL,                          -- trainee | batch
  batch_id INTEGER REFERENCES batches(id),
  group_key TEXT,
  exercise TEXT, trainee TEXT, trainee_name TEXT,
  job_id INTEGER REFERENCES jobs(id),
  state TEXT NOT NULL DEFAULT 'queued',          -- queued | running | done | failed | merged
  error_code TEXT, error_id TEXT, error_en TEXT,
  typed_code TEXT,                               -- a held upload's code as the trainee typed it (to fix a typo)
  printed_code TEXT,                             -- a held upload's code as its sheet's QR names it (NULL: unread)
  typed_trainee TEXT,                            -- the name exactly as typed on the upload form ('' none; a retake
                                                 -- keeps its sheet's), which grading leaves alone (trainee may
                                                 -- become the QR's or the number read): the form sent again as it
                                                 -- was is told by it from a corrected one
                                                 -- (earlier_sendings.find_duplicate);
                                                 -- NULL: not known (a batch's sheet, a row from before the column)
  result TEXT, result_original TEXT,
  result_status TEXT, score REAL,
  n_ok INTEGER, n_wrong INTEGER, n_review INTEGER, n_blank INTEGER, n_unreadable INTEGER,
  superseded_by INTEGER REFERENCES submissions(id),  -- the sheet that replaced it: state 'merged', a page merged
                                                 -- into it or a pair split; else a later sending of its form,
                                                 -- corrected (grader.web.resent)
  retake_of INTEGER REFERENCES submissions(id),
  replaces TEXT,                                 -- the form tokens this sending named as the earlier sendings it
                                                 -- corrects, space-separated (NULL: none): one of them arriving
                                                 -- late is stored replaced by it (grader.web.resent)
  pairs_with INTEGER REFERENCES submissions(id), -- a batch's page stored by a later sending of its form, and the
                                                 -- single page stored before that its file name pairs it with
  trainee_retries INTEGER NOT NULL DEFAULT 0,    -- times its trainee had it graded again after the server failed
                                                 -- on it (grader.web.grade_again)
  queue_priority INTEGER,                        -- the priority the request that marked it queued chose for its
                                                 -- grading job (a trainer's "grade again": with the batches), kept
                                                 -- until the job is made, for the sweep (grader.web.stranded);
                                                 -- NULL: as its source gives (a trainee's before the batches)
  sender TEXT,                                   -- a trainee's sending: the browser it came from, a random id kept
                                                 -- in its session (trainee.attempts.sender_id); with typed_trainee it
                                                 -- tells two trainees of one name apart (grader.web.unrecorded);
                                                 -- NULL: not known (a batch's, or stored before the column)
  trainer_number TEXT,                           -- the trainee number a trainer typed for it off its picture
                                                 -- (trainer.trainee_number.set_trainee), kept through its gradings
                                                 -- again and into the sheets made of its photos, so its result
                                                 -- says so (grading.named_by_trainer); NULL: none typed
  left_out TEXT,                                 -- JSON list of {"page", "file", "code", "message_id", "message_en"}:
                                                 -- a trainee's files not graded with it (not a photo, too large, the
                                                 -- same photo as another page's), said where the page is added
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_exercise ON submissions(exercise, state);
CREATE INDEX IF NOT EXISTS submissions_batch ON submissions(batch_id);
CREATE INDEX IF NOT EXISTS submissions_hash ON submissions(content_hash);
CREATE INDEX IF NOT EXISTS submissions_superseded ON submissions(superseded_by);   -- what a sheet replaced
CREATE INDEX IF NOT EXISTS submissions_retake ON submissions(retake_of);   -- its retakes and completed sheets

CREATE TABLE IF NOT EXISTS uploads (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  position INTEGER NOT NULL,
  filename TEXT NOT NULL,                        -- as the user named it (display only)
  path TEXT NOT NULL,                            -- relative to the instance folder
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  place TEXT,                                    -- a batch's photo: the zip and folder it came from ("kelas.zip:
                                                 -- Budi", a loose file's folder "."), so that a page sent later
                                                 -- pairs by file name within it only; NULL: not known (a trainee's,
                                                 -- a merge's or a split's, or stored before places were)
  sent_in TEXT,                                  -- a trainee's photo: the input it was chosen in, as its refusal
                                                 -- names it (grader.web.trainee.photos.sent_in_words: the upload form's
                                                 -- photo_1, photo_2; a result's "Foto ulang", retake; its "Foto
                                                 -- halaman 2" for a missing page, add_2); NULL: not known (a batch's,
                                                 -- or stored before it was kept)
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_submission ON uploads(submission_id);
CREATE INDEX IF NOT EXISTS uploads_sha256 ON uploads(sha256);   -- a photo on other sheets (a batch sent again)

CREATE TABLE IF NOT EXISTS corrections (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  field_id TEXT NOT NULL,
  value INTEGER,                                 -- NULL = the box is blank
  previous INTEGER,
  corrected_by TEXT NOT NULL,
  corrected_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_submission ON corrections(submission_id);

-- A trainee's "that is not what I wrote" on a field marked wrong or blank. The field goes to the
-- trainer's review queue; a trainer's correction of the field settles it.
CREATE TABLE IF NOT EXISTS disputes (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  field_id TEXT NOT NULL,
  written TEXT NOT NULL DEFAULT '',              -- what the trainee says they wrote (may be empty)
  disputed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS disputes_submission ON disputes(submission_id);

-- A trainer's login, one row per browser logged in (grader.web.trainer_sessions): the session cookie carries its
-- random id, kept here only as a SHA-256. "Keluar" deletes the row, so a copy of the cookie no longer lets anyone
-- in ("Keluar dari semua perangkat", or a start with another trainer password, deletes every row); a row unused for
-- the session lifetime (12 hours) is over.
CREATE TABLE IF NOT EXISTS trainer_sessions (
  id_hash TEXT PRIMARY KEY,
  trainer TEXT NOT NULL,                         -- the name typed at login (signs corrections and batches)
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL                        -- noted at most every 5 minutes (trainer_sessions.TOUCH_EVERY_S)
);

-- The trainer password's hash (werkzeug's, salted and slow), one row: a start with another password ends every row
-- of trainer_sessions (grader.web.trainer_sessions.password_hash).
CREATE TABLE IF NOT EXISTS trainer_password (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  hash TEXT NOT NULL,
  set_at TEXT NOT NULL
);
"""
