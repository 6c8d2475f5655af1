-- Messages as a tree (issue 14, part 1). A message answers or follows its
-- parent (NULL for the first message of a conversation); an edit or a
-- regeneration adds a sibling. A conversation shows one branch: the path
-- from its first message to its active leaf.
--
-- No ON DELETE action on parent_id: a branch is deleted in one statement
-- (the message and all its descendants, found with a recursive query), so
-- the check at the statement's end passes, and no cascade runs once per
-- level (a cascade is a trigger, and triggers nest at most 1,000 deep).
ALTER TABLE messages ADD COLUMN parent_id BIGINT REFERENCES messages(id);
ALTER TABLE conversations
    ADD COLUMN active_leaf_id BIGINT REFERENCES messages(id) ON DELETE SET NULL;

-- Every existing conversation becomes a single path in its current order
-- (id ascending): each message's parent is the one before it, the last
-- message is the active leaf. Ids do not change, so tool calls,
-- attachments, resources, usage records, reservations and the search index
-- keep pointing at the same messages.
UPDATE messages SET parent_id = (
    SELECT MAX(earlier.id) FROM messages AS earlier
    WHERE earlier.conversation_id = messages.conversation_id AND earlier.id < messages.id
);
UPDATE conversations SET active_leaf_id = (
    SELECT MAX(id) FROM messages WHERE messages.conversation_id = conversations.id
);

-- Children of a message (siblings, switching, deleting a branch).
CREATE INDEX messages_parent ON messages (parent_id, id);
