-- revision: 2e6d0c9a5b71
-- revises: 7c3e5a0d1f42
-- branch: profiles
-- message: add a bio to user profiles

-- up
ALTER TABLE users ADD COLUMN bio TEXT;

-- down
ALTER TABLE users DROP COLUMN bio;
