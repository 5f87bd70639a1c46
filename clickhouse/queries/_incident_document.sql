id,
concat('{"id":', toString(id), ',', substring(document, 2, length(document) - 2), ',') AS head,
concat(',"updatedAt":"', iso_time(updated_at), '"}') AS tail
