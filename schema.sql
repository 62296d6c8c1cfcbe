CREATE TABLE "post_tags" (
    "post_id" INTEGER NOT NULL,
    "tag_id" INTEGER NOT NULL,
    PRIMARY KEY ("post_id", "tag_id"),
    FOREIGN KEY ("post_id") REFERENCES "posts" ("id"),
    FOREIGN KEY ("tag_id") REFERENCES "tags" ("id")
);

CREATE TABLE "posts" (
    "id" INTEGER PRIMARY KEY,
    "author_id" INTEGER NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "published_at" TIMESTAMP,
    FOREIGN KEY ("author_id") REFERENCES "users" ("id")
);

CREATE TABLE "tags" (
    "id" INTEGER PRIMARY KEY,
    "name" VARCHAR(50) NOT NULL,
    UNIQUE ("name")
);

CREATE TABLE "users" (
    "id" INTEGER PRIMARY KEY,
    "email" VARCHAR(255) NOT NULL,
    "display_name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMP NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    "bio" TEXT,
    "post_count" INTEGER NOT NULL DEFAULT (0),
    UNIQUE ("email")
);

CREATE INDEX posts_author_id_idx ON posts(author_id);
