-- revision: 5f2b8d4e0a6c
-- revises: e05a7b3d6f19
-- message: add users.post_count and backfill it

-- up
ALTER TABLE users ADD COLUMN post_count INTEGER NOT NULL DEFAULT 0;

-- Backfill from existing posts; new posts keep it current in the application.
UPDATE users
SET post_count = (
    SELECT COUNT(*) FROM posts WHERE posts.author_id = users.id
);

-- down
ALTER TABLE users DROP COLUMN post_count;
