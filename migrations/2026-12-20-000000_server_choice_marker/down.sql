-- Nothing to remove: before this migration a conversation_assistants row
-- marked its conversation's own list by itself, so the marker rows added
-- by up.sql change nothing there. A conversation from an assistant that
-- went back to every enabled server offers its (emptied) own list again.
SELECT 1;
