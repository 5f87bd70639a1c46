id, document, updated_at
