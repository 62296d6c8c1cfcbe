-- revision: b91f6e2a8c03
-- revises: 7c3e5a0d1f42
-- branch: tags
-- message: create tags and the post_tags join table

-- up
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name VARCHAR(50) NOT NULL UNIQUE
);

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL,
    tag_id INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id),
    FOREIGN KEY (post_id) REFERENCES posts (id),
    FOREIGN KEY (tag_id) REFERENCES tags (id)
);

-- down
DROP TABLE post_tags;
DROP TABLE tags;
