-- revision: 7c3e5a0d1f42
-- revises: 4d8a1f2c9b7e
-- message: create posts with an index on their author

-- up
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    body TEXT NOT NULL,
    published_at TIMESTAMP NULL,
    FOREIGN KEY (author_id) REFERENCES users (id)
);

-- Listing a user's posts is the hot query.
CREATE INDEX posts_author_id_idx ON posts (author_id);

-- down
-- Dropping the table drops its index on every dialect.
DROP TABLE posts;
