-- 0002: indexes for the lists by department (docs/performance.md#postgresql): a
-- site's department's conversations newest first, in one state (DeleteDepartment
-- counts the queued and open ones) or all, and a department's alone. Without them
-- such a list walked the whole table backwards by id, filtering, or combined the
-- site's and the department's index entries and sorted them (110 ms for 1,600
-- conversations). The site comes first even though department ids are unique: the
-- planner cannot know that a department implies its site. (Plain CREATE INDEX: it
-- holds writes to conversations off while it builds, about 2 s per million
-- conversations each.)
CREATE INDEX conversations_site_department_state ON conversations (site_id, department_id, state, id);
CREATE INDEX conversations_site_department ON conversations (site_id, department_id, id);
CREATE INDEX conversations_department ON conversations (department_id, id);
