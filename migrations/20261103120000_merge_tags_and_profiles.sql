-- revision: e05a7b3d6f19
-- revises: b91f6e2a8c03, 2e6d0c9a5b71
-- message: merge the tags and profiles branches

-- up

-- down
