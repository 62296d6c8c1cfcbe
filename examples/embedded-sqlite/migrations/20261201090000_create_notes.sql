-- revision: 6b1d0e4f2a93
-- message: create notes

-- up
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);

-- down
DROP TABLE notes;
