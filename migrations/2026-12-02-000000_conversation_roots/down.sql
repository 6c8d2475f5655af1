DROP TABLE conversation_roots;
