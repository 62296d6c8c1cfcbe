-- revision: c47a9e15d3b8
-- revises: 6b1d0e4f2a93
-- message: add note author

-- up
ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'anonymous';

-- down
ALTER TABLE notes DROP COLUMN author;
