namespace TaskGraph.Core.ReadModels;

/// <summary>
/// The read model's tables. Names and columns follow task-graph-mcp, because <c>query</c> and <c>get_schema</c> expose them.
/// The <c>record</c> columns hold the full record JSON, so readers never lose a field the columns do not carry.
/// </summary>
internal static class ReadModelSchema
{
    public const string Ddl = """
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT,
            status TEXT NOT NULL,
            phase TEXT,
            worker_id TEXT,
            claimed_at INTEGER,
            priority INTEGER NOT NULL DEFAULT 5,
            points INTEGER,
            time_estimate_ms INTEGER,
            time_actual_ms INTEGER NOT NULL DEFAULT 0,
            started_at INTEGER,
            completed_at INTEGER,
            current_thought TEXT,
            metric_0 INTEGER NOT NULL DEFAULT 0,
            metric_1 INTEGER NOT NULL DEFAULT 0,
            metric_2 INTEGER NOT NULL DEFAULT 0,
            metric_3 INTEGER NOT NULL DEFAULT 0,
            metric_4 INTEGER NOT NULL DEFAULT 0,
            metric_5 INTEGER NOT NULL DEFAULT 0,
            metric_6 INTEGER NOT NULL DEFAULT 0,
            metric_7 INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            needed_tags TEXT NOT NULL DEFAULT '[]',
            wanted_tags TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deleted_at INTEGER,
            deleted_by TEXT,
            deleted_reason TEXT,
            record TEXT NOT NULL
        );
        CREATE INDEX idx_tasks_status ON tasks(status);
        CREATE INDEX idx_tasks_worker ON tasks(worker_id);
        CREATE INDEX idx_tasks_phase ON tasks(phase);
        CREATE INDEX idx_tasks_priority ON tasks(priority);
        CREATE INDEX idx_tasks_created ON tasks(created_at);
        CREATE INDEX idx_tasks_updated ON tasks(updated_at);
        CREATE INDEX idx_tasks_claimable ON tasks(status, priority DESC, created_at) WHERE worker_id IS NULL AND deleted_at IS NULL;

        CREATE TABLE task_tags (task_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (task_id, tag));
        CREATE INDEX idx_task_tags_tag ON task_tags(tag);
        CREATE TABLE task_needed_tags (task_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (task_id, tag));
        CREATE INDEX idx_task_needed_tags_tag ON task_needed_tags(tag);
        CREATE TABLE task_wanted_tags (task_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (task_id, tag));
        CREATE INDEX idx_task_wanted_tags_tag ON task_wanted_tags(tag);

        CREATE TABLE dependencies (
            from_task_id TEXT NOT NULL,
            to_task_id TEXT NOT NULL,
            dep_type TEXT NOT NULL,
            PRIMARY KEY (from_task_id, to_task_id, dep_type)
        );
        CREATE INDEX idx_dependencies_to ON dependencies(to_task_id, dep_type);
        CREATE INDEX idx_dependencies_type ON dependencies(dep_type);

        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            tags TEXT NOT NULL DEFAULT '[]',
            max_claims INTEGER NOT NULL,
            registered_at INTEGER NOT NULL,
            last_heartbeat INTEGER NOT NULL,
            heartbeat_deadline INTEGER NOT NULL,
            last_claim_sequence INTEGER NOT NULL DEFAULT 0,
            workflow TEXT,
            overlays TEXT,
            last_status TEXT,
            last_phase TEXT,
            record TEXT NOT NULL
        );

        CREATE TABLE file_locks (
            file_path TEXT PRIMARY KEY,
            worker_id TEXT NOT NULL,
            task_id TEXT,
            reason TEXT,
            locked_at INTEGER NOT NULL,
            is_lock INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX idx_file_locks_worker ON file_locks(worker_id);
        CREATE INDEX idx_file_locks_task ON file_locks(task_id);

        CREATE TABLE claim_sequence (
            id INTEGER PRIMARY KEY,
            file_path TEXT NOT NULL,
            worker_id TEXT NOT NULL,
            task_id TEXT,
            event TEXT NOT NULL CHECK (event IN ('claimed', 'released')),
            reason TEXT,
            claim_id INTEGER,
            timestamp INTEGER NOT NULL,
            end_timestamp INTEGER
        );
        CREATE INDEX idx_claim_sequence_open ON claim_sequence(file_path, event, end_timestamp);

        CREATE TABLE task_sequence (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            position INTEGER NOT NULL,
            task_id TEXT NOT NULL,
            worker_id TEXT,
            status TEXT,
            phase TEXT,
            reason TEXT,
            timestamp INTEGER NOT NULL,
            end_timestamp INTEGER
        );
        CREATE INDEX idx_task_sequence_task ON task_sequence(task_id, id);
        CREATE INDEX idx_task_sequence_time ON task_sequence(timestamp);

        CREATE VIRTUAL TABLE tasks_fts USING fts5(task_id UNINDEXED, title, description);
        CREATE TABLE attachment_text (rowid INTEGER PRIMARY KEY, content_key TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL);
        CREATE INDEX idx_attachment_text_task ON attachment_text(task_id);
        CREATE VIRTUAL TABLE attachments_fts USING fts5(title UNINDEXED, description UNINDEXED, content);
        """;
}
