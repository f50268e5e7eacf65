-- Each record also as GetRecords writes it in JSON (UTF-8; its members without the braces, EncryptionType added when
-- read) and its size (data and partition key bytes), so that a read joins stored bytes instead of encoding every
-- record again. Records stored before this have neither: they are read the way they always were.
ALTER TABLE kinesis_records ADD COLUMN size {{bigint}};
ALTER TABLE kinesis_records ADD COLUMN body {{blob}};
