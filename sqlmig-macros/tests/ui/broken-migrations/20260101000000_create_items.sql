-- revision: 1a2b3c4d5e6f
-- message: create items

-- up
CREATE TABLE items (id INTEGER PRIMARY KEY);

-- down
DROP TABLE items;
