-- revision: a3c9e1f7b5d2
-- revises: 5f2b8d4e0a6c
-- message: store user emails in lower case

-- up
-- Irreversible on purpose: the original spelling is not kept anywhere, so
-- this revision has no down section and a downgrade below it stops here.
UPDATE users SET email = LOWER(email);
