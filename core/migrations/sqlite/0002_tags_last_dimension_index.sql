-- Satellite Butler registry schema, version 2.
-- Each tags_<group> table whose dimension group has two or more non-governor dimensions gets an
-- index on (dataset_type_id, collection_id, <governors>, <last dimension>, dataset_id), so that `where`
-- constraints on visit/exposure/patch can drive a query. The tables are generated per group, so
-- the registry creates the index itself (registry/sqlite/schema.rs, create_group_tables), for
-- groups made under version 1 too when it migrates a file. Nothing static changes.
SELECT 1;
