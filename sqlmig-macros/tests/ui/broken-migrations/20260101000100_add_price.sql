-- revision: 2b3c4d5e6f70
-- revises: 1a2b3c4d5e6f
-- mesage: add price

-- up
ALTER TABLE items ADD COLUMN price INTEGER;
