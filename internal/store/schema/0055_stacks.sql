-- CloudFormation stacks. doc is the engine's document of a stack (template, parameters,
-- resources with their physical ids, outputs, change sets and the operation in progress) under
-- rev, raised at every update (an optimistic lock). A deleted stack keeps its row (deleted = 1),
-- visible by its id, while its name is free for a new stack.
CREATE TABLE cfn_stacks (
    stack_id   TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    deleted    INTEGER NOT NULL,
    rev        {{bigint}} NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    updated_at {{bigint}} NOT NULL
);
CREATE UNIQUE INDEX cfn_stacks_live ON cfn_stacks (account_id, name) WHERE deleted = 0;
CREATE INDEX cfn_stacks_account ON cfn_stacks (account_id, created_at);

-- A stack's events, numbered by the stack's own counter (written with the stack's update).
CREATE TABLE cfn_stack_events (
    stack_id TEXT NOT NULL,
    seq      {{bigint}} NOT NULL,
    at       {{bigint}} NOT NULL,
    doc      {{blob}} NOT NULL,
    PRIMARY KEY (stack_id, seq)
);
